"""How a lower floor asks the floors above without importing them (tests/test_architecture.py).

A lower floor declares a ``Hook`` where it needs an answer from above: a flat or a household
leaves the portal (placements let go of it first), a staff page shows sections that higher
floors know (the matching lists, interests, exports). The floor above connects a function to
the hook with ``@hook.connect``; the app imports every floor when it starts (create_app), so
every receiver is connected before the first request. A hook that must be answered says so
(``required``): calling it with no receiver connected is a bug and fails loudly, it never
silently skips what the floor above would have done.

A receiver refuses by raising ``Veto``: the caller changes nothing and refuses in its own words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portal.core.refusals import Refused


class Veto(Refused):
    """A receiver refuses what the lower floor is about to do; nothing changed. The one kept
    subclass of ``Refused``: the caller catches exactly its receivers' vetoes (it cannot name
    their floors) to word them itself, and lets every other refusal pass unchanged."""


class Hook:
    def __init__(self, name: str, *, required: bool = True, provides: frozenset[str] = frozenset()):
        self.name = name
        self.required = required
        # For page sections: the names the receivers must provide between them.
        self.provides = provides
        self._receivers: dict[str, Callable[..., Any]] = {}

    def connect(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Connect ``receiver`` (a decorator); connecting the same function twice keeps one."""
        self._receivers[f"{receiver.__module__}.{receiver.__qualname__}"] = receiver
        return receiver

    def _check(self) -> None:
        if self.required and not self._receivers:
            raise RuntimeError(f"hook {self.name!r}: nothing connected (is its floor imported?)")

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        """Call every receiver in the order they were connected; their answers."""
        self._check()
        return [receiver(*args, **kwargs) for receiver in self._receivers.values()]

    def sections(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The template context the receivers provide for a page (each returns a dict)."""
        merged: dict[str, Any] = {}
        for part in self(*args, **kwargs):
            twice = merged.keys() & part.keys()
            if twice:
                raise RuntimeError(f"hook {self.name!r}: {sorted(twice)} provided twice")
            merged.update(part)
        missing = self.provides - merged.keys()
        if missing:
            raise RuntimeError(f"hook {self.name!r}: nobody provides {sorted(missing)}")
        return merged
