"""« Mon commerce »: a shopkeeper's own space (/mon-commerce/…).

The fixed words come before the shop's slug, and a shop may not take them as its slug
(``merchants.services.shops.RESERVED_SLUGS``).
"""

from django.urls import path

from merchants.views import shop, staff

app_name = "shop"

urlpatterns = [
    path("", shop.index, name="index"),
    path("nouvelle-boutique/", shop.create, name="create"),
    path("invitation/<str:token>/", staff.invitation, name="invitation"),
    path("<slug:merchant_slug>/", shop.dashboard, name="dashboard"),
    path("<slug:merchant_slug>/publier/", shop.publish, name="publish"),
    path("<slug:merchant_slug>/profil/", shop.profile, name="profile"),
    path("<slug:merchant_slug>/horaires/", shop.hours, name="hours"),
    path("<slug:merchant_slug>/horaires/fermetures/", shop.closure_add, name="closure_add"),
    path(
        "<slug:merchant_slug>/horaires/fermetures/<int:closure_id>/supprimer/",
        shop.closure_remove,
        name="closure_remove",
    ),
    path("<slug:merchant_slug>/equipe/", staff.staff, name="staff"),
    path("<slug:merchant_slug>/equipe/inviter/", staff.staff_invite, name="staff_invite"),
    path(
        "<slug:merchant_slug>/equipe/invitations/<int:invitation_id>/retirer/",
        staff.staff_invitation_withdraw,
        name="staff_invitation_withdraw",
    ),
    path(
        "<slug:merchant_slug>/equipe/membres/<int:member_id>/retirer/",
        staff.staff_member_remove,
        name="staff_member_remove",
    ),
]
