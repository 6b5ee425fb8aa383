"""Who may do what in a collective."""

from accounts.permissions import Actor
from collectives.models import Collective, Organiser


def organiser_role(user: Actor, collective: Collective) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        Organiser.objects.filter(user=user, collective=collective)
        .values_list("role", flat=True)
        .first()
    )


def can_organise(user: Actor, collective: Collective) -> bool:
    """Organisers and admins run events, selections, invitations and requests."""
    return organiser_role(user, collective) is not None


def can_administer(user: Actor, collective: Collective) -> bool:
    """Admins also manage the organisers themselves."""
    return organiser_role(user, collective) == Organiser.Role.ADMIN
