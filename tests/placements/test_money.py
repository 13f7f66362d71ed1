"""Money questions of a placement (issue 16): one-off cost items with each state and refusal,
direct rent payment, the specialist's due list, the staff page's forms, and what the landlord
learns only where the household's consent covers it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.core.audit import AuditEvent
from portal.core.refusals import Refused
from portal.extensions import db as _db
from portal.placements.models import State
from portal.placements.paperwork import money
from portal.placements.paperwork.money import CostItem, DirectPayment
from tests.builders import PLACEMENTS, placement_in, post_form, world
from tests.conftest import counted_statements
from tests.factories import StaffFactory


@pytest.fixture
def w(app, db):
    return world(cold_rent=Decimal("480.00"))


@pytest.fixture
def placement(app, w):
    return placement_in(app, w, State.VIEWING_SCHEDULED)


def today() -> date:
    return clock.today()


def audit_actions() -> list[str]:
    return list(_db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# The model and its operations --------------------------------------------------------------------


def test_an_item_goes_from_requested_to_approved_to_paid(app, w, placement):
    item = money.request_cost(placement, w.specialist, "deposit", Decimal("1440.00"), today())
    assert item.status == "requested"
    item.decide(True, today(), w.specialist)
    assert (item.status, item.decided_on) == ("approved", today())
    item.pay(today(), "landlord", w.specialist)
    assert (item.status, item.paid_on, item.paid_to) == ("paid", today(), "landlord")
    actions = audit_actions()
    for action in ("placement.cost_requested", "placement.cost_decided", "placement.cost_paid"):
        assert action in actions


def test_a_refused_item_cannot_be_paid(app, w, placement):
    item = money.request_cost(placement, w.specialist, "moving", Decimal("300"), today())
    item.decide(False, today(), w.specialist)
    assert item.status == "refused"
    with pytest.raises(Refused) as refusal:
        item.pay(today(), "household", w.specialist)
    assert refusal.value.code == "paid_before_approved"


def test_deposit_over_three_months_cold_rent_is_refused(app, w, placement):
    with pytest.raises(Refused) as refusal:
        money.request_cost(placement, w.specialist, "deposit", Decimal("1440.01"), today())
    assert refusal.value.code == "deposit_cap"
    assert "drei Monatskaltmieten" in str(refusal.value.message)
    assert _db.session.scalar(select(func.count(CostItem.id))) == 0


def test_deposit_in_up_to_three_parts_within_the_cap(app, w, placement):
    for _ in range(3):
        money.request_cost(placement, w.specialist, "deposit", Decimal("400"), today())
    with pytest.raises(Refused) as refusal:
        money.request_cost(placement, w.specialist, "deposit", Decimal("1"), today())
    assert refusal.value.code == "deposit_parts"


def test_deposit_parts_together_stay_within_the_cap(app, w, placement):
    money.request_cost(placement, w.specialist, "deposit", Decimal("1000"), today())
    with pytest.raises(Refused) as refusal:
        money.request_cost(placement, w.specialist, "deposit", Decimal("500"), today())
    assert refusal.value.code == "deposit_cap"


def test_other_kinds_have_no_cap(app, w, placement):
    item = money.request_cost(placement, w.specialist, "furnishing", Decimal("5000"), today())
    assert item.kind == "furnishing"


@pytest.mark.parametrize("kind,amount,code", [("gold", "10", "kind"), ("moving", "0", "amount")])
def test_bad_kind_or_amount_is_refused(app, w, placement, kind, amount, code):
    with pytest.raises(Refused) as refusal:
        money.request_cost(placement, w.specialist, kind, Decimal(amount), today())
    assert refusal.value.code == code


def test_dates_in_the_future_are_refused(app, w, placement):
    tomorrow = today() + timedelta(days=1)
    with pytest.raises(Refused) as refusal:
        money.request_cost(placement, w.specialist, "moving", Decimal("10"), tomorrow)
    assert refusal.value.code == "future"
    item = money.request_cost(placement, w.specialist, "moving", Decimal("10"), today())
    with pytest.raises(Refused) as refusal:
        item.decide(True, tomorrow, w.specialist)
    assert refusal.value.code == "future"
    item.decide(True, today(), w.specialist)
    with pytest.raises(Refused) as refusal:
        item.pay(tomorrow, "household", w.specialist)
    assert refusal.value.code == "future"
    with pytest.raises(Refused) as refusal:
        money.request_direct_payment(placement, w.specialist, tomorrow)
    assert refusal.value.code == "future"


def test_decided_before_requested_is_refused(app, w, placement):
    item = money.request_cost(placement, w.specialist, "shares", Decimal("500"), today())
    with pytest.raises(Refused) as refusal:
        item.decide(True, today() - timedelta(days=1), w.specialist)
    assert refusal.value.code == "decided_before_requested"
    assert item.status == "requested"


def test_deciding_twice_is_refused(app, w, placement):
    item = money.request_cost(placement, w.specialist, "shares", Decimal("500"), today())
    item.decide(True, today(), w.specialist)
    with pytest.raises(Refused) as refusal:
        item.decide(False, today(), w.specialist)
    assert refusal.value.code == "decided"


def test_paid_before_approved_is_refused(app, w, placement):
    item = money.request_cost(placement, w.specialist, "shares", Decimal("500"), today())
    with pytest.raises(Refused) as refusal:
        item.pay(today(), "cooperative", w.specialist)
    assert refusal.value.code == "paid_before_approved"
    item.decided_on = None
    old = money.request_cost(
        placement, w.specialist, "moving", Decimal("50"), today() - timedelta(days=5)
    )
    old.decide(True, today() - timedelta(days=2), w.specialist)
    with pytest.raises(Refused) as refusal:
        old.pay(today() - timedelta(days=3), "household", w.specialist)
    assert refusal.value.code == "paid_before_approved"
    with pytest.raises(Refused) as refusal:
        old.pay(today(), "nobody", w.specialist)
    assert refusal.value.code == "payee"


def test_direct_payment_requested_and_confirmed(app, w, placement):
    payment = money.request_direct_payment(placement, w.specialist, today() - timedelta(days=3))
    with pytest.raises(Refused) as refusal:
        money.request_direct_payment(placement, w.specialist, today())
    assert refusal.value.code == "requested"
    with pytest.raises(Refused) as refusal:
        payment.confirm(today() - timedelta(days=4), date(2027, 2, 1), w.specialist)
    assert refusal.value.code == "decided_before_requested"
    payment.confirm(today(), date(2027, 2, 14), w.specialist)
    assert (payment.confirmed_on, payment.from_month) == (today(), date(2027, 2, 1))
    with pytest.raises(Refused) as refusal:
        payment.confirm(today(), date(2027, 3, 1), w.specialist)
    assert refusal.value.code == "confirmed"
    assert "placement.direct_payment_confirmed" in audit_actions()


def test_items_waiting_14_days_are_due(app, w, placement):
    old = today() - timedelta(days=14)
    waiting = money.request_cost(placement, w.specialist, "moving", Decimal("10"), old)
    unpaid = money.request_cost(placement, w.specialist, "shares", Decimal("10"), old)
    unpaid.decide(True, old, w.specialist)
    paid = money.request_cost(placement, w.specialist, "furnishing", Decimal("10"), old)
    paid.decide(True, old, w.specialist)
    paid.pay(today(), "household", w.specialist)
    fresh = money.request_cost(placement, w.specialist, "deposit", Decimal("10"), today())
    due, count = money.due_items(today())
    assert waiting in due and unpaid in due and count == 2
    assert paid not in due and fresh not in due
    assert waiting.is_due(today()) and not fresh.is_due(today())


def test_due_items_come_with_their_households_code_in_one_statement(app, w, placement):
    """The staff home lists each due item with its household's code: one statement, whatever
    the number of items (their placements and households were two more)."""
    old = today() - timedelta(days=20)
    for kind in ("moving", "deposit", "furnishing"):
        money.request_cost(placement, w.specialist, kind, Decimal("10"), old)
    _db.session.commit()
    code = w.household.code
    _db.session.expunge_all()
    with counted_statements(_db.engine) as statements:
        due, count = money.due_items(today())
        codes = {item.placement.household.code for item in due}
    assert len(due) == 3 and count == 3 and codes == {code}
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def test_the_home_shows_ten_due_items_and_the_number_of_all(app, browser, w, placement):
    """The staff home's list of one-off costs waiting is cut at ten like its other lists, with
    the number of all (it had no number)."""
    old = today() - timedelta(days=20)
    for number in range(12):
        money.request_cost(placement, w.specialist, "moving", Decimal(100 + number), old)
    _db.session.commit()
    due, count = money.due_items(today(), 10)
    assert len(due) == 10 and count == 12
    browser.login(w.specialist)
    html = browser.client.get("/backoffice/").get_data(as_text=True)
    section = html.split('id="due-title"')[1].split("</section>")[0]
    assert section.count("#cost-") == 10
    assert "2 more one-off costs wait." in section
    assert '<span class="badge badge-warn">' in section


# The staff page ----------------------------------------------------------------------------------


def test_specialist_records_through_the_page(app, browser, w, placement):
    _db.session.commit()
    browser.login(w.specialist)
    base = f"{PLACEMENTS}/{placement.id}"
    response = post_form(
        browser,
        f"{base}/costs",
        "cost",
        {"kind": "deposit", "amount": "960.00", "requested_on": today().isoformat()},
    )
    assert response.status_code == 302
    item = _db.session.scalar(select(CostItem))
    assert item.amount == Decimal("960.00")
    html = browser.client.get(base).get_data(as_text=True)
    assert 'id="money"' in html and f'name="decide-{item.id}-decision"' in html
    post_form(
        browser,
        f"{base}/costs/{item.id}/decision",
        f"decide-{item.id}",
        {"decision": "approved", "decided_on": today().isoformat()},
    )
    post_form(
        browser,
        f"{base}/costs/{item.id}/payment",
        f"pay-{item.id}",
        {"paid_on": today().isoformat(), "paid_to": "landlord"},
    )
    _db.session.expire_all()
    assert _db.session.get(CostItem, item.id).status == "paid"
    post_form(browser, f"{base}/direct-payment", "direct", {"requested_on": today().isoformat()})
    post_form(
        browser,
        f"{base}/direct-payment/confirmation",
        "confirm",
        {"confirmed_on": today().isoformat(), "from_month": "2027-02"},
    )
    payment = _db.session.scalar(select(DirectPayment))
    assert payment.from_month == date(2027, 2, 1)


def test_over_the_cap_through_the_page_is_explained_and_nothing_written(app, browser, w, placement):
    _db.session.commit()
    browser.login(w.specialist)
    response = post_form(
        browser,
        f"{PLACEMENTS}/{placement.id}/costs",
        "cost",
        {"kind": "deposit", "amount": "2000", "requested_on": today().isoformat()},
    )
    html = browser.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A deposit may be at most three months" in html
    assert _db.session.scalar(select(func.count(CostItem.id))) == 0


def test_an_item_of_another_placement_is_404(app, browser, w, placement):
    other = placement_in(app, world(), State.PROPOSED)
    item = money.request_cost(other, w.specialist, "moving", Decimal("10"), today())
    _db.session.commit()
    browser.login(w.specialist)
    for path, prefix in (("decision", f"decide-{item.id}"), ("payment", f"pay-{item.id}")):
        response = post_form(
            browser, f"{PLACEMENTS}/{placement.id}/costs/{item.id}/{path}", prefix, {}
        )
        assert response.status_code == 404
    response = post_form(
        browser, f"{PLACEMENTS}/999999/costs", "cost", {"kind": "moving", "amount": "1"}
    )
    assert response.status_code == 404


def test_social_worker_reads_but_may_not_record(app, browser, w, placement):
    money.request_cost(placement, w.specialist, "moving", Decimal("10"), today())
    _db.session.commit()
    browser.login(StaffFactory(role="social_worker"))
    html = browser.client.get(f"{PLACEMENTS}/{placement.id}").get_data(as_text=True)
    assert 'id="money"' in html and '/costs"' not in html
    response = post_form(browser, f"{PLACEMENTS}/{placement.id}/costs", "cost", {})
    assert response.status_code == 403


def test_due_items_on_the_specialists_home(app, browser, w, placement):
    money.request_cost(
        placement, w.specialist, "moving", Decimal("10"), today() - timedelta(days=20)
    )
    _db.session.commit()
    browser.login(w.specialist)
    html = browser.client.get("/backoffice/").get_data(as_text=True)
    assert w.household.code in html and "Moving costs" in html


# The landlord's page -----------------------------------------------------------------------------


def _landlord_html(browser, w, placement) -> str:
    _db.session.commit()
    browser.login(w.landlord)
    response = browser.client.get(f"/placements/{placement.public_key}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _with_money(w, placement) -> None:
    money.request_cost(placement, w.specialist, "deposit", Decimal("960"), today())
    money.request_cost(placement, w.specialist, "furnishing", Decimal("777.77"), today())
    payment = money.request_direct_payment(placement, w.specialist, today())
    payment.confirm(today(), date(2027, 2, 1), w.specialist)


def test_landlord_sees_direct_payment_and_deposit_where_consent_covers_it(
    app, browser, w, placement
):
    _with_money(w, placement)
    w.household.valid_consent().shares_payment_status = True
    w.landlord.locale = "de"
    html = _landlord_html(browser, w, placement)
    assert "Miete wird direkt vom Jobcenter überwiesen ab 01.02.2027" in html
    assert "Kaution (Darlehen): beantragt" in html
    # Nothing else of the household's benefits: not the furnishing, not any amount.
    assert "Erstausstattung" not in html
    # Amounts as any locale writes them (a bare "777" can be a timestamp's microseconds).
    for amount in ("777,77", "777.77", "960,00", "960.00", "960 €", "960\xa0€"):
        assert amount not in html


def test_landlord_sees_nothing_without_that_consent(app, browser, w, placement):
    _with_money(w, placement)
    assert w.household.valid_consent().shares_payment_status is False
    html = _landlord_html(browser, w, placement)
    assert "directly" not in html and "Deposit" not in html and 'id="money"' not in html


def test_landlord_sees_nothing_once_the_consent_is_withdrawn(app, browser, w, placement):
    _with_money(w, placement)
    consent = w.household.valid_consent()
    consent.shares_payment_status = True
    consent.withdrawn_on = today()
    html = _landlord_html(browser, w, placement)
    assert "directly" not in html and 'id="money"' not in html


def test_consent_form_records_the_permission(app, browser, w):
    worker = StaffFactory(role="social_worker")
    _db.session.commit()
    browser.login(worker)
    token = browser.csrf(f"/backoffice/households/{w.household.id}")
    browser.client.post(
        f"/backoffice/households/{w.household.id}/consents",
        data={
            "csrf_token": token,
            "given_on": today().isoformat(),
            "scope": "Profil und Mietzahlung",
            "shares_payment_status": "y",
        },
    )
    _db.session.expire_all()
    newest = max(w.household.consents, key=lambda c: c.id)
    assert newest.shares_payment_status is True


def test_the_newest_consent_in_force_governs(app, browser, w, placement):
    from portal.households import operations as households_ops

    _with_money(w, placement)
    worker = StaffFactory(role="social_worker")
    households_ops.record_consent(
        w.household, worker, today(), None, "mit Zahlungsstatus", shares_payment_status=True
    )
    html = _landlord_html(browser, w, placement)
    assert "Rent is paid directly" in html


def test_a_form_with_errors_comes_back_with_what_was_typed(app, browser, w, placement):
    _db.session.commit()
    browser.login(w.specialist)
    response = post_form(
        browser,
        f"{PLACEMENTS}/{placement.id}/costs",
        "cost",
        {"kind": "shares", "amount": "-5", "requested_on": "2026-11-30"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nothing was recorded. Please check the marked fields." in html
    assert 'id="cost-amount-error"' in html and 'value="2026-11-30"' in html
    assert _db.session.scalar(select(func.count(CostItem.id))) == 0
