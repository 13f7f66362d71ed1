"""The Mietbescheinigung / Wohnungsangebot (DESIGN.md section 7): the landlord's statement of
the offer that the household hands to the Jobcenter with the lease draft.

At the rent-offer step the portal fills a snapshot from the flat and the placement
(``prepare``); the landlord checks it on their placement page and either confirms it, adding
the bank account the rent goes to (``confirm``: IBAN checked with its checksum), or reports
what is wrong (``request_correction``: the note goes to the specialist by e-mail and into the
audit log). Staff download it as a PDF (``pdf_bytes``). The snapshot does not follow later
changes of the flat: what was confirmed stays what was confirmed; ``prepare`` again (a new
rent offer) fills it anew and asks the landlord again.

What reaches the landlord's page: only the rows of ``rows()``, i.e. their own flat's figures,
their organisation, the number of persons and the move-in date; nothing else of the household.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from flask import current_app
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core import audit, clock
from portal.core.db import Base, TimestampMixin, UTCDateTime
from portal.core.outbox import queue_mail
from portal.core.pdf import FormPdf
from portal.core.refusals import Refused
from portal.extensions import db
from portal.listings.labels import energy_carrier_label, warm_water_label
from portal.placements import labels  # its module imports placements.models, which imports us
from portal.placements.models import ORDER, Placement, State

if TYPE_CHECKING:
    from portal.accounts.models import User


class Status(StrEnum):
    PREPARED = "prepared"
    CONFIRMED = "confirmed"
    CORRECTIONS_REQUESTED = "corrections_requested"


class RentCertificate(TimestampMixin, Base):
    """One per placement: the filled form (``values``, a snapshot), the landlord's bank
    account and their answer."""

    __tablename__ = "rent_certificates"
    __table_args__ = (
        CheckConstraint(
            "status IN ('prepared', 'confirmed', 'corrections_requested')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("placements.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(24), default=Status.PREPARED.value)
    values: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    iban: Mapped[str | None] = mapped_column(String(34))
    account_holder: Mapped[str | None] = mapped_column(String(200))
    correction_note: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    placement: Mapped[Placement] = relationship()

    @property
    def status_label(self) -> str:
        return str(labels.RENT_CERTIFICATE_LABELS[self.status])

    def answer(self, status: Status, user: User) -> None:
        """The one place the status changes: only a prepared form is answered."""
        if self.status != Status.PREPARED.value:
            raise Refused("answered", ANSWERED)
        self.status = status.value
        self.answered_at = clock.utcnow()
        self.answered_by_id = user.id


ANSWERED = _l(
    "This Mietbescheinigung has been answered already. Nothing was changed; if something is "
    "wrong, write to the Kümmerer team."
)
IBAN_WRONG = _l("This IBAN is not valid. Please check it (e.g. DE89 3704 0044 0532 0130 00).")
HOLDER_MISSING = _l("Please enter the account holder.")
NOTE_MISSING = _l("Please describe what is wrong (at most 2000 characters).")

# The filled fields in the order of the form: key -> label (German in the PDF).
FIELDS: dict[str, Any] = {
    "landlord": _l("Landlord"),
    "contact": _l("Contact person"),
    "contact_phone": _l("Phone"),
    "contact_email": _l("E-mail"),
    "address": _l("Address of the flat"),
    "floor": _l("Floor"),
    "living_area": _l("Floor area"),
    "rooms": _l("Rooms"),
    "cold_rent": _l("Cold rent (monthly)"),
    "service_charges": _l("Service charges (monthly advance payment)"),
    "heating_costs": _l("Heating costs (monthly advance payment)"),
    "heating_kind": _l("Energy for heating"),
    "warm_water": _l("Warm water"),
    "gross_rent": _l("Total rent (monthly)"),
    "deposit": _l("Deposit"),
    "persons": _l("Number of persons"),
    "move_in": _l("Available from / rent start"),
}
MONEY = ("cold_rent", "service_charges", "heating_costs", "gross_rent", "deposit")

_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


def normal_iban(text: str | None) -> str | None:
    """The IBAN without spaces, upper case, when its form and ISO 7064 checksum (mod 97 = 1)
    are right; otherwise None."""
    iban = re.sub(r"\s+", "", text or "").upper()
    if not _IBAN.match(iban) or (iban.startswith("DE") and len(iban) != 22):
        return None
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return iban if int(digits) % 97 == 1 else None


def grouped_iban(iban: str | None) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)) if iban else ""


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def snapshot(placement: Placement) -> dict[str, Any]:
    """The form's values, filled from the flat, its organisation and the placement."""
    flat = placement.flat
    organisation = flat.organisation
    contact = next((m for m in organisation.members if m.is_active), None)
    parts = [flat.cold_rent, flat.service_charges, flat.heating_costs]
    move_in = placement.rent_start_on or flat.available_from
    return {
        "landlord": organisation.name,
        "contact": contact.full_name if contact else None,
        "contact_phone": (contact.phone if contact else None) or organisation.phone,
        "contact_email": contact.email if contact else None,
        "address": flat.address_line,
        "floor": flat.floor,
        "living_area": _money(flat.living_area),
        "rooms": _money(flat.rooms),
        "cold_rent": _money(flat.cold_rent),
        "service_charges": _money(flat.service_charges),
        "heating_costs": _money(flat.heating_costs),
        "heating_kind": flat.energy_carrier,
        "warm_water": flat.warm_water,
        "gross_rent": _money(sum((p for p in parts if p is not None), Decimal(0))),
        "deposit": _money(flat.deposit),
        "persons": placement.household.size,
        "move_in": move_in.isoformat() if move_in else None,
    }


def for_placement(placement: Placement) -> RentCertificate | None:
    """The placement's form; filled now for a placement past the rent offer that has none yet
    (placements from before the form existed)."""
    found = db.session.scalar(
        select(RentCertificate).where(RentCertificate.placement_id == placement.id)
    )
    if found is None and has_offer(placement):
        found = prepare(placement, actor=None)
    return found


def find(placement: Placement) -> RentCertificate | None:
    """The placement's form as it is, or None (nothing is filled here)."""
    return db.session.scalar(
        select(RentCertificate).where(RentCertificate.placement_id == placement.id)
    )


def status_of(placement: Placement) -> str | None:
    """The form's status label for the placement page; None before the rent offer."""
    if not has_offer(placement):
        return None
    found = find(placement)
    if found:
        return found.status_label
    return str(labels.RENT_CERTIFICATE_LABELS[Status.PREPARED.value])


def has_offer(placement: Placement) -> bool:
    """Past the rent offer and not cancelled: the form exists."""
    if placement.state == State.CANCELLED.value:
        return False
    return ORDER.index(State(placement.state)) >= ORDER.index(State.RENT_OFFER_SUBMITTED)


def prepare(placement: Placement, actor: User | None) -> RentCertificate:
    """Fill (or fill anew) the form at the rent-offer step; the landlord is asked to check."""
    cert = db.session.scalar(
        select(RentCertificate).where(RentCertificate.placement_id == placement.id)
    )
    if cert is None:
        cert = RentCertificate(placement_id=placement.id, placement=placement)
        db.session.add(cert)
    cert.values = snapshot(placement)
    cert.status = Status.PREPARED.value
    cert.correction_note = None
    cert.answered_at = None
    db.session.flush()
    audit.record("rent_certificate.prepared", actor=actor, obj=placement)
    return cert


def confirm(cert: RentCertificate, user: User, iban: str, holder: str) -> None:
    """The landlord confirms the filled form and adds the account the rent goes to."""
    if cert.status != Status.PREPARED.value:
        raise Refused("answered", ANSWERED)
    normal = normal_iban(iban)
    if normal is None:
        raise Refused("iban", IBAN_WRONG, status=400)
    holder = (holder or "").strip()
    if not holder or len(holder) > 200:
        raise Refused("holder", HOLDER_MISSING, status=400)
    cert.answer(Status.CONFIRMED, user)
    cert.iban, cert.account_holder = normal, holder
    audit.record("rent_certificate.confirmed", actor=user, obj=cert.placement)


def request_correction(cert: RentCertificate, user: User, note: str) -> None:
    """The landlord reports what is wrong: the specialist in charge (or the programme's
    address) gets the note by e-mail; staff correct the flat and fill the form anew."""
    note = (note or "").strip()
    if not note or len(note) > 2000:
        raise Refused("note", NOTE_MISSING, status=400)
    cert.answer(Status.CORRECTIONS_REQUESTED, user)
    cert.correction_note = note
    audit.record("rent_certificate.corrections_requested", actor=user, obj=cert.placement)
    placement = cert.placement
    staff = placement.staff
    if staff is not None and staff.is_active:
        address, locale = staff.email, staff.locale or "de"
    else:
        address, locale = current_app.config["PROGRAMME_CONTACT_EMAIL"], "de"
    queue_mail(
        address,
        "rent_certificate_correction",
        locale,
        organisation=placement.flat.organisation.name,
        flat_address=placement.flat.address_line,
        note=note,
        url=current_app.config["PORTAL_BASE_URL"] + f"/backoffice/placements/{placement.id}",
    )


def _shown(key: str, value: Any, locale: str) -> str:
    if value is None or value == "":
        return "–"
    if key in MONEY:
        return format_currency(Decimal(value), "EUR", locale=locale)
    if key == "living_area":
        return format_decimal(Decimal(value), format="#,##0.##", locale=locale) + " m²"
    if key == "rooms":
        return format_decimal(Decimal(value), format="#,##0.#", locale=locale)
    if key == "move_in":
        return format_date(date.fromisoformat(value), "dd.MM.yyyy", locale=locale)
    if key == "heating_kind":
        return energy_carrier_label(value)
    if key == "warm_water":
        return warm_water_label(value)
    return str(value)


def rows(cert: RentCertificate) -> list[tuple[str, str]]:
    """(label, value) in the current locale: the landlord's page and the PDF."""
    locale = str(get_locale() or "de")
    return [
        (str(label), _shown(key, cert.values.get(key), locale)) for key, label in FIELDS.items()
    ]


def bank_rows(cert: RentCertificate) -> list[tuple[str, str]]:
    return [
        (_("IBAN"), grouped_iban(cert.iban) or "–"),
        (_("Account holder"), cert.account_holder or "–"),
    ]


def pdf_bytes(cert: RentCertificate) -> bytes:
    """The form as a PDF, always in German (the Jobcenter reads it)."""
    with force_locale("de"):
        doc = FormPdf(
            title=_("Rent certificate / offer of a flat"),
            programme=_("Endlich ein ZUHAUSE – Duisburg"),
        )
        doc.section(_("The offer"))
        doc.rows(rows(cert))
        doc.section(_("Bank account for the rent"))
        doc.rows(bank_rows(cert))
        doc.section(_("Status"))
        answered = (
            format_date(cert.answered_at.date(), "dd.MM.yyyy", locale="de")
            if cert.answered_at
            else "–"
        )
        doc.rows([(_("Status"), cert.status_label), (_("Answered on"), answered)])
        return doc.output_bytes()
