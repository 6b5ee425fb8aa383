"""Bulk stock sync through the API at the scale of the contract: one call of 10,000 lines
(``POST /api/v1/merchants/{slug}/stock/``) on a shop of 10,000 products. Prints the time and
the number of queries of each step:

- the whole request through Django (JSON parsing, token, Idempotency-Key claim and stored
  answer, line checks, the set-based UPDATE, the answer), every stock changed;
- the same call again, nothing to change;
- a replay of the first call (same Idempotency-Key);
- the service alone (``catalog.services.stock_sync.products_sync_stock``), every stock
  changed.

It runs on a throwaway database of its own (created from the migrations, dropped at the
end), so the development data is never touched. Redis must answer (the API's rate limit).
"""

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from throwaway import throwaway_database  # noqa: E402 -- this folder

from accounts.models import User  # noqa: E402
from catalog.models import Product  # noqa: E402
from catalog.services.stock_sync import StockLine, products_sync_stock  # noqa: E402
from merchants.models import Merchant, MerchantMember  # noqa: E402
from partners.services.tokens import merchant_token_create  # noqa: E402

T = TypeVar("T")
DATABASE = "halle_benchmark_stock_sync"


def measure(label: str, rows: int, function: Callable[[], T], runs: int) -> T:
    """Run ``function`` ``runs`` times; print the median and best time, and the queries of
    one run."""
    times: list[float] = []
    queries = 0
    result: Any = None
    for _run in range(runs):
        count = 0

        def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - start)
        queries = count
    median, best = statistics.median(times), min(times)
    print(f"{label:<52}{median:>8.3f} s{best:>8.3f} s{queries:>9}{rows / median:>11,.0f}")
    return result


def shop(owner: User) -> Merchant:
    merchant = Merchant.objects.create(
        name="Boutique Banc",
        slug="boutique-banc",
        trade="grocery",
        street="1 rue de la Halle",
        postcode="47300",
        city="Villeneuve",
        status=Merchant.Status.ACTIVE,
    )
    MerchantMember.objects.create(merchant=merchant, user=owner, role=MerchantMember.Role.OWNER)
    return merchant


def seed(merchant: Merchant, count: int) -> None:
    Product.objects.bulk_create(
        (
            Product(
                merchant=merchant,
                sku=f"REF-{n:05}",
                title=f"Produit {n}",
                slug=f"produit-{n}",
                price=Decimal("1.00"),
                stock=n % 50,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    n, runs = args.lines, args.runs
    with throwaway_database(DATABASE):
        owner = User.objects.create_user(email="benchmark@example.org", password=None)
        merchant = shop(owner)
        seed(merchant, n)
        _token, secret = merchant_token_create(actor=owner, merchant=merchant, name="Banc")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        url = f"/api/v1/merchants/{merchant.slug}/stock/"
        generation = 0

        def body(offset: int) -> str:
            # Every stock differs from the one before (offset changes each run).
            return json.dumps(
                [{"sku": f"REF-{k:05}", "stock": (k + offset) % 97} for k in range(n)]
            )

        print(f"{n:,} lines, shop of {n:,} products, {runs} runs (median, best)\n")
        print(f"{'step':<52}{'median':>10}{'best':>10}{'queries':>9}{'lines/s':>11}")

        def changed_call() -> dict[str, Any]:
            nonlocal generation
            generation += 1
            response = client.post(
                url,
                body(generation),
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=f"bench-{generation}",
            )
            assert response.status_code == 200, response.content[:500]
            return response.json()

        result = measure("API call, every stock changed", n, changed_call, runs)
        assert result["updated"] == n, result
        assert not result["unknown_skus"], result

        same = body(generation)

        def unchanged_call() -> dict[str, Any]:
            response = client.post(url, same, content_type="application/json")
            assert response.status_code == 200, response.content[:500]
            return response.json()

        result = measure("API call, nothing to change", n, unchanged_call, runs)
        assert result["unchanged"] == n, result

        def replay() -> None:
            response = client.post(
                url,
                body(generation),
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=f"bench-{generation}",
            )
            assert response["Idempotent-Replayed"] == "true"

        measure("API replay (same Idempotency-Key)", n, replay, runs)

        def service_call() -> None:
            nonlocal generation
            generation += 1
            lines = [StockLine(f"REF-{k:05}", (k + generation) % 97) for k in range(n)]
            result = products_sync_stock(actor=owner, merchant=merchant, lines=lines)
            assert result.updated == n

        measure("service alone, every stock changed", n, service_call, runs)


if __name__ == "__main__":
    main()
