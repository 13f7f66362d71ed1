"""Matching: which households fit which flats, and why (``rules``); what a landlord sees of it
(``landlords``: the household list, the fit of each own flat) and the landlord's household pages
(``views``, the ``households`` blueprint); the matching lists on the staff pages of a flat and
a household (``sections``).

Matching reads listings and households and shows where a placement is under way, so it stands
above placements; the placement workflow does not use it (tests/test_architecture.py)."""
