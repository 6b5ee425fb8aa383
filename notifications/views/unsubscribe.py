"""One-click unsubscribing from an e-mail (/notifications/desabonnement/<token>/).

GET shows what the link stops, with a button; POST stops it. RFC 8058: a mail client posts
``List-Unsubscribe=One-Click`` to the URL of the ``List-Unsubscribe`` header, without a
session or a CSRF token — so this view alone is exempt from CSRF. The signed token is the
proof (notifications.unsubscribe): it cannot be forged, and all it can do is stop e-mails
to the person it names.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications.kinds import KINDS
from notifications.services.preferences import unsubscribe
from notifications.unsubscribe import NEWSLETTER_PREFIX, read_unsubscribe_token

TEMPLATES = "notifications/unsubscribe/"


def _topic_context(topic: str) -> dict[str, object]:
    """What the page says the link stops."""
    from collectives.models import Collective

    context: dict[str, object] = {"topic": topic}
    if topic.startswith(NEWSLETTER_PREFIX):
        context["collective"] = Collective.objects.filter(
            pk=int(topic.removeprefix(NEWSLETTER_PREFIX))
        ).first()
    elif topic in KINDS:
        context["kind"] = KINDS[topic]
    return context


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm (GET) or do (POST) the unsubscription a signed link names; no log-in. A
    token that was tampered with, or names an account that is gone, gets a 404."""
    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, TEMPLATES + "invalid.html", status=404)
    user_id, topic = found
    context = _topic_context(topic)
    if request.method == "POST":
        if unsubscribe(user_id=user_id, topic=topic) is None:
            return render(request, TEMPLATES + "invalid.html", status=404)
        return render(request, TEMPLATES + "done.html", context)
    return render(request, TEMPLATES + "confirm.html", context)
