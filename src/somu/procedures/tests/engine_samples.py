"""Template dicts shared by the engine's tests: a rich 入社手続き using every feature."""

import copy

ONBOARDING = {
    "somu": "procedure/1",
    "name": "入社手続き",
    "category": "人事労務",
    "description": "新しく入社する人の社会保険・雇用保険・アカウント発行まで\n2行目の説明",
    "notes": "根拠: 健康保険法施行規則第24条\n雇用保険法施行規則第6条",
    "on_unresolved_assignee": "owner",
    "tasks": ["人事労務 > 入退社 > 入社手続き"],
    "parameters": [
        {"key": "入社者", "type": "person"},
        {"key": "入社日", "type": "date", "default": "2026-04-01"},
        {"key": "雇用形態", "type": "choice", "choices": ["正社員", "契約社員", "パート"],
         "default": "正社員"},
        {"key": "週所定時間", "label": "週の所定労働時間", "type": "number", "required": False,
         "default": 40},
        {"key": "配属先", "type": "department", "required": False, "help": "部署名またはコード"},
        {"key": "海外赴任", "type": "boolean", "required": False, "default": False},
        {"key": "備考", "type": "text", "required": False},
    ],
    "steps": [
        {
            "key": "docs",
            "name": "入社書類の回収",
            "instructions": (
                "{{入社者}}さんから次の書類を回収する。\n\n- 年金手帳\n- 雇用保険被保険者証"
            ),
            "assignee": {"param": "入社者"},
            "due": {"from": "入社日", "offset": -3},
            "checklist": ["年金手帳", "雇用保険被保険者証", "扶養控除等申告書"],
            "estimated_minutes": 20,
        },
        {
            "key": "shaho",
            "name": "健康保険・厚生年金保険 被保険者資格取得届",
            "instructions": "{{入社者}}さんの資格取得届を年金事務所へ提出する（{{入社日}}入社）。",
            "assignee": {"role": "staff", "department": "人事部"},
            "due": {"from": "入社日", "offset": 5, "unit": "calendar", "roll": "previous"},
            "depends_on": ["docs"],
            "condition": "雇用形態 in ['正社員', '契約社員'] or 週所定時間 >= 30",
            "checklist": ["基礎年金番号を確認", "届出を電子申請"],
            "form": [
                {"key": "receipt_no", "label": "受付番号", "required": True},
                {"key": "submitted_on", "label": "提出日", "type": "date"},
                {"key": "method", "label": "提出方法", "type": "choice",
                 "choices": ["電子申請", "郵送", "窓口"], "help": "通常は電子申請"},
            ],
            "estimated_minutes": 30,
            "notes": "健康保険法施行規則第24条（事実発生から5日以内）",
        },
        {
            "key": "koyo",
            "name": "雇用保険 被保険者資格取得届",
            "assignee": {"role": "staff"},
            "due": {"from": "入社日", "day_of_month": 10, "months": 1, "roll": "next"},
            "depends_on": ["docs"],
            "condition": "not 海外赴任",
        },
        {
            "key": "account",
            "name": "PCとアカウントの準備",
            "assignee": {"manager_of": "入社者"},
            "due": {"from": "start", "end_of_month": True},
            "form": [{"key": "notes", "type": "textarea"}, {"key": "ok", "type": "boolean"}],
        },
        {
            "key": "approve",
            "name": "手続き完了の承認",
            "kind": "approval",
            "assignee": {"person": "S0001"},
            "due": {"after": "shaho", "offset": 2},
            "depends_on": ["shaho", "koyo", "account"],
            "on_reject": "reopen:shaho",
        },
        {
            "key": "report",
            "name": "完了報告",
            "assignee": {"manager_of": "starter"},
            "depends_on": ["approve"],
        },
    ],
}


def onboarding():
    """A fresh deep copy of the sample, for tests that change it."""
    return copy.deepcopy(ONBOARDING)
