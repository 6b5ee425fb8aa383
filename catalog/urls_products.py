"""A shop's listings in « Mon commerce » (/mon-commerce/<shop>/produits/…).

Every view is wrapped by merchants.permissions.merchant_required, which takes the
``merchant_slug`` of the including path: views receive only their own arguments.
"""

from django.urls import path

from catalog.views import products as views

app_name = "products"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("nouveau/", views.product_create, name="create"),
    path("actions-groupees/", views.product_bulk, name="bulk"),
    path("<int:pk>/", views.product_edit, name="edit"),
    path("<int:pk>/stock/", views.product_stock, name="stock"),
    path("<int:pk>/statut/", views.product_status, name="status"),
    path("<int:pk>/dupliquer/", views.product_duplicate, name="duplicate"),
    path("<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("<int:pk>/photos/ordre/", views.photo_reorder, name="photo_reorder"),
    path("<int:pk>/photos/<int:image_pk>/", views.photo_update, name="photo_update"),
    path("<int:pk>/photos/<int:image_pk>/vignette/", views.photo_thumbnail, name="photo_thumb"),
    path("<int:pk>/photos/<int:image_pk>/principale/", views.photo_main, name="photo_main"),
    path("<int:pk>/photos/<int:image_pk>/deplacer/", views.photo_move, name="photo_move"),
    path("<int:pk>/photos/<int:image_pk>/supprimer/", views.photo_delete, name="photo_delete"),
]
