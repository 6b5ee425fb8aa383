"""The photo pipeline's image work: what an upload must be, and what a cleaned photo contains.

Every file is made here, in memory, with Pillow or by writing the bytes of the format; nothing
is read from disk and nothing touches the database.
"""

import io
import struct
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image, ImageFile

from merchants.images import (
    ALLOWED_FORMATS,
    ProcessedImage,
    Rendition,
    process_image,
    validate_image_upload,
)

SECRET_DATUM = "HALLE-TEST-GPS-DATUM"
SECRET_XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">HALLE-TEST-XMP</x:xmpmeta>'
SECRET_COMMENT = b"HALLE-TEST-COMMENT"

# --- Building files ----------------------------------------------------------------------------


def _picture(size: tuple[int, int]) -> Image.Image:
    """A photo-like RGB image: smooth gradients, so JPEGs of it have realistic sizes."""
    return Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize(size),
            Image.radial_gradient("L").resize(size),
            Image.new("L", size, 90),
        ],
    )


def _encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _jpeg(size: tuple[int, int] = (400, 300), **params: Any) -> bytes:
    return _encode(_picture(size), "JPEG", **params)


def _upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _phone_photo_with_gps() -> bytes:
    """A 400x200 JPEG as a phone writes it held upright: sensor landscape, Orientation 6.

    The stored left half is red and the right half blue, so we can tell where it ends up. It
    carries GPS coordinates, XMP and a comment, all of which must disappear.
    """
    stored = Image.new("RGB", (400, 200), (220, 20, 20))
    stored.paste((20, 20, 220), (200, 0, 400, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to display"
    exif[ExifTags.Base.Make] = "HALLE-TEST-PHONE"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 3.0)
    gps[ExifTags.GPS.GPSMapDatum] = SECRET_DATUM
    return _encode(stored, "JPEG", exif=exif, xmp=SECRET_XMP, comment=SECRET_COMMENT)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _black_and_white_png(width: int, height: int) -> bytes:
    """A real, valid 1-bit PNG of ``width`` x ``height`` black pixels.

    Rows of zeros deflate about a thousandfold, so a 900-megapixel image is ~100 KB on disk: the
    shape of a decompression bomb. Written by hand because Pillow would have to hold the pixels.
    """
    row = bytes(1 + (width + 7) // 8)  # filter byte "none", then the packed bits
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row * 100) for _ in range(height // 100))
    idat += compressor.compress(row * (height % 100)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _s15_16(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _display_p3_profile() -> bytes:
    """A minimal ICC v2 matrix/TRC profile with Display P3 primaries (what iPhones embed).

    Pillow can only build sRGB, so the wide-gamut profile a phone writes is assembled here.
    Colorants are Apple's, adapted to D50; a 2.2 gamma stands in for the sRGB curve.
    """

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ " + bytes(4) + _s15_16(x) + _s15_16(y) + _s15_16(z)

    gamma = b"curv" + bytes(4) + struct.pack(">IH", 1, round(2.2 * 256)) + bytes(2)
    tags = [
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.5151, 0.2412, -0.0011)),
        (b"gXYZ", xyz(0.2920, 0.6922, 0.0419)),
        (b"bXYZ", xyz(0.1571, 0.0666, 0.7841)),
        (b"rTRC", gamma),
        (b"gTRC", gamma),
        (b"bTRC", gamma),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + bytes(4)
        + bytes.fromhex("02100000")
        + b"mntrRGB XYZ "
        + bytes(12)
        + b"acsp"
        + bytes(28)
        + _s15_16(0.9642)
        + _s15_16(1.0)
        + _s15_16(0.8249)
    )
    header += bytes(128 - len(header))
    return header + struct.pack(">I", len(tags)) + table + data


def _every_output(processed: ProcessedImage) -> Iterator[bytes]:
    yield processed.original
    for rendition in processed.renditions.values():
        yield rendition.jpeg
        yield rendition.webp


def _rgb(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    pixel = image.getpixel(xy)
    assert isinstance(pixel, tuple)
    red, green, blue = pixel
    return red, green, blue


def _refusal(call: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value


# --- What an upload must be --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "params"),
    [
        ("JPEG", {}),
        ("PNG", {}),
        ("WEBP", {}),
        # An iPhone photo with its gain map: Pillow names it MPO.
        ("MPO", {"save_all": True, "append_images": [Image.new("RGB", (100, 75))]}),
    ],
)
def test_accepted_formats_pass_validation(fmt: str, params: dict[str, Any]) -> None:
    data = _encode(_picture((400, 300)), fmt, **params)
    assert Image.open(io.BytesIO(data)).format == fmt
    upload = _upload(data)

    validate_image_upload(upload)

    # The caller stores the upload next: it must still be open, and rewound.
    assert not upload.closed
    assert upload.tell() == 0


def test_allowed_formats_are_the_photo_formats() -> None:
    assert frozenset({"JPEG", "MPO", "PNG", "WEBP"}) == ALLOWED_FORMATS


def test_an_oversized_upload_is_refused_before_it_is_read() -> None:
    # Not an image at all: only a size check that comes first can answer "too_large".
    upload = _upload(b"x" * 5000)

    error = _refusal(lambda: validate_image_upload(upload, max_bytes=1000))

    assert error.code == "too_large"


def test_the_byte_limit_defaults_to_the_setting(settings: Any) -> None:
    settings.HALLE_IMAGE_MAX_BYTES = 1000

    error = _refusal(lambda: validate_image_upload(_upload(_jpeg())))

    assert error.code == "too_large"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"Bonjour, voici la photo du fromage.\n" * 20, "fromage.jpg"),
        (_encode(_picture((64, 48)).convert("P"), "GIF"), "animation.gif"),
        (_encode(_picture((64, 48)), "TIFF"), "scan.tiff"),
        (_encode(_picture((64, 48)), "BMP"), "paint.bmp"),
        (b"", "empty.jpg"),
    ],
    ids=["text-named-jpg", "gif", "tiff", "bmp", "empty"],
)
def test_files_that_are_not_accepted_photos_are_refused(data: bytes, name: str) -> None:
    upload = _upload(data, name)

    error = _refusal(lambda: validate_image_upload(upload))

    assert error.code == "invalid_format"
    assert not upload.closed
    assert upload.tell() == 0


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_truncated_photo_is_refused_as_corrupt(fmt: str) -> None:
    data = _encode(_picture((800, 600)), fmt)
    upload = _upload(data[: len(data) // 2])

    error = _refusal(lambda: validate_image_upload(upload))

    assert error.code == "corrupt"
    assert not upload.closed
    assert upload.tell() == 0


@pytest.fixture(scope="module")
def decompression_bombs() -> dict[str, bytes]:
    return {
        # Over Pillow's own guard (2 x 89.5 Mpx), which fires inside Image.open.
        "900Mpx": _black_and_white_png(30_000, 30_000),
        # Under Pillow's guard, over ours (60 Mpx): only our header check stands in the way.
        "80Mpx": _black_and_white_png(10_000, 8_000),
    }


@pytest.fixture
def decoding_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any image's pixels get decoded."""

    def load(self: ImageFile.ImageFile) -> None:
        raise AssertionError(f"decoded a {self.size} image")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


@pytest.mark.parametrize("bomb", ["900Mpx", "80Mpx"])
@pytest.mark.usefixtures("decoding_forbidden")
def test_a_decompression_bomb_is_refused_from_its_header(
    decompression_bombs: dict[str, bytes], bomb: str
) -> None:
    data = decompression_bombs[bomb]
    assert len(data) < 200_000, "the bomb must be small, or the byte limit would stop it"
    upload = _upload(data, "bomb.png")

    error = _refusal(lambda: validate_image_upload(upload))

    assert error.code == "too_many_pixels"
    assert not upload.closed
    assert upload.tell() == 0


@pytest.mark.parametrize("bomb", ["900Mpx", "80Mpx"])
@pytest.mark.usefixtures("decoding_forbidden")
def test_processing_refuses_a_decompression_bomb_that_skipped_the_form(
    decompression_bombs: dict[str, bytes], bomb: str
) -> None:
    source = io.BytesIO(decompression_bombs[bomb])

    error = _refusal(lambda: process_image(source))

    assert error.code == "too_many_pixels"


def test_the_pixel_limit_is_taken_from_the_argument_then_the_setting(settings: Any) -> None:
    data = _jpeg((400, 300))  # 0.12 Mpx

    assert _refusal(lambda: validate_image_upload(_upload(data), max_pixels=100_000)).code == (
        "too_many_pixels"
    )
    assert _refusal(lambda: process_image(io.BytesIO(data), max_pixels=100_000)).code == (
        "too_many_pixels"
    )
    settings.HALLE_IMAGE_MAX_PIXELS = 100_000
    assert _refusal(lambda: validate_image_upload(_upload(data))).code == "too_many_pixels"
    assert _refusal(lambda: process_image(io.BytesIO(data))).code == "too_many_pixels"


def test_processing_refuses_what_validation_refuses() -> None:
    """The task may be handed a file that never went through the form."""
    jpeg = _jpeg((800, 600))

    # A corrupt file must be a ValidationError, not an OSError the task would retry.
    assert _refusal(lambda: process_image(io.BytesIO(jpeg[: len(jpeg) // 2]))).code == "corrupt"
    gif = _encode(_picture((64, 48)).convert("P"), "GIF")
    assert _refusal(lambda: process_image(io.BytesIO(gif))).code == "invalid_format"


@pytest.mark.parametrize(
    ("call", "code", "phrase"),
    [
        (
            lambda: validate_image_upload(_upload(bytes(1_572_864)), max_bytes=1_048_576),
            "too_large",
            "This photo is too large (1.5 MB); the limit is 1 MB.",
        ),
        (
            lambda: validate_image_upload(_upload(b"not a photo")),
            "invalid_format",
            "Please send a JPEG, PNG or WebP image.",
        ),
        (
            lambda: validate_image_upload(_upload(_jpeg()), max_pixels=100_000),
            "too_many_pixels",
            "This image is too large (0.2 megapixels); the limit is 0.1 megapixels.",
        ),
        (
            lambda: validate_image_upload(_upload(_jpeg((800, 600))[:5000])),
            "corrupt",
            "This file is damaged or incomplete.",
        ),
    ],
    ids=["too_large", "invalid_format", "too_many_pixels", "corrupt"],
)
def test_each_refusal_tells_the_shopkeeper_why(
    call: Callable[[], None], code: str, phrase: str
) -> None:
    with translation.override("en"):
        error = _refusal(call)
        (message,) = error.messages

    assert error.code == code
    assert phrase in message


def test_sizes_in_messages_are_rounded_up_so_they_never_look_within_the_limit() -> None:
    limit = 20 * 1024 * 1024
    upload = _upload(b"x" * (limit + 1))

    with translation.override("en"):
        (message,) = _refusal(lambda: validate_image_upload(upload, max_bytes=limit)).messages

    assert "(20.1 MB); the limit is 20 MB." in message


# --- What a cleaned photo contains -------------------------------------------------------------


def test_processing_removes_all_metadata_from_every_output() -> None:
    processed = process_image(io.BytesIO(_phone_photo_with_gps()))

    for data in _every_output(processed):
        image = Image.open(io.BytesIO(data))
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment"} & image.info.keys()
        for secret in (
            b"Exif\x00\x00",
            SECRET_DATUM.encode(),
            b"HALLE-TEST-PHONE",
            SECRET_XMP,
            b"http://ns.adobe.com/xap/1.0/",
            SECRET_COMMENT,
        ):
            assert secret not in data


def test_processing_turns_the_photo_upright_following_exif_orientation() -> None:
    processed = process_image(io.BytesIO(_phone_photo_with_gps()))

    assert (processed.width, processed.height) == (200, 400)
    original = Image.open(io.BytesIO(processed.original))
    assert original.size == (200, 400)
    # Rotated a quarter turn clockwise: the stored left half (red) is now the top half.
    red, _, blue = _rgb(original, (100, 50))
    assert red > 150 > blue
    red, _, blue = _rgb(original, (100, 350))
    assert blue > 150 > red
    # Renditions are made from the upright photo.
    assert (processed.renditions[320].width, processed.renditions[320].height) == (200, 400)


def test_renditions_have_their_target_widths_and_keep_the_aspect_ratio() -> None:
    processed = process_image(io.BytesIO(_jpeg((2000, 1000))))

    assert (processed.width, processed.height) == (2000, 1000)
    assert set(processed.renditions) == {320, 800, 1600}
    for width, rendition in processed.renditions.items():
        assert (rendition.width, rendition.height) == (width, width // 2)
        assert Image.open(io.BytesIO(rendition.jpeg)).size == (width, width // 2)
        assert Image.open(io.BytesIO(rendition.webp)).size == (width, width // 2)


def test_a_narrow_photo_is_never_enlarged_but_every_width_key_exists() -> None:
    processed = process_image(io.BytesIO(_jpeg((500, 250))))

    sizes = {key: (r.width, r.height) for key, r in processed.renditions.items()}
    assert sizes == {320: (320, 160), 800: (500, 250), 1600: (500, 250)}
    assert Image.open(io.BytesIO(processed.renditions[1600].webp)).size == (500, 250)


def test_rendition_widths_can_be_chosen() -> None:
    processed = process_image(io.BytesIO(_jpeg((1000, 750))), widths=[100, 600])

    assert {key: r.width for key, r in processed.renditions.items()} == {100: 100, 600: 600}
    assert processed.renditions[100].height == 75


def test_renditions_are_webp_and_jpeg_and_the_original_is_jpeg() -> None:
    processed = process_image(io.BytesIO(_jpeg((1000, 750))))

    assert Image.open(io.BytesIO(processed.original)).format == "JPEG"
    for rendition in processed.renditions.values():
        assert isinstance(rendition, Rendition)
        assert Image.open(io.BytesIO(rendition.webp)).format == "WEBP"
        assert Image.open(io.BytesIO(rendition.jpeg)).format == "JPEG"


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_is_flattened_on_white(mode: str) -> None:
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))  # transparent black
    image.paste((200, 30, 30, 255), (100, 0, 200, 100))  # opaque red right half
    if mode == "LA":
        image = image.convert("LA")
    elif mode == "P":
        image = image.convert("P")  # Pillow keeps the transparent entry in the palette
    data = _encode(image, "PNG")
    assert Image.open(io.BytesIO(data)).has_transparency_data

    processed = process_image(io.BytesIO(data))

    for output in _every_output(processed):
        result = Image.open(io.BytesIO(output))
        assert result.mode == "RGB"
        assert min(_rgb(result, (5, result.height // 2))) > 245, "transparent became white"


def test_a_cmyk_jpeg_comes_out_rgb() -> None:
    processed = process_image(io.BytesIO(_encode(_picture((300, 200)).convert("CMYK"), "JPEG")))

    assert all(Image.open(io.BytesIO(data)).mode == "RGB" for data in _every_output(processed))


def test_a_16_bit_greyscale_png_keeps_its_tones() -> None:
    # Pillow's plain conversion clips 16-bit values to 255: the photo would come out white.
    data = _encode(Image.new("I;16", (300, 200), 32768), "PNG")

    processed = process_image(io.BytesIO(data))

    red, green, blue = _rgb(Image.open(io.BytesIO(processed.original)), (150, 100))
    assert 120 < red < 136
    assert red == green == blue


def test_a_wide_gamut_photo_is_converted_to_srgb_and_its_profile_dropped() -> None:
    """Display P3 values read as sRGB look dull; converted, the red stays as saturated."""
    colour = (200, 60, 60)
    data = _encode(Image.new("RGB", (100, 100), colour), "PNG", icc_profile=_display_p3_profile())

    processed = process_image(io.BytesIO(data))

    original = Image.open(io.BytesIO(processed.original))
    assert "icc_profile" not in original.info
    red, green, blue = _rgb(original, (50, 50))
    assert red > colour[0] + 5, "P3 red is redder than the same numbers in sRGB"
    assert green < colour[1]
    assert blue < colour[2]


def test_an_srgb_profile_changes_nothing_visible_and_is_dropped() -> None:
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    colour = (200, 60, 60)
    data = _encode(Image.new("RGB", (100, 100), colour), "PNG", icc_profile=srgb)

    processed = process_image(io.BytesIO(data))

    original = Image.open(io.BytesIO(processed.original))
    assert "icc_profile" not in original.info
    assert all(abs(a - b) <= 3 for a, b in zip(_rgb(original, (50, 50)), colour, strict=True))


def test_an_unreadable_colour_profile_is_ignored_rather_than_refusing_the_photo() -> None:
    data = _encode(_picture((200, 100)), "PNG", icc_profile=b"not an ICC profile" * 10)

    processed = process_image(io.BytesIO(data))

    assert "icc_profile" not in Image.open(io.BytesIO(processed.original)).info


def test_an_iphone_mpo_is_processed_from_its_first_frame_only() -> None:
    gain_map = Image.new("RGB", (100, 50), "black")
    data = _encode(_picture((400, 200)), "MPO", save_all=True, append_images=[gain_map])

    processed = process_image(io.BytesIO(data))

    original = Image.open(io.BytesIO(processed.original))
    assert (original.format, original.size) == ("JPEG", (400, 200))
    assert getattr(original, "n_frames", 1) == 1
