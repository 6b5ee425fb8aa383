"""Server time and query count of the public pages, on whatever data the database holds
(run ``manage.py seed_demo`` first). Uses Django's test client in-process: it measures
Halle's own work (views, queries, templates), not the network."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from catalog.models import Product  # noqa: E402
from collectives.models import Collective, Event, Selection  # noqa: E402
from merchants.models import Story  # noqa: E402


def pages() -> dict[str, str]:
    collective = Collective.objects.active().order_by("pk").first()
    product = Product.objects.published().select_related("merchant").order_by("pk").first()
    story = Story.objects.published().select_related("merchant").order_by("pk").first()
    if collective is None or product is None:
        sys.exit("No demo data: run `uv run python manage.py seed_demo` first.")
    urls = {
        "home": "/",
        "collective": collective.get_absolute_url(),
        "catalog": reverse("collectives:catalog", args=[collective.slug]),
        "catalog-f": reverse("collectives:catalog", args=[collective.slug])
        + "?en_stock=1&tri=prix",
        "shop": product.merchant.get_absolute_url(),
        "product": product.get_absolute_url(),
        "sitemap": "/sitemap.xml",
    }
    if story is not None:
        urls["story"] = reverse("catalog:story", args=[story.merchant.slug, story.slug])
    urls["events"] = reverse("events:list", args=[collective.slug])
    market = Event.objects.published().filter(collective=collective).exclude(recurrence="")
    event = market.order_by("pk").first()
    if event is not None:
        urls["event"] = event.get_absolute_url()
        urls["event.ics"] = reverse("events:ics", args=[collective.slug, event.slug])
    urls["agenda.ics"] = reverse("events:feed", args=[collective.slug])
    live = Event.objects.published().filter(collective=collective, kind="live").first()
    if live is not None:
        urls["live"] = reverse("live:detail", args=[collective.slug, live.slug])
        urls["live-state"] = reverse("live:state", args=[collective.slug, live.slug])
    selection = Selection.objects.visible().filter(collective=collective).order_by("pk").first()
    if selection is not None:
        urls["selection"] = selection.get_absolute_url()
    return urls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    client = Client(HTTP_HOST="127.0.0.1")
    print(f"{'page':<12}{'median ms':>10}{'p95 ms':>9}{'queries':>9}  url")
    for name, url in pages().items():
        client.get(url)  # warm caches and connections
        timings = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(
            f"{name:<12}{statistics.median(timings):>10.1f}{p95:>9.1f}"
            f"{len(queries.captured_queries):>9}  {url}"
        )


if __name__ == "__main__":
    main()
