"""The team's mail when a flat or a household leaves takes its words from placements/labels.py
(CLOSED_MAIL_TEXTS), in the recipient's language."""

import pytest
from flask import render_template
from flask_babel import force_locale

from portal.placements.labels import CLOSED_MAIL_TEXTS


@pytest.mark.parametrize(
    "reason, locale, subject, opening",
    [
        ("flat_withdrawn", "en", "Flat withdrawn: X", "The landlord has withdrawn the flat X."),
        ("household_unavailable", "en", "Household no longer available: X", "The household X"),
        ("flat_withdrawn", "de", "Wohnung zurückgezogen: X", "X"),
    ],
)
def test_the_closed_mail_says_why_in_the_recipients_language(app, reason, locale, subject, opening):
    words = CLOSED_MAIL_TEXTS[reason]
    with app.test_request_context(), force_locale(locale):
        text = render_template(
            "mail/placements_closed.txt",
            subject=words[0],
            opening=words[1],
            subject_line="X",
            name=None,
            placements=[],
            interests=[],
            base="https://example.org",
        )
    first, _, body = text.strip().partition("\n")
    assert first.startswith(subject) and opening in body
    if locale == "de":
        assert "withdrawn" not in text and "Hallo" in text
