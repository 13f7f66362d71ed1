"""A small shared base for the forms the portal prints (fpdf2, DejaVu fonts for every
character German and the households' names need).

Use::

    doc = FormPdf(title="Mietbescheinigung", programme="Endlich ein ZUHAUSE")
    doc.section("Vermieter")
    doc.rows([("Name", "Wohnbau GmbH"), ("IBAN", "DE89 …")])
    doc.paragraph("Free text under the table.")
    data: bytes = doc.output_bytes()

``rows`` draws a two-column table (label, value) with fpdf2's table API: long labels and
values wrap inside their cells and never run out of them. The footer carries the programme,
the date the document was made (``portal.core.clock``) and the page number.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from babel.dates import format_date
from fpdf import FPDF
from fpdf.fonts import FontFace

from portal.core import clock

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"


class FormPdf(FPDF):
    """An A4 document with a title, sections of label/value rows and a footer."""

    def __init__(self, title: str, programme: str, locale: str = "de") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc_title = title
        self.programme = programme
        self.made_on = format_date(clock.today(), "dd.MM.yyyy", locale=locale)
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_creator(programme)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(20, 20, 20)
        self.add_page()
        self.set_font(FAMILY, "B", 16)
        self.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 5, f"{self.programme} · {self.made_on}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="R")

    def section(self, heading: str) -> None:
        """A bold heading above the next rows."""
        self.ln(2)
        self.set_font(FAMILY, "B", 12)
        self.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def rows(self, rows: Iterable[tuple[str, str]]) -> None:
        """A two-column table: the label (bold, 40 %) and its value; both wrap in their cell."""
        self.set_font(FAMILY, "", 10)
        with self.table(
            col_widths=(40, 60),
            first_row_as_headings=False,
            line_height=5.5,
            padding=1.5,
            text_align=("LEFT", "LEFT"),
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(label, style=FontFace(emphasis="BOLD"))
                row.cell(value or "–")
        self.ln(2)

    def paragraph(self, text: str) -> None:
        self.set_font(FAMILY, "", 10)
        self.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def output_bytes(self) -> bytes:
        return bytes(self.output())
