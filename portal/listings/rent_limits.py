"""Entering new rent limits (Kosten der Unterkunft) of a site by form or CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from portal.accounts.models import User
from portal.core import audit
from portal.core.numbers import NumberFormatError, parse_decimal
from portal.core.refusals import BAD_INPUT, Refused
from portal.extensions import db
from portal.listings.models import RentLimit, RentLimitExtraPerson
from portal.listings.rules import taken_on
from portal.listings.site_choice import refuse_unless_member
from portal.sites.models import DEFAULT_SITE_ID

MAX_AMOUNT = Decimal(10) ** 8


def _refused(message: str) -> Refused:
    """A set of rent limits that cannot be taken (bad input: 400); ``message`` says what is
    wrong with it."""
    return Refused("rent_limits", message, status=BAD_INPUT)


# Kept for listings/backoffice.py (another engineer's file) until it catches ``Refused``: the
# same class, so there is one way to refuse.


def all_rows(site_id: int = DEFAULT_SITE_ID) -> list[RentLimit]:
    """Every rent limit of site ``site_id``, the newest first."""
    return list(
        db.session.scalars(
            select(RentLimit)
            .where(RentLimit.site_id == site_id)
            .order_by(RentLimit.valid_from.desc(), RentLimit.household_size)
        )
    )


def extra_rows(site_id: int = DEFAULT_SITE_ID) -> list[RentLimitExtraPerson]:
    """Every amount per further person of site ``site_id``, the newest first."""
    return list(
        db.session.scalars(
            select(RentLimitExtraPerson)
            .where(RentLimitExtraPerson.site_id == site_id)
            .order_by(RentLimitExtraPerson.valid_from.desc())
        )
    )


def add_set(
    user: User,
    valid_from: date,
    source: str,
    amounts: dict[int, Decimal],
    per_further_person: Decimal | None = None,
    *,
    site_id: int = DEFAULT_SITE_ID,
) -> list[RentLimit]:
    """Add limits of site ``site_id`` valid from ``valid_from``, and with them the amount per
    further person (households larger than the table's largest size) when given. Refuses a site
    the user does not work for, a size, or an amount per further person, that already has a row
    of the site for that day, a set with neither, and an amount not above zero; nothing is
    written then."""
    refuse_unless_member(user, site_id)
    source = " ".join(source.split())
    if not amounts and per_further_person is None:
        raise _refused(_("The file contains no rent limits."))
    if per_further_person is not None:
        if per_further_person <= 0:
            raise _refused(_("Every amount must be greater than zero."))
        taken = db.session.scalar(
            select(RentLimitExtraPerson.id).where(
                RentLimitExtraPerson.site_id == site_id,
                RentLimitExtraPerson.valid_from == valid_from,
            )
        )
        if taken is not None:
            raise _refused(_("There is already an amount per further person from this date."))
    existing = taken_on(RentLimit, RentLimit.household_size, valid_from, amounts, site_id=site_id)
    if existing:
        raise _refused(
            _(
                "There are already limits from this date for %(sizes)s persons.",
                sizes=", ".join(map(str, sorted(existing))),
            )
        )
    rows = []
    for size, amount in sorted(amounts.items()):
        if amount <= 0:
            raise _refused(_("Every amount must be greater than zero."))
        rows.append(
            RentLimit(
                household_size=size,
                max_gross_cold_rent=amount,
                valid_from=valid_from,
                source=source,
                created_by_id=user.id,
                site_id=site_id,
            )
        )
    if per_further_person is not None:
        db.session.add(
            RentLimitExtraPerson(
                amount=per_further_person,
                valid_from=valid_from,
                source=source,
                created_by_id=user.id,
                site_id=site_id,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    audit.record(
        "rent_limits.added",
        actor=user,
        object_type="rent_limits",
        site_id=site_id,
        valid_from=valid_from.isoformat(),
        # "+": the amount per further person came with the set (no amounts in the audit).
        sizes=",".join([*map(str, sorted(amounts)), *(["+"] if per_further_person else [])]),
    )
    return rows


# In the CSV, the household size of the amount per further person (households beyond the
# table's largest size): "+", or the largest size and a plus ("6+").
PER_FURTHER_PERSON = "+"


def _csv_size(cell: str) -> int | None:
    """The household size of a CSV line, or None for the amount per further person."""
    if cell == PER_FURTHER_PERSON or (cell.endswith("+") and cell[:-1].isdigit()):
        return None
    return int(cell)


def import_csv(user: User, raw: bytes, *, site_id: int = DEFAULT_SITE_ID) -> int:
    """Rows of ``household_size; max_gross_cold_rent; valid_from; source`` (header optional)
    into site ``site_id``'s table; a size written ``+`` (or ``6+``) gives the amount per further
    person. All or nothing: any bad line refuses the whole file, naming the line."""
    refuse_unless_member(user, site_id)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refused(_("The file must be UTF-8 encoded text.")) from exc
    first_line = text.split("\n", 1)[0]
    # German spreadsheets write "396,00" and separate with semicolons.
    delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    groups: dict[tuple[date, str], dict[int | None, Decimal]] = {}
    count = 0
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and not cells[0].isdigit() and not cells[0].endswith("+"):
            continue  # header
        try:
            size = _csv_size(cells[0])
            amount = parse_decimal(cells[1])
            valid_from = date.fromisoformat(cells[2])
            source = cells[3] if len(cells) > 3 and cells[3] else "CSV import"
            # The amount must fit its column (Numeric(10, 2)); a larger one is a reading error.
            if (size is not None and not 1 <= size <= 12) or abs(amount) >= MAX_AMOUNT:
                raise ValueError
        except (IndexError, ValueError, NumberFormatError) as exc:
            raise _refused(
                _(
                    "Line %(n)d cannot be read. Expected: household size; amount; "
                    "date (YYYY-MM-DD); source.",
                    n=number,
                )
            ) from exc
        bucket = groups.setdefault((valid_from, source), {})
        if size in bucket:
            if size is None:
                raise _refused(_("Line %(n)d repeats the amount per further person.", n=number))
            raise _refused(_("Line %(n)d repeats household size %(size)d.", n=number, size=size))
        bucket[size] = amount
        count += 1
    if not count:
        raise _refused(_("The file contains no rent limits."))
    for (valid_from, source), amounts in groups.items():
        extra = amounts.pop(None, None)
        add_set(  # type: ignore[arg-type]
            user, valid_from, source, amounts, per_further_person=extra, site_id=site_id
        )
    return count
