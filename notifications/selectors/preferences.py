"""What people chose: the mode of each kind for a person, for many people at once, and
who opted out of a collective's newsletter."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from accounts.models import User
from notifications.kinds import KINDS, OFF, Kind, Mode
from notifications.models import Preference
from notifications.unsubscribe import NEWSLETTER_PREFIX, TOPIC_ALL, newsletter_topic


def chosen_modes(user: User) -> dict[str, str]:
    """Every choice ``user`` made, by kind or topic (one query)."""
    return dict(Preference.objects.filter(user=user).values_list("kind", "mode"))


def effective_mode(user: User, kind: Kind) -> Mode:
    """How ``user`` gets ``kind`` now: their choice, « all off », or the default (one
    query; none for a transactional kind)."""
    if kind.transactional:
        return kind.mode_for(None)
    chosen = dict(
        Preference.objects.filter(user=user, kind__in=[kind.name, TOPIC_ALL]).values_list(
            "kind", "mode"
        )
    )
    if chosen.get(TOPIC_ALL) == OFF:
        return OFF
    return kind.mode_for(chosen.get(kind.name))


def effective_modes(user_ids: Iterable[int], kind: Kind) -> dict[int, Mode]:
    """:func:`effective_mode` for many people in one query (a fan-out's batch)."""
    ids = list(user_ids)
    modes: dict[int, Mode] = {pk: kind.mode_for(None) for pk in ids}
    if kind.transactional or not ids:
        return modes
    chosen: dict[int, dict[str, str]] = {}
    for user_id, name, mode in Preference.objects.filter(
        user_id__in=ids, kind__in=[kind.name, TOPIC_ALL]
    ).values_list("user_id", "kind", "mode"):
        chosen.setdefault(user_id, {})[name] = mode
    for user_id, choices in chosen.items():
        modes[user_id] = (
            OFF if choices.get(TOPIC_ALL) == OFF else kind.mode_for(choices.get(kind.name))
        )
    return modes


def opted_out_of_newsletter(collective_id: int) -> QuerySet[Preference, int]:
    """The ids of the people who want no newsletter from this collective (or no e-mail
    but the transactional ones): a subquery for the newsletter's fan-out, e.g.
    ``followers.exclude(pk__in=opted_out_of_newsletter(c.pk))``."""
    return Preference.objects.filter(
        kind__in=[newsletter_topic(collective_id), TOPIC_ALL], mode=OFF
    ).values_list("user_id", flat=True)


def audiences(user: User) -> list[str]:
    """Whom the person is to Halle: a customer always, and a shop's team member or a
    collective's organiser if they are (two queries). The preferences page shows the kinds
    of these audiences only."""
    found = ["customer"]
    if user.merchant_memberships.exists():
        found.append("shop")
    if user.organiser_roles.exists():
        found.append("organiser")
    return found


def preference_page(user: User) -> dict[str, object]:
    """Everything the preferences page shows: the person's choices (by kind or topic), the
    kinds of their audiences, and the collectives whose newsletter they turned off
    (four queries)."""
    from collectives.models import Collective

    chosen = chosen_modes(user)
    shown = audiences(user)
    collective_ids = [
        int(topic.removeprefix(NEWSLETTER_PREFIX))
        for topic, mode in chosen.items()
        if topic.startswith(NEWSLETTER_PREFIX) and mode == OFF
    ]
    return {
        "chosen": chosen,
        "kinds": [kind for kind in KINDS.values() if kind.audience in shown],
        "all_off": chosen.get(TOPIC_ALL) == OFF,
        "newsletters_off": list(Collective.objects.filter(pk__in=collective_ids).order_by("name"))
        if collective_ids
        else [],
    }
