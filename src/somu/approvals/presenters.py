"""Words for people: why a stage went to whom, why a route cannot be resolved, stage kinds.

The pure resolver (:mod:`somu.rules.routing`) returns codes with parameters; this module turns
them into sentences in the user's language, so the rule tester, the submission page, the
request's route and the API say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from somu.core.money import format_yen
from somu.rules import routing


def stage_kind_label(kind: str) -> str:
    from somu.approvals.models import StageKind

    try:
        return str(StageKind(kind).label)
    except ValueError:
        return kind


def _why_templates() -> dict[str, str]:
    return {
        "rule_row": _("Row %(row)s of the approval rules applies."),
        "position_found": _("%(person)s is the %(position)s (head of %(department)s)."),
        "levels_up_found": _("%(person)s is %(levels)s level(s) up (head of %(department)s)."),
        "person_named": _("The rule names %(person)s."),
        "field_person": _("%(person)s was chosen in the form field “%(field)s”."),
        "manager": _("%(person)s is the requester's manager."),
        "group_members": _("The members of %(department)s (%(count)s people)."),
        "self_escalated": _("%(person)s is the requester and cannot approve their own request: "
                            "it goes up to %(next)s."),
        "vacant_escalated": _("No %(position)s is set (vacant): it goes up to %(person)s, head "
                              "of %(department)s."),
        "vacant_fallback": _("No %(position)s is set (vacant): it goes to the rule's fallback "
                             "approver %(person)s."),
        "vacant_skipped": _("No %(position)s is set (vacant): the rule skips this stage."),
        "requester_removed": _("%(person)s is the requester and was left out of this stage."),
    }


def _error_templates() -> dict[str, str]:
    return {
        "no_rule": _("No row of the approval rules applies to this request."),
        "no_decision": _("The rows that apply give no final decision (決裁) stage."),
        "ambiguous": _("Rows %(row_a)s and %(row_b)s both give a final decision (決裁) for this "
                       "request: the rules are ambiguous."),
        "unresolvable": _("Row %(row)s, stage %(stage)s (%(kind)s %(position)s) cannot be "
                          "resolved: %(reason)s"),
        "bad_quorum": _("Row %(row)s: “at least” must be 1 or more."),
        "missing_field": _("Row %(row)s: name the form field that holds the approver."),
        "condition_error": _("Row %(row)s: the condition cannot be evaluated: %(message)s"),
        "quorum_too_high": _("Row %(row)s, stage %(stage)s needs %(at_least)s approvals but "
                             "has only %(count)s approvers."),
        "unknown_position": _("Row %(row)s: there is no position “%(position)s”."),
        "unknown_person": _("Row %(row)s: there is no person with id %(id)s."),
        "unknown_department": _("Row %(row)s: there is no department with id %(id)s."),
        "bad_band": _("Row %(row)s: the amount band is wrong (negative, or “from” above "
                      "“up to”)."),
        "no_stages": _("Row %(row)s has no stage."),
        "bad_levels": _("Row %(row)s: “levels up” must be between 1 and 9."),
        "fallback_missing": _("Row %(row)s: a fallback approver is needed when a vacant "
                              "position goes to the fallback."),
        "overlap": _("Rows %(row_a)s and %(row_b)s can both apply to one request and both give "
                     "a final decision (決裁): make their bands, departments or conditions "
                     "exclusive."),
        "unknown_requester": _("The requester is not a person of this organization."),
        "duplicate_row": _("Row number %(row)s is used twice."),
        "unknown_category": _("Row %(row)s: “%(type)s” has no category “%(category)s”."),
        "not_a_person_field": _("Row %(row)s: “%(type)s” has no person field “%(field)s”."),
    }


def _fill(template: str, params: Mapping[str, Any]) -> str:
    try:
        return template % {k: v for k, v in params.items()}
    except (KeyError, TypeError, ValueError):
        return template


def why_text(why: routing.Why | Mapping[str, Any]) -> str:
    """One reason as a sentence (a stored reason is a dict with ``code`` and ``params``)."""
    code = why.code if isinstance(why, routing.Why) else why.get("code", "")
    params = why.params if isinstance(why, routing.Why) else why.get("params", {})
    template = _why_templates().get(code)
    return _fill(template, params) if template else code


def approver_kind_label(kind: str) -> str:
    return {
        "position": _("Position"), "levels_up": _("Levels up"), "person": _("Named person"),
        "group": _("Department members"), "manager": _("Manager"), "field": _("Form field"),
    }.get(kind, kind)


def _reason_texts() -> dict[str, str]:
    return {
        "vacant": _("nobody holds this position in the requester's chain, and nobody above "
                    "can take it"),
        "requester": _("the only approver is the requester, who cannot approve their own "
                       "request"),
        "inactive": _("the approver has retired"),
        "missing": _("the approver does not exist"),
        "empty": _("the group has no active member"),
        "too_few_levels": _("there are not that many levels above the requester"),
        "decision_skipped": _("the final decision (決裁) cannot be skipped"),
        "fallback_inactive": _("the fallback approver has retired"),
        "fallback_missing": _("no fallback approver is set"),
        "fallback_is_requester": _("the fallback approver is the requester"),
    }


def error_text(error: routing.RouteError) -> str:
    """A resolution or table error as a sentence naming the row, stage and reason."""
    template = _error_templates().get(error.code)
    if template is None:
        return str(error)
    params = dict(error.params)
    if error.code == "quorum_too_high":
        params["stage"] = int(params.get("stage", error.stage or 0)) + 1
        params.setdefault("row", error.row if error.row is not None else "?")
    if error.code == "unresolvable":
        params["stage"] = int(params.get("stage", 0)) + 1
        params["kind"] = stage_kind_label(str(params.get("kind", "")))
        params["position"] = params.get("position") or approver_kind_label(
            str(params.get("approver", "")))
        reason = str(params.get("reason", ""))
        params["reason"] = _reason_texts().get(reason, reason)
    return _fill(template, params)


def why_dicts(whys: tuple[routing.Why, ...]) -> list[dict[str, Any]]:
    return [{"code": w.code, "params": dict(w.params)} for w in whys]


def yen(amount: int | None) -> str:
    """The one yen formatter (¥1,234); nothing for a request without an amount."""
    return "" if amount is None else format_yen(amount)
