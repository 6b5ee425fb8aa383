from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from collectives.models import Collective
from collectives.selectors import collectives_for_sitemap


class HomeSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0
    # Every page in French and English, each listing the other as its alternate.
    i18n = True
    alternates = True

    def items(self) -> list[str]:
        return ["collectives:home"]

    def location(self, item: str) -> str:
        return reverse(item)


class CollectiveSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.9
    # Every page in French and English, each listing the other as its alternate.
    i18n = True
    alternates = True

    def items(self):
        return collectives_for_sitemap()

    def lastmod(self, item: Collective):
        return item.updated_at
