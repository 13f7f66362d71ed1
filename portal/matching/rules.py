"""Which households fit which flats, and why: both directions (flat → households, household →
flats) and the landlord's "fits one of my flats" filter. This module is the front door; the
rules live by concept:

  ``predicates``  each hard rule for one pair, as Python, and the soft score
  ``reasons``     the same rules in the user's language, and a one-sentence summary
  ``search``      the hard rules and the score as SQL, to search and rank many rows

The hard rules exist twice, on purpose: as Python to explain a single pair, and as SQL to search
thousands of rows. A property test (tests/placements/test_matching_properties.py) holds them
together.

Hard rules
  site     flat and household of the same site (DESIGN.md section 9); named among the reasons
           only when it fails, so that one site reads as before sites
  size     only for a flat that requires a WBS: not larger than the household is granted (area
           within its area plus the WNB tolerance, or rooms within its rooms;
           ``listings.rules.within_grant``). Any other flat fits at any size when its rent does
           (product theory, Produkttheorie). Fewer rooms than needed is a preference (score and
           a soft reason), never an exclusion.
  rent     gross cold rent within the household's limit: the staff's override, else the
           rent-limit table in force on the day for its size (``households.limits``), never
           stored on the household
  wbs      a flat that requires a WBS only for households holding one for at least as many
           persons
  access   step-free or wheelchair needs met
  move_in  the household can move in at most ``MAX_VACANCY_DAYS`` after the flat is free
  profile  the household is vetted with a valid consent (flat → households only)
Soft score: preferred district, waiting time (longer first), how well the rooms fit, pets.
"""

from __future__ import annotations

from sqlalchemy import true

from portal.households.queries import visible_to_landlords
from portal.matching.predicates import HARD, MAX_VACANCY_DAYS, is_match, score
from portal.matching.reasons import Match, Reason, explain, hard_reasons, soft_reasons, summary
from portal.matching.search import (
    fits_any_of,
    flat_conditions,
    household_conditions,
    rank_flats,
    rank_households,
    ranked_flats,
)

__all__ = [
    "HARD",
    "MAX_VACANCY_DAYS",
    "Match",
    "Reason",
    "explain",
    "fits_any_of",
    "flat_conditions",
    "hard_reasons",
    "household_conditions",
    "is_match",
    "rank_flats",
    "rank_households",
    "ranked_flats",
    "score",
    "soft_reasons",
    "summary",
    "true",
    "visible_to_landlords",
]
