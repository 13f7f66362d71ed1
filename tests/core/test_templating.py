"""The Jinja environment hands templates its globals as one dictionary (``core.templating``)."""

from collections import ChainMap

from jinja2 import DictLoader

from portal.core.templating import PortalEnvironment


def test_templates_share_the_environments_globals(app):
    environment = app.jinja_env
    assert isinstance(environment, PortalEnvironment)
    template = environment.get_template("base.html")
    # Not a ChainMap flattened on every rendering, include and import: the dictionary itself.
    assert template.globals is environment.globals


def test_a_global_added_later_reaches_templates_already_loaded(app):
    environment = PortalEnvironment(app, loader=DictLoader({"t.html": "{{ late() }}"}))
    template = environment.get_template("t.html")
    environment.globals["late"] = lambda: "added after loading"
    assert template.render() == "added after loading"


def test_a_templates_own_globals_stay_its_own(app):
    environment = PortalEnvironment(app, loader=DictLoader({"t.html": "{{ mine }}"}))
    template = environment.get_template("t.html", globals={"mine": "only here"})
    assert isinstance(template.globals, ChainMap)
    assert template.render() == "only here"
    assert "mine" not in environment.globals
    assert environment.from_string("{{ mine }}").render() == ""


def test_imported_macros_and_includes_see_the_globals(app):
    environment = PortalEnvironment(
        app,
        loader=DictLoader(
            {
                "macros.html": "{% macro m() %}{{ shout('macro') }}{% endmacro %}",
                "part.html": "{{ shout('include') }}",
                "page.html": '{% from "macros.html" import m %}{{ m() }} {% include "part.html" %}',
            }
        ),
    )
    environment.globals["shout"] = str.upper
    assert environment.get_template("page.html").render() == "MACRO INCLUDE"
