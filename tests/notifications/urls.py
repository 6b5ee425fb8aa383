"""The project's URLs plus a page that changes something and notifies, as a domain view
does (for the reliability test)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from collectives.models import Follow
from config.urls import urlpatterns as project_urls
from merchants.models import Merchant
from notifications.services.notify import notify


def follow_and_notify(request: HttpRequest, merchant_id: int) -> HttpResponse:
    """Follow a shop and tell its owner (its transaction commits when the view returns)."""
    from django.db import transaction

    assert request.user.is_authenticated
    with transaction.atomic():
        merchant = Merchant.objects.get(pk=merchant_id)
        Follow.objects.create(user=request.user, merchant=merchant)
        notify(
            recipient=request.user,
            kind="import.finished",
            context={"merchant_name": merchant.name, "created": 1, "updated": 0},
        )
    return HttpResponse("ok")


urlpatterns = [path("follow/<int:merchant_id>/", follow_and_notify), *project_urls]
