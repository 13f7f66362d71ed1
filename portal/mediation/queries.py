"""The back-office list of mediation cases (its filters, parsed from the query string, and the
query), the counts for the back-office home, and the lists of a case that grow for as long as
it is worked (its notes, its replies, its history): the newest for the case page, all of them
a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import ColumnElement, Select, bindparam, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import AuditEvent
from portal.core.fields import optional_int
from portal.core.pagination import first_and_total_statement, first_rows_of, run_newest
from portal.extensions import db
from portal.mediation.models import (
    OPEN_STATUSES,
    TOPICS,
    CaseEntry,
    CaseStatus,
    MediationCase,
)
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


# A case's notes, replies and history: a line each for as long as the case is worked ------------


def entries_of(case_id: int, kind: str) -> Select:
    """A case's internal notes or its replies (``kind``), oldest first, each with its author
    (joined: one statement a page)."""
    return (
        select(CaseEntry)
        .where(CaseEntry.case_id == case_id, CaseEntry.kind == kind)
        .options(joinedload(CaseEntry.author))
        .order_by(CaseEntry.id)
    )


def _newest_entries(case_id: int | ColumnElement[int], kind: str | ColumnElement[str]) -> Select:
    """A case's notes or replies newest first, each with its author: ``latest_entries``'s
    rows."""
    return (
        select(CaseEntry)
        .where(CaseEntry.case_id == case_id, CaseEntry.kind == kind)
        .options(joinedload(CaseEntry.author))
        .order_by(CaseEntry.id.desc())
    )


# ``latest_entries(case_id, kind, limit)``: the newest notes or replies of a case, oldest first as
# the whole list reads, and the number of all of them (the case pages run it for both kinds).
latest_entries = first_rows_of(_newest_entries, "case_id", "kind", turned=True)


def _of_case(case_id) -> tuple:
    return (
        AuditEvent.object_type == MediationCase.__tablename__,
        AuditEvent.object_id == case_id,
    )


def history_of(case_id: int) -> Select:
    """A case's audit events (status changes, assignments, links, replies, notes, messages),
    oldest first; the page names who acted (``actor_names``), as Flask-SQLAlchemy's pages hold
    one entity a row."""
    return (
        select(AuditEvent).where(*_of_case(case_id)).order_by(AuditEvent.occurred_at, AuditEvent.id)
    )


def actor_names(events: list[AuditEvent]) -> dict[int, str]:
    """The names of who acted in ``events``, in one statement."""
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def latest_history(case_id: int, limit: int) -> tuple[list[tuple[AuditEvent, str | None]], int]:
    """The newest ``limit`` events of a case with the name of who acted, oldest first as the
    whole history reads, and the number of all of them, in one statement."""
    rows, total = run_newest(_latest_history_statement(limit), limit, {"case_id": case_id})
    return [(event, name) for event, name in rows], total


@lru_cache(maxsize=8)
def _latest_history_statement(limit: int) -> Select:
    """Built once per process (the case page runs it on every request); the case's id is a
    parameter."""
    return first_and_total_statement(
        select(AuditEvent, User.full_name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(*_of_case(bindparam("case_id")))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()),
        limit,
    )
