"""A shop's side of events, in « Mon commerce » (/mon-commerce/<shop>/evenements/…): the
events its collectives asked it to take part in, with their dates and place, and its answer.

The whole team sees the list; only owners answer for the shop (``merchant_required(manage=
True)``: 403 for staff). A participation of another shop is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from collectives.recurrence import describe_rule
from collectives.selectors.events_organiser import shop_event_participations, shop_participation
from collectives.services.events import event_participation_answer
from merchants.permissions import ShopRequest, merchant_required


@merchant_required()
@require_GET
def participation_list(request: ShopRequest) -> HttpResponse:
    """The shop's invitations and participations, events to come first."""
    events = shop_event_participations(merchant=request.merchant)
    for participation in [*events.upcoming, *events.past]:
        participation.recurrence = describe_rule(  # type: ignore[attr-defined]
            participation.event.recurrence
        )
    return render(
        request,
        "collectives/events_shop/list.html",
        {
            "nav": "events",
            "is_owner": request.merchant_role == "owner",
            "events": events,
        },
    )


@merchant_required(manage=True)
@require_POST
def participation_answer(request: ShopRequest, participation_id: int) -> HttpResponse:
    """Take part (``accept=1``) or not (``accept=0``); the shop may change its mind."""
    participation = shop_participation(merchant=request.merchant, participation_id=participation_id)
    if request.POST.get("accept") not in ("0", "1"):
        return HttpResponseBadRequest()
    accept = request.POST["accept"] == "1"
    try:
        event_participation_answer(actor=request.user, participation=participation, accept=accept)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        title = {"event": participation.event.title}
        messages.success(
            request,
            (_("Your shop takes part in %(event)s.") if accept else _("You declined %(event)s."))
            % title,
        )
    return redirect("shop_events:list", merchant_slug=request.merchant.slug)
