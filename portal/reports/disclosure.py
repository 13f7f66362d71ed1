"""What published figures give away: the arithmetic behind complementary suppression
(``reports.suppression``), free of tables and labels. A report's counts are unknowns tied by
lines (``sum(coefficient * value) == 0``); ``determined_columns`` finds the unknowns that adding
and subtracting the lines fixes (exact rational Gaussian elimination), ``completion`` searches the
whole-number values the unknowns may take within their bounds."""

from __future__ import annotations

from fractions import Fraction

Ref = tuple[str, int, str]  # table key, row index, column key
INF = float("inf")


def determined_columns(lines: list[dict[Ref, int]], unknown: list[Ref]) -> list[int]:
    """Indexes of the unknowns fixed by the lines: the unit vector of an unknown lies in the row
    space of the lines' coefficients exactly when the reduced row echelon form has it as a row."""
    position = {ref: j for j, ref in enumerate(unknown)}
    rows = []
    for line in lines:
        row = {position[ref]: Fraction(c) for ref, c in line.items() if ref in position}
        if row:
            rows.append(row)
    pivots: list[tuple[int, dict[int, Fraction]]] = []
    for row in rows:
        for column, pivot_row in pivots:  # reduce by the pivots found so far
            factor = row.get(column)
            if factor:
                for j, v in pivot_row.items():
                    row[j] = row.get(j, 0) - factor * v
                row = {j: v for j, v in row.items() if v}
        if not row:
            continue
        column = min(row)
        lead = row[column]
        row = {j: v / lead for j, v in row.items()}
        for index, (other, other_row) in enumerate(pivots):  # keep the earlier rows reduced
            factor = other_row.get(column)
            if factor:
                merged = dict(other_row)
                for j, v in row.items():
                    merged[j] = merged.get(j, 0) - factor * v
                pivots[index] = (other, {j: v for j, v in merged.items() if v})
        pivots.append((column, row))
    return sorted(column for column, row in pivots if len(row) == 1)


SEARCH_BUDGET = 20_000  # steps of the search per group of cells
NARROW_ROUNDS = 20


def groups(lines, domains) -> list[set[Ref]]:
    """The hidden cells in groups tied together by lines."""
    parent = {ref: ref for ref in domains}

    def root(ref):
        while parent[ref] != ref:
            ref = parent[ref]
        return ref

    for line in lines:
        tied = [ref for ref in line if ref in domains]
        for ref in tied[1:]:
            parent[root(ref)] = root(tied[0])
    groups: dict[Ref, set[Ref]] = {}
    for ref in domains:
        groups.setdefault(root(ref), set()).add(ref)
    return list(groups.values())


def narrow(lines, domains, known):
    """The ranges narrowed by every line until nothing changes; None when they cannot hold."""
    domains = dict(domains)
    prepared = []
    for line in lines:
        constant = sum(c * known[ref] for ref, c in line.items() if ref in known)
        prepared.append((constant, [(ref, c) for ref, c in line.items() if ref not in known]))
    changed, rounds = True, 0
    while changed and rounds < NARROW_ROUNDS:  # the search splits what is left
        changed, rounds = False, rounds + 1
        for constant, free in prepared:
            # The range of sum(c * x) over the line's free cells (finite part and the number
            # of unbounded terms), then each cell's own range from the others'.
            terms = []
            for ref, c in free:
                lo, hi = domains[ref]
                terms.append((c * lo if c > 0 else c * hi, c * hi if c > 0 else c * lo))
            least = constant + sum(t[0] for t in terms if t[0] != -INF)
            most = constant + sum(t[1] for t in terms if t[1] != INF)
            open_least = sum(t[0] == -INF for t in terms)
            open_most = sum(t[1] == INF for t in terms)
            if (not open_least and least > 0) or (not open_most and most < 0):
                return None
            for (ref, c), (own_least, own_most) in zip(free, terms, strict=True):
                # c * x = -(the others): within [-(others' most), -(others' least)]
                others_most = (
                    INF
                    if open_most - (own_most == INF)
                    else most - (own_most if own_most != INF else 0)
                )
                others_least = (
                    -INF
                    if open_least - (own_least == -INF)
                    else least - (own_least if own_least != -INF else 0)
                )
                bottom, top = -others_most, -others_least
                if c < 0:
                    bottom, top = -top, -bottom
                lo, hi = domains[ref]
                new = (max(lo, bottom), min(hi, top))
                if new[0] > new[1]:
                    return None
                if new != (lo, hi):
                    domains[ref], changed = new, True
    return domains


def completion(lines, domains, known, budget) -> dict[Ref, int] | None:
    """Whole-number values within the ranges that satisfy every line; None when there are
    none, or when the budget ran out (the caller then treats the cell as given away)."""
    budget[0] -= 1
    if budget[0] < 0:
        return None
    domains = narrow(lines, domains, known)
    if domains is None:
        return None
    free = [ref for ref, (lo, hi) in domains.items() if lo < hi]
    if not free:
        values = {ref: int(lo) for ref, (lo, _hi) in domains.items()}
        every = known | values
        ok = all(sum(c * every[ref] for ref, c in line.items()) == 0 for line in lines)
        return values if ok else None
    ref = min(free, key=lambda r: domains[r][1] - domains[r][0])
    lo, hi = domains[ref]
    if hi - lo > 4:
        parts = [(lo, (lo + hi) // 2), ((lo + hi) // 2 + 1, hi)]
    else:
        parts = [(v, v) for v in range(int(lo), int(hi) + 1)]
    for part in parts:
        found = completion(lines, domains | {ref: part}, known, budget)
        if found is not None:
            return found
    return None
