"""Two prevention cases (issue 16), through the operations: a family with a notice to quit for
rent arrears whose case is open, linked to the mediation case with their landlord; and a
household whose eviction suit was settled months ago (tenancy kept), which the reports count.
Each household is taken in (``create_household``), its mediation case comes in from the tenant
(``submit_request``) and is answered; the prevention case is opened (``open_case``), linked
(``link_mediation_case``) and, for the older one, closed (``record_outcome``). The mediation
cases' times are dated back like the history's (``portal.demo.dating``). All names are
invented."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from portal.accounts.models import User
from portal.core.outbox import OutboxMessage
from portal.demo.dating import at
from portal.demo.dating import today as berlin_today
from portal.extensions import db
from portal.households import operations as households_ops
from portal.households.models import Household, TargetGroup
from portal.households.prevention import PreventionCase
from portal.mediation import operations as mediation_ops
from portal.mediation.models import CaseStatus

REPLY = "Vielen Dank. Wir rufen Sie an und sprechen mit Ihrer Vermieterin."
NOTE = "Ratenzahlung vereinbart; das Jobcenter zahlt die Miete künftig direkt."

# (days since the intake, adults, children, identity, the threat, its note, the landlord and
# address, the tenant's request, days since the case was opened, outcome and days since it)
CASES: list[dict[str, Any]] = [
    {
        "intake": 20,
        "adults": 2,
        "children": 2,
        "identity": {
            "main_tenant_name": "Fatma Yılmaz",
            "adult_names": "Fatma Yılmaz\nKemal Yılmaz",
            "phone": "0176 5550177",
            "current_accommodation": "Eigene Mietwohnung in Marxloh (Kündigung erhalten)",
        },
        "threat": "notice_rent_arrears",
        "note": "Fristlose Kündigung wegen zwei Monatsmieten Rückstand; Schonfristzahlung "
        "beim Jobcenter beantragt (§ 569 BGB).",
        "landlord": ("Hausverwaltung Weseler Straße GmbH", "Weseler Straße 40, 47169 Duisburg"),
        "request": "Wir haben die Kündigung bekommen, weil zwei Mieten fehlen. Bitte helfen Sie.",
        "opened": 14,
        "outcome": None,
    },
    {
        "intake": 150,
        "adults": 1,
        "children": 0,
        "identity": {
            "main_tenant_name": "Dieter Schmitz",
            "adult_names": "Dieter Schmitz",
            "current_accommodation": "Eigene Mietwohnung in Hochfeld",
        },
        "threat": "eviction_suit",
        "note": "Räumungsklage nach Mietrückstand; Vergleich vor dem Amtsgericht erreicht.",
        "landlord": ("Frau Renate Kühn", "Paulusstraße 12, 47053 Duisburg"),
        "request": "Meine Vermieterin hat Räumungsklage eingereicht. Was kann ich tun?",
        "opened": 140,
        "outcome": ("tenancy_kept", 45),
    },
]


def _household(worker: User, plan: dict[str, Any], today: date) -> Household:
    data: dict[str, Any] = {
        "adults": plan["adults"],
        "children": plan["children"],
        "earliest_move_in": today + timedelta(days=60),
        "waiting_since": today - timedelta(days=plan["intake"]),
        "cost_bearer": "jobcenter",
        "intake_on": today - timedelta(days=plan["intake"]),
        # Reporting: what brought them to the programme (the prevention case says the rest).
        "target_group": TargetGroup.OTHER.value,
        **plan["identity"],
    }
    return households_ops.create_household(worker, data, [])


def seed(users: dict[str, User], echo: Callable[[str], None]) -> None:
    worker, specialist = users["sozialarbeit"], users["immobilien"]
    today = berlin_today()
    made: list[PreventionCase] = []
    first_mail = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    for index, plan in enumerate(CASES):
        household = _household(worker, plan, today)
        opened_on = today - timedelta(days=plan["opened"])
        name = plan["identity"]["main_tenant_name"]
        request = mediation_ops.Request(
            sender_kind="tenant",
            name=name,
            email=f"mieter.praevention{index + 1}@example.org",
            topic="rent_arrears",
            message=plan["request"],
            flat_address=plan["landlord"][1],
        )
        mediation = mediation_ops.submit_request(request)
        mediation_ops.assign(mediation, specialist, specialist)
        mediation_ops.reply(mediation, specialist, REPLY)
        case = households_ops.open_case(
            household,
            worker,
            opened_on=opened_on,
            threat=plan["threat"],
            landlord_name=plan["landlord"][0],
            landlord_address=plan["landlord"][1],
            threat_note=plan["note"],
        )
        households_ops.link_mediation_case(case, specialist, mediation.id)
        resolved = None
        if plan["outcome"] is not None:
            outcome, days_ago = plan["outcome"]
            households_ops.record_outcome(case, worker, outcome, today - timedelta(days=days_ago))
            mediation_ops.add_note(mediation, specialist, NOTE)
            mediation_ops.change_status(mediation, specialist, CaseStatus.RESOLVED.value)
            resolved = at(today - timedelta(days=days_ago), 15)
            case.closed_at = resolved
        db.session.flush()
        # Dated back: the request came in the day before the case was opened.
        created = at(opened_on - timedelta(days=1), 9)
        answered = at(opened_on - timedelta(days=1), 14)
        mediation.created_at, mediation.first_answer_at = created, answered
        mediation.resolved_at = resolved
        for entry in mediation.entries:
            entry.created_at = answered if entry.kind == "reply" else resolved
        mediation.updated_at = resolved or answered
        case.created_at = at(opened_on, 11)
        household.created_at = household.status_changed_at = at(household.intake_on, 10)
        made.append(case)
    # The confirmations of requests made weeks ago are not sent now.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > first_mail))
    db.session.flush()
    echo(
        f"  {len(made)} prevention cases ({sum(1 for c in made if c.is_open)} open, linked to "
        "its mediation case)"
    )
