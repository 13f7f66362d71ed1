"""Matching households and flats: each hard rule met and missed (in Python and in both SQL
directions), who is visible, the soft order, the reasons shown, and the landlord's filter."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from portal.core import clock
from portal.extensions import db
from portal.households.models import Consent, Household, HouseholdStatus
from portal.listings.models import District, Flat, FlatStatus
from portal.matching.rules import (
    MAX_VACANCY_DAYS,
    explain,
    fits_any_of,
    flat_conditions,
    hard_reasons,
    household_conditions,
    is_match,
    rank_flats,
    rank_households,
    soft_reasons,
)
from tests.factories import CompanyFactory, FlatFactory, HouseholdFactory


def district(name: str) -> District:
    return db.session.scalar(select(District).where(District.name == name))


def published(**kw) -> Flat:
    """3 rooms, 72 m², €640.00 gross cold rent, free in 30 days, in Neudorf-Nord."""
    return FlatFactory(status=FlatStatus.PUBLISHED.value, **kw)


def household(**kw) -> Household:
    """Three persons granted 3 rooms and 80 m², up to €687.80, vetted with a valid consent."""
    kw.setdefault("max_gross_cold_rent", Decimal("687.80"))
    return HouseholdFactory(**kw)


def sql_households(flat: Flat) -> set[int]:
    return set(
        db.session.scalars(select(Household.id).where(*household_conditions(flat, clock.today())))
    )


def sql_flats(h: Household) -> set[int]:
    return set(db.session.scalars(select(Flat.id).where(*flat_conditions(h))))


def assert_fits(flat: Flat, h: Household, expected: bool) -> None:
    """The Python rule and both SQL directions agree on the pair, and with ``expected``."""
    db.session.flush()
    assert is_match(flat, h) is expected
    assert (h.id in sql_households(flat)) is expected
    assert (flat.id in sql_flats(h)) is expected


@pytest.fixture
def en(app):
    """Reasons are rendered in the user's language: English here."""
    with app.test_request_context(), force_locale("en"):
        yield


def plain(text: str) -> str:
    return text.replace("\u00a0", " ")


# Size -------------------------------------------------------------------------------------------
# Floor area and rooms bind only a flat that requires a WBS; any other flat fits at any size when
# its rent does (product theory). Fewer rooms than needed is a preference, never an exclusion
# (changed with issue 16: a flat of 2.5 rooms no longer excludes a household granted 3).


def wbs_flat(**kw) -> Flat:
    return published(wbs_required=True, wbs_persons=kw.pop("wbs_persons", 1), **kw)


def wbs_household(**kw) -> Household:
    return household(has_wbs=True, wbs_persons=kw.pop("wbs_persons", 3), **kw)


@pytest.mark.parametrize(
    ("rooms", "area", "expected"),
    [
        ("3", "72", True),  # as granted
        ("3", "85", True),  # 80 m² plus the 5 m² tolerance
        ("3.5", "85", True),
        ("3.5", "85.01", False),  # more rooms and more area than granted
        ("4", "90", False),
        ("3", "100", True),  # larger, but no more rooms than granted
        ("2.5", "70", True),  # fewer rooms than granted: a preference, not a rule
        ("2", "60", True),
        ("1.5", "60", True),
    ],
)
def test_size_binds_a_flat_that_requires_a_wbs(rooms, area, expected):
    flat = wbs_flat(rooms=Decimal(rooms), living_area=Decimal(area))
    assert_fits(flat, wbs_household(), expected)


@pytest.mark.parametrize(
    ("rooms", "area"), [("3", "72"), ("3.5", "85.01"), ("4", "90"), ("5", "140"), ("2", "60")]
)
def test_product_theory_any_size_fits_a_flat_without_wbs(rooms, area):
    flat = published(rooms=Decimal(rooms), living_area=Decimal(area))
    assert_fits(flat, household(), True)


def test_product_theory_a_single_person_and_58_square_metres_at_390_euros():
    # The table in force gives one person 396.00 €; the WNB area would be 50 m².
    single = household(
        adults=1,
        children=0,
        needed_rooms=Decimal("1"),
        needed_area=Decimal("50"),
        max_gross_cold_rent=None,
    )
    flat = published(
        rooms=Decimal("2"),
        living_area=Decimal("58"),
        cold_rent=Decimal("310.00"),
        service_charges=Decimal("80.00"),
    )
    assert_fits(flat, single, True)
    # ... the same flat with a WBS requirement is too large for one person.
    single.has_wbs, single.wbs_persons = True, 1
    assert_fits(
        wbs_flat(
            rooms=Decimal("2"),
            living_area=Decimal("58"),
            cold_rent=Decimal("310.00"),
            service_charges=Decimal("80.00"),
        ),
        single,
        False,
    )
    # ... and at 396.01 € the rent decides against it.
    assert_fits(
        published(
            rooms=Decimal("2"),
            living_area=Decimal("58"),
            cold_rent=Decimal("316.01"),
            service_charges=Decimal("80.00"),
        ),
        single,
        False,
    )


def test_the_area_tolerance_to_the_cent():
    # 60.01 + 5 is less than 65.01 in floating point, which SQLite would use.
    h = wbs_household(adults=2, children=0, needed_rooms=Decimal("2"), needed_area=Decimal("60.01"))
    assert_fits(wbs_flat(rooms=Decimal("3"), living_area=Decimal("65.01")), h, True)
    assert_fits(wbs_flat(rooms=Decimal("3"), living_area=Decimal("65.02")), h, False)


def test_one_person_in_a_wbs_flat():
    h = wbs_household(
        adults=1, children=0, needed_rooms=Decimal("1"), needed_area=Decimal("50"), wbs_persons=1
    )
    assert_fits(wbs_flat(rooms=Decimal("1"), living_area=Decimal("38")), h, True)
    assert_fits(wbs_flat(rooms=Decimal("1.5"), living_area=Decimal("55")), h, True)
    assert_fits(wbs_flat(rooms=Decimal("2"), living_area=Decimal("55.01")), h, False)


def test_overridden_rooms_and_area_count_not_the_persons():
    # Three persons, one in a wheelchair: the social worker granted 4 rooms and 95 m².
    wide = wbs_household(needed_rooms=Decimal("4"), needed_area=Decimal("95"))
    normal = wbs_household()
    big = wbs_flat(rooms=Decimal("4"), living_area=Decimal("98"))
    assert_fits(big, wide, True)
    assert_fits(big, normal, False)
    # ... and a smaller grant narrows: 2 rooms and 60 m² for three persons.
    narrow = wbs_household(needed_rooms=Decimal("2"), needed_area=Decimal("60"))
    flat = wbs_flat(rooms=Decimal("3"), living_area=Decimal("72"))
    assert_fits(flat, narrow, False)
    assert_fits(wbs_flat(rooms=Decimal("2"), living_area=Decimal("65")), narrow, True)
    # Four rooms granted: fewer rooms still fit, the score and a reason say so.
    assert_fits(wbs_flat(rooms=Decimal("3"), living_area=Decimal("90")), wide, True)
    assert_fits(wbs_flat(rooms=Decimal("2"), living_area=Decimal("60")), wide, True)


def test_fewer_rooms_than_needed_is_a_preference_with_a_reason(en, today):
    flat = published(rooms=Decimal("2"), living_area=Decimal("60"))
    h = household()  # needs 3 rooms
    assert_fits(flat, h, True)
    rooms = [r for r in soft_reasons(flat, h) if r.rule == "rooms"]
    assert [(r.met, r.hard, plain(r.text)) for r in rooms] == [
        (False, False, "2 rooms; the household would like 3")
    ]
    assert explain(flat, h, today).fits
    # As many rooms as needed, or more: nothing to say.
    assert not [r for r in soft_reasons(published(), h) if r.rule == "rooms"]


def test_a_flat_without_size_fits_nobody():
    flat = published(rooms=None, living_area=None)
    assert_fits(flat, household(), False)


# Rent -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cold", "charges", "expected"),
    [
        ("480.00", "160.00", True),
        ("527.80", "160.00", True),  # exactly the limit
        ("527.70", "160.10", True),
        ("527.81", "160.00", False),
        ("600.00", "100.00", False),
    ],
)
def test_gross_cold_rent_within_the_limit(cold, charges, expected):
    flat = published(cold_rent=Decimal(cold), service_charges=Decimal(charges))
    assert_fits(flat, household(max_gross_cold_rent=Decimal("687.80")), expected)


def test_unknown_rent_or_limit_fits_nobody():
    assert_fits(published(service_charges=None), household(), False)
    assert_fits(published(), household(max_gross_cold_rent=None), False)


# WBS --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("has_wbs", "wbs_persons", "expected"),
    [(False, None, False), (True, None, False), (True, 2, False), (True, 3, True), (True, 4, True)],
)
def test_wbs_for_at_least_as_many_persons(has_wbs, wbs_persons, expected):
    flat = published(wbs_required=True, wbs_persons=3)
    assert_fits(flat, household(has_wbs=has_wbs, wbs_persons=wbs_persons), expected)


def test_wbs_without_persons_means_one():
    flat = published(wbs_required=True, wbs_persons=None)
    assert_fits(flat, household(has_wbs=True, wbs_persons=1), True)
    assert_fits(flat, household(has_wbs=False), False)


def test_a_flat_without_wbs_takes_everyone():
    flat = published(wbs_required=False)
    assert_fits(flat, household(has_wbs=False), True)
    assert_fits(flat, household(has_wbs=True, wbs_persons=1), True)


# Access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step_free", "wheelchair", "needs_step_free", "needs_wheelchair", "expected"),
    [
        (False, False, False, False, True),
        (False, False, True, False, False),
        (True, False, True, False, True),
        (False, True, True, False, True),  # wheelchair accessible is step-free too
        (True, False, False, True, False),
        (False, True, False, True, True),
        (True, True, True, True, True),
        (True, True, False, False, True),
    ],
)
def test_step_free_and_wheelchair(
    step_free, wheelchair, needs_step_free, needs_wheelchair, expected
):
    flat = published(is_step_free=step_free, is_wheelchair_accessible=wheelchair)
    h = household(needs_step_free=needs_step_free, needs_wheelchair=needs_wheelchair)
    assert_fits(flat, h, expected)


# Move-in ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_after_free", "expected"),
    [(-100, True), (0, True), (MAX_VACANCY_DAYS, True), (MAX_VACANCY_DAYS + 1, False)],
)
def test_move_in_within_the_vacancy_window(days_after_free, expected, today):
    free = today + timedelta(days=30)
    flat = published(available_from=free)
    h = household(earliest_move_in=free + timedelta(days=days_after_free))
    assert_fits(flat, h, expected)


def test_a_flat_without_date_fits_nobody():
    assert_fits(published(available_from=None), household(), False)


# Visibility -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        HouseholdStatus.DRAFT,
        HouseholdStatus.PAUSED,
        HouseholdStatus.HOUSED,
        HouseholdStatus.WITHDRAWN,
    ],
)
def test_only_vetted_households_are_offered(status, today):
    flat = published()
    vetted = household()
    hidden = household(status=status.value)
    assert is_match(flat, hidden)  # the rules hold, only the status hides it
    assert sql_households(flat) == {vetted.id}
    assert [m.household for m in rank_households(flat, today=today)] == [vetted]


def consent(
    h: Household, today: date, given: int, expires: int, withdrawn: int | None = None
) -> Consent:
    """A consent given, expiring and withdrawn that many days from ``today``."""
    row = Consent(
        household=h,
        given_on=today + timedelta(days=given),
        expires_on=today + timedelta(days=expires),
        withdrawn_on=None if withdrawn is None else today + timedelta(days=withdrawn),
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.mark.parametrize(
    ("given", "expires", "withdrawn", "visible"),
    [
        (-10, 170, None, True),
        (0, 180, None, True),  # given today
        (-180, 0, None, True),  # expires today: still valid today
        (-181, -1, None, False),  # expired
        (-10, 170, -1, False),  # withdrawn
        (-10, 170, 0, False),  # withdrawn today
        (1, 181, None, False),  # given for the future
    ],
)
def test_only_households_with_a_valid_consent_are_offered(
    given, expires, withdrawn, visible, today
):
    flat = published()
    h = household(consent=False)
    consent(h, today, given, expires, withdrawn)
    assert h.is_visible_to_landlords(today) is visible
    assert (h.id in sql_households(flat)) is visible
    assert bool(rank_households(flat, today=today)) is visible


def test_no_consent_no_offer_and_one_valid_consent_among_old_ones_is_enough(today):
    flat = published()
    without = household(consent=False)
    several = household(consent=False)
    consent(several, today, -400, -200)
    consent(several, today, -10, 170, withdrawn=-5)
    assert sql_households(flat) == set()
    consent(several, today, -3, 177)
    assert sql_households(flat) == {several.id}
    assert without.id not in sql_households(flat)


@pytest.mark.parametrize(
    "status",
    [s for s in FlatStatus if s != FlatStatus.PUBLISHED],
)
def test_only_published_flats_are_offered(status, today):
    h = household()
    shown = published()
    FlatFactory(status=status.value)
    assert sql_flats(h) == {shown.id}
    assert [m.flat for m in rank_flats(h, today=today)] == [shown]


# Soft order -------------------------------------------------------------------------------------


def test_preferred_district_first_then_no_preference_then_elsewhere(today):
    flat = published(district=district("Neudorf-Nord"))
    elsewhere = household()
    elsewhere.preferred_districts = [district("Marxloh")]
    no_preference = household()
    preferring = household()
    preferring.preferred_districts = [district("Marxloh"), district("Neudorf-Nord")]
    db.session.flush()
    ranked = [m.household for m in rank_households(flat, today=today)]
    assert ranked == [preferring, no_preference, elsewhere]


def test_the_fifty_best_of_many_in_the_order_of_score(today):
    """The database ranks and cuts off at the limit (issue 18: ids from the ranking, rows loaded
    after); the result is the first fifty of all fitting households sorted by ``score``, then
    longer waiting, then id, with every soft rule in play."""
    flat = published(district=district("Neudorf-Nord"), pets_allowed=False)
    names = [[], [district("Marxloh")], [district("Marxloh"), district("Neudorf-Nord")]]
    everyone = []
    for n in range(70):
        h = household(
            waiting_since=today - timedelta(days=(n * 37) % 900),
            needed_rooms=Decimal(["2", "2.5", "3", "3.5", "4"][n % 5]),
            has_pets=n % 4 == 0,
        )
        h.preferred_districts = names[n % 3]
        everyone.append(h)
    db.session.flush()
    expected = sorted(
        everyone,
        key=lambda h: (-round(7 * explain(flat, h, today).score), h.waiting_since, h.id),
    )[:50]
    matches = rank_households(flat, today=today)
    assert [m.household for m in matches] == expected
    assert [m.score for m in matches] == [explain(flat, h, today).score for h in expected]


def test_longer_waiting_first(today):
    flat = published()
    recent = household(waiting_since=today - timedelta(days=30))
    long_ago = household(waiting_since=today - timedelta(days=400))
    middle = household(waiting_since=today - timedelta(days=200))
    ranked = [m.household for m in rank_households(flat, today=today)]
    assert ranked == [long_ago, middle, recent]


def test_waiting_time_counts_two_years_at_most_then_the_longer_wait_wins_the_tie(today):
    flat = published()
    three_years = household(waiting_since=today - timedelta(days=3 * 365))
    four_years = household(waiting_since=today - timedelta(days=4 * 365))
    matches = rank_households(flat, today=today)
    assert matches[0].score == matches[1].score
    assert [m.household for m in matches] == [four_years, three_years]


def test_closer_room_fit_first(today):
    flat = published(rooms=Decimal("3"), living_area=Decimal("72"))
    two = household(needed_rooms=Decimal("2"), needed_area=Decimal("80"))
    three = household()
    two_and_a_half = household(needed_rooms=Decimal("2.5"), needed_area=Decimal("72"))
    # Fewer rooms than it would like: it fits, half a room off like 2.5 (the older id first).
    three_and_a_half = household(needed_rooms=Decimal("3.5"), needed_area=Decimal("88"))
    ranked = [m.household for m in rank_households(flat, today=today)]
    assert ranked == [three, two_and_a_half, three_and_a_half, two]


def test_pets_count_against_a_flat_without_pets_only(today):
    no_pets_flat = published(pets_allowed=False)
    pets_flat = published(pets_allowed=True)
    with_pets = household(has_pets=True, waiting_since=today - timedelta(days=400))
    without = household(has_pets=False)
    # 400 days of waiting (57 points) outweigh nothing, the 20-point penalty does not apply.
    assert [m.household for m in rank_households(pets_flat, today=today)] == [with_pets, without]
    without.waiting_since = today - timedelta(days=300)  # 43 points vs 57 - 20
    db.session.flush()
    assert [m.household for m in rank_households(no_pets_flat, today=today)] == [
        without,
        with_pets,
    ]
    assert [m.household for m in rank_households(pets_flat, today=today)] == [with_pets, without]


def test_rank_households_returns_only_fitting_households_best_first_up_to_the_limit(today):
    flat = published()
    best = household(waiting_since=today - timedelta(days=500))
    second = household(waiting_since=today - timedelta(days=300))
    third = household(waiting_since=today - timedelta(days=100))
    household(max_gross_cold_rent=Decimal("600.00"), waiting_since=today - timedelta(days=900))
    household(needs_wheelchair=True, waiting_since=today - timedelta(days=900))
    matches = rank_households(flat, today=today)
    assert [m.household for m in matches] == [best, second, third]
    assert all(m.fits and m.flat is flat for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert [m.household for m in rank_households(flat, limit=2, today=today)] == [best, second]
    assert rank_households(published(rooms=None), today=today) == []


def test_rank_flats_returns_only_fitting_published_flats_best_first(today):
    h = household()
    h.preferred_districts = [district("Marxloh")]
    db.session.flush()
    close = published(district=district("Marxloh"), rooms=Decimal("3"))
    far = published(rooms=Decimal("3"))
    off_by_half = published(
        district=district("Marxloh"), rooms=Decimal("3.5"), living_area=Decimal("80")
    )
    # Half a room fewer than needed: a preference, so it fits, scored like half a room more.
    fewer = published(district=district("Marxloh"), rooms=Decimal("2.5"), living_area=Decimal("70"))
    published(cold_rent=Decimal("600.00"))  # too expensive
    published(wbs_required=True, wbs_persons=3)  # the household has no WBS
    FlatFactory(status=FlatStatus.SUBMITTED.value, district=district("Marxloh"))
    matches = rank_flats(h, today=today)
    assert [m.flat for m in matches] == [close, off_by_half, fewer, far]
    assert all(m.fits and m.household is h for m in matches)
    assert [m.flat for m in rank_flats(h, limit=1, today=today)] == [close]


# Reasons ----------------------------------------------------------------------------------------


def reasons_by_rule(match_reasons) -> dict[str, tuple[bool, str]]:
    return {r.rule: (r.met, plain(r.text)) for r in match_reasons}


def test_reasons_when_everything_fits(en, today):
    free = date(2026, 11, 25)
    flat = published(available_from=free, wbs_required=True, wbs_persons=3, is_step_free=True)
    h = household(
        has_wbs=True,
        wbs_persons=3,
        needs_step_free=True,
        earliest_move_in=date(2026, 12, 1),
    )
    assert reasons_by_rule(hard_reasons(flat, h)) == {
        "size": (
            True,
            "3 rooms needed, the flat has 3; 72 m² within the 80 m² for 3 persons",
        ),
        "rent": (True, "€640.00 gross cold rent within the limit (override by staff: €687.80)"),
        "wbs": (True, "WBS for 3 persons required; the household has one for 3"),
        "access": (True, "Step-free or wheelchair access as the household needs"),
        "move_in": (True, "Free from 25 Nov 2026; the household can move in from 1 Dec 2026"),
    }
    match = explain(flat, h, today)
    assert match.fits


def test_reasons_when_nothing_fits(en, today):
    flat = published(
        rooms=Decimal("4.5"),
        living_area=Decimal("101.5"),
        cold_rent=Decimal("600.00"),
        service_charges=Decimal("100.00"),
        wbs_required=True,
        wbs_persons=4,
        available_from=date(2026, 11, 25),
    )
    h = household(
        has_wbs=True,
        wbs_persons=3,
        needs_wheelchair=True,
        earliest_move_in=date(2027, 1, 25),
    )
    assert reasons_by_rule(hard_reasons(flat, h)) == {
        "size": (
            False,
            "3 rooms and up to 80 m² suit 3 persons; the flat has 4.5 rooms and 101.5 m²",
        ),
        "rent": (False, "€700.00 gross cold rent is above the limit (override by staff: €687.80)"),
        "wbs": (False, "WBS for 4 persons required; the household has one for 3"),
        "access": (False, "The household needs step-free or wheelchair access"),
        "move_in": (
            False,
            "Free from 25 Nov 2026; the household can move in from 25 Jan 2027",
        ),
    }
    match = explain(flat, h, today)
    assert not match.fits
    assert not is_match(flat, h)


def test_rules_that_do_not_apply_give_no_reason(en):
    flat = published(wbs_required=False)
    h = household(needs_step_free=False, needs_wheelchair=False, has_pets=False)
    assert [r.rule for r in hard_reasons(flat, h)] == ["size", "rent", "move_in"]
    assert soft_reasons(flat, h) == []


def test_wbs_reason_without_a_wbs(en):
    flat = published(wbs_required=True, wbs_persons=None)
    reasons = reasons_by_rule(hard_reasons(flat, household(has_wbs=False)))
    assert reasons["wbs"] == (False, "WBS required; the household has none")


def test_no_rent_limit_is_not_met(en):
    reasons = reasons_by_rule(hard_reasons(published(), household(max_gross_cold_rent=None)))
    assert reasons["rent"][0] is False


def test_soft_reasons(en, today):
    flat = published(district=district("Marxloh"), pets_allowed=False)
    h = household(has_pets=True)
    h.preferred_districts = [district("Marxloh")]
    db.session.flush()
    soft = soft_reasons(flat, h)
    assert all(not r.hard for r in soft)
    assert reasons_by_rule(soft) == {
        "district": (True, "In a preferred district"),
        "pets": (False, "The household has pets; the flat does not allow pets"),
    }
    other = published(district=district("Neudorf-Nord"), pets_allowed=True)
    assert reasons_by_rule(soft_reasons(other, h)) == {
        "district": (False, "Not in a preferred district"),
        "pets": (True, "The household has pets; pets are allowed"),
    }
    # Soft reasons never make a pair unfit.
    assert explain(flat, h, today).fits


def test_ranked_matches_carry_their_reasons(en, today):
    flat = published()
    household()
    (match,) = rank_households(flat, today=today)
    assert [r.rule for r in match.reasons] == ["size", "rent", "move_in"]
    assert plain(match.reasons[1].text) == (
        "€640.00 gross cold rent within the limit (override by staff: €687.80)"
    )


# The landlord's filter --------------------------------------------------------------------------


def test_fits_any_of_the_organisations_flats_is_the_union(today):
    # The rent decides (product theory); the limits are the seeded table's (no overrides):
    # 1: 396.00, 2: 471.90, 3: 564.00, 4: 687.80, 5: 819.50, no amount per further person.
    company = CompanyFactory()
    small = published(
        organisation=company,
        rooms=Decimal("2"),
        living_area=Decimal("50"),
        cold_rent=Decimal("250.00"),
    )
    large = published(
        organisation=company,
        rooms=Decimal("4"),
        living_area=Decimal("95"),
        cold_rent=Decimal("500.00"),
    )
    # Neither another organisation's flat nor the company's flat not (yet) published counts.
    published(rooms=Decimal("1"), living_area=Decimal("30"), cold_rent=Decimal("200.00"))
    FlatFactory(
        organisation=company,
        status=FlatStatus.SUBMITTED.value,
        rooms=Decimal("1"),
        living_area=Decimal("30"),
        cold_rent=Decimal("200.00"),
    )
    table = {"max_gross_cold_rent": None}
    household(adults=1, children=0, needed_rooms=Decimal("1"), **table)  # 410 > 396
    couple = household(adults=2, children=0, needed_rooms=Decimal("2"), **table)
    family = household(adults=2, children=2, needed_rooms=Decimal("4"), **table)
    big_family = household(adults=2, children=5, needed_rooms=Decimal("7"), **table)
    household(status=HouseholdStatus.PAUSED.value, needed_rooms=Decimal("1"))
    assert sql_households(small) == {couple.id, family.id}
    assert sql_households(large) == {family.id}
    either = set(db.session.scalars(select(Household.id).where(fits_any_of(company.id, today))))
    assert either == sql_households(small) | sql_households(large)
    assert big_family.id not in either
    nothing_published = CompanyFactory()
    for organisation_id in (nothing_published.id, None):
        fits = fits_any_of(organisation_id, today)
        assert not db.session.scalars(select(Household.id).where(fits)).all()


def test_reasons_in_german(app):
    with app.test_request_context(), force_locale("de"):
        reasons = reasons_by_rule(hard_reasons(published(), household()))
    assert reasons["rent"] == (
        True,
        "Bruttokaltmiete 640,00 € liegt innerhalb der Mietobergrenze "
        "(vom Team abweichend festgelegt: 687,80 €)",
    )
