"""The organisers' « Widget » page (/organiser/<collective>/api/widget/): choose what the
widget shows, see it live, and copy the snippet to hand to a partner site.

A GET form: choosing changes nothing on the server, and the page's address keeps the
choices. With htmx, changing a field swaps the preview and the snippet in place.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from collectives.permissions import OrganiserRequest, organiser_required
from partners.forms.widget import WidgetOptions, WidgetSnippetForm
from partners.selectors.widget import widget_selections

# The organiser space's « API » part (keys, webhooks, widget), as partners.views.keys_organiser.
NAV = "api"
SCRIPT_PATH = "js/halle-widget.js"
DEFAULT_HEIGHT = 600


def widget_snippet(*, widget_url: str, script_url: str, title: str, height: int) -> SafeString:
    """The HTML a partner pastes: the frame, then the optional resizing script. The script's
    address is the file's own (not the hashed copy of a deployment), so it stays valid."""
    return format_html(
        '<iframe src="{}" title="{}" loading="lazy" style="width:100%;border:0" '
        'height="{}"></iframe>\n<script src="{}" async></script>',
        widget_url,
        title,
        height,
        script_url,
    )


@organiser_required()
def widget_page(request: OrganiserRequest) -> HttpResponse:
    """The options form, the live preview (the widget itself, framed) and the snippet. Until
    the choices are valid (errors next to the fields), both show the default widget."""
    collective = request.collective
    form = WidgetSnippetForm(
        request.GET or None, selections=widget_selections(collective=collective)
    )
    valid = form.is_bound and form.is_valid()
    options = form.options() if valid else WidgetOptions()
    language = form.cleaned_data["language"] if valid else settings.LANGUAGE_CODE
    height = form.cleaned_data["height"] if valid else DEFAULT_HEIGHT
    with translation.override(language):
        path = reverse("widget:collective", kwargs={"slug": collective.slug})
        title = _("%(collective)s on Halle") % {"collective": collective.name}
    widget_url = request.build_absolute_uri(path) + "?" + options.query()
    script_url = request.build_absolute_uri(settings.STATIC_URL + SCRIPT_PATH)
    return render(
        request,
        "partners/widget_organiser/page.html",
        {
            "nav": NAV,
            "is_admin": request.organiser_role == "admin",
            "docs_url": reverse("api:docs"),
            "form": form,
            "options": options,
            "widget_url": widget_url,
            "preview_url": path + "?" + options.query(),
            "height": height,
            "title": title,
            "snippet": widget_snippet(
                widget_url=widget_url, script_url=script_url, title=title, height=height
            ),
            "is_public": collective.status == "active",
        },
    )
