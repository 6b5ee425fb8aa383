"""CSV import and export of a shop's products (/mon-commerce/<shop>/import-export/…).

Views only translate: parse the request, call one service, render. Every job is looked up
from ``request.merchant``, so another shop's import answers 404.
"""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog import services
from catalog.forms.imports import ExportForm, ImportUploadForm
from catalog.models import ImportJob
from catalog.services import imports as import_services
from merchants.permissions import ShopRequest, merchant_required

ROWS_PER_PAGE = 100
TEMPLATES = "catalog/backoffice/imports"
# The heavy JSON columns are read only by the pages that show them.
LIGHT = ("rows", "preview", "report")


@merchant_required()
@require_http_methods(["GET", "POST"])
def index(request: ShopRequest) -> HttpResponse:
    """Upload a file to import (then see its preview), download the export, past imports."""
    merchant = request.merchant
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
    else:
        form = ImportUploadForm()
    if form.is_bound and form.is_valid():
        try:
            job = services.import_job_create(
                actor=request.user,
                merchant=merchant,
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("imports:job", merchant.slug, job.pk)
    context = {
        "nav": "imports",
        "form": form,
        "export_form": ExportForm(),
        "jobs": merchant.import_jobs.defer(*LIGHT)[:5],
        "categories": import_services.categories_for_import(),
    }
    return render(request, f"{TEMPLATES}/index.html", context, status=400 if form.errors else 200)


# merchant_required is typed for HttpResponse; a streamed download works the same way.
@merchant_required()
@require_GET
def export(request: ShopRequest) -> StreamingHttpResponse:
    """The shop's products as a CSV file French Excel opens as it is."""
    merchant = request.merchant
    form = ExportForm(request.GET)
    include_archived = form.is_valid() and form.cleaned_data["include_archived"]
    content = services.products_export(
        actor=request.user,
        merchant=merchant,
        include_archived=include_archived,
    )
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = import_services.export_filename(merchant)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@merchant_required()
@require_GET
def job(request: ShopRequest, pk: int) -> HttpResponse:
    """An import: its preview to confirm, its progress, or its report."""
    merchant = request.merchant
    import_job = get_object_or_404(merchant.import_jobs.defer("rows"), pk=pk)
    context = _job_context(request, import_job)
    return render(request, f"{TEMPLATES}/job.html", context)


@merchant_required()
@require_GET
def progress(request: ShopRequest, pk: int) -> HttpResponse:
    """The status block of an import, polled by htmx every second while it runs."""
    merchant = request.merchant
    import_job = get_object_or_404(merchant.import_jobs.defer(*LIGHT), pk=pk)
    if not request.htmx:
        return redirect("imports:job", merchant.slug, import_job.pk)
    context = _job_context(request, import_job)
    return render(request, f"{TEMPLATES}/_job_status.html", context)


@merchant_required()
@require_POST
def confirm(request: ShopRequest, pk: int) -> HttpResponse:
    merchant = request.merchant
    import_job = get_object_or_404(merchant.import_jobs.defer(*LIGHT), pk=pk)
    try:
        services.import_job_confirm(
            actor=request.user,
            job=import_job,
            language=get_language(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("imports:job", merchant.slug, import_job.pk)


@merchant_required()
@require_POST
def cancel(request: ShopRequest, pk: int) -> HttpResponse:
    merchant = request.merchant
    import_job = get_object_or_404(merchant.import_jobs.defer(*LIGHT), pk=pk)
    try:
        services.import_job_cancel(actor=request.user, job=import_job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Import cancelled: nothing was saved."))
    return redirect("imports:job", merchant.slug, import_job.pk)


def _job_context(request: ShopRequest, job: ImportJob) -> dict[str, Any]:
    """What the status block shows: the preview's rows before confirmation, the report's
    after, one page of them at a time (filtered by outcome), from the job's JSON — no query
    per row."""
    slug = request.merchant.slug
    job_url = reverse("imports:job", args=[slug, job.pk])
    status = ImportJob.Status
    running = job.status in (status.QUEUED, status.RUNNING)
    rows: list[dict[str, Any]] = []
    if job.status == status.PREVIEWED:
        rows = job.preview
    elif job.status in (status.DONE, status.FAILED):
        rows = job.report.get("rows", [])
    counts = import_services.outcome_counts(rows)
    wanted = request.GET.get("resultat", "")
    if wanted not in counts:
        wanted = ""
    shown = [row for row in rows if row["outcome"] == wanted] if wanted else rows
    page = Paginator(shown, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    labels = import_services.OUTCOME_LABELS

    def url(**params: Any) -> str:
        query = urlencode({k: v for k, v in params.items() if v})
        return f"{job_url}?{query}#import-rows" if query else f"{job_url}#import-rows"

    filters = [{"label": _("All"), "count": len(rows), "url": url(), "current": not wanted}]
    filters += [
        {
            "label": labels[outcome],
            "count": count,
            "url": url(resultat=outcome),
            "current": wanted == outcome,
            "outcome": outcome,
        }
        for outcome, count in counts.items()
        if count
    ]
    return {
        "nav": "imports",
        "job": job,
        "job_url": job_url,
        "progress_url": reverse("imports:progress", args=[slug, job.pk]),
        "confirm_url": reverse("imports:confirm", args=[slug, job.pk]),
        "cancel_url": reverse("imports:cancel", args=[slug, job.pk]),
        "index_url": reverse("imports:index", args=[slug]),
        "polling": running,
        "counts": counts,
        "importable": counts["created"] + counts["updated"],
        "file_info": job.report.get("file", {}) if not running else {},
        "filters": filters if rows else [],
        "page": page,
        "page_rows": [{**row, "outcome_label": labels[row["outcome"]]} for row in page],
        "previous_url": url(resultat=wanted, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_url": url(resultat=wanted, page=page.next_page_number()) if page.has_next() else "",
    }
