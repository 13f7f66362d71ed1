"""How every counted list pages (``core.pagination.page_of``): ``PER_PAGE`` rows, a page
argument that is no page number shows the first page, one past the last shows the last."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.pagination import page_of
from portal.listings.models import District
from tests.conftest import counted_statements

DISTRICTS = select(District).order_by(District.id)


def _page(app, query: str, **kw):
    with app.test_request_context(f"/?{query}"):
        page = page_of(DISTRICTS, **kw)
        return page.page, page.pages, [d.id for d in page.items]


def test_pages_of_the_given_size(app, db):
    ids = list(db.session.scalars(select(District.id).order_by(District.id)))
    assert len(ids) > 10
    assert _page(app, "page=2", per_page=4) == (2, -(-len(ids) // 4), ids[4:8])


@pytest.mark.parametrize("argument", ["page=abc", "page=0", "page=-3", "page=", ""])
def test_no_page_number_is_the_first_page(app, db, argument):
    ids = list(db.session.scalars(select(District.id).order_by(District.id)))
    assert _page(app, argument, per_page=4)[2] == ids[:4]


def test_a_page_past_the_last_is_the_last(app, db):
    ids = list(db.session.scalars(select(District.id).order_by(District.id)))
    last = -(-len(ids) // 4)
    assert _page(app, "page=999", per_page=4) == (last, last, ids[(last - 1) * 4 :])


def test_a_known_total_spares_the_count(app, db):
    ids = list(db.session.scalars(select(District.id).order_by(District.id)))
    with app.test_request_context("/?page=999"), counted_statements(db.engine) as seen:
        page = page_of(DISTRICTS, per_page=4, total=len(ids))
        assert page.total == len(ids) and page.items
    assert len([s for s in seen if "count(" in s.lower()]) == 0
    assert len(seen) == 1  # the page's rows, the last page at once
