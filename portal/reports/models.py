"""Submitted reports (issue 17): a report as it was sent to the funding body, frozen.

A submission keeps the figures (every exported table, cell by cell, with the cells that were
withheld, in ``figures``: see ``reports/frozen.py``), the PDF and the CSV byte for byte, who sent
it, when and to whom. Later changes of the data never change it: the submission's page shows
the frozen figures next to a difference against the report computed now. A correction is a new
version of the same period and scope, with a reason; versions count 1, 2, ... per period and
scope, held by a unique constraint.

The files live in the row (``LargeBinary``), not in the upload folder (``core/storage.py``): they
are written in the same transaction as the figures and the audit event, so a submission is
there completely or not at all; they go into every database backup with it; and nothing on
disk can be replaced under the row. A report PDF is a few dozen kilobytes.

Immutable once written: there is no update path, and a flush that would change a stored
submission is refused (``_refuse_changes``); on PostgreSQL the runtime role has no UPDATE or
DELETE on the table either (deploy/postgres-grants.sql).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, UTCDateTime, utcnow
from portal.core.refusals import Refused

PROGRAMME_SCOPE = "programme"  # the whole programme: the only scope that is ever sent


class SubmittedReport(Base):
    __tablename__ = "submitted_reports"
    __table_args__ = (
        UniqueConstraint(
            "site_id",
            "period_start",
            "period_end",
            "scope",
            "version",
            name="uq_submitted_reports_site_version",  # the generated name is too long
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("period_end >= period_start", name="period_order"),
        # A correction says why; the first version needs no reason.
        CheckConstraint("version = 1 OR reason IS NOT NULL", name="correction_reason"),
        Index("ix_submitted_reports_period", "period_start", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The site reported on; None for the state-level report over every site.
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    period_kind: Mapped[str] = mapped_column(String(20))  # a preset's name, or "custom"
    scope: Mapped[str] = mapped_column(String(20), default=PROGRAMME_SCOPE)
    version: Mapped[int]
    recipient: Mapped[str] = mapped_column(String(200))  # e.g. "MAGS Zwischenbericht"
    reason: Mapped[str | None] = mapped_column(Text)  # versions > 1: what was corrected
    locale: Mapped[str] = mapped_column(String(8))  # the language the files were made in
    as_of: Mapped[date] = mapped_column(Date)  # the day the figures were computed for
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    csv: Mapped[bytes] = mapped_column(LargeBinary)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # Who sent it, as it was then: the account may be renamed or removed later.
    submitted_by_name: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def file(self, kind: str) -> bytes:
        return self.pdf if kind == "pdf" else self.csv

    def __repr__(self) -> str:
        return f"<SubmittedReport {self.period_start}..{self.period_end} v{self.version}>"


@event.listens_for(SubmittedReport, "before_update")
def _refuse_changes(_mapper, _connection, target: SubmittedReport) -> None:
    raise Refused(
        "submission_frozen",
        _l("A submitted report cannot be changed. Submit a correction as a new version."),
        detail=f"submitted report {target.id} is frozen",
    )
