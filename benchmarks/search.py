"""French search of a collective's shared catalog at scale (issue 5, item 1): N products
(20,000 by default) in 40 member shops, then typical searches timed as the catalog page
runs them — the facets and total (one query), the page of 24 products and their photos —
and, for a few, the whole page through Django's test client (view, queries, template).
Prints the median and 95th percentile of each, the refresh of every search vector, and
whether PostgreSQL uses the search indexes.

It runs on a throwaway database of its own (created from the migrations, dropped at the
end), so the development data is never touched.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from throwaway import throwaway_database  # noqa: E402 -- this folder

from catalog.models import Category, Product  # noqa: E402
from catalog.search import ProductFilters, search_vectors_refresh  # noqa: E402
from collectives.models import Collective, Membership  # noqa: E402
from collectives.selectors.collectives import collective_catalog  # noqa: E402
from merchants.models import Merchant, OpeningHours  # noqa: E402

DATABASE = "halle_benchmark_search"
HEADER = f"{'results':>8}{'median ms':>11}{'p95 ms':>9}{'queries':>9}"
SHOPS = 40
CENTRE = (44.4087, 0.7044)  # Villeneuve-sur-Lot

# What a town's shops sell, in the words shopkeepers use: a noun and a complement.
NOUNS = [
    "Pain de campagne",
    "Baguette",
    "Croissant",
    "Pain au chocolat",
    "Tarte",
    "Tartelette",
    "Pâté",
    "Terrine",
    "Rillettes",
    "Saucisson",
    "Jambon",
    "Camembert",
    "Comté",
    "Tomme",
    "Chèvre",
    "Yaourt",
    "Crème fraîche",
    "Beurre",
    "Miel",
    "Confiture",
    "Compote",
    "Jus de pommes",
    "Cidre",
    "Bière",
    "Vin rouge",
    "Huile d'olive",
    "Moutarde",
    "Chocolat",
    "Biscuits",
    "Galette",
    "Brioche",
    "Savon",
    "Bougie",
    "Carnet",
    "Livre",
    "Écharpe",
    "Bonnet",
    "Tasse",
    "Bol",
    "Panier",
    "Bouquet",
    "Plante",
    "Pruneaux",
    "Noix",
    "Œufs",
    "Poulet fermier",
    "Saucisse",
    "Fromage blanc",
    "Thé",
    "Café",
]
COMPLEMENTS = [
    "aux noix",
    "de campagne",
    "bio",
    "au lait cru",
    "de lavande",
    "artisanal",
    "du Lot",
    "fermier",
    "aux pommes",
    "à l'ancienne",
    "aux fraises",
    "au citron",
    "noir 70 %",
    "de saison",
    "fait main",
    "en grès",
    "en lin",
    "d'Agen",
    "aux figues",
    "maison",
    "aux cèpes",
    "de Gascogne",
    "au sarrasin",
    "pur beurre",
    "aux amandes",
]
SENTENCES = [
    "Fabriqué chaque matin dans notre atelier.",
    "Ingrédients locaux, sans conservateur.",
    "Idéal pour un apéritif entre amis.",
    "Recette transmise depuis trois générations.",
    "Produit à moins de 30 km de la boutique.",
    "Se conserve une semaine au frais.",
    "Emballage consigné : rapportez le bocal.",
    "Un cadeau qui fait plaisir à coup sûr.",
    "Affiné dans nos caves pendant plusieurs mois.",
    "Cueilli à la main, en petite quantité.",
]

# Typical searches: (name, URL parameters).
SEARCHES = [
    ("browse, no query (newest)", {}),
    ("common word « pain »", {"q": "pain"}),
    ("accent « pate »", {"q": "pate"}),
    ("plural, 2 words « tartes pommes »", {"q": "tartes pommes"}),
    ("typo « camenbert »", {"q": "camenbert"}),
    ("typo « baguete »", {"q": "baguete"}),
    ("rare, description « caves »", {"q": "caves"}),
    ("nothing « zzzz »", {"q": "zzzz"}),
    ("« miel » + category + in stock", {"q": "miel", "categorie": "*", "en_stock": "on"}),
    ("« chocolat » + open now + 2 km", {"q": "chocolat", "ouvert": "on", "km": "2"}),
    ("« bio » + label + price ≤ 10", {"q": "bio", "label": "organic", "prix_max": "10"}),
]


def seed(count: int, rng: random.Random) -> Collective:
    collective = Collective.objects.create(
        name="Cœur de Bastide",
        slug="coeur-de-bastide",
        town="Villeneuve-sur-Lot",
        status=Collective.Status.ACTIVE,
        map_latitude=Decimal(str(CENTRE[0])),
        map_longitude=Decimal(str(CENTRE[1])),
    )
    shops = Merchant.objects.bulk_create(
        Merchant(
            name=f"Boutique {n}",
            slug=f"boutique-{n}",
            trade="grocery",
            street="1 rue de la Halle",
            postcode="47300",
            city="Villeneuve-sur-Lot",
            status=Merchant.Status.ACTIVE,
            # Spread over about ±5 km; every tenth shop has no position.
            latitude=None
            if n % 10 == 0
            else Decimal(f"{CENTRE[0] + rng.uniform(-0.045, 0.045):.6f}"),
            longitude=None
            if n % 10 == 0
            else Decimal(f"{CENTRE[1] + rng.uniform(-0.06, 0.06):.6f}"),
        )
        for n in range(SHOPS)
    )
    now = timezone.now()
    Membership.objects.bulk_create(
        Membership(collective=collective, merchant=shop, status="active", joined_at=now)
        for shop in shops
    )
    # Half the shops open all week from 0:00 to 23:59, so that « open now » keeps some.
    OpeningHours.objects.bulk_create(
        OpeningHours(merchant=shop, weekday=day, opens="00:00", closes="23:59")
        for shop in shops[::2]
        for day in range(7)
    )
    categories = list(Category.objects.filter(parent__isnull=False))
    labels = ["local", "organic", "handmade", "seasonal"]
    products = []
    for n in range(count):
        title = f"{rng.choice(NOUNS)} {rng.choice(COMPLEMENTS)}"
        products.append(
            Product(
                merchant=shops[n % SHOPS],
                title=title,
                slug=f"produit-{n}",
                description=" ".join(rng.sample(SENTENCES, 3)),
                price=Decimal(rng.randint(100, 5000)) / 100,
                stock=None if n % 3 == 0 else rng.randint(0, 20),
                status="published",
                published_at=now,
                category=rng.choice(categories),
                labels=rng.sample(labels, rng.randint(0, 2)),
            )
        )
    Product.objects.bulk_create(products, batch_size=2000)
    return collective


def stats(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(function: Callable[[], Any], runs: int) -> tuple[float, float, int]:
    function()  # warm up
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            function()
            timings.append(time.perf_counter() - start)
    median, p95 = stats(timings)
    return median, p95, len(queries.captured_queries)


def selector_run(collective: Collective, params: dict[str, str]) -> Callable[[], Any]:
    """What the catalog view asks of the database for ``params``: facets and total, then
    the first page of 24 products with their photos."""
    category = Category.objects.filter(parent__isnull=True).first()
    filters = ProductFilters(
        q=params.get("q", ""),
        category=category if params.get("categorie") else None,
        label=params.get("label", ""),
        max_price=Decimal(params["prix_max"]) if "prix_max" in params else None,
        in_stock="en_stock" in params,
        open_now="ouvert" in params,
        km=Decimal(params["km"]) if "km" in params else None,
    )

    def run() -> tuple[int, int]:
        search = collective_catalog(collective=collective, filters=filters)
        facets = search.facets()
        return facets.total, len(list(search.products[:24]))

    return run


def explain(collective: Collective, q: str) -> str:
    """Which indexes the page's query uses for ``q``."""
    search = collective_catalog(collective=collective, filters=ProductFilters(q=q))
    plan = search.products[:24].explain()
    used = [
        name for name in ("catalog_product_search", "catalog_product_title_trgm") if name in plan
    ]
    return ", ".join(used) or "no search index (sequential scan)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)  # noqa: S311 -- reproducible sample data, not secrets
    with throwaway_database(DATABASE):
        start = time.perf_counter()
        collective = seed(args.products, rng)
        seconds = time.perf_counter() - start
        print(f"{args.products:,} products in {SHOPS} shops, seeded in {seconds:.1f} s")
        start = time.perf_counter()
        refreshed = search_vectors_refresh()
        print(
            f"search_vectors_refresh() of every product: {refreshed:,} rows in "
            f"{time.perf_counter() - start:.2f} s"
        )
        one = Product.objects.order_by("pk").values_list("pk", flat=True)[0]
        median, p95, _ = timed(lambda: search_vectors_refresh(products=[one]), args.runs)
        print(
            f"refresh of one product (a service's share): median {median:.2f} ms, p95 {p95:.2f} ms"
        )
        with connection.cursor() as cursor:
            # What autovacuum does after bulk loads and the refresh that rewrote every row:
            # without statistics the planner takes the 40 shops for one.
            cursor.execute("VACUUM ANALYZE")
        print()
        print(f"{'search (facets + page of 24)':<40}{HEADER}")
        for name, params in SEARCHES:
            run = selector_run(collective, params)
            total, _shown = run()
            median, p95, queries = timed(run, args.runs)
            print(f"{name:<40}{total:>8,}{median:>11.1f}{p95:>9.1f}{queries:>9}")

        print()
        client = Client(HTTP_HOST="127.0.0.1")
        url = reverse("collectives:catalog", args=[collective.slug])
        print(f"{'whole page (view + template)':<40}{HEADER}")
        for name, query in [
            ("no query", ""),
            ("« pain »", "?q=pain"),
            ("typo « camenbert »", "?q=camenbert"),
            ("« chocolat » + open now + 2 km", "?q=chocolat&ouvert=on&km=2"),
        ]:
            median, p95, queries = timed(partial(client.get, url + query), args.runs)
            print(f"{name:<40}{'':>8}{median:>11.1f}{p95:>9.1f}{queries:>9}")

        print()
        for q in ("pain", "camenbert"):
            print(f"indexes used for « {q} »: {explain(collective, q)}")


if __name__ == "__main__":
    main()
