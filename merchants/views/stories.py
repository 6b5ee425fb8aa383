"""Stories of craft in « Mon commerce »: list, write, edit, publish, delete, and the photos.

Every view is decorated with :func:`merchants.permissions.merchant_required`: the shop comes
from the URL, is checked once, and every query starts from ``request.merchant`` — a story of
another shop answers 404. Owners and staff may do everything here.

Photo actions answer htmx requests with the refreshed photo list, and everybody else (no
JavaScript) with a redirect back to the story.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from merchants import selectors, services
from merchants.forms.stories import StoryForm, StoryImageForm, add_service_errors
from merchants.models import Story
from merchants.permissions import ShopRequest, merchant_required


def _edit_url(request: ShopRequest, story: Story, anchor: str = "") -> str:
    url = reverse("stories:edit", args=[request.merchant.slug, story.pk])
    return f"{url}#{anchor}" if anchor else url


@merchant_required()
def story_list(request: ShopRequest) -> HttpResponse:
    stories = selectors.stories_for_backoffice(merchant=request.merchant)
    return render(
        request, "merchants/stories/list.html", {"stories": list(stories), "nav": "stories"}
    )


@merchant_required()
@require_http_methods(["GET", "POST"])
def story_create(request: ShopRequest) -> HttpResponse:
    merchant = request.merchant
    form = StoryForm(request.POST or None, request.FILES or None, merchant=merchant)
    if request.method == "POST" and form.is_valid():
        try:
            story = services.story_create(
                actor=request.user,
                merchant=merchant,
                products=form.cleaned_data["products"],
                photos=form.cleaned_data["photos"],
                publish="publish" in request.POST,
                **form.story_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _saved_message(request, story)
            return redirect(_edit_url(request, story))
    return render(
        request,
        "merchants/stories/form.html",
        {"form": form, "story": None, "nav": "stories"},
        status=400 if form.errors else 200,
    )


@merchant_required()
@require_http_methods(["GET", "POST"])
def story_edit(request: ShopRequest, pk: int) -> HttpResponse:
    merchant = request.merchant
    story = selectors.story_for_staff(merchant=merchant, pk=pk)
    if request.method == "POST":
        form = StoryForm(request.POST, request.FILES, merchant=merchant)
        if form.is_valid():
            try:
                story = services.story_update(
                    actor=request.user,
                    story=story,
                    products=form.cleaned_data["products"],
                    photos=form.cleaned_data["photos"],
                    publish="publish" in request.POST,
                    **form.story_fields(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                _saved_message(request, story)
                return redirect(_edit_url(request, story))
    else:
        form = StoryForm(
            merchant=merchant,
            initial={
                "title": story.title,
                "body": story.body,
                "video_url": story.video_url,
                "products": [p.pk for p in story.products.all()],
            },
        )
    return render(
        request,
        "merchants/stories/form.html",
        {"form": form, "story": story, "images": list(story.images.all()), "nav": "stories"},
        status=400 if form.errors else 200,
    )


def _saved_message(request: ShopRequest, story: Story) -> None:
    if story.status == Story.Status.PUBLISHED:
        messages.success(request, _("Story saved. It is published."))
    else:
        messages.success(request, _("Story saved as a draft: only your team sees it."))
    if any(not image.alt_text for image in story.images.all()):
        messages.info(request, _("Describe each photo below for people who cannot see it."))


@merchant_required()
@require_POST
def story_publish(request: ShopRequest, pk: int) -> HttpResponse:
    return _set_status(request, pk, publish=True)


@merchant_required()
@require_POST
def story_unpublish(request: ShopRequest, pk: int) -> HttpResponse:
    return _set_status(request, pk, publish=False)


def _set_status(request: ShopRequest, pk: int, *, publish: bool) -> HttpResponse:
    merchant = request.merchant
    story = selectors.story_for_staff(merchant=merchant, pk=pk)
    change = services.story_publish if publish else services.story_unpublish
    story = change(actor=request.user, story=story)
    if request.htmx and request.POST.get("return") == "list":
        # The list row, refreshed in place.
        row = selectors.stories_for_backoffice(merchant=merchant).get(pk=story.pk)
        return render(request, "merchants/stories/_row.html", {"story": row})
    if publish:
        messages.success(request, _("« %(title)s » is published.") % {"title": story.title})
    else:
        messages.success(
            request,
            _("« %(title)s » is back to draft: only your team sees it.") % {"title": story.title},
        )
    if request.POST.get("return") == "list":
        return redirect("stories:list", merchant.slug)
    return redirect(_edit_url(request, story))


@merchant_required()
@require_http_methods(["GET", "POST"])
def story_delete(request: ShopRequest, pk: int) -> HttpResponse:
    merchant = request.merchant
    story = selectors.story_for_staff(merchant=merchant, pk=pk)
    if request.method == "POST":
        services.story_delete(actor=request.user, story=story)
        messages.success(request, _("« %(title)s » is deleted.") % {"title": story.title})
        return redirect("stories:list", merchant.slug)
    return render(
        request, "merchants/stories/confirm_delete.html", {"story": story, "nav": "stories"}
    )


# --- Photos --------------------------------------------------------------------------------


def _photos_response(
    request: ShopRequest,
    story_pk: int,
    *,
    anchor: str = "photos",
    error_for: int | None = None,
    error_messages: list[str] | None = None,
) -> HttpResponse:
    """The refreshed photo list for htmx (200 even with an error: htmx swaps only 2xx), a
    redirect back to the story for everybody else."""
    story = selectors.story_for_staff(merchant=request.merchant, pk=story_pk)
    if request.htmx:
        return render(
            request,
            "merchants/stories/_photos.html",
            {
                "story": story,
                "images": list(story.images.all()),
                "error_for": error_for,
                "error_messages": error_messages or [],
            },
        )
    for message in error_messages or []:
        messages.error(request, message)
    return redirect(_edit_url(request, story, anchor))


@merchant_required()
@require_POST
def photo_update(request: ShopRequest, pk: int, photo_pk: int) -> HttpResponse:
    image = selectors.story_image_for_staff(merchant=request.merchant, story_pk=pk, pk=photo_pk)
    form = StoryImageForm(request.POST)
    problems: list[str] = []
    if form.is_valid():
        try:
            services.story_image_update(
                actor=request.user, image=image, alt_text=form.cleaned_data["alt_text"]
            )
        except ValidationError as error:
            problems = [str(m) for m in error.messages]
    else:
        problems = [str(m) for field_errors in form.errors.values() for m in field_errors]
    if not problems and not request.htmx:
        messages.success(request, _("Photo description saved."))
    return _photos_response(
        request,
        pk,
        anchor=f"photo-{image.pk}",
        error_for=image.pk if problems else None,
        error_messages=problems,
    )


@merchant_required()
@require_POST
def photo_move(request: ShopRequest, pk: int, photo_pk: int) -> HttpResponse:
    image = selectors.story_image_for_staff(merchant=request.merchant, story_pk=pk, pk=photo_pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.story_image_move(actor=request.user, image=image, offset=offset)
    return _photos_response(request, pk, anchor=f"photo-{image.pk}")


@merchant_required()
@require_POST
def photo_delete(request: ShopRequest, pk: int, photo_pk: int) -> HttpResponse:
    image = selectors.story_image_for_staff(merchant=request.merchant, story_pk=pk, pk=photo_pk)
    services.story_image_delete(actor=request.user, image=image)
    if not request.htmx:
        messages.success(request, _("Photo removed."))
    return _photos_response(request, pk)
