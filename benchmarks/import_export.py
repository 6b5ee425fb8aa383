"""CSV round trip of a shop's products at the scale of issue 3 (5,000 products): export,
import of the unchanged file, of the file with every price and stock changed, and into an
empty shop (all created), then re-export and compare. Prints the time and the number of
queries of each step.

It runs on a throwaway database of its own (created from the migrations, dropped at the
end), so the development data is never touched. Imports are applied by calling
``import_job_apply`` directly, which is what the Celery task does.
"""

import argparse
import os
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

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from throwaway import throwaway_database  # noqa: E402 -- this folder

from accounts.models import User  # noqa: E402
from catalog import csv_format, services  # noqa: E402
from catalog.models import Category, ImportJob, Product  # noqa: E402
from catalog.services import imports  # noqa: E402
from merchants.models import Merchant, MerchantMember  # noqa: E402

T = TypeVar("T")
DATABASE = "halle_benchmark_imports"


def measure(label: str, rows: int, function: Callable[[], T]) -> T:
    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - start
    print(f"{label:<48}{seconds:>8.2f} s{queries:>9}{rows / seconds:>11,.0f}")
    return result


def shop(owner: User, name: str) -> Merchant:
    merchant = Merchant.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        trade="grocery",
        street="1 rue de la Halle",
        postcode="47300",
        city="Villeneuve",
        status=Merchant.Status.ACTIVE,
    )
    MerchantMember.objects.create(merchant=merchant, user=owner, role=MerchantMember.Role.OWNER)
    return merchant


def seed(merchant: Merchant, count: int) -> None:
    """``count`` varied products: every unit, VAT rate, status and label, categories."""
    categories = list(Category.objects.filter(parent__isnull=False))
    units = ["piece", "kg", "100g", "litre", "lot"]
    rates = [Decimal("20.00"), Decimal("10.00"), Decimal("5.50"), Decimal("2.10")]
    labels = list(csv_format.LABEL_NAMES)
    products = []
    for n in range(count):
        price = Decimal(100 + n % 4000) / 100
        status = ["draft", "published", "published", "archived"][n % 4]
        products.append(
            Product(
                merchant=merchant,
                sku=f"REF-{n:05}",
                title=f"Produit n° {n} — crème, « fermier »",
                slug=f"produit-{n}",
                description=f"Ligne un du produit {n};\nligne deux, avec virgule." if n % 3 else "",
                price=price,
                compare_at_price=price + 1 if n % 5 == 0 else None,
                vat_rate=rates[n % 4],
                unit=units[n % 5],
                stock=None if n % 7 == 0 else n % 50,
                status=status,
                published_at=None if status == "draft" else timezone.now(),
                category=categories[n % len(categories)] if n % 6 else None,
                labels=labels[n % 7 : n % 7 + n % 3],
            )
        )
    Product.objects.bulk_create(products, batch_size=1000)


def preview(owner: User, merchant: Merchant, data: bytes) -> ImportJob:
    upload = SimpleUploadedFile("produits.csv", data, content_type="text/csv")
    return services.import_job_create(actor=owner, merchant=merchant, upload=upload)


def apply(job: ImportJob) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    applied = imports.import_job_apply(job_id=job.pk, language="fr")
    assert applied is not None
    assert applied.status == ImportJob.Status.DONE, applied.report.get("error")
    return applied


def counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {k: v for k, v in imports.outcome_counts(rows).items() if v}


def changed_file(exported: bytes) -> bytes:
    """The export with every price up by 1 € and every stock set (what a shopkeeper does in
    a spreadsheet), written back in the same format."""
    parsed = csv_format.read(exported)
    rows = []
    for row in parsed.rows:
        values = dict(row.values)
        values["prix"] = csv_format.format_decimal(csv_format.parse_decimal(values["prix"]) + 1)
        if values["prix_barre"]:
            former = csv_format.parse_decimal(values["prix_barre"]) + 1
            values["prix_barre"] = csv_format.format_decimal(former)
        values["stock"] = str(row.line)
        rows.append(values)
    return b"".join(csv_format.write(rows))


def services_per_row(owner: User, merchant: Merchant, count: int) -> None:
    """The naive path, for comparison: one product_create service call per row, each in a
    savepoint (full_clean with its per-row constraint queries, unique_slug, permission)."""
    with transaction.atomic():
        for n in range(count):
            with transaction.atomic():
                services.product_create(
                    actor=owner,
                    merchant=merchant,
                    title=f"Service {n}",
                    price=Decimal("1.50"),
                    sku=f"SRV-{n:05}",
                    stock=n,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument(
        "--services",
        type=int,
        default=500,
        help="rows to create through per-row product_create calls, for comparison (0: skip)",
    )
    args = parser.parse_args()
    n = args.products
    with throwaway_database(DATABASE):
        owner = User.objects.create_user(email="benchmark@example.org", password=None)
        first = shop(owner, "Boutique Banc")
        seed(first, n)
        print(f"{n:,} products (every archived one included in the export)\n")
        print(f"{'step':<48}{'time':>10}{'queries':>9}{'rows/s':>11}")

        def export() -> bytes:
            stream = services.products_export(actor=owner, merchant=first, include_archived=True)
            return b"".join(stream)

        exported = measure("export", n, export)
        print(f"  {len(exported) / 1e6:.2f} MB")

        job = measure("preview, unchanged file", n, lambda: preview(owner, first, exported))
        assert counts(job.preview) == {"unchanged": n}, counts(job.preview)
        measure("apply, unchanged file", n, lambda: apply(job))

        modified = changed_file(exported)
        job = measure(
            "preview, every price and stock changed", n, lambda: preview(owner, first, modified)
        )
        assert counts(job.preview) == {"updated": n}, counts(job.preview)
        job = measure("apply, every price and stock changed (updates)", n, lambda: apply(job))
        assert counts(job.report["rows"]) == {"updated": n}

        again = measure("re-export", n, export)
        assert again == modified, "the re-export differs from the imported file"
        print("  re-export identical to the imported file: yes")

        second = shop(owner, "Boutique Vide")
        job = measure("preview, into an empty shop", n, lambda: preview(owner, second, modified))
        assert counts(job.preview) == {"created": n}, counts(job.preview)
        job = measure("apply, into an empty shop (creates)", n, lambda: apply(job))
        assert second.products.count() == n

        if args.services:
            third = shop(owner, "Boutique Services")
            label = f"per-row product_create services ({args.services})"
            measure(label, args.services, lambda: services_per_row(owner, third, args.services))


if __name__ == "__main__":
    main()
