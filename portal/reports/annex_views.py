"""The funding body's exact figures in the back office (issue 17): the Annex I table of a
period, and the download of the per-participant export with a reason. Adds its routes to the
reports blueprint (imported in create_app before the blueprint is registered); the figures are
in ``reports/annex.py``, the files and their audit in ``reports/annex_files.py``.

Rights: specialists (the programme's lead is one) and admins (``annex.EXPORTERS``): the figures
are exact, never suppressed. Social workers and landlords get 403, as the role decorators
answer elsewhere; anonymous visitors go to the login.
"""

from __future__ import annotations

from flask import Response, abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.permissions import staff_required
from portal.extensions import db
from portal.reports import annex, annex_files
from portal.reports.annex import COLUMNS
from portal.reports.backoffice import _choice, bp, chosen_site, staff_sites
from portal.reports.forms import AnnexExportForm, PeriodForm
from portal.reports.labels import ANNEX_COLUMN_LABELS


def _period_args(period) -> dict[str, str]:
    args = {"preset": period.preset or "custom"}
    if period.preset is None:
        args |= {"start": period.start.isoformat(), "end": period.end.isoformat()}
    if len(staff_sites()) > 1:
        args["site"] = chosen_site().slug
    return args


def render_annex(export_form: AnnexExportForm | None = None, status: int = 200):
    """The Annex I page; ``export_form`` is the download form with what was chosen, when it
    comes back with an error."""
    form, period, scope = _choice()
    return (
        render_template(
            "backoffice/reports/annex.html",
            form=form,
            period=period,
            site=chosen_site(),
            several_sites=len(staff_sites()) > 1,
            table=annex.annex_table(period, site_ids=scope.site_ids),
            columns=[(key, ANNEX_COLUMN_LABELS[key]) for key in COLUMNS],
            export_form=export_form or AnnexExportForm(formdata=None),
            args=_period_args(period),
            project_id=annex_files.project_id(chosen_site()),
        ),
        status,
    )


@bp.route("/annex")
@staff_required(*annex.EXPORTERS)
def annex_page():
    return render_annex()


@bp.route("/annex/export", methods=["POST"])
@staff_required(*annex.EXPORTERS)
def annex_export():
    """The chosen file for the period in the address, only with a reason; every download is
    audited. A period that is not valid is refused, never replaced by the default one."""
    if request.args and not PeriodForm(request.args).validate():
        abort(400)
    _form, period, _scope = _choice()
    form = AnnexExportForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors or not form.is_submitted():
            abort(400)
        flash(_("The export was not made: please choose the file and why you need it."), "error")
        return render_annex(form, status=400)
    site = chosen_site()
    data = annex_files.export(form.kind.data, period, form.purpose.data, current_user, site)
    db.session.commit()
    return Response(
        data,
        mimetype=annex_files.MIMETYPES[form.kind.data],
        headers={
            "Content-Disposition": (
                f'attachment; filename="{annex_files.file_name(form.kind.data, period, site)}"'
            )
        },
    )
