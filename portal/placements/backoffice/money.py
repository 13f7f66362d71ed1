"""The money section of the staff placement page: one-off cost items and direct rent payment
(placements/paperwork/money.py). Specialists record; a refusal is flashed and nothing changes."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.models import Role
from portal.accounts.permissions import staff_required
from portal.core.refusals import Refused, flash_refusal
from portal.extensions import db
from portal.placements.backoffice.common import bp
from portal.placements.labels import PAYEE_LABELS
from portal.placements.models import Placement
from portal.placements.paperwork import money
from portal.placements.paperwork.money_forms import (
    CostDecisionForm,
    CostPaymentForm,
    CostRequestForm,
    DirectPaymentConfirmForm,
    DirectPaymentRequestForm,
)


@bp.record_once
def _register_template_helpers(state) -> None:
    state.app.jinja_env.globals.update(
        cost_kind_label=lambda kind: str(money.KIND_LABELS.get(kind, kind)),
        cost_status_label=lambda status: str(money.STATUS_LABELS.get(status, status)),
    )


def money_section(placement: Placement, posted: dict | None = None) -> dict:
    """What the page's money section shows: the items with a form for their next step;
    ``posted`` puts back a form that was sent with errors (``{"request_form": form}``, or
    ``{"decide_forms": {item_id: form}}``), so what was typed stays."""
    items = money.items_of(placement)
    section = {
        "items": items,
        "kind_labels": money.KIND_LABELS,
        "status_labels": money.STATUS_LABELS,
        "payee_labels": PAYEE_LABELS,
        "request_form": CostRequestForm(formdata=None, prefix="cost"),
        "decide_forms": {
            i.id: CostDecisionForm(formdata=None, prefix=f"decide-{i.id}")
            for i in items
            if i.status == money.CostStatus.REQUESTED.value
        },
        "pay_forms": {
            i.id: CostPaymentForm(formdata=None, prefix=f"pay-{i.id}")
            for i in items
            if i.status == money.CostStatus.APPROVED.value
        },
        "direct": money.direct_payment_of(placement),
        "direct_request_form": DirectPaymentRequestForm(formdata=None, prefix="direct"),
        "direct_confirm_form": DirectPaymentConfirmForm(formdata=None, prefix="confirm"),
    }
    for key, form in (posted or {}).items():
        if isinstance(form, dict):
            section[key].update(form)
        else:
            section[key] = form
    return section


def _placement(placement_id: int) -> Placement:
    placement = db.session.get(Placement, placement_id)
    if placement is None:
        abort(404)
    return placement


def _item(placement: Placement, item_id: int) -> money.CostItem:
    item = db.session.get(money.CostItem, item_id)
    if item is None or item.placement_id != placement.id:
        abort(404)
    return item


def _done(placement: Placement, form, action, message: str, posted: dict):
    """Valid: the operation, committed, or its refusal flashed. Invalid: the page again with
    the form as it was sent and its errors marked."""
    here = url_for(".detail", placement_id=placement.id, _anchor="money")
    if not form.validate_on_submit():
        from portal.placements.backoffice.page import _render  # the page imports this module

        flash(_("Nothing was recorded. Please check the marked fields."), "error")
        return _render(placement, money_posted=posted)
    try:
        action()
    except Refused as refusal:
        flash_refusal(refusal)
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(here)


@bp.route("/<int:placement_id>/costs", methods=["POST"])
@staff_required(Role.SPECIALIST)
def request_cost(placement_id: int):
    placement = _placement(placement_id)
    form = CostRequestForm(prefix="cost")
    return _done(
        placement,
        form,
        lambda: money.request_cost(
            placement, current_user, form.kind.data, form.amount.data, form.requested_on.data
        ),
        _("The cost item is recorded."),
        {"request_form": form},
    )


@bp.route("/<int:placement_id>/costs/<int:item_id>/decision", methods=["POST"])
@staff_required(Role.SPECIALIST)
def decide_cost(placement_id: int, item_id: int):
    placement = _placement(placement_id)
    item = _item(placement, item_id)
    form = CostDecisionForm(prefix=f"decide-{item_id}")
    return _done(
        placement,
        form,
        lambda: item.decide(form.decision.data == "approved", form.decided_on.data, current_user),
        _("The decision is recorded."),
        {"decide_forms": {item.id: form}},
    )


@bp.route("/<int:placement_id>/costs/<int:item_id>/payment", methods=["POST"])
@staff_required(Role.SPECIALIST)
def pay_cost(placement_id: int, item_id: int):
    placement = _placement(placement_id)
    item = _item(placement, item_id)
    form = CostPaymentForm(prefix=f"pay-{item_id}")
    return _done(
        placement,
        form,
        lambda: item.pay(form.paid_on.data, form.paid_to.data, current_user),
        _("The payment is recorded."),
        {"pay_forms": {item.id: form}},
    )


@bp.route("/<int:placement_id>/direct-payment", methods=["POST"])
@staff_required(Role.SPECIALIST)
def request_direct_payment(placement_id: int):
    placement = _placement(placement_id)
    form = DirectPaymentRequestForm(prefix="direct")
    return _done(
        placement,
        form,
        lambda: money.request_direct_payment(placement, current_user, form.requested_on.data),
        _("The request for direct payment is recorded."),
        {"direct_request_form": form},
    )


@bp.route("/<int:placement_id>/direct-payment/confirmation", methods=["POST"])
@staff_required(Role.SPECIALIST)
def confirm_direct_payment(placement_id: int):
    placement = _placement(placement_id)
    payment = money.direct_payment_of(placement)
    if payment is None:
        abort(404)
    form = DirectPaymentConfirmForm(prefix="confirm")
    return _done(
        placement,
        form,
        lambda: payment.confirm(form.confirmed_on.data, form.from_month.data, current_user),
        _("The direct payment is confirmed."),
        {"direct_confirm_form": form},
    )
