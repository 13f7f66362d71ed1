"""Demo money questions (issue 16), built through the operations: every one-off cost kind
(deposit, cooperative shares, moving costs, initial furnishing) in every state (requested, one
waiting over 14 days so it is due; approved, one unpaid for over 14 days; refused; paid, the
deposit in two parts), and a direct rent payment confirmed on the moved-in placement, whose
household's new consent lets the landlord see it.

Kind by state (M = moved in, C = costs approved, O = rent offer submitted):

    ============  =========  ========  =======  ====
    kind          requested  approved  refused  paid
    ============  =========  ========  =======  ====
    deposit       O          C         O        M
    shares        O          C         O        C
    moving        O          C         C        M
    furnishing    O          C         M        M
    ============  =========  ========  =======  ====
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from portal.accounts.models import User
from portal.demo.dating import today
from portal.households import operations as households_ops
from portal.placements.models import Placement, State
from portal.placements.paperwork import money


def seed(placed: dict[State, Placement], specialist: User, worker: User) -> int:
    """Cost items on the moved-in, costs-approved and rent-offer placements; returns how many."""
    day = today()
    count = 0

    def item(placement, kind, amount, ago, decided=None, approved=True, paid=None, to=None):
        nonlocal count
        entry = money.request_cost(
            placement, specialist, kind, Decimal(amount), day - timedelta(days=ago)
        )
        if decided is not None:
            entry.decide(approved, day - timedelta(days=decided), specialist)
        if paid is not None:
            entry.pay(day - timedelta(days=paid), to, specialist)
        count += 1

    moved_in = placed.get(State.MOVED_IN)
    if moved_in is not None:
        rent = moved_in.flat.cold_rent or Decimal("400")
        item(moved_in, "deposit", rent, 70, decided=60, paid=55, to="landlord")
        item(moved_in, "deposit", rent, 70, decided=60, paid=40, to="landlord")
        item(moved_in, "moving", "850.00", 70, decided=58, paid=45, to="moving_company")
        item(moved_in, "furnishing", "1200.00", 65, decided=50, approved=False)
        # The basic furnishing, asked for again with a smaller list, was paid to the household.
        item(moved_in, "furnishing", "650.00", 48, decided=44, paid=42, to="household")
        payment = money.request_direct_payment(moved_in, specialist, day - timedelta(days=60))
        payment.confirm(
            day - timedelta(days=50), (day + timedelta(days=31)).replace(day=1), specialist
        )
        households_ops.record_consent(
            moved_in.household,
            worker,
            day - timedelta(days=62),
            None,
            "Profil, Name bei Besichtigung; Direktzahlung und Kaution dem Vermieter mitteilen",
            shares_payment_status=True,
        )
    approved = placed.get(State.COSTS_APPROVED)
    if approved is not None:
        item(approved, "shares", "600.00", 25, decided=20)  # unpaid over 14 days: due
        rent = approved.flat.cold_rent or Decimal("400")
        item(approved, "deposit", rent * 2, 10, decided=3)
        item(approved, "shares", "300.00", 30, decided=26, paid=22, to="cooperative")
        # The first moving quote was refused as too dear; a cheaper one was approved.
        item(approved, "moving", "1450.00", 16, decided=11, approved=False)
        item(approved, "moving", "780.00", 9, decided=4)
        item(approved, "furnishing", "1100.00", 8, decided=3)
        money.request_direct_payment(approved, specialist, day - timedelta(days=5))
    offered = placed.get(State.RENT_OFFER_SUBMITTED)
    if offered is not None:
        item(offered, "furnishing", "1500.00", 18)  # undecided over 14 days: due
        item(offered, "moving", "400.00", 2)
        rent = offered.flat.cold_rent or Decimal("400")
        item(offered, "deposit", rent, 12, decided=8, approved=False)  # asked of the wrong office
        item(offered, "deposit", rent * 2, 3)
        item(offered, "shares", "900.00", 13, decided=7, approved=False)
        item(offered, "shares", "300.00", 4)
    return count
