"""What every organization starts with: the two request types, a chart of accounts for a
Japanese SME, a 旅費規程 and the usual 規程チェック, and the settings row."""

from __future__ import annotations

from typing import Any, Final

from somu.approvals.models import RequestType
from somu.core.tenancy import active_organization_id
from somu.expenses.models import Account, AccountRole, Rule, Settings, TaxRate

CLAIM_KIND: Final = "expenses.claim"
ADVANCE_KIND: Final = "expenses.advance"

# (code, name, number prefix, kind, description)
TYPES: Final = (
    ("expense", "経費精算", "経費", CLAIM_KIND,
     "立て替えた経費の精算。明細ごとに領収書・請求書を添付します。"),
    ("advance", "仮払申請", "仮払", ADVANCE_KIND,
     "出張等の前に費用を仮払いで受け取る申請。後日、経費精算で精算します。"),
)

S, R, E, N = TaxRate.STANDARD, TaxRate.REDUCED, TaxRate.EXEMPT, TaxRate.OUT_OF_SCOPE
# (code, name, role, default tax rate, allowed rates)
ACCOUNTS: Final[tuple[tuple[str, str, str, str, tuple[str, ...]], ...]] = (
    ("7410", "旅費交通費", AccountRole.TRANSPORT, S, (S, N)),
    ("7411", "出張日当", AccountRole.PER_DIEM, N, (N,)),
    ("7412", "宿泊費", AccountRole.LODGING, S, (S,)),
    ("7420", "通信費", AccountRole.PLAIN, S, (S, N)),
    ("7430", "消耗品費", AccountRole.PLAIN, S, (S, R)),
    ("7440", "会議費", AccountRole.PLAIN, S, (S, R)),
    ("7450", "交際費", AccountRole.ENTERTAINMENT, S, (S, R, N)),
    ("7460", "福利厚生費", AccountRole.PLAIN, S, (S, R, E)),
    ("7470", "新聞図書費", AccountRole.PLAIN, S, (S, R)),
    ("7480", "支払手数料", AccountRole.PLAIN, S, (S, E)),
    ("7490", "研修費", AccountRole.PLAIN, S, (S, E)),
    ("7500", "租税公課", AccountRole.PLAIN, N, (N,)),
    ("7510", "荷造運賃", AccountRole.PLAIN, S, (S,)),
    ("7590", "雑費", AccountRole.PLAIN, S, (S, R, E, N)),
    ("1150", "仮払金", AccountRole.ADVANCE, N, (N,)),
    ("2120", "未払金", AccountRole.PAYABLE, N, (N,)),
    ("1120", "普通預金", AccountRole.BANK, N, (N,)),
)

# (kind, severity, text, params)
RULES: Final[tuple[tuple[str, str, str, dict[str, Any]], ...]] = (
    ("per_diem", "warning", "旅費規程 第8条：国内出張の日当は役職に応じた額を上限とする。",
     {"limits": {"社長": 5000, "本部長": 4000, "部長": 3000, "課長": 2500}, "default": 2000,
      "region": "domestic"}),
    ("lodging", "warning",
     "旅費規程 第9条：国内出張の宿泊費は1泊あたり役職に応じた額を上限とする。",
     {"limits": {"社長": 15000, "本部長": 13000, "部長": 12000, "課長": 11000}, "default": 10000,
      "region": "domestic"}),
    ("per_diem_once", "error", "旅費規程 第8条：日当は1日につき1回限り支給する。", {}),
    ("within_trip", "warning", "旅費規程 第4条：旅費は承認された出張申請の期間に限る。", {}),
    ("duplicate", "warning", "経費精算規程 第6条：同一の支出を重複して請求してはならない。", {}),
    ("receipt_over", "error", "経費精算規程 第5条：1万円を超える支出には領収書等を添付する。",
     {"amount": 10000}),
    ("reason_required", "error", "経費精算規程 第7条：タクシーを利用したときは理由を記載する。",
     {"accounts": ["7410"], "keywords": ["タクシー", "ハイヤー"]}),
    ("entertainment", "warning",
     "交際費規程 第3条：1人あたり10,000円を超える飲食は事前に稟議を要する。", {"amount": 10000}),
    ("account_limit", "warning",
     "経費精算規程 第8条：消耗品は1点5万円以下とし、超える場合は購入申請による。",
     {"accounts": ["7430"], "amount": 50000}),
)


def ensure_defaults() -> None:
    """Create what the active organization lacks (idempotent: an edited name is kept)."""
    _ensure_types()
    org = active_organization_id()
    if not Account.objects.exists():
        Account.objects.bulk_create(
            Account(organization_id=org, code=code, name=name, role=role, default_tax_rate=rate,
                    allowed_tax_rates=list(allowed), sort_order=i)
            for i, (code, name, role, rate, allowed) in enumerate(ACCOUNTS))
    if not Rule.objects.exists():
        Rule.objects.bulk_create(
            Rule(organization_id=org, number=i, kind=kind, severity=severity, text=text,
                 params=params)
            for i, (kind, severity, text, params) in enumerate(RULES, start=1))
    Settings.objects.get_or_create()


def _ensure_types() -> None:
    existing = set(RequestType.objects.filter(kind__in=(CLAIM_KIND, ADVANCE_KIND))
                   .values_list("kind", flat=True))
    for order, (code, name, prefix, kind, description) in enumerate(TYPES, start=90):
        if kind in existing:
            continue
        if RequestType.objects.filter(code=code).exists():
            code = f"{code}-{kind.split('.')[1]}"
        # The advance's purpose is a form value: approvals keeps only the values its form names.
        fields = ([{"key": "purpose", "label": "目的", "type": "textarea", "required": True}]
                  if kind == ADVANCE_KIND else [])
        RequestType.objects.create(code=code, name=name, number_prefix=prefix, kind=kind,
                                   description=description, has_amount=True, fields=fields,
                                   allows_attachments=False, sort_order=order)


def settings_of() -> Settings:
    found = Settings.objects.first()
    return found if found is not None else Settings.objects.create()
