"""The one shared base for the forms the portal prints (fpdf2, DejaVu fonts for every
character German and the households' names need): the Mietbescheinigung, the handover record
and the Wohnungsgeberbestätigung all draw through it.

Use::

    doc = FormPdf(title="Mietbescheinigung", programme="Endlich ein ZUHAUSE")
    doc.section("Vermieter")
    doc.rows([("Name", "Wohnbau GmbH"), ("IBAN", "DE89 …")])
    doc.table(("Zähler", "Nummer", "Stand"), [("Strom", "1ESY…", "123")], (40, 75, 55))
    doc.paragraph("Free text under the table.")
    data: bytes = doc.output_bytes()

Labels and values never run out of their boxes: every cell is a fpdf2 table cell whose text
wraps at spaces; a word too long for its cell (a long compound noun, an IBAN without spaces)
first shrinks the cell's type down to ``MIN_SIZE``, and only a word longer still is broken
inside. The footer carries the programme, the date the document was made
(``portal.core.clock``) and the page number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from babel.dates import format_date
from fpdf import FPDF
from fpdf.fonts import FontFace

from portal.core import clock

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
MARGIN = 20  # mm on every side; the footer sits in the bottom margin
SIZE = 10  # pt, the table and paragraph text
MIN_SIZE = 7  # pt, the smallest a cell shrinks to before a long word is broken
PADDING = 1.5  # mm inside each cell
EMPTY = "–"


class FormPdf(FPDF):
    """An A4 document with a title, sections of label/value rows or tables and a footer."""

    def __init__(self, title: str, programme: str, locale: str = "de") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc_title = title
        self.programme = programme
        self.made_on = format_date(clock.today(), "dd.MM.yyyy", locale=locale)
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_creator(programme)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.add_page()
        self.set_font(FAMILY, "B", 16)
        self.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FAMILY, "", 8)
        page = f"{self.page_no()}/{{nb}}"
        width = self.epw - self.get_string_width("0000/0000") - 4
        self.cell(width, 5, self._fitting(f"{self.programme} · {self.made_on}", width), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, page, align="R")

    def _fitting(self, text: str, width: float) -> str:
        """``text`` cut with an ellipsis to ``width`` at the current font (footer line only)."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def section(self, heading: str) -> None:
        """A bold heading above the next rows."""
        self.ln(2)
        self.set_font(FAMILY, "B", 12)
        self.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def rows(self, rows: Iterable[tuple[str, str]], widths: Sequence[float] = (40, 60)) -> None:
        """A two-column table: the label (bold) and its value; both wrap in their cell."""
        self.table_of(None, rows, widths, bold_first=True)

    def table_of(
        self,
        header: Sequence[str] | None,
        rows: Iterable[Sequence[object]],
        widths: Sequence[float],
        *,
        bold_first: bool = False,
    ) -> None:
        """A table over the full text width, columns in the ratio of ``widths``; ``header`` in
        bold above; an empty value shows as a dash."""
        self.set_font(FAMILY, "", SIZE)
        scale = self.epw / sum(widths)
        inner = [w * scale - 2 * PADDING for w in widths]
        with self.table(
            col_widths=tuple(widths),
            first_row_as_headings=header is not None,
            headings_style=FontFace(emphasis="BOLD"),
            line_height=5.5,
            padding=PADDING,
            text_align="LEFT",
        ) as table:
            if header is not None:
                row = table.row()
                for column, text in enumerate(header):
                    row.cell(text, style=self._style(text, inner[column], bold=True))
            for values in rows:
                row = table.row()
                for column, value in enumerate(values):
                    text = EMPTY if value is None or value == "" else str(value)
                    bold = bold_first and column == 0
                    row.cell(text, style=self._style(text, inner[column], bold=bold))
        self.ln(2)

    def _style(self, text: str, width: float, *, bold: bool) -> FontFace:
        """The cell's type: bold or regular, shrunk until its longest word fits ``width``."""
        emphasis = "B" if bold else ""
        size = SIZE
        self.set_font(FAMILY, emphasis, size)
        longest = max(text.split() or [""], key=self.get_string_width)
        while size > MIN_SIZE and self.get_string_width(longest) > width:
            size -= 0.5
            self.set_font(FAMILY, emphasis, size)
        self.set_font(FAMILY, "", SIZE)
        return FontFace(emphasis="BOLD" if bold else None, size_pt=size)

    def paragraph(self, text: str, size: float = SIZE) -> None:
        self.set_font(FAMILY, "", size)
        self.multi_cell(0, size / 2, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def output_bytes(self) -> bytes:
        return bytes(self.output())
