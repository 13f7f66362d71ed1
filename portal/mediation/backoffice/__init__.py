"""Staff routes of mediation: the list of cases with its filters, and the case page with the
request, the sender's contact data, the linked placement, internal notes, replies by e-mail,
the status, the assignment and the history; the notes, the replies, the history and the
conversation with the landlord each show their newest entries there and all of them on a page
of their own.

Rights (DESIGN.md §1): specialists and social workers do everything here; admins and landlords
get 403 (landlords see their own cases on another page, without internal notes); anonymous
visitors go to the login. Every change is a POST with a CSRF token and writes an audit event
(the operations do). A refused change is rolled back, explained, and the input is kept.

One blueprint (``common.bp``), its routes in one module per job: ``lists`` (the list of cases),
``page`` (the case page and what is posted from it) and ``history`` (all of a case's
conversation, replies, notes and history, the case page showing the newest). Importing this
package registers them all.
"""

from portal.mediation import (
    home_messages,  # noqa: F401 - connects the staff home's receiver
    placement_page,  # noqa: F401 - connects the placement page's receiver
)
from portal.mediation.backoffice import history, lists, page
from portal.mediation.backoffice.common import CASEWORK, bp

__all__ = ["CASEWORK", "bp", "history", "lists", "page"]
