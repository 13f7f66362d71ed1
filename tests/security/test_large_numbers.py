"""Whole numbers too large for any database column in query strings and forms (issue 13, item
5; the ids in paths: ``matrix/test_large_numbers.py``).

A page number no column can hold answers 400 with a message; an id filter that large is no
filter (as any junk is); a form field says "This number is too large." Never a server error,
nothing stored. Before, SQLite raised OverflowError (500) and PostgreSQL refused the query.
"""

from __future__ import annotations

from io import BytesIO

import pytest
from sqlalchemy import select

from portal.core.fields import MAX_PAGE
from portal.extensions import db as _db
from portal.listings.models import Flat
from portal.mediation.models import MediationCase
from tests.factories import FlatFactory
from tests.security.conftest import STATS
from tests.security.world import row_counts

HUGE = str(10**30)
TOO_LARGE = "This number is too large."

LISTS = [
    ("landlord", "/households/"),
    ("specialist", "/backoffice/flats/"),
    ("specialist", "/backoffice/households/"),
    ("specialist", "/backoffice/placements/"),
    ("specialist", "/backoffice/mediation/"),
    ("specialist", "/backoffice/landlords"),
    ("admin", "/backoffice/audit"),
]


@pytest.mark.parametrize(("role", "path"), LISTS)
@pytest.mark.parametrize("number", [HUGE, str(2**63), str(2**31)])
def test_page_number_too_large_is_400_with_a_message(browser, role, path, number):
    browser.login(role)
    assert browser.client.get(path).status_code == 200
    response = browser.client.get(f"{path}?page={number}")
    assert response.status_code == 400, response.status_code
    assert TOO_LARGE in response.get_data(as_text=True)
    # The largest page number there may be: an empty page, as before.
    assert browser.client.get(f"{path}?page={MAX_PAGE}").status_code == 200
    STATS["large query numbers tried"] += 2


BEYOND_INTEGER = str(2**31)  # one past the largest INTEGER: PostgreSQL "integer out of range"

FILTERS = [
    ("landlord", f"/households/?size={BEYOND_INTEGER}&affordable_for={BEYOND_INTEGER}"),
    ("landlord", f"/mediation/?placement={BEYOND_INTEGER}"),
    ("specialist", f"/backoffice/flats/?district={BEYOND_INTEGER}"),
    ("specialist", f"/backoffice/placements/?district={BEYOND_INTEGER}&staff={BEYOND_INTEGER}"),
    ("specialist", f"/backoffice/mediation/?staff={BEYOND_INTEGER}"),
    ("admin", f"/backoffice/audit?object_id={BEYOND_INTEGER}&actor={BEYOND_INTEGER}"),
    ("landlord", f"/households/?size={HUGE}"),
    ("landlord", f"/households/?affordable_for={HUGE}&size=-{HUGE}"),
    ("landlord", f"/mediation/?placement={HUGE}"),
    ("landlord", "/mediation/?placement=\u0663"),  # an Arabic-Indic digit: int() reads it
    ("specialist", f"/backoffice/flats/?district={HUGE}"),
    ("specialist", f"/backoffice/households/?size={HUGE}&district={HUGE}"),
    ("specialist", f"/backoffice/placements/?district={HUGE}&staff={HUGE}"),
    ("specialist", f"/backoffice/mediation/?staff={HUGE}"),
    ("specialist", "/backoffice/mediation/?staff=\u00b2"),  # "²".isdigit(), int() fails
    ("admin", f"/backoffice/audit?object_id={HUGE}&actor={HUGE}"),
]


@pytest.mark.parametrize(("role", "path"), FILTERS)
def test_id_filters_too_large_are_no_error(browser, role, path):
    browser.login(role)
    response = browser.client.get(path)
    assert response.status_code == 200, response.status_code
    STATS["large query numbers tried"] += 1


def test_audit_filter_says_the_object_id_is_too_large(browser):
    browser.login("admin")
    html = browser.client.get(f"/backoffice/audit?object_id={HUGE}").get_data(as_text=True)
    assert TOO_LARGE in html


def test_flat_form_with_huge_numbers_is_refused_field_by_field(browser, db):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    before = row_counts()
    # The flat form comes in steps (issue 15): each step is refused field by field.
    steps = {
        "size": {"floor": HUGE, "rooms": HUGE, "living_area": HUGE},
        "costs": {"cold_rent": HUGE, "service_charges": "9" * 40, "deposit": HUGE + ",00"},
        "energy": {"building_year": HUGE, "energy_value": HUGE},
        "features": {"wbs_persons": HUGE},
    }
    pages = []
    for name, fields in steps.items():
        response = browser.post(
            f"/flats/{flat.public_key}/edit/{name}",
            {**fields, "action": "save"},
            csrf_from_path="/flats/new",
        )
        assert response.status_code == 200, (name, response.status_code)
        pages.append(response.get_data(as_text=True))
    html = "".join(pages)
    assert "Please enter a floor between -1 and 40." in html
    assert "Please enter a plausible building year." in html
    # Rooms, area and the amounts: more digits than their columns hold.
    assert html.count(TOO_LARGE) >= 5, html.count(TOO_LARGE)
    _db.session.expire_all()
    stored = _db.session.get(Flat, flat.id)
    assert stored.floor == 2 and stored.cold_rent == flat.cold_rent
    assert row_counts() == before
    data = {field: value for fields in steps.values() for field, value in fields.items()}
    STATS["large form numbers tried"] += len(data)


def test_household_form_with_huge_numbers_is_refused(browser, db):
    browser.login("social_worker")
    before = row_counts()
    response = browser.post(
        "/backoffice/households/new",
        {
            "adults": HUGE,
            "children": str(2**63),
            "wbs_persons": str(2**31),
            "needed_rooms": HUGE,
            "needed_area": HUGE,
            "max_gross_cold_rent": HUGE,
            "preferred_districts": HUGE,
            "earliest_move_in": "2027-01-01",
            "cost_bearer": "jobcenter",
        },
        csrf_from_path="/backoffice/households/new",
    )
    assert response.status_code == 200, response.status_code
    assert TOO_LARGE in response.get_data(as_text=True)
    assert row_counts() == before
    STATS["large form numbers tried"] += 7


def test_linking_a_case_to_a_huge_placement_number_is_a_form_error(browser, db):
    browser.login("specialist")
    case = MediationCase(
        number="M-2026-0999",
        sender_kind="tenant",
        name="Mira Beispiel",
        email="mira@example.org",
        topic="neighbourhood",
        message="Laute Musik nachts.",
    )
    _db.session.add(case)
    _db.session.flush()
    for number in (HUGE, str(2**63), str(2**31)):
        response = browser.post(
            f"/backoffice/mediation/{case.id}/placement",
            {"placement_id": number},
            csrf_from_path=f"/backoffice/mediation/{case.id}",
        )
        assert response.status_code == 200, response.status_code
        # The placement is chosen from a list (issue 15): a forged number is a form error.
        assert 'id="placement_id-error"' in response.get_data(as_text=True)
    _db.session.expire_all()
    assert (
        _db.session.scalar(select(MediationCase.placement_id).where(MediationCase.id == case.id))
        is None
    )
    STATS["large form numbers tried"] += 3


@pytest.mark.parametrize("amount", [HUGE, "100000000,00", "9" * 40])
def test_rent_limit_csv_with_an_amount_too_large_is_refused(browser, db, amount):
    browser.login("admin")
    before = row_counts()
    response = browser.post(
        "/backoffice/rent-limits/csv",
        {"csv-csv_file": (BytesIO(f"1;{amount};2023-08-01;x\n".encode()), "big.csv")},
        csrf_from_path="/backoffice/rent-limits",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Line 1 cannot be read" in response.get_data(as_text=True)
    assert row_counts() == before
    # The largest amount the column holds is read.
    fine = browser.post(
        "/backoffice/rent-limits/csv",
        {"csv-csv_file": (BytesIO(b"1;99999999,99;2023-08-01;x\n"), "fine.csv")},
        csrf_from_path="/backoffice/rent-limits",
        content_type="multipart/form-data",
    )
    assert fine.status_code == 302
