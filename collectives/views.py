"""Public pages: the home page (the collectives) and a collective's page (its shops)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from collectives.selectors import collective_for_public_page, collectives_for_home, member_shops
from merchants.hours import opening_state
from merchants.models import Trade


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
    trades = sorted({shop.trade for shop, _ in shops})
    return render(
        request,
        "collectives/collective_detail.html",
        {
            "collective": collective,
            "shops": shops,
            "trades": [(value, Trade(value).label) for value in trades],
        },
    )
