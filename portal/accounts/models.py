"""Organisations (landlord entities), users and invitations."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal.core.db import Base, TimestampMixin, UTCDateTime, utcnow
from portal.core.hooks import Hook
from portal.sites.models import Site, user_sites


class Role(StrEnum):
    LANDLORD = "landlord"
    SPECIALIST = "specialist"  # Immobilienfachkraft
    SOCIAL_WORKER = "social_worker"  # Fachkraft für soziale Arbeit
    ADMIN = "admin"
    # Reads the state-level report of every site (suppressed) and nothing else (DESIGN.md §9).
    STATE_READER = "state_reader"


STAFF_ROLES = (Role.SPECIALIST, Role.SOCIAL_WORKER, Role.ADMIN)


class OrganisationKind(StrEnum):
    PRIVATE = "private"
    COMPANY = "company"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def normalise_email(email: str) -> str:
    return email.strip().lower()


# An account's address has just been confirmed (by its link, or by accepting an invitation):
# floors above attach what was sent from that address before (mediation requests).
ADDRESS_CONFIRMED = Hook("an account's address is confirmed", required=False)


class Organisation(TimestampMixin, Base):
    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("kind IN ('private', 'company')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    phone: Mapped[str | None] = mapped_column(String(40))

    members: Mapped[list[User]] = relationship(back_populates="organisation", order_by="User.id")

    @property
    def is_company(self) -> bool:
        return self.kind == OrganisationKind.COMPANY

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind}>"


class User(TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('landlord', 'specialist', 'social_worker', 'admin', 'state_reader')",
            name="role",
        ),
        # A landlord always belongs to an organisation; staff never do.
        CheckConstraint(
            "(role = 'landlord') = (organisation_id IS NOT NULL)", name="landlord_has_organisation"
        ),
        UniqueConstraint("email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    is_org_admin: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(String(5), default="de")
    # Placement news: "each" step by e-mail, or one "digest" a day (placements/digest.py).
    step_mails: Mapped[str] = mapped_column(String(10), default="each", server_default="each")
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    must_change_password: Mapped[bool] = mapped_column(default=False)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Flask-Login's "alternative token": part of the session's user id; replacing it ends
    # every session that carries the old one.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    # Second factor (TOTP, RFC 6238). The secret is a Fernet token (see
    # accounts/twofactor_secrets.py), never the secret itself. A secret without
    # ``totp_enabled_at`` is an enrolment not yet confirmed with a code. ``totp_last_step``
    # is the newest time step a code was accepted for: codes of that step or older are
    # refused, so a code works once.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    organisation: Mapped[Organisation | None] = relationship(back_populates="members")
    # Staff: the sites the user works for and sees (DESIGN.md §9); empty for landlords.
    sites: Mapped[list[Site]] = relationship(secondary=user_sites, order_by=Site.id)
    recovery_codes: Mapped[list[RecoveryCode]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("email")
    def _normalise_email(self, key: str, value: str) -> str:
        return normalise_email(value)

    # Flask-Login protocol -------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def matches_session(self, token: str) -> bool:
        return hmac.compare_digest(self.session_token.encode(), token.encode())

    def end_all_sessions(self) -> None:
        self.session_token = new_session_token()

    # Roles ----------------------------------------------------------------------------------
    @property
    def is_landlord(self) -> bool:
        return self.role == Role.LANDLORD

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def has_two_factor(self) -> bool:
        """An authenticator is enrolled and confirmed."""
        return self.totp_enabled_at is not None

    @property
    def two_factor_required(self) -> bool:
        """Staff and state-level readers (every site's figures) always need the second factor;
        landlords once they switched it on."""
        return self.is_staff or self.role == Role.STATE_READER or self.has_two_factor

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_first_user(self) -> bool:
        """A housing company's first user (its organisation admin): manages the colleagues."""
        return bool(
            self.is_landlord
            and self.is_org_admin
            and self.organisation is not None
            and self.organisation.is_company
        )

    @property
    def can_invite(self) -> bool:
        """Only a housing company's first user invites colleagues, and only once their own
        address is confirmed: whoever registered someone else's address must not bring people
        in before the owner confirms (issue 13.1)."""
        return self.is_first_user and self.is_verified

    def mark_verified(self) -> None:
        if self.email_verified_at is None:
            self.email_verified_at = utcnow()

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class RecoveryCode(Base):
    """One single-use recovery code, stored as a salted SHA-256 digest (see
    accounts/twofactor_secrets.py for why not argon2). A used code's row is deleted."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="recovery_codes")

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} of user {self.user_id}>"


class Invitation(TimestampMixin, Base):
    """A colleague invited into a housing company's organisation."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship()

    @validates("email")
    def _normalise_email(self, key: str, value: str) -> str:
        return normalise_email(value)

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None


__all__ = [
    "Invitation",
    "Organisation",
    "OrganisationKind",
    "RecoveryCode",
    "Role",
    "STAFF_ROLES",
    "User",
    "utcnow",
]


def role_label(role: str) -> str:
    """The role's name in the user's language."""
    from flask_babel import lazy_gettext as _l

    labels = {
        Role.LANDLORD: _l("Landlord"),
        Role.SPECIALIST: _l("Real-estate specialist"),
        Role.SOCIAL_WORKER: _l("Social worker"),
        Role.ADMIN: _l("Administrator"),
    }
    return str(labels.get(role, role))  # type: ignore[call-overload]
