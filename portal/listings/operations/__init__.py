"""The rules of the listings domain: creating and editing flats (``editing``), submission and
review (``review``), withdrawal and relisting (``publication``), and their photos
(``gallery``). Operations flush, audit and queue mail; they never commit and never read the
request. A refusal is a ``portal.core.refusals.Refused`` with a code and translated words."""

from portal.listings.operations.base import NOT_POSSIBLE
from portal.listings.operations.editing import (
    FLAT_FIELDS,
    check_address,
    clean_values,
    create_flat,
    delete_flat,
    duplicate_flat,
    form_values,
    update_flat,
)
from portal.listings.operations.gallery import (
    MAX_PHOTOS,
    add_photos,
    delete_photo,
    move_photo,
    set_cover,
    update_photo,
)
from portal.listings.operations.publication import (
    FLAT_LEAVES,
    WITHDRAWABLE,
    relist_flat,
    withdraw_flat,
)
from portal.listings.operations.review import (
    approve_changes,
    publish_flat,
    request_changes,
    return_changes,
    submit_flat,
)

__all__ = [
    "FLAT_FIELDS",
    "FLAT_LEAVES",
    "MAX_PHOTOS",
    "NOT_POSSIBLE",
    "WITHDRAWABLE",
    "add_photos",
    "approve_changes",
    "check_address",
    "clean_values",
    "create_flat",
    "delete_flat",
    "delete_photo",
    "duplicate_flat",
    "form_values",
    "move_photo",
    "publish_flat",
    "relist_flat",
    "request_changes",
    "return_changes",
    "set_cover",
    "submit_flat",
    "update_flat",
    "update_photo",
    "withdraw_flat",
]
