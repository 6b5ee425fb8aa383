"""The shared vocabulary of permission checks: every app's ``permissions.py`` returns booleans,
services turn a False into an exception with :func:`require`."""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts.models import User

# Whoever makes a request: selectors and permission checks accept visitors too.
Actor: TypeAlias = User | AnonymousUser


def require(allowed: bool, message: str = "") -> None:
    """Raise :class:`PermissionDenied` unless ``allowed``; views turn it into a 403."""
    if not allowed:
        raise PermissionDenied(message)
