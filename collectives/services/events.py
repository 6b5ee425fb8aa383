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
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
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
from collectives.recurrence import HORIZON, check_first_start, normalise_rule, rule_starts
from collectives.services.live import validate_stream_url
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


def _webhook(event_type: str, event: Event) -> None:
    """Tell the collective's webhooks (partners is downstream: imported where used)."""
    from partners.services.webhooks import emit_event

    emit_event(event_type=event_type, event=event)


def _webhook_if_public(event: Event) -> None:
    """A change to a published event (or one of its dates) is news for partner sites."""
    if event.status == Event.Status.PUBLISHED:
        _webhook("event.updated", event)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - EDITABLE_FIELDS - {"cover"}
    if unknown:
        raise TypeError(f"unexpected event fields: {sorted(unknown)}")


def _validate(event: Event, cover: Any) -> None:
    """Model rules plus those that span fields, all reported at once, each on its field."""
    errors: dict[str, list[ValidationError]] = {}
    # Times are entered to the minute; dateutil drops microseconds, and a date's planned
    # start must equal the one the rule gives.
    if event.starts_at:
        event.starts_at = event.starts_at.replace(microsecond=0)
    if event.ends_at:
        event.ends_at = event.ends_at.replace(microsecond=0)
    try:
        event.recurrence = normalise_rule(event.recurrence)
        if event.starts_at:
            check_first_start(rule=event.recurrence, first_start=event.starts_at)
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
    if event.stream_url:
        try:
            validate_stream_url(event.stream_url)
        except ValidationError as error:
            for field, messages in error.error_dict.items():
                errors.setdefault(field, []).extend(messages)
    if event.is_online and not (event.online_url or event.stream_url):
        errors.setdefault("online_url", []).append(
            ValidationError(_("Give the link of the online event."), code="online_needs_link")
        )
    if not event.is_online and not (event.place_name or event.street):
        errors.setdefault("place_name", []).append(
            ValidationError(_("Say where the event takes place."), code="place_required")
        )
    if event.capacity is not None and event.capacity < 1:
        errors.setdefault("capacity", []).append(
            ValidationError(
                _("Give at least one seat, or leave empty for no limit."), code="capacity_positive"
            )
        )
    if (event.latitude is None) != (event.longitude is None):
        missing = "latitude" if event.latitude is None else "longitude"
        errors.setdefault(missing, []).append(
            ValidationError(
                _("Give both the latitude and the longitude, or neither."), code="pin_pair"
            )
        )
    try:
        # The table's CHECKs are the last line of defence; the rules above say the same
        # next to the field concerned, where a constraint would only say its name.
        event.full_clean(exclude=["collective", "slug"], validate_constraints=False)
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
    _sync_occurrences(event, [], now=timezone.now())
    if cover:
        _set_cover(event, cover)
    return event


@transaction.atomic
def event_update(*, actor: User, event: Event, cover: Any = None, **fields: Any) -> Event:
    """Change an event. A new start, end or rule re-plans its future dates: dates the rule no
    longer gives are cancelled if people registered (they are told) or removed otherwise;
    dates moved one by one keep their own times; dates that began stay as they were. A
    smaller capacity is refused below the seats already taken on a date to come; a larger
    one gives seats to the waiting list."""
    require(can_organise(actor, event.collective))
    _check_fields(fields)
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = {name: getattr(event, name) for name in EDITABLE_FIELDS}
    for name, value in fields.items():
        setattr(event, name, value)
    _validate(event, cover)
    changed = {name for name in EDITABLE_FIELDS if getattr(event, name) != before[name]}
    now = timezone.now()
    # The dates are locked before their seats are counted: a registration arriving now waits.
    occurrences = _lock_occurrences(event)
    if "capacity" in changed:
        _check_capacity(event, occurrences, now=now)
    event.save()
    if changed & _TIMING or "capacity" in changed:
        _sync_occurrences(event, occurrences, now=now, before=before)
    if cover:
        _set_cover(event, cover)
    if "capacity" in changed or ("registration_open" in changed and event.registration_open):
        from collectives.services.registrations import promote_waiting_list

        # Only the dates with people waiting (their locks are held already).
        waiting = (
            Registration.objects.filter(
                occurrence__event=event, status=Registration.Status.WAITLISTED
            )
            .values_list("occurrence_id", flat=True)
            .distinct()
        )
        for occurrence in EventOccurrence.objects.filter(pk__in=waiting).order_by("pk"):
            promote_waiting_list(occurrence)
    _webhook_if_public(event)
    return event


def _lock_occurrences(event: Event) -> list[EventOccurrence]:
    """Lock every date of the event, in primary-key order — the order every service takes
    them in, so two services locking several dates never deadlock."""
    return list(EventOccurrence.objects.select_for_update().filter(event=event).order_by("pk"))


def _check_capacity(event: Event, occurrences: list[EventOccurrence], *, now: dt.datetime) -> None:
    """Refuse a capacity below the seats already taken on a date not over yet."""
    if event.capacity is None:
        return
    crowded = sorted(
        (o for o in occurrences if o.ends_at > now and o.seats_taken > event.capacity),
        key=lambda o: o.starts_at,
    )
    if crowded:
        raise ValidationError(
            {
                "capacity": ValidationError(
                    _(
                        "%(count)s people already have a seat on %(date)s: the capacity "
                        "cannot be lower."
                    )
                    % {
                        "count": crowded[0].seats_taken,
                        "date": timezone.localtime(crowded[0].starts_at).strftime("%d/%m/%Y"),
                    },
                    code="capacity_below_registrations",
                )
            }
        )


def _new_occurrence(event: Event, start: dt.datetime) -> EventOccurrence:
    return EventOccurrence(
        event=event,
        original_start=start,
        starts_at=start,
        ends_at=start + (event.ends_at - event.starts_at),
        capacity=event.capacity,
    )


def _sync_occurrences(
    event: Event,
    occurrences: list[EventOccurrence],
    *,
    now: dt.datetime,
    before: dict[str, Any] | None = None,
) -> None:
    """Make the event's dates to come those of its start and rule, up to the horizon.

    ``occurrences`` are the event's dates, locked; ``before`` the event's editable fields
    before the change (``None`` for a new event)."""
    if not event.recurrence and not (before and before["recurrence"]):
        _sync_one_off(event, occurrences, now=now, before=before)
        return
    duration = event.ends_at - event.starts_at
    old_duration = before["ends_at"] - before["starts_at"] if before else duration
    # Dates under way count as to come: a market that opened this morning is not re-planned.
    wanted = set(
        rule_starts(
            rule=event.recurrence,
            first_start=event.starts_at,
            after=now - duration,
            until=now + HORIZON,
        )
    )
    existing = {o.original_start: o for o in occurrences}
    to_create, to_update = [], []
    for start in sorted(wanted):
        occurrence = existing.get(start)
        if occurrence is None:
            to_create.append(_new_occurrence(event, start))
            continue
        # A date moved by hand (other start, or other end) keeps its own times.
        as_planned = (
            occurrence.starts_at == occurrence.original_start
            and occurrence.ends_at == occurrence.original_start + old_duration
        )
        # A date that is over keeps its times and seats (the check on the capacity looked
        # at the dates not over, as they were before the change).
        if occurrence.ends_at > now:
            if as_planned:
                occurrence.ends_at = occurrence.starts_at + duration
            occurrence.capacity = event.capacity
            to_update.append(occurrence)
    EventOccurrence.objects.bulk_update(to_update, ["ends_at", "capacity"])
    EventOccurrence.objects.bulk_create(to_create)
    dropped = [
        o
        for start, o in existing.items()
        if start not in wanted and o.starts_at > now  # begun or past: history stays
    ]
    with_people = set(
        Registration.objects.filter(occurrence__in=dropped)
        .exclude(status=Registration.Status.CANCELLED)
        .values_list("occurrence_id", flat=True)
    )
    # A date that anything points to (a registration, or a reservation or group buy picked
    # up there — those tables PROTECT the date) is cancelled, never deleted.
    referenced = {
        o.pk
        for o in EventOccurrence.objects.filter(pk__in=[o.pk for o in dropped]).filter(
            Q(registrations__isnull=False)
            | Q(reservations__isnull=False)
            | Q(group_buys__isnull=False)
        )
    }
    for occurrence in dropped:
        if occurrence.pk in with_people or occurrence.pk in referenced:
            if occurrence.status != EventOccurrence.Status.CANCELLED:
                _cancel_occurrence(occurrence, now=now)
        else:
            occurrence.delete()


def _sync_one_off(
    event: Event,
    occurrences: list[EventOccurrence],
    *,
    now: dt.datetime,
    before: dict[str, Any] | None,
) -> None:
    """A one-off event has one date: editing the event moves it (registrations stay)."""
    old_start = before["starts_at"] if before else event.starts_at
    occurrence = next((o for o in occurrences if o.original_start == old_start), None)
    if occurrence is None and len(occurrences) == 1:
        occurrence = occurrences[0]
    if occurrence is None:
        if not any(o.original_start == event.starts_at for o in occurrences):
            _new_occurrence(event, event.starts_at).save()
        return
    timing_changed = before is None or any(
        before[name] != getattr(event, name) for name in ("starts_at", "ends_at")
    )
    if occurrence.ends_at > now:  # a date that is over keeps the seats it had
        occurrence.capacity = event.capacity
    if timing_changed:
        occurrence.original_start = occurrence.starts_at = event.starts_at
        occurrence.ends_at = event.ends_at
    occurrence.save(update_fields=["original_start", "starts_at", "ends_at", "capacity"])


def event_occurrences_extend(*, now: dt.datetime | None = None) -> int:
    """Create the dates of recurring events that came within the horizon; run daily by
    beat. Idempotent: only the dates missing are created. Returns how many were.

    Each event is extended in its own short transaction, with its row locked, so an
    organiser's edit of the rule at the same moment is never undone by dates of the old
    rule, and the task never holds every event's lock at once."""
    now = now or timezone.now()
    created = 0
    ids = (
        Event.objects.exclude(recurrence="")
        .exclude(status=Event.Status.CANCELLED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for event_id in list(ids):
        with transaction.atomic():
            event = (
                Event.objects.select_for_update()
                .exclude(recurrence="")
                .exclude(status=Event.Status.CANCELLED)
                .filter(pk=event_id)
                .first()
            )
            if event is None:
                continue
            starts = rule_starts(
                rule=event.recurrence, first_start=event.starts_at, after=now, until=now + HORIZON
            )
            if not starts:
                continue
            known = set(
                event.occurrences.filter(original_start__in=starts).values_list(
                    "original_start", flat=True
                )
            )
            missing = [_new_occurrence(event, start) for start in starts if start not in known]
            EventOccurrence.objects.bulk_create(missing)
            created += len(missing)
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
        _webhook("event.published", event)
        # The collective's followers hear of it (notifications, after commit).
        from notifications.services.follows import event_published

        event_published(event)
    return event


@transaction.atomic
def event_unpublish(*, actor: User, event: Event) -> Event:
    """Take a published event back to draft — only while nobody registered."""
    require(can_organise(actor, event.collective))
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status != Event.Status.PUBLISHED:
        return event
    _lock_occurrences(event)  # nobody registers between the count and the change
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
    _webhook("event.updated", event)  # partner sites take it down
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: Event, reason: str = "") -> Event:
    """Cancel the whole event. It stays visible as cancelled (and in the iCal feed with
    STATUS:CANCELLED, so calendars drop it); the registrations for dates not over are
    cancelled and each person registered gets one cancellation notice, however many
    dates they had."""
    require(can_organise(actor, event.collective))
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == Event.Status.CANCELLED:
        return event
    if event.status == Event.Status.DRAFT:
        # A cancelled event is shown to the public (so people who planned to come learn
        # it): a draft nobody saw has nothing to announce and stays a draft.
        raise ValidationError(
            _("This event was never published: there is nobody to tell. It stays a draft."),
            code="draft",
        )
    now = timezone.now()
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
    # Locked so that no registration slips in between the list and the cancellation.
    to_come = [o for o in _lock_occurrences(event) if o.ends_at > now]
    _queue_cancellation_notices(to_come, one_per_person=True)
    _webhook("event.cancelled", event)
    return event


@transaction.atomic
def occurrence_cancel(*, actor: User, occurrence: EventOccurrence) -> EventOccurrence:
    """Cancel one date of an event (« pas de marché le 25 décembre »); its registrants are
    told. The date stays, cancelled, so calendars show the exception. A date that is over
    cannot be cancelled."""
    require(can_organise(actor, occurrence.event.collective))
    # The event first, then its date: the order every service locks them in.
    Event.objects.select_for_update().filter(pk=occurrence.event_id).first()
    occurrence = (
        EventOccurrence.objects.select_for_update(of=("self",))
        .select_related("event")
        .get(pk=occurrence.pk)
    )
    if occurrence.status == EventOccurrence.Status.CANCELLED:
        return occurrence
    now = timezone.now()
    if occurrence.ends_at <= now:
        raise ValidationError(_("This date is over."), code="occurrence_over")
    _cancel_occurrence(occurrence, now=now)
    _webhook_if_public(occurrence.event)
    return occurrence


def _cancel_occurrence(occurrence: EventOccurrence, *, now: dt.datetime) -> EventOccurrence:
    """Mark a locked date cancelled and, for a published event, cancel its registrations
    and tell the people."""
    occurrence.status = EventOccurrence.Status.CANCELLED
    occurrence.cancelled_at = now
    occurrence.save(update_fields=["status", "cancelled_at"])
    _touch(occurrence.event_id)
    if occurrence.event.status == Event.Status.PUBLISHED:
        _queue_cancellation_notices([occurrence])
        occurrence.seats_taken = 0
    return occurrence


@transaction.atomic
def occurrence_restore(*, actor: User, occurrence: EventOccurrence) -> EventOccurrence:
    """Undo the cancellation of one date (registrations cancelled with it stay cancelled:
    their people were told, and may register again)."""
    require(can_organise(actor, occurrence.event.collective))
    Event.objects.select_for_update().filter(pk=occurrence.event_id).first()
    occurrence = EventOccurrence.objects.select_for_update().get(pk=occurrence.pk)
    if occurrence.status == EventOccurrence.Status.SCHEDULED:
        return occurrence
    if occurrence.ends_at <= timezone.now():
        raise ValidationError(_("This date is over."), code="occurrence_over")
    occurrence.status = EventOccurrence.Status.SCHEDULED
    occurrence.cancelled_at = None
    occurrence.save(update_fields=["status", "cancelled_at"])
    _touch(occurrence.event_id)
    _webhook_if_public(occurrence.event)
    return occurrence


def _touch(event_id: int) -> None:
    """A date changed: the event counts as changed, so calendars that subscribed to its
    feed see a higher SEQUENCE and LAST-MODIFIED (collectives.ical) and update the date."""
    Event.objects.filter(pk=event_id).update(updated_at=timezone.now())


@transaction.atomic
def occurrence_move(
    *, actor: User, occurrence: EventOccurrence, starts_at: dt.datetime, ends_at: dt.datetime
) -> EventOccurrence:
    """Move one date (« le marché du 14 juillet a lieu le 13 »). The date keeps the start
    its rule gave, so calendars replace that one instance; registrations carry over. The
    date of a one-off event is the event's: moving it moves the event. A date that is
    over stays where it was, and no date moves into the past."""
    require(can_organise(actor, occurrence.event.collective))
    starts_at, ends_at = starts_at.replace(microsecond=0), ends_at.replace(microsecond=0)
    now = timezone.now()
    if ends_at <= starts_at:
        raise ValidationError(
            {
                "ends_at": ValidationError(
                    _("The end must come after the start."), code="ends_before_start"
                )
            }
        )
    if starts_at <= now:
        raise ValidationError(
            {"starts_at": ValidationError(_("Choose a time to come."), code="in_past")}
        )
    # The event first, then its date: the order event_update and event_cancel lock them in.
    event = Event.objects.select_for_update().get(pk=occurrence.event_id)
    occurrence = EventOccurrence.objects.select_for_update().get(pk=occurrence.pk)
    if occurrence.ends_at <= now:
        raise ValidationError(_("This date is over."), code="occurrence_over")
    if not event.recurrence:
        event.starts_at, event.ends_at = starts_at, ends_at
        event.save(update_fields=["starts_at", "ends_at", "updated_at"])
        occurrence.original_start = starts_at
    moved_day = timezone.localdate(occurrence.starts_at) != timezone.localdate(starts_at)
    occurrence.starts_at, occurrence.ends_at = starts_at, ends_at
    occurrence.save(update_fields=["original_start", "starts_at", "ends_at"])
    _touch(event.pk)
    _webhook_if_public(event)
    if event.status == Event.Status.PUBLISHED:
        _tell_registrants_of_move(occurrence, moved_day=moved_day)
    return occurrence


def _tell_registrants_of_move(occurrence: EventOccurrence, *, moved_day: bool) -> None:
    """Everyone registered (or waiting) for a moved date is told its new time. On a new
    day the reminder is due again: it is for the day before the new date."""
    from notifications.services.notify import notify

    live = Registration.objects.filter(occurrence=occurrence).exclude(
        status=Registration.Status.CANCELLED
    )
    if moved_day:
        live.update(reminded_at=None)
    link = occurrence.event.get_absolute_url()
    for registration in live.select_related("user").order_by("pk"):
        notify(
            recipient=registration.user,
            kind="event.moved",
            context={"registration_id": registration.pk, "notice": "moved"},
            link=link,
        )


def _queue_cancellation_notices(
    occurrences: list[EventOccurrence], *, one_per_person: bool = False
) -> None:
    """Cancel the live registrations of these locked dates (freeing nothing: the dates are
    off) and e-mail each person once, after commit — once per registration, or once per
    person when the whole event is off (``one_per_person``)."""
    from collectives.tasks import send_cancellation_notice

    if not occurrences:
        return
    now = timezone.now()
    live = list(
        Registration.objects.filter(occurrence__in=occurrences)
        .exclude(status=Registration.Status.CANCELLED)
        .order_by("occurrence__starts_at", "pk")
        .values_list("pk", "user_id")
    )
    if not live:
        return
    Registration.objects.filter(pk__in=[pk for pk, _user in live]).update(
        status=Registration.Status.CANCELLED, cancelled_at=now
    )
    EventOccurrence.objects.filter(pk__in=[o.pk for o in occurrences]).update(seats_taken=0)
    told: set[int] = set()
    for registration_id, user_id in live:
        if one_per_person and user_id in told:
            continue
        told.add(user_id)
        transaction.on_commit(partial(send_cancellation_notice.delay, registration_id))


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
    """The shop's owner says it takes part, or not (it may change its mind): like joining
    the collective, it commits the shop. Only a shop still an active member can say yes."""
    require(can_manage_merchant(actor, participation.merchant))
    participation = (
        EventParticipation.objects.select_for_update(of=("self",))
        .select_related("event")
        .get(pk=participation.pk)
    )
    event = participation.event
    if (
        event.status == Event.Status.CANCELLED
        or not event.occurrences.filter(
            ends_at__gt=timezone.now(), status=EventOccurrence.Status.SCHEDULED
        ).exists()
    ):
        raise ValidationError(
            _("This event is over or cancelled: there is nothing to answer."), code="event_over"
        )
    if (
        accept
        and not Membership.objects.filter(
            collective_id=participation.event.collective_id,
            merchant_id=participation.merchant_id,
            status=Membership.Status.ACTIVE,
        ).exists()
    ):
        raise ValidationError(
            _("Only member shops of the collective can take part."), code="not_member"
        )
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
