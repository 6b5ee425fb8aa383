"""The REST API (/api/…): v1 endpoints, the OpenAPI schema and the interactive docs."""

app_name = "api"

urlpatterns: list = []
