"""A landlord closes their own account (issue 15).

It stands on the privacy floor because it reaches down to listings (the flats are withdrawn) and
placements (open placements go to the team), and reuses the landlord erasure of
``privacy.operations``: what is erased and what is kept is what docs/privacy.md says for an
erased landlord. Like every operation it flushes, audits and queues mail, and never commits."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from portal.accounts.models import Role, User
from portal.accounts.passwords import verify_password
from portal.core import audit
from portal.core.outbox import queue_mail
from portal.core.refusals import Refused
from portal.extensions import db
from portal.listings import operations as listings_ops
from portal.listings.models import Flat
from portal.placements.models import OPEN_STATES, SYSTEM, Placement, PlacementEvent
from portal.placements.operations.closing import staff_recipients
from portal.privacy.models import ErasureKind
from portal.privacy.operations import _apply_landlord, _log, _recorded

REFUSALS = {
    "not_landlord": _l("Only a landlord's account can be closed here."),
    "password": _l("The current password is not correct."),
    "first_user": _l(
        "You are the first user of your company and colleagues still use the portal. Please "
        "make one of them the first user before you close your account."
    ),
}
# The line in the placement's timeline (staff read it; stored in the programme's language).
HANDED_OVER_NOTE = _l(
    "The landlord closed their account. The Kümmerer team looks after this placement now."
)


@dataclass
class Closure:
    """What closing an account did: the flats withdrawn, the placements cancelled by that,
    and the placements handed to the team (bound by a lease, they go on)."""

    withdrawn: list[Flat] = field(default_factory=list)
    kept: list[Flat] = field(default_factory=list)
    cancelled: list[Placement] = field(default_factory=list)
    handed_over: list[Placement] = field(default_factory=list)


def _refuse(code: str) -> Refused:
    return Refused(code, REFUSALS[code])


def has_other_active_members(user: User) -> bool:
    """Whether an active colleague stays in the user's organisation (asked of the database: a
    housing company may have many members)."""
    if user.organisation_id is None:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    User.organisation_id == user.organisation_id,
                    User.id != user.id,
                    User.is_active.is_(True),
                )
            )
        )
    )


def _open_placements(flat_ids: list[int]) -> list[Placement]:
    if not flat_ids:
        return []
    return list(
        db.session.scalars(
            select(Placement)
            .where(
                Placement.flat_id.in_(flat_ids),
                Placement.state.in_([s.value for s in OPEN_STATES]),
            )
            .order_by(Placement.id)
        )
    )


def _withdraw_flats(user: User, closure: Closure) -> list[Placement]:
    """Withdraw every flat of the organisation that can be (``withdraw_flat``: its open
    placements are cancelled, open interests closed); a flat a signed lease binds stays.
    Returns the placements that were open before."""
    assert user.organisation is not None  # noqa: S101 - the caller checked
    flats = list(
        db.session.scalars(
            select(Flat).where(Flat.organisation_id == user.organisation.id).order_by(Flat.id)
        )
    )
    before = _open_placements([f.id for f in flats])
    for flat in flats:
        if flat.status not in listings_ops.WITHDRAWABLE:
            continue
        try:
            with db.session.begin_nested():
                listings_ops.withdraw_flat(flat, user)
        except Refused:
            closure.kept.append(flat)  # a signed lease binds it: nothing of it changed
        else:
            closure.withdrawn.append(flat)
    return before


def _hand_over(placement: Placement) -> None:
    """A line in the placement's timeline and an audit event: the team carries on alone."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        note = str(HANDED_OVER_NOTE)
    db.session.add(
        PlacementEvent(
            placement_id=placement.id,
            action="note",
            from_state=placement.state,
            to_state=placement.state,
            actor_id=None,
            role=SYSTEM,
            note=note,
            data={},
        )
    )
    audit.record("placement.handed_to_staff", obj=placement, reason="landlord_account_closed")


def _tell_staff(closure: Closure) -> None:
    """One mail to each active specialist in charge of a placement of the account's flats (the
    programme's address when nobody is). Ids and household codes only: the landlord's data is
    erased, the mail must not keep it."""
    placements = closure.cancelled + closure.handed_over
    if not placements:
        return
    for email, locale, name in staff_recipients(placements):
        queue_mail(
            email,
            "landlord_account_closed",
            locale,
            name=name,
            cancelled=closure.cancelled,
            handed_over=closure.handed_over,
            base=current_app.config["PORTAL_BASE_URL"],
        )


def close_account(user: User, password: str) -> Closure:
    """Close ``user``'s landlord account after checking the password.

    When nobody else of the organisation still uses the portal, its flats are withdrawn (open
    placements cancelled, the households free again); placements a signed lease binds go on
    with the team: each gets a line in its timeline and an audit event, and the specialist in
    charge (or the programme's address) a mail. Then the account is erased as an admin's
    erasure would (``privacy.operations``: name, address, phone, password and every session
    go; the organisation's data too when no member remains) and a confirmation goes to the
    address the account had. Refused (nothing changed): ``not_landlord``, ``password``
    (audited), ``first_user`` (the company's first user while colleagues remain)."""
    if user.role != Role.LANDLORD:
        raise _refuse("not_landlord")
    if not verify_password(user.password_hash, password):
        audit.record("account.close_refused", actor=user, obj=user, reason="password")
        raise _refuse("password")
    others = has_other_active_members(user)
    if others and user.is_org_admin:
        audit.record("account.close_refused", actor=user, obj=user, reason="first_user")
        raise _refuse("first_user")
    address, locale = user.email, user.locale
    closure = Closure()
    if user.organisation is not None and not others:
        before = _withdraw_flats(user, closure)
        for placement in before:
            if placement.is_open:
                closure.handed_over.append(placement)
            else:
                closure.cancelled.append(placement)
    audit.record(
        "account.closed",
        actor=user,
        obj=user,
        organisation_id=user.organisation_id,
        status="last_member" if not others else "colleagues_remain",
    )
    _apply_landlord(user, user)
    _log(_recorded(ErasureKind.LANDLORD, user, user))
    audit.record("privacy.erased", actor=user, obj=user, object_kind="landlord")
    # After the erasure: it empties every e-mail that names the account, these must stay.
    for placement in closure.handed_over:
        _hand_over(placement)
    _tell_staff(closure)
    queue_mail(
        address, "account_closed", locale, contact=current_app.config["PROGRAMME_CONTACT_EMAIL"]
    )
    db.session.flush()
    return closure
