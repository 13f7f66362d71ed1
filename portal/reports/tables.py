"""The shape every figure takes: a table of cells with a title and a definition, shared by the
page, the CSV, the PDF and the command line; and the small-number rule.

Small numbers: a count of 1 or 2 (households, persons, cases, flats, landlords) is shown as
"< 3", and so is a rate or a statistic that rests on 1 or 2 of them, so that nobody can be
recognised from a small cell. 0 stays 0. Staff looking at their own caseload on the page see
the exact numbers; every export is suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SMALL = 3
SUPPRESSED = "< 3"


@dataclass(frozen=True)
class Cell:
    """One number. ``kind``: ``count`` (whole units), ``rate`` (per cent, from ``numerator``
    of ``base``), ``days`` (a statistic over ``base`` units), ``text`` (a label in a list)."""

    value: Any
    kind: str = "count"
    base: int | None = None  # units a rate or statistic rests on
    numerator: int | None = None

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


@dataclass
class Table:
    key: str
    title: str
    definition: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[Row] = field(default_factory=list)
    note: str | None = None
    listing: bool = False  # a list of cases (codes, dates), not a table of figures

    def add(self, label: str, cells: dict[str, Cell], level: int = 0) -> None:
        self.rows.append(Row(str(label), cells, level))


def display(cell: Cell | None, suppress: bool, fmt) -> str:
    """The text of a cell: "< 3" for a small one when suppressing, "–" for no value, else the
    number formatted by ``fmt(value, kind)``."""
    if cell is None or cell.value is None:
        return "–"
    if suppress and cell.is_small:
        return SUPPRESSED
    return fmt(cell.value, cell.kind)
