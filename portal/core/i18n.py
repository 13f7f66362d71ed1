"""Language choice and the formatting of money, areas and dates in the user's language."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import dates as babel_dates
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_currency, format_decimal, get_locale, ngettext, to_user_timezone
from flask_login import current_user


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


def money(value: Decimal | int | None) -> str:
    """``1.234,50 €`` in German, ``€1,234.50`` in English."""
    if value is None:
        return "–"
    return format_currency(Decimal(value), "EUR")


def area(value: Decimal | int | float | None) -> str:
    """``65 m²``, ``72,5 m²``."""
    if value is None:
        return "–"
    return f"{format_decimal(Decimal(str(value)), format='#,##0.##')}\u00a0m²"


def number(value: Decimal | int | float | None) -> str:
    """``2,5`` in German, ``2.5`` in English; no trailing zeros."""
    if value is None:
        return "–"
    return format_decimal(Decimal(str(value)), format="#,##0.##")


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
    return babel_dates.format_date(value, "medium", locale=date_locale())


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
    app.add_template_filter(money)
    app.add_template_filter(area)
    app.add_template_filter(number)
    app.add_template_filter(rooms)
    app.add_template_filter(day)
    app.add_template_filter(moment)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
