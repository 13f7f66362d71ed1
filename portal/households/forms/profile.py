"""The profile form with its restricted identity, and its values for editing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.core import clock
from portal.core.fields import DecimalTextField, WholeNumberField
from portal.core.i18n import area as format_area
from portal.core.i18n import money as format_money
from portal.core.i18n import rooms as format_rooms
from portal.households.labels import (
    COST_BEARER_LABELS,
    EXIT_DESTINATION_LABELS,
    TARGET_GROUP_LABELS,
)
from portal.households.models import CostBearer, Household
from portal.households.operations import IDENTITY_FIELDS, PUBLIC_FIELDS, REPORTING_FIELDS, Proposal
from portal.listings.models import District
from portal.sites.choice import offer_sites, site_field
from portal.sites.models import Site

PROFILE_TEXT_MAX = 1000


def choose(labels: dict, placeholder, values=None) -> list[SelectChoice]:
    """Select options with an empty first option (``placeholder``)."""
    values = labels if values is None else values
    return [SelectChoice("", placeholder)] + [SelectChoice(v, labels[v]) for v in values]


def _persons(message) -> NumberRange:
    return NumberRange(min=0, max=12, message=message)


class HouseholdForm(FlaskForm):
    """The public profile (tier 1), the proposal overrides and the restricted identity. The code
    is generated, never typed. ``case_notes`` is removed for anyone but a social worker."""

    # The site the new profile belongs to: only offered to staff of several sites (``offer_sites``)
    site = site_field()
    # The household
    adults = WholeNumberField(
        _l("Adults"),
        default=1,
        validators=[
            InputRequired(_l("Please enter the number of adults.")),
            NumberRange(min=1, max=12, message=_l("Please enter between 1 and 12 adults.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    children = WholeNumberField(
        _l("Children"),
        default=0,
        description=_l("Under 18."),
        validators=[
            InputRequired(_l("Please enter the number of children (0 if none).")),
            _persons(_l("Please enter between 0 and 12 children.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    earliest_move_in = DateField(
        _l("Earliest move-in"),
        validators=[InputRequired(_l("Please enter the earliest move-in date."))],
    )
    waiting_since = DateField(
        _l("Looking for a flat since"),
        description=_l("Empty: today. The waiting time counts in the matching."),
        validators=[Optional()],
    )
    # Wishes and needs
    preferred_districts = SelectMultipleField(
        _l("Preferred districts"),
        coerce=int,
        description=_l("Hold Ctrl (Cmd on a Mac) to choose several. None: any district."),
        validators=[Optional()],
        render_kw={"size": 12},
    )
    cost_bearer = RadioField(
        _l("Who pays the rent"),
        choices=[SelectChoice(value, label) for value, label in COST_BEARER_LABELS.items()],
        default=CostBearer.JOBCENTER.value,
        validators=[InputRequired(_l("Please choose who pays the rent."))],
    )
    has_wbs = BooleanField(_l("The household has a housing entitlement certificate (WBS)"))
    wbs_persons = WholeNumberField(
        _l("WBS for how many persons?"),
        description=_l("Only with a WBS."),
        validators=[
            Optional(),
            NumberRange(min=1, max=12, message=_l("Please enter between 1 and 12 persons.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    has_pets = BooleanField(_l("The household has pets"))
    needs_step_free = BooleanField(_l("Needs step-free access"))
    needs_wheelchair = BooleanField(_l("Needs a wheelchair-accessible flat"))
    profile_text = TextAreaField(
        _l("Profile text"),
        description=_l(
            "Written with the household; landlords read it. No names, origin, health details, "
            "residence status or religion. At most 1,000 characters."
        ),
        validators=[
            Optional(),
            Length(
                max=PROFILE_TEXT_MAX,
                message=_l("Please shorten the text to at most 1,000 characters."),
            ),
        ],
        render_kw={"maxlength": PROFILE_TEXT_MAX},
    )
    # What the rules grant; empty means the proposal
    needed_rooms = DecimalTextField(_l("Rooms needed"), places=1, digits=2, validators=[Optional()])
    needed_area = DecimalTextField(
        _l("Floor area up to (m²)"), places=2, digits=4, validators=[Optional()]
    )
    # Only an override: empty, the household follows the rent-limit table in force.
    max_gross_cold_rent = DecimalTextField(
        _l("Maximum gross cold rent (€)"), places=2, fixed=True, validators=[Optional()]
    )
    override_reason = TextAreaField(
        _l("Reason for a different value"),
        description=_l("Needed when a value above differs from the proposal."),
        validators=[Optional(), Length(max=500)],
    )
    # Restricted (staff only)
    main_tenant_name = StringField(
        _l("Main tenant's name"), validators=[Optional(), Length(max=200)]
    )
    adult_names = TextAreaField(
        _l("Names of the adults"),
        description=_l("One name per line."),
        validators=[Optional(), Length(max=2000)],
    )
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=40)],
        render_kw={"type": "tel", "autocomplete": "off"},
    )
    email = StringField(
        _l("E-mail address"),
        validators=[
            Optional(),
            Length(max=254),
            Email(_l("Please enter a valid e-mail address."), check_deliverability=False),
        ],
        render_kw={"type": "email", "autocomplete": "off"},
    )
    current_accommodation = StringField(
        _l("Current accommodation"), validators=[Optional(), Length(max=300)]
    )
    case_notes = TextAreaField(
        _l("Case notes"),
        description=_l("Social workers only; never shown to specialists or landlords."),
        validators=[Optional(), Length(max=20000)],
    )
    # For the programme's reports (staff only)
    intake_on = DateField(
        _l("Taken into the programme on"),
        default=clock.today,
        description=_l("Empty: today."),
        validators=[Optional()],
    )
    target_group = SelectField(
        _l("Target group"),
        choices=choose(TARGET_GROUP_LABELS, _l("Please choose")),
        validators=[InputRequired(_l("Please choose the target group."))],
    )
    exit_on = DateField(
        _l("Left the programme on"),
        description=_l("Only once the household has left the programme, with where it went."),
        validators=[Optional()],
    )
    exit_destination = SelectField(
        _l("Where the household went"),
        choices=choose(EXIT_DESTINATION_LABELS, _l("Still in the programme")),
        validators=[Optional()],
    )

    def __init__(
        self,
        *args,
        districts: list[District] = (),  # type: ignore[assignment]
        is_new: bool = True,
        with_case_notes: bool = True,
        sites: list[Site] = (),  # type: ignore[assignment]
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.is_new = is_new
        offer_sites(self, list(sites) if is_new else [])
        self.preferred_districts.choices = [
            SelectChoice(str(d.id), d.name, optgroup=d.borough) for d in districts
        ]
        if not is_new:
            del self.waiting_since  # set once, when the profile is created
            self.intake_on.description = ""
            self.intake_on.validators = [
                InputRequired(_l("Please enter the day the household was taken in."))
            ]
        if not with_case_notes:
            del self.case_notes

    @property
    def persons(self) -> int | None:
        """The household size as entered, if it can be read."""
        adults, children = self.adults.data, self.children.data
        if not isinstance(adults, int) or not isinstance(children, int):
            return None
        return adults + children if 1 <= adults + children <= 12 else None

    def show_proposal(self, persons: int, proposal: Proposal) -> None:
        """Put what the rules propose for ``persons`` into the hints of the override fields."""
        for name, hint in proposal_hints(persons, proposal).items():
            self[name].description = hint

    def validate_children(self, field) -> None:
        adults = self.adults.data
        if isinstance(adults, int) and isinstance(field.data, int) and adults + field.data > 12:
            raise ValidationError(_l("A household has at most 12 persons."))

    def validate_earliest_move_in(self, field) -> None:
        if field.data and field.data > clock.today() + timedelta(days=3 * 366):
            raise ValidationError(_l("Please enter a date within the next three years."))

    def validate_waiting_since(self, field) -> None:
        if field.data and field.data > clock.today():
            raise ValidationError(_l("This date cannot be in the future."))

    def validate_intake_on(self, field) -> None:
        if field.data and field.data > clock.today():
            raise ValidationError(_l("This date cannot be in the future."))

    def validate_exit_on(self, field) -> None:
        if field.data is None:
            return
        if field.data > clock.today():
            raise ValidationError(_l("This date cannot be in the future."))
        intake = self.intake_on.data or clock.today()
        if field.data < intake:
            raise ValidationError(
                _l("The household cannot leave the programme before it was taken in.")
            )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Not inline validators: Optional() stops the chain for an empty field.
        if self.has_wbs.data and self.wbs_persons.data is None and not self.wbs_persons.errors:
            self.wbs_persons.errors = [
                *self.wbs_persons.errors,
                str(_l("Please say for how many persons the WBS is.")),
            ]
            ok = False
        # An exit is a date and a destination, both or neither.
        if self.exit_on.data is not None and not self.exit_destination.data:
            self.exit_destination.errors = [
                *self.exit_destination.errors,
                str(_l("Please say where the household went, or empty the date.")),
            ]
            ok = False
        if self.exit_destination.data and self.exit_on.data is None and not self.exit_on.errors:
            self.exit_on.errors = [
                *self.exit_on.errors,
                str(
                    _l(
                        "Please enter the day the household left, or choose “Still in the "
                        "programme”."
                    )
                ),
            ]
            ok = False
        return ok

    def validate_needed_rooms(self, field) -> None:
        if field.data is not None and (
            not Decimal(1) <= field.data <= Decimal(12) or (field.data * 2) % 1
        ):
            raise ValidationError(_l("Rooms must be between 1 and 12, in steps of 0.5."))

    def validate_needed_area(self, field) -> None:
        if field.data is not None and not Decimal(10) <= field.data <= Decimal(300):
            raise ValidationError(_l("The floor area must be between 10 and 300 m²."))

    def validate_max_gross_cold_rent(self, field) -> None:
        if field.data is not None and not Decimal(0) < field.data < Decimal(10000):
            raise ValidationError(_l("Please enter an amount between 0 and 10,000 €."))

    def payload(self) -> dict[str, Any]:
        """What the operations take: every field but the token and the districts."""
        data = dict(self.data)
        for name in ("csrf_token", "preferred_districts"):
            data.pop(name, None)
        return data


def proposal_hints(persons: int, proposal: Proposal) -> dict[str, str]:
    """The hints of the override fields for a household of ``persons``, by field name, in the
    user's language ("Proposed for 1 person", "for 2 persons")."""
    empty = _("Empty: the proposal is used.")
    rooms = ngettext(
        "Proposed for %(num)d person (WNB rule): %(rooms)s.",
        "Proposed for %(num)d persons (WNB rule): %(rooms)s.",
        persons,
        rooms=format_rooms(proposal.rooms),
    )
    area = ngettext(
        "Proposed for %(num)d person (WNB rule): %(area)s.",
        "Proposed for %(num)d persons (WNB rule): %(area)s.",
        persons,
        area=format_area(proposal.area),
    )
    if proposal.max_rent is None:
        rent = ngettext(
            "The rent-limit table has no figure for %(num)d person: please enter one.",
            "The rent-limit table has no figure for %(num)d persons: please enter one.",
            persons,
        )
    else:
        rent = ngettext(
            "Rent limit for %(num)d person: %(limit)s.",
            "Rent limit for %(num)d persons: %(limit)s.",
            persons,
            limit=format_money(proposal.max_rent),
        )
        follows = _(
            "Empty: the rent-limit table in force applies, and a new table changes it from its "
            "valid-from date."
        )
        rent = f"{rent} {follows}"
    return {
        "needed_rooms": f"{rooms} {empty}",
        "needed_area": f"{area} {empty}",
        "max_gross_cold_rent": rent,
    }


def initial_data(household: Household, proposal: Proposal) -> dict[str, Any]:
    """The edit form's values. A stored size or rent that equals the proposal shows as empty
    (it follows the rules); only real overrides are shown, with their reason."""
    data: dict[str, Any] = {name: getattr(household, name) for name in PUBLIC_FIELDS}
    data["preferred_districts"] = [d.id for d in household.preferred_districts]
    for name in REPORTING_FIELDS:
        data[name] = getattr(household, name)
    data["exit_destination"] = household.exit_destination or ""
    if household.override_reason:
        proposed = {"needed_rooms": proposal.rooms, "needed_area": proposal.area}
        for name, value in proposed.items():
            stored = getattr(household, name)
            data[name] = stored if stored != value else None
        data["max_gross_cold_rent"] = household.max_gross_cold_rent  # stored only as override
        data["override_reason"] = household.override_reason
    if household.identity is not None:
        for name in IDENTITY_FIELDS:
            data[name] = getattr(household.identity, name)
    return data
