"""The control room of a live sale session (/organiser/<collective>/direct/…), run from a
phone during the live: the line-up with « show now », up, down and remove buttons, adding a
product of a member shop, the stream link and the viewers' page.

Every action is a POST form that works without JavaScript (then the page reloads); with htmx
the form swaps only the control panel (``#live-control``) and the outcome is read out in the
``#live-status`` region.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collectives.forms.live import LineupAddForm, LineupMoveForm
from collectives.models import Event
from collectives.permissions import OrganiserRequest, organiser_required
from collectives.selectors.live import (
    lineup_candidates,
    lineup_candidates_matching,
    lineup_for_organiser,
    lineup_item_for_organiser,
    live_event_for_organiser,
    live_sessions_for_organiser,
    live_timing,
)
from collectives.services.live import (
    lineup_add,
    lineup_clear_highlight,
    lineup_highlight,
    lineup_move,
    lineup_remove,
)
from collectives.views.live import StreamLink
from merchants.views.shop import attach_errors

SEARCH_MAX_LENGTH = 100


def _search(request: OrganiserRequest) -> str:
    """The « find a product » words, from the search box or kept in the add form."""
    source = request.POST if request.method == "POST" else request.GET
    return source.get("q", "").strip()[:SEARCH_MAX_LENGTH]


def _control_url(event: Event, search: str = "") -> str:
    url = reverse(
        "organiser_live:control",
        kwargs={"collective_slug": event.collective.slug, "event_slug": event.slug},
    )
    if search:
        url += "?" + urlencode({"q": search})
    return url


def _render_control(
    request: OrganiserRequest,
    event: Event,
    *,
    form: LineupAddForm | None = None,
    status: str = "",
) -> HttpResponse:
    search = _search(request)
    shown = lineup_candidates_matching(event=event, search=search)
    if form is None:
        form = LineupAddForm(candidates=lineup_candidates(event=event), shown=shown)
    items = lineup_for_organiser(event=event)
    return render(
        request,
        "collectives/live/organiser/control.html",
        {
            "nav": "live",
            "is_admin": request.organiser_role == "admin",
            "event": event,
            "timing": live_timing(event),
            "stream": StreamLink.for_event(event),
            "items": items,
            "current": next((item for item in items if item.is_current), None),
            "form": form,
            "search": search,
            "shown_count": len(shown),
            "status": status,
        },
    )


def _done(request: OrganiserRequest, event: Event, status: str) -> HttpResponse:
    """After an action: with htmx, the control panel again with the outcome read out;
    without, back to the control room (Post/Redirect/Get) with the outcome as a message."""
    if request.htmx:
        return _render_control(request, event, status=status)
    messages.success(request, status)
    return redirect(_control_url(event, _search(request)))


def _refused(request: OrganiserRequest, event: Event, error: ValidationError) -> HttpResponse:
    """An action the line-up no longer allows (another organiser removed the product…)."""
    status = " ".join(error.messages)
    if request.htmx:
        return _render_control(request, event, status=status)
    messages.error(request, status)
    return redirect(_control_url(event, _search(request)))


@organiser_required()
def index(request: OrganiserRequest) -> HttpResponse:
    """The collective's live sessions, each with its control room."""
    return render(
        request,
        "collectives/live/organiser/index.html",
        {
            "nav": "live",
            "is_admin": request.organiser_role == "admin",
            "events": live_sessions_for_organiser(collective=request.collective),
        },
    )


@organiser_required()
def control(request: OrganiserRequest, event_slug: str) -> HttpResponse:
    """The control room; ``?q=`` searches the products to add by title or shop."""
    event = live_event_for_organiser(collective=request.collective, event_slug=event_slug)
    return _render_control(request, event)


@require_POST
@organiser_required()
def add(request: OrganiserRequest, event_slug: str) -> HttpResponse:
    event = live_event_for_organiser(collective=request.collective, event_slug=event_slug)
    candidates = lineup_candidates(event=event)
    form = LineupAddForm(
        request.POST,
        candidates=candidates,
        shown=lineup_candidates_matching(event=event, search=_search(request)),
    )
    if form.is_valid():
        try:
            item = lineup_add(actor=request.user, event=event, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return _done(
                request,
                event,
                _("%(product)s is added to the line-up.") % {"product": item.product.title},
            )
    return _render_control(request, event, form=form)


@require_POST
@organiser_required()
def remove(request: OrganiserRequest, event_slug: str, item_pk: int) -> HttpResponse:
    event = live_event_for_organiser(collective=request.collective, event_slug=event_slug)
    item = lineup_item_for_organiser(event=event, pk=item_pk)
    title = item.product.title
    try:
        lineup_remove(actor=request.user, item=item)
    except ValidationError as error:
        return _refused(request, event, error)
    return _done(request, event, _("%(product)s is removed from the line-up.") % {"product": title})


@require_POST
@organiser_required()
def move(request: OrganiserRequest, event_slug: str, item_pk: int) -> HttpResponse:
    event = live_event_for_organiser(collective=request.collective, event_slug=event_slug)
    item = lineup_item_for_organiser(event=event, pk=item_pk)
    form = LineupMoveForm(request.POST)
    if not form.is_valid():
        return _refused(request, event, ValidationError(_("Move a product up or down.")))
    direction = form.cleaned_data["direction"]
    try:
        lineup_move(actor=request.user, item=item, direction=direction)
    except ValidationError as error:
        return _refused(request, event, error)
    status = _("%(product)s moved up.") if direction == "up" else _("%(product)s moved down.")
    return _done(request, event, status % {"product": item.product.title})


@require_POST
@organiser_required()
def highlight(request: OrganiserRequest, event_slug: str, item_pk: int) -> HttpResponse:
    event = live_event_for_organiser(collective=request.collective, event_slug=event_slug)
    item = lineup_item_for_organiser(event=event, pk=item_pk)
    try:
        lineup_highlight(actor=request.user, item=item)
    except ValidationError as error:
        return _refused(request, event, error)
    return _done(
        request, event, _("Viewers now see %(product)s.") % {"product": item.product.title}
    )


@require_POST
@organiser_required()
def clear_highlight(request: OrganiserRequest, event_slug: str) -> HttpResponse:
    event = live_event_for_organiser(collective=request.collective, event_slug=event_slug)
    lineup_clear_highlight(actor=request.user, event=event)
    return _done(request, event, _("No product is shown now."))
