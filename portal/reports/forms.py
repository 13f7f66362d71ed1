"""The period picker: a preset or a first and last day, and whose caseload."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.reports.annex_files import KINDS, PURPOSES
from portal.reports.labels import PRESET_LABELS
from portal.reports.periods import MAX_DAYS, PRESETS, Period, preset


class PeriodForm(FlaskForm):
    """A GET form (nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    preset = SelectField(
        _l("Period"),
        choices=[SelectChoice(key, label) for key, label in PRESET_LABELS.items()],
        default="this_year",
        id="report-preset",
    )
    start = DateField(_l("From"), validators=[Optional()], id="report-start")
    end = DateField(
        _l("Until"), description=_l("Both days included."), validators=[Optional()], id="report-end"
    )
    scope = RadioField(
        _l("Households"),
        choices=[
            SelectChoice("all", _l("The whole programme")),
            SelectChoice("own", _l("Only my own caseload")),
        ],
        default="all",
        id="report-scope",
    )

    # The site, for staff of several sites (``backoffice._choice`` fills the choices with
    # theirs and checks the slug); not shown to staff of one site.
    site = SelectField(_l("Site"), choices=[], validate_choice=False, id="report-site")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.preset.data != "custom" or self.start.errors or self.end.errors:
            return valid
        start, end = self.start.data, self.end.data
        problems = []
        if start is None:
            problems.append((self.start, _l("Please enter the first day of the period.")))
        if end is None:
            problems.append((self.end, _l("Please enter the last day of the period.")))
        elif start is not None and end < start:
            problems.append((self.end, _l("The period cannot end before it starts.")))
        elif start is not None and (end - start).days > MAX_DAYS:
            problems.append((self.end, _l("Please choose a period of at most ten years.")))
        for field, message in problems:
            field.errors = [*field.errors, message]
        return valid and not problems

    def period(self, today: date) -> Period:
        """The chosen period; the preset "this year" when the form is not valid."""
        if self.preset.data == "custom" and self.start.data and self.end.data:
            return Period(self.start.data, self.end.data)
        if self.preset.data in PRESETS:
            return preset(self.preset.data, today)
        return preset("this_year", today)


class SubmitForm(FlaskForm):
    """Submitting the report of the period shown (issue 17): where it goes, and for a further
    version of a period what it corrects (the operation refuses a correction without one)."""

    recipient = StringField(
        _l("Sent to"),
        description=_l("Who receives it and as what, e.g. “MAGS Zwischenbericht”."),
        validators=[InputRequired(_l("Please name where the report is sent.")), Length(max=200)],
        id="submit-recipient",
    )
    reason = TextAreaField(
        _l("Reason for the correction"),
        description=_l("Needed when this period was submitted before: what this version corrects."),
        validators=[Optional(), Length(max=2000)],
        id="submit-reason",
    )


class AnnexExportForm(FlaskForm):
    """Downloading the funding body's exact export (issue 17): which file, and why (a purpose
    from a fixed list, recorded in the audit trail). Both required."""

    kind = RadioField(
        _l("File"),
        choices=[SelectChoice(key, label) for key, label in KINDS.items()],
        default="xlsx",
        validators=[InputRequired(_l("Please choose a file."))],
        id="annex-kind",
    )
    purpose = SelectField(
        _l("Why do you download the participant data?"),
        choices=[SelectChoice("", _l("Please choose"))]
        + [SelectChoice(key, label) for key, label in PURPOSES.items()],
        description=_l("Recorded with your name, the period and the file in the audit log."),
        validators=[InputRequired(_l("Please choose why you download the participant data."))],
        id="annex-purpose",
    )
