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
    """Each active collective's page and its shared catalog (both from one fetch, so the
    sitemap needs no second class registered in config/urls.py)."""

    changefreq = "daily"
    priority = 0.9
    # Every page in French and English, each listing the other as its alternate.
    i18n = True
    alternates = True

    def items(self) -> list[tuple[Collective, str]]:
        return [
            (collective, page)
            for collective in collectives_for_sitemap()
            for page in ("collectives:detail", "collectives:catalog")
        ]

    def location(self, item: tuple[Collective, str]) -> str:
        collective, page = item
        return reverse(page, kwargs={"slug": collective.slug})

    def lastmod(self, item: tuple[Collective, str]):
        return item[0].updated_at
