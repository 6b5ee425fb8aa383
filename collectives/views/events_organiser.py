"""Events in the organiser space (/organiser/<collective>/evenements/…): the list, the event
form with its recurrence presets, publishing and cancelling, the dates (cancel, restore or
move one), who registered for a date (and the CSV export), the shops taking part and the
featured products.

Views are decorated with :func:`collectives.permissions.organiser_required` (404 unless the
user organises the collective); an event, date, registration or participation is looked up
inside ``request.collective`` (404 otherwise). Every action is a POST form that works without
JavaScript and answers with a redirect and a message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.csv_format import write_table
from collectives.forms.events import (
    CancelEventForm,
    EventForm,
    FeaturedProductsForm,
    FeaturedSearchForm,
    OccurrenceMoveForm,
    ParticipantsInviteForm,
)
from collectives.models import Event, EventOccurrence, Registration
from collectives.permissions import OrganiserRequest, organiser_required
from collectives.recurrence import describe_rule, paris
from collectives.selectors.events_organiser import (
    event_cover,
    event_dates,
    event_occurrence,
    event_participation,
    event_participations,
    featurable_products,
    featured_product_choices,
    occurrence_registration,
    occurrence_registrations,
    organiser_event,
    organiser_events,
    registrations_for_export,
    shops_to_invite,
)
from collectives.services import events as services
from collectives.services.registrations import registration_cancel
from merchants.views.shop import attach_errors

NAV = "events"
TEMPLATES = "collectives/events_organiser"


def _context(request: OrganiserRequest, **extra: object) -> dict[str, object]:
    return {"nav": NAV, "is_admin": request.organiser_role == "admin", **extra}


def _event(request: OrganiserRequest, event_slug: str) -> Event:
    return organiser_event(collective=request.collective, slug=event_slug)


def _event_context(
    request: OrganiserRequest, event: Event, section: str, **extra: object
) -> dict[str, object]:
    """What every page of one event shows in its header (title, status, its sections)."""
    return _context(
        request,
        event=event,
        section=section,
        recurrence=describe_rule(event.recurrence),
        **extra,
    )


def _url(name: str, event: Event, *args: object) -> str:
    return reverse(f"organiser_events:{name}", args=[event.collective.slug, event.slug, *args])


def _error_message(request: OrganiserRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- The list and the event form ------------------------------------------------------------


@organiser_required()
@require_GET
def event_list(request: OrganiserRequest) -> HttpResponse:
    """Events to come, drafts and past events, each with its next date and its seats."""
    events = organiser_events(collective=request.collective)
    for event in [*events.upcoming, *events.drafts, *events.past]:
        event.recurrence_text = describe_rule(event.recurrence)  # type: ignore[attr-defined]
    return render(request, f"{TEMPLATES}/list.html", _context(request, events=events))


@organiser_required()
@require_http_methods(["GET", "POST"])
def event_create(request: OrganiserRequest) -> HttpResponse:
    """A new event, a draft with its dates; then to its dates page to check them."""
    form = EventForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                actor=request.user,
                collective=request.collective,
                cover=form.cleaned_data.get("cover"),
                **form.event_fields(),
            )
        except ValidationError as error:
            attach_errors(form, form.service_errors(error))
        else:
            messages.success(
                request,
                _("The event is created as a draft. Check its dates, then publish it."),
            )
            return redirect(_url("dates", event))
    return render(
        request,
        f"{TEMPLATES}/form.html",
        _context(request, form=form),
        status=400 if form.errors else 200,
    )


@organiser_required()
@require_http_methods(["GET", "POST"])
def event_edit(request: OrganiserRequest, event_slug: str) -> HttpResponse:
    """The event's details, times and recurrence, place and seats."""
    event = _event(request, event_slug)
    form = EventForm(
        request.POST or None, request.FILES or None, initial=EventForm.initial_for(event)
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_update(
                actor=request.user,
                event=event,
                cover=form.cleaned_data.get("cover"),
                **form.event_fields(),
            )
        except ValidationError as error:
            attach_errors(form, form.service_errors(error))
        else:
            messages.success(request, _("The event is saved."))
            return redirect(_url("edit", event))
    cover = event_cover(event=event)
    return render(
        request,
        f"{TEMPLATES}/form.html",
        _event_context(
            request,
            event,
            "edit",
            form=form,
            cover=cover,
            cover_url=cover.rendition_url(320) if cover else None,
        ),
        status=400 if form.errors else 200,
    )


@organiser_required()
@require_POST
def event_publish(request: OrganiserRequest, event_slug: str) -> HttpResponse:
    event = _event(request, event_slug)
    try:
        services.event_publish(actor=request.user, event=event)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("The event is published: its dates are on the public page."))
    return redirect(_url("edit", event))


@organiser_required()
@require_POST
def event_unpublish(request: OrganiserRequest, event_slug: str) -> HttpResponse:
    event = _event(request, event_slug)
    try:
        services.event_unpublish(actor=request.user, event=event)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("The event is a draft again: the public no longer sees it."))
    return redirect(_url("edit", event))


@organiser_required()
@require_http_methods(["GET", "POST"])
def event_cancel(request: OrganiserRequest, event_slug: str) -> HttpResponse:
    """Cancel the whole event, after a confirmation page asking for the reason."""
    event = _event(request, event_slug)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.event_cancel(actor=request.user, event=event, reason=form.cleaned_data["reason"])
        messages.success(
            request, _("The event is cancelled. Registered people are told by e-mail.")
        )
        return redirect(_url("edit", event))
    return render(
        request, f"{TEMPLATES}/cancel.html", _event_context(request, event, "edit", form=form)
    )


# --- Dates ----------------------------------------------------------------------------------


def _move_form(occurrence: EventOccurrence, data: object = None) -> OccurrenceMoveForm:
    starts = timezone.localtime(occurrence.starts_at, paris())
    ends = timezone.localtime(occurrence.ends_at, paris())
    return OccurrenceMoveForm(
        data,  # type: ignore[arg-type]
        prefix=f"move-{occurrence.pk}",
        initial={"date": starts.date(), "start_time": starts.time(), "end_time": ends.time()},
    )


def _dates_page(
    request: OrganiserRequest,
    event: Event,
    *,
    bound: OccurrenceMoveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    past = request.GET.get("passees") == "1"
    dates = event_dates(event=event, past=past)
    # Each date with its « move » form; the one just refused keeps what was typed.
    rows = [
        (o, bound if bound is not None and bound.prefix == f"move-{o.pk}" else _move_form(o))
        for o in dates.dates
    ]
    return render(
        request,
        f"{TEMPLATES}/dates.html",
        _event_context(request, event, "dates", dates=dates, rows=rows),
        status=status,
    )


@organiser_required()
@require_GET
def event_dates_view(request: OrganiserRequest, event_slug: str) -> HttpResponse:
    """The event's dates with their seats and waiting lists; cancel, restore or move one.
    ``?passees=1`` lists the dates that are over."""
    return _dates_page(request, _event(request, event_slug))


def _date_label(occurrence: EventOccurrence) -> str:
    return timezone.localtime(occurrence.starts_at, paris()).strftime("%d/%m/%Y %H:%M")


@organiser_required()
@require_POST
def occurrence_cancel(
    request: OrganiserRequest, event_slug: str, occurrence_id: int
) -> HttpResponse:
    event = _event(request, event_slug)
    occurrence = event_occurrence(event=event, occurrence_id=occurrence_id)
    services.occurrence_cancel(actor=request.user, occurrence=occurrence)
    messages.success(
        request,
        _("The date of %(date)s is cancelled. Registered people are told by e-mail.")
        % {"date": _date_label(occurrence)},
    )
    return redirect(_url("dates", event))


@organiser_required()
@require_POST
def occurrence_restore(
    request: OrganiserRequest, event_slug: str, occurrence_id: int
) -> HttpResponse:
    event = _event(request, event_slug)
    occurrence = event_occurrence(event=event, occurrence_id=occurrence_id)
    services.occurrence_restore(actor=request.user, occurrence=occurrence)
    messages.success(
        request,
        _("The date of %(date)s takes place again.") % {"date": _date_label(occurrence)},
    )
    return redirect(_url("dates", event))


@organiser_required()
@require_POST
def occurrence_move(request: OrganiserRequest, event_slug: str, occurrence_id: int) -> HttpResponse:
    """Give one date a new day and times; a refused form comes back on the dates page."""
    event = _event(request, event_slug)
    occurrence = event_occurrence(event=event, occurrence_id=occurrence_id)
    form = _move_form(occurrence, request.POST)
    if form.is_valid():
        starts_at, ends_at = form.moments()
        try:
            moved = services.occurrence_move(
                actor=request.user, occurrence=occurrence, starts_at=starts_at, ends_at=ends_at
            )
        except ValidationError as error:
            attach_errors(form, _moved_errors(error))
        else:
            messages.success(
                request,
                _("The date is moved to %(date)s.") % {"date": _date_label(moved)},
            )
            return redirect(_url("dates", event))
    return _dates_page(request, event, bound=form, status=400)


def _moved_errors(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    targets = {"starts_at": "date", "ends_at": "end_time"}
    return ValidationError(
        {targets.get(field, field): errors for field, errors in error.error_dict.items()}
    )


# --- Registrations --------------------------------------------------------------------------


@organiser_required()
@require_GET
def occurrence_registrations_view(
    request: OrganiserRequest, event_slug: str, occurrence_id: int
) -> HttpResponse:
    """Who comes to one date, and the waiting list in the order seats will be given."""
    event = _event(request, event_slug)
    occurrence = event_occurrence(event=event, occurrence_id=occurrence_id)
    return render(
        request,
        f"{TEMPLATES}/registrations.html",
        _event_context(
            request,
            event,
            "dates",
            occurrence=occurrence,
            registrations=occurrence_registrations(occurrence=occurrence),
        ),
    )


@organiser_required()
@require_POST
def registration_cancel_view(
    request: OrganiserRequest, event_slug: str, occurrence_id: int, registration_id: int
) -> HttpResponse:
    """Cancel someone's registration (their seat goes to the first person waiting)."""
    event = _event(request, event_slug)
    occurrence = event_occurrence(event=event, occurrence_id=occurrence_id)
    registration = occurrence_registration(occurrence=occurrence, registration_id=registration_id)
    registration_cancel(actor=request.user, registration=registration)
    messages.success(
        request,
        _("The registration of %(person)s is cancelled.")
        % {"person": registration.user.display_name or registration.user.email},
    )
    return redirect(_url("registrations", event, occurrence.pk))


def _export_rows(
    rows: Iterator[tuple[Registration, int | None]], statuses: dict[str, str]
) -> Iterator[list[str]]:
    for registration, position in rows:
        yield [
            _local(registration.occurrence.starts_at),
            registration.user.display_name,
            registration.user.email,
            statuses[registration.status],
            "" if position is None else str(position),
            _local(registration.created_at),
        ]


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment, paris()).strftime("%d/%m/%Y %H:%M")


# organiser_required is typed for HttpResponse; a streamed download works the same way.
@organiser_required()
@require_GET
def export(
    request: OrganiserRequest, event_slug: str, occurrence_id: int | None = None
) -> StreamingHttpResponse:
    """The registrations of the event, or of one date, as a CSV file French Excel opens as
    it is (UTF-8 with BOM, ``;``, names that look like formulas quoted)."""
    event = _event(request, event_slug)
    occurrence = (
        None
        if occurrence_id is None
        else event_occurrence(event=event, occurrence_id=occurrence_id)
    )
    # Worded now, in the request's language: the file is written after the view returns.
    header = [
        _("Date"),
        _("Name"),
        _("E-mail"),
        _("Status"),
        _("Position on the waiting list"),
        _("Registered at"),
    ]
    statuses = {value: str(label) for value, label in Registration.Status.choices}
    rows = _export_rows(registrations_for_export(event=event, occurrence=occurrence), statuses)
    content = write_table(header, rows, text_columns={1, 2, 3})
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = f"inscriptions-{event.slug}"
    if occurrence is not None:
        filename += timezone.localtime(occurrence.starts_at, paris()).strftime("-%Y-%m-%d-%Hh%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


# --- Participating shops --------------------------------------------------------------------


@organiser_required()
@require_http_methods(["GET", "POST"])
def participants(request: OrganiserRequest, event_slug: str) -> HttpResponse:
    """Invite member shops to take part; see who accepted, declined or has not answered."""
    event = _event(request, event_slug)
    shops = shops_to_invite(event=event)
    form = ParticipantsInviteForm(request.POST or None, shops=shops)
    if request.method == "POST" and form.is_valid():
        try:
            invited = services.event_participation_invite(
                actor=request.user, event=event, merchants=form.cleaned_data["merchants"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("%(count)s shops are invited to take part.") % {"count": len(invited)},
            )
            return redirect(_url("participants", event))
    return render(
        request,
        f"{TEMPLATES}/participants.html",
        _event_context(
            request,
            event,
            "participants",
            form=form,
            participations=event_participations(event=event),
        ),
        status=400 if form.errors else 200,
    )


@organiser_required()
@require_POST
def participant_remove(
    request: OrganiserRequest, event_slug: str, participation_id: int
) -> HttpResponse:
    """Withdraw a shop's invitation (or its participation)."""
    event = _event(request, event_slug)
    participation = event_participation(event=event, participation_id=participation_id)
    services.event_participation_remove(actor=request.user, participation=participation)
    messages.success(
        request,
        _("%(shop)s no longer takes part.") % {"shop": participation.merchant.name},
    )
    return redirect(_url("participants", event))


# --- Featured products ----------------------------------------------------------------------


@organiser_required()
@require_http_methods(["GET", "POST"])
def featured(request: OrganiserRequest, event_slug: str) -> HttpResponse:
    """Choose the products the event's page shows, among the member shops' products, with a
    search by title or shop. The products featured now are always listed (ticked), so
    saving after a search never drops them unseen."""
    event = _event(request, event_slug)
    search_form = FeaturedSearchForm(request.GET or None)
    search = search_form.cleaned_data["q"].strip() if search_form.is_valid() else ""
    form = FeaturedProductsForm(
        request.POST or None, products=featurable_products(collective=event.collective)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.event_set_featured_products(
                actor=request.user, event=event, products=form.cleaned_data["products"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The featured products are saved."))
            url = _url("featured", event)
            return redirect(f"{url}?{request.GET.urlencode()}" if search else url)
    return render(
        request,
        f"{TEMPLATES}/featured.html",
        _event_context(
            request,
            event,
            "featured",
            form=form,
            search_form=search_form,
            search=search,
            choices=featured_product_choices(event=event, search=search),
        ),
        status=400 if form.errors else 200,
    )
