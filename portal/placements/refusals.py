"""Why the placements domain refuses, in the words of the one who asked: the staff know the
workflow's states and read which state stood in the way; the landlord reads what happened to
their flat and that nothing changed. The operations raise these ``Refused``; views only show
them (core/refusals.py)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from portal.core.refusals import Refused
from portal.placements.labels import STATE_LABELS

STAFF_WORDS: dict[str, Any] = {
    "state": _l("This is not possible in the placement's current state. Nothing was changed."),
    "role": _l("Your role may not take this step. Nothing was changed."),
    "data": _l("Information this step needs is missing. Nothing was changed."),
    "flat_taken": _l("The flat is already held by another placement. Nothing was changed."),
    "household_taken": _l(
        "The household is already in another placement past the viewing. Nothing was changed."
    ),
    "busy": _l(
        "Someone else changed this placement at the same moment. Nothing was changed; please "
        "look at the page and try again."
    ),
    "flat_not_free": _l(
        "The flat is no longer in a status that allows this step. Nothing was changed."
    ),
    "not_visible": _l(
        "The household is no longer in a status that allows this step (vetted, with a valid "
        "consent). Nothing was changed."
    ),
    "duplicate": _l("This household is already proposed for this flat."),
    "site": _l(
        "The flat and the household belong to different sites: a household can only be "
        "placed in a flat of its own site. Nothing was changed."
    ),
    "decided": _l("This interest has been decided already."),
    "done": _l("This follow-up has been recorded already."),
}
STAFF_OTHER = _l("This was refused. Nothing was changed.")

LANDLORD_WORDS: dict[str, Any] = {
    "state": _l(
        "This is no longer possible: the placement has moved on in the meantime. Nothing was "
        "changed; you see its current state below."
    ),
    "flat_taken": _l(
        "Your flat is no longer free for this household: it has been reserved for another "
        "placement in the meantime, or it is not offered at the moment. Nothing was changed."
    ),
    "household_taken": _l(
        "The household is no longer available for this flat. Nothing was changed; the "
        "Kümmerer team will contact you."
    ),
    "busy": _l(
        "Someone changed this placement at the same moment. Nothing was changed; please try again."
    ),
}
LANDLORD_OTHER = _l("This is not possible at the moment. Nothing was changed.")

# A landlord's "this household could live in my flat" (interests.register_interest).
NO_SUBMITTED_FLAT = _l(
    "Please list a flat and submit it for review first. Once the Kümmerer team knows you "
    "and your flat, you can tell them which household could live in it."
)
INTEREST_WORDS: dict[str, Any] = {
    "duplicate": _l(
        "You have already told the Kümmerer team that this household could live in this flat. "
        "Nothing was changed; the team will contact you."
    ),
    "flat": _l("Please choose one of your published flats."),
    "site": _l(
        "This flat is in another city than the household: the Kümmerer team can only place "
        "a household in a flat of its own city. Please choose one of your flats there. "
        "Nothing was changed."
    ),
}


def refused(
    code: str, *, landlord: bool = False, state: str | None = None, detail: str = ""
) -> Refused:
    """A refused placement operation in the words of who asked (``landlord`` or the staff).
    ``state``: the placement's state when the staff asked, named in a ``state`` refusal.
    ``detail``: English for the logs (which data was missing)."""
    if landlord:
        words = LANDLORD_WORDS.get(code, LANDLORD_OTHER)
    elif code == "state" and state is not None:
        words = _l(
            "This step is not possible while the placement is “%(state)s”; perhaps someone else "
            "was quicker. Nothing was changed.",
            state=STATE_LABELS.get(state, state),
        )
    else:
        words = STAFF_WORDS.get(code, STAFF_OTHER)
    return Refused(code, words, detail=detail)


def interest_refused(code: str) -> Refused:
    """A landlord's interest refused, in the landlord's words (``not_visible``: the view
    answers 404, as for a profile the landlord may not see)."""
    return Refused(code, INTEREST_WORDS.get(code, NO_SUBMITTED_FLAT))
