"""``field`` (portal/core/form_markup.py) writes what the ``field`` macro of
``macros/forms.html`` wrote, for every kind of field the portal's forms have: text, e-mail,
password, select, radio buttons, a check box, a text area, hidden; with and without a hint, with
and without errors, with a hint given by the caller. The macro is kept below as it was."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from portal.accounts.forms import LoginForm
from portal.core.form_markup import field
from portal.households.queries import HouseholdFilterForm
from portal.mediation.forms import MediationForm

THE_MACRO = """
{% macro _described(f, hint) -%}
  {%- set ids = [] -%}
  {%- if hint %}{% set _ = ids.append(f.id ~ '-hint') %}{% endif -%}
  {%- if f.errors %}{% set _ = ids.append(f.id ~ '-error') %}{% endif -%}
  {{- ids|join(' ') -}}
{%- endmacro %}

{% macro field(f, hint=None) -%}
  {%- set hint = hint or f.description -%}
  {%- set described = _described(f, hint) -%}
  {%- set attrs = {} -%}
  {%- if described %}{% set _ = attrs.update({'aria-describedby': described}) %}{% endif -%}
  {%- if f.errors %}{% set _ = attrs.update({'aria-invalid': 'true'}) %}{% endif -%}
  <div class="field{% if f.errors %} has-error{% endif %}">
  {%- if f.type == 'BooleanField' %}
    <div class="check">
      {{ f(**attrs) }}
      {{ f.label() }}
    </div>
    {% if hint %}<p class="hint" id="{{ f.id }}-hint">{{ hint }}</p>{% endif %}
  {%- elif f.type == 'RadioField' %}
    <fieldset{% if described %} aria-describedby="{{ described }}"{% endif %}>
      <legend>{{ f.label.text }}</legend>
      {% if hint %}<p class="hint" id="{{ f.id }}-hint">{{ hint }}</p>{% endif %}
      {% for option in f %}
        <div class="check">{{ option() }} {{ option.label() }}</div>
      {% endfor %}
    </fieldset>
  {%- else %}
    {{ f.label() }}
    {% if hint %}<p class="hint" id="{{ f.id }}-hint">{{ hint }}</p>{% endif %}
    {{ f(**attrs) }}
  {%- endif %}
    {% if f.errors %}<p class="error" id="{{ f.id }}-error">{{ f.errors|join(' ') }}</p>{% endif %}
  </div>
{%- endmacro %}
{{ field(f, hint=hint) }}"""


def _tags(html: str) -> str:
    """The markup without the whitespace between tags (the macro's indentation)."""
    return re.sub(r">\s+<", "><", str(html)).strip()


def _forms():
    bad_login = MultiDict({"email": "<b>not an address", "password": ""})
    bad_mediation = MultiDict(
        {"sender_kind": "nonsense", "email": "x@", "contact_by": "phone", "message": ""}
    )
    return [
        (LoginForm(formdata=None), False),
        (LoginForm(formdata=bad_login), True),
        (MediationForm(formdata=None, flats=[("k1", "Flat <one> & two")]), False),
        (MediationForm(formdata=bad_mediation, flats=[("k1", "Flat one")]), True),
        (HouseholdFilterForm(formdata=MultiDict({"size": "3"})), True),
    ]


@pytest.mark.parametrize("hint", [None, "A hint of the caller's, <with> & signs"])
def test_field_writes_what_the_macro_wrote(app, hint):
    reference = app.jinja_env.from_string(THE_MACRO)
    kinds = set()
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        for form, sent in _forms():
            if sent:
                form.validate()  # the errors of a form sent with bad data
            for f in form:
                kinds.add((f.type, bool(f.errors), bool(f.description or hint)))
                written = field(f, hint=hint)
                assert isinstance(written, Markup)
                assert _tags(written) == _tags(reference.render(f=f, hint=hint)), f.name
    # Every kind of field, with and without errors, with and without a hint.
    for kind in ("StringField", "SelectField", "RadioField", "BooleanField", "TextAreaField"):
        assert {(kind, e) for e in (True, False)} <= {(k, e) for k, e, _ in kinds}, kind
    if hint is None:  # fields with a description of their own, and fields without
        assert {True, False} <= {h for _k, _e, h in kinds}


def test_templates_reach_it_under_the_macros_name(app):
    page = app.jinja_env.from_string(
        '{% from "macros/forms.html" import field %}{{ field(form.email, hint="<typed>") }}'
    )
    with app.test_request_context("/"):
        html = page.render(form=LoginForm(formdata=None))
    assert 'aria-describedby="email-hint"' in html
    assert '<p class="hint" id="email-hint">&lt;typed&gt;</p>' in html


def test_an_id_with_markup_characters_is_escaped_once(app):
    """Ids are the portal's own names; were one to hold ``&`` or ``"``, it would be escaped
    exactly once, in the input's attributes and in the hint's and error's ids alike."""
    reference = app.jinja_env.from_string(THE_MACRO)
    with app.test_request_context("/"):
        form = LoginForm(formdata=MultiDict({"email": "", "password": ""}))
        form.validate()
        form.email.id = 'mail&"x'
        written = field(form.email, hint="hint")
        assert _tags(written) == _tags(reference.render(f=form.email, hint="hint"))
    assert 'id="mail&amp;&#34;x-hint"' in written
    assert "&amp;amp;" not in written
