from django.contrib.sitemaps import Sitemap

from merchants.models import Merchant
from merchants.selectors import merchants_for_sitemap


class MerchantSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7
    # Every page in French and English, each listing the other as its alternate.
    i18n = True
    alternates = True

    def items(self):
        return merchants_for_sitemap()

    def lastmod(self, item: Merchant):
        return item.updated_at
