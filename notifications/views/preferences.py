"""How a person wants to hear from Halle (/notifications/preferences/)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from notifications.forms.preferences import PreferencesForm, field_name
from notifications.kinds import AUDIENCE_LABELS, KINDS
from notifications.selectors.preferences import preference_page
from notifications.services.preferences import preferences_save, resubscribe
from notifications.unsubscribe import NEWSLETTER_PREFIX

INVALID_STATUS = 400


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Per kind: straight away, in the daily digest, or never by e-mail (transactional kinds
    are shown locked); « only the essential e-mails »; the newsletters turned off, each with
    a button to receive it again."""
    user = request.user
    assert isinstance(user, User)
    page = preference_page(user)
    topic = request.POST.get("resubscribe", "")
    if request.method == "POST" and topic.startswith(NEWSLETTER_PREFIX):
        resubscribe(actor=user, topic=topic)
        messages.success(request, _("You will receive this newsletter again."))
        return redirect("notifications:preferences")
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        kinds=page["kinds"],  # type: ignore[arg-type]
        chosen=page["chosen"],  # type: ignore[arg-type]
        all_off=page["all_off"],  # type: ignore[arg-type]
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                preferences_save(
                    actor=user, modes=form.modes(), all_off=form.cleaned_data["all_off"]
                )
            except ValidationError as error:
                for name, problems in error.error_dict.items():
                    target = field_name(KINDS[name]) if name in KINDS else None
                    for problem in problems:
                        form.add_error(target, problem)
            else:
                messages.success(request, _("Your preferences are saved."))
                return redirect("notifications:preferences")
        status = INVALID_STATUS
    groups = [
        {
            "label": label,
            "rows": [row for row in form.rows() if row["kind"].audience == audience],
        }
        for audience, label in AUDIENCE_LABELS.items()
    ]
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "groups": [group for group in groups if group["rows"]],
            "newsletters_off": page["newsletters_off"],
        },
        status=status,
    )
