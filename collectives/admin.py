from django.contrib import admin

from collectives.models import Collective, CollectiveInvitation, Membership, Organiser


class OrganiserInline(admin.TabularInline):
    model = Organiser
    extra = 0
    autocomplete_fields = ("user",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("merchant", "invited_by")
    readonly_fields = ("created_at", "joined_at", "left_at")


@admin.register(Collective)
class CollectiveAdmin(admin.ModelAdmin):
    list_display = ("name", "town", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("name", "town")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    inlines = (OrganiserInline, MembershipInline)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("merchant", "collective", "status", "joined_at", "left_at")
    list_filter = ("status", "collective")
    search_fields = ("merchant__name", "collective__name")
    autocomplete_fields = ("merchant", "collective", "invited_by")
    list_select_related = ("merchant", "collective")


@admin.register(Organiser)
class OrganiserAdmin(admin.ModelAdmin):
    list_display = ("user", "collective", "role", "created_at")
    list_filter = ("role", "collective")
    search_fields = ("user__email", "collective__name")
    autocomplete_fields = ("user", "collective")
    list_select_related = ("user", "collective")


@admin.register(CollectiveInvitation)
class CollectiveInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "collective", "created_at", "expires_at", "accepted_at")
    search_fields = ("email", "collective__name")
    readonly_fields = ("token_hash", "created_at", "accepted_at", "accepted_by", "revoked_at")
    autocomplete_fields = ("collective", "invited_by", "merchant")
    list_select_related = ("collective",)
