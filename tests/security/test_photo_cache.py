"""Photos are cached only privately and revalidated at every use (issue 13, item 10).

Before, a photo was sent ``private, max-age=31536000, immutable``: a browser on a shared
computer kept showing it for a year, also after it was deleted or the landlord logged out. Now
it is ``private, no-cache`` with an ETag and Last-Modified: the browser asks before each use, and
the answer is 304 only while the user may still see the photo.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.listings.models import Photo
from tests.builders import jpeg, upload
from tests.factories import FlatFactory, UserFactory
from tests.security.world import log_in

pytestmark = pytest.mark.usefixtures("uploads")  # a fresh upload folder for each test


def _photo_url(browser, db, flat) -> tuple[str, Photo]:
    assert upload(browser, flat, (jpeg(), "kitchen.jpg")).status_code == 302
    photo = db.session.scalar(select(Photo).where(Photo.flat_id == flat.id))
    base = f"/flats/{flat.public_key}/photos/{photo.public_key}"
    return f"{base}/{photo.width_list[0]}.{photo.extension}", photo


def test_photo_is_private_and_revalidated(browser, db):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    url, _ = _photo_url(browser, db, flat)
    served = browser.client.get(url)
    assert served.status_code == 200
    assert served.headers["Cache-Control"] == "private, no-cache"
    assert "immutable" not in served.headers["Cache-Control"]
    assert "Expires" not in served.headers
    etag, modified = served.headers["ETag"], served.headers["Last-Modified"]
    again = browser.client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["Cache-Control"] == "private, no-cache"
    since = browser.client.get(url, headers={"If-Modified-Since": modified})
    assert since.status_code == 304


def test_deleted_photo_is_not_confirmed_from_the_cache(browser, db):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    url, photo = _photo_url(browser, db, flat)
    etag = browser.client.get(url).headers["ETag"]
    deleted = browser.post(
        f"/flats/{flat.public_key}/photos/{photo.public_key}/delete",
        csrf_from_path=f"/flats/{flat.public_key}/edit",
    )
    assert deleted.status_code == 302
    assert browser.client.get(url, headers={"If-None-Match": etag}).status_code == 404


def test_revalidation_needs_the_right_to_see_the_photo(browser, db, client):
    user = browser.login("landlord")
    flat = FlatFactory(organisation=user.organisation)
    url, _ = _photo_url(browser, db, flat)
    etag = browser.client.get(url).headers["ETag"]
    # The next user of a shared computer, after the landlord logged out: to the login.
    browser.logout()
    after_logout = browser.client.get(url, headers={"If-None-Match": etag})
    assert after_logout.status_code == 302
    assert after_logout.headers["Location"].startswith("/account/login")
    # Another organisation's landlord: 404, as for any photo that is not theirs.
    other = UserFactory()
    log_in(browser.client, other.get_id())
    assert browser.client.get(url, headers={"If-None-Match": etag}).status_code == 404
