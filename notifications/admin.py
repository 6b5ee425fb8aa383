"""The platform operator's view of the notification outbox, people's preferences and the
collectives' newsletters.

Delivery state (status, attempts, times) is read-only: the claim that makes each e-mail
leave at most once relies on it. To send a failed notification again, the action puts it
back « to send » and queues it.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import Newsletter, NewsletterDelivery, Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("kind", "recipient", "summary", "email_status", "email_attempts", "created_at")
    list_filter = ("email_status", "kind")
    search_fields = ("recipient__email", "summary", "kind")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient",)
    readonly_fields = (
        "email_status",
        "email_attempts",
        "emailed_at",
        "digested_at",
        "read_at",
        "created_at",
    )
    actions = ("send_again",)

    @admin.action(description=_("Send the failed e-mails again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        from notifications.queueing import queue_on_commit
        from notifications.tasks import deliver_notification

        failed = list(
            queryset.filter(email_status=Notification.EmailStatus.FAILED).values_list(
                "pk", flat=True
            )
        )
        Notification.objects.filter(pk__in=failed).update(
            email_status=Notification.EmailStatus.PENDING, email_attempts=0
        )
        for notification_id in failed:
            queue_on_commit(deliver_notification, notification_id)
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail queued again.", "%(count)d e-mails queued again.", len(failed)
            )
            % {"count": len(failed)},
            messages.SUCCESS,
        )


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "mode")
    list_filter = ("mode", "kind")
    search_fields = ("user__email", "kind")
    raw_id_fields = ("user",)


@admin.register(Newsletter)
class NewsletterAdmin(admin.ModelAdmin):
    list_display = ("subject", "collective", "status", "send_at", "recipient_count", "finished_at")
    list_filter = ("status",)
    search_fields = ("subject", "collective__name")
    list_select_related = ("collective",)
    raw_id_fields = ("collective", "created_by")
    readonly_fields = ("status", "started_at", "finished_at", "recipient_count", "created_at")


@admin.register(NewsletterDelivery)
class NewsletterDeliveryAdmin(admin.ModelAdmin):
    """One row per recipient (a letter may have thousands: a list, not an inline)."""

    list_display = ("newsletter", "user", "status", "attempts", "sent_at")
    list_filter = ("status",)
    search_fields = ("user__email", "newsletter__subject")
    list_select_related = ("newsletter", "user")
    raw_id_fields = ("newsletter", "user")
    readonly_fields = ("status", "attempts", "sent_at", "error")
