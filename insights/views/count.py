"""Clicks on a shop's « itinéraire » and « appeler » links: counted, then sent on.

The links of the shop page point here rather than straight at OpenStreetMap or the phone, so
the click can be counted (``insights.counting``: no cookie, nothing about the visitor).
"""

from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from insights.counting import count_view
from merchants.models import Merchant


class _TelephoneRedirect(HttpResponseRedirect):
    """Django refuses to redirect to a scheme it does not know; ``tel:`` is what « appeler »
    is for."""

    allowed_schemes = ["tel"]


def _shop(request: HttpRequest, merchant_id: int) -> Merchant:
    """The shop if its page is visible to the visitor (a draft only to its own team, who
    see the links on their preview): 404 otherwise."""
    return get_object_or_404(Merchant.objects.visible_to(request.user), pk=merchant_id)


def _count_click(request: HttpRequest, kind: str, merchant: Merchant) -> None:
    # Only a public shop's figures are counted: its team previewing a draft is not a visit.
    if merchant.status == Merchant.Status.ACTIVE:
        count_view(request, kind=kind, object_id=merchant.pk, merchant_id=merchant.pk)


def directions_url(merchant: Merchant) -> str:
    """A route to the shop on OpenStreetMap, from its position or else its address; empty
    when the shop has neither."""
    if merchant.has_location:
        return f"https://www.openstreetmap.org/directions?to={merchant.latitude}%2C{merchant.longitude}"
    address = ", ".join(
        part for part in (merchant.street, f"{merchant.postcode} {merchant.city}".strip()) if part
    )
    return f"https://www.openstreetmap.org/search?query={quote(address)}" if address else ""


@require_safe
def directions(request: HttpRequest, merchant_id: int) -> HttpResponse:
    merchant = _shop(request, merchant_id)
    target = directions_url(merchant)
    if not target:
        raise Http404
    _count_click(request, "directions", merchant)
    return HttpResponseRedirect(target)


@require_safe
def call(request: HttpRequest, merchant_id: int) -> HttpResponse:
    merchant = _shop(request, merchant_id)
    number = "".join(merchant.phone.split())
    if not number:
        raise Http404
    _count_click(request, "call", merchant)
    return _TelephoneRedirect(f"tel:{number}")
