"""The report's PDF: every exported table with its own columns, every heading and cell in it (as
the CSV shows them), nothing cut, headings on every page, the DejaVu font for every character,
and a first page that renders with nothing drawn into the outer margin."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from portal.extensions import db
from portal.mediation.models import MediationCase
from portal.reports import exports, figures, report
from portal.reports.periods import Period
from portal.reports.tables import Cell, Table, display
from tests.reports.conftest import utc

TODAY = date(2026, 11, 25)
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
MM = 72 / 25.4  # points per millimetre


@pytest.fixture(autouse=True)
def _english(english):
    yield


def pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


FOOTER = re.compile(r"Endlich ein ZUHAUSE · \d\d\.\d\d\.\d{4} \d+/\d+ ")


def flat(text: str) -> str:
    """The extracted text with every run of white space as one space, without the footers
    (a text broken by a page goes on after them)."""
    return FOOTER.sub("", re.sub(r"\s+", " ", text + " "))


def slices(text: str, tables: list[Table]) -> dict[str, str]:
    """Each table's part of the text: from its title to the next table's title."""
    starts, at = [], 0
    for table in tables:
        at = text.index(flat(table.title), at)
        starts.append(at)
        at += len(table.title)
    ends = starts[1:] + [len(text)]
    return {t.key: text[a:b] for t, a, b in zip(tables, starts, ends, strict=True)}


def words(label: str) -> list[str]:
    return label.split()


def test_every_table_prints_its_own_headings_and_cells(app, history):
    # A case on the topic "other" in the year: the key the target group "other" shares.
    db.session.add(
        MediationCase(
            number="M-9",
            sender_kind="tenant",
            topic="other",
            message="…",
            status="in_progress",
            created_at=utc(2026, 9, 1, 10),
        )
    )
    db.session.flush()
    tables = report.build(YEAR, figures.PROGRAMME, TODAY).exported
    data = exports.pdf_for(tables, YEAR, TODAY)
    text = flat(" ".join(pages(data)))
    parts = slices(text, tables)
    assert len(parts) == len(tables) == 13  # the prevention cases included
    for table in tables:
        part = parts[table.key]
        for _key, heading in table.columns:
            assert all(w in part for w in words(heading)), (table.key, heading)
        for row in table.rows:
            assert all(w in part for w in words(row.label)), (table.key, row.label)
            shown = [display(row.cells.get(k), exports.german) for k, _l in table.columns]
            # The row's cells, in the order of the columns, after its label.
            assert flat(" ".join(shown)) in part, (table.key, row.label, shown)
        assert flat(table.definition) in part
    # The mediation table has the topics as columns, the target groups are not among them...
    mediation = parts["mediation"]
    for topic in ("Rent arrears", "Something else"):
        assert topic in mediation
        assert topic not in parts["intakes"]
    assert "Refugees" not in mediation
    # ... and the topic "other" (1 case: "< 3") stands in the mediation table only.
    opened = next(r for r in report.build(YEAR, figures.PROGRAMME, TODAY).table("mediation").rows)
    assert opened.cells["other"].value == 1
    assert opened.cells["other"].hidden


def test_the_same_cells_as_the_csv(client, auth, history):
    """The page's PDF and CSV show the same marks ("< 3", "x") for each table."""
    auth.login("specialist")
    q = {"preset": "custom", "start": "2026-04-01", "end": "2026-06-30"}
    csv = client.get("/backoffice/reports/export.csv", query_string=q).get_data(as_text=True)
    response = client.get("/backoffice/reports/summary.pdf", query_string=q)
    assert response.mimetype == "application/pdf"
    text = flat(" ".join(pages(response.get_data())))
    built = report.build(Period(date(2026, 4, 1), date(2026, 6, 30)), figures.PROGRAMME, TODAY)
    parts = slices(text, built.exported)
    lines = csv.split("\r\n")
    for table in built.exported:
        title = lines.index(";".join([table.title] + [label for _k, label in table.columns]))
        for offset, _row in enumerate(table.rows, start=1):
            cells = lines[title + offset].split(";")[1:]
            assert " ".join(cells) in parts[table.key]


def test_long_labels_wrap_and_nothing_is_cut(app):
    label = (
        "Households with a lease that was signed in the period after a viewing, the "
        "unterschriebene Mietvertrag, and the Wohnberechtigungsschein checked"
    )
    assert len(label) > 100
    table = Table(
        "wide",
        "Wide table with long headings",
        "Definition: 65 m² for 1.234 € a month, Łukasz Müller-Lüdenscheidt, Ørsted, Çelik.",
        [("all", "All")] + [(f"c{i}", f"Column heading number {i} that is long") for i in range(6)],
    )
    table.add(label, {"all": Cell(123456)} | {f"c{i}": Cell(i * 1000) for i in range(6)})
    table.add("of which €", {"all": Cell(5, hidden="low")}, level=1)
    data = exports.pdf_for([table], YEAR, TODAY)
    text = flat(pages(data)[0])
    assert all(w in text for w in words(label))
    assert "unterschri…" not in text and "unterschriebene" in text
    for i in range(6):
        assert f"number {i}" in text
    assert "123.456 0 1.000 2.000 3.000 4.000 5.000" in text
    assert "of which € < 3" in text
    assert "65 m² for 1.234 €" in text
    assert "Łukasz Müller-Lüdenscheidt, Ørsted, Çelik" in text
    assert "Endlich ein ZUHAUSE – programme figures" in text


def test_headings_repeat_on_every_page(app):
    table = Table("long", "A long table", "Many rows.", [("all", "All"), ("b", "Second column")])
    for i in range(150):
        table.add(f"Row {i}", {"all": Cell(i), "b": Cell(i + 1)})
    found = pages(exports.pdf_for([table], YEAR, TODAY))
    assert len(found) >= 3
    for page in found:
        assert "Figure" in page and "Second column" in page
    text = flat(" ".join(found))
    assert all(f"Row {i} " in text for i in range(150))


def render(data: bytes):
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        width, height = page.get_size()  # points
        image = page.render(scale=2).to_pil().convert("L")
    finally:
        document.close()
    return image, width


def dark(image, box) -> int:
    """How many pixels in ``box`` are not white."""
    return sum(image.crop(box).histogram()[:200])


@pytest.mark.parametrize("wide", [False, True], ids=["report", "wide-table"])
def test_page_one_renders_with_a_clear_margin(app, history, wide):
    if wide:
        table = Table(
            "wide",
            "Wide",
            "x",
            [("all", "All")]
            + [(f"c{i}", f"Überschrift Nummer {i} Zielgruppe Unterbringung") for i in range(8)],
        )
        table.add("Mietvertrag unterschrieben " * 6, {"all": Cell(9_999_999)})
        tables = [table]
    else:
        tables = report.build(YEAR, figures.PROGRAMME, TODAY).exported
    image, width = render(exports.pdf_for(tables, YEAR, TODAY))
    w, h = image.size
    px = w / width * MM  # pixels per millimetre
    band = int(10 * px)  # the margins are 15 mm; nothing may reach the outer 10 mm
    assert dark(image, (band, band, w - band, h - band)) > 2000  # not blank
    for box in (
        (0, 0, w, band),
        (0, h - band, w, h),
        (0, 0, band, h),
        (w - band, 0, w, h),
    ):
        assert dark(image, box) == 0, box
