"""The photo pipeline for flat listings and the upload storage.

Every file is made here with Pillow, pillow_heif or by hand: no binary fixtures in the repo.
"""

from __future__ import annotations

import io
import re
import struct
import threading
import tracemalloc
import zlib

import pillow_heif
import pytest
from flask import current_app, has_app_context
from PIL import Image, ImageCms, ImageFile

from portal.core import storage
from portal.core.refusals import Refused
from portal.listings.photos import (
    ALLOWED_FORMATS,
    MAX_BYTES,
    VARIANT_WIDTHS,
    ProcessedPhoto,
    process_photo,
)

GPS_IFD = 0x8825
ORIENTATION = 0x0112
# RIFF chunks a WebP holds for pixels alone; EXIF, XMP and ICCP would carry metadata.
PIXEL_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}


# Files ------------------------------------------------------------------------------------------


def encoded(image: Image.Image, format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **params)
    return buffer.getvalue()


def photo_like(size: tuple[int, int]) -> Image.Image:
    """Noise compresses like a photo: enough entropy data to cut a file in the middle of it."""
    return Image.merge("RGB", [Image.effect_noise(size, 60) for _ in range(3)])


def halves(size: tuple[int, int], left: str, right: str) -> Image.Image:
    """Left half one colour, right half another: shows which way a picture was turned."""
    image = Image.new("RGB", size, left)
    image.paste(Image.new("RGB", (size[0] // 2, size[1]), right), (size[0] // 2, 0))
    return image


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (51.0, 26.0, 7.5)  # latitude: Duisburg
    gps[3], gps[4] = "E", (6.0, 45.0, 44.0)
    gps[27] = b"ASCII\x00\x00\x00GPS"  # GPSProcessingMethod, so the bytes show "GPS"
    return exif


def png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body)
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header claiming any size, with a tiny IDAT: costs nothing to build."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def heic(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    pillow_heif.from_pillow(image).save(buffer, format="HEIF", quality=80)
    return buffer.getvalue()


def process(data: bytes, **kwargs) -> ProcessedPhoto:
    return process_photo(io.BytesIO(data), **kwargs)


def rejected(data: bytes, **kwargs) -> Refused:
    with pytest.raises(Refused) as caught:
        process(data, **kwargs)
    return caught.value


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data), formats=["WEBP"])
    image.load()
    return image


def riff_chunks(data: bytes) -> list[bytes]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, offset = [], 12
    while offset + 8 <= len(data):
        kind = data[offset : offset + 4]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        chunks.append(kind)
        offset += 8 + size + (size & 1)
    return chunks


def assert_bare_pixels(photo: ProcessedPhoto) -> None:
    """Each variant is a WebP with pixel chunks only: no EXIF, XMP or ICC profile."""
    for variant in photo.variants:
        assert set(riff_chunks(variant.data)) <= PIXEL_CHUNKS
        image = opened(variant.data)
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)


def english(message: object) -> str:
    """A refusal message as an English-speaking landlord reads it (in a request)."""
    with current_app.test_request_context(headers={"Accept-Language": "en"}):
        return str(message)


def colour_near(pixel: tuple[int, ...], expected: tuple[int, int, int], slack: int = 40) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel[:3], expected, strict=True))


# Metadata never survives ------------------------------------------------------------------------


def test_gps_exif_is_gone_from_every_variant():
    source = encoded(photo_like((1200, 800)), "JPEG", exif=gps_exif())
    assert b"GPS" in source and b"Exif" in source  # the test file really carries them

    photo = process(source)

    assert [v.width for v in photo.variants] == [320, 1024, 1200]
    for variant in photo.variants:
        assert b"GPS" not in variant.data
        assert b"Exif" not in variant.data
        assert b"PhoneMaker" not in variant.data
    assert_bare_pixels(photo)


def test_html_in_a_jpeg_comment_is_gone():
    script = b"<script>alert(1)</script>"
    source = encoded(Image.new("RGB", (400, 300), "teal"), "JPEG", comment=script)
    assert script in source

    photo = process(source)

    for variant in photo.variants:
        assert b"<script" not in variant.data
        assert b"alert(1)" not in variant.data
    assert_bare_pixels(photo)


def test_icc_profile_is_applied_and_not_carried_over():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = encoded(Image.new("RGB", (400, 300), (200, 40, 40)), "JPEG", icc_profile=profile)

    photo = process(source)

    assert_bare_pixels(photo)
    image = opened(photo.variants[-1].data).convert("RGB")
    assert colour_near(image.getpixel((200, 150)), (200, 40, 40))


def test_output_is_webp_as_announced():
    photo = process(encoded(Image.new("RGB", (64, 64), "navy"), "PNG"))

    assert (photo.mime_type, photo.extension) == ("image/webp", "webp")
    assert all(opened(v.data).format == "WEBP" for v in photo.variants)


# Orientation, colour, sizes ---------------------------------------------------------------------


def test_exif_orientation_6_gives_an_upright_portrait():
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # stored landscape, to be shown turned 90 degrees clockwise
    source = encoded(halves((400, 200), "red", "blue"), "JPEG", exif=exif, quality=95)

    photo = process(source)

    (variant,) = photo.variants
    assert (variant.width, variant.height) == (200, 400)
    image = opened(variant.data).convert("RGB")
    # Turned clockwise, the stored left (red) half is now on top.
    assert colour_near(image.getpixel((100, 50)), (255, 0, 0))
    assert colour_near(image.getpixel((100, 350)), (0, 0, 255))
    assert_bare_pixels(photo)


def test_turned_large_jpeg_keeps_full_resolution_for_the_widest_variant():
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    # JPEGs are decoded at a reduced scale; for this one, a scale chosen from the stored
    # (sideways) size would be 1/2, leaving only 1050 px of upright width.
    source = encoded(Image.new("RGB", (4200, 2100), "olive"), "JPEG", exif=exif)

    photo = process(source)

    assert [(v.width, v.height) for v in photo.variants] == [
        (320, 640),
        (1024, 2048),
        (2048, 4096),
    ]


def test_small_photo_gives_one_variant_at_its_own_width():
    photo = process(encoded(photo_like((300, 200)), "JPEG"))

    assert [(v.width, v.height) for v in photo.variants] == [(300, 200)]
    assert opened(photo.variants[0].data).size == (300, 200)


def test_large_photo_gives_three_variants_never_upscaled():
    photo = process(encoded(photo_like((3000, 2000)), "JPEG"))

    assert VARIANT_WIDTHS == (320, 1024, 2048)
    assert [(v.width, v.height) for v in photo.variants] == [
        (320, 213),
        (1024, 683),
        (2048, 1365),
    ]
    for variant in photo.variants:
        assert opened(variant.data).size == (variant.width, variant.height)


def test_transparency_is_kept():
    image = Image.new("RGBA", (200, 100), (0, 128, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 100, 100))

    photo = process(encoded(image, "PNG"))

    result = opened(photo.variants[0].data)
    assert result.mode == "RGBA"
    assert result.getpixel((20, 50))[3] < 20
    assert result.getpixel((180, 50))[3] > 235


def test_16_bit_grey_png_is_not_clipped_to_white():
    image = Image.new("I;16", (100, 100), 128 * 256)  # mid grey in 16 bits

    photo = process(encoded(image, "PNG"))

    grey = opened(photo.variants[0].data).convert("RGB").getpixel((50, 50))
    assert colour_near(grey, (128, 128, 128), slack=10)


# Formats ----------------------------------------------------------------------------------------


def test_allowed_formats():
    assert ALLOWED_FORMATS == ("JPEG", "PNG", "WEBP", "HEIF")


@pytest.mark.parametrize("format", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(format):
    photo = process(encoded(Image.new("RGB", (500, 250), "orange"), format))

    assert [(v.width, v.height) for v in photo.variants] == [(320, 160), (500, 250)]


def test_heic_from_a_phone_is_accepted():
    source = heic(halves((1200, 900), "red", "blue"))
    assert Image.open(io.BytesIO(source)).format == "HEIF"

    photo = process(source)

    assert [(v.width, v.height) for v in photo.variants] == [(320, 240), (1024, 768), (1200, 900)]
    image = opened(photo.variants[-1].data).convert("RGB")
    assert colour_near(image.getpixel((100, 450)), (255, 0, 0))
    assert_bare_pixels(photo)


def test_heif_with_several_images_uses_the_first():
    container = pillow_heif.from_pillow(Image.new("RGB", (640, 480), (0, 0, 255)))
    container.add_from_pillow(Image.new("RGB", (320, 240), (0, 255, 0)))
    buffer = io.BytesIO()
    container.save(buffer, format="HEIF")

    photo = process(buffer.getvalue())

    assert photo.variants[-1].width == 640
    pixel = opened(photo.variants[-1].data).convert("RGB").getpixel((10, 10))
    assert colour_near(pixel, (0, 0, 255))


def test_mpo_from_a_phone_counts_as_jpeg_and_uses_the_first_picture():
    first = Image.new("RGB", (640, 480), (255, 0, 0))
    second = Image.new("RGB", (640, 480), (0, 255, 0))
    source = encoded(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(source)).format == "MPO"

    photo = process(source)

    pixel = opened(photo.variants[-1].data).convert("RGB").getpixel((10, 10))
    assert colour_near(pixel, (255, 0, 0))


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
    b'<script>alert(1)</script><rect width="100" height="100" fill="red"/></svg>'
)
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def gif_animation() -> bytes:
    frames = [Image.new("P", (50, 50), index) for index in range(3)]
    return encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: SVG, id="svg"),
        pytest.param(lambda: b"Just some text, though the file is called flat.jpg\n", id="text"),
        # GIF is not an allowed format at all, so even an animated one is "not_image".
        pytest.param(gif_animation, id="gif-animation"),
        pytest.param(lambda: PDF, id="pdf"),
        pytest.param(lambda: encoded(Image.new("RGB", (40, 40)), "BMP"), id="bmp"),
        pytest.param(lambda: encoded(Image.new("RGB", (40, 40)), "TIFF"), id="tiff"),
        pytest.param(lambda: encoded(Image.new("RGB", (40, 40)), "ICO"), id="ico"),
        pytest.param(lambda: b"", id="empty"),
    ],
)
def test_files_that_are_not_photos_are_refused(make):
    error = rejected(make())

    assert error.code == "not_image"
    assert english(error.message) == (
        "This file is not a photo. Please upload a JPEG, PNG, WebP or HEIC image."
    )


def two_frames() -> list[Image.Image]:
    return [Image.new("RGB", (60, 40), "red"), Image.new("RGB", (60, 40), "blue")]


@pytest.mark.parametrize("format", ["WEBP", "PNG"], ids=["animated-webp", "apng"])
def test_animations_are_refused(format):
    first, second = two_frames()
    source = encoded(first, format, save_all=True, append_images=[second], duration=100)
    assert getattr(Image.open(io.BytesIO(source)), "is_animated", False)

    error = rejected(source)

    assert error.code == "animated"
    assert "still photo" in english(error.message)


# Hostile and broken input -----------------------------------------------------------------------


def test_decompression_bomb_is_refused_from_the_header_without_decoding(monkeypatch):
    source = png_declaring(30_000, 30_000)  # 900 megapixels, a few dozen bytes

    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    tracemalloc.start()
    try:
        error = rejected(source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error.code == "too_many_pixels"
    assert peak < 50 * 1024 * 1024
    assert "megapixels" in english(error.message)


@pytest.mark.parametrize("size", [(7000, 7000), (40_001, 1000), (1, 40_000_001)])
def test_just_over_the_pixel_limit_is_refused(size):
    # 49 MP lies between Pillow's warning and error thresholds; the others just above 40 MP.
    assert rejected(png_declaring(*size)).code == "too_many_pixels"


def test_truncated_jpeg_is_broken():
    source = encoded(photo_like((400, 300)), "JPEG")

    error = rejected(source[: len(source) // 2])

    assert error.code == "broken"
    assert "upload it again" in english(error.message)


def test_truncated_png_is_broken():
    source = encoded(photo_like((200, 200)), "PNG")

    assert rejected(source[: len(source) // 2]).code == "broken"


def test_corrupt_png_data_is_broken():
    source = bytearray(encoded(photo_like((200, 200)), "PNG"))
    start = source.index(b"IDAT") + 4
    source[start + 100 : start + 200] = bytes(100)  # zeros into the compressed stream

    assert rejected(bytes(source)).code == "broken"


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_file_over_the_byte_limit_is_refused_after_reading_one_byte_more():
    source = encoded(photo_like((200, 200)), "PNG") + bytes(10_000)
    stream = CountingStream(source)

    with pytest.raises(Refused) as caught:
        process_photo(stream, max_bytes=1000)

    assert caught.value.code == "too_large"
    assert stream.bytes_read == 1001
    assert "too large" in english(caught.value.message)


def test_file_at_exactly_the_byte_limit_is_accepted():
    source = encoded(Image.new("RGB", (50, 50), "green"), "PNG")

    assert process(source, max_bytes=len(source)).variants
    assert rejected(source, max_bytes=len(source) - 1).code == "too_large"


def test_default_limit_is_15_mb():
    assert MAX_BYTES == 15 * 1024 * 1024
    assert "15 MB" in english(rejected(bytes(MAX_BYTES + 1)).message)


def test_processing_needs_no_flask_context():
    source = encoded(Image.new("RGB", (100, 100), "red"), "PNG")
    outcome: dict[str, object] = {}

    def work() -> None:  # a new thread starts without the test's app context
        outcome["context"] = has_app_context()
        outcome["photo"] = process(source)
        try:
            process(b"not an image")
        except Refused as error:
            outcome["message"] = str(error.message)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()

    assert outcome["context"] is False
    assert isinstance(outcome["photo"], ProcessedPhoto)
    assert str(outcome["message"]).startswith("This file is not a photo.")


# Storage (the rest: tests/core/test_storage.py) -------------------------------------------------


def test_new_keys_are_random_hex():
    keys = {storage.new_key() for _ in range(100)}

    assert len(keys) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys)
