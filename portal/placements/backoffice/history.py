"""The lists of a placement that grow for as long as it runs, each on a page of its own: its
history (steps and the team's notes, a line each), the messages to the landlord (a daily
summary for a landlord who chose it: hundreds in a long placement) and the conversation with
the landlord (the thread). The placement page shows the newest ``HOME_ROWS`` of each with the
number of all and links here; these pages list all of them, ``PER_PAGE`` at a time, oldest
first as the placement page reads them (page 1 stays page 1 while the lists grow)."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.accounts.permissions import staff_required
from portal.core.pagination import page_of
from portal.extensions import db
from portal.placements import operations as ops
from portal.placements.backoffice.common import CASEWORK, _staff, bp
from portal.placements.backoffice.page import event_facts
from portal.placements.messages import render_conversation, thread_of
from portal.placements.models import Placement
from portal.placements.queries import history_of


def _load(placement_id: int) -> Placement:
    """The placement with what the heading names (household code, flat address); another
    site's placement is not there (the site filter): 404."""
    placement = db.session.scalar(
        select(Placement)
        .where(Placement.id == placement_id)
        .options(joinedload(Placement.flat), joinedload(Placement.household))
    )
    if placement is None:
        abort(404)
    return placement


@bp.get("/<int:placement_id>/history")
@staff_required(*CASEWORK)
def history(placement_id: int):
    placement = _load(placement_id)
    page = page_of(history_of(placement.id))
    names = {u.id: u.full_name for u in _staff()}
    return render_template(
        "backoffice/placements/history.html",
        placement=placement,
        page=page,
        timeline=[(event, event_facts(event, names)) for event in page.items],
    )


@bp.get("/<int:placement_id>/mails")
@staff_required(*CASEWORK)
def mails(placement_id: int):
    placement = _load(placement_id)
    page = page_of(ops.messages_of(placement))
    return render_template("backoffice/placements/mails.html", placement=placement, page=page)


@bp.get("/<int:placement_id>/conversation")
@staff_required(*CASEWORK)
def conversation(placement_id: int):
    placement = _load(placement_id)
    return render_conversation(
        thread_of(placement_id=placement.id),
        heading=_("Messages with the landlord"),
        subject=_("Placement %(code)s", code=placement.household.code),
        detail=placement.flat.address_line or _("Flat without address"),
        back_url=url_for(".detail", placement_id=placement.id, _anchor="messages"),
    )
