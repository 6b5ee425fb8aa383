"""Writing a notification's e-mail: plain text and HTML, in the recipient's language, with
the one-click unsubscribe link and headers (RFC 2369 ``List-Unsubscribe``, RFC 8058
``List-Unsubscribe-Post``)."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from accounts.models import User
from notifications.kinds import Kind, get_kind
from notifications.models import Notification
from notifications.unsubscribe import unsubscribe_url


def template_context(kind: Kind, stored: dict[str, Any]) -> dict[str, Any] | None:
    """The templates' context from a notification's stored context: through the kind's
    loader when it has one (``None``: the notice no longer applies), else as stored."""
    if not kind.context:
        return _with_times(stored)
    loaded = import_string(kind.context)(stored)
    return None if loaded is None else dict(loaded)


def _with_times(stored: dict[str, Any]) -> dict[str, Any]:
    """The stored context, its ``*_at`` values (ISO 8601 in JSON) as datetimes in Paris."""
    context = dict(stored)
    for key, value in stored.items():
        if key.endswith("_at") and isinstance(value, str):
            with contextlib.suppress(ValueError):  # not a time after all: left as written
                context[key] = timezone.localtime(dt.datetime.fromisoformat(value))
    return context


def site_url(path: str) -> str:
    """``path`` on Halle as an absolute URL (``settings.SITE_URL``)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


def localised_path(path: str, language: str) -> str:
    """``path`` (a page of Halle in any language) in ``language`` — ``/en/…`` or not."""
    if not path:
        return path
    # Resolve it as a path of the default language (no prefix), then reverse it in the
    # other: translate_url() resolves with the active language's prefix only.
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE and path.startswith(f"/{code}/"):
            path = path[len(code) + 1 :]
            break
    with translation.override(settings.LANGUAGE_CODE):
        return translate_url(path, language)


def address_of(user: User) -> str:
    """Where a person's notices go."""
    return user.notification_email or user.email


def unsubscribe_headers(url: str) -> dict[str, str]:
    """The headers that let a mail client offer « unsubscribe » in one click."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _language(user: User) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def compose(
    *,
    user: User,
    templates: str,
    context: dict[str, Any],
    unsubscribe_topic: str | None,
) -> EmailMultiAlternatives:
    """An e-mail to ``user`` from ``<templates>_subject.txt``, ``<templates>.txt`` and
    (if it exists) ``<templates>.html``, wrapped in the layout with the unsubscribe link
    (none for a transactional message: ``unsubscribe_topic=None``). Call it with the
    recipient's language active."""
    unsubscribe = unsubscribe_url(user, unsubscribe_topic) if unsubscribe_topic else ""
    full = {
        **context,
        "recipient": user,
        "site_url": settings.SITE_URL.rstrip("/"),
        "unsubscribe_url": unsubscribe,
        "preferences_url": site_url(reverse("notifications:preferences")),
    }
    subject = " ".join(render_to_string(f"{templates}_subject.txt", full).split())
    body = render_to_string(f"{templates}.txt", full)
    text = render_to_string("notifications/emails/layout.txt", {**full, "body": body})
    try:
        html = get_template(f"{templates}.html").render({**full, "subject": subject})
    except TemplateDoesNotExist:
        html = render_to_string(
            "notifications/emails/layout.html", {**full, "subject": subject, "body": body}
        )
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [address_of(user)],
        headers=unsubscribe_headers(unsubscribe) if unsubscribe else None,
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_message(notification: Notification) -> EmailMultiAlternatives | None:
    """The e-mail of one notification (its recipient loaded), or ``None`` when its kind's
    loader says it no longer applies."""
    kind = get_kind(notification.kind)
    user = notification.recipient
    with translation.override(_language(user)):
        context = template_context(kind, notification.context)
        if context is None:
            return None
        if notification.link:
            context.setdefault("link", site_url(localised_path(notification.link, _language(user))))
        return compose(
            user=user,
            templates=kind.templates,
            context={**context, "notification": notification},
            unsubscribe_topic=None if kind.transactional else kind.name,
        )
