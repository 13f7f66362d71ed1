"""The back-office list of mediation cases (its filters, parsed from the query string, and the
query) and the counts for the back-office home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from portal.core import clock
from portal.core.fields import optional_int
from portal.extensions import db
from portal.mediation.models import OPEN_STATUSES, TOPICS, CaseStatus, MediationCase
from portal.mediation.operations import WORKING_DAYS_TO_ANSWER, working_days_between
from portal.mediation.staff_forms import CaseFilterForm
from portal.placements.calendar import BERLIN

STATUS_FILTERS = {"open", *(s.value for s in CaseStatus)}


def local_day(moment: datetime) -> date:
    """The day in Duisburg on which ``moment`` happened."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BERLIN).date()


def age_in_working_days(case_: MediationCase, today: date | None = None) -> int:
    return working_days_between(local_day(case_.created_at), today or clock.today())


def is_overdue(case_: MediationCase, today: date | None = None) -> bool:
    """Open, never answered, and older than the promised two working days."""
    return (
        case_.status in OPEN_STATUSES
        and case_.first_answer_at is None
        and age_in_working_days(case_, today) > WORKING_DAYS_TO_ANSWER
    )


def overdue_before(today: date) -> datetime:
    """Cases created before this moment (UTC) are older than the answer period: the start of
    the day after the latest Duisburg day that lies more than two working days back."""
    last = today - timedelta(days=1)
    while working_days_between(last, today) <= WORKING_DAYS_TO_ANSWER:
        last -= timedelta(days=1)
    return datetime.combine(last + timedelta(days=1), time.min, BERLIN).astimezone(UTC)


def _overdue_clauses(today: date) -> tuple:
    return (
        MediationCase.status.in_([s.value for s in OPEN_STATUSES]),
        MediationCase.first_answer_at.is_(None),
        MediationCase.created_at < overdue_before(today),
    )


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None  # a status, or "open"
    topic: str | None = None
    staff_id: int | None = None
    unassigned: bool = False
    overdue: bool = False  # open, unanswered, older than two working days

    @classmethod
    def from_form(cls, form: CaseFilterForm, overdue: bool = False) -> CaseFilter:
        """What the form holds; an unknown value is no filter."""
        status = form.status.data or None
        topic = form.topic.data or None
        staff = form.staff.data or ""
        return cls(
            status=status if status in STATUS_FILTERS else None,
            topic=topic if topic in TOPICS else None,
            staff_id=optional_int(staff),
            unassigned=staff == "none",
            overdue=overdue,
        )

    @property
    def is_active(self) -> bool:
        return self != CaseFilter()

    def query(self, today: date) -> Select:
        """The matching cases, new ones first, then the oldest first, with what the list shows
        loaded in a fixed number of queries."""
        query = select(MediationCase).options(selectinload(MediationCase.assigned_to))
        if self.status == "open":
            query = query.where(MediationCase.status.in_([s.value for s in OPEN_STATUSES]))
        elif self.status:
            query = query.where(MediationCase.status == self.status)
        if self.topic:
            query = query.where(MediationCase.topic == self.topic)
        if self.staff_id:
            query = query.where(MediationCase.assigned_to_id == self.staff_id)
        elif self.unassigned:
            query = query.where(MediationCase.assigned_to_id.is_(None))
        if self.overdue:
            query = query.where(*_overdue_clauses(today))
        is_new = case((MediationCase.status == CaseStatus.NEW.value, 0), else_=1)
        return query.order_by(is_new, MediationCase.created_at.asc(), MediationCase.id.asc())


@dataclass(frozen=True)
class Counts:
    new: int
    overdue: int


def home_counts(today: date | None = None) -> Counts:
    """For the back-office home: new cases, and open cases without an answer for more than
    two working days."""
    today = today or clock.today()
    new, overdue = db.session.execute(  # both in one statement
        select(
            select(func.count(MediationCase.id))
            .where(MediationCase.status == CaseStatus.NEW.value)
            .scalar_subquery(),
            select(func.count(MediationCase.id)).where(*_overdue_clauses(today)).scalar_subquery(),
        )
    ).one()
    return Counts(new=new or 0, overdue=overdue or 0)
