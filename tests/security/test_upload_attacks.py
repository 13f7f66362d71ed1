"""Hostile files against the two uploads: flat photos (portal/listings/photos.py) and consent
documents (households back office). Every file is made here, in memory; nothing large is
committed.

Photos: a decompression bomb, polyglots (JPEG+ZIP, GIF/JavaScript, PNG with HTML after IEND),
SVG, PDF, and every other format Pillow can write. Only JPEG, PNG, WebP and HEIC are accepted,
and those only re-encoded: nothing after the image data survives. Anything else is refused with
the landlord's message and leaves no row and no file.

Consent documents: a PDF is kept as it is (by its magic bytes), so HTML or JavaScript dressed
as a PDF is stored, but only ever served as a download with ``nosniff``; a file without the
magic is refused and nothing is stored.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.core import clock, storage
from portal.households.models import Consent
from portal.listings.models import Photo
from tests.conftest import csrf_from
from tests.factories import FlatFactory, HouseholdFactory, IdentityFactory
from tests.security.conftest import STATS

NOT_A_PHOTO = "This file is not a photo"
TOO_MANY_PIXELS = "too many pixels"
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}  # MPO is read by the JPEG plugin
# Formats Pillow writes only with extra handlers or data it cannot make from a plain image.
UNWRITABLE = {"BUFR", "GRIB", "HDF5", "WMF", "MPO"}
HTML = b"<html><body><script>alert(1)</script></body></html>"


pytestmark = pytest.mark.usefixtures("uploads")  # a fresh upload folder for each test


def stored_files(root: Path) -> list[str]:
    """The keys of all stored files (``root``, the test's upload folder, names the fixture;
    the files are read through the storage, whichever backend holds them)."""
    return list(storage.list_keys())


def image(fmt: str, size=(64, 48), mode="RGB", **kw) -> bytes:
    buffer = io.BytesIO()
    picture = Image.new(mode, size, 128 if mode in ("L", "1", "P") else (200, 120, 40))
    picture.save(buffer, fmt, **kw)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(width: int, height: int) -> bytes:
    """A 1-bit PNG of zeros, ``width`` × ``height``, compressed to a small file."""
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", data)
        + png_chunk(b"IEND", b"")
    )


def writable_foreign_formats() -> list[str]:
    Image.init()
    return sorted(set(Image.SAVE) - ACCEPTED_FORMATS - UNWRITABLE - {"HEIF", "AVIF"}) + [
        f for f in ("AVIF",) if f in Image.SAVE
    ]


def foreign(fmt: str) -> bytes:
    modes = {"XBM": "1", "PALM": "1", "BLP": "RGBA", "ICNS": "RGBA", "SPIDER": "F", "IM": "RGB"}
    size = (64, 64) if fmt in ("ICNS", "ICO", "DDS", "BLP") else (64, 48)
    if fmt == "ICNS":
        size = (16, 16)
    return image(fmt, size=size, mode=modes.get(fmt, "RGB"))


@pytest.fixture
def landlord_flat(browser):
    user = browser.login("landlord")
    return FlatFactory(organisation=user.organisation)


def upload_photo(browser, flat, data: bytes, name: str) -> dict:
    STATS["attack files (photos)"] += 1
    token = csrf_from(browser.client.get(f"/flats/{flat.public_key}/edit").get_data(as_text=True))
    response = browser.client.post(
        f"/flats/{flat.public_key}/photos",
        data={"csrf_token": token, "photos": [(io.BytesIO(data), name)]},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def assert_refused(db, uploads, answer: dict, message: str) -> None:
    assert answer["added"] == 0
    assert len(answer["refused"]) == 1 and message in answer["refused"][0], answer
    assert db.session.scalar(select(func.count(Photo.id))) == 0
    assert stored_files(uploads) == []


@pytest.mark.filterwarnings("ignore:IM image format is deprecated:DeprecationWarning")
def test_every_foreign_format_pillow_writes_is_refused(browser, db, uploads, landlord_flat):
    formats = writable_foreign_formats()
    assert {"GIF", "BMP", "TIFF", "ICO", "TGA", "PPM", "PCX"} <= set(formats)
    for fmt in formats:
        try:
            data = foreign(fmt)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # this Pillow build cannot write it from a plain image
        answer = upload_photo(browser, landlord_flat, data, f"photo.{fmt.lower()}")
        assert_refused(db, uploads, answer, NOT_A_PHOTO)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bomb.png", png_bomb(30_000, 30_000), TOO_MANY_PIXELS),
        ("just-over.png", png_bomb(7_000, 7_000), TOO_MANY_PIXELS),
        ("wide.png", png_bomb(200_000, 300), TOO_MANY_PIXELS),
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)'
            b"</script></svg>",
            NOT_A_PHOTO,
        ),
        ("flat.pdf", b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n", NOT_A_PHOTO),
        ("gifjs.gif", b"GIF89a/*\x00\x00\x00\x00\x00\x00\x00*/=1;alert(1)//", NOT_A_PHOTO),
        ("page.jpg", HTML, NOT_A_PHOTO),
        ("empty.jpg", b"", "Please choose"),
        ("truncated.jpg", image("JPEG")[:200], "could not be read"),
        ("animated.png", None, "Animated"),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v else "",
)
def test_hostile_photos_are_refused(browser, db, uploads, landlord_flat, name, data, message):
    if name == "animated.png":
        frames = [Image.new("RGB", (32, 32), c) for c in ("red", "blue")]
        buffer = io.BytesIO()
        frames[0].save(buffer, "PNG", save_all=True, append_images=frames[1:])
        data = buffer.getvalue()
    if name == "empty.jpg":
        # An empty file part is no file at all: the form asks for one.
        STATS["attack files (photos)"] += 1
        token = csrf_from(
            browser.client.get(f"/flats/{landlord_flat.public_key}/edit").get_data(as_text=True)
        )
        response = browser.client.post(
            f"/flats/{landlord_flat.public_key}/photos",
            data={"csrf_token": token, "photos": [(io.BytesIO(b""), "")]},
            content_type="multipart/form-data",
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 400
        assert db.session.scalar(select(func.count(Photo.id))) == 0
        return
    assert len(data) < 2 * 1024 * 1024, "attack files stay small"
    answer = upload_photo(browser, landlord_flat, data, name)
    assert_refused(db, uploads, answer, message)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("jpeg-zip.jpg", image("JPEG") + b"PK\x03\x04" + b"\x00" * 26 + b"evil.js" + b"alert(1)"),
        ("png-html.png", image("PNG") + HTML),
        (
            "png-html-chunk.png",
            image("PNG")[:-12] + png_chunk(b"tEXt", b"x\x00" + HTML) + png_chunk(b"IEND", b""),
        ),
        ("jpeg-comment.jpg", image("JPEG", comment=HTML)),
    ],
)
def test_polyglots_are_stored_only_re_encoded(browser, db, uploads, landlord_flat, name, data):
    answer = upload_photo(browser, landlord_flat, data, name)
    assert answer["added"] == 1, answer
    files = stored_files(uploads)
    assert files and all(key.endswith(".webp") for key in files)
    for stored in files:
        content = storage.read(stored)
        assert content.startswith(b"RIFF") and content[8:12] == b"WEBP"
        assert b"<html" not in content and b"PK\x03\x04" not in content
        assert b"alert(1)" not in content
        # Nothing after the RIFF container: its length covers the whole file.
        assert struct.unpack("<I", content[4:8])[0] + 8 == len(content)
    assert not any(name.split(".")[0] in key for key in files)


# Consent documents --------------------------------------------------------------------------


@pytest.fixture
def household(browser):
    browser.login("social_worker")
    return IdentityFactory(household=HouseholdFactory(status="draft", consent=False)).household


def send_consent(browser, household, data: bytes, name: str):
    STATS["attack files (consent documents)"] += 1
    page = f"/backoffice/households/{household.id}"
    token = csrf_from(browser.client.get(page).get_data(as_text=True))
    return browser.client.post(
        f"{page}/consents",
        data={
            "csrf_token": token,
            "given_on": clock.today().isoformat(),
            "scope": "Profil und Vermittlung",
            "document": (io.BytesIO(data), name),
        },
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.pdf", HTML),
        ("drawing.pdf", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("gifjs.pdf", b"GIF89a/*\x00\x00*/=1;alert(1)//"),
        ("archive.pdf", b"PK\x03\x04" + b"\x00" * 40),
        ("bomb.png", png_bomb(30_000, 30_000)),
        ("leading-space.pdf", b" %PDF-1.4\n%%EOF\n"),
    ],
)
def test_consent_document_without_pdf_magic_is_refused(browser, db, uploads, household, name, data):
    response = send_consent(browser, household, data, name)
    # The form comes back with the reason; a decodable image too large to use is refused as such.
    assert response.status_code == 200
    reason = "could not be used" if name == "bomb.png" else "neither a PDF nor an image"
    assert reason in response.get_data(as_text=True)
    html = browser.client.get(f"/backoffice/households/{household.id}").get_data(as_text=True)
    assert db.session.scalar(select(func.count(Consent.id))) == 0, html[:300]
    assert stored_files(uploads) == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("html-as.pdf", b"%PDF-1.4\n" + HTML),
        (
            "javascript.pdf",
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"
            b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
        ),
    ],
)
def test_pdf_with_payload_is_only_ever_a_download(browser, db, uploads, household, name, data):
    response = send_consent(browser, household, data, name)
    assert response.status_code == 302
    consent = db.session.scalars(select(Consent)).one()
    assert consent.document_type == "application/pdf"
    served = browser.client.get(
        f"/backoffice/households/{household.id}/consents/{consent.id}/document"
    )
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert name not in served.headers["Content-Disposition"]  # a server-made name
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "no-store" in served.headers["Cache-Control"]
