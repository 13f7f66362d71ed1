"""Public routes of mediation: the contact form and the landlord's own cases.

The form is open to everyone. Besides the global CSRF check it is protected by a field people
never see (bots fill it in), a rate limit per IP and a minimum time between opening and
sending (a signed timestamp). A refused request says why and keeps everything typed.
Landlords see their organisation's cases and the replies sent to them, never internal notes;
cases, flats and placements are named by their public keys here, never by their ids.
"""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import load_only

from portal.accounts.models import Role, User
from portal.accounts.permissions import get_owned_or_404, landlord_required
from portal.core.i18n import select_locale
from portal.core.pagination import HOME_ROWS, page_of
from portal.core.refusals import Refused
from portal.extensions import db, limiter
from portal.listings.models import Flat, FlatStatus
from portal.mediation import claims
from portal.mediation import operations as ops
from portal.mediation import thread as thread_ops
from portal.mediation.forms import FLAT_CHOICES, NO_FLAT, MediationForm
from portal.mediation.labels import SENDER_KIND_LABELS, SENDER_STATUS_LABELS, TOPIC_LABELS
from portal.mediation.models import MediationCase
from portal.mediation.queries import entries_of, latest_entries
from portal.placements.messages import (
    LANDLORD_SIDE,
    MessageForm,
    latest_thread,
    render_conversation,
    shown,
    thread_of,
)
from portal.placements.models import Placement
from portal.placements.presenters import own_placement
from portal.sites.choice import site_id_of
from portal.sites.queries import active_sites

bp = Blueprint("mediation", __name__, url_prefix="/mediation")

# A form open longer than this has to be sent again (the CSRF token has expired by then too).
FORM_MAX_AGE = 24 * 3600
SENT_KEY = "mediation_sent"
TENANCY_STATUSES = (FlatStatus.LET.value, FlatStatus.RESERVED.value)


def _cfg(name: str):
    return lambda: current_app.config[name]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="portal.mediation-form")


def _started_token() -> str:
    return _serializer().dumps("mediation-form")


def _automation_check(form: MediationForm) -> Refused | None:
    """Refused (``honeypot``, ``expired``, ``too_fast``) when the form looks sent by a program:
    the hidden field filled in, or the signed opening time does not allow sending now. The
    hidden field is emptied and an expired form gets a new opening time, so sending again
    works."""
    if (form.website.data or "").strip():
        form.website.data = ""
        return Refused(
            "honeypot",
            _l(
                "Your message was not sent because a field meant to catch automated messages was "
                "filled in (sometimes the browser's autofill does this). We have emptied it: "
                "please send the form again."
            ),
        )
    try:
        _payload, opened_at = _serializer().loads(
            form.started.data or "", max_age=FORM_MAX_AGE, return_timestamp=True
        )
    except (SignatureExpired, BadSignature):
        form.started.data = _started_token()
        return Refused(
            "expired",
            _l(
                "Your message was not sent because the form was open for a very long time. "
                "Please check your details and send it again."
            ),
        )
    # Real seconds, as itsdangerous signs them: not the portal's (settable) clock.
    if time.time() - opened_at.timestamp() < current_app.config["MEDIATION_MIN_SECONDS"]:
        return Refused(
            "too_fast",
            _l(
                "Your message was not sent because the form was sent only seconds after it was "
                "opened. We do this to keep out automated messages. Please check your details "
                "and send it again."
            ),
        )
    return None


def _account() -> User | None:
    """The logged-in user, or None for visitors and for accounts whose address is not confirmed
    yet: such an account sends the public form as anyone does (issue 13.1)."""
    if current_user.is_authenticated and current_user.is_verified:
        return current_user._get_current_object()
    return None


def _landlord() -> User | None:
    user = _account()
    return user if user is not None and user.role == Role.LANDLORD else None


def _placement_from_args(user: User | None) -> Placement | None:
    """The placement of the ``?placement=`` (its public key) the landlord came from, if it is
    theirs."""
    key = request.args.get("placement")
    if user is None or not key:
        return None
    return own_placement(user.organisation_id, key)


def _tenancies(user: User | None, extra_flat_id: int | None) -> tuple[list[Flat], bool]:
    """The landlord's let or reserved flats the form offers, those let or reserved most
    recently first, at most ``FLAT_CHOICES`` of them, and the flat of the placement they came
    from (``extra_flat_id``) whatever its status or age; each with only the columns its label
    and the request need. And whether the organisation has more tenancies than offered."""
    if user is None or user.organisation_id is None:
        return [], False
    columns = load_only(
        Flat.id, Flat.public_key, Flat.street, Flat.house_number, Flat.postcode, Flat.site_id
    )
    own = Flat.organisation_id == user.organisation_id
    flats = list(
        db.session.scalars(
            select(Flat)
            .where(own, Flat.status.in_(TENANCY_STATUSES))
            .options(columns)
            .order_by(Flat.status_changed_at.desc(), Flat.id.desc())
            .limit(FLAT_CHOICES + 1)  # one more: are there more than offered?
        )
    )
    more = len(flats) > FLAT_CHOICES
    flats = flats[:FLAT_CHOICES]
    if extra_flat_id is not None and all(flat.id != extra_flat_id for flat in flats):
        extra = db.session.scalar(
            select(Flat).where(own, Flat.id == extra_flat_id).options(columns)
        )
        if extra is not None:  # the one the request is about: first, and preselected
            flats.insert(0, extra)
    return flats, more


def _flat_label(flat: Flat) -> str:
    return flat.address_line or _("Flat without address")


def _render_form(form: MediationForm, refused: Refused | None = None, status: int = 200):
    return render_template(
        "mediation/form.html",
        form=form,
        refused=refused.message if refused is not None else None,
    ), status


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_cfg("RATELIMIT_MEDIATION"), methods=["POST"], scope="mediation")
def form():
    landlord = _landlord()
    placement = _placement_from_args(landlord)
    flats, more_flats = _tenancies(landlord, placement.flat_id if placement is not None else None)
    choices = [(flat.public_key, _flat_label(flat)) for flat in flats]
    sites = active_sites()
    if request.method == "GET":
        form = MediationForm(formdata=None, flats=choices, more_flats=more_flats, sites=sites)
        if landlord is not None:
            form.sender_kind.data = "landlord"
            form.name.data = landlord.full_name
            form.email.data = landlord.email
            form.phone.data = landlord.phone
            form.flat.data = placement.flat.public_key if placement is not None else NO_FLAT
        form.started.data = _started_token()
        return _render_form(form)

    form = MediationForm(flats=choices, more_flats=more_flats, sites=sites)
    if not form.validate_on_submit():
        return _render_form(form)
    refused = _automation_check(form)
    if refused is not None:
        return _render_form(form, refused)

    flat = next((f for f in flats if f.public_key == form.flat.data), None)
    case = ops.submit_request(
        ops.Request(
            sender_kind=form.sender_kind.data,
            name=form.name.data,
            email=form.email.data,
            phone=form.phone.data,
            contact_by=form.contact_by.data,
            topic=form.topic.data,
            flat_address=_flat_label(flat) if flat is not None else form.flat_address.data,
            flat_id=flat.id if flat is not None else None,
            message=form.message.data,
            locale=select_locale(),
            site_id=site_id_of(form),
        ),
        user=_account(),
    )
    if placement is not None and flat is not None and flat.id == placement.flat_id:
        case.placement_id = placement.id
    # Sent without logging in from a landlord's confirmed address: it joins that account.
    claims.match_request(case)
    number = case.number
    db.session.commit()
    session[SENT_KEY] = number
    return redirect(url_for("mediation.sent"))


@bp.errorhandler(429)
def too_many(error):
    return render_template(
        "errors/error.html",
        code=429,
        title=_("Too many messages"),
        text=_(
            "Several messages have been sent from your connection in a short time, so this one "
            "was not accepted. Please try again in an hour, or call or write to the Kümmerer "
            "team: %(phone)s, %(email)s.",
            phone=current_app.config["PROGRAMME_CONTACT_PHONE"],
            email=current_app.config["PROGRAMME_CONTACT_EMAIL"],
        ),
    ), 429


@bp.get("/sent")
def sent():
    number = session.get(SENT_KEY)
    if not number:
        return redirect(url_for("mediation.form"))
    return render_template("mediation/sent.html", number=number, days=ops.WORKING_DAYS_TO_ANSWER)


@bp.get("/mine")
@landlord_required
def mine():
    # A landlord always belongs to an organisation (ck_users_landlord_has_organisation); were
    # one ever without, "= NULL" would read "IS NULL" and list the cases sent without one.
    if current_user.organisation_id is None:
        abort(404)
    page = page_of(
        select(MediationCase)
        .where(MediationCase.organisation_id == current_user.organisation_id)
        .order_by(MediationCase.created_at.desc(), MediationCase.id.desc())
    )
    return render_template(
        "mediation/mine.html",
        page=page,
        topic_labels=TOPIC_LABELS,
        status_labels=SENDER_STATUS_LABELS,
    )


def _render_case(case: MediationCase, message_form: MessageForm | None = None):
    # Only what was sent to the sender (kind "reply"): internal notes never leave the back
    # office. The newest replies with the number of all and a link to all of them (``replies``),
    # as the staff's case page reads them: a case worked for long is not loaded whole.
    replies, replies_total = latest_entries(case.id, "reply", HOME_ROWS)
    # The newest messages right above the form, with the number of all and a link to the
    # whole conversation (``conversation``): a long one is not loaded whole.
    messages, messages_total = latest_thread(HOME_ROWS, mediation_case_id=case.id)
    return render_template(
        "mediation/case.html",
        case=case,
        replies=replies,
        replies_total=replies_total,
        messages=shown(messages),
        messages_total=messages_total,
        message_form=message_form or MessageForm(formdata=None),
        thread_side=LANDLORD_SIDE,
        topic_labels=TOPIC_LABELS,
        status_labels=SENDER_STATUS_LABELS,
        sender_labels=SENDER_KIND_LABELS,
    )


@bp.get("/mine/<case_key>")
@landlord_required
def case(case_key: str):
    return _render_case(get_owned_or_404(MediationCase, case_key, current_user))


@bp.get("/mine/<case_key>/replies")
@landlord_required
def replies(case_key: str):
    """All answers the team sent on the organisation's own case, a page at a time, oldest
    first; the case page shows the newest. Replies only: internal notes never show here."""
    case = get_owned_or_404(MediationCase, case_key, current_user)
    return render_template(
        "mediation/replies.html", case=case, page=page_of(entries_of(case.id, "reply"))
    )


@bp.get("/mine/<case_key>/conversation")
@landlord_required
def conversation(case_key: str):
    """The whole conversation with the team on the organisation's own case, a page at a time,
    oldest first; the case page shows the newest messages."""
    case = get_owned_or_404(MediationCase, case_key, current_user)
    return render_conversation(
        thread_of(mediation_case_id=case.id),
        heading=_("Messages with the Kümmerer team"),
        subject=_("Mediation request %(number)s", number=case.number),
        detail=None,
        back_url=url_for("mediation.case", case_key=case.public_key, _anchor="messages"),
    )


@bp.post("/mine/<case_key>/messages")
@landlord_required
def write_message(case_key: str):
    """A message to the team about the organisation's own case; the team hears of it by
    e-mail, without the text."""
    case = get_owned_or_404(MediationCase, case_key, current_user)
    form = MessageForm()
    if not form.validate_on_submit():
        return _render_case(case, form)
    try:
        thread_ops.landlord_writes(case, current_user, form.message_body.data)
        db.session.commit()
    except Refused as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return _render_case(get_owned_or_404(MediationCase, case_key, current_user), form)
    flash(_("Your message is sent. The Kümmerer team answers here."), "success")
    return redirect(url_for("mediation.case", case_key=case.public_key, _anchor="messages"))
