"""portal.core.hooks: how a lower floor asks the floors above (tests/test_architecture.py)."""

from __future__ import annotations

import pytest

from portal.core.hooks import Hook, Veto
from portal.households.backoffice import HOUSEHOLD_PAGE
from portal.households.operations import HOUSEHOLD_LEAVES
from portal.listings.backoffice import FLAT_PAGE
from portal.listings.operations import FLAT_LEAVES
from portal.listings.views import FLAT_PAGE as LANDLORD_FLAT_PAGE


def test_a_required_hook_with_nobody_connected_fails_loudly():
    hook = Hook("nobody listens")
    with pytest.raises(RuntimeError, match="nothing connected"):
        hook("x")


def test_receivers_answer_in_order_and_connect_once():
    hook = Hook("in order")
    calls = []

    def first(x):
        calls.append(("first", x))
        return 1

    def second(x):
        calls.append(("second", x))
        return 2

    hook.connect(first)
    hook.connect(second)
    hook.connect(first)  # a module imported twice connects once
    assert hook("x") == [1, 2]
    assert calls == [("first", "x"), ("second", "x")]


def test_a_veto_reaches_the_caller():
    hook = Hook("vetoed")

    @hook.connect
    def refuse(_x):
        raise Veto("lease_signed")

    with pytest.raises(Veto, match="lease_signed"):
        hook("x")


def test_sections_must_provide_every_name_once():
    hook = Hook("page", provides=frozenset({"a", "b"}))
    hook.connect(lambda: {"a": 1})
    with pytest.raises(RuntimeError, match="nobody provides"):
        hook.sections()
    twice = Hook("page twice", provides=frozenset({"a"}))

    def one():
        return {"a": 1}

    def other():
        return {"a": 2}

    twice.connect(one)
    twice.connect(other)
    with pytest.raises(RuntimeError, match="provided twice"):
        twice.sections()


def test_the_app_connects_every_hook(app):
    """create_app imports every floor, so every hook of a lower floor has its receivers."""
    from portal.placements import release

    assert FLAT_LEAVES._receivers and HOUSEHOLD_LEAVES._receivers
    assert release.close_for_flat in FLAT_LEAVES._receivers.values()
    assert release.close_for_household in HOUSEHOLD_LEAVES._receivers.values()
    for page in (HOUSEHOLD_PAGE, FLAT_PAGE, LANDLORD_FLAT_PAGE):
        assert page._receivers, page.name
