"""The landlord's side of the households domain: the list of vetted, consented profiles with its
filters, the profile page with the landlord's fitting flats, and "this household could live in
my flat"."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.accounts.models import utcnow
from portal.core.pagination import PER_PAGE
from portal.households.models import Consent, Household, ProfileView
from portal.listings.models import District
from portal.placements.models import Interest
from tests.conftest import counted_statements, outbox
from tests.factories import FlatFactory, HouseholdFactory, UserFactory


def district(db, name: str) -> District:
    return db.session.scalar(select(District).where(District.name == name))


def published_flat(organisation, **kw):
    """A published flat of ``organisation``: 3 rooms, 72 m², €640.00 gross cold rent."""
    now = utcnow()
    kw.setdefault("status", "published")
    kw.setdefault("submitted_at", now)
    kw.setdefault("published_at", now)
    return FlatFactory(organisation=organisation, **kw)


def fitting_household(**kw):
    """Two adults and a child whose limit (€687.80) the default flat keeps."""
    kw.setdefault("max_gross_cold_rent", Decimal("687.80"))
    return HouseholdFactory(**kw)


def landlord_with_flat(browser, **kw):
    user = browser.login("landlord", **kw)
    flat = published_flat(user.organisation)
    return user, flat


def page(browser, path: str) -> str:
    response = browser.client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def codes_in(html: str) -> list[str]:
    return re.findall(r"Household (DU-\d{4}-\d{4})</a>", html)


def interest_count(db) -> int:
    return db.session.scalar(select(func.count(Interest.id)))


# Hidden profiles ------------------------------------------------------------------------------


def _expired(h, today):
    h.consents[0].given_on = today - timedelta(days=200)
    h.consents[0].expires_on = today - timedelta(days=1)


def _withdrawn_consent(h, today):
    h.consents[0].withdrawn_on = today


def _future_consent(h, today):
    h.consents[0].given_on = today + timedelta(days=1)
    h.consents[0].expires_on = today + timedelta(days=100)


HIDDEN = {
    "consent expired": _expired,
    "consent withdrawn": _withdrawn_consent,
    "consent not yet valid": _future_consent,
    "draft": lambda h, today: setattr(h, "status", "draft"),
    "paused": lambda h, today: setattr(h, "status", "paused"),
    "housed": lambda h, today: setattr(h, "status", "housed"),
    "withdrawn": lambda h, today: setattr(h, "status", "withdrawn"),
}


@pytest.mark.parametrize("why", sorted(HIDDEN))
def test_hidden_profiles_are_gone_everywhere(browser, db, today, why):
    user, flat = landlord_with_flat(browser)
    shown = fitting_household()
    hidden = fitting_household()
    HIDDEN[why](hidden, today)
    db.session.flush()

    for path in ["/households/", "/households/?fits=y", "/households/?size=3"]:
        codes = codes_in(page(browser, path))
        assert shown.code in codes and hidden.code not in codes, path
    assert browser.client.get(f"/households/{hidden.id}").status_code == 404
    token = browser.csrf("/households/")
    response = browser.client.post(
        f"/households/{hidden.id}", data={"csrf_token": token, "flat": flat.public_key}
    )
    assert response.status_code == 404
    assert interest_count(db) == 0
    assert db.session.scalar(select(func.count(ProfileView.id))) == 0


def test_household_without_any_consent_is_hidden(browser, db):
    landlord_with_flat(browser)
    hidden = fitting_household(consent=False)
    assert hidden.code not in page(browser, "/households/")
    assert browser.client.get(f"/households/{hidden.id}").status_code == 404


def test_withdrawing_consent_hides_at_once(browser, db, today):
    landlord_with_flat(browser)
    household = fitting_household()
    assert browser.client.get(f"/households/{household.id}").status_code == 200
    household.consents[0].withdrawn_on = today
    db.session.flush()
    assert browser.client.get(f"/households/{household.id}").status_code == 404


def test_a_later_valid_consent_keeps_the_profile_visible(browser, db, today):
    landlord_with_flat(browser)
    household = fitting_household()
    _expired(household, today)
    db.session.add(
        Consent(
            household=household,
            given_on=today - timedelta(days=1),
            expires_on=today + timedelta(days=100),
        )
    )
    db.session.flush()
    assert household.code in page(browser, "/households/")


def test_made_up_id_is_404(browser, db):
    landlord_with_flat(browser)
    assert browser.client.get("/households/999999").status_code == 404


# The list --------------------------------------------------------------------------------------


def test_list_shows_tier_one_fields_as_cards(browser, db):
    landlord_with_flat(browser)
    household = fitting_household(
        adults=1,
        children=2,
        has_wbs=True,
        wbs_persons=3,
        has_pets=True,
        needs_step_free=True,
        cost_bearer="sozialamt",
        profile_text="We like quiet neighbourhoods.",
        preferred_districts=[district(db, "Hochfeld"), district(db, "Wedau")],
    )
    html = page(browser, "/households/")
    assert '<ul class="household-cards">' in html
    assert f'href="/households/{household.id}"' in html
    for text in [
        f"Household {household.code}",
        "1 adult, 2 children",
        "Rent paid via Sozialamt",
        "WBS for 3 persons",
        "Has pets",
        "Needs step-free access",
        "Hochfeld, Wedau",
        "We like quiet neighbourhoods.",
        "Supported by the Kümmerer team",
        "1 household",
    ]:
        assert text in html, text


def test_landlord_navigation_links_to_the_list(browser, db):
    landlord_with_flat(browser)
    html = page(browser, "/flats/")
    assert 'href="/households/"' in html and "Households looking for a home" in html


def test_default_order_is_longest_waiting_first(browser, db, today):
    landlord_with_flat(browser)
    newest = fitting_household(waiting_since=today - timedelta(days=5))
    oldest = fitting_household(waiting_since=today - timedelta(days=400))
    middle_b = fitting_household(waiting_since=today - timedelta(days=100))
    middle_a = fitting_household(waiting_since=today - timedelta(days=100))
    assert middle_b.id < middle_a.id  # same day: the lower id first
    assert codes_in(page(browser, "/households/")) == [
        oldest.code,
        middle_b.code,
        middle_a.code,
        newest.code,
    ]


def test_pagination_one_page_size_keeps_filters(browser, db, today):
    """The landlord's household list has the page size of every list (core/pagination.py)."""
    landlord_with_flat(browser)
    households = [
        fitting_household(waiting_since=today - timedelta(days=500 - n))
        for n in range(PER_PAGE + 3)
    ]
    other_size = fitting_household(adults=1, children=0)
    first = page(browser, "/households/?size=3")
    assert codes_in(first) == [h.code for h in households[:PER_PAGE]]
    # Not counted (issue 18): the first page tells its rows and that there is a next page; the
    # last page tells the number of all.
    assert f"Households 1 to {PER_PAGE}</h2>" in first
    assert "Page 1</span>" in first and "Page 1 of" not in first
    assert "/households/?size=3&amp;page=2" in first
    second = page(browser, "/households/?page=2&size=3")
    assert codes_in(second) == [h.code for h in households[PER_PAGE:]]
    assert f"{PER_PAGE + 3} households</h2>" in second
    assert 'rel="next"' not in second and "/households/?size=3&amp;page=1" in second
    assert other_size.code not in first + second
    assert codes_in(page(browser, "/households/?page=9")) == []
    assert f"{PER_PAGE + 4} households</h2>" in page(browser, "/households/?page=2")


def test_filter_household_size(browser, db):
    landlord_with_flat(browser)
    three = fitting_household(adults=2, children=1)
    four = fitting_household(adults=2, children=2)
    assert codes_in(page(browser, "/households/?size=4")) == [four.code]
    assert codes_in(page(browser, "/households/?size=3")) == [three.code]


def test_filter_fits_one_of_my_flats(browser, db):
    user, flat = landlord_with_flat(browser)
    fits = fitting_household()
    too_poor = fitting_household(max_gross_cold_rent=Decimal("564.00"))
    # Eight persons by the table: no amount per further person entered, so no limit. (Its size
    # alone no longer excludes it: product theory, issue 16.)
    no_limit = fitting_household(
        adults=5, children=3, needed_rooms=Decimal("8"), max_gross_cold_rent=None
    )
    wheelchair = fitting_household(needs_wheelchair=True)
    # Another organisation's flat that would fit the wheelchair household does not count.
    published_flat(FlatFactory().organisation, is_wheelchair_accessible=True)
    codes = codes_in(page(browser, "/households/?fits=y"))
    assert codes == [fits.code]
    assert {too_poor.code, no_limit.code, wheelchair.code}.isdisjoint(codes)
    # A second own flat widens the filter.
    published_flat(user.organisation, is_wheelchair_accessible=True)
    assert set(codes_in(page(browser, "/households/?fits=y"))) == {fits.code, wheelchair.code}


def test_filter_fits_without_published_flats_shows_nobody_and_says_why(browser, db):
    user = browser.login("landlord")
    FlatFactory(organisation=user.organisation, status="submitted", submitted_at=utcnow())
    fitting_household()
    html = page(browser, "/households/?fits=y")
    assert codes_in(html) == []
    assert "You have no published flat yet" in html


def test_with_a_published_flat_the_list_does_not_say_there_is_none(browser, db):
    """Without the filter "fits my flats" the list asks only whether a published flat exists
    (``has_published_flat``); with it, it reads the flats."""
    landlord_with_flat(browser)
    household = fitting_household()
    for path in ("/households/", "/households/?fits=y"):
        html = page(browser, path)
        assert codes_in(html) == [household.code], path
        assert "You have no published flat yet" not in html
        assert "as soon as the Kümmerer team has published" not in html


def test_filter_earliest_move_in(browser, db, today):
    landlord_with_flat(browser)
    soon = fitting_household(earliest_move_in=today + timedelta(days=10))
    on_the_day = fitting_household(earliest_move_in=today + timedelta(days=30))
    later = fitting_household(earliest_move_in=today + timedelta(days=31))
    by = (today + timedelta(days=30)).isoformat()
    codes = codes_in(page(browser, f"/households/?move_in_by={by}"))
    assert set(codes) == {soon.code, on_the_day.code} and later.code not in codes


def test_filter_district_keeps_households_without_preference(browser, db):
    landlord_with_flat(browser)
    hochfeld, wedau = district(db, "Hochfeld"), district(db, "Wedau")
    likes_hochfeld = fitting_household(preferred_districts=[wedau, hochfeld])
    likes_wedau = fitting_household(preferred_districts=[wedau])
    anywhere = fitting_household(preferred_districts=[])
    codes = codes_in(page(browser, f"/households/?district={hochfeld.id}"))
    assert set(codes) == {likes_hochfeld.code, anywhere.code}
    assert likes_wedau.code not in codes


def test_filter_step_free(browser, db):
    landlord_with_flat(browser)
    step_free = fitting_household(needs_step_free=True)
    wheelchair = fitting_household(needs_wheelchair=True)
    none = fitting_household()
    codes = codes_in(page(browser, "/households/?step_free=y"))
    assert set(codes) == {step_free.code, wheelchair.code} and none.code not in codes


def test_filter_wbs(browser, db):
    landlord_with_flat(browser)
    with_wbs = fitting_household(has_wbs=True, wbs_persons=3)
    without = fitting_household(has_wbs=False)
    assert codes_in(page(browser, "/households/?wbs=yes")) == [with_wbs.code]
    assert codes_in(page(browser, "/households/?wbs=no")) == [without.code]


def test_filters_combine(browser, db):
    landlord_with_flat(browser)
    both = fitting_household(has_wbs=True, wbs_persons=3, needs_step_free=True)
    fitting_household(has_wbs=True, wbs_persons=3)
    fitting_household(needs_step_free=True)
    assert codes_in(page(browser, "/households/?wbs=yes&step_free=y&size=3")) == [both.code]


@pytest.mark.parametrize(
    "query",
    ["size=abc", "size=99", "district=xyz", "district=999999", "move_in_by=31.02.2026", "wbs=x"],
)
def test_junk_filter_values_do_not_break_the_page(browser, db, query):
    landlord_with_flat(browser)
    household = fitting_household()
    response = browser.client.get(f"/households/?{query}")
    assert response.status_code == 200
    # Junk is no filter; a district nobody named keeps the households without a preference.
    assert codes_in(response.get_data(as_text=True)) == [household.code]


def test_filter_form_goes_through_the_field_macro(browser, db):
    landlord_with_flat(browser)
    html = page(browser, "/households/?move_in_by=nonsense")
    for field_id in ["filter-size", "filter-fits", "filter-move-in", "filter-district"]:
        assert f'for="{field_id}"' in html and f'id="{field_id}"' in html
    assert 'id="filter-move-in-error"' in html


def test_empty_list_says_so(browser, db):
    landlord_with_flat(browser)
    assert "No household is looking right now" in page(browser, "/households/")
    assert "No household matches these filters" in page(browser, "/households/?size=7")


def test_list_needs_a_fixed_number_of_queries(browser, db):
    user, _flat = landlord_with_flat(browser)
    hochfeld, wedau = district(db, "Hochfeld"), district(db, "Wedau")

    def count_for(n: int, path: str) -> int:
        for _ in range(n):
            fitting_household(preferred_districts=[hochfeld, wedau])
        db.session.commit()
        with counted_statements(db.engine) as statements:
            html = page(browser, path)
        assert "Hochfeld, Wedau" in html
        return len(statements)

    for path in ["/households/", "/households/?fits=y&district=" + str(hochfeld.id)]:
        db.session.execute(Household.__table__.delete())
        three = count_for(3, path)
        db.session.execute(Household.__table__.delete())
        thirty = count_for(30, path)
        assert three == thirty, path


# The profile -----------------------------------------------------------------------------------


def test_profile_shows_fitting_flats_with_reasons(browser, db):
    user, flat = landlord_with_flat(browser)
    household = fitting_household(profile_text="Wir suchen ruhig.\nGern mit Garten.")
    too_dear = published_flat(user.organisation, cold_rent=Decimal("600.00"), street="Teuerweg")
    html = page(browser, f"/households/{household.id}")
    assert f"<h1>Household {household.code}</h1>" in html
    assert f"{flat.address_line} fits" in html
    assert "No WBS required: a flat of 72\xa0m² fits any household whose rent limit" in html
    assert "€640.00 gross cold rent: within what the Jobcenter pays" in html
    # The flat that does not fit is explained, not offered as fitting.
    assert f"{too_dear.address_line} fits" not in html
    assert "€760.00 gross cold rent: above what the Jobcenter pays" in html
    # The household's own limit (here the staff's override) never reaches the landlord.
    assert "687.80" not in html and "override" not in html
    assert "Wir suchen ruhig.\nGern mit Garten." in html


def test_profile_says_plainly_when_no_flat_fits(browser, db):
    user = browser.login("landlord")
    published_flat(user.organisation, cold_rent=Decimal("900.00"))
    household = fitting_household()
    html = page(browser, f"/households/{household.id}")
    assert "None of your published flats fits this household" in html
    # Suggesting a flat the rules do not find fitting stays possible: the team decides.
    assert 'name="flat"' in html


def test_without_published_flats_no_profile_is_shown(browser, db):
    """Issue 19: households only of the sites where the organisation has a published flat."""
    user = browser.login("landlord")
    FlatFactory(organisation=user.organisation, status="submitted", submitted_at=utcnow())
    household = fitting_household()
    assert browser.client.get(f"/households/{household.id}").status_code == 404
    html = page(browser, "/households/")
    assert household.code not in html
    assert "as soon as the Kümmerer team has published one of your flats there" in html


def test_each_profile_view_is_recorded_with_the_organisation(browser, db):
    user, _flat = landlord_with_flat(browser)
    household = fitting_household()
    other = fitting_household()
    page(browser, "/households/")
    assert db.session.scalar(select(func.count(ProfileView.id))) == 0  # the list is no view
    page(browser, f"/households/{household.id}")
    page(browser, f"/households/{household.id}")
    views = db.session.scalars(select(ProfileView).order_by(ProfileView.id)).all()
    assert [(v.household_id, v.organisation_id, v.user_id) for v in views] == [
        (household.id, user.organisation_id, user.id)
    ] * 2
    assert other.id not in {v.household_id for v in views}


# Interest ----------------------------------------------------------------------------------------


def post_interest(browser, household, flat_key, message="", **kw):
    return browser.post(
        f"/households/{household.id}",
        {"flat": flat_key, "message": message},
        csrf_from_path=f"/households/{household.id}",
        **kw,
    )


def test_register_interest(browser, db):
    user, flat = landlord_with_flat(browser)
    household = fitting_household()
    html = page(browser, f"/households/{household.id}")
    assert f'<option selected value="{flat.public_key}">' in html  # the fitting flat is suggested
    response = post_interest(browser, household, flat.public_key, "Viewing possible on Saturdays.")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/households/{household.id}"
    interest = db.session.scalar(select(Interest))
    assert (interest.flat_id, interest.household_id, interest.organisation_id) == (
        flat.id,
        household.id,
        user.organisation_id,
    )
    assert interest.created_by_id == user.id
    assert interest.message == "Viewing possible on Saturdays."
    assert interest.status == "open"
    mails = outbox(user.email)
    assert len(mails) == 1 and household.code in mails[0].subject
    assert len(outbox()) == 2  # and the notice to the team
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"household {household.code} could live in your flat {flat.address_line}" in html
    assert "You have already suggested:" in html
    assert "You have suggested this household for all your published flats" in html


def test_duplicate_interest_is_refused_and_nothing_written(browser, db):
    user, flat = landlord_with_flat(browser)
    second = published_flat(user.organisation)
    household = fitting_household()
    post_interest(browser, household, flat.public_key)
    html = page(browser, f"/households/{household.id}")
    assert f"{flat.address_line} (already suggested)" in html
    assert f'<option value="{second.public_key}">' in html or f'value="{second.public_key}"' in html
    before = len(outbox())
    response = post_interest(browser, household, flat.public_key, "again", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "You have already told the Kümmerer team that this household could live in" in html
    assert interest_count(db) == 1 and len(outbox()) == before
    # The other flat is still possible.
    post_interest(browser, household, second.public_key)
    assert interest_count(db) == 2


def test_interest_for_a_foreign_flat_is_refused(browser, db):
    landlord_with_flat(browser)
    foreign = published_flat(FlatFactory().organisation)
    household = fitting_household()
    response = post_interest(browser, household, foreign.public_key)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please choose one of your published flats." in html
    assert interest_count(db) == 0 and outbox() == []
    assert foreign.address_line not in html


@pytest.mark.parametrize("status", ["draft", "submitted", "changes_requested", "reserved"])
def test_interest_for_an_unpublished_own_flat_is_refused(browser, db, status):
    user, _flat = landlord_with_flat(browser)
    other = FlatFactory(organisation=user.organisation, status=status, submitted_at=utcnow())
    household = fitting_household()
    response = post_interest(browser, household, other.public_key)
    assert "Please choose one of your published flats." in response.get_data(as_text=True)
    assert interest_count(db) == 0 and outbox() == []


@pytest.mark.parametrize("flat_value", ["", "abc", "-1"])
def test_interest_without_a_valid_flat_choice(browser, db, flat_value):
    landlord_with_flat(browser)
    household = fitting_household()
    response = post_interest(browser, household, flat_value)
    assert "Please choose one of your published flats." in response.get_data(as_text=True)
    assert interest_count(db) == 0


def test_interest_message_at_most_1000_characters(browser, db):
    _user, flat = landlord_with_flat(browser)
    household = fitting_household()
    response = post_interest(browser, household, flat.public_key, "x" * 1001)
    html = response.get_data(as_text=True)
    assert "Please write at most 1,000 characters." in html
    assert "x" * 1001 in html  # the input is kept
    assert interest_count(db) == 0
    post_interest(browser, household, flat.public_key, "y" * 1000)
    assert db.session.scalar(select(Interest.message)) == "y" * 1000


def test_unverified_landlord_sees_no_profiles_and_cannot_register(browser, db):
    """Issue 13.2: the household list and profiles answer only confirmed accounts."""
    user, flat = landlord_with_flat(browser, email_verified_at=None)
    household = fitting_household()
    for path in ("/households/", f"/households/{household.id}"):
        response = browser.client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/account/confirm"
        assert household.code not in response.get_data(as_text=True)
    confirm = browser.client.get("/account/confirm").get_data(as_text=True)
    assert household.code not in confirm
    response = post_interest(browser, household, flat.public_key)
    assert response.headers["Location"] == "/account/confirm"
    assert interest_count(db) == 0 and outbox(user.email) == []


def test_landlord_without_submitted_flat_cannot_register(browser, db):
    """Without a published flat the profile is not there at all (issue 19): 404 for both."""
    user = browser.login("landlord")
    draft = FlatFactory(organisation=user.organisation, status="draft")
    household = fitting_household()
    assert browser.client.get(f"/households/{household.id}").status_code == 404
    response = browser.post(
        f"/households/{household.id}", {"flat": draft.public_key}, csrf_from_path="/households/"
    )
    assert response.status_code == 404
    assert interest_count(db) == 0 and outbox() == []


def test_post_without_csrf_is_refused(browser, db):
    _user, flat = landlord_with_flat(browser)
    household = fitting_household()
    response = browser.client.post(f"/households/{household.id}", data={"flat": flat.public_key})
    assert response.status_code == 400
    assert interest_count(db) == 0


def test_colleague_sees_the_organisation_s_interest(browser, db):
    user, flat = landlord_with_flat(browser)
    household = fitting_household()
    post_interest(browser, household, flat.public_key)
    browser.logout()
    colleague = UserFactory(organisation=user.organisation, is_org_admin=False)
    browser.login(colleague)
    html = page(browser, f"/households/{household.id}")
    assert f"{flat.address_line}, on" in html
