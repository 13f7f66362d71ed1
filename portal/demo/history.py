"""Demo history for ``make run``: a year of programme work behind the report page and its
charts. About seventy households taken in over the last twelve months (every target group,
ESF participant rows), thirty placements with their leases spread over the last twelve months
(key handovers, follow-ups with outcomes, a few tenancies ended or given up for a shelter), a
few cancelled placements, households that left the programme otherwise, the flats for them
(the demo landlords' and five more landlords'), and mediation cases over the year.

The plan (``history_plan``) says who came when and what happened to them; it is carried out
through the operations, in the order the work happens: the five landlords won during the year
register and confirm their address (``register_landlord``, ``verify_email``; they get no demo
login), the households are taken in and vetted (``history_households``), the flats are offered
and let through the placement workflow (``history_placements``), the households that paused or
left do so, and the mediation cases come in and are answered (``mediation``). Then the dates of
what the operations wrote are moved back to the plan's days (``portal.demo.dating``). So the
database's rules hold as they would for real work: a flat or household holds at most one open
placement, moved-in households are housed and left the programme at the key handover, an ended
tenancy carries its date. No demo placement here stays in ``moved_in`` (every move-in is at
least a month old and its first check is recorded), so the workflow demo's placements stay the
only ones in the early states. The mails these operations queue are about work months ago and
are dropped from the outbox again, except the landlords' step messages, dated like their
steps. A fixed random seed gives the same history on every load (its dates move with today).
All names are invented.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, func, or_, select

from portal.accounts import operations as accounts_ops
from portal.accounts import tokens
from portal.accounts.models import User
from portal.core.outbox import OutboxMessage
from portal.demo import history_households, history_placements, mediation
from portal.demo.dating import today as berlin_today
from portal.demo.history_plan import NEW_LANDLORDS, OWNERS, SEED, plans
from portal.extensions import db
from portal.listings.models import District, Flat
from portal.placements.models import ENDED_OUTCOMES, FollowUp
from portal.sites.models import DEFAULT_SITE_ID

# The contact person who registered each landlord of NEW_LANDLORDS.
CONTACTS = ["Claudia Berger", "Stefan Wolff", "Klaus Hoffmann", "Mehmet Demir", "Anna Lewandowska"]


def _landlords() -> list[User]:
    """The landlords won during the year: registered, their address confirmed by the link."""
    landlords = []
    for index, (kind, name, address, phone) in enumerate(NEW_LANDLORDS):
        user = accounts_ops.register_landlord(
            accounts_ops.Registration(
                kind=kind.value,
                organisation_name=name,
                full_name=CONTACTS[index],
                email=f"vermietung{index + 1}@example.org",
                password=secrets.token_urlsafe(18),
                phone=phone,
            )
        )
        token = tokens.make_token(tokens.VERIFY_EMAIL, {"uid": user.id, "email": user.email})
        accounts_ops.verify_email(token, secrets.token_urlsafe(18))
        # Contact details of the organisation (the staff note them down): no state.
        user.organisation.address, user.organisation.phone = address, phone
        landlords.append(user)
    db.session.flush()
    return landlords


def _date_back_landlords(landlords: list[User]) -> None:
    """Each organisation registered a week before it offered its first flat; its users with
    it (an address confirmed two hours later, a colleague's a day later)."""
    for organisation in {user.organisation for user in landlords}:
        first = db.session.scalar(
            select(func.min(Flat.created_at)).where(Flat.organisation_id == organisation.id)
        )
        if first is None:
            continue
        organisation.created_at = registered = first - timedelta(days=7)
        members = select(User).where(User.organisation_id == organisation.id).order_by(User.id)
        for user in db.session.scalars(members):
            user.created_at = registered
            if user.email_verified_at is not None:
                user.email_verified_at = registered + timedelta(hours=2)
                user.password_changed_at = registered + timedelta(hours=2)
            registered += timedelta(days=1)
    db.session.flush()


def seed(users: dict[str, User], echo: Callable[[str], None]) -> None:
    """Add the year of history (after the workflow demo, whose records stay as they are)."""
    rng = random.Random(SEED)  # noqa: S311  (repeatable demo data, not a secret)
    today = berlin_today()
    worker = users["sozialarbeit"]
    first_mail = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    districts = {
        d.name: d
        for d in db.session.scalars(
            select(District).where(District.site_id == DEFAULT_SITE_ID).order_by(District.id)
        )
    }
    placed, withdrawn, active = plans(rng, today)
    everyone = [*placed, *withdrawn, *active]
    history_households.create(everyone, worker, list(districts.values()), rng, today)
    new = _landlords()
    owners = [new[owner] if isinstance(owner, int) else users[owner] for owner in OWNERS]
    rng.shuffle(owners)
    made, failed = history_placements.create(placed, active, owners, districts, users, rng, today)
    history_households.leave([*withdrawn, *active], worker)
    _date_back_landlords([*new, *(u for u in users.values() if u.organisation is not None)])
    history_households.date_back(everyone, today)
    cases = mediation.seed(made, users, rng, today)
    # The landlords' step messages stay (dated and sent, see ``messages``): staff see them on
    # each placement.
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.id > first_mail,
            or_(OutboxMessage.topic.is_(None), OutboxMessage.topic.not_like("placement:%")),
        )
    )
    ended = db.session.scalars(
        select(FollowUp.outcome).where(FollowUp.outcome.in_(ENDED_OUTCOMES))
    ).all()
    echo(
        f"  report history: {len(everyone)} households over the last year, {len(made)} leases "
        f"({len(ended)} tenancies ended), {failed} cancelled placements, {len(new)} more "
        f"landlords, {cases} mediation cases"
    )
