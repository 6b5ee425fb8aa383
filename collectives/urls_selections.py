"""Public selections of a collective (/collectifs/<slug>/selections/…)."""

from django.urls import path

from collectives.views import selections_public

app_name = "selections"

urlpatterns = [
    path("", selections_public.selection_list, name="list"),
    path("<slug:selection_slug>/", selections_public.selection_detail, name="detail"),
]
