from django.contrib.sitemaps import Sitemap

from catalog.models import Product
from catalog.selectors import products_for_sitemap


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
