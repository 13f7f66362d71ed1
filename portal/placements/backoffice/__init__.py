"""Staff routes of placements: the filterable list and its CSV export, the placement page with
its next step, notes and follow-ups, proposing from the matching lists, deciding landlord
interests; and the placement part of the back-office home (``dashboard``).

Rights (DESIGN.md §1 and the STEPS table in models.py): specialists take every staff step;
social workers read placements, record follow-ups and take only the steps STEPS gives their
role; admins and landlords get 403; anonymous visitors go to the login. A step the workflow
refuses (wrong state, wrong role, missing data, flat or household taken) is rolled back and
explained in a flash message; nothing changes.

One blueprint (``common.bp``), its routes in one module per job: ``lists`` (the list and its
CSV), ``page`` (the placement page and what is posted from it), ``history`` (all of the
placement's history, of its messages to the landlord and of its conversation with the landlord,
the page showing the newest) and ``starting`` (proposing, deciding interests, all of a
household's open interests). Importing this package registers them all.
"""

from portal.placements import home_messages  # noqa: F401 - connects the staff home's receiver
from portal.placements.backoffice import history, lists, money, page, starting
from portal.placements.backoffice.common import CASEWORK, bp
from portal.placements.backoffice.page import DATE_FACTS, DONE, event_facts, mediation_hint

__all__ = [
    "CASEWORK",
    "DATE_FACTS",
    "DONE",
    "bp",
    "event_facts",
    "history",
    "lists",
    "mediation_hint",
    "money",
    "page",
    "starting",
]
