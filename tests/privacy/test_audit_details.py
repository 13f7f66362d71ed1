"""The audit trail is append-only (the runtime database role cannot UPDATE it), so an erasure
cannot strip personal data from it later: it must never get in. Every call that writes audit
details is checked here against ``DETAIL_KEYS``, found in the source, not listed by hand."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from portal.core import audit

PORTAL = Path(__file__).resolve().parents[2] / "portal"
# Calls whose extra keyword arguments end up in audit details, and their own parameters.
CALLS = {
    "record": {"actor", "obj", "object_type", "object_id"},
    "transition": {"actor", "actor_kind"},  # Household/Flat.transition(**details)
    "_move": set(),  # listings' wrapper around Flat.transition
}
NOT_PERSONAL = {"actor", "obj", "object_type", "object_id", "actor_kind"}


def detail_keywords() -> list[tuple[str, str]]:
    found = []
    for path in PORTAL.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name not in CALLS:
                continue
            if name == "record" and not (
                isinstance(node.func, ast.Attribute)
                and getattr(node.func.value, "id", "") == "audit"
            ):
                continue
            for keyword in node.keywords:
                if keyword.arg is not None and keyword.arg not in CALLS[name] | NOT_PERSONAL:
                    found.append((f"{path.relative_to(PORTAL)}:{node.lineno}", keyword.arg))
    return found


def test_the_scan_finds_the_call_sites():
    keys = {key for _where, key in detail_keywords()}
    assert {"household_id", "placement_id", "previous", "reason"} <= keys


def test_every_audit_detail_key_is_on_the_allow_list():
    # Keys that look like secrets (``code``, ``token``, ...) are dropped before the check.
    unknown = [
        (where, key)
        for where, key in detail_keywords()
        if key not in audit.DETAIL_KEYS and not any(w in key for w in audit._SECRET_KEYS)
    ]
    assert unknown == []


def test_no_allowed_key_names_a_person():
    personal = ("name", "email", "mail", "phone", "address", "comment", "note", "message", "text")
    assert [k for k in audit.DETAIL_KEYS if any(word in k for word in personal)] == []


def test_record_refuses_a_key_off_the_list(app):
    with pytest.raises(audit.PersonalDataInAudit):
        audit.record("test.refused", email="someone@example.org")
    with pytest.raises(audit.PersonalDataInAudit):
        audit.record("test.refused", comment="Herr Müller called")
