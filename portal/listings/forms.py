"""Forms of the listings domain."""

from __future__ import annotations

from decimal import Decimal

from babel.lists import format_list
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.core import clock
from portal.core.fields import DecimalTextField, WholeNumberField
from portal.core.i18n import date_locale
from portal.core.i18n import money as format_money
from portal.listings.labels import ENERGY_CARRIER_LABELS, ENERGY_KIND_LABELS, WARM_WATER_LABELS
from portal.listings.models import ENERGY_CARRIERS, ENERGY_CLASSES
from portal.listings.rules import (
    ENERGY_FIELDS,
    active_site_names,
    address_problem,
    missing_for_submission,
)

DESCRIPTION_MAX = 4000


assert set(ENERGY_CARRIER_LABELS) == set(ENERGY_CARRIERS)  # noqa: S101 - import-time consistency


def _choices(labels: dict, blank: bool = True) -> list[SelectChoice]:
    options = [SelectChoice("", _l("– please choose –"))] if blank else []
    return options + [SelectChoice(value, label) for value, label in labels.items()]


def money(label, **kw) -> DecimalTextField:
    return DecimalTextField(
        label,
        places=2,
        fixed=True,
        validators=[Optional(), NumberRange(min=0, message=_l("The amount cannot be negative."))],
        **kw,
    )


class FlatForm(FlaskForm):
    """Every field of a flat. Anything entered must be valid; completeness is checked only when
    the landlord submits (``missing_for_submission``), so a draft can be saved half done."""

    # Address
    street = StringField(
        _l("Street"),
        validators=[Optional(), Length(max=120)],
        render_kw={"autocomplete": "address-line1"},
    )
    house_number = StringField(_l("House number"), validators=[Optional(), Length(max=12)])
    postcode = StringField(
        _l("Postcode"),
        validators=[Optional(), Length(max=5)],
        render_kw={"inputmode": "numeric", "autocomplete": "postal-code"},
    )
    district_id = SelectField(
        _l("District"), coerce=lambda v: int(v) if v else None, validators=[Optional()]
    )
    # Size and layout
    floor = WholeNumberField(
        _l("Floor"),
        description=_l("0 for the ground floor, -1 for the basement."),
        validators=[
            Optional(),
            NumberRange(min=-1, max=40, message=_l("Please enter a floor between -1 and 40.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    rooms = DecimalTextField(
        _l("Rooms"),
        places=1,
        digits=2,
        description=_l("Half rooms count as 0.5, e.g. 2.5."),
        validators=[Optional()],
    )
    living_area = DecimalTextField(
        _l("Living area in m²"), places=2, digits=4, validators=[Optional()]
    )
    # Costs
    cold_rent = money(_l("Cold rent (Nettokaltmiete) per month in €"))
    service_charges = money(_l("Service charges (Betriebskosten) per month in €"))
    heating_costs = money(_l("Heating costs per month in €"))
    warm_water = SelectField(
        _l("Hot water"), choices=_choices(WARM_WATER_LABELS), validators=[Optional()]
    )
    deposit = money(
        _l("Deposit (Kaution) in €"), description=_l("At most three months' cold rent (§ 551 BGB).")
    )
    # Equipment and access
    wbs_required = BooleanField(_l("A housing entitlement certificate (WBS) is required"))
    wbs_persons = WholeNumberField(
        _l("WBS for how many persons?"),
        validators=[
            Optional(),
            NumberRange(min=1, max=12, message=_l("Please enter between 1 and 12 persons.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    is_step_free = BooleanField(_l("Step-free access"))
    is_wheelchair_accessible = BooleanField(_l("Wheelchair accessible"))
    has_lift = BooleanField(_l("Lift"))
    has_balcony = BooleanField(_l("Balcony or terrace"))
    pets_allowed = BooleanField(_l("Pets allowed"))
    # Energy certificate
    energy_certificate_pending = BooleanField(_l("The energy certificate is not yet available"))
    energy_kind = SelectField(
        _l("Kind of certificate"), choices=_choices(ENERGY_KIND_LABELS), validators=[Optional()]
    )
    energy_value = DecimalTextField(
        _l("Energy value in kWh/(m²·a)"),
        places=1,
        digits=5,
        validators=[Optional(), NumberRange(min=0, max=1000)],
    )
    energy_carrier = SelectField(
        _l("Main energy carrier"), choices=_choices(ENERGY_CARRIER_LABELS), validators=[Optional()]
    )
    building_year = WholeNumberField(
        _l("Building year"),
        validators=[
            Optional(),
            NumberRange(
                min=1600,
                max=clock.today().year + 2,
                message=_l("Please enter a plausible building year."),
            ),
        ],
        render_kw={"inputmode": "numeric"},
    )
    energy_class = SelectField(
        _l("Efficiency class"),
        choices=_choices({c: c for c in ENERGY_CLASSES}),
        validators=[Optional()],
    )
    energy_valid_until = DateField(_l("Certificate valid until"), validators=[Optional()])
    # Description and availability
    description = TextAreaField(
        _l("Description"),
        description=_l(
            "What makes the flat and the area pleasant to live in? Plain text, at most "
            "4,000 characters."
        ),
        validators=[
            Optional(),
            Length(
                max=DESCRIPTION_MAX,
                message=_l("Please shorten the description to at most 4,000 characters."),
            ),
        ],
    )
    available_from = DateField(_l("Available from"), validators=[Optional()])
    action = HiddenField()

    def __init__(
        self, *args, districts=(), site_names=None, is_new_listing: bool = True, **kwargs
    ) -> None:
        """``districts``: those a flat may lie in (of every active site); ``site_names`` (by
        site id): with more than one site the districts are grouped by site, else by borough,
        as before sites."""
        super().__init__(*args, **kwargs)
        self.is_new_listing = is_new_listing
        self.district_names = {d.id: d.name for d in districts}
        by_site = site_names is not None and len(site_names) > 1
        self.district_id.choices = [SelectChoice("", _l("– please choose –"))] + [
            SelectChoice(
                str(d.id), d.name, optgroup=site_names[d.site_id] if by_site else d.borough
            )
            for d in districts
        ]

    # Rules for what is entered ------------------------------------------------------------
    def validate_postcode(self, field) -> None:
        if field.data and address_problem(field.data, None) == "postcode":
            places = format_list(active_site_names(), style="or", locale=date_locale())
            raise ValidationError(_l("Please enter a postcode in %(places)s.", places=places))

    def validate_district_id(self, field) -> None:
        # The rule lives in listings.rules (the operations check it again); here it only
        # puts the message at the field. A wrong postcode has its own message above.
        name = self.district_names.get(field.data) if field.data else None
        postcode = (self.postcode.data or "").strip()
        if address_problem(postcode, field.data or None) == "district":
            raise ValidationError(
                _l(
                    "%(district)s is not in the area of the postcode %(postcode)s. Please check "
                    "the district or the postcode.",
                    district=name,
                    postcode=postcode,
                )
            )

    def validate_rooms(self, field) -> None:
        if field.data is None:
            return
        if not (Decimal(1) <= field.data <= Decimal(10)) or (field.data * 2) % 1:
            raise ValidationError(_l("Rooms must be between 1 and 10, in steps of 0.5."))

    def validate_living_area(self, field) -> None:
        if field.data is not None and not (Decimal(10) <= field.data <= Decimal(300)):
            raise ValidationError(_l("The living area must be between 10 and 300 m²."))

    def validate_deposit(self, field) -> None:
        limit = 3 * self.cold_rent.data if self.cold_rent.data is not None else None
        if field.data is not None and limit is not None and field.data > limit:
            raise ValidationError(
                _l(
                    "The deposit may be at most three months' cold rent (§ 551 BGB), "
                    "here %(limit)s.",
                    limit=format_money(limit),
                )
            )

    def validate_available_from(self, field) -> None:
        if field.data is not None and self.is_new_listing and field.data < clock.today():
            raise ValidationError(_l("For a new listing the date cannot be in the past."))

    def validate_wbs_persons(self, field) -> None:
        if (
            "wbs_required" in self
            and self.wbs_required.data
            and field.data is None
            and self.action.data == "submit"
        ):
            raise ValidationError(_l("Please say for how many persons the WBS must be."))

    def _mark_missing(self, names, message) -> bool:
        """Add ``message`` to each empty field of ``names`` without an error; True if any."""
        marked = False
        for name in names:
            if name not in self:  # another step's field
                continue
            field = self[name]
            if field.data in (None, "") and not field.errors:
                field.errors = [*field.errors, str(message)]
                marked = True
        return marked

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if "energy_certificate_pending" not in self or self.energy_certificate_pending.data:
            return ok
        given = [name for name in ENERGY_FIELDS if self[name].data not in (None, "")]
        if given and len(given) < len(ENERGY_FIELDS):
            message = _l(
                "The energy certificate details belong together: please fill in this field "
                "too, or tick “not yet available”."
            )
            self._mark_missing(ENERGY_FIELDS, message)
            ok = False
        return ok

    # Completeness for submission --------------------------------------------------------------
    def check_complete(self) -> bool:
        """Mark every field still missing for submission (listings.rules, the rule submit_flat
        holds the flat to); True when none is."""
        messages = {
            "needed": _l("Needed before you submit."),
            "energy": _l("Needed before you submit, or tick “not yet available”."),
        }
        missing = False
        for name, why in missing_for_submission(self.data).items():
            missing = self._mark_missing((name,), messages[why]) or missing
        return not missing


def step_form(step, *args, **kwargs) -> FlatForm:
    """The flat form with only the fields ``step`` (listings.steps) saves: its field rules hold
    as in the whole form, and what it posts changes no other step's fields."""
    form = FlatForm(*args, **kwargs)
    for name in list(form._fields):
        if name not in step.fields and name not in ("csrf_token", "action"):
            del form[name]
    return form


class PhotoUploadForm(FlaskForm):
    photos = MultipleFileField(
        _l("Add photos"),
        description=_l("JPEG, PNG, WebP or HEIC, up to 15 MB each, at most 20 photos per flat."),
        render_kw={
            "accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif",
            "multiple": True,
        },
    )


class PhotoEditForm(FlaskForm):
    caption = StringField(
        _l("Caption (what the photo shows)"), validators=[Optional(), Length(max=200)]
    )


class ReviewForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("publish", _l("Publish the flat")),
            SelectChoice("changes", _l("Ask the landlord for changes")),
        ],
        validators=[InputRequired(_l("Please choose a decision."))],
    )
    comment = TextAreaField(
        _l("Comment for the landlord"),
        description=_l(
            "Required when you ask for changes; the landlord sees it on the flat and by e-mail."
        ),
        validators=[Optional(), Length(max=2000)],
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        # Not an inline validator: Optional() would stop the chain for a blank comment.
        if self.decision.data == "changes" and not (self.comment.data or "").strip():
            self.comment.errors = list(self.comment.errors) + [
                str(_l("Please tell the landlord what to change."))
            ]
            return False
        return ok


class ChangesReviewForm(ReviewForm):
    """The team's decision on a published flat's pending changes (same values as ReviewForm:
    ``publish`` approves them, ``changes`` sends them back with the comment)."""

    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("publish", _l("Approve the changes")),
            SelectChoice("changes", _l("Send the changes back to the landlord")),
        ],
        validators=[InputRequired(_l("Please choose a decision."))],
    )


class RentLimitForm(FlaskForm):
    valid_from = DateField(_l("Valid from"), validators=[InputRequired(_l("Please enter a date."))])
    source = StringField(
        _l("Source"),
        description=_l("Where the figures come from, e.g. the city's decision with its date."),
        validators=[InputRequired(_l("Please name the source.")), Length(max=300)],
    )
    size_1 = money(_l("1 person"))
    size_2 = money(_l("2 persons"))
    size_3 = money(_l("3 persons"))
    size_4 = money(_l("4 persons"))
    size_5 = money(_l("5 persons"))
    size_6 = money(_l("6 persons"))
    per_further_person = money(
        _l("Each further person"),
        description=_l(
            "Added to the limit of the largest household size above for each further person "
            "(households of six and more). In a CSV file: a line with the size “+”."
        ),
    )

    def amounts(self) -> dict[int, Decimal]:
        return {n: self[f"size_{n}"].data for n in range(1, 7) if self[f"size_{n}"].data}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.amounts() and not self.per_further_person.data:
            self.size_1.errors = list(self.size_1.errors) + [
                str(_l("Please enter at least one amount."))
            ]
            return False
        return ok


class RentLimitCsvForm(FlaskForm):
    csv_file = FileField(
        _l("CSV file"),
        description=_l(
            "Columns: household_size; max_gross_cold_rent; valid_from (YYYY-MM-DD); source. "
            "Separated by semicolons or commas, German or English number format. The amount "
            "per further person (households larger than the largest size): the size “+”."
        ),
    )


def field_labels() -> dict[str, object]:
    """The flat form's field labels by name (the completeness list names what is missing)."""
    return {
        name: unbound.args[0]
        for name, unbound in vars(FlatForm).items()
        if isinstance(unbound, UnboundField) and unbound.args
    }
