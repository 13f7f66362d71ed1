"""Issue 13.14: the household's own profile text is checked before landlords read it. The
check finds members' names, phone numbers, e-mail addresses, dates of birth and words about
origin, religion, health and residence status, in German and English; vetting (and a new text
of a profile landlords see) is refused until the social worker edits the text or confirms each
hit; a changed text is checked again."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.households.textcheck import check, fingerprint, segments
from tests.builders import HOUSEHOLDS as BASE
from tests.builders import profile_form, status_form
from tests.factories import HouseholdFactory, IdentityFactory

NAMES = ["Amira Haddad", "Samir Haddad"]


def found(text: str, names=NAMES) -> list[tuple[str, str]]:
    return [(hit.category, hit.text) for hit in check(text, names, this_year=2026)]


# The check itself --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # names of members, case-insensitive, whole words only
        ("Amira und SAMIR suchen eine Wohnung.", [("name", "Amira"), ("name", "SAMIR")]),
        ("Familie Haddad sucht eine Wohnung.", [("name", "Haddad")]),
        ("My name is Amira Haddad.", [("name", "Amira Haddad")]),
        ("Samirah und Amiras Freundin", []),  # other words that begin like a name
        # phone numbers
        ("Erreichbar unter +49 203 123456.", [("phone", "+49 203 123456")]),
        ("Ruf an: 0203-123456", [("phone", "0203-123456")]),
        ("Handy 0170/1234567", [("phone", "Handy 0170/1234567")]),
        ("Call me on 0049 170 1234567", [("phone", "0049 170 1234567")]),
        ("Tel. 123 4567", [("phone", "Tel. 123 4567")]),
        # e-mail addresses
        ("Schreiben Sie an familie.h@example.org", [("email", "familie.h@example.org")]),
        ("Mail: amira@example.org", [("email", "amira@example.org")]),
        # dates of birth
        ("Ich bin am 12.03.1990 geboren.", [("date", "12.03.1990"), ("date", "geboren")]),
        ("geb. 12.03.1990", [("date", "geb. 12.03.1990")]),
        ("Geburtsdatum: 1990-03-12", [("date", "Geburtsdatum: 1990-03-12")]),
        ("born 1990 in a small town", [("date", "born 1990")]),
        ("Date of birth 03/12/1988", [("date", "Date of birth 03/12/1988")]),
        ("Jahrgang 1985, ruhig", [("date", "Jahrgang 1985")]),
        # origin or nationality
        ("Wir kommen aus Syrien.", [("origin", "Syrien")]),
        ("Wir sind eine syrische Familie.", [("origin", "syrische")]),
        ("We are from Afghanistan.", [("origin", "Afghanistan")]),
        ("Our nationality is Ukrainian.", [("origin", "nationality"), ("origin", "Ukrainian")]),
        ("Meine Herkunft ist egal.", [("origin", "Herkunft")]),
        # religion
        (
            "Wir sind Muslime und gehen in die Moschee.",
            [("religion", "Muslime"), ("religion", "Moschee")],
        ),
        (
            "We are a Christian family, active in our church.",
            [("religion", "Christian"), ("religion", "church")],
        ),
        ("Die Kirche ist nah.", [("religion", "Kirche")]),
        # health
        ("Mein Sohn ist chronisch krank.", [("health", "chronisch"), ("health", "krank")]),
        ("I have diabetes and depression.", [("health", "diabetes"), ("health", "depression")]),
        ("Mein Mann sitzt im Rollstuhl.", [("health", "Rollstuhl")]),
        ("Wir haben eine Schwerbehinderung.", [("health", "Schwerbehinderung")]),
        # residence status
        ("Wir haben eine Duldung.", [("residence", "Duldung")]),
        ("Unser Aufenthaltstitel ist verlängert.", [("residence", "Aufenthaltstitel")]),
        ("Das Asylverfahren läuft.", [("residence", "Asylverfahren")]),
        ("I have a residence permit.", [("residence", "residence permit")]),
        ("We are refugees seeking asylum.", [("residence", "refugees"), ("residence", "asylum")]),
    ],
)
def test_the_check_finds_what_must_not_reach_a_landlord(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Wir suchen eine ruhige Wohnung mit Balkon.",
        "Die Familie sucht eine Wohnung mit Aufzug, stufenlos und barrierefrei.",
        "Wir brauchen eine rollstuhlgerechte Wohnung.",
        "We need a wheelchair-accessible, step-free flat with a lift.",
        "Wir glauben, dass wir gute Mieter sind; Kooperation ist uns wichtig.",
        "2-3 Zimmer, 500-600 Euro warm, Einzug ab 01.03.2027, PLZ 47051.",
        "Two children (6 and 9), a cat, non-smokers, we work part-time in a bakery.",
        "Ich bin 52, arbeite in Teilzeit und lebe mit meiner Katze.",
        "",
    ],
)
def test_ordinary_text_gives_no_hit(text):
    assert found(text) == []


def test_the_hits_can_be_shown_marked_and_a_changed_text_is_checked_again():
    text = "Amira sucht. Tel. 0203-123456"
    hits = check(text, NAMES)
    pieces = segments(text, hits)
    assert "".join(piece for piece, _hit in pieces) == text
    assert [piece for piece, hit in pieces if hit] == ["Amira", "Tel. 0203-123456"]
    assert fingerprint(text, NAMES) == fingerprint(text, NAMES)
    assert fingerprint(text, NAMES) != fingerprint(text + ".", NAMES)
    assert fingerprint(text, NAMES) != fingerprint(text, [*NAMES, "Layla Haddad"])
    assert len(fingerprint(text, NAMES)) == 64 and "Amira" not in fingerprint(text, NAMES)


# Vetting ------------------------------------------------------------------------------------------

RISKY = "Wir, Amira und Samir, kommen aus Syrien. Tel. 0203-123456."


def draft(text: str = RISKY):
    household = HouseholdFactory(status="draft", vetted_at=None, profile_text=text)
    IdentityFactory(household=household)
    return household


def vet(browser, household, confirmed=()):
    path = f"{BASE}/{household.id}"
    data = status_form("vetted", confirm_hit=list(confirmed))
    return browser.post(f"{path}/status", data, csrf_from_path=path, follow_redirects=True)


def keys(household) -> list[str]:
    return [h.key for h in check(household.profile_text, NAMES)]


def test_vetting_is_refused_while_a_hit_is_unconfirmed(browser, db):
    browser.login("social_worker")
    household = draft()
    response = vet(browser, household)
    html = response.get_data(as_text=True)
    assert "The profile was not vetted" in html
    # Each hit is shown, marked, with why, and a tick "checked, may stay".
    for text in ("Amira", "Samir", "Syrien", "Tel. 0203-123456"):
        assert f"<mark>{text}</mark>" in html
    assert "a name of a household member" in html and "about origin or nationality" in html
    assert html.count('name="confirm_hit"') == 4
    db.session.refresh(household)
    assert household.status == "draft" and household.profile_text_checked is None

    # Three of four ticked: still refused.
    vet(browser, household, keys(household)[:3])
    db.session.refresh(household)
    assert household.status == "draft"
    assert (
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "household.vetted")).all()
        == []
    )


def test_vetting_with_every_hit_confirmed(browser, db):
    worker = browser.login("social_worker")
    household = draft()
    response = vet(browser, household, keys(household))
    assert "The profile is vetted. Landlords see it now." in response.get_data(as_text=True)
    db.session.refresh(household)
    assert household.status == "vetted"
    assert household.profile_text_checked == fingerprint(RISKY, NAMES)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "household.vetted")
    ).one()
    assert event.actor_id == worker.id and event.details["confirmed_hits"] == 4
    # The page no longer asks about this text.
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    assert 'name="confirm_hit"' not in html


def test_an_edited_text_can_be_vetted_without_confirmation(browser, db):
    browser.login("social_worker")
    household = draft("Wir suchen eine ruhige Wohnung mit Balkon.")
    vet(browser, household)
    db.session.refresh(household)
    assert household.status == "vetted"


def test_a_confirmed_text_needs_no_new_confirmation_after_a_pause(browser, db):
    browser.login("social_worker")
    household = draft()
    vet(browser, household, keys(household))
    path = f"{BASE}/{household.id}"
    browser.post(f"{path}/status", {"to": "paused"}, csrf_from_path=path)
    vet(browser, household)  # resume: the same text was confirmed
    db.session.refresh(household)
    assert household.status == "vetted"


# Editing a profile landlords see ------------------------------------------------------------------


def edit(browser, household, **overrides):
    path = f"{BASE}/{household.id}/edit"
    return browser.post(path, profile_form(**overrides), csrf_from_path=path)


def test_a_new_text_with_hits_on_a_vetted_profile_needs_confirmation(browser, db):
    browser.login("social_worker")
    household = IdentityFactory().household  # vetted
    response = edit(browser, household, profile_text="Wir sind Muslime und haben eine Duldung.")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The profile was not saved: please check the marked passages." in html
    assert "<mark>Muslime</mark>" in html and "<mark>Duldung</mark>" in html
    assert "Wir sind Muslime und haben eine Duldung." in html  # the input is kept
    db.session.refresh(household)
    assert household.profile_text == "Wir sind eine ruhige Familie."

    response = edit(
        browser,
        household,
        profile_text="Wir sind Muslime und haben eine Duldung.",
        confirm_hit=["religion:muslime", "residence:duldung"],
    )
    assert response.status_code == 302
    db.session.refresh(household)
    assert household.profile_text == "Wir sind Muslime und haben eine Duldung."
    assert household.profile_text_checked is not None


def test_a_new_member_name_in_the_text_of_a_vetted_profile_is_caught(browser, db):
    browser.login("social_worker")
    household = IdentityFactory().household
    household.profile_text = "Layla freut sich auf die Wohnung."
    db.session.commit()
    response = edit(
        browser,
        household,
        profile_text="Layla freut sich auf die Wohnung.",
        adult_names="Amira Haddad\nLayla Haddad",
    )
    assert response.status_code == 200 and "<mark>Layla</mark>" in response.get_data(as_text=True)


def test_a_harmless_edit_of_a_vetted_profile_is_saved(browser, db):
    browser.login("social_worker")
    household = IdentityFactory().household
    response = edit(browser, household, profile_text="Wir suchen eine ruhige Wohnung mit Balkon.")
    assert response.status_code == 302


def test_a_draft_is_saved_with_hits_and_checked_at_vetting(browser, db):
    browser.login("social_worker")
    household = IdentityFactory(
        household=HouseholdFactory(status="draft", vetted_at=None)
    ).household
    response = edit(browser, household, profile_text=RISKY)
    assert response.status_code == 302
    db.session.refresh(household)
    assert household.profile_text == RISKY and household.status == "draft"
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    assert "Check of the profile text" in html and "<mark>Syrien</mark>" in html


def test_specialists_do_not_see_the_check(browser, db):
    household = draft()
    browser.login("specialist")
    html = browser.client.get(f"{BASE}/{household.id}").get_data(as_text=True)
    assert 'name="confirm_hit"' not in html
