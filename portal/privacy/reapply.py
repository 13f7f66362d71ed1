"""After a restore: every recorded erasure applied again, so that personal data a backup
brought back is gone once more (docs/backup.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from portal.accounts.models import User
from portal.core import audit, clock
from portal.extensions import db
from portal.households.models import Household
from portal.privacy import erasure_log
from portal.privacy.models import Erasure, ErasureKind
from portal.privacy.operations import (
    _apply_household,
    _apply_landlord,
    _log,
    _new_erasure,
    household_needs_erasure,
    landlord_needs_erasure,
)


def _same_moment(recorded: datetime | str | None, actual: datetime | None) -> bool:
    if recorded is None or actual is None:
        return True  # nothing to compare with: trust the id
    if isinstance(recorded, str):
        recorded = datetime.fromisoformat(recorded)
    if recorded.tzinfo is None or actual.tzinfo is None:
        recorded, actual = recorded.replace(tzinfo=None), actual.replace(tzinfo=None)
    return abs(recorded - actual) < timedelta(seconds=1)


def _model(kind: str) -> type[Household] | type[User]:
    return Household if kind == ErasureKind.HOUSEHOLD else User


def _subjects(keys: list[tuple[str, int]]) -> dict[tuple[type, int], Any]:
    """The households and users named by ``keys``, in one query per model."""
    ids: dict[type, set[int]] = {}
    for kind, object_id in keys:
        ids.setdefault(_model(kind), set()).add(object_id)
    return {
        (model, obj.id): obj
        for model, wanted in ids.items()
        for obj in db.session.scalars(select(model).where(model.id.in_(wanted)))
    }


def reapply_erasures(actor: User | None = None) -> list[tuple[str, int, str]]:
    """Apply every recorded erasure (the ``erasures`` table and the erasure log) again.

    Idempotent: an erasure still in force changes nothing. Returns (kind, id, outcome) with
    outcome ``reapplied`` (personal data had come back, e.g. from a restored backup),
    ``unchanged``, ``absent`` (no such object in this database) or ``different`` (the id now
    belongs to an object created at another time, which is left alone). Missing rows of the
    table and lines of the log are written again, so each source is complete afterwards."""
    rows = {(e.kind, e.object_id): e for e in db.session.scalars(select(Erasure))}
    logged = erasure_log.read()
    wanted: dict[tuple[str, int], dict[str, Any]] = {}
    for entry in logged:
        wanted.setdefault((entry["kind"], entry["object_id"]), entry)
    for key, erasure in rows.items():
        wanted.setdefault(key, {"object_created_at": erasure.object_created_at})
    in_log = {(e["kind"], e["object_id"]) for e in logged}
    subjects = _subjects(list(wanted))
    results = []
    today = clock.today()
    for (kind, object_id), entry in sorted(wanted.items()):
        obj = subjects.get((_model(kind), object_id))
        if obj is None:
            results.append((kind, object_id, "absent"))
            continue
        if not _same_moment(entry.get("object_created_at"), obj.created_at):
            results.append((kind, object_id, "different"))
            continue
        if kind == ErasureKind.HOUSEHOLD:
            changed = household_needs_erasure(obj)
            _apply_household(obj, today)
        else:
            changed = landlord_needs_erasure(obj)
            _apply_landlord(obj, actor)
        erasure = rows.get((kind, object_id)) or _new_erasure(ErasureKind(kind), obj, actor)
        if (kind, object_id) not in in_log:
            _log(erasure)
        if changed:
            audit.record(
                "privacy.erasure_reapplied", actor=actor, obj=obj, object_kind=kind, reapplied=True
            )
        results.append((kind, object_id, "reapplied" if changed else "unchanged"))
    db.session.flush()
    return results
