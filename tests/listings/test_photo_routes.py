"""Uploading, serving, ordering and deleting photos through the landlord's pages."""

from io import BytesIO

import pytest
from sqlalchemy import select

from portal.core import storage
from portal.listings.models import Photo
from tests.builders import jpeg, upload
from tests.factories import FlatFactory

pytestmark = pytest.mark.usefixtures("uploads")  # a fresh upload folder for each test


def test_upload_several_photos_and_serve_variants(browser, db, uploads):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    response = upload(browser, flat, (jpeg(), "kitchen.jpg"), (jpeg(3000, 2000), "living.jpg"))
    assert response.status_code == 302
    photos = db.session.scalars(
        select(Photo).where(Photo.flat_id == flat.id).order_by(Photo.position)
    ).all()
    assert [p.width_list for p in photos] == [[320, 1024, 1200], [320, 1024, 2048]]
    assert photos[0].is_cover and not photos[1].is_cover
    files = [key.removeprefix("photos/") for key in storage.list_keys("photos/")]
    assert len(files) == 6 and all(name.endswith(".webp") for name in files)
    assert not any("kitchen" in name for name in files)
    served = browser.client.get(f"/flats/{flat.public_key}/photos/{photos[1].public_key}/1024.webp")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Cache-Control"] == "private, no-cache"
    assert served.headers["ETag"] and served.headers["Last-Modified"]
    html = browser.client.get(f"/flats/{flat.public_key}").get_data(as_text=True)
    assert 'loading="lazy"' in html and "srcset=" in html and "2048w" in html


def test_bad_file_is_refused_and_good_ones_kept(browser, db):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    response = upload(
        browser,
        flat,
        (jpeg(), "ok.jpg"),
        (BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), "evil.jpg"),
        json=True,
    )
    assert response.status_code == 200
    result = response.get_json()
    assert result["added"] == 1 and len(result["refused"]) == 1
    assert result["refused"][0].startswith("evil.jpg:")
    assert db.session.scalar(select(Photo).where(Photo.flat_id == flat.id)) is not None


def test_upload_without_files(browser, db):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    response = browser.post(
        f"/flats/{flat.public_key}/photos",
        {},
        csrf_from_path=f"/flats/{flat.public_key}/edit",
        follow_redirects=True,
    )
    assert "choose at least one photo" in response.get_data(as_text=True)


def test_at_most_twenty_photos(browser, db, app):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    for position in range(20):
        db.session.add(
            Photo(
                flat=flat,
                storage_key=f"k{position}",
                widths="320",
                height_ratio=1,
                position=position,
            )
        )
    db.session.flush()
    result = upload(browser, flat, (jpeg(400, 300), "one-more.jpg"), json=True).get_json()
    assert result["added"] == 0 and "at most 20 photos" in result["refused"][0]


def test_caption_cover_order_and_delete(browser, db, uploads):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    upload(browser, flat, (jpeg(), "a.jpg"), (jpeg(), "b.jpg"))
    first, second = db.session.scalars(
        select(Photo).where(Photo.flat_id == flat.id).order_by(Photo.position)
    ).all()
    path = f"/flats/{flat.public_key}/edit"
    browser.post(
        f"/flats/{flat.public_key}/photos/{second.public_key}/caption",
        {"caption": "Küche mit Fenster"},
        csrf_from_path=path,
    )
    browser.post(f"/flats/{flat.public_key}/photos/{second.public_key}/cover", csrf_from_path=path)
    browser.post(
        f"/flats/{flat.public_key}/photos/{second.public_key}/move/up", csrf_from_path=path
    )
    db.session.expire_all()
    first, second = db.session.get(Photo, first.id), db.session.get(Photo, second.id)
    assert second.caption == "Küche mit Fenster" and second.is_cover and not first.is_cover
    assert second.position < first.position
    html = browser.client.get(f"/flats/{flat.public_key}").get_data(as_text=True)
    assert 'alt="Küche mit Fenster"' in html
    files_before = set(storage.list_keys("photos/"))
    browser.post(f"/flats/{flat.public_key}/photos/{second.public_key}/delete", csrf_from_path=path)
    db.session.expire_all()
    assert db.session.get(Photo, second.id) is None
    assert db.session.get(Photo, first.id).is_cover
    gone = files_before - set(storage.list_keys("photos/"))
    assert len(gone) == 3


def test_deleting_a_draft_removes_its_files(browser, db, uploads):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    upload(browser, flat, (jpeg(), "a.jpg"))
    assert any(storage.list_keys("photos/"))
    browser.post(f"/flats/{flat.public_key}/delete", csrf_from_path=f"/flats/{flat.public_key}")
    assert not any(storage.list_keys("photos/"))


def test_staff_see_photos_other_landlords_do_not(app, browser, db):
    from tests.conftest import Browser

    owner = browser.login("landlord")
    flat = FlatFactory(organisation=owner.organisation)
    upload(browser, flat, (jpeg(), "a.jpg"))
    photo = db.session.scalar(select(Photo).where(Photo.flat_id == flat.id))
    url = f"/flats/{flat.public_key}/photos/{photo.public_key}/320.webp"
    staff = Browser(app.test_client())
    staff.login("specialist")
    assert staff.client.get(url).status_code == 200
    other = Browser(app.test_client())
    other.login("landlord")
    assert other.client.get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302  # anonymous: to the login
    assert storage.exists(photo.file_name(320))


def test_photo_upload_accepts_more_than_the_general_body_limit(app, browser, db, monkeypatch):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 50 * 1024)
    big = jpeg(1600, 1200)
    padded = BytesIO(big.getvalue() + b"\0" * (100 * 1024))  # trailing bytes after the image
    result = upload(browser, flat, (padded, "big.jpg"), json=True)
    other = browser.post("/account/", {"full_name": "x" * (60 * 1024)})
    assert result.status_code == 200
    assert other.status_code == 413
