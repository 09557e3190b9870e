from django.urls import path

from somu.expenses.views import claims, registry

app_name = "expenses"

urlpatterns = [
    path("claims/new/", claims.claim_new, name="claim_new"),
    path("claims/<int:claim_id>/", claims.claim_detail, name="claim_detail"),
    path("registry/", registry.registry_import_page, name="registry_import"),
]
