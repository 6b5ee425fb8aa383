"""The collectives app's models, one module per concept; import them from here.

- ``collectives``: collectives, memberships of shops, organisers, invitations by e-mail;
- ``events``: events (market days, workshops, live sale sessions…), their dates,
  participating shops, registrations and live line-ups;
- ``selections``: the organisers' curated lists of member products;
- ``follows``: customers following shops and collectives.
"""

from collectives.models.collectives import (
    Collective,
    CollectiveInvitation,
    Membership,
    Organiser,
)
from collectives.models.events import (
    Event,
    EventOccurrence,
    EventParticipation,
    EventPhoto,
    LineupItem,
    Registration,
)
from collectives.models.follows import Follow
from collectives.models.selections import Selection, SelectionItem, SelectionPhoto

__all__ = [
    "Collective",
    "CollectiveInvitation",
    "Event",
    "EventOccurrence",
    "EventParticipation",
    "EventPhoto",
    "Follow",
    "LineupItem",
    "Membership",
    "Organiser",
    "Registration",
    "Selection",
    "SelectionItem",
    "SelectionPhoto",
]
