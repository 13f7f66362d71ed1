"""The admin page of sites: an admin's own sites only, their details and texts, their staff."""

from __future__ import annotations

from sqlalchemy import select

from portal.core.audit import AuditEvent
from portal.core.pagination import PER_PAGE
from portal.extensions import db as _db
from portal.sites.models import DEFAULT_SITE_ID, Site
from tests.conftest import counted_statements
from tests.factories import StaffFactory, UserFactory


def essen(status: str = "active") -> Site:
    site = Site(slug="essen", name="Essen", municipality_key="05113000", code_prefix="E",
                status=status)  # fmt: skip
    _db.session.add(site)
    _db.session.flush()
    return site


def html(response) -> str:
    return response.get_data(as_text=True)


def test_only_admins_see_the_site_link_and_pages(browser, db):
    browser.login("specialist")
    assert "/backoffice/sites/" not in html(browser.client.get("/backoffice/"))
    assert browser.client.get("/backoffice/sites/").status_code == 403
    browser.logout()
    browser.login("admin")
    home = html(browser.client.get("/backoffice/"))
    assert '<a href="/backoffice/sites/">Site</a>' in home


def test_the_list_shows_the_admins_own_sites(browser, db):
    other = essen()
    admin = browser.login("admin")
    StaffFactory(role="specialist")
    page = html(browser.client.get("/backoffice/sites/"))
    assert "Duisburg" in page and "05112000" in page and "DU" in page and "Active" in page
    assert "Essen" not in page  # not one of the admin's sites
    admin.sites.append(other)
    _db.session.commit()
    page = html(browser.client.get("/backoffice/sites/"))
    assert "/backoffice/sites/essen" in page and "05113000" in page


def test_another_sites_pages_answer_404(browser, db):
    other = essen()
    colleague = StaffFactory(role="specialist", sites=[other])
    browser.login("admin")
    assert browser.client.get("/backoffice/sites/essen").status_code == 404
    assert browser.client.get("/backoffice/sites/wesel").status_code == 404
    assert browser.post("/backoffice/sites/essen", {"name": "Gekapert"}).status_code == 404
    response = browser.post("/backoffice/sites/essen/staff", {"email": "x@example.org"})
    assert response.status_code == 404
    response = browser.post(f"/backoffice/sites/essen/staff/{colleague.id}/remove")
    assert response.status_code == 404
    _db.session.expire_all()
    assert other.name == "Essen" and [s.slug for s in colleague.sites] == ["essen"]


def test_edit_name_status_and_texts(browser, db):
    browser.login("admin")
    page = html(browser.client.get("/backoffice/sites/duisburg"))
    assert "Programme contact" in page and "Leave empty to use the text" in page
    response = browser.post(
        "/backoffice/sites/duisburg",
        {
            "name": "Duisburg",
            "status": "active",
            "contact_text": "Team Duisburg\nduisburg@example.org",
            "funding_text": "Gefördert vom Land.",
            "imprint_text": "",
        },
    )
    assert response.status_code == 303
    site = _db.session.get(Site, DEFAULT_SITE_ID)
    _db.session.refresh(site)
    assert site.contact_text == "Team Duisburg\nduisburg@example.org"
    assert site.funding_text == "Gefördert vom Land." and site.imprint_text is None
    event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "site.updated"))
    assert event.details == {"fields": "contact_text,funding_text"}
    # Wrong input comes back with everything typed still there.
    response = browser.post(
        "/backoffice/sites/duisburg",
        {"name": "", "status": "active", "contact_text": "Neuer Kontakt", "funding_text": ""},
    )
    assert response.status_code == 400
    page = html(response)
    assert "Please enter the site" in page and "Neuer Kontakt" in page
    response = browser.post("/backoffice/sites/duisburg", {"name": "Duisburg", "status": "open"})
    assert response.status_code == 400 and "Not a valid choice" in html(response)


def test_add_and_remove_staff(browser, db):
    admin = browser.login("admin")
    colleague = StaffFactory(role="social_worker", sites=[essen()], full_name="Sam Sozial")
    landlord = UserFactory(email="vermieter@example.org")
    response = browser.post("/backoffice/sites/duisburg/staff", {"email": colleague.email})
    assert response.status_code == 303
    _db.session.expire_all()
    assert [s.slug for s in colleague.sites] == ["duisburg", "essen"]
    for email, words in [
        (landlord.email, "There is no staff account with this address."),
        ("niemand@example.org", "There is no staff account with this address."),
        (colleague.email, "Sam Sozial works for this site already."),
        ("kaputt", "Please enter a valid e-mail address"),
    ]:
        response = browser.post("/backoffice/sites/duisburg/staff", {"email": email})
        assert response.status_code == 400, email
        assert words in html(response) and f'value="{email}"' in html(response)

    page = html(browser.client.get("/backoffice/sites/duisburg"))
    assert "Sam Sozial" in page and admin.full_name in page
    response = browser.post(f"/backoffice/sites/duisburg/staff/{colleague.id}/remove")
    assert response.status_code == 303
    _db.session.expire_all()
    assert [s.slug for s in colleague.sites] == ["essen"]
    page = html(browser.client.get("/backoffice/sites/duisburg"))
    assert "Sam Sozial no longer works for Duisburg." in page
    assert "<td>Sam Sozial</td>" not in page
    # Not a member (any more): 404.
    response = browser.post(f"/backoffice/sites/duisburg/staff/{colleague.id}/remove")
    assert response.status_code == 404
    actions = _db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("site.%")))
    assert list(actions) == ["site.staff_added", "site.staff_removed"]


def test_never_the_last_admin_nor_oneself_out_of_the_last_site(browser, db):
    admin = browser.login("admin")
    response = browser.post(f"/backoffice/sites/duisburg/staff/{admin.id}/remove")
    assert response.status_code == 303
    page = html(browser.client.get(response.headers["Location"]))
    assert "the last administrator of this site" in page
    second = StaffFactory(role="admin", full_name="Zweite Admin")
    _db.session.commit()
    # Another admin now, but it is still the admin's own last site.
    response = browser.post(f"/backoffice/sites/duisburg/staff/{admin.id}/remove")
    page = html(browser.client.get(response.headers["Location"]))
    assert "You cannot take yourself out of your last site." in page
    _db.session.expire_all()
    assert [s.id for s in admin.sites] == [DEFAULT_SITE_ID]
    # With a second site of their own, an admin may leave one (another admin stays there).
    admin.sites.append(essen())
    _db.session.commit()
    response = browser.post(f"/backoffice/sites/duisburg/staff/{admin.id}/remove")
    assert response.status_code == 303
    _db.session.expire_all()
    assert [s.slug for s in admin.sites] == ["essen"] and second.sites[0].id == DEFAULT_SITE_ID


def test_create_a_site_makes_the_admin_its_member(browser, db):
    admin = browser.login("admin")
    page = html(browser.client.get("/backoffice/sites/new"))
    assert "Municipality key (AGS)" in page
    form = {"name": "Kreis Wesel", "slug": "kreis-wesel", "municipality_key": "0517",
            "code_prefix": "WES", "status": "preparing"}  # fmt: skip
    response = browser.post("/backoffice/sites/new", form)
    assert response.status_code == 400
    page = html(response)
    assert "exactly 8 digits" in page and 'value="kreis-wesel"' in page and 'value="0517"' in page
    response = browser.post("/backoffice/sites/new", {**form, "code_prefix": "DU",
                                                      "municipality_key": "05170000"})  # fmt: skip
    assert response.status_code == 400
    assert "Another site uses this code prefix already." in html(response)
    response = browser.post("/backoffice/sites/new", {**form, "municipality_key": "05170000"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/backoffice/sites/kreis-wesel"
    site = _db.session.scalar(select(Site).where(Site.slug == "kreis-wesel"))
    assert (site.name, site.status, site.code_prefix) == ("Kreis Wesel", "preparing", "WES")
    _db.session.expire_all()
    assert [s.slug for s in admin.sites] == ["duisburg", "kreis-wesel"]
    page = html(browser.client.get("/backoffice/sites/kreis-wesel"))
    assert "In preparation" in page and admin.email in page


def test_the_sites_esf_project_number_goes_into_its_annex_files(app, browser, db):
    from portal.reports import annex_files

    browser.login("admin")
    base = {"name": "Duisburg", "status": "active"}
    response = browser.post("/backoffice/sites/duisburg", {**base, "esf_project_id": "<x>"})
    assert response.status_code == 400
    page = html(response)
    assert "The project number may hold letters" in page and "&lt;x&gt;" in page
    response = browser.post(
        "/backoffice/sites/duisburg", {**base, "esf_project_id": " ESF-NRW  2026/0815 "}
    )
    assert response.status_code == 303
    site = _db.session.get(Site, DEFAULT_SITE_ID)
    _db.session.refresh(site)
    assert site.esf_project_id == "ESF-NRW 2026/0815"
    assert annex_files.project_id(site) == "ESF-NRW 2026/0815"
    assert annex_files.project_id(essen()) == app.config["ESF_PROJECT_ID"]  # its own: none
    page = browser.client.get("/backoffice/reports/annex").get_data(as_text=True)
    assert "ESF-NRW 2026/0815" in page or "No project number is set" not in page


def test_the_staff_of_a_big_site_a_page_at_a_time(browser, db):
    browser.login("admin")
    duisburg = _db.session.get(Site, DEFAULT_SITE_ID)

    def statements() -> int:
        browser.client.get("/backoffice/sites/duisburg")
        with counted_statements(_db.engine) as seen:
            assert browser.client.get("/backoffice/sites/duisburg").status_code == 200
        return len(seen)

    StaffFactory(role="specialist", sites=[duisburg], full_name="Aa Erste")
    _db.session.commit()
    small = statements()
    staff = [
        StaffFactory(role="specialist", sites=[duisburg], full_name=f"Fachkraft {n:02d}")
        for n in range(PER_PAGE + 5)
    ]
    _db.session.commit()
    assert statements() == small
    first = html(browser.client.get("/backoffice/sites/duisburg"))
    assert "<td>Aa Erste</td>" in first and "Page 1 of 2" in first
    assert "<td>Fachkraft 29</td>" not in first
    assert 'href="/backoffice/sites/duisburg?page=2"' in first
    second = html(browser.client.get("/backoffice/sites/duisburg?page=2"))
    assert "<td>Fachkraft 29</td>" in second and "<td>Aa Erste</td>" not in second
    # The form beside the list still works on a later page, and a removal from it comes back.
    last = staff[-1]
    remove = f"/backoffice/sites/duisburg/staff/{last.id}/remove?page=2"
    assert f'action="{remove}"' in second
    response = browser.post(remove)
    assert response.status_code == 303
    assert response.headers["Location"] == "/backoffice/sites/duisburg?page=2"
    _db.session.expire_all()
    assert last.sites == []
    # A refused addition shows the form again: its page links lead to the site's page.
    response = browser.post("/backoffice/sites/duisburg/staff", {"email": "niemand@example.org"})
    assert response.status_code == 400
    assert 'href="/backoffice/sites/duisburg?page=2"' in html(response)
    assert "/staff?page=" not in html(response)
