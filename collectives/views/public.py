"""Public pages: the home page (the collectives) and a collective's page (its shops)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from collectives.selectors import collective_for_public_page, collectives_for_home, member_shops
from merchants.hours import opening_state


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request, "collectives/home.html", {"collectives": collectives_for_home(actor=request.user)}
    )


def collective_detail(request: HttpRequest, slug: str) -> HttpResponse:
    collective = collective_for_public_page(actor=request.user, slug=slug)
    now = timezone.now()
    shops = [
        (shop, opening_state(shop.opening_hours.all(), shop.closures.all(), now=now))
        for shop in member_shops(collective=collective)
    ]
    return render(
        request,
        "collectives/collective_detail.html",
        {"collective": collective, "shops": shops},
    )
