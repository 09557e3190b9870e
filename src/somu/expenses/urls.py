from django.urls import path

from somu.expenses.views import admin, claims, registry

app_name = "expenses"

urlpatterns = [
    path("claims/new/", claims.claim_new, name="claim_new"),
    path("claims/<int:claim_id>/", claims.claim_detail, name="claim_detail"),
    # the set-up
    path("accounts/", admin.account_list, name="account_list"),
    path("accounts/new/", admin.account_create, name="account_create"),
    path("accounts/<int:expense_account_id>/", admin.account_edit, name="account_edit"),
    path("accounts/<int:expense_account_id>/delete/", admin.account_delete,
         name="account_delete"),
    path("rules/", admin.rule_list, name="rule_list"),
    path("rules/new/", admin.rule_create, name="rule_create"),
    path("rules/<int:expense_rule_id>/", admin.rule_edit, name="rule_edit"),
    path("rules/<int:expense_rule_id>/move/", admin.rule_move, name="rule_move"),
    path("settings/", admin.settings_page, name="settings"),
    path("journal-names/", admin.journal_names, name="journal_names"),
    # the invoice registry: a page of the deployment, for its operators
    path("registry/", registry.registry_import_page, name="registry_import"),
]
