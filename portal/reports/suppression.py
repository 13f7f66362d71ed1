"""Small numbers and the cells that would give them away: the one place that decides which cells
of a report are shown. The page, the chart data, the CSV and the PDF all take their cells from
``protect``; none of them suppresses on its own.

Primary suppression: a count of 1 or 2, and a rate or statistic resting on 1 or 2, is "< 3"
(``Cell.is_small``). 0 is not sensitive and stays 0 (an empty cell says nobody is there),
unless it has to be withheld to protect a small cell beside it; then it is "< 3" too, which is
true of it.

Complementary (secondary) suppression: a "< 3" must not be recoverable from the published
cells. The counts of a report are tied by equations, each a "line":
- a table's ``total`` column ("All") is the sum of its other columns, in every row of counts;
- a table's ``sums``: a row is the sum of other rows (persons = adults + children), per column;
- ``links`` between tables: the same figure in two tables (the ESF entrants and the intakes),
  or the months of a chart adding up to the period's figure.
A rate is withheld whenever its numerator or its base is (``rates``): from a rate and one of its
two counts the other follows.

The algorithm, repeated until nothing changes:
1. every line with exactly one hidden cell gets one more hidden: the smallest non-zero shown
   count of that line (ties: the first in the report's order; a 0 only when nothing else is
   left);
2. every line in which a hidden cell is pinned to one value by the bounds the marks give away
   and the line's other cells gets one more hidden, likewise. A reader takes "< 3" for 1 or 2
   and "x" for 3 or more; when that cannot add up (a 0 was withheld as "< 3"), "< 3" for 0 to 2.
   So "2 = 1 + 1 + 0" (an "All" of "< 3" over two groups of "< 3") withholds the 0 as well;
3. a hidden count that the linear system of all lines determines (exact rational Gaussian
   elimination over the hidden cells), or that the bounds narrowed line by line across the
   whole report ("< 3" as 0..2, "x" as 3 or more) leave one value only, gets one more cell
   hidden in one of its lines.
4. when steps 1 to 3 find nothing: a search of the whole-number completions of the hidden cells
   (one group of cells tied by lines at a time): every hidden count must have at least two
   values that agree with everything published; one that has a single value gets one more cell
   hidden in one of its lines. A search that runs too long counts as a single value.
Steps 1 and 3 rule out every attack by adding and subtracting published figures; steps 2 to 4
every attack with the bounds as well (e.g. four ESF fields that each add up to the persons).
The test (tests/reports/test_suppression.py) checks the result with its own code.

A withheld count of 3 or more is shown as "x" (``tables.WITHHELD``), not as "< 3", which would
be false of it; a rate withheld with its count is "x" too. Figures that are not counts (medians,
means) rest on a count but do not give one away and are only subject to the primary rule;
relations that are inequalities only (persons >= households) are not used.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace
from threading import Lock

from portal.reports.disclosure import (
    INF,
    SEARCH_BUDGET,
    Ref,
    completion,
    determined_columns,
    groups,
)
from portal.reports.tables import HIGH, LOW, Cell, Table


def protect(
    tables: list[Table],
    *,
    exact: bool = False,
    withheld: dict[Ref, str] | None = None,
    published: frozenset[Ref] = frozenset(),
) -> list[Table]:
    """The tables with every cell to withhold marked (``Cell.hidden``), as new objects.
    ``exact``: the own-caseload view on the page: tables scoped to the viewer's caseload keep
    their exact numbers, tables that are not (``Table.scoped`` false) are suppressed as always.
    Lists of cases (``Table.listing``) are not figures and are left alone.
    ``withheld``: cells withheld already elsewhere (a site's report, for the state report's
    per-site breakdown), marked so here too; ``published``: cells shown elsewhere, which
    therefore cannot be withheld here: another cell of their line is chosen instead."""
    figures = [t for t in tables if not t.listing]
    hidden = _withheld(figures, exact, withheld or {}, published)
    marked = []
    for table in tables:
        if table.listing:
            marked.append(table)
            continue
        copy = replace(table, rows=[])
        for i, row in enumerate(table.rows):
            cells = {
                column: _mark(cell, hidden.get((table.key, i, column)))
                for column, cell in row.cells.items()
            }
            copy.rows.append(replace(row, cells=cells))
        marked.append(copy)
    return marked


def _withheld(
    figures: list[Table], exact: bool, withheld: dict[Ref, str], published: frozenset[Ref]
) -> dict[Ref, str]:
    """Every cell to withhold, and how. The search costs tens of milliseconds at any size, and
    the same figures are protected again and again (the page, its two chart images, the CSV
    and the PDF each build the report; the page is looked at more often than the data
    changes): the answer of the same figures is remembered (``_REMEMBERED``)."""
    key = _fingerprint(figures, exact, withheld, published)
    with _REMEMBERING:
        known = _REMEMBERED.get(key)
        if known is not None:
            _REMEMBERED.move_to_end(key)
            return dict(known)
    hidden: dict[Ref, str] = dict(withheld)
    for table in figures:
        if exact and table.scoped:
            continue
        for i, row in enumerate(table.rows):
            for column, cell in row.cells.items():
                if cell.value is not None and cell.is_small:
                    hidden[(table.key, i, column)] = LOW
    if hidden:
        System(figures, published).complete(hidden)
        _tie_rates(figures, hidden)
    with _REMEMBERING:
        _REMEMBERED[key] = dict(hidden)
        if len(_REMEMBERED) > REMEMBERED_REPORTS:
            _REMEMBERED.popitem(last=False)
    return hidden


# The answers of the last protected reports (least recently used dropped first), by
# everything the search reads: the cells in their order and the tables' lines, not their words.
REMEMBERED_REPORTS = 64
_REMEMBERED: OrderedDict[tuple, dict[Ref, str]] = OrderedDict()
_REMEMBERING = Lock()  # a threaded server's requests share the memory


def _fingerprint(
    figures: list[Table], exact: bool, withheld: dict[Ref, str], published: frozenset[Ref]
) -> tuple:
    return (
        exact,
        tuple(sorted(withheld.items())),
        published,
        tuple(
            (
                table.key,
                tuple(key for key, _label in table.columns),
                table.total,
                tuple(table.sums),
                tuple(table.rates),
                tuple(tuple(link) for link in table.links),
                table.scoped,
                tuple((row.key, tuple(row.cells.items())) for row in table.rows),
            )
            for table in figures
        ),
    )


def _mark(cell: Cell, how: str | None) -> Cell:
    return replace(cell, hidden=how) if how else cell


def _counts(table: Table, i: int, columns) -> bool:
    row = table.rows[i].cells
    return all(column in row and row[column].kind == "count" for column in columns)


def equations(tables: list[Table]) -> list[dict[Ref, int]]:
    """Every line of the report: ``sum(coefficient * value) == 0`` over the refs."""
    by_key = {t.key: t for t in tables}
    lines: list[dict[Ref, int]] = []
    for table in tables:
        keys = [key for key, _label in table.columns]
        if table.total:
            parts = [k for k in keys if k != table.total]
            for i in range(len(table.rows)):
                if _counts(table, i, keys):
                    line = {(table.key, i, table.total): 1}
                    line |= {(table.key, i, k): -1 for k in parts}
                    lines.append(line)
        for total, parts in table.sums:
            rows = [table.index(total)] + [table.index(p) for p in parts]
            for column in keys:
                if all(_counts(table, i, [column]) for i in rows):
                    line: dict[Ref, int] = {}
                    for n, i in enumerate(rows):
                        line[(table.key, i, column)] = 1 if n == 0 else -1
                    lines.append(line)
        for link in table.links:
            line = {}
            try:
                for (key, row, column), coefficient in link:
                    ref = (key, by_key[key].index(row), column)
                    line[ref] = line.get(ref, 0) + coefficient
            except (KeyError, StopIteration):  # the other table is not in this report
                continue
            lines.append({ref: c for ref, c in line.items() if c})
    return [line for line in lines if len(line) > 1]


def _tie_rates(tables: list[Table], hidden: dict[Ref, str]) -> None:
    for table in tables:
        for rate, numerator, base in table.rates:
            r, n, b = table.index(rate), table.index(numerator), table.index(base)
            for column, cell in table.rows[r].cells.items():
                if cell.value is None or (table.key, r, column) in hidden:
                    continue
                if (table.key, n, column) in hidden or (table.key, b, column) in hidden:
                    hidden[(table.key, r, column)] = HIGH


class System:
    """The counts of a report and the lines that tie them."""

    def __init__(self, tables: list[Table], published: frozenset[Ref] = frozenset()) -> None:
        self.published = published  # shown elsewhere: never chosen to be withheld
        self.values: dict[Ref, int] = {}
        self.order: dict[Ref, int] = {}
        for table in tables:
            for i, row in enumerate(table.rows):
                for column, cell in row.cells.items():
                    if cell.kind == "count":
                        ref = (table.key, i, column)
                        self.values[ref] = int(cell.value or 0)
                        self.order[ref] = len(self.order)
        self.lines = [line for line in equations(tables) if all(ref in self.values for ref in line)]
        # The narrowing below reads every coefficient as 1 or -1.
        if any(abs(c) != 1 for line in self.lines for c in line.values()):
            raise ValueError("a line with a coefficient other than 1 or -1")

    def bounds(self, ref: Ref, hidden: dict[Ref, str], low: int = 1) -> tuple[float, float]:
        """What a reader knows of a cell: its value, ``low``..2 for "< 3", at least 3 for "x"."""
        value = self.values[ref]
        if ref not in hidden:
            return value, value
        return (low, 2) if hidden[ref] == LOW else (3, INF)

    def complete(self, hidden: dict[Ref, str]) -> None:
        stuck: set[Ref] = set()
        while True:
            changed = False
            for line in self.lines:
                unknown = [ref for ref in line if ref in hidden]
                if unknown and (len(unknown) == 1 or self._pinned(line, unknown, hidden)):
                    changed |= self._hide_one_more(line, hidden)
            if changed:
                continue
            suspects = self.determined(hidden) + self.narrowed(hidden)
            searched = not suspects
            for ref in suspects or self.searched(hidden):
                if ref in stuck:
                    continue
                lines = sorted(
                    (line for line in self.lines if ref in line),
                    key=lambda line: sum(r in hidden for r in line),
                )
                if any(self._hide_one_more(line, hidden) for line in lines):
                    changed = True
                    if not searched:  # cheap to find again; the search is not
                        break
                    continue
                stuck.add(ref)
            if not changed:
                return

    def _pinned(self, line: dict[Ref, int], unknown: list[Ref], hidden) -> bool:
        """Whether the line and the marks' bounds leave a hidden cell one value only."""
        for low in (1, 0):  # "< 3" read as 1..2; as 0..2 when that cannot add up
            ranges = self._ranges(line, unknown, hidden, low)
            if all(lo <= hi for lo, hi in ranges):
                return any(lo == hi for lo, hi in ranges)
        return False

    def _ranges(self, line, unknown, hidden, low, spans=None) -> list[tuple[float, float]]:
        """Each hidden cell's range from the line and the others' ranges (``spans``, else the
        bounds of their marks)."""
        known = sum(c * self.values[ref] for ref, c in line.items() if ref not in hidden)
        if spans is None:
            spans = {ref: self.bounds(ref, hidden, low) for ref in unknown}
        ranges = []
        for ref in unknown:
            bottom = top = -known  # the range of coefficient * value of this cell
            for other in unknown:
                if other == ref:
                    continue
                c, (lo, hi) = line[other], spans[other]
                bottom -= c * hi if c > 0 else c * lo
                top -= c * lo if c > 0 else c * hi
            if line[ref] < 0:
                bottom, top = -top, -bottom
            lo, hi = spans[ref]
            ranges.append((max(lo, bottom), min(hi, top)))
        return ranges

    def _hide_one_more(self, line: dict[Ref, int], hidden: dict[Ref, str]) -> bool:
        shown = [ref for ref in line if ref not in hidden and ref not in self.published]
        if not shown:
            return False
        chosen = min(
            shown, key=lambda ref: (self.values[ref] == 0, self.values[ref], self.order[ref])
        )
        hidden[chosen] = LOW if self.values[chosen] < 3 else HIGH
        return True

    def narrowed(self, hidden: dict[Ref, str]) -> list[Ref]:
        """The hidden counts left one value by narrowing their bounds line by line, across all
        lines, until nothing changes."""
        ranges = {ref: self.bounds(ref, hidden, 0) for ref in hidden if ref in self.values}
        lines = [line for line in self.lines if any(ref in ranges for ref in line)]
        for _round in range(200):  # each round narrows some range by at least 1
            changed = False
            for line in lines:
                unknown = [ref for ref in line if ref in ranges]
                spans = self._ranges(line, unknown, hidden, 0, ranges)
                for ref, (lo, hi) in zip(unknown, spans, strict=True):
                    if lo > hi:  # cannot happen with true marks; leave the line alone
                        break
                    if (lo, hi) != ranges[ref]:
                        ranges[ref], changed = (lo, hi), True
            if not changed:
                break
        return sorted(
            (ref for ref, (lo, hi) in ranges.items() if lo == hi), key=self.order.__getitem__
        )

    def searched(self, hidden: dict[Ref, str]) -> list[Ref]:
        """The hidden counts with one whole-number value only (step 4)."""
        cap = max(self.values.values()) + 3  # no cell is larger than the largest
        domains = {
            ref: (0, 2) if how == LOW else (3, cap)
            for ref, how in hidden.items()
            if ref in self.values
        }
        known = {ref: v for ref, v in self.values.items() if ref not in domains}
        single = []
        for group in groups(self.lines, domains):
            lines = [line for line in self.lines if any(ref in group for ref in line)]
            part = {ref: domains[ref] for ref in group}
            budget = [SEARCH_BUDGET]
            first = completion(lines, part, known, budget)
            seen = {ref: {value} for ref, value in (first or {}).items()}
            for ref in sorted(group, key=self.order.__getitem__):
                if first is None:
                    single.append(ref)
                    continue
                if len(seen[ref]) > 1:  # a completion found for another cell showed two
                    continue
                lo, hi = part[ref]
                value = first[ref]
                for a, b in ((lo, value - 1), (value + 1, hi)):
                    found = (
                        completion(lines, part | {ref: (a, b)}, known, budget) if a <= b else None
                    )
                    if found:
                        for other, v in found.items():
                            seen[other].add(v)
                        break
                else:
                    single.append(ref)
        return single

    def determined(self, hidden: dict[Ref, str]) -> list[Ref]:
        """The hidden counts that adding and subtracting the published ones gives away."""
        unknown = sorted((ref for ref in hidden if ref in self.values), key=self.order.get)
        return [unknown[j] for j in determined_columns(self.lines, unknown)]
