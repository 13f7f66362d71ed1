"""The flat's affordability in one sentence a landlord understands ("Affordable for households
of 3 or 4 people through the Jobcenter"); the rule behind it stays on the page, one click away."""

from __future__ import annotations

from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.core.i18n import date_locale

# From this many sizes on, a range reads better than a list ("2 to 5", not "2, 3, 4 or 5").
RANGE_FROM = 4


def sizes_phrase(sizes: list[int]) -> str:
    """``3 or 4``, ``2, 3 or 4``, ``1 to 5``: the sizes, in the user's language."""
    sizes = sorted(sizes)
    contiguous = sizes == list(range(sizes[0], sizes[-1] + 1))
    if contiguous and len(sizes) >= RANGE_FROM:
        return _("%(first)d to %(last)d", first=sizes[0], last=sizes[-1])
    locale = date_locale()  # British English: "2, 3 or 4"
    return format_list([str(n) for n in sizes], style="or", locale=locale)


def affordability_sentence(sizes: list[int]) -> str:
    """One sentence for the sizes whose rent limit the flat keeps (the Jobcenter's test; under
    the product theory the floor area does not bind a flat without WBS). Empty list: the rent is
    above every limit."""
    if not sizes:
        return _("Too expensive for the Jobcenter for every household size.")
    return ngettext(
        "Affordable for households of %(sizes)s person through the Jobcenter.",
        "Affordable for households of %(sizes)s people through the Jobcenter.",
        max(sizes),
        sizes=sizes_phrase(sizes),
    )
