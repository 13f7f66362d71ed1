"""The lists of a case that grow for as long as it is worked, each on a page of its own: the
conversation with the landlord, the replies sent to the sender, the internal notes and the
history. The case page shows the newest ``HOME_ROWS`` of each with the number of all and links
here; these pages list all of them, ``PER_PAGE`` at a time, oldest first as the case page reads
them (page 1 stays page 1 while the lists grow)."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _

from portal.accounts.permissions import staff_required
from portal.core.pagination import page_of
from portal.mediation.backoffice.common import CASEWORK, _labels, _load, _staff, bp
from portal.mediation.labels import history_label
from portal.mediation.queries import actor_names, entries_of, history_of
from portal.placements.messages import render_conversation, thread_of


@bp.get("/<int:case_id>/conversation")
@staff_required(*CASEWORK)
def conversation(case_id: int):
    """The whole conversation with the landlord on the case, a page at a time, oldest first;
    the case page shows the newest messages."""
    case = _load(case_id, whole=False)
    return render_conversation(
        thread_of(mediation_case_id=case.id),
        heading=_("Messages with the landlord"),
        subject=_("Mediation case %(number)s", number=case.number),
        detail=None,
        back_url=url_for(".detail", case_id=case.id, _anchor="messages"),
    )


def _entries_page(case_id: int, kind: str, heading: str, anchor: str):
    case = _load(case_id, whole=False)
    return render_template(
        "backoffice/mediation/entries.html",
        case=case,
        page=page_of(entries_of(case.id, kind)),
        heading=heading,
        anchor=anchor,
    )


@bp.get("/<int:case_id>/replies")
@staff_required(*CASEWORK)
def replies(case_id: int):
    """All replies sent to the sender, a page at a time, oldest first; the case page shows
    the newest."""
    return _entries_page(case_id, "reply", _("Replies sent to the sender"), "case-replies")


@bp.get("/<int:case_id>/internal-notes")
@staff_required(*CASEWORK)
def notes(case_id: int):
    """All internal notes, a page at a time, oldest first; the case page shows the newest."""
    return _entries_page(case_id, "note", _("Internal notes (staff only)"), "case-notes")


@bp.get("/<int:case_id>/history")
@staff_required(*CASEWORK)
def history(case_id: int):
    """The whole history of the case, a page at a time, oldest first; the case page shows the
    newest events."""
    case = _load(case_id, whole=False)
    page = page_of(history_of(case.id))
    actors = actor_names(page.items)
    return render_template(
        "backoffice/mediation/history.html",
        case=case,
        page=page,
        history=[(event, actors.get(event.actor_id)) for event in page.items],
        history_label=history_label,
        names=dict(_staff(active_only=False)),
        **_labels(),
    )
