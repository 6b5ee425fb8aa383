"""The product-photo pipeline's pure image work: checking an upload, cleaning and resizing it.

Nothing here touches the database or Django storage: the form calls
:func:`validate_image_upload` on what the shopkeeper sent, and the photo task calls
:func:`process_image` and stores the bytes it returns. Both refuse the same files the same way
(a :class:`~django.core.exceptions.ValidationError` with a ``code``), because the task may be
given a file that never went through the form.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without LittleCMS: colour profiles are then dropped unread.
    ImageCms = None  # type: ignore[assignment]

# JPEG, PNG and WebP are what phones, cameras and image editors hand a shopkeeper. MPO is not a
# separate kind of file for them: iPhones (and some Android phones) append a depth or gain map
# to an ordinary JPEG as a second MPF frame, and Pillow then names the file "MPO"; refusing it
# would refuse photos straight off the phone. Only its first frame (the photo) is used. GIF is
# refused: a 256-colour palette ruins a photo and its animations make no sense on a product
# page. Everything else (TIFF, HEIC, PSD, EPS, ...) is refused before Pillow runs its parser,
# which keeps the decoders exposed to strangers' files down to three well-worn ones.
ALLOWED_FORMATS: frozenset[str] = frozenset({"JPEG", "MPO", "PNG", "WEBP"})

# The Pillow plugins allowed to parse an upload. There is no separate MPO opener: the JPEG one
# reads the file and hands back an MPO image when it finds the multi-picture data.
_OPENERS = ("JPEG", "PNG", "WEBP")

ORIGINAL_JPEG_QUALITY = 88
RENDITION_JPEG_QUALITY = 82
RENDITION_WEBP_QUALITY = 80

_MEGABYTE = 1024 * 1024  # the same unit as settings.HALLE_IMAGE_MAX_BYTES (20 * 1024 * 1024)

# What Pillow raises on a file whose header parsed but whose data does not: it has no single
# exception type for "broken file" (truncated JPEG data is OSError, a bad PNG chunk SyntaxError,
# a short struct read struct.error, ...).
_DECODE_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    IndexError,
    EOFError,
    struct.error,
)


@dataclass(frozen=True)
class Rendition:
    """One resized copy of a photo, in the two formats the site serves (WebP, JPEG fallback)."""

    width: int
    height: int
    webp: bytes
    jpeg: bytes


@dataclass(frozen=True)
class ProcessedImage:
    """A cleaned photo: upright, sRGB, no metadata, plus its renditions keyed by target width."""

    original: bytes
    width: int
    height: int
    renditions: dict[int, Rendition]


def validate_image_upload(
    upload: File[Any],
    *,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> None:
    """Raise ``ValidationError`` (with a ``code``) unless ``upload`` is an image we accept.

    Codes: ``too_large`` (bytes over ``max_bytes``), ``invalid_format`` (not an image, or not a
    format in :data:`ALLOWED_FORMATS`), ``too_many_pixels`` (width x height over ``max_pixels``,
    judged from the header so that a decompression bomb is never decoded) and ``corrupt``
    (truncated or damaged data). The limits default to ``settings.HALLE_IMAGE_MAX_BYTES`` and
    ``settings.HALLE_IMAGE_MAX_PIXELS``. The upload is left rewound to position 0.
    """
    if max_bytes is None:
        max_bytes = settings.HALLE_IMAGE_MAX_BYTES
    if max_pixels is None:
        max_pixels = settings.HALLE_IMAGE_MAX_PIXELS

    # The size is known without reading a byte; a 2 GB upload is refused on that alone.
    size = upload.size
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("This photo is too large (%(size)s MB); the limit is %(limit)s MB."),
            code="too_large",
            params={
                "size": _megabytes(size, math.ceil),
                "limit": _megabytes(max_bytes, math.floor),
            },
        )

    upload.seek(0)
    try:
        with _bomb_warnings_as_errors():
            with _open_checked(upload, max_pixels=max_pixels) as image:
                image_format = image.format
                try:
                    # For PNG this reads every chunk up to IEND and checks its CRC, which finds
                    # a cut-off or bit-rotted file without inflating the pixels.
                    image.verify()
                except _DECODE_ERRORS as exc:
                    raise _corrupt() from exc
            if image_format != "PNG":
                # verify() is a no-op for JPEG, MPO and WebP: the only way to learn that their
                # data is complete is to decode it. The pixel count is already known to be
                # within the limit, and a JPEG is decoded at 1/8 scale (the entropy-coded data
                # is still read to the end, so truncation is still found) to keep a web
                # request's memory small.
                upload.seek(0)
                with _open_checked(upload, max_pixels=max_pixels) as image:
                    image.draft(None, (1, 1))
                    _load(image, max_pixels=max_pixels)
    finally:
        # verify() leaves the file wherever it stopped reading; the caller will store it next.
        upload.seek(0)


def process_image(
    source: BinaryIO | File,
    *,
    widths: Iterable[int] = (320, 800, 1600),
    max_pixels: int | None = None,
) -> ProcessedImage:
    """Return the cleaned photo in ``source`` and its renditions, one per width in ``widths``.

    ``source`` is read from its current position. The photo is turned upright (EXIF
    Orientation), its colours are converted to sRGB when it carries an ICC profile, transparency
    is flattened on white, and every piece of metadata (EXIF including GPS, XMP, IPTC, ICC,
    comments) is left behind: the bytes returned are pixels only. ``original`` is a full-size
    JPEG (quality 88). Each rendition is resized with LANCZOS to its target width keeping the
    aspect ratio, but never enlarged: a photo narrower than a target is used at its own width,
    and that key is still present. Raises ``ValidationError`` with the codes of
    :func:`validate_image_upload` (``too_many_pixels`` before any pixel is decoded).
    """
    targets = sorted(set(widths))
    if not targets or targets[0] <= 0:
        raise ValueError(f"Rendition widths must be positive, got {targets!r}")
    if max_pixels is None:
        max_pixels = settings.HALLE_IMAGE_MAX_PIXELS

    with _bomb_warnings_as_errors(), _open_checked(source, max_pixels=max_pixels) as image:
        _load(image, max_pixels=max_pixels)
        picture = _clean(image)

    renditions: dict[int, Rendition] = {}
    by_width: dict[int, Rendition] = {}
    for target in targets:
        width = min(target, picture.width)
        # Targets wider than the photo all get the photo at its own width: encode it once.
        if width not in by_width:
            by_width[width] = _rendition(picture, width)
        renditions[target] = by_width[width]

    return ProcessedImage(
        original=_encode_jpeg(picture, quality=ORIGINAL_JPEG_QUALITY),
        width=picture.width,
        height=picture.height,
        renditions=renditions,
    )


# --- Opening and checking ------------------------------------------------------------------


@contextmanager
def _bomb_warnings_as_errors() -> Iterator[None]:
    """Make Pillow's decompression-bomb warning an exception, so it refuses instead of logging.

    Pillow only warns between ``Image.MAX_IMAGE_PIXELS`` and twice that; the warning can only
    matter when ``max_pixels`` is set above Pillow's own limit, but then the file must still be
    refused rather than decoded. (``catch_warnings`` swaps the process-wide filter list for the
    duration; that is acceptable for a block this short.)
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


@contextmanager
def _open_checked(fp: IO[bytes], *, max_pixels: int) -> Iterator[ImageFile.ImageFile]:
    """Open ``fp`` reading only its header, and refuse it unless format and size are acceptable.

    Nothing is decoded here: the width and height come from the header, so a small file that
    claims a billion pixels is refused for what it claims. ``fp`` is left open: it is the
    caller's (``Image.close()`` would close it, the context manager does not).
    """
    try:
        # `formats` keeps Pillow from even trying the parsers of formats we refuse.
        opened = Image.open(fp, formats=_OPENERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(None, max_pixels) from exc
    except UnidentifiedImageError as exc:
        raise _invalid_format() from exc
    except _DECODE_ERRORS as exc:
        # The header was recognised but Pillow could not parse the rest of it (a cut-off WebP
        # fails here, for instance).
        raise _corrupt() from exc

    with opened as image:
        if image.format not in ALLOWED_FORMATS:  # `formats=` ensures it; kept as the rule.
            raise _invalid_format()
        pixels = image.width * image.height
        if pixels > max_pixels:
            raise _too_many_pixels(pixels, max_pixels)
        yield image


def _load(image: Image.Image, *, max_pixels: int) -> None:
    """Decode ``image``'s pixels, turning Pillow's many ways of failing into ``corrupt``."""
    try:
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(None, max_pixels) from exc
    except _DECODE_ERRORS as exc:
        raise _corrupt() from exc


def _invalid_format() -> ValidationError:
    return ValidationError(
        _("This file is not a photo we can read. Please send a JPEG, PNG or WebP image."),
        code="invalid_format",
    )


def _too_many_pixels(pixels: int | None, limit: int) -> ValidationError:
    if pixels is None:
        # Pillow's own guard (about 89 Mpx) fired before we could read the size; the exact
        # figure would not help the shopkeeper, the limit does.
        return ValidationError(
            _("This image is too large; the limit is %(limit)s megapixels."),
            code="too_many_pixels",
            params={"limit": _megapixels(limit, math.floor)},
        )
    return ValidationError(
        _("This image is too large (%(pixels)s megapixels); the limit is %(limit)s megapixels."),
        code="too_many_pixels",
        params={
            "pixels": _megapixels(pixels, math.ceil),
            "limit": _megapixels(limit, math.floor),
        },
    )


def _corrupt() -> ValidationError:
    return ValidationError(
        _("This file is damaged or incomplete. Please send the photo again."),
        code="corrupt",
    )


def _megabytes(size: int, rounding: Callable[[float], int]) -> str:
    return _decimal(size / _MEGABYTE, rounding)


def _megapixels(pixels: int, rounding: Callable[[float], int]) -> str:
    return _decimal(pixels / 1_000_000, rounding)


def _decimal(value: float, rounding: Callable[[float], int]) -> str:
    """``value`` to one decimal, written the way the active language writes numbers.

    Measures are rounded up and limits down, so that a file one byte over a 20 MB limit reads
    "20.1 MB; the limit is 20 MB", never "20.0 MB; the limit is 20 MB".
    """
    rounded = rounding(value * 10) / 10
    return number_format(rounded, decimal_pos=0 if rounded.is_integer() else 1)


# --- Cleaning ------------------------------------------------------------------------------

# The colour spaces an ICC profile may describe, and the Pillow modes whose pixels it can apply
# to. A profile that does not match the pixels (a grey profile on an RGB PNG, say) is dropped.
_PROFILE_MODES: dict[str, tuple[str, ...]] = {
    "RGB ": ("RGB", "RGBA"),
    "GRAY": ("L",),
    "CMYK": ("CMYK",),
}


def _clean(image: Image.Image) -> Image.Image:
    """Return ``image`` upright, in sRGB, opaque RGB, and with no metadata attached."""
    icc_profile = image.info.get("icc_profile")
    try:
        upright = ImageOps.exif_transpose(image)
    except _DECODE_ERRORS:
        # A mangled EXIF block only costs us the orientation; it is no reason to refuse a photo.
        upright = image.copy()
    rgb = _flatten(_to_srgb(_eight_bit(upright), icc_profile))
    # Pillow carries `info` through convert/resize and writes some of it back when saving
    # (a JPEG comment, for one). Starting from an empty dict is what makes "no metadata" true.
    rgb.info = {}
    return rgb


def _eight_bit(image: Image.Image) -> Image.Image:
    """Bring any mode Pillow may decode to one of RGB, RGBA, L, LA or CMYK."""
    if image.mode in ("RGB", "RGBA", "L", "LA", "CMYK"):
        return image
    if image.mode.startswith("I"):
        # A 16-bit greyscale PNG: Pillow's convert() clips 0-65535 to 0-255 (an all-white
        # photo), so scale it down instead.
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return image.convert("RGBA" if image.has_transparency_data else "RGB")


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert ``image`` from its embedded ICC profile to sRGB; leave it as is without one.

    Phones shoot in Display P3 and print-minded editors save Adobe RGB or CMYK profiles. The
    outputs carry no profile (browsers take untagged images as sRGB), so merely dropping the
    profile would shift those colours, dull reds and greens most. Converting keeps them as they
    looked on the shopkeeper's screen, at the cost of P3 colours beyond sRGB. Perceptual intent
    is LittleCMS's default: matrix profiles such as P3 treat it as relative colorimetric anyway,
    and CMYK print profiles are built for it. An unreadable profile is ignored, not an error.
    """
    if not icc_profile or ImageCms is None:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if image.mode not in _PROFILE_MODES.get(source.profile.xcolor_space, ()):
            return image
        converted = ImageCms.profileToProfile(
            image,
            source,
            _srgb_profile(),
            outputMode="RGBA" if image.mode == "RGBA" else "RGB",
        )
    except ImageCms.PyCMSError:
        return image
    except _DECODE_ERRORS:
        return image
    assert converted is not None  # profileToProfile only returns None when inPlace=True
    return converted


_SRGB: ImageCms.ImageCmsProfile | None = None


def _srgb_profile() -> ImageCms.ImageCmsProfile:
    # Built once: making the profile costs more than using it, and it is never modified.
    global _SRGB
    if _SRGB is None:
        _SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return _SRGB


def _flatten(image: Image.Image) -> Image.Image:
    """Return ``image`` as opaque RGB; transparent parts become white, like the product pages."""
    if image.mode in ("RGBA", "LA"):
        background = Image.new("RGB", image.size, "white")
        background.paste(image.convert("RGB"), mask=image.getchannel("A"))
        return background
    # CMYK without a usable profile gets Pillow's plain formula: approximate, but readable.
    return image if image.mode == "RGB" else image.convert("RGB")


# --- Encoding ------------------------------------------------------------------------------


def _rendition(picture: Image.Image, width: int) -> Rendition:
    if width == picture.width:
        resized = picture
    else:
        height = max(1, round(picture.height * width / picture.width))
        # reducing_gap first shrinks by a whole factor with a box filter when the reduction is
        # large, then LANCZOS does the rest: the 320 px rendition of a 12 Mpx photo drops from
        # ~0.2 s to ~0.03 s, and Pillow documents 3.0 as indistinguishable from plain LANCZOS.
        resized = picture.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return Rendition(
        width=resized.width,
        height=resized.height,
        webp=_encode_webp(resized),
        jpeg=_encode_jpeg(resized, quality=RENDITION_JPEG_QUALITY),
    )


def _encode_jpeg(image: Image.Image, *, quality: int) -> bytes:
    buffer = io.BytesIO()
    # Progressive shows a whole blurry photo early on a slow phone connection; optimize makes
    # the Huffman tables fit the photo (a few % smaller, lossless).
    image.save(buffer, "JPEG", quality=quality, progressive=True, optimize=True)
    return buffer.getvalue()


def _encode_webp(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=RENDITION_WEBP_QUALITY)
    return buffer.getvalue()
