"""Points on the map: the fields and the rule every latitude/longitude pair obeys.

Shops have a location and collectives a map centre; both are optional, WGS 84 degrees with
six decimals (about 10 cm), and either both set or both empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def latitude_field(verbose_name: str | StrPromise) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )


def longitude_field(verbose_name: str | StrPromise) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )


def coordinates_constraint(latitude: str, longitude: str, *, name: str) -> models.CheckConstraint:
    """Both empty, or both set and in range.

    The NOT NULLs are explicit: a CHECK treats NULL as passing, so without them a lone
    latitude would slip through the range test.
    """
    both_set_in_range = Q(
        **{
            f"{latitude}__isnull": False,
            f"{longitude}__isnull": False,
            f"{latitude}__gte": -90,
            f"{latitude}__lte": 90,
            f"{longitude}__gte": -180,
            f"{longitude}__lte": 180,
        }
    )
    both_empty = Q(**{f"{latitude}__isnull": True, f"{longitude}__isnull": True})
    return models.CheckConstraint(condition=both_empty | both_set_in_range, name=name)
