"""Staff routes of the privacy domain: a household's and a landlord account's data-protection
page (export, erasure), and the audit log.

Who may do what (docs/privacy.md): a household's export needs a role that sees its tier-3 data
(social worker) or the admin; a landlord's export the specialist, who looks after landlords, or
the admin. Erasure is for the admin alone. The audit log is the admin's.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from sqlalchemy import false, func, or_, select

from portal.accounts.forms import EmptyForm
from portal.accounts.models import Role, User, normalise_email
from portal.accounts.permissions import staff_required
from portal.core.audit import AuditEvent
from portal.core.errors import error_page
from portal.core.fields import optional_int
from portal.core.pagination import AUDIT_PER_PAGE, HOME_ROWS, page_of
from portal.core.refusals import Refused
from portal.extensions import db, limiter
from portal.households.models import Household
from portal.placements.models import Placement
from portal.privacy import export as export_ops
from portal.privacy import household_exports
from portal.privacy import operations as ops
from portal.privacy.forms import AuditFilterForm, EraseForm, HouseholdExportForm
from portal.privacy.labels import purpose_label
from portal.privacy.models import Erasure, ErasureKind

bp = Blueprint("privacy_backoffice", __name__, url_prefix="/backoffice")

HOUSEHOLD_EXPORTERS = (Role.SOCIAL_WORKER, Role.ADMIN)
LANDLORD_EXPORTERS = (Role.SPECIALIST, Role.ADMIN)
AUDIT_PAGE_SIZE = 50


def _zip_response(data: bytes, name: str) -> Response:
    """The archive as a download. No cache keeps it: the security headers mark every response
    to a logged-in user ``no-store`` (portal.core.security)."""
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# Finding a subject ------------------------------------------------------------------------------


@bp.route("/privacy")
@staff_required()
def index():
    """Find a household by its code or a landlord account by its e-mail address."""
    query = (request.args.get("q") or "").strip()
    if query:
        if "@" in query and current_user.role in LANDLORD_EXPORTERS:
            user = db.session.scalar(
                select(User).where(User.email == normalise_email(query), User.role == Role.LANDLORD)
            )
            if user is not None:
                return redirect(url_for(".landlord", user_id=user.id))
        elif current_user.role in HOUSEHOLD_EXPORTERS:
            household = db.session.scalar(select(Household).where(Household.code == query.upper()))
            if household is not None:
                return redirect(url_for(".household", household_id=household.id))
        flash(_("Nothing found for this search."), "warning")
    return render_template(
        "backoffice/privacy/index.html",
        query=query,
        finds_households=current_user.role in HOUSEHOLD_EXPORTERS,
        finds_landlords=current_user.role in LANDLORD_EXPORTERS,
    )


# Households -------------------------------------------------------------------------------------


def _exporter_key() -> str:
    """Household exports are counted per staff account (the IP address only for a request
    without a login, which the route refuses anyway)."""
    if current_user.is_authenticated:
        return f"export-user:{current_user.id}"
    return f"export-anonymous:{get_remote_address()}"


def _delivered(response: Response) -> bool:
    """Only archives handed out count against the limit, not a form sent back for its reason."""
    return response.status_code == 200


@bp.errorhandler(429)
def too_many_exports(error):
    return error_page(
        429,
        _(
            "You have downloaded several household exports in a short time, so this one was "
            "not made. Please try again later; if you need more exports now, ask another admin "
            "or the data-protection officer."
        ),
    )


def _household_page(
    household: Household,
    form: EraseForm | None = None,
    status: int = 200,
    export_form: HouseholdExportForm | None = None,
):
    placements = db.session.scalar(
        select(func.count(Placement.id)).where(Placement.household_id == household.id)
    )
    erased = db.session.scalar(
        select(func.count())
        .select_from(Erasure)
        .where(Erasure.kind == ErasureKind.HOUSEHOLD, Erasure.object_id == household.id)
    )
    # The newest exports and the number of all; household_exports lists them all.
    exports, exports_total = household_exports.latest_exports(household.id, HOME_ROWS)
    return (
        render_template(
            "backoffice/privacy/household.html",
            household=household,
            placements=placements,
            erased=bool(erased),
            erase_form=form or EraseForm(),
            export_form=export_form or HouseholdExportForm(formdata=None),
            exports=exports,
            exports_total=exports_total,
            people=_names({e.actor_id for e in exports}),
            purpose_label=purpose_label,
            may_erase=current_user.role == Role.ADMIN,
        ),
        status,
    )


def _names(user_ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


@bp.route("/privacy/households/<int:household_id>")
@staff_required(*HOUSEHOLD_EXPORTERS)
def household(household_id: int):
    return _household_page(db.get_or_404(Household, household_id))


# The endpoint ``household_exports``; the function is named apart from the module it uses.
@bp.get("/privacy/households/<int:household_id>/exports", endpoint="household_exports")
@staff_required(*HOUSEHOLD_EXPORTERS)
def household_exports_page(household_id: int):
    """All of the household's exports (who, when, why), a page at a time, newest first as the
    household's pages show them (which show the newest ``HOME_ROWS``). Whoever reads the
    household's data-protection page reads this; another site's household is not there (the
    site filter): 404."""
    household = db.session.scalar(select(Household).where(Household.id == household_id))
    if household is None:
        abort(404)
    page = page_of(household_exports.exports_of_household(household.id))
    return render_template(
        "backoffice/privacy/household_exports.html",
        household=household,
        page=page,
        exports=page.items,
        people=_names({e.actor_id for e in page.items}),
        purpose_label=purpose_label,
    )


@bp.route("/privacy/households/<int:household_id>/export", methods=["POST"])
@staff_required(*HOUSEHOLD_EXPORTERS)
@limiter.limit(
    lambda: current_app.config["RATELIMIT_HOUSEHOLD_EXPORT"],
    key_func=_exporter_key,
    scope="household-export",
    methods=["POST"],
    deduct_when=_delivered,
)
def export_household(household_id: int):
    """The household's full data as a ZIP, only with a reason (purpose and explanation); at most
    RATELIMIT_HOUSEHOLD_EXPORT per staff account. Recorded, audited, shown to the household's
    social worker (docs/privacy.md)."""
    household = db.get_or_404(Household, household_id)
    form = HouseholdExportForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors or not form.is_submitted():
            abort(400)
        flash(_("The export was not made: please give its reason."), "error")
        return _household_page(household, status=400, export_form=form)
    try:
        data = household_exports.export_household(
            household, current_user, form.purpose.data or "", form.explanation.data or ""
        )
    except Refused:
        abort(400)  # the form checked both already
    db.session.commit()
    return _zip_response(data, f"export-{household.code}.zip")


@bp.route("/privacy/households/<int:household_id>/erase", methods=["POST"])
@staff_required(Role.ADMIN)
def erase_household(household_id: int):
    household = db.get_or_404(Household, household_id)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            ops.erase_household(household, current_user, form.confirmation.data or "")
        except Refused as refusal:
            if not refusal.explained:  # a guard the route holds already: the standard answer
                raise
            form.confirmation.errors = [str(refusal.message)]
        else:
            db.session.commit()
            flash(_("The household's personal data has been erased."), "success")
            return redirect(url_for(".household", household_id=household.id))
    return _household_page(household, form, status=400)


# Landlord accounts ------------------------------------------------------------------------------


def _landlord(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if user.role != Role.LANDLORD:
        abort(404)
    return user


def _landlord_page(user: User, form: EraseForm | None = None, status: int = 200):
    organisation = user.organisation
    return (
        render_template(
            "backoffice/privacy/landlord.html",
            subject=user,
            organisation=organisation,
            others=ops.remaining_member_count(organisation, user) if organisation else 0,
            erased=ops.is_erased_user(user),
            erase_form=form or EraseForm(),
            may_erase=current_user.role == Role.ADMIN,
        ),
        status,
    )


@bp.route("/privacy/users/<int:user_id>")
@staff_required(*LANDLORD_EXPORTERS)
def landlord(user_id: int):
    return _landlord_page(_landlord(user_id))


@bp.route("/privacy/users/<int:user_id>/export", methods=["POST"])
@staff_required(*LANDLORD_EXPORTERS)
def export_landlord(user_id: int):
    user = _landlord(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    data = export_ops.export(user, current_user)
    db.session.commit()
    return _zip_response(data, f"export-user-{user.id}.zip")


@bp.route("/privacy/users/<int:user_id>/erase", methods=["POST"])
@staff_required(Role.ADMIN)
def erase_landlord(user_id: int):
    user = _landlord(user_id)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            ops.erase_landlord(user, current_user, form.confirmation.data or "")
        except Refused as refusal:
            if not refusal.explained:  # a guard the route holds already: the standard answer
                raise
            form.confirmation.errors = [str(refusal.message)]
        else:
            db.session.commit()
            flash(_("The landlord account's personal data has been erased."), "success")
            return redirect(url_for(".landlord", user_id=user.id))
    return _landlord_page(user, form, status=400)


# Audit log --------------------------------------------------------------------------------------


@bp.route("/audit")
@staff_required(Role.ADMIN)
def audit_log():
    """The audit trail, newest first, filtered by object (type and id) and by actor (id or
    e-mail address)."""
    form = AuditFilterForm(request.args)
    # The admin's own sites, and what belongs to no site (accounts, organisations, logins).
    sites = [site.id for site in current_user.sites]
    query = select(AuditEvent).where(
        or_(AuditEvent.site_id.in_(sites), AuditEvent.site_id.is_(None))
    )
    actor_unknown = False
    if form.validate():
        if form.object_type.data:
            query = query.where(AuditEvent.object_type == form.object_type.data.strip())
        if form.object_id.data:
            query = query.where(AuditEvent.object_id == form.object_id.data)
        actor = (form.actor.data or "").strip()
        if actor:
            actor_id = optional_int(actor) if actor.isdecimal() else None
            if actor_id is None:
                actor_id = db.session.scalar(
                    select(User.id).where(User.email == normalise_email(actor))
                )
                actor_unknown = actor_id is None
            query = query.where(AuditEvent.actor_id == (actor_id or -1))
    else:
        query = query.where(false())  # a malformed filter shows nothing rather than everything
    page = page_of(
        query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()),
        per_page=AUDIT_PER_PAGE,
    )
    actor_ids = {e.actor_id for e in page.items if e.actor_id is not None}
    actors = dict(
        db.session.execute(select(User.id, User.email).where(User.id.in_(actor_ids))).all()
    )
    return render_template(
        "backoffice/privacy/audit.html",
        form=form,
        page=page,
        actors=actors,
        actor_unknown=actor_unknown,
    )
