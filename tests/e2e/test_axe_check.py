"""The accessibility check of every browser test finds what it is there to find: it asks axe-core
for the violations only (tests/e2e/conftest.py, AXE_OPTIONS), and a violation fails the test."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_a_violation_fails_the_check(web):
    web.page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head>'
        '<body><main><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>'
    )
    with pytest.raises(AssertionError, match="image-alt"):
        web.check()


def test_a_clean_page_passes_the_check(web):
    web.page.set_content(
        '<!doctype html><html lang="en"><head><title>t</title></head>'
        "<body><main><h1>Hello</h1><p>Text.</p></main></body></html>"
    )
    web.check()
    assert web.checked
