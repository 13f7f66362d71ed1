"""The shared PDF base: ``fitted_widths`` lays a table into the page's width, each column at
least as wide as its longest word while they fit, and ``grid`` draws it with every text in it."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from portal.core.pdf import FAMILY, PADDING, FormPdf, fitted_widths


@pytest.fixture
def doc(app):
    return FormPdf(title="Kennzahlen", programme="Endlich ein ZUHAUSE", margin=15)


def longest_word(doc, texts, style="") -> float:
    doc.set_font(FAMILY, style, 8)
    return max(doc.get_string_width(w) for t in texts for w in t.split()) + 2 * PADDING


def test_widths_fill_the_page_and_hold_the_longest_words(doc):
    headings = ["Kennzahl", "Alle", "Geflüchtete in Gemeinschaftsunterkünften", "Sonstiges"]
    rows = [["Vermittelte Haushalte (Mietvertrag unterschrieben)", "1.234", "< 3", "x"]]
    widths = fitted_widths(doc, headings, rows, 8)
    assert sum(widths) == pytest.approx(doc.epw)
    assert widths[2] >= longest_word(doc, [headings[2]], "B")  # "Gemeinschaftsunterkünften"
    assert widths[1] == pytest.approx(widths[3])  # the number columns share the rest equally
    assert widths[0] <= 0.45 * doc.epw + 1e-6


def test_short_tables_give_the_text_column_what_it_needs(doc):
    widths = fitted_widths(doc, ["Figure", "All"], [["Households", "3"]], 8)
    assert sum(widths) == pytest.approx(doc.epw)
    assert widths[0] >= longest_word(doc, ["Households"])


def test_too_many_columns_are_scaled_into_the_page(doc):
    headings = ["Kennzahl"] + [f"Überschriftsungetüm{i}" for i in range(12)]
    widths = fitted_widths(doc, headings, [["x"] * 13], 8)
    assert sum(widths) == pytest.approx(doc.epw)


def test_grid_prints_every_text(doc):
    doc.grid(
        ["Kennzahl", "Alle", "Miete in €"],
        [(["Wohnfläche in m²", "65", "1.234"], 0), (["davon Łódź", "< 3", "x"], 1)],
    )
    text = PdfReader(io.BytesIO(doc.output_bytes())).pages[0].extract_text()
    for word in ("Kennzahl", "Miete in €", "Wohnfläche in m²", "65", "1.234", "davon Łódź"):
        assert word in text
