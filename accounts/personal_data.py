"""What Halle holds about a person, for « Mon compte »: export it, erase it.

``accounts`` is upstream of every other app and may not import their models, yet a person's
data lives in all of them (reservations in orders, registrations in collectives…). So each
app that holds personal data describes its share in its own ``personal_data.py`` and plugs it
in here from its ``AppConfig.ready()`` with :func:`register`:

- ``export(user)`` returns the section of the JSON download (plain data; datetimes, dates and
  decimals are turned into ISO strings and strings by :func:`export_user_data`);
- ``erase(user)`` removes or anonymises the app's rows of that person, through the app's own
  services where there is a rule to keep (a cancelled registration gives its seat to the
  waiting list, a cancelled reservation gives its stock back);
- ``check(user)`` (optional) returns why the account cannot be deleted now, in words the
  person can act on (« you are the only owner of a shop »), or nothing.

:func:`accounts.services.account_delete` runs every check, then every eraser, then deletes the
user row, all in one transaction: a refusal or a failure changes nothing.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.functional import Promise

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Section:
    """One app's share of a person's data (see the module's docstring)."""

    name: str
    export: Callable[[User], Any]
    erase: Callable[[User], None]
    check: Callable[[User], list[str]] | None
    order: int


_sections: dict[str, Section] = {}


def register(
    section: str,
    *,
    export: Callable[[User], Any],
    erase: Callable[[User], None],
    check: Callable[[User], list[str]] | None = None,
    order: int = 100,
) -> None:
    """Plug an app's share of personal data in; called from ``AppConfig.ready()``.

    ``section`` names the key of the export (``"reservations"``); ``order`` sorts the
    sections in the export and the erasers when an account is deleted (lower first).
    Registering a name again replaces it (``ready()`` may run twice in tests)."""
    _sections[section] = Section(section, export, erase, check, order)


def sections() -> list[Section]:
    """Every registered section, in order."""
    return sorted(_sections.values(), key=lambda s: (s.order, s.name))


def export_user_data(user: User) -> dict[str, Any]:
    """Everything Halle holds about ``user``, section by section, ready for ``json.dumps``."""
    data: dict[str, Any] = {
        "format": "halle-personal-data/1",
        "exported_at": _plain(timezone.now()),
    }
    for section in sections():
        data[section.name] = _plain(section.export(user))
    return data


def deletion_refusals(user: User) -> list[str]:
    """Why ``user``'s account cannot be deleted now (empty when it can)."""
    refusals: list[str] = []
    for section in sections():
        if section.check is not None:
            refusals.extend(str(message) for message in section.check(user))
    return refusals


def iso(value: dt.datetime | dt.date | None) -> str | None:
    """A datetime as ISO 8601 in Paris time (with its offset), a date as ``YYYY-MM-DD``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _plain(value: Any) -> Any:
    """``value`` with only what JSON has: datetimes and dates as ISO strings, decimals as
    strings (« 12.50 », never a float), lazy translations as text."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, dt.datetime | dt.date):
        return iso(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Promise | uuid.UUID):
        return str(value)
    return value


# --- The account's own section -------------------------------------------------------------


def export_profile(user: User) -> dict[str, Any]:
    """The account itself: log-in and notification addresses, name, language, dates."""
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    return {
        "email": user.email,
        "display_name": user.display_name,
        "preferred_language": user.preferred_language,
        "notification_email": user.notification_email,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary} for a in addresses
        ],
    }


def erase_profile(user: User) -> None:
    """The addresses allauth keeps for log-in and confirmation (the user row itself goes last,
    in :func:`accounts.services.account_delete`)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).delete()
