from django.contrib import admin
from django.db import models

from merchants.models import Closure, Merchant, MerchantMember, OpeningHours


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


@admin.register(MerchantMember)
class MerchantMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "merchant", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "merchant__name")
    autocomplete_fields = ("user", "merchant")
    list_select_related = ("user", "merchant")
