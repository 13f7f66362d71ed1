"""The shape every figure takes: a table of cells with a title and a definition, shared by the
page, the CSV, the PDF and the command line; and the small-number rule.

Small numbers: a count of 1 or 2 (households, persons, cases, flats, landlords) is shown as
"< 3", and so is a rate or a statistic that rests on 1 or 2 of them, so that nobody can be
recognised from a small cell. 0 stays 0. Which further cells are withheld ("x") so that no
"< 3" can be worked out from the totals is decided in ``reports/suppression.py``, which also
says what a table declares for it (``total``, ``sums``, ``rates``, ``links``). Staff looking at
their own caseload on the page see the exact numbers; every export is suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SMALL = 3
SUPPRESSED = "< 3"
WITHHELD = "x"  # 3 or more, withheld so that a small cell cannot be worked out
# How a withheld cell is marked: LOW "< 3" (fewer than 3: a small number, or a 0 withheld to
# protect one), HIGH "x" (3 or more, or a rate or statistic withheld with its count).
LOW, HIGH = "low", "high"
MARKS = {LOW: SUPPRESSED, HIGH: WITHHELD}


@dataclass(frozen=True)
class Cell:
    """One number. ``kind``: ``count`` (whole units), ``rate`` (per cent, from ``numerator``
    of ``base``), ``days`` (a statistic over ``base`` units), ``text`` (a label in a list)."""

    value: Any
    kind: str = "count"
    base: int | None = None  # units a rate or statistic rests on
    numerator: int | None = None
    hidden: str | None = None  # LOW or HIGH once ``suppression.protect`` ran

    @property
    def is_small(self) -> bool:
        def small(n: int | None) -> bool:
            return n is not None and 0 < n < SMALL

        if self.kind == "count":
            return small(self.value)
        if self.kind == "rate":
            return small(self.base) or small(self.numerator)
        if self.kind == "days":
            return small(self.base)
        return False


def count(value: int | None) -> Cell:
    return Cell(int(value or 0), "count")


def rate(numerator: int | None, base: int | None) -> Cell:
    numerator, base = int(numerator or 0), int(base or 0)
    value = None
    if base:
        value = (Decimal(numerator) * 100 / Decimal(base)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    return Cell(value, "rate", base=base, numerator=numerator)


def days(value: float | None, base: int | None) -> Cell:
    shown = None
    if value is not None:
        shown = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Cell(shown, "days", base=int(base or 0))


def text(value: str) -> Cell:
    return Cell(value, "text")


@dataclass
class Row:
    label: str
    cells: dict[str, Cell]
    level: int = 0  # 1: a sub-row (indented), e.g. "of which children"
    key: str = ""  # for ``sums``, ``rates`` and ``links``; the row's position when not given


@dataclass
class Table:
    key: str
    title: str
    definition: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[Row] = field(default_factory=list)
    note: str | None = None
    listing: bool = False  # a list of cases (codes, dates), not a table of figures
    # What the published cells give away together (see reports/suppression.py):
    total: str | None = None  # the column that is the sum of the others, in rows of counts
    sums: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # row = sum of rows
    rates: list[tuple[str, str, str]] = field(default_factory=list)  # (rate, numerator, base)
    # Equations with other tables: [((table key, row key, column), coefficient), ...] = 0
    links: list[list[tuple[tuple[str, str, str], int]]] = field(default_factory=list)
    scoped: bool = True  # restricted to the viewer's own caseload in the own-caseload view

    def add(self, label: str, cells: dict[str, Cell], level: int = 0, key: str = "") -> None:
        self.rows.append(Row(str(label), cells, level, key or f"#{len(self.rows)}"))

    def index(self, key: str) -> int:
        return next(i for i, row in enumerate(self.rows) if row.key == key)


def display(cell: Cell | None, fmt) -> str:
    """The text of a cell: "–" for no value, "< 3" for a small one and "x" for one withheld
    (once ``suppression.protect`` marked them), else the number formatted by
    ``fmt(value, kind)``."""
    if cell is None or cell.value is None:
        return "–"
    if cell.hidden:
        return MARKS[cell.hidden]
    return fmt(cell.value, cell.kind)
