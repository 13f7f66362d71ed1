"""The figures of a submitted report as JSON, and the difference between them and now.

``dump``/``load`` turn the tables of a report into JSON and back without losing anything: every
cell's value with its type (whole numbers, ``Decimal`` rates and statistics, dates, texts), its
kind, base, numerator and mark (``hidden``: "< 3" or "x" as sent), the tables' titles, labels,
definitions and notes as they were printed, and what suppression declared (``total``, ``sums``,
``rates``, ``links``). ``load(dump(tables)) == tables``.

``compare`` lines a frozen report up with the report computed now, table by table and row by
row (by the row's key), and lists the cells whose shown text differs. A difference is given as
a number ("+3") only where both cells are shown: from a count shown now and its "< 3" at
submission the difference would give the small number away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from portal.reports.exports import german
from portal.reports.tables import Cell, Row, Table, display

FORMAT = 1  # the layout of the JSON; a change of it gets a new number and a reader of the old


def _value(value: Any) -> Any:
    # JSON knows whole numbers and texts; a Decimal or a date carries its type along.
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    raise TypeError(f"a report cell cannot hold {type(value).__name__}")


def _unvalue(value: Any) -> Any:
    if isinstance(value, dict):
        if "decimal" in value:
            return Decimal(value["decimal"])
        return date.fromisoformat(value["date"])
    return value


def _cell(cell: Cell) -> dict[str, Any]:
    return {
        "value": _value(cell.value),
        "kind": cell.kind,
        "base": cell.base,
        "numerator": cell.numerator,
        "hidden": cell.hidden,
    }


def _table(table: Table) -> dict[str, Any]:
    return {
        "key": table.key,
        "title": table.title,
        "definition": table.definition,
        "columns": [[key, label] for key, label in table.columns],
        "rows": [
            {
                "label": row.label,
                "level": row.level,
                "key": row.key,
                # a list keeps the order of the columns as they were filled
                "cells": [[key, _cell(cell)] for key, cell in row.cells.items()],
            }
            for row in table.rows
        ],
        "note": table.note,
        "listing": table.listing,
        "total": table.total,
        "sums": [[row, list(parts)] for row, parts in table.sums],
        "rates": [list(rate) for rate in table.rates],
        "links": [[[list(ref), coefficient] for ref, coefficient in line] for line in table.links],
        "scoped": table.scoped,
    }


def dump(tables: list[Table]) -> dict[str, Any]:
    return {"format": FORMAT, "tables": [_table(t) for t in tables]}


def load(figures: dict[str, Any]) -> list[Table]:
    if figures.get("format") != FORMAT:
        raise ValueError(f"unknown format of frozen figures: {figures.get('format')!r}")
    return [
        Table(
            key=t["key"],
            title=t["title"],
            definition=t["definition"],
            columns=[(key, label) for key, label in t["columns"]],
            rows=[
                Row(
                    r["label"],
                    {
                        key: Cell(
                            _unvalue(c["value"]), c["kind"], c["base"], c["numerator"], c["hidden"]
                        )
                        for key, c in r["cells"]
                    },
                    r["level"],
                    r["key"],
                )
                for r in t["rows"]
            ],
            note=t["note"],
            listing=t["listing"],
            total=t["total"],
            sums=[(row, tuple(parts)) for row, parts in t["sums"]],
            rates=[tuple(rate) for rate in t["rates"]],
            links=[[(tuple(ref), coefficient) for ref, coefficient in line] for line in t["links"]],
            scoped=t["scoped"],
        )
        for t in figures["tables"]
    ]


# The difference --------------------------------------------------------------------------------

# The headline of the difference: (table, row, column) and how one unit is called.
HEADLINES = (
    (("esf", "persons", "entrants"), "participants"),
    (("intakes", "households", "all"), "households"),
)


def _headline(what: str, delta: int) -> str:
    n = abs(delta)
    if what == "participants":
        if delta > 0:
            return ngettext(
                "%(num)d participant added since submission",
                "%(num)d participants added since submission",
                n,
            )
        return ngettext(
            "%(num)d participant fewer since submission",
            "%(num)d participants fewer since submission",
            n,
        )
    if delta > 0:
        return ngettext(
            "%(num)d household added since submission",
            "%(num)d households added since submission",
            n,
        )
    return ngettext(
        "%(num)d household fewer since submission",
        "%(num)d households fewer since submission",
        n,
    )


@dataclass
class Change:
    table: str  # the table's title
    row: str  # the row's label
    column: str  # the column's label
    then: str  # the cell as sent ("–" when the row or column was not there)
    now: str
    delta: Decimal | int | None  # now minus then, where both are shown numbers
    signed: str = ""  # the delta as shown: "+3", "−1.5" ("" without a delta)


def _signed(delta: Decimal | int | None, fmt) -> str:
    if delta is None:
        return ""
    sign = "+" if delta > 0 else "−"
    # a rate's change is in percentage points: a plain number with one decimal
    return f"{sign}{fmt(abs(delta), 'count' if isinstance(delta, int) else 'days')}"


@dataclass
class Difference:
    changes: list[Change] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if not self.changes:
            return str(_l("No figure has changed since submission."))
        count = ngettext(
            "%(num)d figure differs from the submitted report.",
            "%(num)d figures differ from the submitted report.",
            len(self.changes),
        )
        return "; ".join(self.headlines + [count]) if self.headlines else count


def _shown_number(cell: Cell | None) -> Any:
    if cell is None or cell.value is None or cell.hidden or cell.kind not in ("count", "rate"):
        return None
    return cell.value


def compare(frozen: list[Table], current: list[Table], fmt=german) -> Difference:
    """The cells whose shown text differs between ``frozen`` (as sent) and ``current`` (the
    report now, protected the same way), in the order of the report; rows and tables that came
    or went count with "–" on the other side. Labels are today's where the row exists now;
    ``fmt(value, kind)`` formats the numbers (the German of the files unless told)."""
    difference = Difference()
    now_tables = {t.key: t for t in current}
    then_tables = {t.key: t for t in frozen}
    order = [t.key for t in frozen] + [t.key for t in current if t.key not in then_tables]
    cells: dict[tuple[str, str, str], tuple[Cell | None, Cell | None]] = {}
    for key in order:
        then, now = then_tables.get(key), now_tables.get(key)
        shown = now or then
        if shown is None:  # every key comes from one of the two reports
            continue
        then_rows = {r.key: r for r in then.rows} if then else {}
        now_rows = {r.key: r for r in now.rows} if now else {}
        row_keys = list(then_rows) + [k for k in now_rows if k not in then_rows]
        labels = dict((then.columns if then else []) + (now.columns if now else []))
        columns = list(labels)
        for row_key in row_keys:
            old, new = then_rows.get(row_key), now_rows.get(row_key)
            label = (new or old).label  # type: ignore[union-attr]
            for column in columns:
                a = old.cells.get(column) if old else None
                b = new.cells.get(column) if new else None
                cells[(key, row_key, column)] = (a, b)
                before, after = display(a, fmt), display(b, fmt)
                if before == after:
                    continue
                x, y = _shown_number(a), _shown_number(b)
                delta = y - x if x is not None and y is not None else None
                difference.changes.append(
                    Change(
                        shown.title,
                        label,
                        labels[column],
                        before,
                        after,
                        delta,
                        _signed(delta, fmt),
                    )
                )
    for ref, what in HEADLINES:
        a, b = cells.get(ref, (None, None))
        x, y = _shown_number(a), _shown_number(b)
        if x is not None and y is not None and x != y:
            difference.headlines.append(_headline(what, y - x))
    return difference
