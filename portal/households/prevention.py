"""Prevention cases (issue 16): a household threatened with losing its flat (drohende
Wohnungslosigkeit) stays in it while the team mediates with its landlord; the case ends with
the outcome (tenancy kept, moved, lost).

Staff only, all of it: the threat, its note and the landlord's name and address never reach a
landlord's page. A household with an open prevention case keeps its flat and is not offered to
landlords: the case cannot be opened for a vetted profile, and the profile cannot be vetted while
the case is open (households/operations/vetting.py). The case stands apart from the household's
target group (recorded at the intake, for the reports); the reports count the cases themselves.

The mediation case it is linked to lives a floor above (mediation); the link is a foreign key
only, chosen from what that floor offers through ``LINKABLE_MEDIATION_CASES``."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import audit
from portal.core.db import Base, TimestampMixin, UTCDateTime, utcnow
from portal.core.refusals import Refused
from portal.households.models import Household
from portal.sites.models import SiteOwned

if TYPE_CHECKING:
    from portal.accounts.models import User


class Threat(StrEnum):
    """What threatens the tenancy."""

    NOTICE_RENT_ARREARS = "notice_rent_arrears"  # Kündigung wegen Mietschulden
    NOTICE_OTHER = "notice_other"  # another notice to quit
    EVICTION_SUIT = "eviction_suit"  # Räumungsklage
    OTHER = "other"


class Outcome(StrEnum):
    TENANCY_KEPT = "tenancy_kept"
    MOVED = "moved"  # moved to another flat without becoming homeless
    LOST = "lost"  # lost the flat


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class PreventionCase(SiteOwned, TimestampMixin, Base):
    __tablename__ = "prevention_cases"
    __table_args__ = (
        CheckConstraint(_in("threat", Threat), name="threat"),
        CheckConstraint(f"outcome IS NULL OR {_in('outcome', Outcome)}", name="outcome"),
        CheckConstraint("(outcome IS NULL) = (outcome_on IS NULL)", name="outcome_and_date"),
        CheckConstraint("outcome_on IS NULL OR outcome_on >= opened_on", name="outcome_after_open"),
        # One open case per household, held by the database.
        Index(
            "uq_prevention_cases_open",
            "household_id",
            unique=True,
            sqlite_where=text("outcome IS NULL"),
            postgresql_where=text("outcome IS NULL"),
        ),
        Index("ix_prevention_cases_household", "household_id"),
        Index("ix_prevention_cases_opened", "opened_on"),
        Index("ix_prevention_cases_outcome", "outcome_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    opened_on: Mapped[date] = mapped_column(Date)
    threat: Mapped[str] = mapped_column(String(24))
    threat_note: Mapped[str | None] = mapped_column(Text)  # staff only
    # The landlord of the flat the household lives in (staff only; often no portal landlord).
    landlord_name: Mapped[str] = mapped_column(String(200))
    landlord_address: Mapped[str | None] = mapped_column(String(300))
    # A mediation case may be linked to one prevention case at most.
    mediation_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("mediation_cases.id", ondelete="SET NULL"), unique=True
    )
    outcome: Mapped[str | None] = mapped_column(String(14))
    outcome_on: Mapped[date | None] = mapped_column(Date)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    household: Mapped[Household] = relationship()

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    def link(self, mediation_case_id: int | None, actor: User) -> None:
        """The one place that changes the linked mediation case; writes the audit event."""
        if not self.is_open:
            raise Refused("case closed")
        previous = self.mediation_case_id
        self.mediation_case_id = mediation_case_id
        audit.record(
            "prevention.linked",
            actor=actor,
            obj=self,
            mediation_case_id=mediation_case_id,
            previous=previous,
        )

    def close(self, outcome: Outcome, on: date, actor: User) -> None:
        """The one place that records the outcome, which closes the case; writes the audit
        event. A closed case keeps its outcome: a second one is refused."""
        if not self.is_open:
            raise Refused("outcome recorded")
        self.outcome = outcome.value
        self.outcome_on = on
        self.closed_at = utcnow()
        self.closed_by_id = actor.id
        audit.record("prevention.closed", actor=actor, obj=self, outcome=outcome.value)

    def __repr__(self) -> str:
        return f"<PreventionCase {self.id} household={self.household_id} {self.outcome or 'open'}>"
