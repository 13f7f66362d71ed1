"""Households looking for a flat: the pseudonymous public profile (tier 1), the restricted
identity (tiers 2 and 3), consents, and who looked at a profile.

Landlord-facing code reads a household only through the allow-list presenter
``households/public.PublicProfile``; no object of this module reaches a landlord's template.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import audit, clock
from portal.core.db import Base, TimestampMixin, UTCDateTime, utcnow
from portal.core.refusals import Refused
from portal.sites.models import SiteOwned

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.listings.models import District


class HouseholdStatus(StrEnum):
    DRAFT = "draft"
    VETTED = "vetted"
    PAUSED = "paused"
    HOUSED = "housed"
    WITHDRAWN = "withdrawn"


class CostBearer(StrEnum):
    JOBCENTER = "jobcenter"
    SOZIALAMT = "sozialamt"  # social welfare office
    OWN_INCOME = "own_income"


# Who may change a household's status: social workers vet and pause; the placement workflow
# ("system") houses and releases.
SOCIAL_WORKER, SYSTEM = "social_worker", "system"
TRANSITIONS: dict[tuple[HouseholdStatus, HouseholdStatus], frozenset[str]] = {
    (HouseholdStatus.DRAFT, HouseholdStatus.VETTED): frozenset({SOCIAL_WORKER}),
    (HouseholdStatus.VETTED, HouseholdStatus.PAUSED): frozenset({SOCIAL_WORKER}),
    (HouseholdStatus.PAUSED, HouseholdStatus.VETTED): frozenset({SOCIAL_WORKER}),
    (HouseholdStatus.VETTED, HouseholdStatus.HOUSED): frozenset({SOCIAL_WORKER, SYSTEM}),
    (HouseholdStatus.PAUSED, HouseholdStatus.HOUSED): frozenset({SOCIAL_WORKER, SYSTEM}),
    (HouseholdStatus.HOUSED, HouseholdStatus.VETTED): frozenset({SYSTEM}),
    (HouseholdStatus.HOUSED, HouseholdStatus.PAUSED): frozenset({SYSTEM}),  # no valid consent
    (HouseholdStatus.DRAFT, HouseholdStatus.WITHDRAWN): frozenset({SOCIAL_WORKER}),
    (HouseholdStatus.VETTED, HouseholdStatus.WITHDRAWN): frozenset({SOCIAL_WORKER}),
    (HouseholdStatus.PAUSED, HouseholdStatus.WITHDRAWN): frozenset({SOCIAL_WORKER}),
}


class TargetGroup(StrEnum):
    """Who the programme is for (reporting, staff only)."""

    REFUGEE_SHARED_ACCOMMODATION = "refugee_shared_accommodation"
    HOMELESS_MUNICIPAL_SHELTER = "homeless_municipal_shelter"
    OTHER = "other"


class ExitDestination(StrEnum):
    """Where a household went when it left the programme (reporting, staff only)."""

    OWN_TENANCY_PROGRAMME = "own_tenancy_programme"  # through a placement in the portal
    OWN_TENANCY_WITH_SUPPORT = "own_tenancy_with_support"  # found itself, with our support
    OTHER_ACCOMMODATION = "other_accommodation"
    DROPPED_OUT = "dropped_out"
    MOVED_AWAY = "moved_away"


class Gender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    NO_ANSWER = "no_answer"


class AgeBand(StrEnum):
    UNDER_18 = "under_18"
    FROM_18_TO_29 = "18_29"
    FROM_30_TO_54 = "30_54"
    FROM_55 = "55_plus"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    NO_ANSWER = "no_answer"  # declined to answer: counts as answered


class LabourStatus(StrEnum):
    """Labour-market status at entry (Annex I, Regulation (EU) 2021/1057)."""

    UNEMPLOYED = "unemployed"
    LONG_TERM_UNEMPLOYED = "long_term_unemployed"
    INACTIVE = "inactive"
    EMPLOYED = "employed"  # including self-employed
    NO_ANSWER = "no_answer"


class Education(StrEnum):
    """Highest education at entry, by ISCED level."""

    ISCED_0_2 = "isced_0_2"
    ISCED_3_4 = "isced_3_4"
    ISCED_5_8 = "isced_5_8"
    NONE = "none"
    NO_ANSWER = "no_answer"


# The earliest birth year the participant form takes (older is taken for a typing error).
EARLIEST_BIRTH_YEAR = 1900


def age_band_at(birth_year: int, on: date) -> AgeBand:
    """The age band of a person born in ``birth_year`` on the day ``on`` (the household's
    intake date): the age is the year's difference (the day of birth is not recorded)."""
    age = on.year - birth_year
    if age < 18:
        return AgeBand.UNDER_18
    if age < 30:
        return AgeBand.FROM_18_TO_29
    if age < 55:
        return AgeBand.FROM_30_TO_54
    return AgeBand.FROM_55


def _check_in(column: str, values, nullable: bool = False) -> str:
    listed = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IS NULL OR {column} IN ({listed})" if nullable else f"{column} IN ({listed})"


CONSENT_SCOPE = "profile visible to registered landlords; name revealed at a viewing"
# The scope of a consent after the household's erasure (privacy/operations.py writes it).
ERASED_SCOPE = "[erased]"

household_districts = Table(
    "household_districts",
    Base.metadata,
    Column("household_id", ForeignKey("households.id", ondelete="CASCADE"), primary_key=True),
    Column("district_id", ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True),
)


# What the social worker confirms before a profile is vetted the first time
# (households/operations/vetting.py); the words are in labels.py.
VETTING_CHECKLIST = ("consent_signed", "needs_discussed", "profile_text_read")


MATCHING_COLUMNS = (
    "status",
    "site_id",  # a flat is matched with the households of its own site (DESIGN.md §9)
    "needs_wheelchair",
    "needs_step_free",
    "earliest_move_in",
    "off_market_at",
    "max_gross_cold_rent",
    "adults",
    "children",
    "waiting_since",
    "needed_rooms",
    "has_pets",
    "has_wbs",
    "wbs_persons",
    "needed_area",
)


class Household(SiteOwned, TimestampMixin, Base):
    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("code"),
        CheckConstraint(
            "status IN ('draft', 'vetted', 'paused', 'housed', 'withdrawn')", name="status"
        ),
        CheckConstraint("adults >= 1 AND adults <= 12", name="adults"),
        CheckConstraint("children >= 0 AND children <= 12", name="children"),
        CheckConstraint("adults + children <= 12", name="size"),
        Index("ix_households_status_waiting", "status", "waiting_since"),
        CheckConstraint(_check_in("target_group", TargetGroup), name="target_group"),
        CheckConstraint(
            _check_in("exit_destination", ExitDestination, nullable=True), name="exit_destination"
        ),
        CheckConstraint(
            "(exit_on IS NULL) = (exit_destination IS NULL)", name="exit_date_and_destination"
        ),
        CheckConstraint("exit_on IS NULL OR exit_on >= intake_on", name="exit_after_intake"),
        Index("ix_households_intake", "intake_on"),
        Index("ix_households_exit", "exit_on"),
        # Every column the ranking of households for a flat reads (``matching.search``), so that
        # it scans this index instead of the table: the equalities of the access rules first,
        # then the move-in date, then what the rent, size and score read.
        Index("ix_households_matching", *MATCHING_COLUMNS),
        # The staff caseload's two default orders (``CaseloadFilter``): a page read in index
        # order instead of sorting every household.
        Index("ix_households_waiting", "waiting_since", "id"),
        Index("ix_households_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))  # DU-2026-0042, generated
    status: Mapped[str] = mapped_column(String(12), default=HouseholdStatus.DRAFT.value)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Tier 1: the public profile.
    adults: Mapped[int] = mapped_column(default=1)
    children: Mapped[int] = mapped_column(default=0)
    needed_rooms: Mapped[Decimal] = mapped_column(Numeric(3, 1))
    needed_area: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    max_gross_cold_rent: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    override_reason: Mapped[str | None] = mapped_column(String(500))  # staff only
    earliest_move_in: Mapped[date] = mapped_column(Date)
    cost_bearer: Mapped[str] = mapped_column(String(12), default=CostBearer.JOBCENTER.value)
    has_wbs: Mapped[bool] = mapped_column(default=False)
    wbs_persons: Mapped[int | None]
    has_pets: Mapped[bool] = mapped_column(default=False)
    needs_step_free: Mapped[bool] = mapped_column(default=False)
    needs_wheelchair: Mapped[bool] = mapped_column(default=False)
    profile_text: Mapped[str | None] = mapped_column(Text)
    # SHA-256 of the profile text whose every hit of the check (households/textcheck.py) a
    # social worker confirmed; another text is checked again. Holds no text itself.
    profile_text_checked: Mapped[str | None] = mapped_column(String(64))
    waiting_since: Mapped[date] = mapped_column(Date)
    vetted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    vetted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The social worker's checklist at the first vetting (VETTING_CHECKLIST):
    # {"items": [...], "ticked_by_id": user id, "ticked_at": ISO time}. Holds no free text.
    vetting_checklist: Mapped[dict | None] = mapped_column(JSON)
    # Tier 3, for the programme's reports (staff only, never shown to landlords).
    intake_on: Mapped[date] = mapped_column(Date, default=clock.today)
    target_group: Mapped[str] = mapped_column(String(30), default=TargetGroup.OTHER.value)
    exit_on: Mapped[date | None] = mapped_column(Date)
    exit_destination: Mapped[str | None] = mapped_column(String(30))
    # Off the market (DESIGN.md section 7): set when a placement of the household reaches
    # lease_signed, cleared when that placement is cancelled. A column, not a look at the
    # placements, because placements stand on a higher floor than households and the landlord
    # lists filter on it for every row (one cheap condition). Only the placement workflow sets
    # it (``take_off_market`` / ``return_to_market``).
    off_market_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    preferred_districts: Mapped[list[District]] = relationship(
        secondary=household_districts, order_by="District.position"
    )
    identity: Mapped[HouseholdIdentity | None] = relationship(
        back_populates="household", uselist=False, cascade="all, delete-orphan"
    )
    consents: Mapped[list[Consent]] = relationship(
        back_populates="household",
        order_by="Consent.given_on.desc()",
        cascade="all, delete-orphan",
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="household", order_by="Participant.position", cascade="all, delete-orphan"
    )

    @property
    def size(self) -> int:
        return self.adults + self.children

    def valid_consent(self, on: date | None = None) -> Consent | None:
        on = on or clock.today()
        for consent in self.consents:
            if consent.is_valid(on):
                return consent
        return None

    def is_visible_to_landlords(self, on: date | None = None) -> bool:
        """Vetted, with a valid consent and not off the market (no signed lease): the only case
        in which landlords see the profile."""
        return (
            self.status == HouseholdStatus.VETTED
            and self.off_market_at is None
            and self.valid_consent(on) is not None
        )

    def take_off_market(self, actor: User | None, **details) -> None:
        """A lease is signed: from now on no landlord list and no matching list shows the
        household. Writes the audit event; a household already off the market stays so."""
        if self.off_market_at is not None:
            return
        self.off_market_at = utcnow()
        audit.record("household.off_market", actor=actor, obj=self, **details)

    def return_to_market(self, actor: User | None, **details) -> None:
        """The placement with the signed lease was cancelled: landlords may see the household
        again (if its status and consent allow). Writes the audit event."""
        if self.off_market_at is None:
            return
        self.off_market_at = None
        audit.record("household.back_on_market", actor=actor, obj=self, **details)

    def can_move(self, to: HouseholdStatus, actor_kind: str) -> bool:
        return actor_kind in TRANSITIONS.get((HouseholdStatus(self.status), to), frozenset())

    def transition(
        self, to: HouseholdStatus, actor: User | None, actor_kind: str, **details
    ) -> None:
        """The one place that changes ``status``; vetting needs a valid consent. A move the
        flow does not allow, or not for this actor, or without consent, is refused (``Refused``)
        and changes nothing. Writes the audit event."""
        if not self.can_move(to, actor_kind):
            raise Refused(f"{self.status} -> {to} not allowed for {actor_kind}")
        if to == HouseholdStatus.VETTED and self.valid_consent() is None:
            raise Refused(
                "a valid consent is required",
                _l(
                    "The profile cannot be vetted without a valid consent. Please record the "
                    "household's consent first."
                ),
            )
        previous = self.status
        self.status = to.value
        self.status_changed_at = utcnow()
        if to == HouseholdStatus.VETTED and previous == HouseholdStatus.DRAFT:
            self.vetted_at = utcnow()
            self.vetted_by_id = actor.id if actor is not None else None
        audit.record(f"household.{to.value}", actor=actor, obj=self, previous=previous, **details)

    def __repr__(self) -> str:
        return f"<Household {self.code} {self.status}>"


class HouseholdIdentity(Base):
    """Restricted data: staff only (tier 2 parts reach a landlord only through a placement at
    the viewing stage); ``case_notes`` for social workers alone."""

    __tablename__ = "household_identities"
    __table_args__ = (UniqueConstraint("household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    main_tenant_name: Mapped[str | None] = mapped_column(String(200))
    adult_names: Mapped[str | None] = mapped_column(Text)  # one name per line
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    current_accommodation: Mapped[str | None] = mapped_column(String(300))
    case_notes: Mapped[str | None] = mapped_column(Text)

    household: Mapped[Household] = relationship(back_populates="identity")


class Participant(Base):
    """The ESF participant record (Annex I, Regulation (EU) 2021/1057) of one person in a
    household (tier 3, staff only): the fields at entry and, at exit, the exit date and the
    immediate results. A household has at most one row per person; persons without a row count
    as "not recorded" in the reports. The legal basis is the funding law, not the consent:
    withdrawing the consent leaves these rows alone.

    Age: ``birth_year`` is recorded; ``age_band`` is derived from it at entry (the household's
    intake date) when saved. Rows recorded before the birth year existed keep their
    ``age_band`` with no birth year. Every other entry field may be NULL (not yet recorded:
    the record is incomplete, see ``missing_entry_fields``); "no_answer" is the person's
    declined answer and counts as answered."""

    __tablename__ = "household_participants"
    __table_args__ = (
        UniqueConstraint("household_id", "position"),
        CheckConstraint(_check_in("gender", Gender), name="gender"),
        CheckConstraint(_check_in("age_band", AgeBand, nullable=True), name="age_band"),
        CheckConstraint(_check_in("third_country", Answer), name="third_country"),
        CheckConstraint(_check_in("disability", Answer), name="disability"),
        CheckConstraint(
            f"birth_year IS NULL OR birth_year >= {EARLIEST_BIRTH_YEAR}", name="birth_year"
        ),
        CheckConstraint(
            _check_in("labour_status", LabourStatus, nullable=True), name="labour_status"
        ),
        CheckConstraint(_check_in("education", Education, nullable=True), name="education"),
        CheckConstraint(
            _check_in("foreign_background", Answer, nullable=True), name="foreign_background"
        ),
        CheckConstraint(_check_in("minority", Answer, nullable=True), name="minority"),
        CheckConstraint(_check_in("homeless", Answer, nullable=True), name="homeless"),
        CheckConstraint(_check_in("rural", Answer, nullable=True), name="rural"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    gender: Mapped[str] = mapped_column(String(12), default=Gender.NO_ANSWER.value)
    birth_year: Mapped[int | None]
    age_band: Mapped[str | None] = mapped_column(String(10))
    labour_status: Mapped[str | None] = mapped_column(String(24))
    education: Mapped[str | None] = mapped_column(String(12))
    third_country: Mapped[str] = mapped_column(String(10), default=Answer.NO_ANSWER.value)
    disability: Mapped[str] = mapped_column(String(10), default=Answer.NO_ANSWER.value)
    foreign_background: Mapped[str | None] = mapped_column(String(10))
    minority: Mapped[str | None] = mapped_column(String(10))
    homeless: Mapped[str | None] = mapped_column(String(10))
    rural: Mapped[str | None] = mapped_column(String(10))
    # At exit: the date and the immediate results (each yes/no; NULL: not yet recorded).
    exit_on: Mapped[date | None] = mapped_column(Date)
    result_job_searching: Mapped[bool | None]
    result_in_education: Mapped[bool | None]
    result_qualification: Mapped[bool | None]
    result_employed: Mapped[bool | None]

    household: Mapped[Household] = relationship(back_populates="participants")

    def missing_entry_fields(self) -> list[str]:
        """The mandatory entry fields this record lacks, in ``ENTRY_FIELDS`` order. A declined
        answer counts as answered; an empty field does not. The age is answered by the birth
        year, or by an age band recorded before the birth year was asked."""
        missing = []
        for name in ENTRY_FIELDS:
            if name == "birth_year":
                if self.birth_year is None and self.age_band is None:
                    missing.append(name)
            elif getattr(self, name) in (None, ""):
                missing.append(name)
        return missing

    @property
    def is_complete(self) -> bool:
        return not self.missing_entry_fields()


# The mandatory entry fields of a participant record (Annex I), in the form's order.
ENTRY_FIELDS = (
    "gender",
    "birth_year",
    "labour_status",
    "education",
    "disability",
    "third_country",
    "foreign_background",
    "minority",
    "homeless",
    "rural",
)
EXIT_RESULTS = (
    "result_job_searching",
    "result_in_education",
    "result_qualification",
    "result_employed",
)


def incomplete_participants(household: Household) -> int:
    """How many persons of the household have no participant record or an incomplete one."""
    stored = {p.position: p for p in household.participants}
    return sum(
        1
        for position in range(household.size)
        if position not in stored or not stored[position].is_complete
    )


class Consent(TimestampMixin, Base):
    """The household's written consent: given on, scope, expires on (default six months),
    withdrawn on; optionally the scanned form (social workers only)."""

    __tablename__ = "consents"
    __table_args__ = (
        CheckConstraint("expires_on > given_on", name="expiry_after_start"),
        # Every column of the "valid consent" check (``households.queries``), so that the
        # landlord list and the matching answer it from the index alone.
        Index("ix_consents_valid", "household_id", "expires_on", "given_on", "withdrawn_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    given_on: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(300), default=CONSENT_SCOPE)
    expires_on: Mapped[date] = mapped_column(Date, index=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    document_key: Mapped[str | None] = mapped_column(String(80))
    document_type: Mapped[str | None] = mapped_column(String(40))
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expiry_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The landlord may learn whether rent is paid directly and the deposit/shares status.
    shares_payment_status: Mapped[bool] = mapped_column(default=False, server_default=false())

    household: Mapped[Household] = relationship(back_populates="consents")

    def is_valid(self, on: date | None = None) -> bool:
        on = on or clock.today()
        return self.withdrawn_on is None and self.given_on <= on <= self.expires_on

    @property
    def is_proof_only(self) -> bool:
        """The scan outlived the household's erasure only as proof of its ESF participant
        records (GDPR Art. 17(3)(b), CPR Art. 82): it is kept for the funding body's audit and
        the purge, never handed out in daily work or in an export."""
        return self.document_key is not None and self.scope == ERASED_SCOPE


class ProfileView(Base):
    """A landlord organisation looked at a profile (staff can see who and when)."""

    __tablename__ = "profile_views"
    __table_args__ = (Index("ix_profile_views_household", "household_id", "viewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
