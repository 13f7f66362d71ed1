"""The reporting fields of a household (staff only): intake, target group and exit on the profile
form, the ESF participant page (one row per person), the exit asked for at a withdrawal, and
that none of it reaches a landlord."""

from __future__ import annotations

from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.households.models import Household, Participant
from tests.builders import HOUSEHOLDS as BASE
from tests.builders import create_household as create
from tests.builders import days_from, only_household, profile_form
from tests.factories import FlatFactory, HouseholdFactory, IdentityFactory

# The English labels (the lazy strings outside a request would be German).
TARGET_GROUPS = ["Refugee in shared accommodation", "Homeless, in a municipal shelter"]
DESTINATIONS = [
    "Own tenancy through the programme",
    "Own tenancy found by the household, with our support",
    "Other accommodation",
    "Ended the support early",
    "Moved away from Duisburg",
]


def day(today: date, delta: int) -> str:
    return (today + timedelta(days=delta)).isoformat()


def audits(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def edit(browser, household, **overrides):
    path = f"{BASE}/{household.id}/edit"
    data = profile_form(adults=str(household.adults), children=str(household.children))
    data.update({k: v for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        data.pop(key, None)
    return browser.post(path, data, csrf_from_path=path)


# The profile form ------------------------------------------------------------------------------


def test_create_with_the_reporting_fields(browser, db, today):
    browser.login("social_worker")
    response = create(browser, intake_on=day(today, -20), target_group="homeless_municipal_shelter")
    assert response.status_code == 302
    household = only_household(db)
    assert household.intake_on == today - timedelta(days=20)
    assert household.target_group == "homeless_municipal_shelter"
    assert household.exit_on is None and household.exit_destination is None
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "For the programme's reports (staff only)" in html
    assert "Homeless, in a municipal shelter" in html
    assert "0 of 3 persons recorded" in html


def test_new_form_offers_today_and_asks_for_the_target_group(browser, db, today):
    browser.login("social_worker")
    html = browser.client.get(f"{BASE}/new").get_data(as_text=True)
    assert f'id="intake_on" name="intake_on" type="date" value="{today.isoformat()}"' in html
    for label in TARGET_GROUPS:
        assert label in html
    # An empty intake date means today.
    assert create(browser, intake_on="").status_code == 302
    assert only_household(db).intake_on == today


def test_target_group_is_required(browser, db):
    browser.login("social_worker")
    response = create(browser, target_group="")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Please choose the target group." in html and "Amira Haddad" in html
    assert db.session.scalars(select(Household)).all() == []


def test_unknown_target_group_is_refused(browser, db):
    browser.login("social_worker")
    response = create(browser, target_group="vip")
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert db.session.scalars(select(Household)).all() == []


def test_edit_records_the_exit_and_audits_the_field_names(browser, db, today):
    browser.login("social_worker")
    household = IdentityFactory(household=HouseholdFactory(intake_on=today - timedelta(days=90)))
    household = household.household
    html = browser.client.get(f"{BASE}/{household.id}/edit").get_data(as_text=True)
    assert f'value="{(today - timedelta(days=90)).isoformat()}"' in html
    response = edit(
        browser,
        household,
        intake_on=day(today, -90),
        target_group="homeless_municipal_shelter",
        exit_on=day(today, -3),
        exit_destination="moved_away",
    )
    assert response.status_code == 302
    db.session.refresh(household)
    assert household.exit_on == today - timedelta(days=3)
    assert household.exit_destination == "moved_away"
    assert household.target_group == "homeless_municipal_shelter"
    event = audits(db, "household.updated")[-1]
    fields = event.details["fields"].split(",")
    assert {"target_group", "exit_on", "exit_destination"} <= set(fields)
    assert "moved_away" not in str(event.details)
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    assert "Moved away from Duisburg" in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [  # a date as days from today
        (
            {"exit_on": -2, "exit_destination": ""},
            "exit_destination",
            "Please say where the household went, or empty the date.",
        ),
        (
            {"exit_on": "", "exit_destination": "dropped_out"},
            "exit_on",
            "Please enter the day the household left, or choose “Still in the programme”.",
        ),
        (
            {"intake_on": -10, "exit_on": -11, "exit_destination": "dropped_out"},
            "exit_on",
            "The household cannot leave the programme before it was taken in.",
        ),
        ({"intake_on": 1}, "intake_on", "This date cannot be in the future."),
        (
            {"exit_on": 1, "exit_destination": "dropped_out"},
            "exit_on",
            "This date cannot be in the future.",
        ),
    ],
)
def test_impossible_intake_or_exit_is_refused_with_the_input_kept(
    browser, db, today, overrides, field, message
):
    overrides = days_from(today, overrides)
    browser.login("social_worker")
    response = create(browser, **overrides)
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert message in html and f'id="{field}-error"' in html
    assert "Amira Haddad" in html
    for name, value in overrides.items():
        if name.endswith("_on") and value:
            assert f'value="{value}"' in html  # the dates typed are still there
    assert db.session.scalars(select(Household)).all() == []


def test_edit_refuses_an_exit_without_destination_and_changes_nothing(browser, db, today):
    browser.login("social_worker")
    household = IdentityFactory().household
    response = edit(
        browser, household, intake_on=household.intake_on.isoformat(), exit_on=day(today, 0)
    )
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "Please say where the household went, or empty the date." in html
    assert f'value="{today.isoformat()}"' in html
    db.session.refresh(household)
    assert household.exit_on is None
    assert audits(db, "household.updated") == []


def test_edit_needs_an_intake_date(browser, db):
    browser.login("social_worker")
    household = IdentityFactory().household
    response = edit(browser, household, intake_on="")
    assert response.status_code == 200
    assert "Please enter the day the household was taken in." in response.get_data(as_text=True)


def test_specialist_reads_the_reporting_fields_without_the_participant_link(browser, db):
    household = HouseholdFactory(target_group="refugee_shared_accommodation")
    browser.login("specialist")
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    assert "Refugee in shared accommodation" in html and "0 of 3 persons recorded" in html
    assert f"{BASE}/{household.id}/participants" not in html
    assert browser.client.get(f"{BASE}/{household.id}/participants").status_code == 403


# The ESF participant page ------------------------------------------------------------------------


def participants_path(household) -> str:
    return f"{BASE}/{household.id}/participants"


# An age in each age band at an intake today (the form asks the birth year; the band derives).
BAND_AGES = {"under_18": 10, "18_29": 25, "30_54": 40, "55_plus": 60}


def birth_year(today: date, age_band: str) -> int:
    return today.year - BAND_AGES[age_band]


def person(
    today: date, index: int, gender="", age_band="", third_country="", disability=""
) -> dict:
    return {
        f"persons-{index}-gender": gender,
        f"persons-{index}-birth_year": str(birth_year(today, age_band)) if age_band else "",
        f"persons-{index}-third_country": third_country,
        f"persons-{index}-disability": disability,
    }


def save_persons(browser, household, *rows: dict):
    data: dict = {}
    for row in rows:
        data.update(row)
    path = participants_path(household)
    return browser.post(path, data, csrf_from_path=path)


def stored(db, household) -> list[tuple]:
    return [
        (p.position, p.gender, p.age_band, p.third_country, p.disability)
        for p in db.session.scalars(
            select(Participant)
            .where(Participant.household_id == household.id)
            .order_by(Participant.position)
        )
    ]


def test_participant_page_has_one_labelled_row_per_person(browser, db):
    browser.login("social_worker")
    household = HouseholdFactory(adults=2, children=2)
    response = browser.client.get(participants_path(household))
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    for n in range(1, 5):
        assert f"Person {n}: </span>Gender</label>" in html
        assert f'for="persons-{n - 1}-birth_year"' in html
    assert 'id="persons-4-gender"' not in html
    assert html.count("(adult)") == 2 and html.count("(child)") == 2
    assert "0 of 4 persons recorded" in html


def test_participants_are_saved_and_counted(browser, db, today):
    worker = browser.login("social_worker")
    household = HouseholdFactory(adults=2, children=1)
    response = save_persons(
        browser,
        household,
        person(today, 0, "female", "30_54", "yes", "no"),
        person(today, 1, "male", "55_plus", "no_answer", "yes"),
        person(today, 2, "non_binary", "under_18", "yes", "no_answer"),
    )
    assert response.status_code == 302
    assert stored(db, household) == [
        (0, "female", "30_54", "yes", "no"),
        (1, "male", "55_plus", "no_answer", "yes"),
        (2, "non_binary", "under_18", "yes", "no_answer"),
    ]
    event = audits(db, "household.participants")[0]
    assert event.actor_id == worker.id and event.object_id == household.id
    assert event.details == {"recorded": 3, "persons": 3}
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 of 3 persons recorded" in html and "Saved." in html
    # The page shows the stored rows again.
    page = browser.client.get(participants_path(household)).get_data(as_text=True)
    assert f'value="{birth_year(today, "55_plus")}"' in page
    assert '<option selected value="non_binary">' in page


def test_unrecorded_persons_stay_empty_and_rows_can_be_cleared(browser, db, today):
    browser.login("social_worker")
    household = HouseholdFactory(adults=2, children=1)
    save_persons(
        browser,
        household,
        person(today, 0, "female", "18_29", "no", "no"),
        person(today, 1),
        person(today, 2),
    )
    assert stored(db, household) == [(0, "female", "18_29", "no", "no")]
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    assert "1 of 3 persons recorded" in html
    response = save_persons(
        browser, household, person(today, 0), person(today, 1), person(today, 2)
    )
    assert response.status_code == 302
    assert stored(db, household) == []
    assert audits(db, "household.participants")[-1].details == {"recorded": 0, "persons": 3}


def test_unchanged_participants_write_no_audit(browser, db, today):
    browser.login("social_worker")
    household = HouseholdFactory(adults=1, children=0)
    save_persons(browser, household, person(today, 0, "male", "30_54", "no", "no"))
    response = save_persons(browser, household, person(today, 0, "male", "30_54", "no", "no"))
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nothing was changed." in html
    assert len(audits(db, "household.participants")) == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [  # the arguments of person()
        (
            [(0, "female", "under_18", "no", "no"), (1,), (2,)],
            "Person 1: an adult of the household must be 18 or older at intake",
        ),
        (
            [(0,), (1,), (2, "male", "18_29", "no", "no")],
            "Person 3: an adult of the household must be 18 or older at intake, a child younger",
        ),
        (
            [(0, "female", "", "", "no"), (1,), (2,)],
            "Person 1: please choose “Third-country national” too",
        ),
        (
            [(0,), (1, "", "30_54", "", ""), (2,)],
            "Person 2: please choose “Gender” too",
        ),
    ],
)
def test_participant_refusals_keep_the_input_and_store_nothing(browser, db, today, rows, message):
    rows = [person(today, *args) for args in rows]
    browser.login("social_worker")
    household = HouseholdFactory(adults=2, children=1)
    response = save_persons(browser, household, *rows)
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert message in html
    assert 'aria-invalid="true"' in html and "Please check the marked fields." in html
    for key, value in (item for row in rows for item in row.items()):
        if value and key.endswith("birth_year"):
            assert f'value="{value}"' in html
        elif value:
            assert f'<option selected value="{value}">' in html
    assert stored(db, household) == []
    assert audits(db, "household.participants") == []


def test_an_unknown_value_is_refused(browser, db, today):
    browser.login("social_worker")
    household = HouseholdFactory(adults=1, children=0)
    response = save_persons(browser, household, person(today, 0, "robot", "30_54", "no", "no"))
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert stored(db, household) == []


def test_extra_rows_in_the_request_are_ignored(browser, db, today):
    browser.login("social_worker")
    household = HouseholdFactory(adults=1, children=0)
    response = save_persons(
        browser,
        household,
        person(today, 0, "male", "30_54", "no", "no"),
        person(today, 1, "female", "30_54", "no", "no"),
    )
    assert response.status_code == 302
    assert stored(db, household) == [(0, "male", "30_54", "no", "no")]


def test_participant_page_refuses_landlords_and_anonymous(browser, db, today):
    household = HouseholdFactory()
    path = participants_path(household)
    anonymous = browser.client.get(path)
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    browser.login("landlord")
    assert browser.client.get(path).status_code == 403
    data = {"csrf_token": browser.csrf("/"), **person(today, 0, "female", "30_54", "no", "no")}
    assert browser.client.post(path, data=data).status_code == 403
    assert stored(db, household) == []
    assert browser.client.get(f"{BASE}/999999/participants").status_code == 403


def test_unknown_household_is_404(browser, db):
    browser.login("social_worker")
    assert browser.client.get(f"{BASE}/999999/participants").status_code == 404


def test_a_smaller_household_keeps_the_rows_of_the_persons_still_there(browser, db, today):
    browser.login("social_worker")
    household = IdentityFactory(household=HouseholdFactory(adults=2, children=2)).household
    save_persons(
        browser,
        household,
        person(today, 0, "female", "30_54", "yes", "no"),
        person(today, 1, "male", "30_54", "yes", "no"),
        person(today, 2, "female", "under_18", "yes", "no"),
        person(today, 3, "male", "under_18", "no", "yes"),
    )
    # One adult left the household: the children's rows follow the remaining adult.
    response = edit(
        browser, household, adults="1", children="2", intake_on=household.intake_on.isoformat()
    )
    assert response.status_code == 302
    assert stored(db, household) == [
        (0, "female", "30_54", "yes", "no"),
        (1, "female", "under_18", "yes", "no"),
        (2, "male", "under_18", "no", "yes"),
    ]
    assert "participants" in audits(db, "household.updated")[-1].details["fields"]
    # One child less: the last child's row goes.
    edit(browser, household, adults="1", children="1", intake_on=household.intake_on.isoformat())
    assert stored(db, household) == [
        (0, "female", "30_54", "yes", "no"),
        (1, "female", "under_18", "yes", "no"),
    ]
    # A bigger household: the new persons show as not recorded.
    edit(browser, household, adults="2", children="2", intake_on=household.intake_on.isoformat())
    assert stored(db, household) == [
        (0, "female", "30_54", "yes", "no"),
        (2, "female", "under_18", "yes", "no"),
    ]
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    assert "2 of 4 persons recorded" in html


# Withdrawing asks where the household went -------------------------------------------------------


def withdraw(browser, household, **data):
    path = f"{BASE}/{household.id}"
    return browser.post(f"{path}/status", {"to": "withdrawn", **data}, csrf_from_path=path)


def test_withdrawal_form_offers_the_destinations_but_not_the_programme(browser, db):
    browser.login("social_worker")
    household = HouseholdFactory()
    html = unescape(browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True))
    assert "Where did the household go?" in html
    assert "Moved away from Duisburg" in html
    assert 'value="own_tenancy_programme"' not in html


def test_withdrawal_records_the_exit(browser, db, today):
    browser.login("social_worker")
    household = HouseholdFactory(intake_on=today - timedelta(days=30))
    response = withdraw(browser, household, exit_destination="own_tenancy_with_support")
    assert response.status_code == 302
    db.session.refresh(household)
    assert household.status == "withdrawn"
    assert (household.exit_on, household.exit_destination) == (today, "own_tenancy_with_support")
    event = audits(db, "household.withdrawn")[0]
    assert event.details["exit"] == "recorded"
    other = HouseholdFactory(intake_on=today - timedelta(days=30))
    response = withdraw(browser, other, exit_destination="dropped_out", exit_on=day(today, -4))
    assert response.status_code == 302
    db.session.refresh(other)
    assert other.exit_on == today - timedelta(days=4)


@pytest.mark.parametrize(
    ("data", "message"),
    [  # a date as days from today
        ({}, "Please choose where the household went before withdrawing the profile."),
        (
            {"exit_destination": "own_tenancy_programme"},
            "Please choose where the household went before withdrawing the profile.",
        ),
        ({"exit_destination": "dropped_out", "exit_on": 2}, "cannot be in the future"),
        (
            {"exit_destination": "dropped_out", "exit_on": -40},
            "cannot leave the programme before it was taken in",
        ),
    ],
)
def test_withdrawal_refusals_keep_the_profile(browser, db, today, data, message):
    data = days_from(today, data)
    browser.login("social_worker")
    household = HouseholdFactory(intake_on=today - timedelta(days=30))
    response = withdraw(browser, household, **data)
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert message in html and "The profile was not withdrawn." in html
    if data.get("exit_on"):
        assert f'value="{data["exit_on"]}"' in html
    db.session.refresh(household)
    assert household.status == "vetted" and household.exit_on is None
    assert audits(db, "household.withdrawn") == []


def test_withdrawal_keeps_an_exit_recorded_before(browser, db, today):
    browser.login("social_worker")
    household = HouseholdFactory(
        intake_on=today - timedelta(days=30),
        exit_on=today - timedelta(days=2),
        exit_destination="moved_away",
    )
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    assert "Where did the household go?" not in html and 'value="withdrawn"' in html
    assert withdraw(browser, household).status_code == 302
    db.session.refresh(household)
    assert household.status == "withdrawn"
    assert (household.exit_on, household.exit_destination) == (
        today - timedelta(days=2),
        "moved_away",
    )


# Never for landlords ----------------------------------------------------------------------------


def test_landlord_pages_show_no_reporting_labels(browser, db, today):
    household = HouseholdFactory(
        target_group="refugee_shared_accommodation", intake_on=today - timedelta(days=9)
    )
    db.session.add_all(
        [
            Participant(household=household, position=0, gender="non_binary", age_band="30_54"),
            Participant(
                household=household,
                position=2,
                gender="female",
                age_band="under_18",
                third_country="yes",
                disability="yes",
            ),
        ]
    )
    db.session.flush()
    landlord = browser.login("landlord")
    FlatFactory(organisation=landlord.organisation, status="published")  # sees the site's profiles
    pages = [
        unescape(browser.client.get(path).get_data(as_text=True))
        for path in ("/households/", f"/households/{household.id}")
    ]
    assert all(household.code in page for page in pages)
    forbidden = [
        "Target group",
        "ESF",
        "Taken into the programme",
        "Left the programme",
        "Third-country",
        "Disability",
        "Age band",
        "refugee_shared_accommodation",
        "non_binary",
        "under_18",
        *TARGET_GROUPS,
        *DESTINATIONS,
        "Female",
        "Male",
        "Non-binary",
        "Under 18",
        "18 to 29",
        "30 to 54",
        "55 or older",
    ]
    for page in pages:
        assert [text for text in forbidden if text in page] == []


# Demo data ---------------------------------------------------------------------------------------


def test_demo_households_are_complete_for_the_reports(runner, db, today):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    households = list(db.session.scalars(select(Household)))
    assert len(households) >= 9
    year_ago = today - timedelta(days=366)
    assert all(year_ago <= h.intake_on <= today for h in households)
    assert {h.target_group for h in households} == {
        "refugee_shared_accommodation",
        "homeless_municipal_shelter",
        "other",
    }
    persons = sum(h.size for h in households)
    rows = db.session.scalars(select(Participant)).all()
    assert len(rows) > persons * 3 // 4
    for participant in rows:
        household = participant.household
        assert participant.position < household.size
        assert (participant.age_band == "under_18") == (participant.position >= household.adults)
    # Annex I (issue 17): every record has a birth year, and exactly one lacks entry fields.
    assert all(p.birth_year for p in rows)
    incomplete = [p for p in rows if p.missing_entry_fields()]
    assert [p.missing_entry_fields() for p in incomplete] == [["education", "rural"]]
    assert any(p.exit_on and p.result_employed is not None for p in rows)
    left = [h for h in households if h.exit_on is not None]
    assert {h.status for h in left} >= {"withdrawn", "housed"}
    assert all(h.intake_on <= h.exit_on <= today and h.exit_destination for h in left)
