"""Photos of flats, as landlords upload them from their phones: checked, decoded once and
re-encoded as WebP in a few widths.

Nothing of the uploaded file reaches a visitor: every variant is encoded from bare pixels, so
EXIF (with the GPS position of the landlord's phone), XMP, ICC profiles, comments and whatever
else a file carries are dropped. Processing needs no Flask context; the refusal messages are
lazy strings that the caller renders in the user's language.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
import zlib
from dataclasses import dataclass
from typing import BinaryIO

import pillow_heif
from flask_babel import lazy_gettext as _l
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from portal.core.refusals import BAD_INPUT, Refused

VARIANT_WIDTHS = (320, 1024, 2048)
MAX_PIXELS = 40_000_000
MAX_BYTES = 15 * 1024 * 1024
# Pillow format names. Pillow opens an MPO (a multi-picture JPEG, as some phones write) through
# its JPEG plugin, so allowing "JPEG" lets MPO in too.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")

# The WebP format cannot store a side longer than this.
WEBP_MAX_SIDE = 16383
# Tuned with bench/photos.py: quality 80 shows no visible loss on flat photos at these sizes,
# method 2 encodes a 2048 px variant about twice as fast as the default method 4 for a few
# percent more bytes.
WEBP_QUALITY = 80
WEBP_METHOD = 2
RESAMPLE = Image.Resampling.LANCZOS
# Pillow first shrinks by an integer factor with a box filter while the image stays at least
# this many times larger than the target, then finishes with RESAMPLE: much faster, and
# indistinguishable from a full Lanczos pass at these ratios.
REDUCING_GAP = 3.0
# Formats in which several frames mean an animation; in HEIF and MPO they are separate pictures
# (a burst, a depth map, a stereo pair) and only the first, primary one is used.
_ANIMATION_FORMATS = ("PNG", "WEBP")

# Process-wide Pillow settings: stricter than Pillow's defaults, and the same for every upload.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False
pillow_heif.register_heif_opener()

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
_MEBIBYTE = 1024 * 1024

# Decoders of hostile input fail in many ways beyond OSError; every one of them means the same
# thing to the landlord: the file could not be read.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    struct.error,
    zlib.error,
)


def _rejected(code: str, message: object) -> Refused:
    """An upload that cannot be used as a photo of a flat (bad input: 400). ``code`` is one of
    ``too_large``, ``not_image``, ``too_many_pixels``, ``animated``, ``broken``; ``message`` a
    lazy translated text telling the landlord what to do; ``str(exc)`` is the code, so logs
    stay in English."""
    return Refused(code, message, status=BAD_INPUT)


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    data: bytes


@dataclass(frozen=True)
class ProcessedPhoto:
    variants: tuple[Variant, ...]  # ascending width
    mime_type: str = "image/webp"
    extension: str = "webp"


def _too_large(max_bytes: int) -> Refused:
    return _rejected(
        "too_large",
        _l(
            "This photo is too large. Please upload a file of at most %(megabytes)d MB.",
            megabytes=max(1, max_bytes // _MEBIBYTE),
        ),
    )


def _not_image() -> Refused:
    return _rejected(
        "not_image",
        _l("This file is not a photo. Please upload a JPEG, PNG, WebP or HEIC image."),
    )


def _too_many_pixels() -> Refused:
    return _rejected(
        "too_many_pixels",
        _l(
            "This photo has too many pixels. Please upload a smaller version "
            "(at most %(megapixels)d megapixels).",
            megapixels=MAX_PIXELS // 1_000_000,
        ),
    )


def _animated() -> Refused:
    return _rejected("animated", _l("Animated images cannot be used. Please upload a still photo."))


def _broken() -> Refused:
    return _rejected(
        "broken",
        _l("This photo could not be read; it may be damaged. Please upload it again."),
    )


def process_photo(stream: BinaryIO, *, max_bytes: int = MAX_BYTES) -> ProcessedPhoto:
    """Check an uploaded photo and return it re-encoded as WebP variants.

    Guarantees:

    - at most ``max_bytes + 1`` bytes are read; a longer upload is refused (``too_large``);
    - only JPEG (and MPO), PNG, WebP and HEIF/HEIC are opened (``not_image`` otherwise);
    - the pixel count is checked from the header before anything is decoded, so a
      decompression bomb costs no memory (``too_many_pixels`` above ``MAX_PIXELS``);
    - animations are refused (``animated``), truncated or corrupt data too (``broken``);
    - the result is upright (EXIF orientation applied), in sRGB, RGB or RGBA if the source
      has transparency, and contains no metadata of the original at all;
    - one variant per width in ``VARIANT_WIDTHS``, never wider than the source (so a narrow
      source gives fewer variants), aspect ratio kept, ascending width.

    Raises ``Refused`` (status 400); needs no Flask context.
    """
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    image = _open(data)
    try:
        image = _decode(image)
        variants = _variants(image)
    finally:
        image.close()
    return ProcessedPhoto(variants=variants)


def _open(data: bytes) -> Image.Image:
    """Parse the header only: format, size, frame count. No pixels are decoded yet."""
    # catch_warnings is process-global and not thread-safe; the explicit size check below
    # keeps the guard even if another thread resets the filter meanwhile.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except UnidentifiedImageError:
            raise _not_image() from None
        except _DECODE_ERRORS:
            # A known format whose header is inconsistent.
            raise _broken() from None
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise _too_many_pixels()
    if width < 1 or height < 1:
        image.close()
        raise _broken()
    if image.format in _ANIMATION_FORMATS and getattr(image, "is_animated", False):
        image.close()
        raise _animated()
    return image


def _decode(image: Image.Image) -> Image.Image:
    """Decode the first frame, upright and in sRGB, at no more resolution than needed."""
    try:
        if image.format in ("JPEG", "MPO"):
            _draft(image)
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
        return _to_srgb(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except _DECODE_ERRORS:
        raise _broken() from None


def _draft(image: Image.Image) -> None:
    """Let the JPEG decoder scale down by 1/2, 1/4 or 1/8 while the result still covers the
    widest variant: a 6000 px photo decodes at 3000 px, in about a third of the time."""
    width, height = image.size
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    # Orientations 5 to 8 turn the picture by 90 degrees: its final width is the stored height.
    sideways = orientation in (5, 6, 7, 8)
    final_width, final_height = (height, width) if sideways else (width, height)
    needed_width = min(max(VARIANT_WIDTHS), final_width)
    needed_height = math.ceil(final_height * needed_width / final_width)
    needed = (needed_height, needed_width) if sideways else (needed_width, needed_height)
    image.draft("RGB", needed)


def _to_srgb(image: Image.Image) -> Image.Image:
    transparent = image.has_transparency_data
    mode = "RGBA" if transparent else "RGB"
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        # 16-bit grey; a plain convert() would clip everything above 255 to white.
        icc = image.info.get("icc_profile")
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
        if icc:
            image.info["icc_profile"] = icc
    if transparent and image.mode != "RGBA":
        image = image.convert("RGBA")
    elif image.mode not in ("RGB", "RGBA", "L", "CMYK"):
        image = image.convert(mode)
    icc = image.info.get("icc_profile")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            # A broken or unusual profile: the colours may be a little off, the photo is fine.
            converted = None
        if converted is not None:
            return converted
    return image if image.mode == mode else image.convert(mode)


def _sizes(width: int, height: int) -> list[tuple[int, int]]:
    """Target sizes, widest first: one per VARIANT_WIDTH, capped at the source width and at
    WebP's longest side, without duplicates."""
    sizes: set[tuple[int, int]] = set()
    for wanted in VARIANT_WIDTHS:
        new_width = min(wanted, width)
        new_height = max(1, round(height * new_width / width))
        if new_height > WEBP_MAX_SIDE:
            # Only very tall strips: keep the aspect ratio, limited by the height instead.
            new_height = WEBP_MAX_SIDE
            new_width = max(1, round(width * new_height / height))
        sizes.add((new_width, new_height))
    return sorted(sizes, reverse=True)


def _fresh(image: Image.Image) -> Image.Image:
    """A new image holding only the pixels: no info dict, no EXIF, no profile, no comment."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encode(image: Image.Image) -> Variant:
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return Variant(width=image.width, height=image.height, data=buffer.getvalue())


def _variants(image: Image.Image) -> tuple[Variant, ...]:
    variants: list[Variant] = []
    current = image
    for size in _sizes(*image.size):
        # Each smaller variant comes from the previous, already smaller one, which is cheaper.
        # resize() copies the info dict (EXIF, ICC, comment), hence _fresh() before encoding.
        if size != current.size:
            current = current.resize(size, RESAMPLE, reducing_gap=REDUCING_GAP)
        current = _fresh(current)
        variants.append(_encode(current))
    return tuple(reversed(variants))
