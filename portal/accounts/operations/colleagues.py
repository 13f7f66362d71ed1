"""The members of a housing company: invitations, colleagues, the first user."""

from __future__ import annotations

from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import aliased

from portal.accounts import passwords, tokens
from portal.accounts.models import ADDRESS_CONFIRMED, Invitation, Role, User, utcnow
from portal.accounts.operations.common import external, find_user, one_line
from portal.core import audit
from portal.core.outbox import queue_mail
from portal.core.pagination import first_and_total_statement, run_first_and_total
from portal.core.refusals import Refused
from portal.extensions import db

NOT_POSSIBLE = _l("This is not possible.")
REFUSALS = {
    "not_first_user": NOT_POSSIBLE,
    "other_organisation": NOT_POSSIBLE,
    "own": _l("You cannot do this to your own account."),
    "inactive": _l("This colleague was removed already."),
    "unconfirmed": _l(
        "Only a colleague who has confirmed their e-mail address can become the first user."
    ),
}


def invite_colleague(inviter: User, email: str) -> Invitation | None:
    """Invite ``email`` into the inviter's housing company. An address that already has an
    account gets no invitation (returns None; the caller says the same either way). Refused
    (``not_allowed``) unless the inviter is a company's first user."""
    if not inviter.can_invite:
        raise Refused(
            "not_allowed", _l("Only the first user of a housing company can invite colleagues.")
        )
    assert inviter.organisation is not None  # noqa: S101 - narrows the type; can_invite checked it
    if find_user(email) is not None:
        audit.record("organisation.invite_existing", actor=inviter, obj=inviter.organisation)
        return None
    invitation = Invitation(organisation=inviter.organisation, email=email, invited_by=inviter)
    db.session.add(invitation)
    db.session.flush()
    token = tokens.make_token(tokens.INVITATION, {"iid": invitation.id, "email": invitation.email})
    queue_mail(
        invitation.email,
        "invitation",
        inviter.locale,
        inviter=inviter.full_name,
        organisation=inviter.organisation.name,
        url=external("accounts.accept_invitation", token=token),
        days=current_app.config["INVITATION_MAX_AGE"] // 86400,
    )
    audit.record(
        "organisation.invited",
        actor=inviter,
        obj=invitation,
        organisation_id=inviter.organisation.id,
    )
    return invitation


def invitation_for(token: str) -> Invitation:
    """The open invitation behind ``token``; refused (``invalid``, ``expired``) when expired,
    forged or used."""
    data = tokens.read_token(tokens.INVITATION, token, current_app.config["INVITATION_MAX_AGE"])
    invitation = db.session.get(Invitation, data.get("iid"))
    if invitation is None or not invitation.is_open or invitation.email != data.get("email"):
        raise tokens.refused()
    return invitation


def accept_invitation(token: str, full_name: str, password: str, locale: str) -> User:
    """Create the invited colleague's account (verified: the link proved the address)."""
    invitation = invitation_for(token)
    if find_user(invitation.email) is not None:
        raise tokens.refused()
    problems = passwords.password_problems(password, invitation.email)
    if problems:
        raise Refused("weak_password", " ".join(problems))
    user = User(
        email=invitation.email,
        full_name=one_line(full_name),
        password_hash=passwords.hash_password(password),
        password_changed_at=utcnow(),
        role=Role.LANDLORD,
        organisation_id=invitation.organisation_id,
        locale=locale,
        email_verified_at=utcnow(),
    )
    db.session.add(user)
    invitation.accepted_at = utcnow()
    db.session.flush()
    audit.record("organisation.invitation_accepted", actor=user, obj=invitation, user_id=user.id)
    ADDRESS_CONFIRMED(user)
    return user


def revoke_invitation(actor: User, invitation: Invitation, reason: str) -> None:
    """An open invitation stops working: its row goes, so its link finds nothing."""
    audit.record(
        "organisation.invitation_revoked",
        actor=actor,
        obj=invitation,
        organisation_id=invitation.organisation_id,
        reason=reason,
    )
    db.session.delete(invitation)
    db.session.flush()


def deactivate_colleague(actor: User, colleague: User, reason: str) -> None:
    colleague.is_active = False
    colleague.is_org_admin = False
    colleague.end_all_sessions()  # every session of theirs ends at their next request
    audit.record(
        "organisation.colleague_removed",
        actor=actor,
        obj=colleague,
        organisation_id=colleague.organisation_id,
        reason=reason,
    )
    for invitation in db.session.scalars(
        select(Invitation).where(
            Invitation.invited_by_id == colleague.id, Invitation.accepted_at.is_(None)
        )
    ).all():
        revoke_invitation(actor, invitation, reason="inviter_removed")


def colleagues_of(user: User) -> Select[tuple[User]]:
    """The statement of everyone of ``user``'s organisation, ``user`` included, oldest account
    first: a statement, for the page to read a page of it."""
    return select(User).where(User.organisation_id == user.organisation_id).order_by(User.id)


def active_members(organisation_id: int, limit: int) -> tuple[list[User], int]:
    """The first ``limit`` active users of an organisation, oldest account first, and the
    number of all of them, in one statement (the profile page names a company's people)."""
    statement = _active_members_statement(limit)
    rows, total = run_first_and_total(statement, limit, {"org": organisation_id})
    return [user for (user,) in rows], total


@lru_cache(maxsize=4)
def _active_members_statement(limit: int) -> Select:
    return first_and_total_statement(
        select(User)
        .where(User.organisation_id == bindparam("org"), User.is_active.is_(True))
        .order_by(User.id),
        limit,
    )


def first_members(organisation_ids: list[int], limit: int) -> dict[int, tuple[list[User], int]]:
    """For each of ``organisation_ids``: its first ``limit`` users (active or not), oldest
    account first, and the number of all of them, in one statement whatever the number of
    organisations and users (a list of organisations names a few people of each). An
    organisation without users is missing from the answer."""
    if not organisation_ids:
        return {}
    company = User.organisation_id
    ranked = (
        select(
            User,
            func.row_number()
            .over(partition_by=company, order_by=User.id)
            .label("row_in_organisation"),
            # The same partition the numbering reads anyway: the number of all costs nothing.
            func.count().over(partition_by=company).label("total_rows"),
        )
        .where(company.in_(organisation_ids))
        .subquery()
    )
    member = aliased(User, ranked)
    answer: dict[int, tuple[list[User], int]] = {}
    for user, total in db.session.execute(
        select(member, ranked.c.total_rows)
        .where(ranked.c.row_in_organisation <= limit)
        .order_by(ranked.c.organisation_id, ranked.c.id)
    ):
        answer.setdefault(user.organisation_id, ([], total))[0].append(user)
    return answer


def _refuse(code: str) -> Refused:
    return Refused(code, REFUSALS[code])


def _check_colleague(first_user: User, colleague: User, action: str) -> None:
    if not first_user.can_invite:
        raise _refuse("not_first_user")
    if colleague.organisation_id != first_user.organisation_id or not colleague.is_landlord:
        raise _refuse("other_organisation")
    if colleague.id == first_user.id:
        audit.record(
            f"organisation.{action}_refused", actor=first_user, obj=colleague, reason="own"
        )
        raise _refuse("own")
    if not colleague.is_active:
        raise _refuse("inactive")


def remove_colleague(first_user: User, colleague: User) -> None:
    """A company's first user removes a colleague: the account is deactivated, each of its
    sessions ends at once, its open invitations stop working. Never oneself, never someone of
    another organisation. Refused (``not_first_user``, ``other_organisation``, ``own``,
    ``inactive``)."""
    _check_colleague(first_user, colleague, "colleague_remove")
    deactivate_colleague(first_user, colleague, reason="removed_by_first_user")


def hand_over_first_user(first_user: User, colleague: User) -> None:
    """Make ``colleague`` the company's first user in place of ``first_user``, who stays a
    colleague. Only to an active colleague of the same organisation whose address is confirmed.
    Refused as ``remove_colleague``, and ``unconfirmed``."""
    _check_colleague(first_user, colleague, "first_user_hand_over")
    if not colleague.is_verified:
        audit.record(
            "organisation.first_user_hand_over_refused",
            actor=first_user,
            obj=colleague,
            reason="unconfirmed",
        )
        raise _refuse("unconfirmed")
    first_user.is_org_admin = False
    colleague.is_org_admin = True
    audit.record(
        "organisation.first_user_handed_over",
        actor=first_user,
        obj=colleague,
        organisation_id=colleague.organisation_id,
    )
