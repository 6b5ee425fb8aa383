"""Rows of the insights tables for the dashboard tests, written directly (the nightly
aggregation is tested on its own)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from insights.models import CollectiveDay, DailyCount, SearchCount, ShopDay

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def day(n: int) -> dt.date:
    """``n`` days before yesterday (the last day a dashboard shows)."""
    return YESTERDAY - dt.timedelta(days=n)


def shop_day(merchant, n: int, **figures) -> ShopDay:
    figures.setdefault("amount_reserved", Decimal("0"))
    return ShopDay.objects.create(merchant=merchant, day=day(n), **figures)


def collective_day(collective, n: int, **figures) -> CollectiveDay:
    return CollectiveDay.objects.create(collective=collective, day=day(n), **figures)


def product_views(product, n: int, count: int) -> DailyCount:
    return DailyCount.objects.create(
        day=day(n), kind="product", object_id=product.pk, merchant=product.merchant, count=count
    )


def search(collective, n: int, query: str, count: int, *, found: bool = False) -> SearchCount:
    return SearchCount.objects.create(
        day=day(n), collective=collective, query=query, found=found, count=count
    )
