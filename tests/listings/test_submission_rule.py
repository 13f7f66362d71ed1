"""Issue 14: the operation holds the completeness rule for submitting a flat on its own; the
form only shows which fields the same rule (listings.rules.missing_for_submission) misses."""

import pytest
from sqlalchemy import select

from portal.core.refusals import Refused
from portal.listings import operations as ops
from portal.listings import rules
from portal.listings.models import Flat
from tests.builders import flat_form, post_flat
from tests.factories import FlatFactory, UserFactory


def test_energy_fields_are_defined_once():
    from portal.listings import forms

    assert ops.editing.ENERGY_FIELDS is rules.ENERGY_FIELDS
    assert not hasattr(forms.FlatForm, "ENERGY_FIELDS")


@pytest.mark.parametrize(
    "changes, missing",
    [
        ({"description": None}, {"description": "needed"}),
        ({"living_area": None, "street": None}, {"living_area": "needed", "street": "needed"}),
        ({"energy_certificate_pending": False}, dict.fromkeys(rules.ENERGY_FIELDS, "energy")),
        ({"wbs_required": True, "wbs_persons": None}, {"wbs_persons": "needed"}),
    ],
)
def test_submit_flat_refuses_an_incomplete_flat_itself(db, changes, missing):
    user = UserFactory()
    flat = FlatFactory(organisation=user.organisation, **changes)
    assert rules.missing_for_submission(ops.form_values(flat)) == missing
    with pytest.raises(Refused) as refused:
        ops.submit_flat(flat, user)
    assert refused.value.code == "incomplete"
    assert flat.status == "draft" and flat.submitted_at is None


def test_submit_flat_sends_a_complete_flat(app, db):
    user = UserFactory()
    flat = FlatFactory(organisation=user.organisation)
    assert rules.missing_for_submission(ops.form_values(flat)) == {}
    with app.test_request_context():
        ops.submit_flat(flat, user)
    assert flat.status == "submitted"


def test_a_description_of_spaces_only_is_not_submitted(browser, db):
    """The form saw text; stored, it is empty: the operation refuses, the flat stays a draft."""
    browser.login("landlord")
    response = post_flat(browser, "/flats/new", flat_form(description="   "), "submit")
    assert response.status_code == 302 and response.location.endswith("/edit/check")
    page = browser.client.get(response.location).get_data(as_text=True)
    assert "A few details are still missing" in page
    assert "Description, date or WBS details missing" in page
    flat = db.session.scalar(select(Flat).where(Flat.street == "Wanheimer Straße"))
    assert flat.status == "draft" and flat.description is None
