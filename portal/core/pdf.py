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
inside. ``grid`` draws a table of figures (a heading row repeated on every page, a text column
and right-aligned number columns, widths fitted to the content) for the reports. The footer
carries the programme, the date the document was made (``portal.core.clock``) and the page
number.
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
PADDING = 1.5  # mm around the text of a table cell
INDENT = 4  # mm per level of a sub-row in ``grid``
EMPTY = "–"


class FormPdf(FPDF):
    """An A4 document with a title, sections of label/value rows or tables and a footer."""

    def __init__(
        self, title: str, programme: str, locale: str = "de", margin: float = MARGIN
    ) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc_title = title
        self.programme = programme
        self.made_on = format_date(clock.today(), "dd.MM.yyyy", locale=locale)
        self.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_creator(programme)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.set_margins(margin, margin, margin)
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

    def note(self, text: str, size: float = 7.5) -> None:
        """Small print under a table: its definition or a remark."""
        self.set_font(FAMILY, "", size)
        self.multi_cell(0, size * 0.45, text, new_x="LMARGIN", new_y="NEXT", align="L")
        self.ln(1)

    def tick_box(self, text: str) -> None:
        """An empty square to tick by hand, ``text`` wrapping beside it."""
        box = 4
        self.keep_with_next(12)
        self.set_font(FAMILY, "", SIZE)
        x, y = self.l_margin, self.get_y()
        self.rect(x, y + 0.5, box, box)
        self.set_x(x + box + 3)
        self.multi_cell(0, SIZE / 2, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def blank_lines(self, labels: Sequence[str], gap: float = 9) -> None:
        """A line to write on by hand above each of ``labels`` (names, place and date,
        signatures), kept together on one page."""
        self.keep_with_next(len(labels) * (gap + 4))
        for label in labels:
            self.ln(gap)
            y = self.get_y()
            self.line(self.l_margin, y, self.l_margin + self.epw, y)
            self.set_font(FAMILY, "", 8)
            self.cell(0, 4, label, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def keep_with_next(self, height: float) -> None:
        """A new page unless ``height`` mm (a heading and the first lines under it) still fit."""
        if self.will_page_break(height):
            self.add_page()

    def grid(
        self,
        headings: Sequence[str],
        rows: Iterable[tuple[Sequence[str], int]],
        size: float = 8,
    ) -> None:
        """A table of figures: ``headings`` (the first names the text column), ``rows`` of
        (cells, level): the first cell text (indented by its level), the others right-aligned.
        Headings and cells wrap inside their cells; the heading row repeats on every page."""
        rows = [(list(cells), level) for cells, level in rows]
        self.set_font(FAMILY, "", size)
        widths = fitted_widths(self, list(headings), [cells for cells, _level in rows], size)
        bold = FontFace(emphasis="BOLD", fill_color=(232, 232, 232))
        aligns = ("LEFT",) + ("RIGHT",) * (len(headings) - 1)
        with self.table(
            col_widths=widths,
            width=min(sum(widths), self.epw),
            align="LEFT",
            v_align="TOP",
            line_height=size * 0.5,
            padding=PADDING,
            text_align=aligns,
            headings_style=bold,
            repeat_headings=1,
        ) as table:
            heading = table.row()
            for index, text in enumerate(headings):
                heading.cell(text, align="LEFT" if index == 0 else "RIGHT")
            for cells, level in rows:
                row = table.row()
                for index, text in enumerate(cells):
                    if index == 0 and level:
                        indented = (PADDING, PADDING, PADDING, PADDING + INDENT * level)
                        row.cell(text, padding=indented)
                    else:
                        row.cell(text)
        self.ln(1.5)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def fitted_widths(
    pdf: FPDF, headings: list[str], rows: list[list[str]], size: float
) -> list[float]:
    """Column widths (mm) that fit the content into the page's width: the text column as wide
    as its longest line needs, up to 45 % of the width; the number columns share the rest
    equally, each at least as wide as its longest word (headings in bold), so that words are
    broken only when even those do not fit."""
    available = pdf.epw
    extra = 2 * PADDING
    least, most = [], []
    for index, heading in enumerate(headings):
        indent = INDENT if index == 0 else 0
        pdf.set_font(FAMILY, "B", size)
        words = [pdf.get_string_width(w) for w in heading.split()] or [0.0]
        whole = [pdf.get_string_width(heading)]
        pdf.set_font(FAMILY, "", size)
        for cells in rows:
            text = cells[index] if index < len(cells) else ""
            words += [pdf.get_string_width(w) + indent for w in text.split()]
            whole.append(pdf.get_string_width(text) + indent)
        least.append(max(words) + extra)
        most.append(max(whole) + extra)
    if sum(least) >= available:
        return [w * available / sum(least) for w in least]
    text = max(least[0], min(most[0], 0.45 * available))
    numbers = _share(available - text, least[1:])
    if numbers is None:  # the number columns need more: the text column gives way
        text = available - sum(least[1:])
        numbers = least[1:]
    return [text, *numbers]


def _share(room: float, least: list[float]) -> list[float] | None:
    """``room`` shared equally, a column that needs more getting its least; None if it
    cannot be done."""
    if not least:
        return []
    if sum(least) > room:
        return None
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(least)) if i not in fixed]
        share = (room - sum(fixed.values())) / len(free)
        wider = [i for i in free if least[i] > share]
        if not wider:
            return [fixed.get(i, share) for i in range(len(least))]
        fixed |= {i: least[i] for i in wider}
