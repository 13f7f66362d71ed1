"""A submitted report (issue 17), through the operation: the specialist submits this year's
programme figures to the ministry (``submissions.submit``) before the prevention households
are taken in, so the submission's page shows what has changed since it was sent."""

from __future__ import annotations

from collections.abc import Callable

from portal.accounts.models import User
from portal.demo.dating import today as berlin_today
from portal.reports import submissions
from portal.reports.periods import preset


def seed(users: dict[str, User], echo: Callable[[str], None]) -> None:
    specialist = users["immobilien"]
    period = preset("this_year", berlin_today())
    submitted = submissions.submit(period, "MAGS Zwischenbericht", specialist)
    echo(f"  submitted report {period.start} – {period.end}, version {submitted.version}")
