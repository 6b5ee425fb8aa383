"""The in-app inbox (/notifications/): the list, marking read, and the unread count that
the bell of the site header fetches with htmx (/notifications/non-lues/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from notifications.emails import localised_path
from notifications.selectors.inbox import inbox, own_notification, unread_count
from notifications.services.inbox import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 30


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _back(request: HttpRequest) -> str:
    """Where a form without JavaScript comes back to: a safe ``next``, else the inbox."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("notifications:inbox")


@login_required
@require_GET
def inbox_list(request: HttpRequest) -> HttpResponse:
    """The person's notifications, newest first, 30 a page (two queries whatever their
    number: the count and the page)."""
    page = Paginator(inbox(_user(request)), PAGE_SIZE).get_page(request.GET.get("page"))
    language = get_language()
    for notification in page.object_list:
        # The stored link is in the language of the moment it was written.
        notification.href = localised_path(notification.link, language)  # type: ignore[attr-defined]
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "notifications": page.object_list},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; ``open`` also goes to what it is about. With htmx, the
    entry is re-rendered in place."""
    notification = own_notification(_user(request), pk)
    if notification is None:
        raise Http404
    notification_mark_read(actor=_user(request), notification=notification)
    if request.POST.get("open") and notification.link:
        return redirect(localised_path(notification.link, get_language()))
    if getattr(request, "htmx", False):
        notification.href = localised_path(notification.link, get_language())  # type: ignore[attr-defined]
        return render(request, "notifications/_entry.html", {"notification": notification})
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    """Mark every notification of the person read."""
    notifications_mark_all_read(actor=_user(request))
    return redirect(_back(request))


@never_cache
@require_GET
def unread(request: HttpRequest) -> HttpResponse:
    """The unread count of the bell (a fragment, fetched on load and every minute). Empty
    for a visitor, whose session may have ended since the page was shown."""
    count = unread_count(request.user) if isinstance(request.user, User) else 0
    return render(request, "notifications/_unread.html", {"unread_count": count})
