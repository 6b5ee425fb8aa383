"""The public side of group buys (/achats-groupes/…): the open ones, a group buy's page
with its tiers, progress and the visitor's pledge, and the pledge buttons.

Pledging and withdrawing are POST forms that work without JavaScript (a redirect back to
the page with a message). The progress part of the page asks for itself again every
:data:`POLL_SECONDS` seconds through htmx, so a customer sees others' pledges arrive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from collectives.selectors.collectives import collective_for_public_page
from merchants.views.shop import attach_errors
from orders.forms.group_buys import PledgeForm
from orders.models import GroupBuy, Pledge, Source
from orders.selectors.group_buys import (
    Progress,
    actor_active_pledge,
    actor_pledge,
    actor_pledges,
    collectives_with_open_group_buys,
    group_buy_for_public_page,
    group_buy_progress,
    open_group_buys,
)
from orders.services.group_buys import pledge_place, pledge_withdraw

LIST_PAGE_SIZE = 30
# How often an open group buy's page refreshes its progress (seconds).
POLL_SECONDS = 15


def time_left(deadline: dt.datetime, now: dt.datetime | None = None) -> str:
    """« 2 days left », « 5 hours left », « Less than an hour left »; "" once it passed."""
    remaining = deadline - (now or timezone.now())
    if remaining <= dt.timedelta(0):
        return ""
    if remaining >= dt.timedelta(days=1):
        days = remaining.days
        return ngettext("%(count)s day left", "%(count)s days left", days) % {"count": days}
    hours = int(remaining.total_seconds() // 3600)
    if hours >= 1:
        return ngettext("%(count)s hour left", "%(count)s hours left", hours) % {"count": hours}
    return _("Less than an hour left")


@dataclass(frozen=True)
class GroupBuyCard:
    """A group buy as the list shows it."""

    group_buy: GroupBuy
    progress: Progress
    time_left: str
    my_pledge: Pledge | None


@require_GET
def group_buy_list(request: HttpRequest) -> HttpResponse:
    """The group buys open now, the soonest deadline first; ``?collectif=<slug>`` keeps those
    of one collective's member shops."""
    slug = request.GET.get("collectif", "")
    collective = collective_for_public_page(actor=request.user, slug=slug) if slug else None
    page = Paginator(
        open_group_buys(actor=request.user, collective=collective), LIST_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    group_buys = list(page.object_list)
    mine = actor_pledges(actor=request.user, group_buy_ids=[g.pk for g in group_buys])
    now = timezone.now()
    return render(
        request,
        "orders/group_buys/list.html",
        {
            "page": page,
            "cards": [
                GroupBuyCard(g, group_buy_progress(g), time_left(g.deadline, now), mine.get(g.pk))
                for g in group_buys
            ],
            "collective": collective,
            "collectives": collectives_with_open_group_buys(now=now),
        },
    )


def _is_open(group_buy: GroupBuy) -> bool:
    return group_buy.status == GroupBuy.Status.OPEN and group_buy.deadline > timezone.now()


def _progress_context(group_buy: GroupBuy) -> dict[str, object]:
    return {
        "group_buy": group_buy,
        "progress": group_buy_progress(group_buy),
        "time_left": time_left(group_buy.deadline),
        "is_open": _is_open(group_buy),
        "poll_seconds": POLL_SECONDS,
    }


def _detail_page(
    request: HttpRequest, group_buy: GroupBuy, form: PledgeForm | None = None
) -> HttpResponse:
    pledge = actor_pledge(actor=request.user, group_buy=group_buy)
    is_active = pledge is not None and pledge.status == Pledge.Status.ACTIVE
    source = request.GET.get("source", "")
    if form is None:
        form = PledgeForm(
            initial={
                "quantity": pledge.quantity if is_active and pledge else 1,
                "source": source if source in Source.values else Source.GROUP_BUY,
            }
        )
    return render(
        request,
        "orders/group_buys/detail.html",
        {
            **_progress_context(group_buy),
            "product": group_buy.product,
            "pledge": pledge,
            "has_active_pledge": is_active,
            "form": form,
            "login_url": reverse("account_login") + "?next=" + quote(request.get_full_path()),
        },
    )


@require_GET
def group_buy_detail(request: HttpRequest, group_buy_id: int) -> HttpResponse:
    """A group buy: product, tiers, progress, deadline, pickup; the visitor's pledge and the
    form to pledge, change or withdraw it; a closed one shows its outcome."""
    group_buy = group_buy_for_public_page(actor=request.user, group_buy_id=group_buy_id)
    return _detail_page(request, group_buy)


@require_GET
def group_buy_progress_part(request: HttpRequest, group_buy_id: int) -> HttpResponse:
    """The progress part alone, which the page's htmx polling swaps in; once the group buy is
    closed the part comes back without polling, which ends the loop."""
    group_buy = group_buy_for_public_page(actor=request.user, group_buy_id=group_buy_id)
    return render(request, "orders/group_buys/_progress.html", _progress_context(group_buy))


def _detail_url(group_buy_id: int) -> str:
    return reverse("group_buys:detail", kwargs={"group_buy_id": group_buy_id})


@require_POST
def pledge(request: HttpRequest, group_buy_id: int) -> HttpResponse:
    """Pledge a quantity, or change it. Log-in required: a visitor is sent to log in and then
    back to the group buy's page (not to this POST-only address)."""
    back = _detail_url(group_buy_id)
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    assert isinstance(request.user, User)
    group_buy = group_buy_for_public_page(actor=request.user, group_buy_id=group_buy_id)
    form = PledgeForm(request.POST)
    if form.is_valid():
        try:
            placed = pledge_place(
                actor=request.user,
                group_buy=group_buy,
                quantity=form.cleaned_data["quantity"],
                source=form.cleaned_data["source"],
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # closed meanwhile: the page says so
                messages.error(request, " ".join(error.messages))
                return HttpResponseRedirect(f"{back}#my-pledge")
            attach_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Your pledge: %(count)s unit.", "Your pledge: %(count)s units.", placed.quantity
                )
                % {"count": placed.quantity},
            )
            return HttpResponseRedirect(f"{back}#my-pledge")
    # Bad input or a refusal: the page again, with the quantity typed and the reason beside it.
    group_buy.refresh_from_db(fields=["pledged_quantity", "status"])
    return _detail_page(request, group_buy, form)


@require_POST
def withdraw(request: HttpRequest, group_buy_id: int) -> HttpResponse:
    """Withdraw one's pledge (404 without an active one)."""
    back = _detail_url(group_buy_id)
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    assert isinstance(request.user, User)
    group_buy = group_buy_for_public_page(actor=request.user, group_buy_id=group_buy_id)
    mine = actor_active_pledge(actor=request.user, group_buy=group_buy)
    try:
        pledge_withdraw(actor=request.user, pledge=mine)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your pledge is withdrawn."))
    return HttpResponseRedirect(f"{back}#my-pledge")
