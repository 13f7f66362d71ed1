"""The pages that store and hand out files, on both storage backends (``any_storage``: a fresh
upload folder, and a fresh bucket on moto's S3 server): a photo uploaded through the real view
is served by the photo view after its access checks, answers conditional and range requests,
and goes with its flat; a consent scan goes up and comes down again. The whole suite runs on S3
with PORTAL_TEST_STORAGE=s3."""

from __future__ import annotations

from io import BytesIO

from sqlalchemy import select

from portal.core import clock, storage
from portal.core.storage_s3 import S3Storage
from portal.households.models import CONSENT_SCOPE, Consent
from portal.listings.models import Photo
from tests.builders import jpeg, upload
from tests.factories import FlatFactory, HouseholdFactory

BASE = "/backoffice/households"
PDF = b"%PDF-1.7\n%%EOF\n"


def test_photo_goes_up_and_comes_back_through_the_views(app, browser, db, any_storage):
    from tests.conftest import Browser

    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    assert upload(browser, flat, (jpeg(1600, 1200), "kitchen.jpg")).status_code == 302
    photo = db.session.scalar(select(Photo).where(Photo.flat_id == flat.id))
    keys = [photo.file_name(width) for width in photo.width_list]
    assert sorted(any_storage.list_keys()) == sorted(keys)
    url = f"/flats/{flat.public_key}/photos/{photo.public_key}/1024.webp"

    served = browser.client.get(url)
    assert served.status_code == 200
    assert served.data == any_storage.read(photo.file_name(1024))
    assert served.data[8:12] == b"WEBP"
    assert served.headers["Content-Type"] == "image/webp"
    assert served.headers["Content-Length"] == str(len(served.data))
    assert served.headers["Cache-Control"] == "private, no-cache"
    etag = served.headers["ETag"]

    calls: list[str] = []
    if isinstance(any_storage, S3Storage):
        any_storage.client.meta.events.register(
            "before-call.s3", lambda model, **_: calls.append(model.name)
        )
    again = browser.client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    if isinstance(any_storage, S3Storage):  # a 304 costs one HEAD request, no download
        assert calls == ["HeadObject"]
    part = browser.client.get(url, headers={"Range": "bytes=0-11"})
    assert part.status_code == 206 and part.data == served.data[:12]

    other = Browser(app.test_client())
    other.login("landlord")
    assert other.client.get(url).status_code == 404  # another landlord: nothing, not even 304
    assert other.client.get(url, headers={"If-None-Match": etag}).status_code == 404

    browser.post(f"/flats/{flat.public_key}/delete", csrf_from_path=f"/flats/{flat.public_key}")
    assert list(any_storage.list_keys()) == []
    assert browser.client.get(url).status_code == 404


def test_consent_scan_goes_up_and_comes_back_through_the_views(browser, db, any_storage):
    browser.login("social_worker")
    household = HouseholdFactory(consent=False)
    page = f"{BASE}/{household.id}"
    form = {"given_on": clock.today().isoformat(), "scope": CONSENT_SCOPE}
    form["document"] = (BytesIO(PDF), "form.pdf")
    response = browser.post(
        f"{page}/consents", form, csrf_from_path=page, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    consent = db.session.scalars(select(Consent).where(Consent.household_id == household.id)).one()
    assert list(any_storage.list_keys()) == [consent.document_key]

    response = browser.client.get(f"{BASE}/{household.id}/consents/{consent.id}/document")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "ETag" not in response.headers

    storage.delete(consent.document_key)
    gone = browser.client.get(f"{BASE}/{household.id}/consents/{consent.id}/document")
    assert gone.status_code == 404
