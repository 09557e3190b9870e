from django.urls import path

from somu.expenses.views import banks, claims, periods, search

app_name = "expenses"

urlpatterns = [
    path("claims/new/", claims.claim_new, name="claim_new"),
    path("claims/<int:claim_id>/", claims.claim_detail, name="claim_detail"),
    path("bank-account/", banks.my_bank_account, name="my_bank_account"),
    path("bank-accounts/", banks.bank_list, name="bank_list"),
    path("bank-accounts/<int:person_id>/", banks.bank_edit, name="bank_edit"),
    path("periods/", periods.period_list, name="period_list"),
    path("periods/close/", periods.period_close, name="period_close"),
    path("periods/<int:period_id>/", periods.period_detail, name="period_detail"),
    path("periods/<int:period_id>/download/", periods.period_download, name="period_download"),
    path("search/", search.search, name="search"),
    path("search/export/", search.search_download, name="search_export"),
]
