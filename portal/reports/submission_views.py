"""The staff pages of submitted reports (issue 17): submitting the report shown, the list of
submissions, a submission's frozen figures with the difference against now, and its files byte
for byte. Adds its routes to the reports blueprint (imported in create_app before the blueprint
is registered); the rules are in ``reports/submissions.py``.

Rights: every staff member reads the submissions of their sites (the same protected figures as
the report page; another site's answer 404); specialists and admins submit, for the site
chosen on the report page. Landlords get 403, as on every report page.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import staff_required
from portal.core.pagination import page_of
from portal.core.refusals import Refused
from portal.extensions import db
from portal.reports import exports, figures, submissions
from portal.reports.backoffice import (
    _args,
    _choice,
    bp,
    chosen_site,
    on_page,
    render_index,
    staff_sites,
)
from portal.reports.exports import period_text
from portal.reports.forms import PeriodForm, SubmitForm
from portal.reports.models import SubmittedReport
from portal.reports.tables import display

# The field a refusal of ``submissions.submit`` belongs to.
REFUSAL_FIELDS = {
    "recipient_missing": "recipient",
    "recipient_too_long": "recipient",
    "reason_required": "reason",
}


@bp.route("/submit", methods=["POST"])
@staff_required(*submissions.SUBMITTERS)
def submit():
    """Submit the report of the period in the address (the page's period picker); a period
    that is not valid is refused, never replaced by the default one."""
    if request.args and not PeriodForm(request.args).validate():
        abort(400)
    _form, period, scope = _choice()
    form = SubmitForm()
    if scope.is_own or not form.validate_on_submit():
        return render_index(form)
    try:
        submission = submissions.submit(
            period, form.recipient.data, current_user, reason=form.reason.data, site=chosen_site()
        )
    except Refused as refusal:
        if refusal.code not in REFUSAL_FIELDS:
            raise
        db.session.rollback()
        field = form[REFUSAL_FIELDS[refusal.code]]
        field.errors = [*field.errors, str(refusal.message)]
        return render_index(form)
    db.session.commit()
    flash(
        _(
            "The report for %(period)s was submitted as version %(version)d.",
            period=period_text(period),
            version=submission.version,
        ),
        "success",
    )
    return redirect(url_for(".submission", submission_id=submission.id))


def _site_ids() -> tuple[int, ...]:
    return tuple(site.id for site in staff_sites())


def _submitted_or_404(submission_id: int) -> SubmittedReport:
    """A submission of one of the staff member's sites; another site's (or the state-level
    report's) answers 404: submitted reports carry no session filter (their site may be
    None)."""
    submitted = db.get_or_404(SubmittedReport, submission_id)
    if submitted.site_id not in _site_ids():
        abort(404)
    return submitted


@bp.route("/submissions")
@staff_required()
def submission_list():
    sites = staff_sites()
    names = {site.id: site.name for site in sites}
    return render_template(
        "backoffice/reports/submissions.html",
        page=page_of(submissions.submissions_query(site_ids=_site_ids())),
        period_text=lambda s: period_text(submissions.period_of(s)),
        site_name=(lambda s: names.get(s.site_id, "")) if len(sites) > 1 else None,
    )


@bp.route("/submissions/<int:submission_id>")
@staff_required()
def submission(submission_id: int):
    """The figures as they were sent (from the stored JSON, not recomputed) and what has
    changed since."""
    submitted = _submitted_or_404(submission_id)
    period = submissions.period_of(submitted)
    site = next(s for s in staff_sites() if s.id == submitted.site_id)
    report_args = _args(period, figures.PROGRAMME)
    if len(staff_sites()) > 1:
        report_args["site"] = site.slug
    return render_template(
        "backoffice/reports/submission.html",
        submitted=submitted,
        period_label=period_text(period),
        versions=submissions.submissions(period, site_ids=(submitted.site_id,)),
        site=site,
        tables=submissions.frozen_tables(submitted),
        difference=submissions.difference(submitted, fmt=on_page),
        show=lambda cell: display(cell, on_page),
        legend=exports.LEGEND,
        report_url=url_for(".index", **report_args),
    )


@bp.route("/submissions/<int:submission_id>/report.<any(pdf, csv):kind>")
@staff_required()
def submission_file(submission_id: int, kind: str):
    """The file exactly as it was sent; every download audited."""
    submitted = _submitted_or_404(submission_id)
    submissions.record_download(submitted, kind, current_user)
    db.session.commit()
    name = (
        f"zuhause-figures-{submitted.period_start.isoformat()}-"
        f"{submitted.period_end.isoformat()}-v{submitted.version}.{kind}"
    )
    return Response(
        submitted.file(kind),
        mimetype=exports.MIMETYPES[kind],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
