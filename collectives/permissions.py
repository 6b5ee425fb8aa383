"""Who may do what in a collective."""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django_htmx.middleware import HtmxDetails

from accounts.models import User
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


class OrganiserRequest(HttpRequest):
    """A request as an organiser-space view receives it: ``organiser_required`` has logged the
    user in and set the collective and their role (``admin``/``organiser``). (Typing only.)"""

    user: User
    collective: Collective
    organiser_role: str
    htmx: HtmxDetails


def organiser_required(
    *, admin: bool = False
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Decorate a view of the organiser space, routed as ``…/<slug:collective_slug>/…``.

    The visitor must be logged in (else the log-in page) and organise the collective (else
    404 — its existence is not revealed); ``admin=True`` actions (publishing, editing the page,
    managing organisers) answer 403 to a plain organiser. The view receives
    ``request.collective`` and ``request.organiser_role`` instead of the slug.
    """

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @functools.wraps(view)
        def wrapper(
            request: HttpRequest, collective_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponseBase:
            from collectives.selectors import organiser_seat

            seat = organiser_seat(actor=request.user, slug=collective_slug)
            if admin and seat.role != Organiser.Role.ADMIN:
                raise PermissionDenied
            request.collective = seat.collective  # type: ignore[attr-defined]
            request.organiser_role = seat.role  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
