from django.urls import path

from somu.approvals.views import admin_rules, admin_types, delegations, exports, requests

app_name = "approvals"

urlpatterns = [
    # requests, the inbox and decisions (views/requests.py)
    path("inbox/", requests.inbox, name="inbox"),
    path("requests/", requests.request_list, name="request_list"),
    path("new/", requests.request_new, name="request_new"),
    path("new/<int:type_id>/", requests.request_create, name="request_create"),
    path("new/<int:type_id>/route/", requests.route_preview_new, name="route_preview_new"),
    path("requests/<int:request_id>/", requests.request_detail, name="request_detail"),
    path("requests/<int:request_id>/edit/", requests.request_edit, name="request_edit"),
    path("requests/<int:request_id>/route/", requests.route_preview, name="route_preview"),
    path("requests/<int:request_id>/submit/", requests.request_submit, name="request_submit"),
    path("requests/<int:request_id>/recall/", requests.request_recall, name="request_recall"),
    path("requests/<int:request_id>/delete/", requests.request_delete, name="request_delete"),
    path("requests/<int:request_id>/decide/", requests.request_decide, name="request_decide"),
    path("requests/<int:request_id>/seen/", requests.request_seen, name="request_seen"),
    path("requests/<int:request_id>/participants/", requests.participant_add,
         name="participant_add"),
    path("requests/<int:request_id>/attachments/", requests.attachment_add,
         name="attachment_add"),
    path("attachments/<int:request_attachment_id>/", requests.attachment_download,
         name="attachment_download"),
    path("attachments/<int:request_attachment_id>/delete/", requests.attachment_delete,
         name="attachment_delete"),
    path("post-reviews/<int:review_id>/", requests.post_review, name="post_review"),
    # delegations (views/delegations.py)
    path("delegations/", delegations.delegation_list, name="delegation_list"),
    path("delegations/<int:delegation_id>/revoke/", delegations.delegation_revoke,
         name="delegation_revoke"),
    # the printable 稟議書 and exports (views/exports.py)
    path("requests/<int:request_id>/print/", exports.request_print, name="request_print"),
    path("requests/<int:request_id>/pdf/", exports.request_pdf, name="request_pdf"),
    path("requests/export/", exports.request_export, name="request_export"),
    # request types (views/admin_types.py)
    path("types/", admin_types.type_list, name="type_list"),
    path("types/new/", admin_types.type_create, name="type_create"),
    path("types/<int:type_id>/", admin_types.type_edit, name="type_edit"),
    # the 決裁権限規程 (views/admin_rules.py)
    path("rules/", admin_rules.rules, name="rules"),
    path("rules/versions/<int:version_id>/", admin_rules.rule_version, name="rule_version"),
    path("rules/edit/", admin_rules.rule_edit, name="rule_edit"),
    path("rules/test/", admin_rules.rule_test, name="rule_test"),
    path("rules/import/", admin_rules.rule_import, name="rule_import"),
    path("rules/export/", admin_rules.rule_export, name="rule_export"),
]
