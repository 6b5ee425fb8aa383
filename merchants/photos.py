"""Photos that go through the upload pipeline: validated in the request, then cleaned and
resized by a Celery task (see :mod:`merchants.images` for the image work itself).

:class:`Photo` is abstract: product photos (catalog) and story photos (merchants) inherit
it, so every uploaded photo in Halle follows the same rules and the same pages show it.
"""

import uuid
from pathlib import PurePath

from django.db import models
from django.utils.translation import gettext_lazy as _


def photo_upload_to(instance: "Photo", filename: str) -> str:
    """Originals get an opaque name: the uploader's file name may carry personal data."""
    suffix = PurePath(filename).suffix.lower()[:5] or ".img"
    return f"{instance.UPLOAD_FOLDER}/originals/{uuid.uuid4().hex}{suffix}"


class Photo(models.Model):
    """An uploaded photo and its renditions.

    The uploaded file is validated before it is stored; a Celery task then re-encodes it
    without metadata (GPS included) and writes the renditions listed in ``renditions``
    (``{"320": {"width": 320, "height": 240, "webp": "<path>", "jpeg": "<path>"}, …}``).
    Until then ``status`` is pending and pages show a placeholder, never the raw upload.
    """

    # Folder of the storage where this kind of photo lives (``products``, ``stories``…).
    UPLOAD_FOLDER = "photos"

    class Status(models.TextChoices):
        PENDING = "pending", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    image = models.ImageField(
        _("photo"), upload_to=photo_upload_to, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(_("width"), null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True, editable=False)
    alt_text = models.CharField(
        _("description of the photo"),
        max_length=200,
        blank=True,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    status = models.CharField(
        _("processing"), max_length=10, choices=Status, default=Status.PENDING, editable=False
    )
    renditions = models.JSONField(_("renditions"), default=dict, blank=True, editable=False)
    processing_error = models.CharField(
        _("processing error"), max_length=300, blank=True, editable=False
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True

    def rendition_url(self, width: int, fmt: str = "jpeg") -> str | None:
        """URL of the rendition of ``width`` px in ``fmt``, or None while not processed."""
        entry = self.renditions.get(str(width)) if self.status == self.Status.READY else None
        if not entry or fmt not in entry:
            return None
        return self.image.storage.url(entry[fmt])

    def srcset(self, fmt: str = "webp") -> str:
        """A ``srcset`` attribute value listing every rendition of ``fmt``."""
        if self.status != self.Status.READY:
            return ""
        # A photo narrower than the largest target yields renditions of equal width: list
        # each width once, or the browser sees an ambiguous srcset.
        by_width: dict[int, str] = {}
        for key, entry in sorted(self.renditions.items(), key=lambda kv: int(kv[0])):
            if fmt in entry:
                by_width.setdefault(int(entry.get("width", key)), entry[fmt])
        return ", ".join(f"{self.image.storage.url(n)} {w}w" for w, n in by_width.items())

    @property
    def srcset_webp(self) -> str:
        return self.srcset("webp")

    @property
    def srcset_jpeg(self) -> str:
        return self.srcset("jpeg")

    @property
    def fallback_url(self) -> str | None:
        """The JPEG a browser without ``srcset`` support shows: the middle size."""
        return self.rendition_url(800) or self.rendition_url(320)

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY


def photo_constraints(owner: str, *, prefix: str) -> list[models.BaseConstraint]:
    """The rules every concrete photo table obeys: a known status, and one photo per
    position of its ``owner`` (deferred, so a reorder can swap positions in one
    transaction)."""
    return [
        models.UniqueConstraint(
            fields=[owner, "position"],
            name=f"{prefix}_position_unique",
            deferrable=models.Deferrable.DEFERRED,
        ),
        models.CheckConstraint(
            condition=models.Q(status__in=["pending", "ready", "failed"]),
            name=f"{prefix}_status_valid",
        ),
    ]
