"""Root URLs. Public pages are French at the root and English under /en/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from catalog.sitemaps import ProductSitemap, StorySitemap
from collectives.sitemaps import CollectiveSitemap, EventSitemap, HomeSitemap, SelectionSitemap
from merchants.sitemaps import MerchantSitemap

sitemaps = {
    "home": HomeSitemap,
    "collectives": CollectiveSitemap,
    "shops": MerchantSitemap,
    "products": ProductSitemap,
    "stories": StorySitemap,
    "events": EventSitemap,
    "selections": SelectionSitemap,
}

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("admin/", admin.site.urls),
    # The partner API is language-neutral: JSON with stable field names, no /en/ prefix.
    path("api/", include("partners.urls_api")),
    # Clicks on « itinéraire » / « appeler » counted without cookies (no language prefix).
    path("compter/", include("insights.urls_count")),
]

urlpatterns += i18n_patterns(
    path("compte/", include("allauth.urls")),
    # « Mon commerce »: the shopkeeper's space. Every route below a shop's slug is resolved
    # by merchants.permissions.merchant_required (404 unless the user works there).
    path("mon-commerce/", include("merchants.urls")),
    path("mon-commerce/<slug:merchant_slug>/produits/", include("catalog.urls_products")),
    path("mon-commerce/<slug:merchant_slug>/import-export/", include("catalog.urls_imports")),
    path("mon-commerce/<slug:merchant_slug>/histoires/", include("merchants.urls_stories")),
    path("mon-commerce/<slug:merchant_slug>/collectifs/", include("collectives.urls_shop")),
    path("mon-commerce/<slug:merchant_slug>/evenements/", include("collectives.urls_shop_events")),
    path(
        "mon-commerce/<slug:merchant_slug>/selections/", include("collectives.urls_shop_selections")
    ),
    path(
        "mon-commerce/<slug:merchant_slug>/reservations/",
        include("orders.urls_shop_reservations"),
    ),
    path(
        "mon-commerce/<slug:merchant_slug>/achats-groupes/",
        include("orders.urls_shop_group_buys"),
    ),
    path("mon-commerce/<slug:merchant_slug>/api/", include("partners.urls_shop")),
    path("mon-commerce/<slug:merchant_slug>/statistiques/", include("insights.urls_shop")),
    path("rejoindre/", include("collectives.urls_join")),
    path("widget/", include("partners.urls_widget")),
    path("notifications/", include("notifications.urls")),
    path("reservations/", include("orders.urls_reservations")),
    path("achats-groupes/", include("orders.urls_group_buys")),
    path("mon-compte/", include("orders.urls_account")),
    path("boutiques/", include("catalog.urls")),
    # The organiser space: every route below a collective's slug is resolved by
    # collectives.permissions.organiser_required (404 unless the user organises it).
    path(
        "organiser/<slug:collective_slug>/evenements/",
        include("collectives.urls_organiser_events"),
    ),
    path("organiser/<slug:collective_slug>/direct/", include("collectives.urls_organiser_live")),
    path(
        "organiser/<slug:collective_slug>/selections/",
        include("collectives.urls_organiser_selections"),
    ),
    path(
        "organiser/<slug:collective_slug>/achats-groupes/",
        include("orders.urls_organiser_group_buys"),
    ),
    path("organiser/<slug:collective_slug>/api/", include("partners.urls_organiser")),
    path("organiser/<slug:collective_slug>/statistiques/", include("insights.urls_organiser")),
    path("organiser/<slug:collective_slug>/lettres/", include("notifications.urls_organiser")),
    path("organiser/", include("collectives.urls_organiser")),
    path("collectifs/<slug:slug>/direct/", include("collectives.urls_live")),
    path("collectifs/<slug:slug>/", include("collectives.urls_events")),
    path("collectifs/<slug:slug>/selections/", include("collectives.urls_selections")),
    path("", include("collectives.urls_follows")),
    path("", include("collectives.urls")),
    prefix_default_language=False,
)

if settings.HALLE_SERVE_MEDIA:
    # Development and browser tests only; production serves media from object storage.
    from django.views.static import serve

    urlpatterns += [
        path(
            settings.MEDIA_URL.lstrip("/") + "<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

admin.site.site_header = "Halle"
admin.site.site_title = "Halle"
