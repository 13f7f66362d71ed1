"""The printable consent form (issue 17): what the social worker prints for the household to
sign before its profile is shown to landlords. Always German, like the other forms the
household signs; drawn with the shared form base (portal/core/pdf.py).

It names every category a landlord sees (``labels.CONSENT_CATEGORIES``, the same list as the
back office's consent text), with the explicit consent for health-related needs (GDPR Art. 9)
as its own tick box, the duration (``CONSENT_MONTHS``), the right to withdraw and how, and
that the ESF participant records rest on the funding law. It carries the household's
pseudonymous code only: the names are written by hand on the blank lines."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from portal.core.pdf import FormPdf
from portal.households.labels import CONSENT_CATEGORIES, CONSENT_ESF_NOTE
from portal.households.models import Household
from portal.households.operations import CONSENT_MONTHS
from portal.sites.texts import site_name, site_text


def consent_form_pdf(household: Household) -> bytes:
    """The blank consent form for ``household``, in German."""
    config = current_app.config
    with force_locale("de"):
        programme = _("Endlich ein ZUHAUSE – %(site)s", site=site_name(household.site_id))
        doc = FormPdf(title=_("Consent to sharing with landlords"), programme=programme)
        doc.rows(
            [
                (_("Household code"), household.code),
                (_("Programme"), programme),
                (_("Contact"), site_text(household.site_id, "contact")),
            ],
            widths=(45, 125),
        )
        doc.paragraph(
            _(
                "I/we agree that the programme shows our household's profile, without our "
                "names, to the landlords registered in the portal, so that they can offer us a "
                "flat. Landlords see:"
            )
        )
        for category in CONSENT_CATEGORIES:
            doc.paragraph(f"• {category}")
        doc.section(_("Explicit consent"))
        doc.tick_box(
            _(
                "I/we explicitly consent to landlords seeing our needs that touch health "
                "(step-free access, a wheelchair-accessible flat) (GDPR Art. 9(2)(a))."
            )
        )
        doc.tick_box(
            _("The landlord may learn whether rent is paid directly and the deposit/shares status")
        )
        doc.section(_("Duration"))
        doc.paragraph(
            ngettext(
                "The consent is valid for %(num)d month from the day it is signed, unless a "
                "shorter period is agreed: until ____________",
                "The consent is valid for %(num)d months from the day it is signed, unless a "
                "shorter period is agreed: until ____________",
                CONSENT_MONTHS,
            )
        )
        doc.section(_("Withdrawal"))
        doc.paragraph(
            _(
                "You may withdraw this consent at any time, without giving reasons: tell your "
                "social worker, or write to %(email)s, or call %(phone)s. From then on "
                "landlords no longer see the profile. What was shared before stays lawful.",
                email=config["PROGRAMME_CONTACT_EMAIL"],
                phone=config["PROGRAMME_CONTACT_PHONE"],
            )
        )
        doc.paragraph(str(CONSENT_ESF_NOTE))
        doc.keep_with_next(60)  # the heading with the first adult's lines
        doc.section(_("Signatures"))
        for number in range(1, household.adults + 1):
            doc.blank_lines(
                [
                    _("Adult %(number)d: name", number=number),
                    _("Place, date"),
                    _("Signature"),
                ]
            )
        doc.note(site_text(household.site_id, "funding"))
        return doc.output_bytes()
