"""The collective's newsletters in the organiser space (/organiser/<collective>/lettres/…):
the list, « New letter » (Halle writes the draft), the editor, the preview as e-mailed, the
sending page (now or at a set time, with the number of recipients), and the progress of a
letter being sent, refreshed by htmx while it goes out.

Every action is a POST form that works without JavaScript. No view sends anything: sending
is the Celery tasks' work (see :mod:`notifications.services.newsletters`).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collectives.permissions import OrganiserRequest, organiser_required
from merchants.views.shop import attach_errors
from notifications.forms.newsletters import NewsletterForm, ScheduleForm
from notifications.models import Newsletter, NewsletterDelivery
from notifications.selectors.newsletters import (
    newsletter_audience,
    newsletter_deliveries,
    newsletter_progress,
    organiser_newsletter,
    organiser_newsletters,
    recipient_label,
)
from notifications.services import newsletters as services

NAV = "newsletters"
# Recipients per page of the progress page.
RECIPIENTS_PAGE_SIZE = 50
# How often the progress page asks for the counts while a letter goes out.
POLL_SECONDS = 2

N = Newsletter.Status


def _context(request: OrganiserRequest, **extra: object) -> dict[str, object]:
    return {"nav": NAV, "is_admin": request.organiser_role == "admin", **extra}


def _newsletter(request: OrganiserRequest, newsletter_id: int) -> Newsletter:
    return organiser_newsletter(collective=request.collective, newsletter_id=newsletter_id)


def _url(name: str, newsletter: Newsletter) -> str:
    return reverse(
        f"organiser_newsletters:{name}",
        kwargs={"collective_slug": newsletter.collective.slug, "newsletter_id": newsletter.pk},
    )


def _is_editable(newsletter: Newsletter) -> bool:
    return newsletter.status in (N.DRAFT, N.SCHEDULED)


@organiser_required()
@require_GET
def newsletter_list(request: OrganiserRequest) -> HttpResponse:
    """The collective's letters, newest first: status, date, recipients, sent and failed."""
    return render(
        request,
        "notifications/newsletters/organiser/list.html",
        _context(
            request,
            newsletters=organiser_newsletters(collective=request.collective),
            audience=newsletter_audience(collective=request.collective),
        ),
    )


@require_POST
@organiser_required()
def newsletter_create(request: OrganiserRequest) -> HttpResponse:
    """« New letter »: Halle drafts it from the collective's week, then the editor opens."""
    newsletter = services.newsletter_draft(actor=request.user, collective=request.collective)
    messages.success(
        request, _("Halle wrote a draft from this week's news. Read it, change it, then send it.")
    )
    return redirect(_url("edit", newsletter))


@organiser_required()
@require_http_methods(["GET", "POST"])
def newsletter_edit(request: OrganiserRequest, newsletter_id: int) -> HttpResponse:
    """The subject and text of a draft or scheduled letter; once it is sent (or being sent),
    its progress page instead."""
    newsletter = _newsletter(request, newsletter_id)
    if not _is_editable(newsletter):
        return redirect(_url("progress", newsletter))
    form = NewsletterForm(request.POST or None, initial=NewsletterForm.initial_for(newsletter))
    if request.method == "POST" and form.is_valid():
        try:
            services.newsletter_update(
                actor=request.user,
                newsletter=newsletter,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The letter is saved."))
            target = "preview" if "preview" in request.POST else "edit"
            return redirect(_url(target, newsletter))
    return render(
        request,
        "notifications/newsletters/organiser/edit.html",
        _context(request, newsletter=newsletter, form=form),
    )


@organiser_required()
@require_GET
def newsletter_preview(request: OrganiserRequest, newsletter_id: int) -> HttpResponse:
    """The letter exactly as e-mailed (to the organiser: their own unsubscribe link), HTML
    in a sandboxed frame and the plain-text version below it."""
    newsletter = _newsletter(request, newsletter_id)
    message = services.newsletter_preview(actor=request.user, newsletter=newsletter)
    html = next(
        (content for content, mimetype in message.alternatives if mimetype == "text/html"), ""
    )
    return render(
        request,
        "notifications/newsletters/organiser/preview.html",
        _context(
            request,
            newsletter=newsletter,
            message=message,
            html=html,
            editable=_is_editable(newsletter),
        ),
    )


def _send_page(
    request: OrganiserRequest, newsletter: Newsletter, schedule_form: ScheduleForm | None = None
) -> HttpResponse:
    if schedule_form is None:
        initial = {"send_at": timezone.localtime(newsletter.send_at)} if newsletter.send_at else {}
        schedule_form = ScheduleForm(initial=initial)
    return render(
        request,
        "notifications/newsletters/organiser/send.html",
        _context(
            request,
            newsletter=newsletter,
            audience=newsletter_audience(collective=request.collective),
            schedule_form=schedule_form,
        ),
        status=400 if schedule_form.errors else 200,
    )


@organiser_required()
@require_GET
def newsletter_send_page(request: OrganiserRequest, newsletter_id: int) -> HttpResponse:
    """The confirmation before sending: how many followers will receive it, « send now »,
    or a date and time to send it."""
    newsletter = _newsletter(request, newsletter_id)
    if not _is_editable(newsletter):
        return redirect(_url("progress", newsletter))
    return _send_page(request, newsletter)


@require_POST
@organiser_required()
def newsletter_send_now(request: OrganiserRequest, newsletter_id: int) -> HttpResponse:
    newsletter = _newsletter(request, newsletter_id)
    try:
        services.newsletter_send_now(actor=request.user, newsletter=newsletter)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_url("send", newsletter))
    messages.success(request, _("The letter is on its way: follow its progress here."))
    return redirect(_url("progress", newsletter))


@require_POST
@organiser_required()
def newsletter_schedule(request: OrganiserRequest, newsletter_id: int) -> HttpResponse:
    newsletter = _newsletter(request, newsletter_id)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            services.newsletter_schedule(
                actor=request.user, newsletter=newsletter, send_at=form.cleaned_data["send_at"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("The letter is scheduled."))
            return redirect(_url("send", newsletter))
    return _send_page(request, newsletter, form)


@require_POST
@organiser_required()
def newsletter_cancel_schedule(request: OrganiserRequest, newsletter_id: int) -> HttpResponse:
    newsletter = _newsletter(request, newsletter_id)
    try:
        services.newsletter_cancel_schedule(actor=request.user, newsletter=newsletter)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_url("progress", newsletter))
    messages.success(request, _("The letter is no longer scheduled: it is a draft again."))
    return redirect(_url("edit", newsletter))


@require_POST
@organiser_required()
def newsletter_delete(request: OrganiserRequest, newsletter_id: int) -> HttpResponse:
    newsletter = _newsletter(request, newsletter_id)
    try:
        services.newsletter_delete(actor=request.user, newsletter=newsletter)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_url("edit", newsletter))
    messages.success(request, _("The draft is deleted."))
    return redirect("organiser_newsletters:list", collective_slug=request.collective.slug)


@require_POST
@organiser_required()
def newsletter_resend(request: OrganiserRequest, newsletter_id: int) -> HttpResponse:
    """Send a finished letter again to the recipients it failed to reach only."""
    newsletter = _newsletter(request, newsletter_id)
    try:
        count = services.newsletter_resend(actor=request.user, newsletter=newsletter)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "The letter goes out again to %(count)s recipient it had not reached.",
                "The letter goes out again to %(count)s recipients it had not reached.",
                count,
            )
            % {"count": count},
        )
    return redirect(_url("progress", newsletter))


def _progress_context(newsletter: Newsletter) -> dict[str, object]:
    progress = newsletter_progress(newsletter=newsletter)
    starting = newsletter.status == N.SCHEDULED and bool(
        newsletter.send_at and newsletter.send_at <= timezone.now()
    )
    return {
        "newsletter": newsletter,
        "progress": progress,
        "starting": starting,
        "polling": starting or newsletter.status == N.SENDING,
        "poll_seconds": POLL_SECONDS,
        "progress_url": _url("progress_part", newsletter),
    }


@organiser_required()
@require_GET
def newsletter_progress_view(request: OrganiserRequest, newsletter_id: int) -> HttpResponse:
    """The counts by status (refreshed while it goes out) and the recipients, by page,
    optionally of one status (``?statut=failed``). Recipients are named by display name or
    masked address (see :mod:`notifications.selectors.newsletters`)."""
    newsletter = _newsletter(request, newsletter_id)
    status = request.GET.get("statut", "")
    if status not in NewsletterDelivery.Status.values:
        status = ""
    page = Paginator(
        newsletter_deliveries(newsletter=newsletter, status=status), RECIPIENTS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = [(delivery, recipient_label(delivery.user)) for delivery in page]
    return render(
        request,
        "notifications/newsletters/organiser/progress.html",
        _context(
            request,
            **_progress_context(newsletter),
            page=page,
            rows=rows,
            status=status,
            statuses=NewsletterDelivery.Status.choices,
        ),
    )


@organiser_required()
@require_GET
def newsletter_progress_part(request: OrganiserRequest, newsletter_id: int) -> HttpResponse:
    """The counts part of the progress page, polled by htmx while the letter goes out."""
    newsletter = _newsletter(request, newsletter_id)
    return render(
        request,
        "notifications/newsletters/organiser/_progress.html",
        _context(request, **_progress_context(newsletter)),
    )
