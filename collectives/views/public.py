"""Public pages: the home page (the collectives), a collective's page (its shops, their map,
latest products and stories) and its shared catalog (every product of every member)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString

from catalog.selectors import categories_grouped
from catalog.views.public import StoryTeaser
from collectives.filters import CatalogFilterForm
from collectives.models import Collective
from collectives.selectors import (
    catalog_shops,
    collective_catalog,
    collective_for_public_page,
    collectives_for_home,
    latest_member_products,
    latest_member_stories,
    member_directory,
)
from collectives.selectors.events import upcoming_events_for_collective_page
from collectives.selectors.follows import is_following_collective
from collectives.selectors.selections import featured_selections
from merchants.hours import OpeningState, opening_state
from merchants.jsonld import jsonld_script
from merchants.models import Merchant
from merchants.story_text import story_excerpt

CATALOG_PAGE_SIZE = 24


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "collectives/home.html", {"collectives": collectives_for_home(actor=request.user)}
    )


def collective_detail(request: HttpRequest, slug: str) -> HttpResponse:
    collective = collective_for_public_page(actor=request.user, slug=slug)
    directory = member_directory(collective=collective, trade=request.GET.get("metier", ""))
    now = timezone.now()
    states = {
        shop.pk: opening_state(shop.opening_hours.all(), shop.closures.all(), now=now)
        for shop in directory.shops
    }
    stories = latest_member_stories(collective=collective)
    if collective.status == Collective.Status.ACTIVE:
        # insights builds on collectives: imported here, not at the top.
        from insights.counting import count_view

        count_view(request, kind="collective", object_id=collective.pk, collective_id=collective.pk)
    return render(
        request,
        "collectives/collective_detail.html",
        {
            "collective": collective,
            "shops": [(shop, states[shop.pk]) for shop in directory.listed],
            "member_count": len(directory.shops),
            "trades": directory.trades,
            "trade": directory.trade,
            "map_data": _map_data(request, collective, directory.listed, states),
            "products": latest_member_products(collective=collective),
            "stories": [
                StoryTeaser(story=s, excerpt=story_excerpt(s.body, words=25)) for s in stories
            ],
            "upcoming_events": upcoming_events_for_collective_page(
                collective=collective, actor=request.user
            ),
            "selections": featured_selections(collective=collective),
            "organization_jsonld": _organization_jsonld(request, collective, directory.shops),
            "is_following": is_following_collective(actor=request.user, collective=collective),
        },
    )


class _CountedPaginator(Paginator):
    """A paginator told the number of results (counted with the facets, in the same query)
    instead of running its own COUNT."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property: pre-filled


def catalog(request: HttpRequest, slug: str) -> HttpResponse:
    """The shared catalog: search, filters, order and page come from the URL. htmx requests
    get the same page; the form's ``hx-select`` keeps only the results (and their facets)."""
    collective = collective_for_public_page(actor=request.user, slug=slug)
    form = CatalogFilterForm(
        request.GET, categories=categories_grouped(), shops=catalog_shops(collective=collective)
    )
    arguments = form.filters()
    search = collective_catalog(collective=collective, **arguments)
    facets = search.facets()
    facet_groups = form.facet_groups(facets)
    paginator = _CountedPaginator(search.products, CATALOG_PAGE_SIZE, count=facets.total)
    page = paginator.get_page(request.GET.get("page"))
    # A search is counted once, not again on each of its next pages.
    if search.filters.query and not request.GET.get("page"):
        from insights.counting import count_search  # insights builds on collectives

        count_search(
            request,
            collective_id=collective.pk,
            query=search.filters.query,
            found=facets.total > 0,
        )
    return render(
        request,
        "collectives/catalog.html",
        {
            "collective": collective,
            "form": form,
            "page": page,
            "products": page.object_list,
            "filtered": form.is_filtered,
            "query": search.filters.query,
            "facet_groups": facet_groups,
            "facet_chosen": any(group.selected for group in facet_groups),
            "show_distance": search.filters.near is not None,
            # Distances from the visitor's own position, which they may drop.
            "forget_point_url": form.url_with(lat=None, lng=None)
            if arguments["filters"].near is not None
            else "",
        },
    )


def _map_data(
    request: HttpRequest,
    collective: Collective,
    shops: list[Merchant],
    states: dict[int, OpeningState | None],
) -> dict[str, Any]:
    """What static/js/collective-map.js draws: the map's centre and one marker per shop that
    has a position (the others are in the list only)."""
    centre = None
    if collective.map_latitude is not None and collective.map_longitude is not None:
        centre = {
            "lat": float(collective.map_latitude),
            "lng": float(collective.map_longitude),
            "zoom": collective.map_zoom,
        }
    markers = []
    for shop in shops:
        if not shop.has_location:
            continue
        state = states.get(shop.pk)
        markers.append(
            {
                "name": shop.name,
                "trade": str(shop.get_trade_display()),
                "open": state.label if state else "",
                "isOpen": bool(state and state.is_open),
                "url": shop.get_absolute_url(),
                "lat": float(shop.latitude),
                "lng": float(shop.longitude),
            }
        )
    return {"centre": centre, "markers": markers}


def _organization_jsonld(
    request: HttpRequest, collective: Collective, shops: list[Merchant]
) -> SafeString:
    """schema.org ``Organization`` of the collective, its member shops as ``member``."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": collective.name,
        "url": request.build_absolute_uri(collective.get_absolute_url()),
        "address": {
            "@type": "PostalAddress",
            "addressLocality": collective.town,
            "addressCountry": "FR",
        },
        "member": [
            {
                "@type": "LocalBusiness",
                "name": shop.name,
                "url": request.build_absolute_uri(shop.get_absolute_url()),
            }
            for shop in shops
        ],
    }
    if collective.description:
        data["description"] = collective.description
    return jsonld_script(data)
