"""Every write to a collective's events, their dates and participating shops.

An event's dates (:class:`EventOccurrence`) follow from its start, end and recurrence rule;
:func:`event_create` and :func:`event_update` keep them in step, and
:func:`event_occurrences_extend` (a daily task) adds the dates that come within the horizon.
Changing one date (cancel, move) is an exception kept on its row, never lost when the
event is edited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from catalog.models import Product
from collectives.models import (
    Collective,
    Event,
    EventOccurrence,
    EventParticipation,
    EventPhoto,
    Membership,
    Registration,
)
from collectives.permissions import can_organise
from collectives.recurrence import HORIZON, normalise_rule, rule_starts
from merchants import images
from merchants.models import Merchant
from merchants.permissions import can_manage_merchant
from merchants.services.photos import photo_queue_processing
from merchants.slugs import unique_slug

# Fields an organiser edits with event_create/event_update.
EDITABLE_FIELDS = frozenset(
    {
        "kind",
        "title",
        "description",
        "starts_at",
        "ends_at",
        "recurrence",
        "is_online",
        "place_name",
        "street",
        "postcode",
        "city",
        "latitude",
        "longitude",
        "online_url",
        "stream_url",
        "capacity",
        "registration_open",
    }
)
_TIMING = frozenset({"starts_at", "ends_at", "recurrence"})
# Words of the event URLs beside the slugs (evenements/<slug>/…).
RESERVED_SLUGS = frozenset({"nouveau", "agenda"})


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_FIELDS - {"cover"}
    if unknown:
        raise TypeError(f"unexpected event fields: {sorted(unknown)}")


def _validate(event: Event, cover: Any) -> None:
    """Model rules plus those that span fields, all reported at once."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        event.recurrence = normalise_rule(event.recurrence)
    except ValidationError as error:
        errors["recurrence"] = error.error_list
    if cover:
        try:
            images.validate_image_upload(cover)
        except ValidationError as error:
            errors["cover"] = error.error_list
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors.setdefault("ends_at", []).append(
            ValidationError(_("The end must come after the start."), code="ends_before_start")
        )
    elif (
        event.starts_at
        and event.ends_at
        and event.recurrence
        and event.ends_at - event.starts_at > dt.timedelta(days=1)
    ):
        errors.setdefault("ends_at", []).append(
            ValidationError(_("A recurring event lasts at most a day each time."), code="too_long")
        )
    if event.is_online and not (event.online_url or event.stream_url):
        errors.setdefault("online_url", []).append(
            ValidationError(_("Give the link of the online event."), code="online_needs_link")
        )
    if not event.is_online and not (event.place_name or event.street):
        errors.setdefault("place_name", []).append(
            ValidationError(_("Say where the event takes place."), code="place_required")
        )
    try:
        event.full_clean(exclude=["collective", "slug"])
    except ValidationError as error:
        for field, messages in error.error_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _set_cover(event: Event, cover: Any) -> None:
    """Replace the cover: the new photo takes position 0 once the old one is gone."""
    event.photos.all().delete()
    photo = EventPhoto(event=event, image=cover, position=0)
    photo.save()
    photo_queue_processing(photo)


@transaction.atomic
def event_create(
    *,
    actor: User,
    collective: Collective,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    cover: Any = None,
    **fields: Any,
) -> Event:
    """Create a draft event and its dates (one, or those of its rule within the horizon)."""
    require(can_organise(actor, collective))
    _check_fields(fields)
    event = Event(
        collective=collective,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=actor,
        **fields,
    )
    _validate(event, cover)
    event.slug = unique_slug(
        Event.objects.filter(collective=collective), title, max_length=160, reserved=RESERVED_SLUGS
    )
    event.save()
    _sync_occurrences(event, now=timezone.now())
    if cover:
        _set_cover(event, cover)
    return event


@transaction.atomic
def event_update(*, actor: User, event: Event, cover: Any = None, **fields: Any) -> Event:
    """Change an event. A new start, end or rule re-plans its future dates: dates the rule no
    longer gives are cancelled if people registered (they are told) or removed otherwise;
    dates moved one by one keep their own times. A smaller capacity is refused below the
    seats already taken on a date; a larger one gives seats to the waiting list."""
    require(can_organise(actor, event.collective))
    _check_fields(fields)
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = {name: getattr(event, name) for name in EDITABLE_FIELDS}
    for name, value in fields.items():
        setattr(event, name, value)
    _validate(event, cover)
    changed = {name for name in EDITABLE_FIELDS if getattr(event, name) != before[name]}
    if "capacity" in changed:
        _check_capacity(event)
    event.save()
    if changed & _TIMING or "capacity" in changed:
        _sync_occurrences(
            event,
            now=timezone.now(),
            old_start=before["starts_at"],
            old_recurrence=before["recurrence"],
        )
    if cover:
        _set_cover(event, cover)
    if "capacity" in changed or ("registration_open" in changed and event.registration_open):
        from collectives.services.registrations import promote_waiting_list

        for occurrence in event.occurrences.select_for_update().order_by("pk"):
            promote_waiting_list(occurrence)
    return event


def _check_capacity(event: Event) -> None:
    if event.capacity is None:
        return
    crowded = (
        event.occurrences.filter(seats_taken__gt=event.capacity, ends_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    if crowded is not None:
        raise ValidationError(
            {
                "capacity": ValidationError(
                    _(
                        "%(count)s people already have a seat on %(date)s: the capacity "
                        "cannot be lower."
                    )
                    % {
                        "count": crowded.seats_taken,
                        "date": timezone.localtime(crowded.starts_at).strftime("%d/%m/%Y"),
                    },
                    code="capacity_below_registrations",
                )
            }
        )


def _sync_occurrences(
    event: Event,
    *,
    now: dt.datetime,
    old_start: dt.datetime | None = None,
    old_recurrence: str | None = None,
) -> None:
    """Make the event's future dates those of its start and rule, up to the horizon."""
    duration = event.ends_at - event.starts_at
    existing = {o.original_start: o for o in event.occurrences.select_for_update()}
    if not event.recurrence and (old_recurrence is None or not old_recurrence):
        # A one-off event has one date: editing it moves that date (registrations stay).
        occurrence = next(iter(existing.values()), None)
        if occurrence is None:
            EventOccurrence.objects.create(
                event=event,
                original_start=event.starts_at,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                capacity=event.capacity,
            )
        else:
            occurrence.original_start = occurrence.starts_at = event.starts_at
            occurrence.ends_at = event.ends_at
            if occurrence.ends_at > now:  # a past date keeps the seats it had
                occurrence.capacity = event.capacity
            occurrence.save(update_fields=["original_start", "starts_at", "ends_at", "capacity"])
        return
    # Dates under way count as to come: a market that opened this morning is not re-planned.
    wanted = set(
        rule_starts(
            rule=event.recurrence,
            first_start=event.starts_at,
            after=now - duration,
            until=now + HORIZON,
        )
    )
    to_create = []
    for start in sorted(wanted):
        occurrence = existing.get(start)
        if occurrence is None:
            to_create.append(
                EventOccurrence(
                    event=event,
                    original_start=start,
                    starts_at=start,
                    ends_at=start + duration,
                    capacity=event.capacity,
                )
            )
            continue
        if not occurrence.is_moved:  # dates moved by hand keep their own times
            occurrence.ends_at = occurrence.starts_at + duration
        if occurrence.ends_at > now:
            occurrence.capacity = event.capacity
        occurrence.save(update_fields=["ends_at", "capacity"])
    EventOccurrence.objects.bulk_create(to_create, ignore_conflicts=True)
    for start, occurrence in existing.items():
        if start in wanted or occurrence.starts_at <= now:
            continue  # kept, or begun: history stays as it was
        if occurrence.registrations.exclude(status=Registration.Status.CANCELLED).exists():
            _cancel_occurrence(occurrence, now=now)
        else:
            occurrence.delete()


@transaction.atomic
def event_occurrences_extend(*, now: dt.datetime | None = None) -> int:
    """Create the dates of recurring events that came within the horizon. Idempotent (the
    (event, planned start) pair is unique); run daily by beat. Returns dates created."""
    now = now or timezone.now()
    created = 0
    events = Event.objects.exclude(recurrence="").exclude(status=Event.Status.CANCELLED)
    for event in events.order_by("pk").iterator():
        duration = event.ends_at - event.starts_at
        starts = rule_starts(
            rule=event.recurrence, first_start=event.starts_at, after=now, until=now + HORIZON
        )
        made = EventOccurrence.objects.bulk_create(
            [
                EventOccurrence(
                    event=event,
                    original_start=start,
                    starts_at=start,
                    ends_at=start + duration,
                    capacity=event.capacity,
                )
                for start in starts
            ],
            ignore_conflicts=True,
        )
        created += sum(1 for o in made if o.pk)
    return created


@transaction.atomic
def event_publish(*, actor: User, event: Event) -> Event:
    """Make a draft event public (its dates appear on the collective's page and feeds)."""
    require(can_organise(actor, event.collective))
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError(
            _("A cancelled event cannot be published again."), code="event_cancelled"
        )
    if event.status == Event.Status.DRAFT:
        event.status = Event.Status.PUBLISHED
        event.published_at = timezone.now()
        event.save(update_fields=["status", "published_at", "updated_at"])
    return event


@transaction.atomic
def event_unpublish(*, actor: User, event: Event) -> Event:
    """Take a published event back to draft — only while nobody registered."""
    require(can_organise(actor, event.collective))
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != Event.Status.PUBLISHED:
        return event
    if (
        Registration.objects.filter(occurrence__event=event)
        .exclude(status=Registration.Status.CANCELLED)
        .exists()
    ):
        raise ValidationError(
            _("People have registered: cancel the event instead, so they are told."),
            code="has_registrations",
        )
    event.status = Event.Status.DRAFT
    event.published_at = None
    event.save(update_fields=["status", "published_at", "updated_at"])
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: Event, reason: str = "") -> Event:
    """Cancel the whole event. It stays visible as cancelled (and in the iCal feed with
    STATUS:CANCELLED, so calendars drop it); everyone registered for a date to come gets a
    cancellation notice."""
    require(can_organise(actor, event.collective))
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == Event.Status.CANCELLED:
        return event
    now = timezone.now()
    was_published = event.status == Event.Status.PUBLISHED
    event.status = Event.Status.CANCELLED
    event.cancelled_at = now
    event.published_at = event.published_at or now
    event.cancellation_reason = reason
    event.save(
        update_fields=[
            "status",
            "cancelled_at",
            "published_at",
            "cancellation_reason",
            "updated_at",
        ]
    )
    if was_published:
        _queue_cancellation_notices(
            Registration.objects.filter(occurrence__event=event, occurrence__ends_at__gt=now)
        )
    return event


@transaction.atomic
def occurrence_cancel(*, actor: User, occurrence: EventOccurrence) -> EventOccurrence:
    """Cancel one date of an event (« pas de marché le 25 décembre »); its registrants are
    told. The date stays, cancelled, so calendars show the exception."""
    require(can_organise(actor, occurrence.event.collective))
    occurrence = EventOccurrence.objects.select_for_update().get(pk=occurrence.pk)
    if occurrence.status == EventOccurrence.Status.CANCELLED:
        return occurrence
    return _cancel_occurrence(occurrence, now=timezone.now())


def _cancel_occurrence(occurrence: EventOccurrence, *, now: dt.datetime) -> EventOccurrence:
    occurrence.status = EventOccurrence.Status.CANCELLED
    occurrence.cancelled_at = now
    occurrence.save(update_fields=["status", "cancelled_at"])
    if occurrence.event.status == Event.Status.PUBLISHED:
        _queue_cancellation_notices(occurrence.registrations.all())
    return occurrence


@transaction.atomic
def occurrence_restore(*, actor: User, occurrence: EventOccurrence) -> EventOccurrence:
    """Undo the cancellation of one date (registrations cancelled with it stay cancelled)."""
    require(can_organise(actor, occurrence.event.collective))
    occurrence = EventOccurrence.objects.select_for_update().get(pk=occurrence.pk)
    occurrence.status = EventOccurrence.Status.SCHEDULED
    occurrence.cancelled_at = None
    occurrence.save(update_fields=["status", "cancelled_at"])
    return occurrence


@transaction.atomic
def occurrence_move(
    *, actor: User, occurrence: EventOccurrence, starts_at: dt.datetime, ends_at: dt.datetime
) -> EventOccurrence:
    """Move one date (« le marché du 14 juillet a lieu le 13 »). The date keeps the start
    its rule gave, so calendars replace that one instance; registrations carry over."""
    require(can_organise(actor, occurrence.event.collective))
    if ends_at <= starts_at:
        raise ValidationError(
            {"ends_at": _("The end must come after the start.")}, code="ends_before_start"
        )
    occurrence = EventOccurrence.objects.select_for_update().get(pk=occurrence.pk)
    occurrence.starts_at, occurrence.ends_at = starts_at, ends_at
    occurrence.save(update_fields=["starts_at", "ends_at"])
    return occurrence


def _queue_cancellation_notices(registrations: Any) -> None:
    """Cancel the live registrations given (freeing nothing: the date is off) and e-mail
    each person once, after commit."""
    from collectives.tasks import send_cancellation_notice

    now = timezone.now()
    live = list(
        registrations.exclude(status=Registration.Status.CANCELLED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not live:
        return
    Registration.objects.filter(pk__in=live).update(
        status=Registration.Status.CANCELLED, cancelled_at=now
    )
    EventOccurrence.objects.filter(registrations__pk__in=live).update(seats_taken=0)
    for registration_id in live:
        transaction.on_commit(
            lambda registration_id=registration_id: send_cancellation_notice.delay(registration_id)
        )


# --- Participating shops and featured products ---------------------------------------------


@transaction.atomic
def event_participation_invite(
    *, actor: User, event: Event, merchants: Iterable[Merchant]
) -> list[EventParticipation]:
    """Ask member shops to take part. Only active members; a shop already asked keeps its
    answer (asking again a shop that declined asks it anew)."""
    require(can_organise(actor, event.collective))
    wanted = {m.pk for m in merchants}
    members = set(
        Membership.objects.filter(
            collective=event.collective, status=Membership.Status.ACTIVE, merchant_id__in=wanted
        ).values_list("merchant_id", flat=True)
    )
    if wanted - members:
        raise ValidationError(
            _("Only member shops of the collective can take part."), code="not_member"
        )
    EventParticipation.objects.bulk_create(
        [EventParticipation(event=event, merchant_id=pk) for pk in sorted(members)],
        ignore_conflicts=True,
    )
    EventParticipation.objects.filter(
        event=event, merchant_id__in=members, status=EventParticipation.Status.DECLINED
    ).update(status=EventParticipation.Status.INVITED, answered_at=None)
    return list(
        EventParticipation.objects.filter(event=event, merchant_id__in=members).order_by("pk")
    )


@transaction.atomic
def event_participation_answer(
    *, actor: User, participation: EventParticipation, accept: bool
) -> EventParticipation:
    """The shop says it takes part, or not (it may change its mind until the event)."""
    require(can_manage_merchant(actor, participation.merchant))
    participation = EventParticipation.objects.select_for_update().get(pk=participation.pk)
    participation.status = (
        EventParticipation.Status.ACCEPTED if accept else EventParticipation.Status.DECLINED
    )
    participation.answered_at = timezone.now()
    participation.save(update_fields=["status", "answered_at"])
    return participation


@transaction.atomic
def event_participation_remove(*, actor: User, participation: EventParticipation) -> None:
    """The organisers withdraw their invitation."""
    require(can_organise(actor, participation.event.collective))
    participation.delete()


@transaction.atomic
def event_set_featured_products(*, actor: User, event: Event, products: Iterable[Product]) -> Event:
    """Choose the products the event page shows: published products of member shops."""
    require(can_organise(actor, event.collective))
    wanted = {p.pk for p in products}
    allowed = set(
        Product.objects.published()
        .for_collective(event.collective)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    if wanted - allowed:
        raise ValidationError(
            _("Only published products of member shops can be featured."),
            code="product_not_member",
        )
    event.featured_products.set(sorted(allowed))
    return event
