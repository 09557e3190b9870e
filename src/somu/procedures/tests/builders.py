"""Templates and people the procedures service tests share (not a test module).

``onboarding()`` is a small 入社手続き: the newcomer hands in documents, 人事部 staff file the
social-insurance and employment-insurance notices, the newcomer's manager issues accounts
after the documents, and 山田 (A001) approves at the end.
"""

from __future__ import annotations

import copy
from typing import Any

from somu.core import tenancy
from somu.core.permissions import Role
from somu.org.models import Organization, User
from somu.procedures.models import Template
from somu.procedures.services import templates as template_services

ONBOARDING: dict[str, Any] = {
    "somu": "procedure/1",
    "name": "入社手続き",
    "category": "人事労務",
    "description": "新しく入社する人の手続き",
    "parameters": [
        {"key": "入社者", "type": "person"},
        {"key": "入社日", "type": "date"},
        {"key": "雇用形態", "type": "choice", "choices": ["正社員", "契約社員", "パート"],
         "default": "正社員"},
    ],
    "steps": [
        {"key": "docs", "name": "入社書類の提出", "assignee": {"param": "入社者"},
         "instructions": "{{入社者}}さんは{{入社日}}までに書類を提出してください。",
         "due": {"from": "入社日", "offset": -3},
         "checklist": ["雇用契約書", "マイナンバー"],
         "estimated_minutes": 30},
        {"key": "shaho", "name": "健康保険・厚生年金 資格取得届",
         "assignee": {"role": "staff", "department": "人事部"},
         "due": {"from": "入社日", "offset": 5, "unit": "calendar", "roll": "previous"},
         "depends_on": ["docs"], "condition": "雇用形態 in ['正社員', '契約社員']",
         "form": [{"key": "receipt_no", "label": "受付番号", "required": True},
                  {"key": "submitted_on", "label": "提出日", "type": "date"}],
         "estimated_minutes": 30},
        {"key": "koyo", "name": "雇用保険 資格取得届",
         "assignee": {"role": "staff", "department": "人事部"},
         "due": {"from": "入社日", "day_of_month": 10, "months": 1},
         "depends_on": ["docs"], "estimated_minutes": 20},
        {"key": "account", "name": "アカウント発行", "assignee": {"manager_of": "入社者"},
         "due": {"after": "docs", "offset": 2}, "depends_on": ["docs"],
         "estimated_minutes": 15},
        {"key": "approve", "name": "人事部長の確認", "kind": "approval",
         "assignee": {"person": "A001"}, "depends_on": ["shaho", "koyo", "account"],
         "on_reject": "reopen:shaho"},
    ],
}


def onboarding(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the onboarding spec with top-level ``changes``."""
    spec = copy.deepcopy(ONBOARDING)
    spec.update(changes)
    return spec


def step_spec(spec: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in spec["steps"] if s["key"] == key)


def make_hr_staff(make_user: Any, org: Organization, people: Any) -> User:
    """佐藤 (人事部) as back-office staff: the 人事部 role holder of the onboarding spec."""
    return make_user("sato_staff", org, Role.STAFF, person=people.sato)  # type: ignore[no-any-return]


def save(org: Organization, spec: dict[str, Any], *, actor: Any = None, owner: Any = None,
         template: Template | None = None) -> Template:
    with tenancy.activate(org):
        return template_services.template_save(
            actor=actor, template=template, spec=spec, owner=owner)
