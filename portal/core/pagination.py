"""Links between the pages of a paginated list that keep the list's filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from math import ceil
from typing import Any

from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, bindparam, func, select

from portal.core.fields import page_arg
from portal.extensions import db

# One page size for every list of the portal (landlord, staff and public), so that a page of
# households, flats, placements or cases always holds as many rows. The audit log shows twice as
# many: it is read by scrolling through events, one line each.
PER_PAGE = 25
HOME_ROWS = 10  # rows of each list on a home page (the staff home), with the number of all
AUDIT_PER_PAGE = 2 * PER_PAGE


def page_of(
    statement: Select, *, per_page: int | None = None, total: int | None = None
) -> Pagination:
    """Page ``?page=`` of ``statement``'s rows, ``per_page`` of them (``PER_PAGE``, read when
    called): how every counted list pages. A page argument that is no number, zero or negative
    shows the first page; one past the last shows the last (a bookmark or a link of a list that
    has since shrunk still shows rows, where an empty page would read like an empty list).
    ``total``: the number of all rows where the caller knows it already, which spares the
    count."""
    per_page = per_page or PER_PAGE
    number = page_arg()
    if total is None:
        page = db.paginate(statement, page=number, per_page=per_page, error_out=False)
        if page.items or page.page <= page.pages or not page.pages:
            return page
        total = page.total  # past the last page: the last one, without counting again
    page = db.paginate(
        statement,
        page=min(number, max(ceil(total / per_page), 1)),
        per_page=per_page,
        error_out=False,
        count=False,
    )
    page.total = total  # as Flask-SQLAlchemy's ``count`` documents
    return page


def page_url(number: int, endpoint: str | None = None) -> str:
    """The current page's URL with ``page=number`` and every other query argument kept.
    ``endpoint``: the page's own where a form's POST to another route rendered it again (its
    links must lead to the page, not to the route that takes only POST)."""
    args = {key: values for key, values in request.args.lists() if key != "page"}
    return url_for(endpoint or request.endpoint, **(request.view_args or {}), **args, page=number)


@dataclass(frozen=True)
class UncountedPage:
    """One page of a list that is not counted: one row more than the page holds is read to know
    whether a next page exists, so a page costs its own rows (and those it skips), never a count
    over the whole list. What ``_pagination.html`` reads, like Flask-SQLAlchemy's Pagination;
    ``pages`` is None, and ``total`` is known only on the last page."""

    items: list[Any]
    page: int
    per_page: int
    has_next: bool
    pages: None = None

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def first(self) -> int:
        """The position of the page's first row in the whole list (1 for the first page)."""
        return (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1

    @property
    def total(self) -> int | None:
        """The number of rows of the whole list, where this page tells it: on the last page."""
        if self.has_next or (not self.items and self.page > 1):
            return None
        return self.last if self.items else 0


def uncounted_page(query: Select, page: int, per_page: int = PER_PAGE) -> UncountedPage:
    """Page ``page`` (from 1) of ``query``'s rows (entities), without counting them."""
    page = max(page, 1)
    rows = list(
        db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).unique()
    )
    return UncountedPage(rows[:per_page], page, per_page, has_next=len(rows) > per_page)


def first_and_total(query: Select, limit: int, key: Any = None) -> tuple[list[tuple], int]:
    """The first ``limit`` rows of ``query`` and the number of all its rows, in one statement:
    the number is an uncorrelated subquery, which the database computes once, while the rows
    still stop at the LIMIT (a window count would build and sort every row first). ``limit`` 0:
    no rows, the number alone."""
    return run_first_and_total(first_and_total_statement(query, limit, key), limit)


def first_and_total_statement(query: Select, limit: int, key: Any = None) -> Select:
    """The one statement of ``first_and_total``, to be built once where ``query`` is the same
    on every request (``run_first_and_total`` runs it): deriving it (a count over the query, the
    query again with the count as a column) costs more than running it on a home page's
    lists."""
    total = select(func.count()).select_from(query.order_by(None).subquery()).scalar_subquery()
    if limit <= 0:  # the number alone
        return select(total.label("total_rows"))
    if key is not None:
        # ``key`` (the rows' primary key): the first rows are chosen by their keys alone, and
        # only those get the query's joins; joined to every matching row, the database would
        # look up each row's relations before sorting (thousands, of which a home shows ten).
        first = query.with_only_columns(key).limit(limit)
        query = query.where(key.in_(first.scalar_subquery()))
    return query.add_columns(total.label("total_rows")).limit(limit)


def run_newest(
    statement: Select, limit: int, params: dict[str, Any] | None = None
) -> tuple[list[tuple], int]:
    """A ``first_and_total_statement`` ordered newest first, its rows turned round to read
    oldest first, and the number of all: the newest lines of a history or a conversation, shown
    in the order the whole list reads."""
    rows, total = run_first_and_total(statement, limit, params)
    return rows[::-1], total


def run_first_and_total(
    statement: Select, limit: int, params: dict[str, Any] | None = None
) -> tuple[list[tuple], int]:
    """The rows and the number of all of a ``first_and_total_statement`` of ``limit`` rows;
    ``params``: the values of its bound parameters (a statement built once for every id)."""
    rows = db.session.execute(statement, params).all()
    if limit <= 0:
        return [], rows[0].total_rows
    if not rows:
        return [], 0
    return [tuple(row)[:-1] for row in rows], rows[0].total_rows


def first_rows_of(
    rows_of: Callable[..., Select], *params: str, turned: bool = False
) -> Callable[..., tuple[list[Any], int]]:
    """``first(*values, limit)``: the first ``limit`` entities of ``rows_of(*values)`` (one
    object's list: a household's consents, a case's replies) and the number of all, in one
    statement. The statement is built once per process and limit, ``rows_of`` called with
    bound parameters named ``params`` in place of the values (a page that shows the list's first
    rows on every request would otherwise derive it on every request). ``turned``: ``rows_of``
    lists newest first and the rows are turned round to read oldest first (``run_newest``), as
    a history or a conversation reads."""

    @lru_cache(maxsize=8)
    def statement(limit: int) -> Select:
        return first_and_total_statement(rows_of(*(bindparam(name) for name in params)), limit)

    def first(*values_and_limit: Any) -> tuple[list[Any], int]:
        *values, limit = values_and_limit
        run = run_newest if turned else run_first_and_total
        rows, total = run(statement(limit), limit, dict(zip(params, values, strict=True)))
        return [entity for (entity,) in rows], total

    return first
