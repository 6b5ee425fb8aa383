from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog.models import Product
from catalog.selectors import products_for_sitemap
from merchants.models import Story
from merchants.selectors import stories_for_sitemap


class ProductSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6
    # Every page in French and English, each listing the other as its alternate.
    i18n = True
    alternates = True
    limit = 5000

    def items(self):
        return products_for_sitemap()

    def lastmod(self, item: Product):
        return item.updated_at


class StorySitemap(Sitemap):
    """Published stories of active shops (register as ``"stories"`` in config/urls.py)."""

    changefreq = "weekly"
    priority = 0.5
    i18n = True
    alternates = True
    limit = 5000

    def items(self):
        return stories_for_sitemap()

    def location(self, item: Story) -> str:
        return reverse(
            "catalog:story", kwargs={"merchant_slug": item.merchant.slug, "slug": item.slug}
        )

    def lastmod(self, item: Story):
        return item.updated_at
