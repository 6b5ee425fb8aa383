from django.contrib.sitemaps import Sitemap

from merchants.models import Merchant
from merchants.selectors import merchants_for_sitemap


class MerchantSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self):  # type: ignore[no-untyped-def]
        return merchants_for_sitemap()

    def lastmod(self, item: Merchant):  # type: ignore[no-untyped-def]
        return item.updated_at
