"""One path for everything Halle tells people: the notification outbox, people's
preferences, and the collectives' newsletters.

A :class:`Notification` row is written by ``notifications.services.notify`` inside the
transaction of the change it reports (it vanishes with a rollback); its e-mail is sent by a
task queued on commit, and a periodic sweep re-queues any left behind. The row is also the
in-app inbox entry. Each e-mail is claimed before it is sent, so it leaves at most once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collectives.models import Collective


class Notification(models.Model):
    """Something to tell one person: its ``kind`` (``reservation.ready``,
    ``event.reminder``…) picks the templates, ``context`` holds what they need (ids and
    plain values, JSON)."""

    class EmailStatus(models.TextChoices):
        PENDING = "pending", pgettext_lazy("e-mail status", "To send")
        SENDING = "sending", pgettext_lazy("e-mail status", "Sending")
        SENT = "sent", pgettext_lazy("e-mail status", "Sent")
        DIGEST = "digest", pgettext_lazy("e-mail status", "In the daily digest")
        SKIPPED = "skipped", pgettext_lazy("e-mail status", "Not e-mailed")
        FAILED = "failed", pgettext_lazy("e-mail status", "Failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    # Where the in-app entry leads (a path on Halle), and its one-line text in the
    # recipient's language at the time it was written.
    link = models.CharField(_("link"), max_length=300, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    email_status = models.CharField(
        _("e-mail"), max_length=10, choices=EmailStatus, default=EmailStatus.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    digested_at = models.DateTimeField(_("sent in a digest"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    email_status__in=["pending", "sending", "sent", "digest", "skipped", "failed"]
                ),
                name="notifications_email_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notifications_inbox"
            ),
            models.Index(fields=["email_status", "created_at"], name="notifications_outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"


class Preference(models.Model):
    """How a person wants one kind of notice: at once, in the daily digest, or not at all
    (by e-mail; the in-app inbox always has it). Transactional kinds (a pickup code…)
    ignore « off »."""

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("Straight away")
        DIGEST = "digest", _("In a daily digest")
        OFF = "off", _("Never by e-mail")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=60)
    mode = models.CharField(_("when"), max_length=10, choices=Mode)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_pref_once"),
            models.CheckConstraint(
                condition=Q(mode__in=["immediate", "digest", "off"]),
                name="notifications_pref_mode_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} → {self.mode}"


class Newsletter(models.Model):
    """A collective's letter to its followers. Halle drafts it (« cette semaine » : new
    products, upcoming events, open group buys, latest stories); organisers edit it and send
    it now or at a set time; a task fans it out in batches."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("newsletter status", "Draft")
        SCHEDULED = "scheduled", pgettext_lazy("newsletter status", "Scheduled")
        SENDING = "sending", pgettext_lazy("newsletter status", "Sending")
        SENT = "sent", pgettext_lazy("newsletter status", "Sent")

    collective = models.ForeignKey(
        Collective,
        on_delete=models.CASCADE,
        related_name="newsletters",
        verbose_name=_("collective"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "scheduled", "sending", "sent"]),
                name="notifications_newsletter_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(send_at__isnull=False),
                name="notifications_newsletter_scheduled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class NewsletterDelivery(models.Model):
    """One recipient of a newsletter: the row exists before anything is sent, and is
    claimed before its e-mail leaves, so a resend never e-mails anyone twice."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("newsletter delivery status", "To send")
        SENDING = "sending", pgettext_lazy("newsletter delivery status", "Sending")
        SENT = "sent", pgettext_lazy("newsletter delivery status", "Sent")
        SKIPPED = "skipped", pgettext_lazy("newsletter delivery status", "Unsubscribed")
        FAILED = "failed", pgettext_lazy("newsletter delivery status", "Failed")

    newsletter = models.ForeignKey(
        Newsletter,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("newsletter"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("newsletter recipient")
        verbose_name_plural = _("newsletter recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["newsletter", "user"], name="notifications_newsletter_once_per_person"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "skipped", "failed"]),
                name="notifications_delivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["newsletter", "status"], name="notifications_nl_progress"),
        ]

    def __str__(self) -> str:
        return f"{self.newsletter} → {self.user} ({self.get_status_display()})"
