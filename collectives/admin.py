from django.contrib import admin

from collectives.models import (
    Collective,
    CollectiveInvitation,
    Event,
    EventOccurrence,
    EventParticipation,
    LineupItem,
    Membership,
    Organiser,
    Registration,
    Selection,
    SelectionItem,
)


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


class EventOccurrenceInline(admin.TabularInline):
    model = EventOccurrence
    extra = 0
    fields = ("original_start", "starts_at", "ends_at", "status", "capacity", "seats_taken")
    # Seats are counted by the registration service under a row lock: never typed by hand.
    readonly_fields = ("original_start", "seats_taken")
    ordering = ("starts_at",)


class EventParticipationInline(admin.TabularInline):
    model = EventParticipation
    extra = 0
    autocomplete_fields = ("merchant",)
    readonly_fields = ("created_at", "answered_at")


class LineupItemInline(admin.TabularInline):
    model = LineupItem
    extra = 0
    autocomplete_fields = ("product",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "collective", "kind", "starts_at", "recurrence", "status")
    list_filter = ("status", "kind", "collective")
    search_fields = ("title", "collective__name")
    autocomplete_fields = ("collective", "created_by", "featured_products")
    readonly_fields = ("created_at", "updated_at", "published_at", "cancelled_at")
    list_select_related = ("collective",)
    inlines = (EventOccurrenceInline, EventParticipationInline, LineupItemInline)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("user", "occurrence", "status", "created_at", "reminded_at")
    list_filter = ("status",)
    search_fields = ("user__email", "occurrence__event__title")
    # Registrations change through the site (seats and waiting list move together).
    readonly_fields = (
        "occurrence",
        "user",
        "status",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "reminded_at",
        "cancellation_notified_at",
    )
    list_select_related = ("user", "occurrence__event")


class SelectionItemInline(admin.TabularInline):
    model = SelectionItem
    extra = 0
    autocomplete_fields = ("product", "proposed_by")
    readonly_fields = ("created_at", "answered_at")


@admin.register(Selection)
class SelectionAdmin(admin.ModelAdmin):
    list_display = ("title", "collective", "status", "visible_from", "visible_until")
    list_filter = ("status", "collective")
    search_fields = ("title", "collective__name")
    autocomplete_fields = ("collective", "created_by")
    readonly_fields = ("created_at", "updated_at")
    list_select_related = ("collective",)
    inlines = (SelectionItemInline,)
