"""Issue 14: one way to refuse. Every refusal of an operation is a ``Refused`` with a code and a
message; one handler answers a refusal no view caught (rolled back, 409 or 400, the operation's
words); ``refusals_flash`` turns one into a flash and a redirect."""

import pytest
from flask import get_flashed_messages
from flask_babel import lazy_gettext as _l

from portal.accounts.operations import AccountError
from portal.accounts.tokens import TokenError
from portal.accounts.twofactor import TwoFactorError
from portal.core.refusals import BAD_INPUT, CONFLICT, Refused, refusals_flash
from portal.households.models import IllegalTransition as HouseholdMoveRefused
from portal.households.operations import HouseholdError, ProfileTextHits
from portal.listings.models import ILLEGAL_MOVE
from portal.listings.operations.base import refused as listing_refusal
from portal.mediation.operations import MediationError
from portal.placements.models import StepRefused
from portal.placements.operations import InterestError, PlacementError
from portal.placements.release import ReleaseRefused
from portal.privacy.export import ExportRefused
from portal.privacy.operations import ErasureError


@pytest.mark.parametrize(
    "refusal, code, status",
    [
        (AccountError("taken"), "taken", CONFLICT),
        (TokenError(expired=True), "expired", BAD_INPUT),
        (TwoFactorError("reused"), "reused", CONFLICT),
        (HouseholdMoveRefused("a valid consent is required"), "a valid consent is required", 409),
        (HouseholdError("expiry before start"), "expiry before start", CONFLICT),
        (ProfileTextHits([]), "profile text hits", CONFLICT),
        (Refused(ILLEGAL_MOVE), ILLEGAL_MOVE, CONFLICT),
        (listing_refusal("incomplete"), "incomplete", CONFLICT),
        (Refused("too_large", "too large", status=BAD_INPUT), "too_large", BAD_INPUT),
        (MediationError("closed"), "closed", CONFLICT),
        (StepRefused("state", "detail"), "state", CONFLICT),
        (InterestError("duplicate"), "duplicate", CONFLICT),
        (PlacementError("data", "cancel_reason"), "data", CONFLICT),
        (ReleaseRefused("lease_signed"), "lease_signed", CONFLICT),
        (ExportRefused("purpose"), "purpose", BAD_INPUT),
        (ErasureError("confirmation"), "confirmation", CONFLICT),
    ],
)
def test_every_refusal_is_one_kind_with_a_code_and_a_message(refusal, code, status):
    assert isinstance(refusal, Refused)
    assert refusal.code == code and refusal.status == status
    assert refusal.message  # words to show: the operation's own, or at least the code


def test_messages_of_old_shapes_are_kept():
    assert PlacementError("data", "cancel_reason").message == "cancel_reason"
    assert PlacementError("state").message == "state"
    assert str(StepRefused("data", "viewing_at")) == "data: viewing_at"
    assert TwoFactorError("wrong").reason == "wrong" and TokenError().expired is False


def test_a_lazy_message_stays_lazy(app):
    message = _l("Not possible now")
    assert Refused("x", message).message is message


def test_an_uncaught_refusal_is_rolled_back_and_answered_with_its_status(app, db):
    from portal.accounts.models import Organisation

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        db.session.add(Organisation(kind="private", name="Nie gespeichert"))
        response = app.make_response(
            app.handle_user_exception(listing_refusal("illegal", _l("Not possible now")))
        )
        assert not db.session.new  # rolled back
    assert response.status_code == 409
    assert "Not possible now" in response.get_data(as_text=True)

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        response = app.make_response(app.handle_user_exception(ExportRefused("purpose")))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "purpose" not in html  # a bare code is no text for people: the standard text instead


def test_refusals_flash_flashes_and_redirects(app, db):
    @refusals_flash(lambda flat_id: f"/flats/{flat_id}")
    def view(flat_id):
        raise listing_refusal("illegal", "Das geht nicht.")

    with app.test_request_context("/"):
        response = view(flat_id=7)
        assert response.status_code == 302 and response.location == "/flats/7"
        assert get_flashed_messages(with_categories=True) == [("error", "Das geht nicht.")]


def test_the_words_of_a_refusal_come_with_it(app):
    from portal.households.operations import HouseholdError

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert listing_refusal("illegal").explained
        assert str(listing_refusal("illegal").message) == (
            "This is not possible in the flat's current state."
        )
        assert not HouseholdError("exit before intake").explained
        assert HouseholdError("lease signed", _l("Not possible now")).explained
        assert ProfileTextHits([]).explained
