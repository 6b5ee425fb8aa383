"""The shared product taxonomy, products and their photos."""

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from catalog.querysets import ProductQuerySet
from merchants.models import Merchant
from merchants.photos import Photo, photo_constraints, photo_upload_to


class Category(models.Model):
    """A node of the shared two-level taxonomy (Alimentation › Fromagerie).

    The list is curated by the platform (seeded by a data migration) so that the whole town's
    catalog can be filtered the same way. ``name`` is French, ``name_en`` its English label.
    """

    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="catalog_category_name_unique_in_parent",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="catalog_category_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        if self.parent is not None:
            return f"{self.parent.label} › {self.label}"
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (French unless English is asked and known)."""
        if (get_language() or "fr").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.parent is not None and self.parent.parent_id is not None:
            raise ValidationError(
                {"parent": _("Categories have two levels: choose a top-level parent.")}
            )


class Unit(models.TextChoices):
    PIECE = "piece", _("piece")
    KILOGRAM = "kg", _("kg")
    HUNDRED_GRAMS = "100g", _("100 g")
    LITRE = "litre", _("litre")
    LOT = "lot", _("lot")


class VatRate(Decimal, models.Choices):
    """French VAT rates (CGI art. 278 ff.), in percent."""

    STANDARD = "20.00", _("20 % (standard)")
    INTERMEDIATE = "10.00", _("10 % (intermediate)")
    REDUCED = "5.50", _("5.5 % (reduced: food, books)")
    SUPER_REDUCED = "2.10", _("2.1 % (press, some medicines)")


class Label(models.TextChoices):
    HANDMADE = "handmade", _("Handmade")
    LOCAL = "local", _("Local produce")
    ORGANIC = "organic", _("Organic")
    SEASONAL = "seasonal", _("Seasonal")
    SECOND_HAND = "second_hand", _("Second hand")
    FRENCH_MADE = "made_in_france", _("Made in France")
    ZERO_WASTE = "zero_waste", _("Zero waste")


class ImmutableUnaccent(models.Func):
    """``unaccent()`` through the IMMUTABLE SQL wrapper created by migration 0006, so that an
    index may be built on it (PostgreSQL's own ``unaccent`` is only STABLE). See
    ``catalog/search.py``."""

    function = "catalog_immutable_unaccent"
    output_field = models.TextField()


class Product(models.Model):
    """A listing of a shop: what it is, its price and, if the shop tracks it, its stock.

    ``stock`` is ``None`` when the shop does not count units; otherwise it never goes below
    zero (a database rule; services decrement it with a conditional UPDATE).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("product status", "Draft")
        PUBLISHED = "published", pgettext_lazy("product status", "Published")
        ARCHIVED = "archived", pgettext_lazy("product status", "Archived")

    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="products", verbose_name=_("shop")
    )
    title = models.CharField(_("title"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160)
    sku = models.CharField(
        _("reference (SKU)"),
        max_length=64,
        blank=True,
        help_text=_("The shop's own reference, used to match rows on import."),
    )
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(
        _("price (EUR, VAT incl.)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    compare_at_price = models.DecimalField(
        _("compare-at price (EUR)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The former price, shown struck through. Must be higher than the price."),
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=4,
        decimal_places=2,
        choices=VatRate.choices,
        default=VatRate.STANDARD,
    )
    unit = models.CharField(_("sold by"), max_length=10, choices=Unit, default=Unit.PIECE)
    stock = models.IntegerField(
        _("stock"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave empty if you do not count units."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    labels = ArrayField(
        models.CharField(max_length=20, choices=Label),
        verbose_name=_("labels"),
        default=list,
        blank=True,
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("category"),
    )
    # The stories of the shop that tell about this product (the link lives here because
    # catalog builds on merchants, never the reverse).
    stories = models.ManyToManyField(
        "merchants.Story", related_name="products", blank=True, verbose_name=_("stories")
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Title (A), category (B) and description (C) as French lexemes without accents, written
    # by catalog.search.search_vectors_refresh after every write of those (never by hand).
    search_vector = SearchVectorField(_("search vector"), null=True, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["merchant", "title"]
        indexes = [
            models.Index(fields=["merchant", "status"], name="catalog_product_m_status"),
            GinIndex(fields=["search_vector"], name="catalog_product_search"),
            # Typo-tolerant matching of titles (catalog.search): trigrams of the lower-case,
            # unaccented title.
            GinIndex(
                OpClass(ImmutableUnaccent(Lower("title")), name="gin_trgm_ops"),
                name="catalog_product_title_trgm",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "slug"], name="catalog_product_slug_unique_per_merchant"
            ),
            models.UniqueConstraint(
                fields=["merchant", "sku"],
                condition=~Q(sku=""),
                name="catalog_product_sku_unique_per_merchant",
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="catalog_product_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(compare_at_price__isnull=True)
                | Q(compare_at_price__gt=models.F("price")),
                name="catalog_product_compare_at_above_price",
            ),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0),
                name="catalog_product_stock_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(vat_rate__in=VatRate.values),
                name="catalog_product_vat_rate_french",
            ),
            models.CheckConstraint(
                condition=Q(unit__in=Unit.values), name="catalog_product_unit_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "archived"]),
                name="catalog_product_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(labels__contained_by=Label.values), name="catalog_product_labels_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="catalog_product_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "catalog:product", kwargs={"merchant_slug": self.merchant.slug, "slug": self.slug}
        )

    @property
    def is_in_stock(self) -> bool:
        return self.stock is None or self.stock > 0

    def get_labels_display(self) -> list[str]:
        names = dict(Label.choices)
        return [str(names[label]) for label in self.labels if label in names]


def product_image_upload_to(instance: "ProductImage", filename: str) -> str:
    """Kept for migration 0001, which names it; new uploads use ``photo_upload_to``."""
    return photo_upload_to(instance, filename)


class ProductImage(Photo):
    """A photo of a product. ``position`` 0 is the main photo (see :class:`Photo`)."""

    UPLOAD_FOLDER = "products"

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product")
    )

    class Meta:
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        ordering = ["product", "position"]
        constraints = photo_constraints("product", prefix="catalog_productimage")

    def __str__(self) -> str:
        return self.alt_text or f"{self.product} #{self.position}"


class ImportJob(models.Model):
    """A CSV import of products into a shop: uploaded, previewed, then confirmed (or not).

    ``preview`` holds the outcome planned for each row (``created``/``updated``/``error``
    with the reason) so the shopkeeper sees it before anything is written; ``report`` the
    outcome of the confirmed run. Large files are applied by a Celery task that updates
    ``processed_rows`` for the progress bar.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Ready to confirm")
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("shop")
    )
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    filename = models.CharField(_("file"), max_length=200)
    rows = models.JSONField(_("parsed rows"), default=list, editable=False)
    preview = models.JSONField(_("preview"), default=list, editable=False)
    report = models.JSONField(_("report"), default=dict, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PREVIEWED, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("products created"), default=0)
    updated_count = models.PositiveIntegerField(_("products updated"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("product import")
        verbose_name_plural = _("product imports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(processed_rows__lte=models.F("total_rows")),
                name="catalog_importjob_progress_bounded",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["previewed", "queued", "running", "done", "failed", "cancelled"]
                ),
                name="catalog_importjob_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.merchant} — {self.filename}"

    @property
    def progress_percent(self) -> int:
        return 100 if not self.total_rows else round(100 * self.processed_rows / self.total_rows)
