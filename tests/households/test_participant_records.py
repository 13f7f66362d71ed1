"""ESF participant records under Annex I (issue 17): the operation's refusals, the age band
derived from the birth year at entry, completeness (the record's missing fields, the household
list's flag), and that withdrawing the consent keeps the records."""

from __future__ import annotations

from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from portal.core import clock
from portal.core.refusals import Refused
from portal.households import operations as ops
from portal.households.models import Participant, incomplete_participants
from tests.builders import HOUSEHOLDS as BASE
from tests.factories import HouseholdFactory, StaffFactory

INTAKE = date(2026, 3, 15)


def complete(**changes) -> dict:
    """A complete adult record (entered in 2026: 30 to 54)."""
    row = {
        "gender": "female",
        "birth_year": 1990,
        "labour_status": "long_term_unemployed",
        "education": "isced_3_4",
        "disability": "no",
        "third_country": "yes",
        "foreign_background": "yes",
        "minority": "no_answer",
        "homeless": "yes",
        "rural": "no",
    }
    return {**row, **changes}


@pytest.fixture
def worker(db):
    return StaffFactory(role="social_worker")


@pytest.fixture
def household(db):
    return HouseholdFactory(adults=1, children=1, intake_on=INTAKE)


def saved(household) -> list[Participant]:
    return sorted(household.participants, key=lambda p: p.position)


def test_a_complete_record_is_stored_with_the_band_derived_at_entry(db, worker, household):
    child = complete(birth_year=2015, labour_status="inactive", education="none")
    assert ops.save_participants(household, worker, [complete(), child])
    adult, kid = saved(household)
    assert (adult.birth_year, adult.age_band) == (1990, "30_54")
    assert (kid.birth_year, kid.age_band) == (2015, "under_18")
    assert adult.missing_entry_fields() == [] and adult.is_complete
    assert incomplete_participants(household) == 0
    # The band is the age at intake, not today: born 2008, 17 at an intake in 2025.
    other = HouseholdFactory(adults=1, children=0, intake_on=date(2025, 6, 1))
    with pytest.raises(Refused) as refused:
        ops.save_participants(other, worker, [complete(birth_year=2008)])
    assert refused.value.code == "age band does not fit"
    ops.save_participants(other, worker, [complete(birth_year=2007)])
    assert saved(other)[0].age_band == "18_29"


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (complete(gender="robot"), "unknown value"),
        (complete(labour_status="retired"), "unknown value"),
        (complete(education="isced_9"), "unknown value"),
        (complete(rural="maybe"), "unknown value"),
        (complete(foreign_background="y"), "unknown value"),
        (complete(exit_on=date(2026, 5, 1), result_employed="yes"), "unknown value"),
        (complete(birth_year="1990"), "birth year is no number"),
        (complete(birth_year=2027), "birth year after entry"),  # born after the intake
        (complete(birth_year=1899), "implausible birth year"),
        (complete(birth_year=1910), "implausible birth year"),  # 116 at intake
        (complete(birth_year=2010), "age band does not fit"),  # the adult 16 at intake
        (complete(exit_on=date(2026, 3, 14)), "exit before entry"),
        (complete(result_job_searching=True), "results without exit"),
        (complete(gender=None), "gender, third-country national and disability are needed"),
    ],
)
def test_refusals_change_nothing(db, worker, household, row, code):
    with pytest.raises(Refused) as refused:
        ops.save_participants(household, worker, [row, None])
    assert refused.value.code == code
    assert household.participants == []


def test_a_birth_year_in_the_future_and_an_exit_in_the_future_are_refused(db, worker):
    today = clock.today()
    household = HouseholdFactory(adults=1, children=0, intake_on=today)
    with pytest.raises(Refused) as refused:
        ops.save_participants(household, worker, [complete(birth_year=today.year + 1)])
    assert refused.value.code == "birth year after entry"
    with pytest.raises(Refused) as refused:
        ops.save_participants(household, worker, [complete(exit_on=today + timedelta(days=1))])
    assert refused.value.code == "exit in the future"
    assert household.participants == []


def test_exit_date_and_results_are_stored(db, worker, household):
    row = complete(
        exit_on=date(2026, 6, 30),
        result_job_searching=True,
        result_in_education=False,
        result_qualification=False,
        result_employed=True,
    )
    ops.save_participants(household, worker, [row, None])
    (adult,) = saved(household)
    assert adult.exit_on == date(2026, 6, 30)
    assert (adult.result_job_searching, adult.result_employed) == (True, True)
    assert adult.result_in_education is False


def test_declined_counts_as_answered_empty_does_not(db, worker, household):
    declined = complete(
        gender="no_answer",
        labour_status="no_answer",
        education="no_answer",
        disability="no_answer",
        third_country="no_answer",
        foreign_background="no_answer",
        minority="no_answer",
        homeless="no_answer",
        rural="no_answer",
    )
    partial = complete(birth_year=2016, labour_status=None, education="", rural=None)
    ops.save_participants(household, worker, [declined, partial])
    adult, child = saved(household)
    assert adult.missing_entry_fields() == []
    assert child.missing_entry_fields() == ["labour_status", "education", "rural"]
    assert incomplete_participants(household) == 1
    # A person without a record counts too.
    ops.save_participants(household, worker, [declined, None])
    assert incomplete_participants(household) == 1
    # No age at all is missing as the birth year.
    assert Participant(gender="male", disability="no", third_country="no").missing_entry_fields()[
        :2
    ] == ["birth_year", "labour_status"]


def test_an_old_record_keeps_its_age_band_without_a_birth_year(db, worker, household):
    household.participants.append(
        Participant(
            position=0, gender="male", age_band="55_plus", third_country="no", disability="no"
        )
    )
    db.session.flush()
    assert saved(household)[0].missing_entry_fields() == [
        "labour_status",
        "education",
        "foreign_background",
        "minority",
        "homeless",
        "rural",
    ]
    ops.save_participants(household, worker, [complete(birth_year=None, gender="male"), None])
    (adult,) = saved(household)
    assert (adult.birth_year, adult.age_band) == (None, "55_plus")
    assert adult.is_complete


def test_withdrawing_the_consent_keeps_the_records(db, worker, household):
    ops.save_participants(household, worker, [complete(), complete(birth_year=2016)])
    db.session.commit()
    consent = household.valid_consent()
    ops.withdraw_consent(consent, worker)
    db.session.commit()
    db.session.expire_all()
    rows = db.session.scalars(
        select(Participant).where(Participant.household_id == household.id)
    ).all()
    assert len(rows) == 2 and all(p.labour_status for p in rows)


def test_the_household_list_flags_incomplete_records(browser, db):
    worker = browser.login("social_worker")
    done = HouseholdFactory(adults=1, children=0, intake_on=INTAKE)
    ops.save_participants(done, worker, [complete()])
    partial = HouseholdFactory(adults=2, children=0, intake_on=INTAKE)
    ops.save_participants(partial, worker, [complete(education=None), None])
    db.session.commit()
    html = unescape(browser.client.get(f"{BASE}/").get_data(as_text=True))
    rows = {code: html.split(code, 1)[1].split("</tr>", 1)[0] for code in (done.code, partial.code)}
    assert "ESF record" not in rows[done.code]
    assert "2 ESF records incomplete" in rows[partial.code]


def test_the_participant_page_names_the_missing_fields_and_the_legal_basis(browser, db):
    worker = browser.login("social_worker")
    household = HouseholdFactory(adults=1, children=0, intake_on=INTAKE)
    ops.save_participants(household, worker, [complete(education=None, rural=None)])
    db.session.commit()
    html = unescape(
        browser.client.get(f"{BASE}/{household.id}/participants").get_data(as_text=True)
    )
    assert "Incomplete record: Education, Living in a rural area missing" in html
    detail = unescape(browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True))
    assert "1 ESF record incomplete" in detail
    assert "not the household's consent: withdrawing the consent does not delete them" in html


def test_the_form_refuses_an_exit_before_entry_and_keeps_the_input(browser, db):
    browser.login("social_worker")
    household = HouseholdFactory(adults=1, children=0, intake_on=INTAKE)
    path = f"{BASE}/{household.id}/participants"
    data = {f"persons-0-{k}": str(v) for k, v in complete().items()}
    data["persons-0-exit_on"] = "2026-03-01"
    response = browser.post(path, data, csrf_from_path=path)
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "Person 1: the exit date lies before the household's intake." in html
    assert 'value="2026-03-01"' in html and 'aria-invalid="true"' in html
    assert household.participants == []


def test_the_consent_form_names_what_landlords_see(browser, db):
    browser.login("social_worker")
    household = HouseholdFactory(consent=False)
    html = unescape(browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True))
    assert "needs that touch health: step-free access, a wheelchair-accessible flat" in html
    assert "GDPR Art. 9" in html
    assert "withdrawing the consent does not delete them" in html


def test_the_privacy_notice_names_the_funding_law(client, db):
    html = unescape(client.get("/datenschutz").get_data(as_text=True))
    assert "The legal basis is the funding law, not consent" in html
    assert "does not delete these records" in html
