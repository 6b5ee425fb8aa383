"""A shop's listings in « Mon commerce » (/mon-commerce/<shop>/produits/…).

Every view is decorated with ``merchant_required()``: the shop comes from the URL, the user
must work there (owner or staff), and every product is looked up among ``request.merchant``'s
own — another shop's product answers 404. Views parse, call one selector or service, render.

htmx enhances the pages where it saves a page load (the quick stock edit, the photo actions,
the filters); each of those also works as a plain form post that redirects back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from catalog import services
from catalog.forms.products import (
    BulkActionForm,
    PhotoAltForm,
    PhotoMoveForm,
    PhotoOrderForm,
    PhotoUploadForm,
    ProductCreateForm,
    ProductFilterForm,
    ProductForm,
    StatusForm,
    StockForm,
)
from catalog.models import Product, ProductImage
from catalog.selectors import (
    categories_grouped,
    product_for_backoffice,
    product_image_for_backoffice,
    product_images_for_backoffice,
    products_for_backoffice,
)
from merchants.models import Merchant
from merchants.permissions import ShopRequest, merchant_required

PAGE_SIZE = 50
TEMPLATES = "catalog/backoffice/products/"


# --- Helpers: the request's shop and user, where to go back, service errors on a form -------


def _shop(request: ShopRequest) -> Merchant:
    return request.merchant


def _actor(request: ShopRequest) -> User:
    return request.user


def _list_url(request: ShopRequest) -> str:
    return reverse("products:list", args=[_shop(request).slug])


def _edit_url(request: ShopRequest, product: Product, anchor: str = "") -> str:
    url = reverse("products:edit", args=[_shop(request).slug, product.pk])
    return f"{url}#{anchor}" if anchor else url


def _back(request: ShopRequest, fallback: str) -> HttpResponse:
    """Redirect to the page the form came from (``next``: the list with its filters) if it
    is a page of this shop's back-office; else to ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        try:
            match = resolve(urlsplit(target).path)
        except Resolver404:
            match = None
        if match is not None and match.kwargs.get("merchant_slug") == _shop(request).slug:
            return redirect(target)
    return redirect(fallback)


def _add_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field when the form has
    that field, at the top otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _add_photos(
    request: ShopRequest, product: Product, uploads: list[UploadedFile]
) -> tuple[int, list[tuple[str, str]]]:
    """Add each uploaded photo on its own: a refused file never costs the others.

    Returns how many were added and, for each refused file, its name and the reason.
    """
    added, refused = 0, []
    for upload in uploads:
        try:
            services.product_image_add(actor=_actor(request), product=product, upload=upload)
        except ValidationError as error:
            refused.append((upload.name or _("photo"), " ".join(error.messages)))
        else:
            added += 1
    return added, refused


def _photos_added_message(request: ShopRequest, added: int) -> None:
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)s photo added. It will be ready in a moment.",
                "%(count)s photos added. They will be ready in a moment.",
                added,
            )
            % {"count": added},
        )


# --- The list ------------------------------------------------------------------------------


@merchant_required()
@require_GET
def product_list(request: ShopRequest) -> HttpResponse:
    """The shop's products: search, filters, sort and page come from the URL."""
    categories = categories_grouped()
    filter_form = ProductFilterForm(request.GET, categories=categories)
    products = products_for_backoffice(
        actor=_actor(request), merchant=_shop(request), **filter_form.filters()
    )
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = any(request.GET.get(name) for name in ("q", "status", "category"))
    return render(
        request,
        TEMPLATES + "list.html",
        {
            "nav": "products",
            "page": page,
            "products": page.object_list,
            "filter_form": filter_form,
            "filtered": filtered,
            "bulk_form": BulkActionForm(categories=categories, auto_id="bulk-%s"),
            "next": request.get_full_path(),
        },
    )


@merchant_required()
@require_POST
def product_stock(request: ShopRequest, pk: int) -> HttpResponse:
    """Quick stock edit of a row. htmx gets the row back (with « saved » or the error in it);
    a plain post goes back to the list with a message."""
    product = product_for_backoffice(actor=_actor(request), merchant=_shop(request), pk=pk)
    form = StockForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            services.product_set_stock(
                actor=_actor(request), product=product, quantity=form.cleaned_data["stock"]
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            saved = True
    if request.htmx:
        return render(
            request,
            TEMPLATES + "_row.html",
            {
                "product": product,
                "stock_form": form,
                "saved": saved,
                "next": request.POST.get("next", ""),
            },
        )
    if saved:
        messages.success(request, _("Stock of « %(title)s » saved.") % {"title": product.title})
    else:
        messages.error(
            request,
            _("Stock of « %(title)s » not saved: %(reason)s")
            % {
                "title": product.title,
                "reason": " ".join(str(e) for e in form.errors.get("stock", [])),
            },
        )
    return _back(request, _list_url(request))


@merchant_required()
@require_POST
def product_bulk(request: ShopRequest) -> HttpResponse:
    """Publish, archive or move to a category the ticked products of the shop.

    Ids of other shops' products are ignored (see catalog.services.products_bulk_publish).
    """
    # Validating the category needs no choices: the field checks the id in the database.
    form = BulkActionForm(request.POST, categories=())
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(request, _list_url(request))
    action, ids = form.cleaned_data["action"], form.cleaned_data["products"]
    shop, actor = _shop(request), _actor(request)
    category = form.cleaned_data.get("category")
    if action == BulkActionForm.PUBLISH:
        count = services.products_bulk_publish(actor=actor, merchant=shop, product_ids=ids)
        text = ngettext("%(count)s product published.", "%(count)s products published.", count)
    elif action == BulkActionForm.ARCHIVE:
        count = services.products_bulk_archive(actor=actor, merchant=shop, product_ids=ids)
        text = ngettext("%(count)s product archived.", "%(count)s products archived.", count)
    else:
        count = services.products_bulk_set_category(
            actor=actor, merchant=shop, product_ids=ids, category=category
        )
        if category is None:
            text = ngettext(
                "%(count)s product now has no category.",
                "%(count)s products now have no category.",
                count,
            )
        else:
            text = ngettext(
                "%(count)s product moved to « %(category)s ».",
                "%(count)s products moved to « %(category)s ».",
                count,
            )
    messages.success(request, text % {"count": count, "category": category})
    return _back(request, _list_url(request))


# --- One product ---------------------------------------------------------------------------


def _product_fields(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in cleaned.items() if name in services.EDITABLE_FIELDS}


@merchant_required()
@require_http_methods(["GET", "POST"])
def product_create(request: ShopRequest) -> HttpResponse:
    """A new product, saved as a draft, with its first photos if any were chosen."""
    categories = categories_grouped()
    if request.method == "POST":
        form = ProductCreateForm(request.POST, request.FILES, categories=categories)
        if form.is_valid():
            try:
                product = services.product_create(
                    actor=_actor(request),
                    merchant=_shop(request),
                    **_product_fields(form.cleaned_data),
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("« %(title)s » is saved as a draft. Publish it when it is ready.")
                    % {"title": product.title},
                )
                added, refused = _add_photos(request, product, form.cleaned_data["photos"])
                _photos_added_message(request, added)
                for name, reason in refused:
                    messages.error(
                        request,
                        _("Photo « %(name)s » not added: %(reason)s")
                        % {"name": name, "reason": reason},
                    )
                return redirect(_edit_url(request, product))
    else:
        form = ProductCreateForm(categories=categories)
    return render(
        request,
        TEMPLATES + "form.html",
        {"nav": "products", "form": form, "product": None, "had_files": bool(request.FILES)},
    )


def _render_edit(
    request: ShopRequest,
    product: Product,
    form: ProductForm,
    *,
    upload_form: PhotoUploadForm | None = None,
    refused: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "form.html",
        {
            "nav": "products",
            "form": form,
            "product": product,
            "images": product_images_for_backoffice(product=product),
            "upload_form": upload_form or PhotoUploadForm(),
            "refused": refused or [],
            "public_url": product.get_absolute_url() if product.slug else "",
        },
    )


@merchant_required()
@require_http_methods(["GET", "POST"])
def product_edit(request: ShopRequest, pk: int) -> HttpResponse:
    product = product_for_backoffice(actor=_actor(request), merchant=_shop(request), pk=pk)
    categories = categories_grouped()
    if request.method == "POST":
        form = ProductForm(request.POST, categories=categories)
        if form.is_valid():
            try:
                services.product_update(
                    actor=_actor(request), product=product, **_product_fields(form.cleaned_data)
                )
            except ValidationError as error:
                _add_service_errors(form, error)
                # The object took the refused values in memory: show the stored ones around.
                product = product_for_backoffice(
                    actor=_actor(request), merchant=_shop(request), pk=pk
                )
            else:
                messages.success(request, _("Changes saved."))
                return redirect(_edit_url(request, product))
    else:
        form = ProductForm(initial=ProductForm.initial_for(product), categories=categories)
    return _render_edit(request, product, form)


@merchant_required()
@require_POST
def product_status(request: ShopRequest, pk: int) -> HttpResponse:
    """Publish, take back to draft, or archive one product."""
    product = product_for_backoffice(actor=_actor(request), merchant=_shop(request), pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        if action == "publish":
            services.product_publish(actor=_actor(request), product=product)
            text = _("« %(title)s » is published.")
            if _shop(request).status != "active":
                text = _("« %(title)s » is published; it will be seen once your shop is.")
        elif action == "unpublish":
            services.product_unpublish(actor=_actor(request), product=product)
            text = _("« %(title)s » is back to draft: the public no longer sees it.")
        else:
            services.product_archive(actor=_actor(request), product=product)
            text = _("« %(title)s » is archived.")
        if request.htmx and request.POST.get("row"):
            return render(
                request,
                TEMPLATES + "_row.html",
                {"product": product, "next": request.POST.get("next", ""), "status_changed": True},
            )
        messages.success(request, text % {"title": product.title})
    return _back(request, _edit_url(request, product))


@merchant_required()
@require_POST
def product_duplicate(request: ShopRequest, pk: int) -> HttpResponse:
    product = product_for_backoffice(actor=_actor(request), merchant=_shop(request), pk=pk)
    copy = services.product_duplicate(actor=_actor(request), product=product)
    messages.success(
        request,
        _("Copy created as a draft: change what differs, then publish it."),
    )
    return redirect(_edit_url(request, copy))


# --- Photos of a product -------------------------------------------------------------------


def _photos_response(
    request: ShopRequest, product: Product, *, anchor: str = "photos", notice: str = ""
) -> HttpResponse:
    """htmx gets the photo manager back; a plain post goes back to the edit page."""
    if request.htmx:
        return render(
            request,
            TEMPLATES + "_photos.html",
            {
                "product": product,
                "images": product_images_for_backoffice(product=product),
                "notice": notice,
            },
        )
    if notice:
        messages.info(request, notice)
    return redirect(_edit_url(request, product, anchor))


@merchant_required()
@require_POST
def photo_add(request: ShopRequest, pk: int) -> HttpResponse:
    """Upload photos from the edit page; a refused file is listed with its reason beside the
    upload field, the others are kept."""
    product = product_for_backoffice(actor=_actor(request), merchant=_shop(request), pk=pk)
    upload_form = PhotoUploadForm(request.POST, request.FILES)
    uploads = upload_form.cleaned_data["photos"] if upload_form.is_valid() else []
    if not uploads:
        upload_form.add_error("photos", _("Choose at least one photo."))
    added, refused = _add_photos(request, product, uploads)
    if refused or not uploads:
        _photos_added_message(request, added)
        form = ProductForm(
            initial=ProductForm.initial_for(product), categories=categories_grouped()
        )
        return _render_edit(request, product, form, upload_form=upload_form, refused=refused)
    _photos_added_message(request, added)
    return redirect(_edit_url(request, product, "photos"))


@merchant_required()
@require_POST
def photo_update(request: ShopRequest, pk: int, image_pk: int) -> HttpResponse:
    """Save a photo's description (alternative text)."""
    product = product_for_backoffice(actor=_actor(request), merchant=_shop(request), pk=pk)
    image = product_image_for_backoffice(product=product, pk=image_pk)
    form = PhotoAltForm(request.POST)
    notice = _("The description of the photo is saved.")
    if form.is_valid():
        try:
            services.product_image_update(
                actor=_actor(request), image=image, alt_text=form.cleaned_data["alt_text"]
            )
        except ValidationError as error:
            notice = " ".join(error.messages)
    else:
        notice = " ".join(str(e) for e in form.errors.get("alt_text", []))
    return _photos_response(request, product, anchor=f"photo-{image.pk}", notice=notice)


@merchant_required()
@require_POST
def photo_main(request: ShopRequest, pk: int, image_pk: int) -> HttpResponse:
    product = product_for_backoffice(actor=_actor(request), merchant=_shop(request), pk=pk)
    image = product_image_for_backoffice(product=product, pk=image_pk)
    services.product_image_set_main(actor=_actor(request), image=image)
    return _photos_response(request, product, notice=_("This is now the main photo."))


@merchant_required()
@require_POST
def photo_move(request: ShopRequest, pk: int, image_pk: int) -> HttpResponse:
    """Move a photo one place up or down: the keyboard and no-JavaScript way to reorder."""
    product = product_for_backoffice(actor=_actor(request), merchant=_shop(request), pk=pk)
    image = product_image_for_backoffice(product=product, pk=image_pk)
    form = PhotoMoveForm(request.POST)
    notice = ""
    if form.is_valid():
        moved = services.product_image_move(
            actor=_actor(request), image=image, offset=form.cleaned_data["direction"]
        )
        notice = _("Photo moved to place %(place)s.") % {"place": moved.position + 1}
    return _photos_response(request, product, anchor=f"photo-{image.pk}", notice=notice)


@merchant_required()
@require_POST
def photo_reorder(request: ShopRequest, pk: int) -> HttpResponse:
    """The new order after a drag and drop (product-photos.js): ``order`` = the photo ids."""
    product = product_for_backoffice(actor=_actor(request), merchant=_shop(request), pk=pk)
    form = PhotoOrderForm(request.POST)
    notice = _("New order of the photos saved.")
    if form.is_valid():
        try:
            services.product_images_reorder(
                actor=_actor(request), product=product, image_ids=form.cleaned_data["order"]
            )
        except ValidationError as error:
            notice = " ".join(error.messages)
    else:
        notice = " ".join(str(e) for e in form.non_field_errors())
    return _photos_response(request, product, notice=notice)


@merchant_required()
@require_POST
def photo_delete(request: ShopRequest, pk: int, image_pk: int) -> HttpResponse:
    product = product_for_backoffice(actor=_actor(request), merchant=_shop(request), pk=pk)
    image = product_image_for_backoffice(product=product, pk=image_pk)
    services.product_image_delete(actor=_actor(request), image=image)
    return _photos_response(request, product, notice=_("Photo deleted."))


@merchant_required()
@require_GET
def photo_thumbnail(request: ShopRequest, pk: int, image_pk: int) -> HttpResponse:
    """One photo's thumbnail: polled by htmx while the photo is being processed."""
    product = product_for_backoffice(actor=_actor(request), merchant=_shop(request), pk=pk)
    image: ProductImage = product_image_for_backoffice(product=product, pk=image_pk)
    return render(request, TEMPLATES + "_photo_thumb.html", {"product": product, "image": image})
