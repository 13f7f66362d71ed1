"""Submitting a report to the funding body, and what was submitted (issue 17).

Who may submit: specialists (the programme's lead is one) and admins, as for the funding body's
exact export; every staff member may read what was submitted (the same protected figures as
the report page). Landlords never see any of it.

What is sent is always the whole programme (never the exact own caseload), protected as every
file is (``report.build(..., exact=False)``), in German: the funding body reads German, and the
files sent must not depend on the language of whoever pressed the button.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from portal.accounts.models import Role
from portal.core import audit, clock
from portal.core.refusals import BAD_INPUT, Refused
from portal.extensions import db
from portal.reports import exports, figures, frozen, report
from portal.reports.models import PROGRAMME_SCOPE, SubmittedReport
from portal.reports.periods import Period
from portal.sites.models import DEFAULT_SITE_ID, Site

SUBMITTERS = (Role.SPECIALIST, Role.ADMIN)
LOCALE = "de"
RECIPIENT_MAX = 200


def may_submit(user: Any) -> bool:
    return getattr(user, "role", None) in SUBMITTERS


def _of_site(site_id: int | None):
    if site_id is None:
        return SubmittedReport.site_id.is_(None)
    return SubmittedReport.site_id == site_id


def latest_version(
    period: Period, scope: str = PROGRAMME_SCOPE, site_id: int | None = DEFAULT_SITE_ID
) -> int:
    """The highest version submitted for ``period``, ``scope`` and the site (None: the
    state-level report); 0 when none was. Versions count per site."""
    return (
        db.session.scalar(
            select(func.max(SubmittedReport.version)).where(
                SubmittedReport.period_start == period.start,
                SubmittedReport.period_end == period.end,
                SubmittedReport.scope == scope,
                _of_site(site_id),
            )
        )
        or 0
    )


def submit(
    period: Period,
    recipient: str,
    actor: Any,
    reason: str | None = None,
    today: date | None = None,
    site: Site | None = None,
) -> SubmittedReport:
    """Freeze the report of ``site`` (default: the default site) for ``period`` as it is sent
    now, recording the site: its figures (every exported table,
    cell by cell, as protected) and its PDF and CSV, byte for byte, with who sent it, when and
    to whom. The first submission of a period (per site) is version 1; each further one is the
    next version and must say why (a correction). Refuses a submitter without the right, an empty
    recipient, and a correction without a reason; nothing is written then."""
    if not may_submit(actor):
        raise Refused("not_allowed", _l("Only specialists and admins submit reports."), status=403)
    recipient = (recipient or "").strip()
    reason = (reason or "").strip() or None
    if not recipient:
        raise Refused(
            "recipient_missing", _l("Please name where the report is sent."), status=BAD_INPUT
        )
    if len(recipient) > RECIPIENT_MAX:
        raise Refused("recipient_too_long", _l("Please shorten the recipient."), status=BAD_INPUT)
    if site is None:
        site = db.session.get(Site, DEFAULT_SITE_ID)
    version = latest_version(period, site_id=site.id) + 1
    if version > 1 and reason is None:
        raise Refused(
            "reason_required",
            _l("This period was submitted before: please say what this version corrects."),
            status=BAD_INPUT,
        )
    today = today or clock.today()
    with force_locale(LOCALE):
        tables = report.build(period, figures.Scope(site_ids=(site.id,)), today).exported
        pdf = exports.render("pdf", tables, period, today, site=site)
        csv = exports.render("csv", tables, period, today, site=site)
    submission = SubmittedReport(
        site_id=site.id,
        period_start=period.start,
        period_end=period.end,
        period_kind=period.preset or "custom",
        scope=PROGRAMME_SCOPE,
        version=version,
        recipient=recipient,
        reason=reason,
        locale=LOCALE,
        as_of=period.as_of(today),
        figures=frozen.dump(tables),
        pdf=pdf,
        csv=csv,
        submitted_by_id=actor.id,
        submitted_by_name=actor.full_name or actor.email,
        submitted_at=clock.utcnow(),
    )
    try:
        with db.session.begin_nested():  # two submitting at once: one gets the version
            db.session.add(submission)
    except IntegrityError as error:
        raise Refused(
            "submitted_meanwhile",
            _l("Somebody submitted this period at the same moment. Please look at it first."),
            detail=str(error.orig),
        ) from error
    audit.record(
        "report.submitted",
        actor=actor,
        obj=submission,
        start=str(period.start),
        end=str(period.end),
        sites=site.slug,
        version=version,
    )
    return submission


def edit(submission: SubmittedReport, actor: Any, **changes: Any) -> None:
    """There is no editing a submission: always refused. A correction is a new version
    (``submit`` with a reason)."""
    raise Refused(
        "submission_frozen",
        _l("A submitted report cannot be changed. Submit a correction as a new version."),
        detail=f"fields {sorted(changes)}",
    )


# A list of submissions reads neither the figures nor the PDF and CSV (loaded when asked for).
_PARTICULARS_ONLY = (
    defer(SubmittedReport.figures),
    defer(SubmittedReport.pdf),
    defer(SubmittedReport.csv),
)


def submissions(
    period: Period | None = None, site_ids: tuple[int, ...] | None = None
) -> list[SubmittedReport]:
    """Every submission, as ``submissions_query`` orders and filters them (for the versions of
    one period; the list of all reads a page of ``submissions_query``)."""
    return list(db.session.scalars(submissions_query(period, site_ids)))


def submissions_query(
    period: Period | None = None, site_ids: tuple[int, ...] | None = None
) -> Select[tuple[SubmittedReport]]:
    """The statement of every submission, newest period first and the versions of a period
    newest first; only those of ``period`` when given, only those of ``site_ids`` when given (a
    submission is not filtered by the staff session filter: its site may be None, the
    state-level report). The stored figures and files are not loaded: a list shows a
    submission's particulars."""
    query = (
        select(SubmittedReport)
        .options(*_PARTICULARS_ONLY)
        .order_by(
            SubmittedReport.period_start.desc(),
            SubmittedReport.period_end.desc(),
            SubmittedReport.site_id,
            SubmittedReport.version.desc(),
        )
    )
    if site_ids is not None:
        query = query.where(SubmittedReport.site_id.in_(site_ids))
    if period is not None:
        query = query.where(
            SubmittedReport.period_start == period.start,
            SubmittedReport.period_end == period.end,
        )
    return query


def period_of(submission: SubmittedReport) -> Period:
    preset = None if submission.period_kind == "custom" else submission.period_kind
    return Period(submission.period_start, submission.period_end, preset)


def frozen_tables(submission: SubmittedReport):
    """The tables as they were sent, from the stored figures (never recomputed)."""
    return frozen.load(submission.figures)


def difference(
    submission: SubmittedReport, today: date | None = None, fmt=exports.german
) -> frozen.Difference:
    """The submitted figures against the same report computed now (protected the same way);
    ``fmt`` formats the numbers shown (``frozen.compare``)."""
    today = today or clock.today()
    sites = None if submission.site_id is None else (submission.site_id,)
    now = report.build(period_of(submission), figures.Scope(site_ids=sites), today).exported
    return frozen.compare(frozen_tables(submission), now, fmt)


def record_download(submission: SubmittedReport, kind: str, actor: Any) -> None:
    """Every download of a submitted file leaves an audit event."""
    audit.record(
        "report.submission_downloaded",
        actor=actor,
        obj=submission,
        format=kind,
        version=submission.version,
    )
