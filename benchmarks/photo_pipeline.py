"""How long a shopkeeper's phone photo takes to validate (in the request) and to process
(in the Celery worker). Prints the best of ``--runs`` timings for each step."""

import argparse
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image, ImageChops  # noqa: E402

from merchants import images  # noqa: E402


def phone_photo(width: int, height: int) -> bytes:
    """A photo-like JPEG: gradients plus noise, so the encoder has real work to do."""
    size = (width, height)
    base = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize(size),
            Image.radial_gradient("L").resize(size),
            Image.effect_mandelbrot(size, (-2, -1.5, 1, 1.5), 60),
        ],
    )
    photo = ImageChops.add(base, Image.effect_noise(size, 40).convert("RGB"), scale=1.6)
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


T = TypeVar("T")


def best_of(runs: int, function: Callable[[], T]) -> tuple[float, T]:
    best = float("inf")  # the first call warms up caches and is not timed
    result = function()
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args()

    data = phone_photo(args.width, args.height)
    print(f"source: {args.width}×{args.height} JPEG, {len(data) / 1e6:.1f} MB")
    upload = SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")
    seconds, _ = best_of(args.runs, lambda: images.validate_image_upload(upload))
    print(f"validate_image_upload: {seconds:.3f} s")
    seconds, processed = best_of(args.runs, lambda: images.process_image(io.BytesIO(data)))
    print(f"process_image:         {seconds:.3f} s")
    for width, rendition in sorted(processed.renditions.items()):
        print(
            f"  {width:>5} px → {rendition.width}×{rendition.height}, "
            f"WebP {len(rendition.webp) / 1000:.0f} kB, JPEG {len(rendition.jpeg) / 1000:.0f} kB"
        )


if __name__ == "__main__":
    main()
