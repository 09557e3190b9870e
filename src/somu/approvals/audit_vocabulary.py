"""The approvals module's words for the audit log (see :mod:`somu.audit.catalogue`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from somu.approvals.models import RequestState
from somu.audit.catalogue import Vocabulary

VOCABULARY = Vocabulary(
    actions={
        "approval_request.create": _("Request created"),
        "approval_request.submit": _("Request submitted"),
        "approval_request.recall": _("Request recalled"),
        "approval_request.delete": _("Draft request deleted"),
        "approval_request.approve": _("Request approved"),
        "approval_request.reject": _("Request rejected"),
        "approval_request.return": _("Request sent back"),
        "approval_request.add_participant": _("Consultation participant added"),
        "approval_request.post_review": _("Decision reviewed after the fact (後閲)"),
        "approval_request.attach": _("File attached to a request"),
        "approval_request.detach": _("File removed from a request"),
        "approval_request.download": _("Request attachment downloaded"),
        "approval_request.export": _("Requests exported"),
        "approval_delegation.create": _("Delegation set"),
        "approval_delegation.revoke": _("Delegation ended"),
        "approval_type.save": _("Request type saved"),
        "approval_rules.save": _("Approval rules revised"),
        "approval_rules.export": _("Approval rules exported"),
        "approval_rules.import": _("Approval rules imported from Excel"),
    },
    object_types={
        "approvals.request": _("request"),
        "approvals.delegation": _("delegation"),
        "approvals.requesttype": _("request type"),
        "approvals.ruleversion": _("approval rules revision"),
    },
    fields={
        "acting": _("acting as"),
        "delegation": _("delegation"),
        "deputy": _("deputy"),
        "effective_from": _("effective from"),
        "end": _("to"),
        "number_prefix": _("number prefix"),
        "on_behalf_of": _("on behalf of"),
        "participant": _("participant"),
        "post_review": _("after-the-fact review"),
        "principal": _("absent approver"),
        "request_types": _("request types"),
        "revision": _("revision"),
        "seat_of": _("decision of"),
        "stage": _("stage"),
        "start": _("from"),
    },
    fields_by_type={
        ("approvals.request", "filter"): _("filter of the list"),
        ("approvals.request", "format"): _("file format"),
        ("approvals.request", "count"): _("requests exported"),
        ("approvals.delegation", "revoked_at"): _("ended"),
        ("approvals.ruleversion", "rows"): _("rows"),
    },
    value_labels={
        "state": {value: label for value, label in RequestState.choices},
        "acting": {"delegate": _("As deputy (代理承認)"),
                   "superior": _("For the absent approver (代決)")},
        "post_review": {"acknowledged": _("Acknowledged"), "flagged": _("Flagged")},
    },
    yen=frozenset({("approvals.request", "amount")}),
    detail_urls={"approvals.request": "approvals:request_detail"},
)
