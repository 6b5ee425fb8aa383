"""Forms of the organisers' newsletters. They only parse what was sent; the rules live in
:mod:`notifications.services.newsletters`, whose field errors the views put back next to
the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collectives.forms.selections import LocalDateTimeInput
from notifications.models import Newsletter


class NewsletterForm(forms.Form):
    """The subject and text of a letter."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 24, "class": "newsletter-form__body"}),
        help_text=_(
            "A line starting with « # » is a section title, one starting with « - » an item "
            "of a list; web addresses become links. Check the preview before sending."
        ),
    )

    @classmethod
    def initial_for(cls, newsletter: Newsletter) -> dict[str, str]:
        return {"subject": newsletter.subject, "body": newsletter.body}


class ScheduleForm(forms.Form):
    """When to send a letter (Paris time)."""

    send_at = forms.DateTimeField(
        label=_("Send on"),
        widget=LocalDateTimeInput(),
        help_text=_("Date and time, Paris time."),
    )
