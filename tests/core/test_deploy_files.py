"""deploy/cluster stays in step with the code: every timer and service starts a command the
portal has, with options it knows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

CLUSTER = Path(__file__).resolve().parents[2] / "deploy" / "cluster"


def started_commands() -> list[list[str]]:
    """The flask command lines the units run: the timers' job instances and the mail worker."""
    commands = []
    for timer in sorted(CLUSTER.glob("*.timer")):
        [instance] = re.findall(r"^Unit=portal-job@(.+)\.service$", timer.read_text(), re.M)
        commands.append(instance.split(":"))
    for service in sorted(CLUSTER.glob("*.service")):
        for line in re.findall(r"^ExecStart=.*flask --app wsgi (.+)$", service.read_text(), re.M):
            if "$$@" not in line:
                commands.append(shlex.split(line))
    return commands


def test_there_are_timers_for_every_daily_job():
    jobs = {" ".join(command[:2]) for command in started_commands()}
    assert {
        "placements remind",
        "placements digest",
        "households expire-consents",
        "privacy purge",
        "mediation purge",
        "backup create",
        "outbox send",
    } <= jobs


@pytest.mark.parametrize("command", started_commands(), ids=" ".join)
def test_each_unit_runs_a_command_the_portal_has(runner, command):
    result = runner.invoke(args=[*command, "--help"])
    assert result.exit_code == 0, result.output
