"""The photo pipeline end to end with a real Celery worker process and the real broker.

The worker is a separate ``celery worker`` process started on the test database; the test
uploads a phone photo carrying GPS coordinates, and waits for the worker to publish clean
renditions.
"""

import datetime as dt
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from catalog import services
from catalog.models import ProductImage
from config.celery import app as celery_app
from merchants.tasks import requeue_unprocessed_photos
from tests.factories import MerchantMemberFactory, ProductFactory, ProductImageFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
GPS_IFD = 0x8825


def database_url() -> str:
    db = connection.settings_dict
    host = db["HOST"] or "localhost"
    host = quote(host, safe="") if host.startswith("/") else host
    credentials = quote(db["USER"] or "postgres")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(settings, tmp_path):
    """A real worker on the test database, its media in this test's folder."""
    celery_app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "HALLE_TEST_BROKER_PREFIX": settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"],
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            "default",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"halle-test-{os.getpid()}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def wait_until(condition, *, timeout: float, what: str, worker=None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if worker is not None and worker.poll() is not None:
            break
        time.sleep(0.2)
    details = log.read_text() if log and log.exists() else ""
    pytest.fail(f"Timed out waiting for {what}.\n{details[-4000:]}")


def phone_photo_with_gps() -> bytes:
    image = Image.new("RGB", (1200, 900), "steelblue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (44.0, 24.0, 30.0), 3: "E", 4: (0.0, 42.0, 10.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_worker_cleans_and_resizes_an_uploaded_photo(celery_worker_process, tmp_path):
    member = MerchantMemberFactory()
    product = ProductFactory(merchant=member.merchant)
    raw = phone_photo_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(GPS_IFD)  # the fixture has GPS

    image = services.product_image_add(
        actor=member.user,
        product=product,
        upload=SimpleUploadedFile("IMG_0042.jpg", raw, content_type="image/jpeg"),
        alt_text="Bol en grès émaillé",
    )
    raw_name = image.image.name

    def ready() -> bool:
        image.refresh_from_db()
        return image.status != ProductImage.Status.PENDING

    wait_until(
        ready,
        timeout=90,
        what="the worker to process the photo",
        worker=celery_worker_process,
        log=tmp_path / "worker.log",
    )

    assert image.status == ProductImage.Status.READY, image.processing_error
    storage = image.image.storage
    assert not storage.exists(raw_name), "the raw upload with GPS data must be deleted"
    # Auto-oriented: the 1200x900 landscape tagged "rotate 90°" is stored as a portrait.
    assert (image.width, image.height) == (900, 1200)
    stored = [image.image.name] + [
        entry[fmt] for entry in image.renditions.values() for fmt in ("webp", "jpeg")
    ]
    for name in stored:
        with storage.open(name) as handle:
            data = handle.read()
        exif = Image.open(io.BytesIO(data)).getexif()
        assert not exif.get_ifd(GPS_IFD), f"{name} still has GPS data"
        assert len(exif) == 0, f"{name} still has EXIF tags: {dict(exif)}"
    widths = {key: entry["width"] for key, entry in image.renditions.items()}
    assert widths == {"320": 320, "800": 800, "1600": 900}  # never upscaled


def test_periodic_sweep_requeues_a_photo_whose_task_was_lost(celery_worker_process, tmp_path):
    image = ProductImageFactory(status=ProductImage.Status.PENDING)
    ProductImage.objects.filter(pk=image.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=30)
    )
    assert requeue_unprocessed_photos() == 1

    def processed() -> bool:
        image.refresh_from_db()
        return image.status == ProductImage.Status.READY

    wait_until(
        processed,
        timeout=90,
        what="the re-queued photo to be processed",
        worker=celery_worker_process,
        log=tmp_path / "worker.log",
    )
    assert set(image.renditions) == {"320", "800", "1600"}
