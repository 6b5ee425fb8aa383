"""A shop's API tokens in « Mon commerce » (/mon-commerce/<shop>/api/): the list (name,
prefix, creation and last use), creating one — its secret is shown once, on the answer to
the form, and never again — and revoking one.

Everybody on the team sees the list; only owners create and revoke (403 for staff), as the
services require. Any other shop is a 404 (``merchant_required``).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from merchants.models import MerchantMember
from merchants.permissions import ShopRequest, merchant_required
from merchants.views.shop import attach_errors
from partners.forms.tokens import MerchantTokenForm
from partners.models import MerchantToken
from partners.selectors.tokens import shop_token, shop_tokens
from partners.services.tokens import merchant_token_create, merchant_token_revoke

TEMPLATES = "partners/tokens/"
INVALID_STATUS = 400


def _page(
    request: ShopRequest,
    *,
    form: MerchantTokenForm | None = None,
    created: MerchantToken | None = None,
    secret: str = "",
    status: int = 200,
) -> HttpResponse:
    merchant = request.merchant
    response = render(
        request,
        TEMPLATES + "list.html",
        {
            "nav": "api",
            "tokens": shop_tokens(merchant=merchant),
            "form": form or MerchantTokenForm(),
            "can_manage": request.merchant_role == MerchantMember.Role.OWNER,
            "created": created,
            "secret": secret,
            "api_root": request.build_absolute_uri("/api/v1/"),
        },
        status=status,
    )
    if secret:
        # The only copy of the secret: no cache, no back-button copy.
        add_never_cache_headers(response)
        response["Cache-Control"] += ", no-store"
    return response


@merchant_required()
def tokens(request: ShopRequest) -> HttpResponse:
    """The shop's tokens, and the form to create one (owners)."""
    return _page(request)


@require_POST
@merchant_required(manage=True)
def token_create(request: ShopRequest) -> HttpResponse:
    """Create a token and show its secret, this once."""
    form = MerchantTokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = merchant_token_create(
                actor=request.user, merchant=request.merchant, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return _page(request, created=token, secret=secret)
    return _page(request, form=form, status=INVALID_STATUS)


@require_POST
@merchant_required(manage=True)
def token_revoke(request: ShopRequest, pk: int) -> HttpResponse:
    """Revoke a token: it stops working at once."""
    token = shop_token(merchant=request.merchant, pk=pk)
    merchant_token_revoke(actor=request.user, token=token)
    messages.success(
        request,
        _("The token « %(name)s » is revoked: it no longer works.") % {"name": token.name},
    )
    return redirect("shop_partners:tokens", merchant_slug=request.merchant.slug)
