"""Readable, unique URL slugs. Lives with merchants, the lowest domain app, because shops,
products and collectives all need it."""

from django.db import models
from django.utils.text import slugify


def unique_slug(
    queryset: models.QuerySet,
    text: str,
    *,
    max_length: int = 140,
    reserved: frozenset[str] = frozenset(),
) -> str:
    """A slug of ``text`` not yet used in ``queryset`` (``boulangerie-martin``, then ``-2``…).

    ``reserved`` slugs are never given: they are words of the URLs beside the slugs (a shop
    named « Nouvelle boutique » must not hide the page that creates shops).

    One query: it reads every slug that starts with the base, then picks the first free
    suffix. A race with a concurrent insert is caught by the unique constraint.
    """
    base = slugify(text)[: max_length - 4].strip("-") or "x"
    taken = set(queryset.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= reserved
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"
