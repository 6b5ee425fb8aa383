"""The platform operator's view of reservations, group buys and pledges.

Counters kept by the services under a lock (held stock, pledged quantities, totals) and
the states that move them (a reservation's status and lines, a pledge's quantity and status,
a group buy's status) are read-only here: changing them by hand would leave stock or totals
out of step. They change through the site's pages, which call the services.
"""

from django.contrib import admin

from orders.models import GroupBuy, GroupBuyTier, Pledge, Reservation, ReservationLine


class ReservationLineInline(admin.TabularInline):
    model = ReservationLine
    extra = 0
    fields = ("product", "title", "unit_price", "quantity", "holds_stock")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "merchant",
        "customer_name",
        "status",
        "total",
        "pickup_deadline",
        "created_at",
    )
    list_filter = ("status", "source")
    search_fields = ("code", "customer_name", "customer_email", "merchant__name")
    date_hierarchy = "created_at"
    list_select_related = ("merchant",)
    raw_id_fields = ("merchant", "customer", "pickup_occurrence", "group_buy")
    readonly_fields = (
        "code",
        "status",
        "total",
        "created_at",
        "updated_at",
        "seen_at",
        "confirmed_at",
        "ready_at",
        "collected_at",
        "closed_at",
    )
    inlines = (ReservationLineInline,)


class GroupBuyTierInline(admin.TabularInline):
    model = GroupBuyTier
    extra = 0


@admin.register(GroupBuy)
class GroupBuyAdmin(admin.ModelAdmin):
    list_display = ("product", "merchant", "status", "pledged_quantity", "deadline")
    list_filter = ("status",)
    search_fields = ("product__title", "merchant__name", "collective__name")
    list_select_related = ("product", "merchant")
    raw_id_fields = ("merchant", "product", "collective", "opened_by", "pickup_occurrence")
    readonly_fields = (
        "status",
        "pledged_quantity",
        "final_discount",
        "created_at",
        "updated_at",
        "closed_at",
    )
    inlines = (GroupBuyTierInline,)


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = ("group_buy", "customer", "quantity", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("customer__email", "group_buy__product__title")
    list_select_related = ("group_buy__product", "customer")
    raw_id_fields = ("group_buy", "customer", "reservation")
    readonly_fields = ("quantity", "status", "created_at", "updated_at")
