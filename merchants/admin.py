from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from merchants.forms.shop import SocialLinksField
from merchants.models import (
    Closure,
    Merchant,
    MerchantMember,
    OpeningHours,
    StaffInvitation,
    Story,
    StoryImage,
)


class MerchantMemberInline(admin.TabularInline):
    model = MerchantMember
    extra = 0
    autocomplete_fields = ("user",)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
    list_display = ("name", "trade", "city", "status", "updated_at")
    list_filter = ("status", "trade", "city")
    search_fields = ("name", "legal_name", "siret", "city", "email")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    inlines = (MerchantMemberInline, OpeningHoursInline, ClosureInline)
    # A website typed as "boulangerie-martin.fr" means https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "social_links":  # the same one-address-per-line field as the shop's
            return SocialLinksField(required=False, label=db_field.verbose_name)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(MerchantMember)
class MerchantMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "merchant", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "merchant__name")
    autocomplete_fields = ("user", "merchant")
    list_select_related = ("user", "merchant")


@admin.register(StaffInvitation)
class StaffInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "merchant", "role", "created_at", "expires_at", "accepted_at")
    list_filter = ("role",)
    search_fields = ("email", "merchant__name")
    readonly_fields = ("token_hash", "created_at", "accepted_at", "accepted_by", "revoked_at")
    autocomplete_fields = ("merchant", "invited_by")
    list_select_related = ("merchant",)


class StoryImageInline(admin.TabularInline):
    model = StoryImage
    extra = 0
    fields = ("image", "alt_text", "position", "status")
    readonly_fields = ("status",)


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("title", "merchant", "status", "published_at")
    list_filter = ("status",)
    search_fields = ("title", "merchant__name")
    autocomplete_fields = ("merchant", "author")
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("merchant",)
    inlines = (StoryImageInline,)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
