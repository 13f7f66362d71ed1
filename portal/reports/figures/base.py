"""What every figure shares: the scope (programme or own caseload), the target-group split and
the definitions of a lease and a move-in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select, true
from sqlalchemy.sql.expression import ColumnElement

from portal.accounts.models import Organisation
from portal.extensions import db
from portal.households.models import Household
from portal.listings.models import Flat
from portal.mediation.models import MediationCase
from portal.placements.models import Placement, State
from portal.reports import labels
from portal.reports.tables import Cell, count

ALL = labels.ALL
GROUPS = labels.TARGET_GROUPS


@dataclass(frozen=True)
class Scope:
    """Whose households: the whole programme, or one staff member's own caseload (households
    they entered, or whose placements they lead); and of which sites (``site_ids``; None: every
    site, the state-level sum). Every table is scoped: the flats of the own caseload are the
    flats with a placement (in any state) of one of its households, its landlords the
    organisations of those flats, its leases those of its placements, its mediation cases the
    cases assigned to the staff member. The sites are filtered here on each root table's
    ``site_id``, so that a site's figures are right outside a request too (the command line),
    whatever the session filter of a staff request adds (``portal.sites.scope``)."""

    user_id: int | None = None
    site_ids: tuple[int, ...] | None = None

    @property
    def is_own(self) -> bool:
        return self.user_id is not None

    def of_sites(self, entity) -> ColumnElement[bool]:
        """Rows of ``entity`` (a class with ``site_id``) in the scope's sites."""
        if self.site_ids is None:
            return true()
        return entity.site_id.in_(self.site_ids)

    def households(self) -> ColumnElement[bool]:
        sites = self.of_sites(Household)
        if self.user_id is None:
            return sites
        led = (
            select(Placement.household_id).where(Placement.staff_id == self.user_id).correlate(None)
        )
        return and_(sites, or_(Household.created_by_id == self.user_id, Household.id.in_(led)))

    def _own_households(self):
        return select(Household.id).where(self.households()).correlate(None)

    def placements(self) -> ColumnElement[bool]:
        """Placements of the caseload's households (of the scope's sites)."""
        sites = self.of_sites(Placement)
        if self.user_id is None:
            return sites
        return and_(sites, Placement.household_id.in_(self._own_households()))

    def flats(self) -> ColumnElement[bool]:
        """Flats (of the scope's sites) with a placement of one of the caseload's households."""
        sites = self.of_sites(Flat)
        if self.user_id is None:
            return sites
        mine = (
            select(Placement.flat_id)
            .where(Placement.household_id.in_(self._own_households()))
            .correlate(None)
        )
        return and_(sites, Flat.id.in_(mine))

    def organisations(self) -> ColumnElement[bool]:
        """Landlord organisations of the caseload's flats; of the whole programme: those with
        a flat in the scope's sites (an organisation lists in any site)."""
        if self.user_id is None and self.site_ids is None:
            return true()
        mine = select(Flat.organisation_id).where(self.flats()).correlate(None)
        return Organisation.id.in_(mine)

    def mediation(self) -> ColumnElement[bool]:
        """Mediation cases of the scope's sites; of the own caseload: assigned to the staff
        member."""
        sites = self.of_sites(MediationCase)
        if self.user_id is None:
            return sites
        return and_(sites, MediationCase.assigned_to_id == self.user_id)


PROGRAMME = Scope()


def _leases() -> ColumnElement[bool]:
    return and_(Placement.lease_signed_on.is_not(None), Placement.state != State.CANCELLED.value)


def _move_ins() -> ColumnElement[bool]:
    return and_(
        Placement.keys_handed_over_on.is_not(None), Placement.state != State.CANCELLED.value
    )


def _placements_of_households():
    return Placement.__table__.join(Household.__table__, Placement.household_id == Household.id)


def _split(*columns, where, select_from=Household) -> dict[str, tuple]:
    """Run an aggregate grouped by target group; the ``all`` entry sums the groups (only for
    counts and sums)."""
    stmt = (
        select(Household.target_group, *columns)
        .select_from(select_from)
        .where(*where)
        .group_by(Household.target_group)
    )
    found = {group: tuple(values) for group, *values in db.session.execute(stmt)}
    result = {g: found.get(g, tuple(0 for _ in columns)) for g in GROUPS}
    result[ALL] = tuple(sum(int(v[i] or 0) for v in result.values()) for i in range(len(columns)))
    return result


def _stats_split(columns, *, where, select_from) -> dict[str, tuple]:
    """Statistics (percentiles, means) per target group and over all: two queries, because a
    median of all is not a sum of medians."""
    grouped = (
        select(Household.target_group, *columns)
        .select_from(select_from)
        .where(*where)
        .group_by(Household.target_group)
    )
    found = {group: tuple(values) for group, *values in db.session.execute(grouped)}
    result = {g: found.get(g, tuple(None for _ in columns)) for g in GROUPS}
    result[ALL] = tuple(
        db.session.execute(select(*columns).select_from(select_from).where(*where)).one()
    )
    return result


def _cells(split: dict[str, tuple], index: int, make=count) -> dict[str, Cell]:
    return {key: make(values[index]) for key, values in split.items()}
