"""« Mon fil » and the follow buttons (/mon-fil/, /suivre/boutique/<slug>/…,
/suivre/collectif/<slug>/…)."""

from django.urls import path

from collectives.views import follows

app_name = "follows"

urlpatterns = [
    path("mon-fil/", follows.feed, name="feed"),
    path("suivre/boutique/<slug:slug>/", follows.shop_follow, name="follow_shop"),
    path("suivre/boutique/<slug:slug>/arreter/", follows.shop_unfollow, name="unfollow_shop"),
    path("suivre/collectif/<slug:slug>/", follows.collective_follow, name="follow_collective"),
    path(
        "suivre/collectif/<slug:slug>/arreter/",
        follows.collective_unfollow,
        name="unfollow_collective",
    ),
]
