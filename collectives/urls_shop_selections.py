"""A shop's proposals to selections, in « Mon commerce » (/mon-commerce/<shop>/selections/…)."""

from django.urls import path

from collectives.views import selections_shop

app_name = "shop_selections"

urlpatterns = [
    path("", selections_shop.selection_list, name="list"),
    path("<int:selection_id>/proposer/", selections_shop.propose, name="propose"),
    path("propositions/<int:item_id>/retirer/", selections_shop.withdraw, name="withdraw"),
]
