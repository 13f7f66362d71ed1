"""The back-office forms of mediation: the list's filters and the case page's actions (note,
reply, status, assignment, placement link), with the labels of statuses, topics and senders.

The public contact form lives in ``forms.py``. The case page shows several forms at once; their
field names differ, so they share the page's one CSRF token without prefixes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.core.converters import MAX_ID, MIN_ID
from portal.core.fields import FilterForm, max_chars, optional_int
from portal.mediation.labels import status_label, topic_label
from portal.mediation.models import TOPICS, CaseStatus

TEXT_MAX = 5000


def _text(label, message) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[
            DataRequired(message),
            max_chars(TEXT_MAX),
        ],
        render_kw={"rows": 4},
    )


# The list's filters -----------------------------------------------------------------------------


class CaseFilterForm(FilterForm):
    """The filters as a GET form (nothing changes, so no CSRF token)."""

    status = SelectField(_l("Status"), validate_choice=False, id="filter-status")
    topic = SelectField(_l("Topic"), validate_choice=False, id="filter-topic")
    staff = SelectField(_l("Assigned to"), validate_choice=False, id="filter-staff")

    def set_choices(self, staff: list[tuple[int, str]]) -> None:
        self.status.choices = [
            SelectChoice("", _l("all")),
            SelectChoice("open", _l("all open cases")),
        ] + [SelectChoice(s.value, status_label(s.value)) for s in CaseStatus]
        self.topic.choices = [SelectChoice("", _l("all"))] + [
            SelectChoice(t, topic_label(t)) for t in TOPICS
        ]
        self.staff.choices = [
            SelectChoice("", _l("anyone")),
            SelectChoice("none", _l("nobody yet")),
        ] + [SelectChoice(str(user_id), name) for user_id, name in staff]


# The case page ----------------------------------------------------------------------------------


class CaseNoteForm(FlaskForm):
    """An internal note: staff only, never sent to anyone."""

    note = _text(_l("Internal note"), _l("Please write the note."))


class CaseReplyForm(FlaskForm):
    """An answer to the sender, sent by e-mail and kept on the case."""

    reply_text = _text(_l("Reply by e-mail"), _l("Please write the reply."))


class CaseStatusForm(FlaskForm):
    status = SelectField(
        _l("Status"),
        choices=[s.value for s in CaseStatus],
        validators=[DataRequired(_l("Please choose the status."))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Labels in the user's language at render time, not at import time.
        self.status.choices = [SelectChoice(s.value, status_label(s.value)) for s in CaseStatus]


class CaseAssignForm(FlaskForm):
    assigned_to = SelectField(
        _l("Assigned to"),
        coerce=optional_int,
        validators=[Optional()],
        description=_l("Active specialists and social workers."),
    )

    def set_choices(self, staff: list[tuple[int, str]]) -> None:
        self.assigned_to.choices = [SelectChoice("", _l("nobody"))] + [
            SelectChoice(user_id, name) for user_id, name in staff
        ]


def _placement_id(value) -> int | None:
    """ "" (no placement) or a placement's id; anything else is refused, never read as "none"
    (which would remove a link)."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.isdigit() or not MIN_ID <= int(text[:20]) <= MAX_ID:
        raise ValueError(text)
    return int(text)


class CaseLinkForm(FlaskForm):
    """The placement a case is about, chosen from a list (the view sets the choices: the
    placements of the sender's organisation and of the flat named, or those a search found),
    never typed as a number. Empty removes the link."""

    placement_id = SelectField(
        _l("Placement"),
        coerce=_placement_id,
        validate_choice=False,
        validators=[Optional()],
        description=_l(
            "The placements of the sender's organisation and flat; search below for others. "
            "“No placement” removes the link."
        ),
    )

    def set_choices(self, placements: list[tuple[int, str]]) -> None:
        self.placement_id.choices = [SelectChoice("", _l("No placement"))] + [
            SelectChoice(placement_id, label) for placement_id, label in placements
        ]


class PlacementSearchForm(FilterForm):
    """Find a placement to link by its key, the household's code or the flat's street (a GET
    form on the case page; nothing changes)."""

    placement_search = StringField(
        _l("Find a placement"),
        validators=[Optional(), Length(max=100)],
        description=_l("Household code (DU-2026-0042), the placement's key, or the street."),
    )
