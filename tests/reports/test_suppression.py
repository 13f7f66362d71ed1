"""Complementary suppression (issue 13, item 11): no withheld cell of a report can be worked out
from the published ones. An attacker here knows every published cell, reads "< 3" as 0 to 2
and "x" as 3 or more, and knows every equation that ties the cells (the "All" columns, the rows
that add up, the same figure in two tables, the chart's months adding up to the period). For
every withheld count the test shows (1) that the linear system of the published equations
leaves it undetermined (exact rational elimination, its own code, not the module's) and (2)
that at least two whole-number completions, within every bound, agree with everything
published (a search over all hidden cells together, so bounds combined across lines count).

Also: the page, the chart, the CSV and the PDF show the same cells; the own-caseload view
scopes the flats and landlords (item 12); no file contains the overdue list (item 13)."""

from __future__ import annotations

import io
from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.extensions import db
from portal.households.models import Household
from portal.placements.models import Placement
from portal.reports import charts, exports, figures, report, suppression
from portal.reports.periods import Period
from portal.reports.tables import HIGH, LOW, SUPPRESSED, WITHHELD, Cell, Table, display
from tests.factories import FlatFactory, HouseholdFactory, OrganisationFactory, StaffFactory
from tests.security.conftest import STATS

TODAY = date(2026, 11, 25)
Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))
Q2 = Period(date(2026, 4, 1), date(2026, 6, 30))
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
MAY = Period(date(2026, 5, 1), date(2026, 5, 31))
REF, HOME, OTHER, ALL = (
    "refugee_shared_accommodation",
    "homeless_municipal_shelter",
    "other",
    "all",
)
FMT = lambda value, kind: str(value)  # noqa: E731


@pytest.fixture(autouse=True)
def _english(english):
    yield


def more_leases(*rows):
    """Households of ``group`` each with a lease on ``day`` (and the key handover a week on)."""
    org = OrganisationFactory()
    for group, day in rows:
        household = HouseholdFactory(
            target_group=group, adults=1, children=1, intake_on=date(2026, 1, 2), status="housed"
        )
        flat = FlatFactory(organisation=org, status="let", published_at=None)
        db.session.add(
            Placement(
                flat_id=flat.id,
                household_id=household.id,
                origin="specialist",
                state="moved_in",
                lease_signed_on=day,
                keys_handed_over_on=day.replace(day=min(day.day + 7, 28)),
            )
        )
    db.session.flush()


# The attacker --------------------------------------------------------------------------------


def published(tables: list[Table]):
    """Each count cell: its value when shown, else its bounds from the mark; the true values."""
    known, bounds, truth = {}, {}, {}
    for table in tables:
        if table.listing:
            continue
        for i, row in enumerate(table.rows):
            for column, cell in row.cells.items():
                if cell.kind != "count":
                    continue
                ref = (table.key, i, column)
                truth[ref] = int(cell.value or 0)
                if not cell.hidden:
                    known[ref] = truth[ref]
                else:
                    bounds[ref] = (0, 2) if cell.hidden == LOW else (3, None)
    # "3 or more" has no upper end; twice the largest figure is far enough (and an attacker
    # who knows that bound knows more than the real one).
    cap = 2 * max(truth.values()) + 3
    bounds = {ref: (lo, cap if hi is None else hi) for ref, (lo, hi) in bounds.items()}
    return known, bounds, truth


def rank(rows: list[list[Fraction]]) -> int:
    rows = [list(r) for r in rows if any(r)]
    found = 0
    width = len(rows[0]) if rows else 0
    for column in range(width):
        pivot = next((r for r in range(found, len(rows)) if rows[r][column]), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for r in range(len(rows)):
            if r != found and rows[r][column]:
                factor = rows[r][column] / rows[found][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[found], strict=True)]
        found += 1
    return found


def linearly_determined(lines, unknown) -> list:
    """Hidden cells whose value follows from the equations alone: those whose column is not
    in the span of the other columns (deleting it lowers the rank)."""
    matrix = [[Fraction(line.get(ref, 0)) for ref in unknown] for line in lines]
    full = rank(matrix)
    return [
        ref
        for j, ref in enumerate(unknown)
        if rank([row[:j] + row[j + 1 :] for row in matrix]) < full
    ]


def propagate(lines, domains, known) -> dict | None:
    """Narrow the hidden cells' ranges by every equation until nothing changes; None when the
    equations cannot hold."""
    domains = dict(domains)
    changed = True
    while changed:
        changed = False
        for line in lines:
            constant = sum(c * known[ref] for ref, c in line.items() if ref in known)
            hidden = [ref for ref in line if ref not in known]
            for ref in hidden:
                low = high = -constant
                for other in hidden:
                    if other != ref:
                        c, (lo, hi) = line[other], domains[other]
                        low -= c * hi if c > 0 else c * lo
                        high -= c * lo if c > 0 else c * hi
                if line[ref] < 0:
                    low, high = -high, -low
                lo, hi = domains[ref]
                new = (max(lo, low), min(hi, high))
                if new[0] > new[1]:
                    return None
                if new != (lo, hi):
                    domains[ref], changed = new, True
    return domains


def completion(lines, domains, known) -> dict | None:
    """Any whole-number values of the hidden cells within their ranges that satisfy every
    equation, or None."""
    domains = propagate(lines, domains, known)
    if domains is None:
        return None
    open_ = [ref for ref, (lo, hi) in domains.items() if lo < hi]
    if not open_:
        values = {ref: lo for ref, (lo, _hi) in domains.items()}
        every = known | values
        ok = all(sum(c * every[ref] for ref, c in line.items()) == 0 for line in lines)
        return values if ok else None
    ref = min(open_, key=lambda r: domains[r][1] - domains[r][0])
    lo, hi = domains[ref]
    if hi - lo > 4:
        parts = [(lo, (lo + hi) // 2), ((lo + hi) // 2 + 1, hi)]
    else:
        parts = [(v, v) for v in range(lo, hi + 1)]
    for part in parts:
        found = completion(lines, domains | {ref: part}, known)
        if found is not None:
            return found
    return None


def recoverable(tables: list[Table]) -> list:
    """The withheld counts an attacker can pin down; the empty list is the proof."""
    known, bounds, truth = published(tables)
    lines = [
        line
        for line in suppression.equations([t for t in tables if not t.listing])
        if all(ref in truth for ref in line)
    ]
    for line in lines:  # the equations are facts about the figures
        assert sum(c * truth[ref] for ref, c in line.items()) == 0, line
    unknown = sorted(bounds)
    leaks = linearly_determined(lines, unknown)
    for group in components(lines, bounds):  # cells tied by no line are searched apart
        relevant = [line for line in lines if any(ref in group for ref in line)]
        domains = {ref: bounds[ref] for ref in group}
        first = completion(relevant, domains, known)
        assert first is not None  # the truth is one
        seen = {ref: {value} for ref, value in first.items()}
        for ref in sorted(group):
            lo, hi = domains[ref]
            value = first[ref]
            for a, b in ((lo, value - 1), (value + 1, hi)):
                found = completion(relevant, domains | {ref: (a, b)}, known) if a <= b else None
                if found is not None:
                    for other, v in found.items():
                        seen[other].add(v)
                    break
            if len(seen[ref]) < 2:
                leaks.append(ref)
    return leaks


def components(lines, bounds) -> list[set]:
    parent = {ref: ref for ref in bounds}

    def root(ref):
        while parent[ref] != ref:
            ref = parent[ref]
        return ref

    for line in lines:
        hidden = [ref for ref in line if ref in bounds]
        for ref in hidden[1:]:
            parent[root(ref)] = root(hidden[0])
    groups: dict = {}
    for ref in bounds:
        groups.setdefault(root(ref), set()).add(ref)
    return list(groups.values())


def hidden_cells(tables):
    return [
        (t.key, r.label, column)
        for t in tables
        for r in t.rows
        for column, cell in r.cells.items()
        if cell.hidden
    ]


# Item 11 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", [Q1, Q2, YEAR, MAY], ids=["Q1", "Q2", "year", "May"])
def test_no_withheld_cell_can_be_recomputed_from_the_published_ones(history, period):
    more_leases((HOME, date(2026, 5, 4)), (HOME, date(2026, 5, 12)), (HOME, date(2026, 5, 20)))
    more_leases((OTHER, date(2026, 2, 3)), (REF, date(2026, 5, 6)), (REF, date(2026, 6, 9)))
    tables = figures.all_tables(period, figures.PROGRAMME, TODAY)
    # The leases above are of flats never published: the line "leased without publication".
    unpublished = next(t for t in tables if t.key == "flats").rows[3]
    assert unpublished.key == "unpublished" and unpublished.cells[ALL].value
    protected = suppression.protect(tables + charts.data_tables(period, figures.PROGRAMME))
    assert hidden_cells(protected)  # there is something to protect
    assert recoverable(protected) == []
    STATS["report cells withheld, none recomputed"] += len(hidden_cells(protected))


def test_without_the_complementary_cells_the_attack_works(history):
    """The same attacker recovers cells from primary suppression alone (the old reports)."""
    tables = figures.all_tables(YEAR, figures.PROGRAMME, TODAY)
    primary_only = [
        Table(
            t.key,
            t.title,
            t.definition,
            t.columns,
            [
                type(r)(
                    r.label,
                    {
                        k: Cell(c.value, c.kind, c.base, c.numerator, LOW if c.is_small else None)
                        for k, c in r.cells.items()
                    },
                    r.level,
                    r.key,
                )
                for r in t.rows
            ],
            total=t.total,
            sums=t.sums,
            rates=t.rates,
            links=t.links,
            listing=t.listing,
        )
        for t in tables
    ]
    assert recoverable(primary_only)


def test_a_line_with_one_small_cell_gets_a_second_one():
    table = Table("t", "T", "", [(ALL, "All"), ("a", "A"), ("b", "B"), ("c", "C")], total=ALL)
    table.add("row", {ALL: Cell(10), "a": Cell(1), "b": Cell(4), "c": Cell(5)})
    table.add("total 2", {ALL: Cell(2), "a": Cell(1), "b": Cell(1), "c": Cell(0)})
    (done,) = suppression.protect([table])
    first, second = ([c.hidden for c in r.cells.values()] for r in done.rows)
    assert first == [None, LOW, HIGH, None]  # the smallest other non-zero cell: 4, shown as x
    assert display(done.rows[0].cells["b"], FMT) == WITHHELD
    # 2 = 1 + 1 + 0 would give both ones away: the 0 is withheld as "< 3" (true of it).
    assert second == [LOW, LOW, LOW, LOW]
    assert recoverable([done]) == []


def _one_line(a: int, b: int, c: int, total: str | None = ALL) -> Table:
    table = Table("t", "T", "", [(ALL, "All"), ("a", "A"), ("b", "B"), ("c", "C")], total=total)
    table.add("row", {ALL: Cell(a + b + c), "a": Cell(a), "b": Cell(b), "c": Cell(c)})
    return table


def test_the_same_figures_are_searched_once(monkeypatch):
    """Issue 18: the answer of the same figures is remembered (the page, its chart images, the
    CSV and the PDF each protect the same report); other figures or other lines are searched
    anew, never answered from the memory."""
    first = suppression.protect([_one_line(1, 4, 5)])
    searched = []
    monkeypatch.setattr(
        suppression.System, "complete", lambda self, hidden: searched.append(1) or hidden
    )
    again = suppression.protect([_one_line(1, 4, 5)])
    assert searched == []
    assert (
        [c.hidden for c in again[0].rows[0].cells.values()]
        == [c.hidden for c in first[0].rows[0].cells.values()]
        == [None, LOW, HIGH, None]
    )
    suppression.protect([_one_line(1, 5, 4)])  # another number
    suppression.protect([_one_line(1, 4, 5, total=None)])  # the same numbers, other lines
    suppression.protect([_one_line(1, 4, 5)], withheld={("t", 0, "c"): HIGH})
    assert searched == [1, 1, 1]


def test_a_remembered_answer_is_a_copy():
    (done,) = suppression.protect([_one_line(2, 3, 6)])
    done.rows[0].cells.clear()
    (again,) = suppression.protect([_one_line(2, 3, 6)])
    assert [c.hidden for c in again.rows[0].cells.values()] == [None, LOW, HIGH, None]


def test_rows_that_add_up_and_rates_are_protected_too():
    table = Table(
        "t",
        "T",
        "",
        [(ALL, "All"), ("a", "A"), ("b", "B")],
        total=ALL,
        sums=[("persons", ("adults", "children"))],
        rates=[("rate", "adults", "persons")],
    )
    table.add("persons", {ALL: Cell(9), "a": Cell(4), "b": Cell(5)}, key="persons")
    table.add("adults", {ALL: Cell(6), "a": Cell(2), "b": Cell(4)}, key="adults")
    table.add("children", {ALL: Cell(3), "a": Cell(2), "b": Cell(1)}, key="children")
    table.add(
        "rate",
        {
            k: Cell(Fraction(a, p), "rate", p, a)
            for k, a, p in ((ALL, 6, 9), ("a", 2, 4), ("b", 4, 5))
        },
        key="rate",
    )
    (done,) = suppression.protect([table])
    assert recoverable([done]) == []
    rates = done.rows[3].cells
    assert rates["a"].hidden and rates["b"].hidden  # from a rate and its base the count follows


def test_the_page_the_chart_the_csv_and_the_pdf_show_the_same_cells(client, auth, history):
    """A month withheld in the chart's table is a gap in the drawing, and a group's months
    cannot be subtracted from the table "Placements": 3 homeless households placed in May,
    1 in June; the table shows the quarter's 5 (with H3), so May's 3 is withheld as well."""
    more_leases((HOME, date(2026, 5, 4)), (HOME, date(2026, 5, 12)), (HOME, date(2026, 5, 20)))
    more_leases((HOME, date(2026, 6, 2)))
    built = report.build(Q2, figures.PROGRAMME, clock.today())
    chart = next(c for c in built.charts if c.key == "placements")
    months = {row.key: row.cells[HOME] for row in chart.data.rows}
    assert (months["2026-05"].value, months["2026-06"].value) == (3, 2)
    assert months["2026-06"].hidden == LOW
    placed = built.table("placements").rows[0].cells[HOME]
    assert placed.value == 5
    assert months["2026-05"].hidden or placed.hidden  # else 5 - 3 gives June's 2
    assert recoverable(built.tables + [chart.data]) == []
    for row in chart.data.rows:  # the drawing leaves out what the table withholds
        for cell in row.cells.values():
            assert (charts._drawn(cell) is None) == (cell.value is None or bool(cell.hidden))

    auth.login("specialist")
    q2 = {"preset": "custom", "start": "2026-04-01", "end": "2026-06-30"}
    csv = client.get("/backoffice/reports/export.csv", query_string=q2).get_data(as_text=True)
    lines = csv.split("\r\n")
    for shown in built.exported:  # every exported table, row by row, as the report says
        title = lines.index(";".join([shown.title] + [label for _k, label in shown.columns]))
        for offset, row in enumerate(shown.rows, start=1):
            cells = lines[title + offset].split(";")[1:]
            assert cells == [display(row.cells.get(k), exports.german) for k, _l in shown.columns]
    one = client.get(
        "/backoffice/reports/export.csv", query_string=q2 | {"table": "placements"}
    ).get_data(as_text=True)
    assert [line for line in one.split("\r\n") if line.startswith("Households placed")] == [
        line for line in lines if line.startswith("Households placed")
    ]
    page = client.get("/backoffice/reports/", query_string=q2).get_data(as_text=True)
    assert "x: 3 or more" in page.replace("“", "").replace("”", "")

    from pypdf import PdfReader

    pdf = client.get("/backoffice/reports/summary.pdf", query_string=q2).get_data()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    summary = built.table("placements")
    expected = " ".join(
        display(summary.rows[0].cells[k], exports.german) for k, _l in summary.columns
    )
    assert expected in text


# Item 12 -------------------------------------------------------------------------------------


def test_the_own_caseload_scopes_flats_and_landlords(history):
    """The social worker's caseload: H1 and H4 (entered), H3 (placement led). Its flats are the
    flats with a placement of those households (f1 of a private landlord, f3 of a company);
    its landlords their organisations."""
    own = figures.Scope(history["worker"].id)

    def row(table, index):
        return {k: c.value for k, c in table.rows[index].cells.items()}

    assert row(figures.flats(Q1, today=TODAY), 0) == {ALL: 3, "private": 1, "company": 2}
    assert row(figures.flats(Q1, own, TODAY), 0) == {ALL: 2, "private": 1, "company": 1}
    # Available at the end of Q1: f3 (leased in June), not f1 (leased on 31 March).
    assert row(figures.flats(Q1, own, TODAY), 1) == {ALL: 1, "private": 0, "company": 1}
    assert row(figures.landlords(Q2, today=TODAY), 1) == {ALL: 3, "private": 2, "company": 1}
    assert row(figures.landlords(Q2, own, TODAY), 1) == {ALL: 2, "private": 1, "company": 1}
    median = figures.flats(Q2, own, TODAY).rows[2].cells[ALL]
    assert (median.base, float(median.value)) == (1, 140.0)  # f3's lease only, not f2's


def test_a_worker_who_entered_every_household_sees_only_flats_of_her_placements(
    client, auth, history
):
    worker = StaffFactory(role="social_worker")
    for household in db.session.scalars(select(Household)):
        household.created_by_id = worker.id
    org = OrganisationFactory()
    for _ in range(4):  # flats nobody in the programme was placed in
        FlatFactory(organisation=org, status="published", published_at=history_time())
    db.session.flush()
    own = figures.Scope(worker.id)
    acquired = figures.flats(Q2, own, TODAY).rows[0].cells[ALL].value
    assert acquired == figures.flats(Q2, today=TODAY).rows[0].cells[ALL].value - 4
    auth.login(worker)
    page = client.get(
        "/backoffice/reports/",
        query_string={
            "preset": "custom",
            "start": "2026-04-01",
            "end": "2026-06-30",
            "scope": "own",
        },
    ).get_data(as_text=True)
    flats = page[page.index('id="flats"') : page.index('id="landlords"')]
    assert '<td class="num">6</td>' not in flats  # the programme's 2 + 4 are not hers


def history_time():
    from datetime import UTC, datetime

    return datetime(2026, 5, 5, 9, tzinfo=UTC)


def test_a_table_not_scoped_to_the_caseload_is_suppressed_in_the_own_view():
    scoped = Table("a", "A", "", [("n", "N")])
    scoped.add("row", {"n": Cell(1)})
    other = Table("b", "B", "", [("n", "N")], scoped=False)
    other.add("row", {"n": Cell(1)})
    mine, theirs = suppression.protect([scoped, other], exact=True)
    assert display(mine.rows[0].cells["n"], FMT) == "1"
    assert display(theirs.rows[0].cells["n"], FMT) == SUPPRESSED


# Item 13 -------------------------------------------------------------------------------------


def test_no_file_names_a_household_or_a_specialist(client, auth, app, history, tmp_path):
    from pypdf import PdfReader

    codes = list(db.session.scalars(select(Household.code)))
    name = history["worker"].full_name
    year = {"preset": "custom", "start": "2026-01-01", "end": clock.today().strftime("%Y-12-31")}
    auth.login(history["worker"])
    page = client.get("/backoffice/reports/", query_string=year).get_data(as_text=True)
    assert name in page  # the back-office page keeps the list
    for scope in ({}, {"scope": "own"}):
        csv = client.get("/backoffice/reports/export.csv", query_string=year | scope)
        text = csv.get_data(as_text=True)
        assert "Overdue follow-ups" not in text and name not in text
        assert not any(code in text for code in codes)
    assert (
        client.get(
            "/backoffice/reports/export.csv", query_string=year | {"table": "overdue_follow_ups"}
        ).status_code
        == 404
    )
    pdf = client.get("/backoffice/reports/summary.pdf", query_string=year).get_data()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert name not in text and not any(code in text for code in codes)
    target = tmp_path / "year.csv"
    result = app.test_cli_runner().invoke(
        args=["reports", "export", "--preset", "this_year", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    text = target.read_bytes().decode("utf-8-sig")
    assert name not in text and not any(code in text for code in codes)
