"""Every form field's markup: a label, a hint and its error, linked by ``aria-describedby``.

``field`` is what ``macros/forms.html`` exports under that name (``{{ field(form.email) }}``,
and each field of ``filter_form``). It was a Jinja macro; as one Python function it writes the
same markup without a macro call, a call of a second macro for the ``aria-describedby`` ids and
a dozen template lookups per field (a form page writes ten to twenty fields, a list page's
filters six). ``tests/core/test_form_markup.py`` holds it to the macro's output.

Everything that comes from outside is escaped: the hint, the label text of a group of radio
buttons, the errors, the field's id; the label and the input come from WTForms as ``Markup``.
"""

from __future__ import annotations

from typing import Any

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

_SPACE = Markup(" ")


def field(f: Any, hint: Any = None) -> Markup:
    """The field ``f`` with its label, its hint (``hint``, else the field's description) and
    its errors."""
    hint = hint or f.description
    errors = f.errors
    # The ids as they are for WTForms' attributes (which escapes them), escaped where written.
    described = " ".join(([f"{f.id}-hint"] if hint else []) + ([f"{f.id}-error"] if errors else []))
    field_id = escape(f.id)
    attrs = {}
    if described:
        attrs["aria-describedby"] = described
    if errors:
        attrs["aria-invalid"] = "true"
    hint_html = f'\n<p class="hint" id="{field_id}-hint">{escape(hint)}</p>' if hint else ""
    kind = f.type
    if kind == "BooleanField":
        body = f'\n<div class="check">\n{f(**attrs)}\n{f.label()}\n</div>{hint_html}'
    elif kind == "RadioField":
        group = f' aria-describedby="{escape(described)}"' if described else ""
        options = "".join(f'\n<div class="check">{option()} {option.label()}</div>' for option in f)
        body = (
            f"\n<fieldset{group}>\n<legend>{escape(f.label.text)}</legend>{hint_html}{options}"
            "\n</fieldset>"
        )
    else:
        body = f"\n{f.label()}{hint_html}\n{f(**attrs)}"
    error_html = (
        f'\n<p class="error" id="{field_id}-error">{_SPACE.join(errors)}</p>' if errors else ""
    )
    css = "field has-error" if errors else "field"
    return Markup(f'<div class="{css}">{body}{error_html}\n</div>')  # noqa: S704 - escaped above


def csrf_field() -> Markup:
    """The hidden CSRF field of a POST form (``csrf_field()`` in templates, exported by
    ``macros/forms.html``; it was a macro, and a page with a button per row calls it per row).
    The token is Flask-WTF's, the same for every form of a request."""
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % generate_csrf()
