from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, ImportJob, Product, ProductImage
from catalog.search import search_vectors_refresh


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("__str__", "name_en", "position")
    list_filter = ("parent",)
    search_fields = ("name", "name_en")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("parent",)

    def save_model(self, request, obj, form, change):
        """Category names are searched: products of a renamed category are re-indexed."""
        super().save_model(request, obj, form, change)
        search_vectors_refresh(
            products=Product.objects.filter(Q(category=obj) | Q(category__parent=obj))
        )


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("preview", "image", "alt_text", "position", "status")
    readonly_fields = ("preview", "status")

    @admin.display(description=_("preview"))
    def preview(self, obj: ProductImage) -> str:
        url = obj.rendition_url(320)
        return format_html('<img src="{}" alt="" width="80">', url) if url else "—"


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("title", "merchant", "price", "stock", "status", "category", "updated_at")
    list_filter = ("status", "unit", "vat_rate", "category__parent")
    search_fields = ("title", "sku", "merchant__name")
    autocomplete_fields = ("merchant", "category")
    readonly_fields = ("created_at", "updated_at", "published_at")
    list_select_related = ("merchant", "category", "category__parent")
    inlines = (ProductImageInline,)

    def save_model(self, request, obj, form, change):
        """An edit in the admin bypasses the services: keep the search vector current."""
        super().save_model(request, obj, form, change)
        search_vectors_refresh(products=[obj.pk])


@admin.register(ProductImage)
class ProductImageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "product", "position", "status", "processed_at")
    list_filter = ("status",)
    search_fields = ("product__title", "alt_text")
    readonly_fields = (
        "width",
        "height",
        "status",
        "renditions",
        "processing_error",
        "processed_at",
        "created_at",
    )
    list_select_related = ("product",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "filename",
        "merchant",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "error_count",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("filename", "merchant__name")
    readonly_fields = ("created_at", "finished_at")
    exclude = ("rows", "preview")
    list_select_related = ("merchant",)
