"""The portal's Flask application class, whose Jinja environment hands templates its globals as
the one dictionary they are.

Jinja 3 gives every template a ``ChainMap`` of its own globals over the environment's, and
flattens that map into a new dictionary on each rendering, include and macro import: one
``ChainMap`` lookup per global (the portal has some sixty), about 80 µs each time, several times
per page (a tenth of a public page's whole cost). A template loaded without globals of its own
(every template of the portal: Flask loads them so) gets the environment's dictionary itself
instead, as Jinja 2 did: a plain ``dict`` copy, and changes to the environment's globals still
reach every template. Templates loaded with globals of their own keep Jinja's ``ChainMap``.

Jinja keeps the templates it found, not the names it did not: an ``{% include [a, b] %}`` whose
first choice does not exist (``site/impressum.html``, which an operator may place in
``SITE_TEMPLATES_DIR``) searched every template folder for it again on every request. Where
templates are not reloaded (production: a changed or added template takes a restart anyway),
the environment remembers the names it did not find.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from flask import Flask
from flask.templating import Environment
from jinja2 import Template, TemplateNotFound


class PortalEnvironment(Environment):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._missing: set[str] = set()

    def _load_template(self, name: str, globals: MutableMapping[str, Any] | None) -> Template:
        if name in self._missing:
            raise TemplateNotFound(name)
        try:
            return super()._load_template(name, globals)
        except TemplateNotFound:
            if not self.auto_reload:
                self._missing.add(name)
            raise

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        if not d:
            return self.globals
        return super().make_globals(d)


class PortalFlask(Flask):
    jinja_environment = PortalEnvironment
