"""The landlord's dashboard a page at a time (issue: every list is paginated with one page size):
a housing company's table keeps its filter and sort from page to page, a private landlord's
cards are paged the same way, the figures at the top count all the flats, a page past the last
shows the last, and a page costs the same statements whatever the number of flats."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from portal.core.pagination import PER_PAGE
from portal.listings.models import Photo
from tests.builders import propose, published_flat
from tests.conftest import counted_statements
from tests.factories import CompanyFactory, FlatFactory, OrganisationFactory, UserFactory


def page(browser, path: str) -> str:
    response = browser.client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def streets(html: str, street: str) -> list[str]:
    """The streets named ``street`` in the page's flat links, in their order (table or cards)."""
    return re.findall(rf'">({street} \d+), ', html)


def company(browser, published: int, drafts: int = 0):
    """A housing company's user with ``published`` flats on "Mietweg" (rent rising with the
    number) and ``drafts`` on "Entwurfweg"."""
    user = browser.login(UserFactory(organisation=CompanyFactory()))
    for n in range(published):
        rent = Decimal(300 + n)
        published_flat(
            user.organisation, street=f"Mietweg {n:03d}", cold_rent=rent, house_number=""
        )
    for n in range(drafts):
        FlatFactory(organisation=user.organisation, street=f"Entwurfweg {n:03d}", house_number="")
    return user


def private_landlord(browser, flats: int, street: str = "Kartenweg"):
    user = browser.login(UserFactory(organisation=OrganisationFactory()))
    for n in range(flats):
        published_flat(user.organisation, street=f"{street} {n:03d}", house_number="")
    return user


def with_photo(flat) -> None:
    flat.photos.append(
        Photo(storage_key=f"cover{flat.id}", widths="320", height_ratio=Decimal("0.75"))
    )


# The table ------------------------------------------------------------------------------------


def test_the_table_pages_keep_the_filter_and_the_sort(browser, db):
    company(browser, published=PER_PAGE + 3, drafts=4)
    first = page(browser, "/flats/?sort=rent&status=published")
    rows = streets(first, "Mietweg")
    assert rows == [f"Mietweg {n:03d}" for n in range(PER_PAGE)]  # the cheapest first
    assert "Entwurfweg" not in first
    assert first.count('<th scope="row">') == PER_PAGE
    assert f"Flats 1 to {PER_PAGE} of {PER_PAGE + 3}" in first
    assert "Page 1 of 2" in first and 'rel="prev"' not in first
    # The link to the next page keeps the filter and the sort.
    assert 'href="/flats/?sort=rent&amp;status=published&amp;page=2" rel="next"' in first

    second = page(browser, "/flats/?sort=rent&status=published&page=2")
    assert streets(second, "Mietweg") == [f"Mietweg {n:03d}" for n in range(PER_PAGE, PER_PAGE + 3)]
    assert second.count('<th scope="row">') == 3
    assert f"Flats {PER_PAGE + 1} to {PER_PAGE + 3} of {PER_PAGE + 3}" in second
    assert 'href="/flats/?sort=rent&amp;status=published&amp;page=1" rel="prev"' in second
    assert 'rel="next"' not in second
    # The form shows the filter and the sort still chosen on the second page.
    assert '<option selected value="rent">' in second
    assert '<option selected value="published">' in second


def test_the_table_figures_count_every_flat_not_the_page(browser, db):
    company(browser, published=PER_PAGE + 3, drafts=4)
    for path in ["/flats/", "/flats/?page=2", "/flats/?status=draft"]:
        html = page(browser, path)
        assert f"Flats in the portal</dt><dd>{PER_PAGE + 7}<" in html, path
        assert f"Flats listed now</dt><dd>{PER_PAGE + 3}<" in html, path
        assert "Drafts</dt><dd>4<" in html, path
    # A filter that fits on one page says how many it shows, without page links.
    drafts = page(browser, "/flats/?status=draft")
    assert "4 flats shown" in drafts and 'class="pagination"' not in drafts


def test_the_open_placements_are_those_of_the_flats_shown(app, browser, db):
    user = company(browser, published=PER_PAGE + 1)
    proposed = published_flat(user.organisation, street="Vorschlagweg 1", house_number="")
    propose(app, proposed)
    propose(app, proposed)
    first = page(browser, "/flats/?sort=address")  # Mietweg … comes before Vorschlagweg
    assert "Vorschlagweg" not in first
    second = page(browser, "/flats/?sort=address&page=2")
    row = second.split("Vorschlagweg 1")[1].split("</tr>")[0]
    assert "<td>2</td>" in row


# The cards ------------------------------------------------------------------------------------


def test_the_cards_of_a_private_landlord_are_paged_too(browser, db):
    private_landlord(browser, PER_PAGE + 2)
    FlatFactory(organisation=OrganisationFactory(), street="Fremdweg 1")
    first = page(browser, "/flats/")
    second = page(browser, "/flats/?page=2")
    assert 'class="flat-table"' not in first
    assert first.count('class="flat-card"') == PER_PAGE
    assert second.count('class="flat-card"') == 2
    shown = streets(first, "Kartenweg") + streets(second, "Kartenweg")
    assert sorted(shown) == [f"Kartenweg {n:03d}" for n in range(PER_PAGE + 2)]
    assert "Page 1 of 2" in first and 'href="/flats/?page=2" rel="next"' in first
    assert "Page 2 of 2" in second and 'href="/flats/?page=1" rel="prev"' in second
    assert "Fremdweg" not in first + second
    # The figures count all the flats on either page.
    for html in (first, second):
        assert f"Flats listed now</dt><dd>{PER_PAGE + 2}<" in html
        assert f"Flats listed so far</dt><dd>{PER_PAGE + 2}<" in html


def test_a_few_cards_have_no_page_links(browser, db):
    private_landlord(browser, 3)
    html = page(browser, "/flats/")
    assert html.count('class="flat-card"') == 3 and 'class="pagination"' not in html


# Pages that do not exist ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["table", "cards"])
def test_a_page_past_the_last_shows_the_last_and_a_wrong_one_the_first(browser, db, kind):
    if kind == "table":
        company(browser, published=PER_PAGE + 3)
        street, marker = "Mietweg", '<th scope="row">'
    else:
        private_landlord(browser, PER_PAGE + 3)
        street, marker = "Kartenweg", 'class="flat-card"'
    last = streets(page(browser, "/flats/?page=2"), street)
    assert len(last) == 3
    far = page(browser, "/flats/?page=999")
    assert streets(far, street) == last and far.count(marker) == 3
    assert "Page 2 of 2" in far and 'href="/flats/?page=1" rel="prev"' in far
    first = streets(page(browser, "/flats/"), street)
    assert len(first) == PER_PAGE
    for wrong in ["abc", "0", "-3", ""]:
        html = page(browser, f"/flats/?page={wrong}")
        assert streets(html, street) == first and "Page 1 of 2" in html, wrong


def test_a_filter_that_matches_nothing_on_a_far_page_says_so(browser, db):
    company(browser, published=PER_PAGE + 3)
    html = page(browser, "/flats/?status=archived&page=7")
    assert "0 flats shown" in html and 'class="flat-table"' not in html


def test_no_flat_on_a_far_page_still_invites_the_first(browser, db):
    browser.login(UserFactory(organisation=OrganisationFactory()))
    html = page(browser, "/flats/?page=7")
    assert "You have not listed a flat yet." in html and 'class="pagination"' not in html


# Statements -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["table", "cards"])
def test_a_page_needs_the_same_statements_whatever_the_number_of_flats(app, browser, db, kind):
    if kind == "table":
        user = browser.login(UserFactory(organisation=CompanyFactory()))
        marker = '<th scope="row">'
    else:
        user = browser.login(UserFactory(organisation=OrganisationFactory()))
        marker = 'class="flat-card"'
    organisation, made = user.organisation, 0

    def count_for(flats: int, path: str) -> int:
        nonlocal made
        while made < flats:
            flat = published_flat(organisation, street=f"Zählweg {made:03d}", house_number="")
            with_photo(flat)
            if made % 5 == 0:
                propose(app, flat)
            made += 1
        db.session.commit()
        with counted_statements(db.engine) as statements:
            html = page(browser, path)
        assert html.count(marker) == min(flats, PER_PAGE), path
        return len(statements)

    few = count_for(8, "/flats/")
    many = count_for(3 * PER_PAGE + 1, "/flats/")
    assert few == many == count_for(3 * PER_PAGE + 1, "/flats/?page=2")
    if kind == "table":
        assert many == count_for(3 * PER_PAGE + 1, "/flats/?status=published&sort=district")
    assert many <= 12
