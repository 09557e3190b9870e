from django.urls import path

from somu.expenses.views import admin, banks, claims, periods, registry, search

app_name = "expenses"

urlpatterns = [
    path("claims/", claims.claim_list, name="claim_list"),
    path("claims/new/", claims.claim_new, name="claim_new"),
    path("advances/new/", claims.advance_new, name="advance_new"),
    path("claims/<int:claim_id>/", claims.claim_detail, name="claim_detail"),
    path("claims/<int:claim_id>/edit/", claims.claim_edit, name="claim_edit"),
    path("claims/<int:claim_id>/lines/", claims.line_add, name="line_add"),
    path("claims/<int:claim_id>/receipts/", claims.receipt_add, name="receipt_add"),
    path("claims/<int:claim_id>/submit/", claims.claim_submit, name="claim_submit"),
    path("claims/<int:claim_id>/correct/", claims.claim_correct, name="claim_correct"),
    path("claims/<int:claim_id>/delete/", claims.claim_delete, name="claim_delete"),
    path("lines/<int:line_id>/", claims.line_edit, name="line_edit"),
    path("lines/<int:line_id>/delete/", claims.line_delete, name="line_delete"),
    path("receipts/<int:receipt_id>/", claims.receipt_download, name="receipt_download"),
    path("receipts/<int:receipt_id>/delete/", claims.receipt_delete, name="receipt_delete"),
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
    path("bank-account/", banks.my_bank_account, name="my_bank_account"),
    path("bank-accounts/", banks.bank_list, name="bank_list"),
    path("bank-accounts/<int:person_id>/", banks.bank_edit, name="bank_edit"),
    path("periods/", periods.period_list, name="period_list"),
    path("periods/close/", periods.period_close, name="period_close"),
    path("periods/<int:period_id>/", periods.period_detail, name="period_detail"),
    path("periods/<int:period_id>/download/", periods.period_download, name="period_download"),
    path("search/", search.search, name="search"),
    path("search/export/", search.search_download, name="search_export"),
    # the invoice registry: a page of the deployment, for its operators
    path("registry/", registry.registry_import_page, name="registry_import"),
]
