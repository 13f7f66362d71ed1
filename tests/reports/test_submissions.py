"""Submitted reports (issue 17): frozen as sent, byte for byte after the data change, the
difference against now, versions with a reason, immutability, rights, audit and languages."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.core.audit import AuditEvent
from portal.core.refusals import Refused
from portal.extensions import db
from portal.reports import exports, figures, frozen, report, submissions
from portal.reports.models import SubmittedReport
from portal.reports.periods import Period
from portal.reports.tables import Table, count, rate
from portal.sites.models import DEFAULT_SITE_ID, Site
from tests.factories import HouseholdFactory, StaffFactory

Q2 = Period(date(2026, 4, 1), date(2026, 6, 30))
Q2_ARGS = {"preset": "custom", "start": "2026-04-01", "end": "2026-06-30"}
SUBMIT = "/backoffice/reports/submit"
LIST = "/backoffice/reports/submissions"


def page(submission) -> str:
    return f"/backoffice/reports/submissions/{submission.id}"


@pytest.fixture
def q2_households():
    """Three households of three persons taken in during Q2: figures big enough to be shown."""
    for day in (date(2026, 4, 10), date(2026, 5, 10), date(2026, 6, 10)):
        HouseholdFactory(target_group="refugee_shared_accommodation", intake_on=day)
    db.session.flush()


def submissions_count() -> int:
    return db.session.scalar(select(func.count(SubmittedReport.id)))


def cell_text(tables, key, row, column) -> str:
    table = next(t for t in tables if t.key == key)
    return exports.german(table.rows[table.index(row)].cells[column].value, "count")


def test_the_tables_survive_json_unchanged(english, history):
    tables = report.build(Q2, figures.PROGRAMME, date(2026, 7, 15)).exported
    stored = json.loads(json.dumps(frozen.dump(tables)))
    assert frozen.load(stored) == tables
    hidden = [c.hidden for t in frozen.load(stored) for r in t.rows for c in r.cells.values()]
    assert "low" in hidden  # the marks travel with the cells


def test_a_frozen_report_stays_byte_identical_after_the_data_change(
    client, auth, q2_households, english
):
    admin = auth.login("admin")
    response = auth.post(
        f"{SUBMIT}?{'&'.join(f'{k}={v}' for k, v in Q2_ARGS.items())}",
        {"recipient": "MAGS Zwischenbericht"},
    )
    assert response.status_code == 302
    submitted = db.session.scalar(select(SubmittedReport))
    assert (submitted.version, submitted.recipient) == (1, "MAGS Zwischenbericht")
    assert submitted.submitted_by_id == admin.id and submitted.locale == "de"
    pdf, csv, stored = submitted.pdf, submitted.csv, json.dumps(submitted.figures)
    assert pdf.startswith(b"%PDF") and b"Aufnahmen" in csv  # made in German
    assert cell_text(frozen.load(submitted.figures), "intakes", "households", "all") == "3"

    # A fourth household of 1 adult and 2 children is taken in during Q2 after submitting.
    HouseholdFactory(
        target_group="refugee_shared_accommodation",
        intake_on=date(2026, 6, 20),
        children=2,
        adults=1,
    )
    db.session.commit()
    db.session.expire_all()

    again = db.session.get(SubmittedReport, submitted.id)
    assert (again.pdf, again.csv, json.dumps(again.figures)) == (pdf, csv, stored)
    for kind, sent in (("pdf", pdf), ("csv", csv)):
        download = client.get(f"{page(submitted)}/report.{kind}")
        assert download.status_code == 200 and download.data == sent
    now = client.get("/backoffice/reports/export.csv", query_string=Q2_ARGS).data
    assert now != csv  # the report itself moved on

    html = client.get(page(submitted)).get_data(as_text=True)
    assert "3 participants added since submission" in html
    assert "1 household added since submission" in html
    assert "Intakes: Households taken in (All)" in html
    cells = re.sub(r"\s+", " ", html)
    assert '<td class="num">3</td> <td class="num">4</td> <td class="num">+1</td>' in cells
    # The frozen figures are read from the stored cells: "Aufnahmen" as sent, 3 households.
    assert "Aufnahmen" in html
    events = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "submitted_reports")
    ).all()
    assert events.count("report.submitted") == 1
    assert events.count("report.submission_downloaded") == 2


def test_the_difference_lists_each_changed_cell_with_its_change(english, q2_households):
    admin = StaffFactory(role="admin")
    submitted = submissions.submit(Q2, "MAGS", admin, today=date(2026, 7, 15))
    assert submissions.difference(submitted, date(2026, 7, 15)).summary == (
        "No figure has changed since submission."
    )
    HouseholdFactory(target_group="refugee_shared_accommodation", intake_on=date(2026, 5, 1))
    db.session.flush()
    difference = submissions.difference(submitted, date(2026, 7, 15))
    persons = next(
        c
        for c in difference.changes
        if c.table == "Intakes" and c.row == "Persons taken in" and c.column == "All"
    )
    assert (persons.then, persons.now, persons.signed) == ("9", "12", "+3")
    assert difference.summary.startswith(
        "3 participants added since submission; 1 household added since submission; "
    )


def test_no_difference_is_told_in_numbers_where_a_cell_was_withheld(english):
    admin = StaffFactory(role="admin")
    HouseholdFactory(target_group="refugee_shared_accommodation", intake_on=date(2026, 4, 10))
    db.session.flush()
    submitted = submissions.submit(Q2, "MAGS", admin, today=date(2026, 7, 15))
    for day in (date(2026, 4, 11), date(2026, 4, 12), date(2026, 4, 13)):
        HouseholdFactory(target_group="refugee_shared_accommodation", intake_on=day)
    db.session.flush()
    difference = submissions.difference(submitted, date(2026, 7, 15))
    households = next(
        c
        for c in difference.changes
        if c.table == "Intakes" and c.row == "Households taken in" and c.column == "All"
    )
    assert (households.then, households.now, households.signed) == ("< 3", "4", "")
    assert "household" not in difference.summary  # "< 3" to 4 would tell the small number


def test_a_second_version_needs_a_reason(english, q2_households):
    admin = StaffFactory(role="admin")
    first = submissions.submit(Q2, "MAGS", admin)
    with pytest.raises(Refused) as refused:
        submissions.submit(Q2, "MAGS", admin)
    assert refused.value.code == "reason_required"
    with pytest.raises(Refused):
        submissions.submit(Q2, "MAGS", admin, reason="   ")
    second = submissions.submit(Q2, "MAGS", admin, reason="correction: an intake date was wrong")
    assert (first.version, second.version) == (1, 2)
    assert second.reason == "correction: an intake date was wrong"
    assert [s.version for s in submissions.submissions(Q2)] == [2, 1]
    # Another period starts at version 1 again.
    other = submissions.submit(Period(date(2026, 1, 1), date(2026, 3, 31)), "MAGS", admin)
    assert other.version == 1


def test_the_page_asks_for_the_reason_and_keeps_what_was_typed(client, auth, q2_households):
    auth.login("specialist")
    path = SUBMIT + "?preset=custom&start=2026-04-01&end=2026-06-30"
    assert auth.post(path, {"recipient": "MAGS"}).status_code == 302
    response = auth.post(path, {"recipient": "MAGS Korrektur"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This period was submitted before: please say what this version corrects." in html
    assert 'value="MAGS Korrektur"' in html
    assert submissions_count() == 1
    response = auth.post(path, {"recipient": "MAGS Korrektur", "reason": "correction: typo"})
    assert response.status_code == 302
    assert submissions_count() == 2


def test_a_submission_needs_a_recipient(client, auth, english):
    auth.login("admin")
    html = auth.post(SUBMIT, {"recipient": "  "}).get_data(as_text=True)
    assert "Please name where the report is sent." in html
    assert submissions_count() == 0
    with pytest.raises(Refused) as refused:
        submissions.submit(Q2, "", StaffFactory(role="admin"))
    assert refused.value.code == "recipient_missing"


def test_a_period_that_is_not_valid_is_refused(client, auth):
    auth.login("admin")
    bad = "?preset=custom&start=2026-06-30&end=2026-04-01"
    assert auth.post(SUBMIT + bad, {"recipient": "MAGS"}).status_code == 400
    assert submissions_count() == 0


def test_the_own_caseload_is_never_submitted(client, auth):
    auth.login("specialist")
    page_html = client.get("/backoffice/reports/", query_string={"scope": "own"}).get_data(
        as_text=True
    )
    assert "Submit this report" not in page_html
    auth.post(SUBMIT + "?scope=own", {"recipient": "MAGS"})
    assert submissions_count() == 0


def test_a_submission_cannot_be_edited(english, q2_households):
    admin = StaffFactory(role="admin")
    submitted = submissions.submit(Q2, "MAGS", admin)
    with pytest.raises(Refused) as refused:
        submissions.edit(submitted, admin, recipient="Stadt")
    assert refused.value.code == "submission_frozen"
    submitted.recipient = "Stadt"
    with pytest.raises(Refused):
        db.session.flush()
    db.session.rollback()


def test_social_workers_read_submissions_but_do_not_submit(client, auth, english):
    submitted = submissions.submit(Q2, "MAGS", StaffFactory(role="admin"))
    db.session.commit()
    auth.login("social_worker")
    assert client.get(LIST).status_code == 200
    assert client.get(page(submitted)).status_code == 200
    assert "Submit this report" not in client.get("/backoffice/reports/").get_data(as_text=True)
    assert auth.post(SUBMIT, {"recipient": "MAGS"}).status_code == 403
    with pytest.raises(Refused):
        submissions.submit(Q2, "MAGS", StaffFactory(role="social_worker"), reason="x")


def test_landlords_and_visitors_are_kept_out(client, auth, english):
    submitted = submissions.submit(Q2, "MAGS", StaffFactory(role="admin"))
    db.session.commit()
    paths = [LIST, page(submitted)] + [f"{page(submitted)}/report.{k}" for k in ("pdf", "csv")]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    auth.login("landlord")
    for path in paths:
        assert client.get(path).status_code == 403
    assert auth.post(SUBMIT, {"recipient": "MAGS"}).status_code == 403
    assert submissions_count() == 1


def test_an_unknown_submission_is_404(client, auth):
    auth.login("admin")
    assert client.get("/backoffice/reports/submissions/999999").status_code == 404


def test_the_pages_speak_german_and_english(client, auth, english):
    submitted = submissions.submit(Q2, "MAGS", StaffFactory(role="admin"))
    db.session.commit()
    auth.login(StaffFactory(role="admin", locale="de"))
    report_page = client.get("/backoffice/reports/").get_data(as_text=True)
    assert "Diesen Bericht einreichen" in report_page
    html = client.get(page(submitted)).get_data(as_text=True)
    assert "Änderungen seit der Einreichung" in html
    assert "Seit der Einreichung hat sich keine Zahl geändert." in html
    assert "Eingereichte Berichte" in client.get(LIST).get_data(as_text=True)
    auth.logout()
    auth.login(StaffFactory(role="admin", locale="en"))
    assert "Submit this report" in client.get("/backoffice/reports/").get_data(as_text=True)
    html = client.get(page(submitted)).get_data(as_text=True)
    assert "Changes since submission" in html and "MAGS" in html


def test_the_comparison_tells_rows_that_came_and_rates_in_points(english):
    def table(*rows):
        t = Table("t", "Table", "A definition.", [("a", "A")])
        for key, cell in rows:
            t.add(key.title(), {"a": cell}, key=key)
        return t

    then = [table(("x", count(5)), ("r", rate(3, 10)), ("gone", count(7)))]
    now = [table(("x", count(4)), ("r", rate(4, 10)), ("new", count(3)))]
    changes = {c.row: (c.then, c.now, c.signed) for c in frozen.compare(then, now).changes}
    assert changes == {
        "X": ("5", "4", "−1"),
        "R": ("30,0", "40,0", "+10,0"),  # percentage points
        "Gone": ("7", "–", ""),
        "New": ("–", "3", ""),
    }
    hidden = [table(("x", replace(count(2), hidden="low")))]
    assert frozen.compare(hidden, [table(("x", count(5)))]).changes[0].signed == ""


def test_two_submitting_the_same_version_at_once_are_told(english, monkeypatch):
    admin = StaffFactory(role="admin")
    submissions.submit(Q2, "MAGS", admin)
    # The second one read the versions before the first one's row was there.
    monkeypatch.setattr(submissions, "latest_version", lambda *args, **kwargs: 0)
    with pytest.raises(Refused) as refused:
        submissions.submit(Q2, "MAGS", admin)
    assert refused.value.code == "submitted_meanwhile"
    assert submissions_count() == 1


def sent(month: int, recipient: str, site_id: int = DEFAULT_SITE_ID) -> SubmittedReport:
    """A submission of a month of 2026 as stored, without building its report and files."""
    start = date(2026, month, 1)
    submitted = SubmittedReport(
        site_id=site_id,
        period_start=start,
        period_end=date(2026, month, 28),
        period_kind="custom",
        version=1,
        recipient=recipient,
        locale="de",
        as_of=start,
        figures={},
        pdf=b"",
        csv=b"",
        submitted_by_name="Ada Admin",
    )
    db.session.add(submitted)
    db.session.flush()
    return submitted


def test_the_list_comes_a_page_at_a_time(client, auth, monkeypatch):
    """PER_PAGE + 2 submissions: PER_PAGE on the first page (the newest periods), 2 on the
    second, whose link keeps the other query arguments; another site's are not counted."""
    monkeypatch.setattr("portal.core.pagination.PER_PAGE", 3)
    recipients = [sent(month, f"Empfänger {month}").recipient for month in range(1, 6)]
    essen = Site(slug="essen", name="Essen", municipality_key="05113000", code_prefix="E")
    db.session.add(essen)
    db.session.flush()
    sent(6, "Fremder Empfänger", site_id=essen.id)
    auth.login("admin")
    html = client.get(f"{LIST}?from=report").get_data(as_text=True)
    assert [r for r in recipients if r in html] == recipients[2:]
    assert "Page 1 of 2" in html and f'href="{LIST}?from=report&amp;page=2"' in html
    html = client.get(f"{LIST}?from=report&page=2").get_data(as_text=True)
    assert [r for r in recipients if r in html] == recipients[:2]
    assert "Page 2 of 2" in html and "Fremder Empfänger" not in html
    for past in ("999", "abc"):
        assert client.get(f"{LIST}?page={past}").status_code == 200
    html = client.get(f"{LIST}?page=999").get_data(as_text=True)
    assert "No report has been submitted yet." not in html
    assert [r for r in recipients if r in html] == recipients[:2] and "Page 2 of 2" in html
    assert recipients[4] in client.get(f"{LIST}?page=abc").get_data(as_text=True)
