"""Public pages of selections: the list of a collective's selections and one selection's
page (/collectifs/<slug>/selections/…). Organisers of the collective may preview a selection
the public does not see yet."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from collectives.selectors import collective_for_public_page
from collectives.selectors.selections import selection_for_public_page, visible_selections


def selection_list(request: HttpRequest, slug: str) -> HttpResponse:
    collective = collective_for_public_page(actor=request.user, slug=slug)
    return render(
        request,
        "collectives/selections/list.html",
        {"collective": collective, "teasers": visible_selections(collective=collective)},
    )


def selection_detail(request: HttpRequest, slug: str, selection_slug: str) -> HttpResponse:
    collective = collective_for_public_page(actor=request.user, slug=slug)
    page = selection_for_public_page(actor=request.user, collective=collective, slug=selection_slug)
    response = render(
        request,
        "collectives/selections/detail.html",
        {"collective": collective, "page": page, "selection": page.selection},
    )
    if page.is_preview:
        # A preview must not be indexed or cached as the public page.
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "private, no-store"
    return response
