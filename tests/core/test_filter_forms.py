"""One filter pattern for every list page: a GET FlaskForm (no CSRF token) bound to the query
string, parsed into the list's filter dataclass by ``from_form`` and rendered by the one macro
``filter_form``. The query strings, and what they select, are those of before."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from portal.households.labels import status_label as household_status_label
from portal.households.queries import CaseloadFilter, CaseloadFilterForm
from portal.listings.labels import status_label as flat_status_label
from portal.listings.queries import FlatFilter, FlatFilterForm
from portal.listings.rules import limits_in_force

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_list_page_filters_through_the_macro():
    lists = [
        path
        for path in TEMPLATES.rglob("*.html")
        if "_pagination.html" in path.read_text(encoding="utf-8")
    ]
    assert len(lists) >= 7
    for path in lists:
        text = path.read_text(encoding="utf-8")
        assert '<form method="get"' not in text, path  # hand-written filters: the old way
    with_filters = {
        path.relative_to(TEMPLATES).as_posix()
        for path in lists
        if re.search(r"import filter_form", path.read_text(encoding="utf-8"))
    }
    assert with_filters == {
        "backoffice/flats.html",
        "backoffice/households/list.html",
        "backoffice/placements/list.html",
        "backoffice/mediation/list.html",
        "backoffice/privacy/audit.html",
        "households/list.html",
        "listings/dashboard_table.html",
    }


def flat_filter(app, query: MultiDict) -> FlatFilter:
    with app.test_request_context():
        form = FlatFilterForm(formdata=query)
        form.set_choices([], limits_in_force(), flat_status_label)
        return FlatFilter.from_form(form)


def test_flat_filter_reads_the_query_string_as_before(app, db):
    args = MultiDict(
        {
            "status": "published",
            "district": "7",
            "min_rooms": "2,5",
            "max_rent": "600",
            "affordable_for": "2",
            "wbs": "required",
            "step_free": "1",
            "sort": "rent",
        }
    )
    assert flat_filter(app, args) == FlatFilter(
        status="published",
        district_id=7,
        min_rooms=Decimal("2.5"),
        max_gross_rent=Decimal("600"),
        affordable_for=2,
        wbs="required",
        step_free=True,
        sort="rent",
    )
    junk = MultiDict(
        {
            "status": "nonsense",
            "district": "abc",
            "min_rooms": "x",
            "max_rent": "",
            "affordable_for": str(10**30),
            "wbs": "maybe",
            "step_free": "yes",
            "sort": "random",
        }
    )
    assert flat_filter(app, junk) == FlatFilter()
    assert flat_filter(app, MultiDict()) == FlatFilter()


def test_caseload_filter_reads_the_query_string_as_before(app, db):
    def parse(query: dict) -> CaseloadFilter:
        with app.test_request_context():
            form = CaseloadFilterForm(formdata=MultiDict(query))
            form.set_choices(household_status_label)
            return CaseloadFilter.from_form(form)

    assert parse(
        {
            "q": "  DU-2026   7 ",
            "status": "vetted",
            "size": "3",
            "consent": "expiring",
            "sort": "expiry",
        }
    ) == CaseloadFilter(
        text="DU-2026 7", status="vetted", size=3, consent="expiring", sort="expiry"
    )
    assert parse({"q": "x" * 300}) == CaseloadFilter(text="x" * 100)
    assert parse({"status": "gone", "size": "many", "consent": "?", "sort": "?"}) == (
        CaseloadFilter()
    )
    assert parse({}) == CaseloadFilter()


def filters_on(browser, path: str) -> str:
    """The filter form of the list page at ``path``, as HTML."""
    html = browser.client.get(path).get_data(as_text=True)
    return html.split('role="search"')[1].split("</form>")[0]


def selected(form: str, value: str) -> bool:
    return bool(
        re.search(rf'<option[^>]*selected[^>]*value="{value}"|value="{value}" selected', form)
    )


def test_flat_list_shows_the_chosen_filters(browser, db):
    browser.login("specialist")
    form = filters_on(
        browser,
        "/backoffice/flats/?status=published&min_rooms=2&wbs=required&step_free=1&sort=rent",
    )
    assert all(selected(form, value) for value in ("published", "required", "rent"))
    assert 'name="min_rooms"' in form and 'value="2"' in form
    assert re.search(r'id="f-stepfree"[^>]*checked|checked[^>]*id="f-stepfree"', form)


def test_caseload_list_shows_the_chosen_filters(browser, db):
    browser.login("social_worker")
    form = filters_on(
        browser, "/backoffice/households/?q=DU-2026&status=vetted&consent=valid&sort=code"
    )
    assert all(selected(form, value) for value in ("vetted", "valid", "code"))
    assert 'name="q"' in form and 'value="DU-2026"' in form


def test_every_list_filter_is_a_filter_form(app):
    from portal.core.fields import FilterForm
    from portal.households.queries import HouseholdFilterForm
    from portal.mediation.staff_forms import CaseFilterForm
    from portal.placements.forms import PlacementFilterForm
    from portal.privacy.forms import AuditFilterForm

    forms = (
        FlatFilterForm,
        CaseloadFilterForm,
        HouseholdFilterForm,
        PlacementFilterForm,
        CaseFilterForm,
        AuditFilterForm,
    )
    with app.test_request_context():
        for form_class in forms:
            assert issubclass(form_class, FilterForm)
            assert form_class(formdata=MultiDict()).meta.csrf is False  # GET: no token


def test_quick_select_writes_what_wtforms_writes(app):
    """Filter forms render their selects through QuickSelect: the same markup as WTForms'
    own widget, option for option (groups, the selected one, characters to escape, extra
    attributes)."""
    from flask import request
    from wtforms import SelectField
    from wtforms.fields.choices import SelectChoice
    from wtforms.widgets import Select

    from portal.core.fields import QUICK_SELECT, FilterForm

    class Form(FilterForm):
        plain = SelectField(
            "Plain",
            choices=[
                SelectChoice("", "any"),
                SelectChoice("a&b", 'Quote " and <tag>'),
                SelectChoice("2", "two", render_kw={"data-x": "1"}),
                SelectChoice("3", ""),
            ],
            validate_choice=False,
        )
        grouped = SelectField(
            "Grouped",
            choices=[
                SelectChoice("", "any"),
                SelectChoice("1", "Altstadt", optgroup="Mitte"),
                SelectChoice("2", "Neudorf", optgroup="Mitte"),
                SelectChoice("3", "Baerl", optgroup="Homberg & Ruhrort"),
            ],
            validate_choice=False,
        )

    for query in ("", "plain=a%26b&grouped=2", "plain=2&grouped=3", "plain=3"):
        with app.test_request_context(f"/?{query}"):
            form = Form(formdata=request.args)
            for field in form:
                assert field.widget is QUICK_SELECT
                quick = str(field())
                field.widget = Select()
                assert quick == str(field())


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            ["id", "name", "class_", "type", "value", "data_x_y", "aria_describedby", "for_"]
            + ["checked", "required", "placeholder", "a<b", 'q"']
        ),
        st.one_of(
            st.booleans(),
            st.text(max_size=12),
            st.integers(),
            st.none(),
            st.text(max_size=12).map(Markup),
        ),
    )
)
def test_quick_html_params_writes_what_wtforms_writes(attributes):
    """Every WTForms widget and label writes its attributes with quick_html_params (installed
    by create_app): the same text as WTForms' own html_params, for any names and values."""
    from portal.core.fields import WTFORMS_HTML_PARAMS, quick_html_params

    quick = quick_html_params(**attributes)
    assert quick == WTFORMS_HTML_PARAMS(**attributes)
    assert isinstance(quick, Markup)


def test_wtforms_widgets_use_quick_html_params(app):
    import wtforms.fields.core
    import wtforms.widgets.core

    from portal.core.fields import quick_html_params

    assert wtforms.widgets.core.html_params is quick_html_params
    assert wtforms.widgets.core.TextInput.html_params is quick_html_params
    assert wtforms.fields.core.widgets.html_params is quick_html_params
