from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from somu.approvals import permissions as p
from somu.core.registry import Command, Contribution, NavItem, NavSection, NotificationKind


class ApprovalsConfig(AppConfig):
    name = "somu.approvals"
    label = "approvals"
    verbose_name = _("Requests and approvals")
    default_auto_field = "django.db.models.BigAutoField"
    somu = Contribution(
        urls="somu.approvals.urls",
        url_prefix="approvals/",
        api=(("/approvals", "somu.approvals.api:router"),),
        permissions=p.PERMISSIONS,
        nav=(NavSection("approvals", pgettext_lazy("nav", "Requests and approvals"),
                        order=35, items=(
            NavItem(_("Awaiting my decision"), "approvals:inbox", (),
                    active=("/approvals/inbox",)),
            NavItem(_("Requests"), "approvals:request_list",
                    (p.SUBMIT_REQUESTS, p.VIEW_REQUESTS),
                    active=("/approvals/requests",)),
            NavItem(_("New request"), "approvals:request_new", (p.SUBMIT_REQUESTS,),
                    active=("/approvals/new",)),
            NavItem(_("Delegations"), "approvals:delegation_list", (p.SUBMIT_REQUESTS,),
                    active=("/approvals/delegations",)),
            NavItem(_("Approval rules (決裁権限規程)"), "approvals:rules",
                    (p.MANAGE_APPROVALS, p.VIEW_REQUESTS), active=("/approvals/rules",)),
            NavItem(_("Request types"), "approvals:type_list", (p.MANAGE_APPROVALS,),
                    active=("/approvals/types",)),
        )),),
        home_leads=("somu.approvals.home:lead",),
        home_waiting=("somu.approvals.home:waiting",),
        task_panels=("somu.approvals.home:task_panel",),
        demo="somu.approvals.demo:load_demo",
        demo_after=("procedures",),
        audit="somu.approvals.audit_vocabulary:VOCABULARY",
        isolation="somu.approvals.tests.isolation:records_of_b",
        notification_kinds=(
            NotificationKind("approvals.decision_needed", _("A request awaits your decision"),
                             in_app=True, email="immediate"),
            NotificationKind("approvals.request_decided",
                             _("Your request was approved, rejected or sent back"),
                             in_app=True, email="immediate"),
            NotificationKind("approvals.circulated", _("An approved request is circulated to you"),
                             in_app=True, email="digest"),
            NotificationKind("approvals.post_review",
                             _("Someone decided in your absence (後閲)"),
                             in_app=True, email="immediate"),
        ),
        commands=(
            Command("approvals import-rules",
                    "import the approval rules (決裁権限規程) from Excel as a new revision",
                    "approvals_import_rules"),
            Command("approvals export-rules", "export the approval rules in force as Excel",
                    "approvals_export_rules"),
        ),
    )
