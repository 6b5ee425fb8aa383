"""The shared vocabulary of permission checks: every app's ``permissions.py`` returns booleans,
services turn a False into an exception with :func:`require`."""

from django.core.exceptions import PermissionDenied


def require(allowed: bool, message: str = "") -> None:
    """Raise :class:`PermissionDenied` unless ``allowed``; views turn it into a 403."""
    if not allowed:
        raise PermissionDenied(message)
