"""THE allow-list test (DESIGN.md section 2): every restricted value of a household holds a
unique marker, and no landlord-facing response or e-mail may contain any of them.

The restricted fields are found from the models, not listed by hand: every text column of
HouseholdIdentity and Consent, and every text column of Household that is not on the public
allow-list. A column added later is covered without anyone remembering this test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.accounts.models import utcnow
from portal.households.models import HouseholdIdentity
from portal.listings.models import District
from tests.builders import ENUMERATED, Markers, marked_household, text_columns
from tests.conftest import outbox
from tests.factories import FlatFactory


def test_reporting_fields_are_not_on_the_landlords_allow_list():
    from dataclasses import fields

    from portal.households.models import Participant
    from portal.households.public import PublicProfile

    reporting = ENUMERATED | {"intake_on", "exit_on", "participants"}
    reporting |= {c.name for c in Participant.__table__.columns} - {
        "id",
        "household_id",
        "position",
    }
    assert not reporting & {f.name for f in fields(PublicProfile)}


def test_every_identity_column_is_text_so_the_markers_cover_it():
    # A new non-text column in the restricted table must be added to the markers by hand.
    plain = {"id", "household_id"}
    columns = {c.name for c in HouseholdIdentity.__table__.columns} - plain
    assert columns == set(text_columns(HouseholdIdentity))


@pytest.fixture
def world(browser, db):
    markers = Markers()
    landlord = browser.login("landlord")
    now = utcnow()
    flats = [
        FlatFactory(
            organisation=landlord.organisation,
            status="published",
            submitted_at=now,
            published_at=now,
            is_step_free=True,
            is_wheelchair_accessible=True,
            pets_allowed=True,
        ),
        FlatFactory(
            organisation=landlord.organisation,
            status="published",
            submitted_at=now,
            published_at=now,
            wbs_required=True,
            wbs_persons=3,
        ),
    ]
    hochfeld = db.session.scalar(select(District).where(District.name == "Hochfeld"))
    visible = [
        marked_household(
            markers,
            1,
            needs_step_free=True,
            has_pets=True,
            profile_text="allowedprofiletext one",
            preferred_districts=[hochfeld],
        ),
        marked_household(markers, 2, needs_wheelchair=True, cost_bearer="sozialamt"),
        marked_household(
            markers, 3, has_wbs=True, wbs_persons=3, profile_text="allowedprofiletext three"
        ),
    ]
    hidden = marked_household(markers, 4, status="draft")
    db.session.flush()
    # The markers really are in the database, where a careless template could find them.
    identity = db.session.scalar(
        select(HouseholdIdentity).where(HouseholdIdentity.household_id == visible[0].id)
    )
    assert markers.found_in(identity.case_notes + visible[0].override_reason)
    return markers, landlord, flats, visible, hidden, hochfeld


def test_no_restricted_value_reaches_a_landlord(browser, db, world, today):
    markers, landlord, flats, visible, hidden, hochfeld = world
    seen: list[tuple[str, str]] = []

    def fetch(method: str, path: str, **kw) -> str:
        response = browser.client.open(path, method=method, **kw)
        assert response.status_code in (200, 302), (method, path, response.status_code)
        text = response.get_data(as_text=True) + str(response.headers)
        seen.append((f"{method} {path}", text))
        return text

    by = (today + timedelta(days=60)).isoformat()
    for query in [
        "",
        "?size=3",
        "?fits=y",
        f"?move_in_by={by}",
        f"?district={hochfeld.id}",
        "?step_free=y",
        "?wbs=yes",
        "?wbs=no",
        f"?fits=y&step_free=y&size=3&district={hochfeld.id}&move_in_by={by}",
        "?page=2",
    ]:
        fetch("GET", f"/households/{query}")
    for household in visible:
        fetch("GET", f"/households/{household.id}")
    # Interest: success, duplicate, a form error; each response and the page after it.
    token = browser.csrf(f"/households/{visible[0].id}")
    for data in [
        {"flat": flats[0].public_key, "message": "Saturday works."},
        {"flat": flats[0].public_key, "message": "again"},
        {"flat": flats[1].public_key, "message": "x" * 1001},
        {"flat": "999999"},
    ]:
        fetch("POST", f"/households/{visible[0].id}", data={"csrf_token": token, **data})
        fetch(
            "POST",
            f"/households/{visible[0].id}",
            data={"csrf_token": token, **data},
            follow_redirects=True,
        )
    fetch(
        "POST",
        f"/households/{visible[1].id}",
        data={"csrf_token": token, "flat": flats[0].public_key},
    )
    fetch("GET", f"/households/{visible[1].id}")
    assert browser.client.get(f"/households/{hidden.id}").status_code == 404

    mails = outbox(landlord.email)
    assert len(mails) == 2
    for mail in mails:
        seen.append((f"mail {mail.subject}", mail.to_address + mail.subject + mail.body_text))

    leaks = [(where, markers.found_in(text)) for where, text in seen if markers.found_in(text)]
    assert leaks == []
    # Nor the reporting fields (target group, ESF participant data), by label or value.
    reporting = [
        "Homeless, in a municipal shelter",
        "homeless_municipal_shelter",
        "Target group",
        "ESF participant",
        "Non-binary",
        "non_binary",
        "Third-country",
        "third_country",
        "Disability",
        "30 to 54",
        "Taken into the programme",
        # The Annex I fields (issue 17), by label and value.
        "1981",
        "2017",
        "Long-term unemployed",
        "long_term_unemployed",
        "ISCED",
        "isced_5_8",
        "Foreign background",
        "foreign_background",
        "Minority",
        "Rural",
        "Labour-market",
        "Education",
        "Qualification gained",
        "result_",
        "Job searching",
        "Exit date",
    ]
    shown = [(where, t) for where, text in seen for t in reporting if t.lower() in text.lower()]
    assert shown == []

    # Not vacuous: the public profile itself is there.
    everything = "\n".join(text for _where, text in seen)
    for household in visible:
        assert household.code in everything
    assert {visible[0].code, visible[1].code} == {
        h.code for h in visible if any(h.code in m.subject + m.body_text for m in mails)
    }
    for text in [
        "allowedprofiletext one",
        "allowedprofiletext three",
        "Hochfeld",
        "Rent paid via Jobcenter",
        "Rent paid via Sozialamt",
        "WBS for 3 persons",
        "Needs step-free access",
        "Needs a wheelchair-accessible flat",
        "Has pets",
        "Supported by the Kümmerer team",
        "2 adults, 1 child",
        # Whether the rent is within the household's limit, never the limit itself: it may be
        # the staff's override (issue 16).
        "€640.00 gross cold rent: within what the Jobcenter pays",
    ]:
        assert text in everything, text
    assert hidden.code not in everything
    assert "687.80" not in everything and "override" not in everything.lower()


def test_the_profile_page_ignores_restricted_values_in_german_too(browser, db, world):
    markers, landlord, _flats, visible, _hidden, _hochfeld = world
    landlord.locale = "de"
    db.session.flush()
    for path in ["/households/", f"/households/{visible[0].id}"]:
        response = browser.client.get(path, headers={"Accept-Language": "de"})
        assert response.status_code == 200
        assert markers.found_in(response.get_data(as_text=True)) == []
