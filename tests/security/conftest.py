"""Numbers the attack suite reports at the end of a run (inputs tried, files sent)."""

from __future__ import annotations

from collections import Counter

STATS: Counter[str] = Counter()


def pytest_terminal_summary(terminalreporter) -> None:
    if not STATS:
        return
    terminalreporter.section("security suite")
    for name, count in sorted(STATS.items()):
        if name.startswith("_"):
            continue
        terminalreporter.write_line(f"{name}: {count}")
