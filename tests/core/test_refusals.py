"""Issue 14: one way to refuse. Every refusal of an operation is a ``Refused`` with a code and a
message; one handler answers a refusal no view caught (rolled back, 409 or 400, the operation's
words); ``refusals_flash`` turns one into a flash and a redirect."""

import pytest
from flask import get_flashed_messages
from flask_babel import lazy_gettext as _l

from portal.core.hooks import Veto
from portal.core.refusals import BAD_INPUT, CONFLICT, Refused, flash_refusal, refusals_flash
from portal.households.operations import TEXT_HITS
from portal.households.operations.profiles import text_hits_refused
from portal.listings.models import ILLEGAL_MOVE
from portal.listings.operations.base import refused as listing_refusal
from portal.mediation.operations import NO_EMAIL
from portal.placements.refusals import interest_refused, refused
from portal.privacy.operations import CONFIRM_HOUSEHOLD


@pytest.mark.parametrize(
    "refusal, code, status",
    [
        (Refused("expiry before start"), "expiry before start", CONFLICT),
        (text_hits_refused([], _l("Check the text.")), TEXT_HITS, CONFLICT),
        (Refused(ILLEGAL_MOVE), ILLEGAL_MOVE, CONFLICT),
        (listing_refusal("incomplete"), "incomplete", CONFLICT),
        (Refused("too_large", "too large", status=BAD_INPUT), "too_large", BAD_INPUT),
        (Refused("no_email", NO_EMAIL), "no_email", CONFLICT),
        (Refused("state", detail="close from proposed"), "state", CONFLICT),
        (interest_refused("duplicate"), "duplicate", CONFLICT),
        (refused("data", detail="cancel_reason"), "data", CONFLICT),
        (Veto("lease_signed"), "lease_signed", CONFLICT),
        (Refused("purpose", status=BAD_INPUT), "purpose", BAD_INPUT),
        (Refused("confirmation", CONFIRM_HOUSEHOLD), "confirmation", CONFLICT),
    ],
)
def test_every_refusal_is_one_kind_with_a_code_and_a_message(refusal, code, status):
    assert isinstance(refusal, Refused)
    assert refusal.code == code and refusal.status == status
    assert refusal.message  # words to show: the operation's own, or at least the code


def test_messages_of_old_shapes_are_kept():
    assert str(Refused("data", detail="viewing_at")) == "data: viewing_at"
    assert Refused("purpose", status=BAD_INPUT).status == BAD_INPUT


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
        response = app.make_response(
            app.handle_user_exception(Refused("purpose", status=BAD_INPUT))
        )
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
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert listing_refusal("illegal").explained
        assert str(listing_refusal("illegal").message) == (
            "This is not possible in the flat's current state."
        )
        assert not Refused("exit before intake").explained
        assert Refused("lease signed", _l("Not possible now")).explained
        assert text_hits_refused([], _l("Check the text.")).items == []


def test_accounts_refuse_with_a_code_and_their_words(app):
    from portal.accounts import tokens, twofactor

    with app.test_request_context(headers={"Accept-Language": "en"}):
        expired = tokens.refused(expired=True)
        assert type(expired) is Refused and expired.code == "expired"
        assert expired.status == BAD_INPUT and "expired" in str(expired.message)
        reused = twofactor.refused("reused")
        assert reused.code == "reused" and reused.status == CONFLICT
        assert str(reused.message).startswith("This code was used already")


def test_a_placement_refusal_speaks_to_who_asked(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(refused("state", state="proposed").message) == (
            "This step is not possible while the placement is “Proposed”; perhaps someone else "
            "was quicker. Nothing was changed."
        )
        assert str(refused("state", landlord=True).message).startswith(
            "This is no longer possible: the placement has moved on"
        )
        assert str(refused("role", landlord=True).message) == (
            "This is not possible at the moment. Nothing was changed."
        )
        assert str(refused("unheard of").message) == "This was refused. Nothing was changed."
        assert str(interest_refused("not_allowed").message).startswith("Please list a flat")


def test_flash_refusal_says_the_default_for_a_refusal_without_words(app, db):
    with app.test_request_context("/"):
        flash_refusal(Refused("bare"), default="Das ging nicht.")
        flash_refusal(Refused("worded", "Mit Worten."), default="Das ging nicht.")
        assert get_flashed_messages() == ["Das ging nicht.", "Mit Worten."]
