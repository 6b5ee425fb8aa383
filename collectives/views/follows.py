"""« Mon fil » and the « Suivre » buttons of shop and collective pages.

The buttons are POST forms that work without JavaScript (the page comes back with a
message); with htmx, the answer is the button alone, swapped in place. A visitor who is not
logged in is sent to log in, then back to the page the button was on.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import User
from collectives.models import Collective
from collectives.selectors.follows import (
    collective_to_follow,
    collectives_to_follow,
    feed_for,
    shop_to_follow,
)
from collectives.services.follows import (
    follow_collective,
    follow_shop,
    unfollow_collective,
    unfollow_shop,
)
from merchants.models import Merchant

SHOP, COLLECTIVE = "shop", "collective"
# The query parameter of the « older » link: the cursor of the page's last item.
CURSOR_PARAM = "avant"


@require_GET
@login_required
def feed(request: HttpRequest) -> HttpResponse:
    """« Mon fil »: what the person follows published, newest first, a page at a time."""
    assert isinstance(request.user, User)
    cursor = request.GET.get(CURSOR_PARAM, "")
    page = feed_for(actor=request.user, older_than=cursor)
    # Suggestions only where the feed is empty from the start, not at the end of the story.
    suggestions = [] if page.items or cursor else collectives_to_follow(actor=request.user)
    return render(
        request,
        "collectives/follows/feed.html",
        {
            "feed": page,
            "is_older_page": bool(cursor),
            "older_url": f"?{CURSOR_PARAM}={page.older}" if page.older else "",
            "suggestions": suggestions,
        },
    )


@require_POST
def shop_follow(request: HttpRequest, slug: str) -> HttpResponse:
    return _answer(request, SHOP, slug, follow=True)


@require_POST
def shop_unfollow(request: HttpRequest, slug: str) -> HttpResponse:
    return _answer(request, SHOP, slug, follow=False)


@require_POST
def collective_follow(request: HttpRequest, slug: str) -> HttpResponse:
    return _answer(request, COLLECTIVE, slug, follow=True)


@require_POST
def collective_unfollow(request: HttpRequest, slug: str) -> HttpResponse:
    return _answer(request, COLLECTIVE, slug, follow=False)


def _target_page(kind: str, slug: str) -> str:
    if kind == SHOP:
        return reverse("catalog:shop", kwargs={"slug": slug})
    return reverse("collectives:detail", kwargs={"slug": slug})


def _back(request: HttpRequest, kind: str, slug: str) -> str:
    """The page the button was on (the form's ``next``), if it is one of ours; else the
    shop's or collective's page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return _target_page(kind, slug)


def _answer(request: HttpRequest, kind: str, slug: str, *, follow: bool) -> HttpResponse:
    """Follow or unfollow, then answer: the button alone for htmx, else back to the page."""
    back = _back(request, kind, slug)
    if not request.user.is_authenticated:
        login = redirect_to_login(back)
        # htmx would swap the log-in page into the button: have the browser go there.
        return HttpResponseClientRedirect(login.url) if request.htmx else login  # type: ignore[attr-defined]
    assert isinstance(request.user, User)
    target: Merchant | Collective | None
    if kind == SHOP:
        target = shop_to_follow(actor=request.user, slug=slug)
    else:
        target = collective_to_follow(actor=request.user, slug=slug)
    if target is None:
        raise Http404
    error = ""
    try:
        following = _apply(request.user, target, follow=follow)
    except ValidationError as exc:
        error = " ".join(exc.messages)
        following = False
    if request.htmx:  # type: ignore[attr-defined]
        context: dict[str, Any] = {
            "target": target,
            "kind": kind,
            "following": following,
            "next": back,
            "error": error,
        }
        return render(request, "collectives/follows/_button.html", context)
    if error:
        messages.error(request, error)
    elif following:
        messages.success(
            request,
            _("You now follow %(name)s: its news will appear in your feed.")
            % {"name": target.name},
        )
    else:
        messages.success(request, _("You no longer follow %(name)s.") % {"name": target.name})
    return HttpResponseRedirect(back)


def _apply(actor: User, target: Merchant | Collective, *, follow: bool) -> bool:
    """Call the service for the target's kind; whether the actor now follows it."""
    if isinstance(target, Merchant):
        if follow:
            follow_shop(actor=actor, merchant=target)
        else:
            unfollow_shop(actor=actor, merchant=target)
    elif follow:
        follow_collective(actor=actor, collective=target)
    else:
        unfollow_collective(actor=actor, collective=target)
    return follow
