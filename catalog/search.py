"""French product search: the stored search vector, the query, the filters and the facets.

How a product is found
----------------------
Every product carries ``search_vector``: its title (weight A), its category and the
category's parent (B) and its description (C), as lexemes of the ``french_unaccent`` text
search configuration (migration 0006: PostgreSQL's French stemmer after ``unaccent``). So
« Pâtés », « pâté » and « pate » are all 'pat', « tartes » and « tarte » both 'tart'.
The vector is written by :func:`search_vectors_refresh`, one set-based UPDATE, which the
catalog services call after each write of those fields; a GIN index serves ``@@``.

The shop's name is not in the vector: merchants cannot call the catalog (the apps depend
the other way), so a renamed shop would leave stale vectors. The shop is a filter and a
facet instead.

A query (what the visitor typed, read by ``websearch_to_tsquery``: words are ANDed,
« "…" » is a phrase, « -mot » excludes) matches a product when

1. the full text matches, or
2. the title is a near spelling — trigram ``strict_word_similarity`` between the query and
   the lower-case unaccented title of at least PostgreSQL's
   ``pg_trgm.strict_word_similarity_threshold`` (0.5 by default, the value this search is
   tuned for: « camenbert » → « Camembert de Normandie » is 0.54, « baguete » → « Baguette »
   0.70, while « pate » → « Patates » is 0.44 and stays out) — **but only when the full
   text finds fewer than** :data:`TYPO_FALLBACK_BELOW` products of the whole scope (the
   collective's or the shop's catalog, before the visitor's filters). A query that finds
   plenty is not diluted with look-alikes; one that finds little, probably mistyped, is
   rescued. The decision depends on the scope only, so the facets and the result list
   always agree. A GIN trigram index on the title expression serves the operator. A
   query excluding words (« tarte -pommes ») is taken as precise: no near spellings.

Relevance is ``ts_rank_cd`` with the weights of :data:`RANK_WEIGHTS` (title 1, category
0.4, description 0.2), normalised to [0, 1) (``rank / (rank + 1)``), plus
:data:`SIMILARITY_WEIGHT` × the title's trigram similarity: a match in the title ranks
above one in the category, itself above one in the description, and a near spelling of a
title comes after the titles that match.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.contrib.postgres.lookups import TrigramStrictWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    TrigramStrictWordSimilarity,
)
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    ASin,
    Cast,
    Coalesce,
    Cos,
    Least,
    Lower,
    Power,
    Radians,
    Sin,
    Sqrt,
)
from django.db.models.lookups import LessThan, LessThanOrEqual
from django.utils import timezone

from accounts.permissions import Actor
from catalog.models import Category, ImmutableUnaccent, Product
from catalog.querysets import ProductQuerySet
from catalog.selectors import products_for_shop_page
from merchants.hours import PARIS
from merchants.models import Closure, Merchant, OpeningHours

# The text search configuration of migration 0006.
SEARCH_CONFIG = "french_unaccent"
# ts_rank_cd's weights, in PostgreSQL's order: D (unused), C description, B category, A title.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# ts_rank_cd normalisation 32: rank / (rank + 1), so that it adds up with a similarity.
RANK_NORMALIZATION = 32
# How much the title's trigram similarity (0–1) adds to the rank.
SIMILARITY_WEIGHT = 0.5
# Near spellings of titles are added when the full text finds fewer products than this.
TYPO_FALLBACK_BELOW = 3
# Longer queries are cut: nobody types more, and a query's cost grows with its words.
MAX_QUERY_LENGTH = 100
# Mean radius of the Earth (IUGG), for the haversine distance.
EARTH_RADIUS_KM = 6371.0088

# The product fields the search vector is made of (besides the category's name).
SEARCHED_FIELDS = frozenset({"title", "description", "category"})

# The sorts this module knows how to apply (they need its annotations).
RELEVANCE = "pertinence"
NEAREST = "distance"


# --- Keeping the vectors up to date ----------------------------------------------------------

_REFRESH_SQL_TEMPLATE = """
UPDATE catalog_product AS p SET search_vector =
    setweight(to_tsvector({config}, p.title), 'A')
    || setweight(to_tsvector({config}, coalesce((
        SELECT concat_ws(' ', c.name, parent.name)
        FROM catalog_category AS c
        LEFT JOIN catalog_category AS parent ON parent.id = c.parent_id
        WHERE c.id = p.category_id
    ), '')), 'B')
    || setweight(to_tsvector({config}, p.description), 'C')
"""
_REFRESH_SQL = _REFRESH_SQL_TEMPLATE.format(config=f"'{SEARCH_CONFIG}'::regconfig")


def search_vectors_refresh(*, products: QuerySet[Product] | Iterable[int] | None = None) -> int:
    """Rewrite the search vector of ``products`` (a queryset or product ids; every product
    when ``None``) from their title, category and description as the database has them now;
    return how many were written.

    One UPDATE whatever their number, computed from the rows themselves in the caller's
    transaction, so that a concurrent change of the same product cannot leave a vector
    computed from another version. Callers: the catalog services, after each write of the
    title, the description or the category (and publication).
    """
    sql = _REFRESH_SQL
    params: list[Any] = []
    if isinstance(products, QuerySet):
        inner, inner_params = products.order_by().values("pk").query.sql_with_params()
        sql += f" WHERE p.id IN ({inner})"
        params += inner_params
    elif products is not None:
        ids = sorted({int(pk) for pk in products})
        if not ids:
            return 0
        sql += " WHERE p.id = ANY(%s)"
        params.append(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# --- Query terms ---------------------------------------------------------------------------


def _title_key() -> ImmutableUnaccent:
    """The indexed expression of migration 0006's trigram index: the lower-case unaccented
    title. It must be written exactly so for PostgreSQL to use the index."""
    return ImmutableUnaccent(Lower("title"))


# websearch_to_tsquery's « -mot »: a word the results must not contain.
_EXCLUSION = re.compile(r"(?:^|\s)-\w")


def _clean_query(text: str) -> str:
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def matching(text: str, *, scope: QuerySet[Product]) -> Q:
    """The condition « matches the query ``text`` » (see the module's docstring), the
    trigram fallback decided over ``scope`` (the catalog before the visitor's filters)."""
    text = _clean_query(text)
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    full_text = Q(search_vector=query)
    if _EXCLUSION.search(text):
        # « tarte -pommes » is a precise query: near spellings would bring the pommes back.
        return full_text
    # « Fewer than N full-text matches in the scope », an uncorrelated subquery PostgreSQL
    # runs once per statement (an InitPlan). A plain count rather than « no N-th match »
    # (LIMIT): with a LIMIT the planner bets on finding N rows early and scans the whole
    # table when the word is mistyped — exactly when this is asked; a count goes through
    # the GIN index.
    full_text_count = (
        scope.filter(full_text)
        .order_by()
        .annotate(matches=Func("pk", function="COUNT", output_field=IntegerField()))
        .values("matches")
    )
    few = LessThan(Subquery(full_text_count), Value(TYPO_FALLBACK_BELOW))
    near_title = TrigramStrictWordSimilar(_title_key(), ImmutableUnaccent(Lower(Value(text))))
    return full_text | (Q(few) & Q(near_title))


def relevance(text: str) -> Expression:
    """How well a product matches ``text``: the weighted full-text rank plus the title's
    trigram similarity (see the module's docstring)."""
    text = _clean_query(text)
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    rank = SearchRank(
        F("search_vector"),
        query,
        weights=RANK_WEIGHTS,
        normalization=RANK_NORMALIZATION,
        cover_density=True,
    )
    # The stubs say str; Django takes any expression (here the query, normalised like the title).
    similarity = TrigramStrictWordSimilarity(
        ImmutableUnaccent(Lower(Value(text))),  # type: ignore[arg-type]
        _title_key(),
    )
    return ExpressionWrapper(
        Coalesce(rank, Value(0.0)) + Value(SIMILARITY_WEIGHT) * similarity,
        output_field=FloatField(),
    )


def open_at(moment: dt.datetime) -> Q:
    """Products whose shop is open at ``moment`` (aware): an opening range of that weekday
    contains the time in Paris, and no exceptional closure covers the day — the rule of
    merchants.hours.opening_state, in SQL."""
    local = moment.astimezone(PARIS)
    hours = OpeningHours.objects.filter(
        merchant_id=OuterRef("merchant_id"),
        weekday=local.weekday(),
        opens__lte=local.time(),
        closes__gt=local.time(),
    )
    closed = Closure.objects.filter(
        merchant_id=OuterRef("merchant_id"),
        starts_on__lte=local.date(),
        ends_on__gte=local.date(),
    )
    return Q(Exists(hours)) & ~Q(Exists(closed))


@dataclass(frozen=True)
class GeoPoint:
    """A point on the map (WGS 84 degrees)."""

    latitude: float
    longitude: float


def distance_km(point: GeoPoint) -> Expression:
    """Great-circle distance in km from ``point`` to the product's shop (haversine; NULL
    for a shop without a position)."""
    phi = math.radians(point.latitude)
    latitude = Radians(Cast("merchant__latitude", FloatField()))
    longitude = Radians(Cast("merchant__longitude", FloatField()))
    half_dlat = (latitude - Value(phi)) / Value(2.0)
    half_dlng = (longitude - Value(math.radians(point.longitude))) / Value(2.0)
    haversine = Power(Sin(half_dlat), 2) + Value(math.cos(phi)) * Cos(latitude) * Power(
        Sin(half_dlng), 2
    )
    # Least(…, 1): rounding may push antipodal points a hair above 1, out of asin's domain.
    # LEAST ignores NULLs, so a shop without a position is handled first: no distance.
    return Case(
        When(Q(merchant__latitude__isnull=True) | Q(merchant__longitude__isnull=True), then=None),
        default=Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(Least(haversine, Value(1.0)))),
        output_field=FloatField(),
    )


# --- Filters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFilters:
    """What a visitor narrows a catalog with. Empty values do not filter.

    ``near`` is the point distances are measured from (shown on the cards); ``km`` keeps
    the products of shops at most that far from it (shops without a position are left
    out). ``open_now`` keeps the shops open at ``now`` (the current time when None).
    """

    q: str = ""
    category: Category | None = None
    shop: Merchant | None = None
    label: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    open_now: bool = False
    near: GeoPoint | None = None
    km: Decimal | None = None
    now: dt.datetime | None = None

    @property
    def query(self) -> str:
        return _clean_query(self.q)


def filter_products(
    queryset: QuerySet[Product],
    filters: ProductFilters,
    *,
    scope: QuerySet[Product],
    skip: frozenset[str] = frozenset(),
) -> QuerySet[Product]:
    """``queryset`` narrowed by ``filters``, except the facets named in ``skip``
    (« category », « shop », « label »). ``scope`` is the whole catalog searched (for the
    typo fallback: see :func:`matching`)."""
    if filters.query:
        queryset = queryset.filter(matching(filters.query, scope=scope))
    if filters.category is not None and "category" not in skip:
        # A top-level category also matches its sub-categories.
        queryset = queryset.filter(
            Q(category=filters.category) | Q(category__parent=filters.category)
        )
    if filters.shop is not None and "shop" not in skip:
        queryset = queryset.filter(merchant=filters.shop)
    if filters.label and "label" not in skip:
        queryset = queryset.filter(labels__contains=[filters.label])
    if filters.min_price is not None:
        queryset = queryset.filter(price__gte=filters.min_price)
    if filters.max_price is not None:
        queryset = queryset.filter(price__lte=filters.max_price)
    if filters.in_stock:
        # Every product queryset is a ProductQuerySet (Product.objects); the stubs lose it.
        queryset = cast(ProductQuerySet, queryset).in_stock()
    if filters.open_now:
        queryset = queryset.filter(open_at(filters.now or timezone.now()))
    if filters.near is not None and filters.km is not None:
        # A shop without a position has a NULL distance: never « within ».
        queryset = queryset.filter(
            LessThanOrEqual(distance_km(filters.near), Value(float(filters.km)))
        )
    return queryset


# --- Facets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFacets:
    """How many products each choice of a facet would give.

    Each facet is counted over the products matching every *other* filter (choosing a
    category still shows the other categories' counts); ``total`` is the number of results.
    ``categories`` counts the products of each category itself (not its sub-categories).
    """

    total: int
    categories: dict[int, int]
    shops: dict[int, int]
    labels: dict[str, int]


# The filters that are facets: each facet is counted without its own filter.
FACETS = frozenset({"category", "shop", "label"})


def product_facets(scope: QuerySet[Product], filters: ProductFilters) -> ProductFacets:
    """The facets of ``scope`` narrowed by ``filters``: one query whatever the number of
    products or choices.

    The products matching the query and every filter but the facets are computed once (a
    materialised CTE: the search is the costly part); then four GROUP BYs over it, joined
    by UNION ALL, each applying the facet filters but its own.
    """
    base = (
        filter_products(scope, filters, scope=scope, skip=FACETS)
        .order_by()
        .values("merchant_id", "category_id", "labels", parent_id=F("category__parent_id"))
    )
    base_sql, base_params = base.query.sql_with_params()
    chosen: dict[str, tuple[str, list[Any]]] = {}
    if filters.category is not None:
        # A top-level category also matches its sub-categories (as in filter_products).
        pk = filters.category.pk
        chosen["category"] = ("(facet.category_id = %s OR facet.parent_id = %s)", [pk, pk])
    if filters.shop is not None:
        chosen["shop"] = ("facet.merchant_id = %s", [filters.shop.pk])
    if filters.label:
        chosen["label"] = ("%s = ANY(facet.labels)", [filters.label])

    def but(facet: str, *extra: str) -> tuple[str, list[Any]]:
        terms = [term for name, (term, _p) in chosen.items() if name != facet]
        params = [param for name, (_t, p) in chosen.items() if name != facet for param in p]
        terms += extra
        return (" WHERE " + " AND ".join(terms)) if terms else "", params

    branches = [
        (
            "SELECT 'category', facet.category_id::text, count(*) FROM facet{} "
            "GROUP BY facet.category_id",
            but("category", "facet.category_id IS NOT NULL"),
        ),
        (
            "SELECT 'shop', facet.merchant_id::text, count(*) FROM facet{} "
            "GROUP BY facet.merchant_id",
            but("shop"),
        ),
        (
            "SELECT 'label', label, count(*) FROM facet "
            "CROSS JOIN LATERAL unnest(facet.labels) AS label{} GROUP BY label",
            but("label"),
        ),
        ("SELECT 'total', NULL, count(*) FROM facet{}", but("")),
    ]
    sql = f"WITH facet AS MATERIALIZED ({base_sql}) " + " UNION ALL ".join(
        template.format(where) for template, (where, _params) in branches
    )
    params = [*base_params, *(p for _template, (_where, ps) in branches for p in ps)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total, categories, shops, labels = 0, {}, {}, {}
    for kind, key, count in rows:
        if kind == "category":
            categories[int(key)] = count
        elif kind == "shop":
            shops[int(key)] = count
        elif kind == "label":
            labels[key] = count
        else:
            total = count
    return ProductFacets(total=total, categories=categories, shops=shops, labels=labels)


# --- A search, ready for a page --------------------------------------------------------------


@dataclass(frozen=True)
class ProductSearch:
    """The products of a catalog for one request: ``products`` are filtered, sorted by
    ``sort`` (the order actually applied) and annotated with ``search_rank`` (when there is
    a query) and ``distance_km`` (when there is a point). :meth:`facets` counts them."""

    products: QuerySet[Product]
    scope: QuerySet[Product]
    filters: ProductFilters
    sort: str

    def facets(self) -> ProductFacets:
        return product_facets(self.scope, self.filters)


def product_search(
    scope: QuerySet[Product],
    filters: ProductFilters,
    *,
    sort: str = "",
    orders: Mapping[str, tuple[Any, ...]],
    default: str,
) -> ProductSearch:
    """Search ``scope`` (a catalog the actor may see) with ``filters`` and sort the result.

    ``sort`` is a key of ``orders`` (the page's own sorts), :data:`RELEVANCE` or
    :data:`NEAREST`; empty means relevance when there is a query, else ``default``. A sort
    that cannot apply (relevance without a query, nearest without a point) falls back to
    ``default`` too. The search vector itself is never loaded: no page shows it.
    """
    products = filter_products(scope, filters, scope=scope).defer("search_vector")
    title_key = _title_key()
    if filters.query:
        products = products.annotate(search_rank=relevance(filters.query))
    if filters.near is not None:
        products = products.annotate(distance_km=distance_km(filters.near))
    if not sort and filters.query:
        sort = RELEVANCE
    if sort == RELEVANCE and filters.query:
        order: tuple[Any, ...] = (F("search_rank").desc(), title_key.asc(), "pk")
    elif sort == NEAREST and filters.near is not None:
        order = (F("distance_km").asc(nulls_last=True), title_key.asc(), "pk")
    elif sort in orders:
        order = orders[sort]
    else:
        sort, order = default, orders[default]
    return ProductSearch(
        products=products.order_by(*order), scope=scope, filters=filters, sort=sort
    )


def shop_products_search(*, actor: Actor, merchant: Merchant, q: str) -> QuerySet[Product]:
    """The products of a shop's public page matching ``q``, most relevant first, with their
    photos (what the actor may see: see catalog.selectors.products_for_shop_page)."""
    scope = products_for_shop_page(actor=actor, merchant=merchant)
    search = product_search(
        scope,
        ProductFilters(q=q),
        sort=RELEVANCE,
        orders={"title": ("title", "pk")},
        default="title",
    )
    return search.products
