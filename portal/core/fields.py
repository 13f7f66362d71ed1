"""Form fields, and the filter form, shared by the domains."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import wtforms.widgets
import wtforms.widgets.core
from flask import abort, make_response, request
from flask_babel import format_decimal, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import EmailField, IntegerField, StringField
from wtforms.validators import Email, InputRequired, Length
from wtforms.widgets import Select
from wtforms.widgets.core import clean_key

from portal.core.converters import MAX_ID, MIN_ID
from portal.core.errors import error_page
from portal.core.i18n import Count
from portal.core.numbers import NumberFormatError, parse_decimal

TOO_LARGE = _l("This number is too large.")


def max_chars(limit: int) -> Length:
    """``Length(max=limit)`` whose message writes the number as the user's language does
    ("höchstens 5.000 Zeichen", not "5000")."""
    return Length(
        max=limit, message=_l("Please write at most %(max)s characters.", max=Count(limit))
    )


WTFORMS_HTML_PARAMS = wtforms.widgets.core.html_params


def quick_html_params(**kwargs) -> Markup:
    """WTForms' ``html_params`` (the attributes of every input, label and select: a form page
    writes dozens), the same text five times faster: plain f-strings instead of
    ``Markup.format`` and ``Markup.join``. Keys sorted and cleaned, ``True`` a bare attribute,
    ``False`` left out, names and values escaped, a ``"`` inside a value as ``&quot;``."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(clean_key(key))
        if value is True:
            params.append(str(key))
        elif value is not False:
            params.append(f'{key}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))  # noqa: S704 - every part escaped above


def install_quick_html_params() -> None:
    """Make WTForms' widgets and labels write their attributes with ``quick_html_params``
    (idempotent; ``tests/core/test_filter_forms.py`` holds both to the same output)."""
    for module in (wtforms.widgets.core, wtforms.widgets):
        if module.html_params is WTFORMS_HTML_PARAMS:
            module.html_params = quick_html_params
    for widget in vars(wtforms.widgets.core).values():
        own = vars(widget).get("html_params") if isinstance(widget, type) else None
        if isinstance(own, staticmethod) and own.__func__ is WTFORMS_HTML_PARAMS:
            widget.html_params = staticmethod(quick_html_params)


class QuickSelect(Select):
    """WTForms' ``<select>``, the same markup, written faster: a plain option (no extra
    attributes) is one f-string instead of WTForms' general attribute writer, and the way to
    call ``render_option`` is not looked up again (with ``inspect``) on every rendering. A list
    page's district filter has about fifty options on every request."""

    @classmethod
    def _dispatch_render_option(cls):
        return cls.render_option

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        value = escape(choice.value)
        label = escape(choice.label or choice.value)
        return Markup(f'<option {selected}value="{value}">{label}</option>')  # noqa: S704


QUICK_SELECT = QuickSelect()


class FilterForm(FlaskForm):
    """A list page's filters: a GET form bound to the query string (``formdata=request.args``),
    its field names the query's; nothing changes, so no CSRF token. The page renders it with
    the ``filter_form`` macro, each field in its declared order; its single selects render
    through ``QuickSelect``."""

    class Meta:
        csrf = False

        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if type(field.widget) is Select and not field.widget.multiple:
                field.widget = QUICK_SELECT
            return field


def email_field(label, description=""):
    """The e-mail address a person types in (registration, invitation, mediation...): required,
    at most 254 characters, an address in form (deliverability is not checked)."""
    return EmailField(
        label,
        description=description,
        validators=[
            InputRequired(_l("Please enter your e-mail address.")),
            Length(max=254),
            Email(
                _l("Please enter a valid e-mail address, e.g. name@example.de."),
                check_deliverability=False,
            ),
        ],
        render_kw={"autocomplete": "email"},
    )


class DecimalTextField(StringField):
    """A number typed as text, in German or English notation (``1.234,50`` or ``1234.50``).

    Shown back in the user's language; after an error, shown back exactly as typed. At most
    ``digits`` digits before the decimal separator (what the column, ``Numeric(digits + places,
    places)``, holds): more is a form error, not a database error.
    """

    def __init__(
        self,
        label=None,
        validators=None,
        places: int = 2,
        fixed: bool = False,
        digits: int = 8,
        **kwargs,
    ) -> None:
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(label, validators, **kwargs)
        self.places = places
        self.fixed = fixed  # money: always show all decimals
        self.digits = digits

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            number = parse_decimal(valuelist[0], self.places)
        except NumberFormatError:
            self.data = None
            if self.places == 0:
                message = _l("Please enter a whole number.")
            else:
                message = lazy_ngettext(
                    "Please enter a number with at most %(num)d decimal, e.g. 1.234,5.",
                    "Please enter a number with at most %(num)d decimals, e.g. 1.234,50.",
                    self.places,
                )
            raise ValueError(str(message)) from None
        if abs(number) >= Decimal(10) ** self.digits:
            self.data = None
            raise ValueError(str(TOO_LARGE))
        self.data = number.quantize(Decimal(1).scaleb(-self.places)) if self.places else number

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        if self.places == 0:
            return str(self.data)
        pattern = "#,##0." + ("0" if self.fixed else "#") * self.places
        return format_decimal(self.data, format=pattern)


def fits_column(number: int) -> bool:
    """True if ``number`` fits an INTEGER column (any id, count or year does); a larger one
    makes the database fail instead of finding nothing."""
    return MIN_ID <= number <= MAX_ID


def optional_int(value: Any) -> int | None:
    """A whole number from a query string or a select; "", junk and numbers no column can hold
    mean "no choice" (no filter) rather than an error. The coerce of every id and size select of
    the back office."""
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if fits_column(number) else None


class WholeNumberField(IntegerField):
    """wtforms' IntegerField that refuses numbers no database column can hold with a form
    error, so that no validator or query ever sees them (``NumberRange(min=1)`` alone lets
    10^30 through to the database)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not fits_column(self.data):
            self.data = None
            raise ValueError(str(TOO_LARGE))


def int_arg(name: str, default: int, maximum: int = MAX_ID) -> int:
    """A whole number from the query string: ``default`` when absent or not a number, as
    before; 400 with a message when it is larger than ``maximum`` (by default: what a column
    can hold)."""
    raw = request.args.get(name, "")
    try:
        number = int(raw)
    except ValueError:
        return default
    if not fits_column(number) or number > maximum:
        abort(make_response(error_page(400, str(TOO_LARGE))))
    return number


# No list has this many pages; the row offset of the last one still fits LIMIT/OFFSET (64 bits).
MAX_PAGE = MAX_ID


def page_arg() -> int:
    """``?page=`` of a paginated list (Flask-SQLAlchemy shows page 1 for 0 and below)."""
    return int_arg("page", 1, maximum=MAX_PAGE)
