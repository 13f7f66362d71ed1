"""Language choice and the formatting of money, areas and dates in the user's language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale, numbers
from babel import dates as babel_dates
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import (
    Domain,
    format_currency,
    format_decimal,
    get_babel,
    get_domain,
    get_locale,
    ngettext,
    to_user_timezone,
)
from flask_login import current_user

# The loaded catalogue of each locale. Flask-Babel finds it through nine context lookups per
# string (about 10 µs, and a page translates a hundred strings); the locale in force is read
# from its per-request namespace in one, so that ``force_locale`` (a mail in the recipient's
# language in the middle of a request) still switches the catalogue.
_CATALOGUES: dict[Locale, NullTranslations] = {}


def current_translations() -> NullTranslations:
    """The translations of the locale in force, as Flask-Babel would find them, but faster."""
    state = g.get("_flask_babel") if g else None
    locale = getattr(state, "babel_locale", None)
    catalogue = _CATALOGUES.get(locale) if locale is not None else None
    if catalogue is None:
        catalogue = Domain.get_translations(get_domain())  # Flask-Babel's own lookup
        locale = get_locale()
        if locale is not None:
            _CATALOGUES[locale] = catalogue
    return catalogue


def select_locale() -> str:
    """The session's choice, then the user's setting (also while a login waits for its second
    factor), then the browser, then German."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]  # CLI jobs, e-mail workers
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    # Between password and second factor nobody is logged in yet; the pending login carries
    # the user's language (accounts/sessions.py).
    pending = session.get("second_factor_pending")
    if isinstance(pending, dict) and pending.get("locale") in languages:
        return pending["locale"]
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _locale_in_force() -> Locale | None:
    state = g.get("_flask_babel") if g else None
    return getattr(state, "babel_locale", None) or get_locale()


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
    locale = get_locale()
    if locale is None:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    return "en_GB" if locale.language == "en" else str(locale)


def day(value: date | datetime | None) -> str:
    """``25.11.2026`` in German, ``25 Nov 2026`` in English."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return _day(value, date_locale())


@lru_cache(maxsize=8192)
def _day(value: date, locale: str) -> str:
    """Babel writes a date in about 30 µs; a ranking or a list writes the same few dates often."""
    return babel_dates.format_date(value, "medium", locale=locale)


def moment(value: datetime | None) -> str:
    """Date and time in the portal's time zone (Europe/Berlin): ``25.11.2026, 14:30``,
    ``25/11/2026, 14:30``."""
    if value is None:
        return "–"
    local = to_user_timezone(value)
    if date_locale() == "en_GB":
        return babel_dates.format_datetime(local, "short", locale="en_GB")
    return babel_dates.format_datetime(local, "dd.MM.yyyy, HH:mm", locale=date_locale())


def clock_time(value: datetime | None) -> str:
    """``14:30`` in both languages (the bare ``en`` would say ``2:30 PM``)."""
    if value is None:
        return "–"
    return babel_dates.format_time(to_user_timezone(value), "short", locale=date_locale())


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
    # Templates and lazy labels translate through the fast lookup (same catalogues, same
    # results; see current_translations).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )
    with app.app_context():  # Flask-Babel creates its domain once, inside a context
        get_babel(app).instance.domain_instance.get_translations = current_translations
    app.add_template_filter(money)
    app.add_template_filter(area)
    app.add_template_filter(number)
    app.add_template_filter(rooms)
    app.add_template_filter(day)
    app.add_template_filter(moment)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
