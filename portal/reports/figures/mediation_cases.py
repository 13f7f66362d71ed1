"""Section 11: mediation cases."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from portal.extensions import db
from portal.mediation.models import TOPICS, MediationCase
from portal.reports.figures.base import ALL, PROGRAMME, Scope
from portal.reports.periods import Period
from portal.reports.sql import days_between_times, percentile
from portal.reports.tables import Table, count, days

# 11 -----------------------------------------------------------------------------------------


def mediation(period: Period, scope: Scope = PROGRAMME, today: date | None = None) -> Table:
    """Mediation: cases opened in the period (by the day in Duisburg), cases resolved in the
    period, and the median days from opening to the first answer for the cases opened in the
    period that have one; by topic. In the own-caseload view: the cases assigned to the staff
    member."""
    from portal.mediation.labels import topic_label

    topics = list(TOPICS)
    opened = and_(
        MediationCase.created_at >= period.utc_start, MediationCase.created_at < period.utc_end
    )
    resolved = and_(
        MediationCase.resolved_at >= period.utc_start, MediationCase.resolved_at < period.utc_end
    )
    mine = scope.mediation()
    answer_days = days_between_times(MediationCase.created_at, MediationCase.first_answer_at)
    answered = and_(opened, MediationCase.first_answer_at.is_not(None))
    columns = [
        func.count(case((opened, MediationCase.id))),
        func.count(case((resolved, MediationCase.id))),
    ]
    by_topic = {
        topic: values
        for topic, *values in db.session.execute(
            select(MediationCase.topic, *columns).where(mine).group_by(MediationCase.topic)
        )
    }
    medians = {
        topic: (n, value)
        for topic, n, value in db.session.execute(
            select(MediationCase.topic, func.count(MediationCase.id), percentile(answer_days, 0.5))
            .where(mine, answered)
            .group_by(MediationCase.topic)
        )
    }
    median_all = db.session.execute(
        select(func.count(MediationCase.id), percentile(answer_days, 0.5)).where(mine, answered)
    ).one()
    table = Table(
        "mediation",
        str(_l("Mediation")),
        str(
            _l(
                "Cases opened and cases resolved in the period; median days from opening to "
                "the first answer, for the cases opened in the period."
            )
        ),
        [(ALL, str(_l("All")))] + [(t, str(topic_label(t))) for t in topics],
        total=ALL,
    )
    for index, label in ((0, _l("Cases opened")), (1, _l("Cases resolved"))):
        cells = {t: count(by_topic.get(t, (0, 0))[index]) for t in topics}
        cells[ALL] = count(sum(c.value for c in cells.values()))
        table.add(label, cells)
    cells = {t: days(medians.get(t, (0, None))[1], medians.get(t, (0, None))[0]) for t in topics}
    cells[ALL] = days(median_all[1], median_all[0])
    table.add(_l("Opening to first answer: median days"), cells)
    return table
