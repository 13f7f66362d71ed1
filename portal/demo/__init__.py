"""Demo data for ``make run`` (``flask demo load``), never loaded in production.

The top floor of the house: it may import from every domain, and no domain imports from it.
One module per part, run in this order by ``load``:

- ``sites``: the second site, Essen, with its reference data (Duisburg is the default site);
- ``accounts``: the demo logins, one per role (staff with an enrolled authenticator), and the
  Essen specialist and social worker, who see only Essen;
- ``listings``: the demo landlords' flats in every status, with photos;
- ``heating``: a published flat whose heating costs are above the Heizspiegel threshold;
- ``households``: the households a social worker meets, and two landlord interests;
- ``placements``: placements in the early stages the specialist works on;
- ``history``: a year of programme work behind the reports (households, leases, follow-ups,
  cancelled placements), with ``history_households``, ``history_placements`` and ``mediation``;
- ``reports``: this year's figures submitted to the ministry (issue 17), before the prevention
  households come, so the submission shows a difference against now;
- ``prevention``: two households threatened with losing their flat (issue 16), one case open
  and linked to its mediation case, one closed with the tenancy kept;
- ``threads``: conversations between a landlord and the team on a placement and a case;
- ``sites`` again: two published flats of the housing company in Essen and two vetted Essen
  households.

Every state is reached through the domain operations (``create_flat``/``submit_flat``/
``publish_flat``, ``create_household``/``vet``/``change_status``, ``propose``/``take_step``/
``record_follow_up``, ``submit_request``/``reply``), with a fixed demo actor, the way a user's
request would reach it; nothing assigns a status or writes a row the workflow could not write.
The operations run today; where the demo needs history, ``dating`` moves the timestamps and dates
of the rows the operation just wrote back afterwards (see there). The audit trail keeps its own
times: it records truthfully that the demo was loaded today.
"""

from __future__ import annotations

from collections.abc import Callable

from portal.demo import accounts


def already_seeded() -> bool:
    return accounts.already_seeded()


def load(echo: Callable[[str], None]) -> None:
    """Create all demo data in order (the caller commits)."""
    from portal.demo import (
        heating,
        history,
        households,
        listings,
        placements,
        prevention,
        reports,
        sites,
        threads,
    )

    essen = sites.seed(echo)
    users = accounts.seed(echo, essen)
    flats = listings.seed(users, echo)
    heating.seed(users, echo)  # a flat over the heating-cost threshold (issue 16)
    households.seed(users, flats, echo)
    placements.seed(users, echo)
    history.seed(users, echo)
    reports.seed(users, echo)  # before the prevention households: a difference to show
    prevention.seed(users, echo)
    threads.seed(users, echo)
    sites.seed_flats(essen, users, echo)
    sites.seed_households(essen, users, echo)
