"""Issue 14: whether a step may be taken now and by whom is the operation's question
(placements.operations.check_step), which the back office only asks."""

import pytest

from portal.core.refusals import Refused
from portal.placements import operations as ops
from portal.placements.models import STEPS, Action, Placement, State

ROLES = ("specialist", "social_worker", "landlord", "admin")


@pytest.mark.parametrize("action", list(Action))
def test_check_step_follows_the_steps_table_state_first(action):
    sources, _target, roles = STEPS[action]
    for state in State:
        for role in ROLES:
            placement = Placement(state=state.value)
            if state not in sources:
                expected = "state"
            elif role not in roles:
                expected = "role"
            else:
                expected = None
            if expected is None:
                ops.check_step(placement, action, role)
                continue
            with pytest.raises(Refused) as refused:
                ops.check_step(placement, action, role)
            assert refused.value.code == expected


def test_the_back_office_has_no_rule_of_its_own():
    from portal.placements import backoffice

    assert not hasattr(backoffice, "_why_not")
