"""Staff routes of the households domain: the list, the profile form, the detail page (consents,
status, who looked, open interests, flats that fit) and the consent documents.

Rights (DESIGN.md §1): social workers do everything here; specialists read the list and the
detail page (tier 1 and tier 2, never case notes or consent documents) and work prevention cases
(like mediation cases); admins and landlords get 403, anonymous visitors go to the login.
Every change is a POST with a CSRF token.

One blueprint (``common.bp``), its routes in one module per job: ``reading`` (the list and the
detail page), ``profiles`` (the profile form and the ESF participant data), ``consents``,
``status`` and ``prevention`` (cases of households threatened with losing their flat).
Importing this package registers them all.
"""

from portal.households.backoffice import consents, prevention, profiles, reading, status
from portal.households.backoffice.common import HOUSEHOLD_PAGE, MOVES, READERS, bp
from portal.households.backoffice.status import DONE

__all__ = [
    "DONE",
    "HOUSEHOLD_PAGE",
    "MOVES",
    "READERS",
    "bp",
    "consents",
    "prevention",
    "profiles",
    "reading",
    "status",
]
