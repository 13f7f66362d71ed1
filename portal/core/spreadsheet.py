"""CSV for spreadsheets in German offices: semicolons, UTF-8 with a byte-order mark (Excel),
CRLF, and cells that never run as formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from flask import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell that spreadsheets show as text, never run as a formula (people type the names
    and texts that end up here)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(rows: Iterable[Iterable[object]], *, cells_checked: bool = False) -> str:
    """The rows as CSV text. ``cells_checked``: the caller vouches that no cell can run as a
    formula (its cells are the portal's own words, numbers and dates, any typed text passed
    through ``safe_cell``), so the cells are written as they are: a large export saves a call
    per cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if cells_checked:
        writer.writerows(rows)
    else:
        for row in rows:
            writer.writerow([safe_cell(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


def csv_response(rows: Iterable[Iterable[object]], filename: str) -> Response:
    return Response(
        csv_text(rows).encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
