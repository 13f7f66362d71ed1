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


class _CountingLoader(DictLoader):
    def __init__(self, mapping):
        super().__init__(mapping)
        self.searched: list[str] = []

    def get_source(self, environment, template):
        self.searched.append(template)
        return super().get_source(environment, template)


def test_a_template_not_found_is_not_searched_again_where_templates_are_not_reloaded(app):
    """``{% include ["site/impressum.html", default] %}`` searched the template folders for the
    operator's file on every request; in production (no reloading) the miss is remembered."""
    loader = _CountingLoader(
        {"page.html": '{% include ["site/own.html", "default.html"] %}', "default.html": "ours"}
    )
    environment = PortalEnvironment(app, loader=loader, auto_reload=False)
    page = environment.get_template("page.html")
    assert [page.render() for _ in range(3)] == ["ours"] * 3
    assert loader.searched.count("site/own.html") == 1


def test_with_reloading_a_template_added_later_is_found(app):
    """In development (``auto_reload``) a template placed while the app runs is found."""
    loader = _CountingLoader(
        {"page.html": '{% include ["site/own.html", "default.html"] %}', "default.html": "ours"}
    )
    environment = PortalEnvironment(app, loader=loader, auto_reload=True)
    assert environment.get_template("page.html").render() == "ours"
    loader.mapping["site/own.html"] = "the operator's"
    assert environment.get_template("page.html").render() == "the operator's"
