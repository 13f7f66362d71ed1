"""Another organisation's flat, photo or edit URL answers 404 for every method; anonymous
users are sent to the login."""

import pytest
from sqlalchemy import select

from portal.listings.models import Flat, Photo
from tests.factories import FlatFactory


@pytest.fixture
def foreign(db):
    flat = FlatFactory(status="draft")
    photo = Photo(flat=flat, storage_key="foreignkey", widths="320", height_ratio=1)
    db.session.add(photo)
    db.session.flush()
    return flat, photo


def routes(flat, photo):
    f, p = flat.public_key, photo.public_key
    return [
        ("GET", f"/flats/{f}"),
        ("GET", f"/flats/{f}/edit"),
        ("POST", f"/flats/{f}/edit"),
        ("POST", f"/flats/{f}/withdraw"),
        ("POST", f"/flats/{f}/relist"),
        ("POST", f"/flats/{f}/duplicate"),
        ("POST", f"/flats/{f}/delete"),
        ("POST", f"/flats/{f}/photos"),
        ("POST", f"/flats/{f}/photos/{p}/caption"),
        ("POST", f"/flats/{f}/photos/{p}/cover"),
        ("POST", f"/flats/{f}/photos/{p}/move/up"),
        ("POST", f"/flats/{f}/photos/{p}/move/down"),
        ("POST", f"/flats/{f}/photos/{p}/delete"),
        ("GET", f"/flats/{f}/photos/{p}/320.webp"),
    ]


def test_other_organisation_gets_404_everywhere(browser, db, foreign):
    flat, photo = foreign
    browser.login("landlord")
    token = browser.csrf("/flats/")
    for method, path in routes(flat, photo):
        if method == "GET":
            response = browser.client.get(path)
        else:
            response = browser.client.post(
                path, data={"csrf_token": token, "caption": "x", "action": "save", "street": "Hack"}
            )
        assert response.status_code == 404, (method, path, response.status_code)
    db.session.expire_all()
    flat_now = db.session.get(Flat, flat.id)
    assert flat_now.status == "draft" and flat_now.street == "Musterstraße"
    assert db.session.get(Photo, photo.id).caption is None
    assert db.session.scalar(select(Flat).where(Flat.street == "Hack")) is None


def test_own_photo_under_foreign_flat_id_is_404(browser, db, foreign):
    flat, photo = foreign
    user = browser.login("landlord")
    mine = FlatFactory(organisation=user.organisation)
    token = browser.csrf("/flats/")
    response = browser.client.post(
        f"/flats/{mine.public_key}/photos/{photo.public_key}/delete", data={"csrf_token": token}
    )
    assert response.status_code == 404
    assert (
        browser.client.get(
            f"/flats/{mine.public_key}/photos/{photo.public_key}/320.webp"
        ).status_code
        == 404
    )


def test_anonymous_is_sent_to_login_everywhere(client, db, foreign):
    flat, photo = foreign
    for method, path in routes(flat, photo):
        response = client.open(path, method=method)
        if method == "POST":
            # Without a session there is no CSRF token either: refused before anything runs.
            assert response.status_code == 400, (method, path)
        else:
            assert response.status_code == 302, (method, path)
            assert "/account/login" in response.headers["Location"]


def test_made_up_ids_are_404(browser, db):
    browser.login("landlord")
    for path in ["/flats/999999", "/flats/999999/edit", "/flats/999999/photos/1/320.webp"]:
        assert browser.client.get(path).status_code == 404
