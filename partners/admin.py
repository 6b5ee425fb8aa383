"""The platform operator's administration of the partners app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from partners.models import PartnerKey
from partners.services.keys import (
    PLATFORM_MAX_RATE,
    clean_origins,
    partner_key_create,
    partner_key_revoke,
)


class PartnerKeyAddForm(forms.ModelForm):
    """A new key: its secret is made by the service and shown once, in a message."""

    allowed_origins_text = forms.CharField(
        label=_("allowed origins"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One site a line, e.g. https://www.mairie-exemple.fr"),
    )
    rate_per_minute = forms.IntegerField(
        label=_("requests per minute"), min_value=1, max_value=PLATFORM_MAX_RATE, initial=600
    )

    class Meta:
        model = PartnerKey
        fields = ("name", "collective")

    def clean_allowed_origins_text(self) -> list[str]:
        try:
            return clean_origins(self.cleaned_data["allowed_origins_text"].splitlines())
        except ValidationError as error:
            raise ValidationError(error.error_dict["allowed_origins"]) from None


@admin.register(PartnerKey)
class PartnerKeyAdmin(admin.ModelAdmin):
    """Platform staff create platform keys (no collective: every active collective) or keys
    of a collective, and revoke keys. The secret is shown once, right after creation."""

    list_display = (
        "name",
        "prefix",
        "collective",
        "rate_per_minute",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("collective",)
    search_fields = ("name", "prefix", "collective__name")
    list_select_related = ("collective",)
    autocomplete_fields = ("collective",)
    readonly_fields = ("prefix", "created_by", "created_at", "last_used_at", "revoked_at")
    fields = (
        "name",
        "collective",
        "allowed_origins",
        "rate_per_minute",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    actions = ("revoke_keys",)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = PartnerKeyAddForm
            kwargs["fields"] = ("name", "collective", "allowed_origins_text", "rate_per_minute")
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("name", "collective", "allowed_origins_text", "rate_per_minute")
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: PartnerKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        # The form checked what the service checks: no error is left to show here.
        key, secret = partner_key_create(
            actor=request.user,  # type: ignore[arg-type]
            collective=data["collective"],
            name=data["name"],
            allowed_origins=data["allowed_origins_text"],
            rate=data["rate_per_minute"],
        )
        obj.pk = key.pk
        obj.__dict__.update({f.attname: getattr(key, f.attname) for f in key._meta.concrete_fields})
        messages.warning(
            request,
            _("Key created. Copy it now, it will not be shown again: %(secret)s")
            % {"secret": secret},
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[PartnerKey]) -> None:
        for key in queryset:
            partner_key_revoke(actor=request.user, key=key)  # type: ignore[arg-type]
        messages.success(request, _("The keys are revoked."))
