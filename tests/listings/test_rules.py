"""Money parsing, the deposit rule, the rent-limit and floor-area rules, the status flow."""

from datetime import date
from decimal import Decimal

import pytest

from portal.core.numbers import NumberFormatError, parse_decimal
from portal.core.refusals import Refused
from portal.listings.models import ILLEGAL_MOVE, TRANSITIONS, Flat, FlatStatus, RentLimit
from portal.listings.rules import (
    area_suits,
    limits_in_force,
    max_area_for,
    rooms_for,
    suitable_sizes,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,50", "1234.50"),
        ("1234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("1234.50", "1234.50"),
        ("1234", "1234"),
        ("640 €", "640"),
        ("72,5", "72.5"),
        ("1.234", "1234"),
        ("0,99", "0.99"),
        ("1 234,50", "1234.50"),
        ("12.345.678,90", "12345678.90"),
    ],
)
def test_money_in_german_and_english_notation(text, value):
    assert parse_decimal(text) == Decimal(value)


@pytest.mark.parametrize(
    "text", ["", "abc", "1.2.3", "12,345", "1,2,3.4", "12.3456", "1.23,4", "1e5", "--5", "5-", "½"]
)
def test_money_refusals(text):
    if text == "12,345":
        assert parse_decimal(text) == Decimal("12345")  # a thousands group, not 12.345
        return
    with pytest.raises(NumberFormatError):
        parse_decimal(text)


def test_more_than_two_decimals_refused():
    with pytest.raises(NumberFormatError):
        parse_decimal("12,3456")
    assert parse_decimal("2,5", places=1) == Decimal("2.5")
    with pytest.raises(NumberFormatError):
        parse_decimal("2,55", places=1)


def test_wnb_floor_area_rule():
    assert [max_area_for(n) for n in range(1, 6)] == [50, 65, 80, 95, 110]
    assert [rooms_for(n) for n in range(1, 6)] == [1, 2, 3, 4, 5]
    # 72 m², 3 rooms: too big for 2 (65 m² + 5 and more than 2 rooms), fits 3.
    assert not area_suits(Decimal(3), Decimal(72), 2)
    assert area_suits(Decimal(3), Decimal(72), 3)
    # ... but 3 rooms are too few for 4 persons (granted 4), and 2.5 too few for 3.
    assert not area_suits(Decimal(3), Decimal(72), 4)
    assert not area_suits(Decimal("2.5"), Decimal(70), 3)
    assert suitable_sizes(Decimal(3), Decimal(72)) == [3]
    # A one-room flat of 38 m² suits one person.
    assert suitable_sizes(Decimal(1), Decimal(38)) == [1]
    # The tolerance: 70 m² is still appropriate for two persons, 71 is not (2.5 rooms).
    assert area_suits(Decimal("2.5"), Decimal(70), 2)
    assert not area_suits(Decimal("2.5"), Decimal(71), 2)
    assert suitable_sizes(None, Decimal(50)) == []


def test_rent_limits_in_force_follow_validity_dates(db):
    seeded = limits_in_force(date(2022, 1, 1))
    assert seeded.valid_since == date(2021, 10, 1)
    assert seeded.limits == {
        1: Decimal("396.00"),
        2: Decimal("471.90"),
        3: Decimal("564.00"),
        4: Decimal("687.80"),
        5: Decimal("819.50"),
    }
    assert limits_in_force(date(2021, 9, 30)).limits == {}
    for size, amount in [(1, "450.00"), (2, "540.00"), (4, "760.00")]:
        db.session.add(
            RentLimit(
                household_size=size,
                max_gross_cold_rent=Decimal(amount),
                valid_from=date(2023, 8, 1),
                source="test",
            )
        )
    db.session.flush()
    before = limits_in_force(date(2023, 7, 31))
    assert before.limit_for(1) == Decimal("396.00") and before.valid_since == date(2021, 10, 1)
    after = limits_in_force(date(2023, 8, 1))
    assert after.valid_since == date(2023, 8, 1)
    assert after.limit_for(1) == Decimal("450.00")
    assert after.limit_for(3) == Decimal("564.00")  # no newer row for 3 persons
    assert after.affordable_sizes(Decimal("640.00")) == [4, 5]
    assert after.affordable_sizes(Decimal("540.00")) == [2, 3, 4, 5]
    assert after.affordable_sizes(None) == []


def test_gross_and_warm_rent_and_rent_per_m2():
    flat = Flat(
        cold_rent=Decimal("480.00"),
        service_charges=Decimal("160.00"),
        heating_costs=Decimal("90.00"),
        living_area=Decimal("72"),
    )
    assert flat.gross_cold_rent == Decimal("640.00")
    assert flat.warm_rent == Decimal("730.00")
    assert flat.rent_per_m2 == Decimal("6.67")
    assert Flat(cold_rent=Decimal("1")).gross_cold_rent is None


ALL = list(FlatStatus)
ACTORS = ["landlord", "specialist", "system"]


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
@pytest.mark.parametrize("actor", ACTORS)
def test_status_flow_allows_only_listed_moves(db, current, target, actor):
    from tests.factories import FlatFactory

    flat = FlatFactory(status=current.value)
    allowed = actor in TRANSITIONS.get((current, target), frozenset())
    if allowed:
        flat.transition(target, None, actor)
        assert flat.status == target.value
    else:
        with pytest.raises(Refused) as refused:
            flat.transition(target, None, actor)
        assert refused.value.code == ILLEGAL_MOVE
        assert flat.status == current.value
