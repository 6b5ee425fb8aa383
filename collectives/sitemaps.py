from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from collectives.models import Collective, Event, EventOccurrence, Selection
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
    """Each active collective's page, its shared catalog, its events and its selections (all
    from one fetch, so the sitemap needs no more classes registered in config/urls.py)."""

    changefreq = "daily"
    priority = 0.9
    # Every page in French and English, each listing the other as its alternate.
    i18n = True
    alternates = True

    def items(self) -> list[tuple[Collective, str]]:
        return [
            (collective, page)
            for collective in collectives_for_sitemap()
            for page in (
                "collectives:detail",
                "collectives:catalog",
                "events:list",
                "selections:list",
            )
        ]

    def location(self, item: tuple[Collective, str]) -> str:
        collective, page = item
        return reverse(page, kwargs={"slug": collective.slug})

    def lastmod(self, item: tuple[Collective, str]):
        return item[0].updated_at


class EventSitemap(Sitemap):
    """Published events of active collectives that still have a date to come."""

    changefreq = "daily"
    priority = 0.7
    i18n = True
    alternates = True

    def items(self) -> list[Event]:
        to_come = EventOccurrence.objects.filter(
            event=OuterRef("pk"), ends_at__gt=timezone.now(), status="scheduled"
        )
        return list(
            Event.objects.filter(Exists(to_come), status="published", collective__status="active")
            .select_related("collective")
            .only("slug", "updated_at", "collective__slug")
            .order_by("pk")
        )

    def lastmod(self, item: Event):
        return item.updated_at


class SelectionSitemap(Sitemap):
    """Selections the public sees now."""

    changefreq = "weekly"
    priority = 0.6
    i18n = True
    alternates = True

    def items(self) -> list[Selection]:
        return list(
            Selection.objects.visible()
            .filter(collective__status="active")
            .select_related("collective")
            .only("slug", "updated_at", "collective__slug")
            .order_by("pk")
        )

    def lastmod(self, item: Selection):
        return item.updated_at
