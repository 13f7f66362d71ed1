"""Language choice and the formatting of money, areas and dates in the user's language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale, numbers
from babel import dates as babel_dates
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import (
    Domain,
    format_currency,
    format_decimal,
    get_babel,
    get_domain,
    get_locale,
    get_timezone,
    ngettext,
)
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header
from wtforms.i18n import messages_path as wtforms_messages_path

try:  # the context variable behind ``flask.g``: read directly, it costs 0.2 µs, not 2 µs
    from flask.globals import _cv_app
except ImportError:  # pragma: no cover - a Flask without it: the public proxy
    _cv_app = None


def _babel_state():
    """Flask-Babel's per-context namespace (``g._flask_babel``: the locale in force, the
    domain), or None outside an app context or before Flask-Babel made it."""
    if _cv_app is None:  # pragma: no cover
        from flask import g

        return g.get("_flask_babel") if g else None
    ctx = _cv_app.get(None)
    return None if ctx is None else ctx.g.__dict__.get("_flask_babel")


def _locale_in_force() -> Locale | None:
    """The locale in force (``force_locale`` included), as ``get_locale`` gives it."""
    locale = getattr(_babel_state(), "babel_locale", None)
    return locale if locale is not None else get_locale()


class _Bound:
    """The catalogue of one locale, and the finished texts of its template strings without
    variables (one dict for HTML, escaped, one for plain text): a string always translates to
    the same text in one locale."""

    __slots__ = ("texts", "translations")

    def __init__(self, translations: NullTranslations) -> None:
        self.translations = translations
        self.texts: tuple[dict[str, str], dict[str, str]] = ({}, {})  # [autoescape]


# Each locale's catalogue, loaded once. Flask-Babel finds it through nine context lookups per
# string (about 10 µs, and a page translates a hundred strings).
_BOUND: dict[Locale, _Bound] = {}


def _bound() -> _Bound:
    """The catalogue in force, bound once per request (and again when ``force_locale``
    switches the locale, e.g. a mail in the recipient's language in the middle of a request):
    kept on Flask-Babel's per-request namespace next to the locale it belongs to."""
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    pair = getattr(state, "portal_bound", None)
    if pair is not None and pair[0] is locale:
        return pair[1]
    if locale is None:
        locale = get_locale()  # runs the locale selector once; makes the namespace
        state = _babel_state()
    if locale is None or state is None:  # outside any app context: Flask-Babel's answer
        return _Bound(Domain.get_translations(get_domain()))
    bound = _BOUND.get(locale)
    if bound is None:
        bound = _BOUND[locale] = _Bound(Domain.get_translations(get_domain()))
    state.portal_bound = (locale, bound)
    return bound


def current_translations() -> NullTranslations:
    """The translations of the locale in force, as Flask-Babel would find them, but faster."""
    return _bound().translations


def _fast_get_domain(_slow=get_domain) -> Domain:
    """``flask_babel.get_domain`` without its three lookups through the ``g`` proxy: what
    every ``gettext``, ``ngettext`` and lazy string in Python code calls first."""
    domain = getattr(_babel_state(), "babel_domain", None)
    return domain if domain is not None else _slow()


# WTForms' own messages ("Not a valid choice." and the like), each locale's catalogue loaded
# once per process: Flask-WTF reads it from disk again in every request that builds a form.
_WTFORMS: dict[Locale, NullTranslations] = {}


def _wtforms_translations() -> NullTranslations | None:
    """Flask-WTF's ``_get_translations`` (same catalogue, same locale), without the disk."""
    if not has_request_context():
        return None
    locale = _locale_in_force()
    catalogue = _WTFORMS.get(locale)
    if catalogue is None:
        catalogue = _WTFORMS[locale] = Translations.load(
            wtforms_messages_path(), [locale], domain="wtforms"
        )
    return catalogue


# Templates only ever pass literal msgids to ``_()``; the limit guards against one that does not.
_TEMPLATE_TEXTS_LIMIT = 5_000


def _finish(text: str, autoescape: bool, variables: dict) -> str:
    """As Jinja's new-style gettext: always a format string; where the template autoescapes,
    the translated text is markup (it comes from our own catalogue) and the values are
    escaped by ``%``."""
    return (Markup(text) if autoescape else text) % variables  # noqa: S704


@pass_eval_context
def template_gettext(eval_ctx, string: str, /, **variables) -> str:
    """``_()`` and ``gettext()`` in templates: Jinja's new-style gettext (the result is always
    a format string; escaped where the template autoescapes), bound to the catalogue in force
    without Flask-Babel's per-call lookup."""
    bound = _bound()
    autoescape = eval_ctx.autoescape
    if variables:
        return _finish(bound.translations.ugettext(string), autoescape, variables)
    texts = bound.texts[autoescape]
    text = texts.get(string)
    if text is None:
        text = _finish(bound.translations.ugettext(string), autoescape, variables)
        if len(texts) < _TEMPLATE_TEXTS_LIMIT:
            texts[string] = text
    return text


@pass_eval_context
def template_ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables) -> str:
    """``ngettext()`` in templates: Babel's plural rule of the locale in force, ``num``
    available to the text, as with Jinja's new-style gettext."""
    variables.setdefault("num", num)
    text = current_translations().ungettext(singular, plural, num)
    return _finish(text, eval_ctx.autoescape, variables)


@pass_eval_context
def template_pgettext(eval_ctx, context: str, string: str, /, **variables) -> str:
    variables.setdefault("context", context)
    text = current_translations().upgettext(context, string)
    return _finish(text, eval_ctx.autoescape, variables)


@pass_eval_context
def template_npgettext(eval_ctx, context, singular, plural, num, /, **variables) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    text = current_translations().unpgettext(context, singular, plural, num)
    return _finish(text, eval_ctx.autoescape, variables)


def current_locale_name() -> str:
    """``de`` or ``en``: the ``lang`` of the page."""
    return str(_locale_in_force())


def select_locale() -> str:
    """The session's choice, then the user's setting (also while a login waits for its second
    factor), then the browser, then German."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI jobs, e-mail workers
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    user = current_user._get_current_object()  # the proxy looks the user up on each use
    if user is not None and user.is_authenticated and user.locale in languages:
        return user.locale
    # Between password and second factor nobody is logged in yet; the pending login carries
    # the user's language (accounts/sessions.py).
    pending = session.get("second_factor_pending")
    if isinstance(pending, dict) and pending.get("locale") in languages:
        return pending["locale"]
    return (
        _best_language(request.headers.get("Accept-Language", ""), tuple(languages))
        or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


@lru_cache(maxsize=512)
def _best_language(header: str, languages: tuple[str, ...]) -> str | None:
    """The browser's best language among ``languages``, as werkzeug reads ``Accept-Language``:
    browsers send a few dozen different headers, each parsed once per process."""
    return parse_accept_header(header, LanguageAccept).best_match(languages)


@lru_cache(maxsize=16)
def _locale(identifier: str) -> Locale:
    return Locale.parse(identifier)


def selected_locale() -> Locale:
    """``select_locale`` as the ``Locale`` Flask-Babel wants, each parsed once per process
    (parsing looks for the locale's data file on disk)."""
    return _locale(select_locale())


def locale_in_force() -> Locale | None:
    """The locale texts are written in now (``force_locale`` included), found quickly: for
    caches of formatted texts, which must be keyed by it."""
    return _locale_in_force()


# Babel formats a number in 20-50 µs; a list page shows hundreds of amounts, most of them
# repeated (rents, areas, counts). The formatted text depends only on the value and the locale.
@lru_cache(maxsize=8192)
def _money(value: Decimal, locale: Locale) -> str:
    return numbers.format_currency(value, "EUR", locale=locale)


@lru_cache(maxsize=8192)
def _decimal(value: Decimal, locale: Locale) -> str:
    return numbers.format_decimal(value, format="#,##0.##", locale=locale)


def money(value: Decimal | int | None) -> str:
    """``1.234,50 €`` in German, ``€1,234.50`` in English."""
    if value is None:
        return "–"
    locale = _locale_in_force()
    if locale is None:  # outside a request or app context: Flask-Babel's defaults
        return format_currency(Decimal(value), "EUR")
    return _money(Decimal(value), locale)


def number(value: Decimal | int | float | None) -> str:
    """``2,5`` in German, ``2.5`` in English; no trailing zeros."""
    if value is None:
        return "–"
    locale = _locale_in_force()
    if locale is None:
        return format_decimal(Decimal(str(value)), format="#,##0.##")
    return _decimal(Decimal(str(value)), locale)


def area(value: Decimal | int | float | None) -> str:
    """``65 m²``, ``72,5 m²``."""
    if value is None:
        return "–"
    return f"{number(value)}\u00a0m²"


def date_locale() -> str:
    """The locale dates are written in: English as in Britain (day, month, year: ``25 Nov
    2026``, ``25/11/2026``), never the US order (``11/25/2026``) the bare ``en`` gives."""
    locale = _locale_in_force()
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return _date_locale_of(locale)


@lru_cache(maxsize=64)
def _date_locale_of(locale: Locale) -> str:
    return "en_GB" if locale.language == "en" else str(locale)


def _timezone():
    """The portal's time zone (Flask-Babel's, read once per request)."""
    tzinfo = getattr(_babel_state(), "babel_tzinfo", None)
    return tzinfo if tzinfo is not None else get_timezone()


# Like money and areas, a date is formatted in 20-50 µs and a list shows the same ones on
# every request: the text depends only on the instant, the time zone and the locale.
@lru_cache(maxsize=8192)
def _local(value: datetime, tzinfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return tzinfo.normalize(value.astimezone(tzinfo))


def local_date(value: datetime) -> date:
    """The day ``value`` (UTC) falls on in the portal's time zone: Flask-Babel's
    ``to_user_timezone(value).date()`` without its lookups, cached like the formatted dates."""
    return _local(value, _timezone()).date()


@lru_cache(maxsize=8192)
def _day(value: date, locale: str) -> str:
    return babel_dates.format_date(value, "medium", locale=locale)


@lru_cache(maxsize=8192)
def _moment(value: datetime, tzinfo, locale: str) -> str:
    local = _local(value, tzinfo)
    if locale == "en_GB":
        return babel_dates.format_datetime(local, "short", locale="en_GB")
    return babel_dates.format_datetime(local, "dd.MM.yyyy, HH:mm", locale=locale)


@lru_cache(maxsize=8192)
def _clock_time(value: datetime, tzinfo, locale: str) -> str:
    return babel_dates.format_time(_local(value, tzinfo), "short", locale=locale)


def day(value: date | datetime | None) -> str:
    """``25.11.2026`` in German, ``25 Nov 2026`` in English."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = _local(value, _timezone()).date()
    return _day(value, date_locale())


def moment(value: datetime | None) -> str:
    """Date and time in the portal's time zone (Europe/Berlin): ``25.11.2026, 14:30``,
    ``25/11/2026, 14:30``."""
    if value is None:
        return "–"
    return _moment(value, _timezone(), date_locale())


def clock_time(value: datetime | None) -> str:
    """``14:30`` in both languages (the bare ``en`` would say ``2:30 PM``)."""
    if value is None:
        return "–"
    return _clock_time(value, _timezone(), date_locale())


def rooms(value: Decimal | int | None) -> str:
    """``1 room``, ``2.5 rooms``; ``1 Zimmer``, ``2,5 Zimmer``."""
    if value is None:
        return "–"
    return ngettext(
        "%(rooms)s room", "%(rooms)s rooms", 1 if value == 1 else 2, rooms=number(value)
    )


class Count:
    """A number written in the user's language when the text around it is (``5.000`` in
    German, ``5,000`` in English): for lazy texts built at import time, such as a form's
    messages."""

    def __init__(self, value: int | Decimal) -> None:
        self.value = value

    def __str__(self) -> str:
        return number(self.value)


def init_i18n(app: Flask) -> None:
    import flask_babel
    import flask_wtf.i18n

    # Jinja's i18n extension (Flask-Babel added it) keeps its new-style semantics; the
    # callables are then replaced by the fast ones above (same catalogues, same results).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
        pgettext=template_pgettext,
        npgettext=template_npgettext,
    )
    with app.app_context():  # Flask-Babel creates its domain once, inside a context
        get_babel(app).instance.domain_instance.get_translations = current_translations
    # Python code (``gettext``, ``ngettext``, lazy labels) asks for the domain first.
    if flask_babel.get_domain is get_domain:
        flask_babel.get_domain = _fast_get_domain
    flask_wtf.i18n._get_translations = _wtforms_translations  # what its ``translations`` calls
    app.add_template_filter(money)
    app.add_template_filter(area)
    app.add_template_filter(number)
    app.add_template_filter(rooms)
    app.add_template_filter(day)
    app.add_template_filter(moment)
    app.jinja_env.globals["current_locale"] = current_locale_name
