"""Taking a flat off the portal and listing it again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.core.hooks import Hook, Veto
from portal.listings.models import LANDLORD, Flat, FlatStatus
from portal.listings.operations.base import clear_changes, move, refused

WITHDRAWABLE = frozenset(
    {
        FlatStatus.DRAFT,
        FlatStatus.SUBMITTED,
        FlatStatus.CHANGES_REQUESTED,
        FlatStatus.PUBLISHED,
        FlatStatus.RESERVED,
    }
)


# A flat leaves the portal: placements let go of it first (``placements.release``), or veto.
FLAT_LEAVES = Hook("a flat leaves the portal")


def withdraw_flat(flat: Flat, user: User) -> None:
    """The landlord takes an unlet flat off the portal (archived). Its open placements are
    cancelled ("flat withdrawn"), its open interests closed, the staff told, the households
    free again (``placements.release``); a reserved flat is withdrawn the same way. Refused
    (``lease_signed``, nothing changed) once a lease for it is signed, and (``illegal``) for a
    let or archived flat."""
    if flat.status not in WITHDRAWABLE:
        raise refused("illegal")
    try:
        FLAT_LEAVES(flat, user)
    except Veto as exc:
        raise refused(
            "lease_signed",
            _l(
                "A lease for this flat has been signed, so it cannot be withdrawn. Please "
                "contact the Kümmerer team."
            ),
        ) from exc
    move(flat, FlatStatus.ARCHIVED, user, LANDLORD)
    clear_changes(flat)  # listed again, the whole flat is reviewed


def relist_flat(flat: Flat, user: User) -> None:
    """An archived flat becomes a draft again."""
    move(flat, FlatStatus.DRAFT, user, LANDLORD)
