"""The organisers' space (/organiser/<collective>/…)."""

from django.urls import path

from collectives.views import organiser

app_name = "organiser"

urlpatterns = [
    path("", organiser.index, name="index"),
    path("nouveau-collectif/", organiser.create, name="create"),
    path("<slug:collective_slug>/", organiser.dashboard, name="dashboard"),
    path("<slug:collective_slug>/publier/", organiser.publish, name="publish"),
    path("<slug:collective_slug>/page/", organiser.edit, name="edit"),
    path("<slug:collective_slug>/organisateurs/", organiser.organisers, name="organisers"),
    path("<slug:collective_slug>/membres/", organiser.members, name="members"),
    path("<slug:collective_slug>/membres/inviter/", organiser.invite, name="invite"),
    *[
        path(
            f"<slug:collective_slug>/membres/<int:membership_id>/{word}/",
            organiser.membership_action,
            {"action": action},
            name=f"membership_{action}",
        )
        for word, action in [
            ("accepter", "approve"),
            ("refuser", "reject"),
            ("suspendre", "suspend"),
            ("reintegrer", "reinstate"),
        ]
    ],
    path(
        "<slug:collective_slug>/invitations/<int:invitation_id>/retirer/",
        organiser.invitation_withdraw,
        name="invitation_withdraw",
    ),
]
