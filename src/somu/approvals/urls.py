from django.urls import path

from somu.approvals import views

app_name = "approvals"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("requests/", views.request_list, name="request_list"),
    path("new/", views.request_new, name="request_new"),
    path("requests/<int:request_id>/", views.request_detail, name="request_detail"),
    path("delegations/", views.delegation_list, name="delegation_list"),
    path("rules/", views.rules, name="rules"),
    path("types/", views.type_list, name="type_list"),
]
