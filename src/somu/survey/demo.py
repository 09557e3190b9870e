"""The demo survey of 株式会社サンプル: two closed rounds to compare and one still collecting.

「2025年度 業務調査」 is the "before": payroll (給与計算, 年末調整, 賞与計算) rests on 池田
alone, 経営企画 on 高橋 alone, and three people work well over their hours. 「2026年度 業務調査」
is the "after" a year of improvement: 橋本 took over part of payroll, the 部長s share budgets,
IR and risk management, invoicing and expense checks were partly automated. It still shows
every finding the analysis makes — 属人化 tasks held by one person each (経理 長谷川,
情報システム 藤原, 総務 加藤), a retirement (長谷川) that would orphan more than 40 h a month,
an overloaded person (池田), a 部長 (中村, G5) answering the phone and sorting mail, a 年度末
peak in March, and tasks flagged outsourceable or automatable. 「2026年度 下期 追加調査」 is open:
a few people of 総務部 and 情報システム部 have answered, the demo "staff" account (吉田) has not.

Fixed data, no randomness and no dates relative to today: each task lists who does it with a
relative weight and a capability, and each person's weights are scaled to the monthly total they
reported (:data:`TOTALS_2026`), so the figures are realistic and the same on every load.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from somu.audit.services import audit_record
from somu.core import tenancy
from somu.org.models import Department, Organization, Person, PersonStatus
from somu.org.services import Actor
from somu.survey import services
from somu.survey.models import (
    Capability,
    Respondent,
    ResponseStatus,
    RoundStatus,
    SurveyRound,
    Task,
    WorkHours,
)

ROUND_2025 = "2025年度 業務調査"
ROUND_2026 = "2026年度 業務調査"
ROUND_OPEN = "2026年度 下期 追加調査"

# The back-office departments and the function (部門) of the inventory each mostly works in.
BACK_OFFICE: Mapping[str, str] = {
    "管理本部": "経営企画",  # 高橋 誠, 管理本部長
    "総務部": "総務",
    "人事部": "人事労務",
    "経理部": "経理財務",
    "法務・コンプライアンス室": "法務",
    "情報システム部": "情報システム",
}

# Each task of the starter inventory (by name): who does it and how well people can do it.
# "S0017:28:4" — S0017 works on it (relative weight 28) at capability 4; "S0006:18!:3" — fixed
# at exactly 18 h a month, not scaled; after "/", "S0027:2" — capability 2 without doing it.
# Capability: 1 learning, 2 with a manual, 3 alone, 4 can teach; a task nobody else rates 3 or
# more is 属人化. Tasks left out (none here) would simply have no answers.
PLAN_2026: Mapping[str, str] = {
    # ---- 総務 (総務部; 中村 恵子 is 部長, G5) ----
    "来客・電話対応": "S0041:30:3 S0047:24:3 S0006:18!:3 / S0050:3 S0034:3 S0060:2 S0054:2",
    "郵便物の受発送": "S0060:22:3 S0006:8!:3 / S0041:3 S0054:3",
    "会議室予約管理": "S0060:12:3 S0047:6:3",
    "消耗品の発注": "S0054:8:3 S0041:6:3 / S0060:2",
    "名刺の発注": "S0054:3:3 S0060:3:3 / S0047:3",
    "出張手配": "S0047:12:3 S0050:12:3",
    "慶弔対応": "S0034:4:3 S0012:3:4 S0050:3:3",
    "備品管理": "S0034:14:4 S0050:12:3 S0054:6:2",
    "ビル・設備業者の手配": "S0012:10:4 S0034:6:3",
    "レイアウト変更・移転対応": "S0012:10:4 S0034:4:2 / S0006:2",
    "オフィス賃貸借契約の管理": "S0012:4:4 / S0006:2",
    "防災訓練・備蓄品管理": "S0050:3:3 S0012:2:4 / S0034:3 S0054:3",
    "社用車管理": "S0054:8:3 S0034:5:3",
    "アルコールチェック記録": "S0054:10:3 S0060:8:3",
    "印章管理": "S0020:10:4 S0012:5:3",
    "文書保管・廃棄": "S0050:8:3 S0047:4:3",
    "規程管理": "S0006:10:4 S0020:4:2",
    "株主総会運営": "S0020:8:4 S0006:3:2 S0034:2:1",
    "取締役会事務局": "S0020:14:4 S0006:3:2",
    "株式事務": "S0020:5:4 / S0034:1",
    "社宅管理": "S0012:10:3 S0020:5:3",
    "福利厚生サービスの運用": "S0047:8:3 S0050:8:3",
    # ---- 人事労務 (人事部) ----
    "給与計算": "S0026:30:4 S0037:12:3 S0042:10:2 / S0013:2 S0048:1",
    "賞与計算": "S0026:3:4 S0037:2:3",
    "給与振込データ作成": "S0042:5:3 S0026:3:3",
    "年末調整": "S0026:9:4 S0037:5:2 S0013:3:3 / S0048:2",
    "給与支払報告書の提出": "S0048:3:3 S0042:2:3",
    "住民税更新": "S0048:3:3 S0042:2:3",
    "勤怠締め": "S0057:10:3 S0048:8:3 S0026:4:3",
    "長時間労働の確認": "S0013:6:4 S0026:4:3 S0004:4:3",
    "有給休暇の管理": "S0057:6:3 S0048:4:3",
    "36協定の締結・届出": "S0013:1:4 S0026:1:2",
    "社会保険手続き（資格取得・喪失）": "S0037:12:4 S0057:6:3 S0013:6:4 / S0026:3 S0042:2",
    "算定基礎届": "S0037:5:3 S0026:2:4",
    "月額変更届": "S0037:3:3 S0026:2:3",
    "傷病手当金・出産手当金の申請": "S0026:3:3 S0057:1:1",
    "労働保険年度更新": "S0026:2:4 S0042:1:2",
    "労災手続き": "S0026:2:3",
    "入退社手続き": "S0057:12:3 S0037:8:4 S0026:6:3",
    "育児・介護休業の手続き": "S0042:4:3 S0013:4:4 S0037:2:3",
    "採用面接調整": "S0057:14:3 S0042:8:3",
    "求人媒体・人材紹介会社の管理": "S0004:10:4 S0042:5:3",
    "内定者フォロー": "S0004:8:3 S0057:4:3",
    "人事評価の運用": "S0004:8:4 S0013:3:2",
    "人事異動の発令": "S0013:5:4 S0004:3:3",
    "研修運営": "S0013:10:4 S0037:4:3 S0004:5:3",
    "健康診断の手配": "S0042:4:3 S0057:2:2",
    "ストレスチェックの実施": "S0042:2:3 S0057:1:2",
    "人事マスタの更新": "S0057:5:3 S0048:3:3 S0026:2:3",
    "在籍・退職証明書の発行": "S0048:2:3 S0057:1:3",
    "高年齢者・障害者雇用状況報告": "S0042:1:3",
    # ---- 経理財務 (経理部; 長谷川 美穂 is the only one who can close the books) ----
    "請求書発行": "S0052:14:3 S0062:10:3 / S0039:3",
    "売掛金消込": "S0039:18:4 S0052:8:3",
    "未入金の督促": "S0039:6:3 S0027:2:3",
    "与信管理": "S0005:4:4 S0027:2:2",
    "請求書の受領・計上": "S0062:16:3 S0036:14:3 / S0052:2",
    "支払処理": "S0036:10:3 S0027:6:4",
    "経費精算チェック": "S0036:14:3 S0062:10:3 S0052:6:3",
    "小口現金管理": "S0036:4:3 S0052:2:3",
    "入出金の記帳": "S0052:10:3 S0062:8:3",
    "証憑の電子保存": "S0062:8:3 S0036:6:3",
    "月次決算": "S0017:28:4 S0039:8:2 S0052:4:1 / S0027:2",
    "年次決算": "S0017:9:4 S0005:3:2 S0027:2:2",
    "連結決算": "S0017:6:4 S0027:2:1 / S0005:2",
    "会計監査対応": "S0005:6:4 S0017:5:4",
    "固定資産管理": "S0027:6:4 S0039:3:3",
    "償却資産申告": "S0027:2:3 S0039:1:3",
    "法人税申告準備": "S0017:4:4 S0005:2:2",
    "消費税申告準備": "S0027:4:3 S0017:2:4",
    "源泉所得税の納付": "S0039:2:3 S0036:1:3",
    "税務調査対応": "S0005:1:4 S0017:1:3",
    "資金繰り表の作成": "S0027:8:4 S0005:3:4",
    "金融機関対応・借入管理": "S0005:5:4 S0027:1:2",
    "予実管理": "S0027:10:4 S0005:4:3 S0039:3:2",
    "原価計算": "S0027:8:4 S0039:4:2",
    # ---- 法務 (法務・コンプライアンス室) ----
    "契約書審査": "S0023:20:4 S0032:16:3 S0045:10:2 / S0007:4 S0012:2",
    "英文契約書の審査": "S0023:8:4 S0045:1:1",
    "契約書ひな形の管理": "S0032:3:3 S0045:2:2 / S0023:4",
    "契約締結・契約書管理": "S0045:14:3 S0032:4:3",
    "社内法務相談": "S0007:12:4 S0023:8:4 S0032:4:3",
    "商業登記": "S0032:2:3 S0045:1:1",
    "法改正対応": "S0007:6:4 S0023:4:3",
    "内部通報窓口の運用": "S0007:4:4",
    "コンプライアンス研修": "S0032:2:3 S0045:2:3",
    "反社チェック": "S0045:6:3 S0032:2:3",
    "個人情報保護対応": "S0032:5:3 S0007:3:4",
    "訴訟・紛争対応": "S0007:8:4 S0023:2:2",
    "商標管理": "S0023:3:4 S0045:2:2",
    # ---- 情報システム (情報システム部; 藤原 智也 alone runs the infrastructure) ----
    "ヘルプデスク": "S0055:24:3 S0061:20:3 S0043:8:4",
    "PCキッティング": "S0061:14:3 S0055:8:3 / S0034:1",
    "IT資産管理": "S0043:6:3 S0061:4:3",
    "モバイル端末管理": "S0055:5:3 S0061:3:3",
    "アカウント管理": "S0043:12:4 S0019:4:4 S0055:4:2",
    "ライセンス管理": "S0043:4:3 S0019:2:3",
    "ネットワーク保守": "S0030:12:4 S0055:2:1 / S0019:2",
    "サーバー・クラウド運用": "S0030:22:4 S0019:4:2",
    "バックアップ確認": "S0055:4:3 S0030:2:3",
    "電話・通信回線の管理": "S0019:3:3 S0061:2:2 / S0043:3",
    "グループウェア・メールの運用": "S0043:6:3 S0019:4:4",
    "情報セキュリティ教育": "S0019:3:4 S0043:2:3 S0010:3:3",
    "脆弱性・パッチ管理": "S0030:6:4 S0043:4:3",
    "ログ監視": "S0030:5:3 S0019:3:3",
    "セキュリティインシデント対応": "S0030:4:4 S0019:2:2",
    "業務システムの導入・更改": "S0010:14:4 S0019:8:2",
    "ITベンダー管理": "S0010:10:4 S0019:6:3",
    "RPA・業務自動化の開発": "S0043:8:4 S0055:2:1",
    # ---- 経営企画 (高橋 誠, 管理本部長, with the 部長s) ----
    "予算策定支援": "S0002:6:4 S0005:3:3 S0006:3:2",
    "中期経営計画の策定": "S0002:8:4",
    "経営会議資料の作成": "S0027:6:3 S0002:6:4",
    "経営会議事務局": "S0006:8:3 S0020:4:3",
    "KPIモニタリング": "S0005:5:3 S0027:4:3",
    "全社リスク管理": "S0007:4:4 S0002:3:3",
    "IR資料の作成": "S0002:6:4 S0005:3:3",
    "M&A・提携の検討": "S0002:8:4",
    "組織改編の企画": "S0002:6:4 S0004:4:2",
    "業務改善プロジェクトの推進": "S0010:10:4 S0006:6:3 S0002:4:3",
}

# What was different a year earlier: payroll on 池田 alone, more manual invoicing and expenses.
CHANGES_2025: Mapping[str, str] = {
    "給与計算": "S0026:36:4 S0042:12:2 S0037:6:2 / S0013:2 S0048:1",
    "年末調整": "S0026:11:4 S0048:4:2 / S0013:2 S0037:1",
    "賞与計算": "S0026:4:4 S0037:1:1",
    "請求書発行": "S0052:20:3 S0062:16:3 / S0039:3",
    "経費精算チェック": "S0036:20:3 S0062:14:3 S0052:8:3",
    "月次決算": "S0017:30:4 S0039:6:1 S0052:4:1",
    "サーバー・クラウド運用": "S0030:24:4 S0019:3:1",
    "RPA・業務自動化の開発": "S0043:3:3",
    # 経営企画 rested on 高橋 alone before the 部長s learnt budgets, IR and risk management.
    "予算策定支援": "S0002:6:4 S0005:3:2 S0006:3:2",
    "経営会議資料の作成": "S0027:6:2 S0002:6:4",
    "IR資料の作成": "S0002:6:4 S0005:3:2",
    "全社リスク管理": "S0007:4:2 S0002:3:3",
}

# Each person's reported monthly total (h). Part-timers stay within their standard hours
# (木村 100, 藤田 80, 遠藤 120); 池田 (人事部) is far over the 160 h everyone else has.
TOTALS_2026: Mapping[str, int] = {
    "S0002": 112,
    "S0006": 132, "S0012": 142, "S0020": 150, "S0034": 146, "S0050": 152, "S0054": 148,
    "S0047": 150, "S0041": 92, "S0060": 141,
    "S0004": 128, "S0013": 152, "S0026": 186, "S0037": 154, "S0057": 143, "S0042": 147,
    "S0048": 76,
    "S0005": 138, "S0017": 158, "S0027": 147, "S0039": 151, "S0052": 149, "S0036": 112,
    "S0062": 140,
    "S0007": 124, "S0023": 153, "S0032": 146, "S0045": 148,
    "S0010": 126, "S0019": 151, "S0030": 157, "S0043": 150, "S0055": 152, "S0061": 138,
}
TOTALS_2025: Mapping[str, int] = {
    **TOTALS_2026,
    "S0026": 204, "S0037": 136, "S0017": 171, "S0030": 169, "S0052": 156, "S0062": 148,
    "S0036": 117, "S0043": 139,
}

# Per-month shape (April … March) of the seasonal tasks: these are answered with 12 values.
# 年度末 (March) is the busiest month: closing, budgets, transfers, leavers and joiners.
SEASONS: Mapping[str, tuple[int, ...]] = {
    "年次決算": (5, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3, 7),
    "法人税申告準備": (3, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1),
    "消費税申告準備": (3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
    "連結決算": (3, 2, 1, 3, 1, 1, 3, 1, 1, 3, 1, 4),
    "会計監査対応": (3, 3, 1, 2, 1, 1, 2, 1, 1, 2, 1, 3),
    "予算策定支援": (0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5),
    "中期経営計画の策定": (1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5),
    "入退社手続き": (4, 2, 1, 1, 1, 2, 2, 1, 1, 1, 2, 5),
    "人事異動の発令": (2, 1, 1, 1, 1, 3, 2, 1, 1, 1, 3, 6),
    "人事評価の運用": (2, 1, 1, 1, 1, 4, 2, 1, 1, 1, 3, 5),
    "36協定の締結・届出": (0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 5),
    "年末調整": (0, 0, 0, 0, 0, 0, 1, 4, 5, 3, 0, 0),
    "給与支払報告書の提出": (0, 0, 0, 0, 0, 0, 0, 0, 2, 5, 0, 0),
    "償却資産申告": (0, 0, 0, 0, 0, 0, 0, 0, 2, 5, 0, 0),
    "賞与計算": (0, 0, 4, 1, 0, 0, 0, 1, 4, 0, 0, 0),
    "住民税更新": (0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    "算定基礎届": (0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0),
    "労働保険年度更新": (0, 1, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0),
    "株主総会運営": (2, 4, 5, 1, 0, 0, 0, 0, 0, 0, 1, 2),
    "防災訓練・備蓄品管理": (1, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 1),
    "ストレスチェックの実施": (0, 0, 0, 0, 0, 0, 2, 4, 1, 0, 0, 0),
    "コンプライアンス研修": (0, 0, 0, 0, 0, 1, 4, 2, 0, 0, 0, 0),
}



class ClosedRound(NamedTuple):
    name: str
    description: str
    due: dt.date
    created: dt.datetime  # when the round was opened (and everyone invited)
    first_answer: dt.date  # answers arrive from this day until shortly before the due date


CLOSED_ROUNDS = (
    ClosedRound(ROUND_2025, "年度初めの全社業務調査（管理本部）。", dt.date(2025, 6, 30),
                dt.datetime(2025, 5, 12, 9, 0), dt.date(2025, 6, 2)),
    ClosedRound(ROUND_2026,
                "業務改善（給与計算・経営企画業務の複線化、請求書発行と経費精算の自動化）後の再調査。",
                dt.date(2026, 6, 30), dt.datetime(2026, 5, 11, 9, 0), dt.date(2026, 6, 1)),
)
OPEN_DUE = dt.date(2027, 1, 29)
OPEN_DEPARTMENTS = ("総務部", "情報システム部")
OPEN_SUBMITTED = ("S0012", "S0020", "S0030", "S0043")
OPEN_IN_PROGRESS = ("S0050", "S0019")  # answered half their tasks so far
HALF = Decimal("0.5")


@dataclass(frozen=True)
class Part:
    """One person's part in a task: hours weight (None: a capability only) and capability."""

    number: str
    weight: float | None
    level: int
    pinned: bool = False


def _parse(spec: str) -> tuple[Part, ...]:
    doers, _, others = spec.partition("/")
    parts = []
    for token in doers.split():
        number, weight, level = token.split(":")
        pinned = weight.endswith("!")
        parts.append(Part(number, float(weight.rstrip("!")), int(level), pinned))
    for token in others.split():
        number, level = token.split(":")
        parts.append(Part(number, None, int(level)))
    return tuple(parts)


@dataclass(frozen=True)
class Entry:
    """What a person answered for a task: hours (or 12 monthly values) and capability."""

    number: str
    task: str
    hours: Decimal | None
    monthly: tuple[Decimal, ...] | None
    level: int


def _half(value: float) -> Decimal:
    return (Decimal(str(value)) / HALF).quantize(Decimal(1)) * HALF


def _monthly(task: str, hours: float) -> tuple[Decimal, ...] | None:
    shape = SEASONS.get(task)
    if shape is None:
        return None
    return tuple(_half(hours * 12 * s / sum(shape)) for s in shape)


def entries(plan: Mapping[str, str], totals: Mapping[str, int]) -> list[Entry]:
    """Every answer of a round: each person's weights scaled so their hours add up to their
    total, rounded to half hours (seasonal tasks: each month rounded, hours = sum / 12)."""
    parsed = {task: _parse(spec) for task, spec in plan.items()}
    pinned: dict[str, float] = defaultdict(float)
    weights: dict[str, float] = defaultdict(float)
    for parts in parsed.values():
        for part in parts:
            if part.weight is not None:
                (pinned if part.pinned else weights)[part.number] += part.weight
    unknown = (set(pinned) | set(weights)) - set(totals)
    if unknown:
        raise ValueError(f"no monthly total for {sorted(unknown)}")
    scale = {n: (totals[n] - pinned[n]) / w for n, w in weights.items()}
    result = []
    for task, parts in parsed.items():
        for part in parts:
            hours = monthly = None
            if part.weight is not None:
                value = part.weight if part.pinned else part.weight * scale[part.number]
                monthly = _monthly(task, value)
                hours = services.monthly_average(monthly) if monthly else _half(value)
            result.append(Entry(part.number, task, hours, monthly, part.level))
    return result


@dataclass(frozen=True)
class DemoSurvey:
    before: SurveyRound
    after: SurveyRound
    open: SurveyRound


def load(organization: Organization, *, actor: Actor = None) -> DemoSurvey:
    """Adopt the starter inventory and create the three demo rounds of ``organization``."""
    with tenancy.activate(organization), transaction.atomic():
        services.starter_inventory_adopt(actor=actor)
        tasks = dict(Task.objects.values_list("name", "pk"))
        people = {
            p.employee_number: p
            for p in Person.objects.filter(
                status=PersonStatus.ACTIVE, department__name__in=BACK_OFFICE
            ).select_related("department")
        }
        before = _closed_round(actor=actor, spec=CLOSED_ROUNDS[0], tasks=tasks, people=people,
                               rows=entries({**PLAN_2026, **CHANGES_2025}, TOTALS_2025))
        after = _closed_round(actor=actor, spec=CLOSED_ROUNDS[1], tasks=tasks, people=people,
                              rows=entries(PLAN_2026, TOTALS_2026))
        open_round = _open_round(actor=actor, tasks=tasks, people=people)
    return DemoSurvey(before=before, after=after, open=open_round)


def _closed_round(
    *, actor: Actor, spec: ClosedRound, rows: list[Entry], tasks: Mapping[str, int],
    people: Mapping[str, Person],
) -> SurveyRound:
    """A finished round written in bulk, as an import would: everyone asked has submitted."""
    # The demo's rounds have fixed dates, long past on the day it is loaded.
    survey_round = services.round_save(actor=actor, survey_round=None, allow_past_due=True,
                                       data={
        "name": spec.name, "description": spec.description, "status": RoundStatus.CLOSED,
        "due_on": spec.due,
    })
    organization_id = survey_round.organization_id
    tz = timezone.get_current_timezone()
    opened = timezone.make_aware(spec.created, tz)
    SurveyRound.objects.filter(pk=survey_round.pk).update(created_at=opened)
    respondents = []
    # Answers arrive over the four weeks before the due date, in no particular order.
    for index, number in enumerate(sorted(people)):
        at = timezone.make_aware(dt.datetime.combine(
            spec.first_answer + dt.timedelta(days=(index * 5) % 26),
            dt.time(10 + index % 8, 15)), tz)
        respondents.append(Respondent(
            organization_id=organization_id, round=survey_round, person=people[number],
            status=ResponseStatus.SUBMITTED, saved_at=at, submitted_at=at,
        ))
    Respondent.objects.bulk_create(respondents)
    Respondent.objects.filter(round=survey_round).update(invited_at=opened)
    hours_rows, capability_rows = [], []
    for row in rows:
        person = people[row.number]
        if row.hours is not None:
            hours_rows.append(WorkHours(
                organization_id=organization_id, round=survey_round, person=person,
                task_id=tasks[row.task], hours=row.hours,
                monthly=[str(v) for v in row.monthly] if row.monthly else None,
            ))
        capability_rows.append(Capability(
            organization_id=organization_id, round=survey_round, person=person,
            task_id=tasks[row.task], level=row.level,
        ))
    WorkHours.objects.bulk_create(hours_rows)
    Capability.objects.bulk_create(capability_rows)
    services.round_touch(survey_round)
    audit_record(
        actor=actor, action="survey_round.demo_load", obj=survey_round,
        changes={"respondents": [None, len(respondents)], "hours": [None, len(hours_rows)],
                 "capabilities": [None, len(capability_rows)]},
    )
    return survey_round


def _open_round(
    *, actor: Actor, tasks: Mapping[str, int], people: Mapping[str, Person]
) -> SurveyRound:
    """The round still collecting answers, filled through the questionnaire's own service."""
    # The demo's rounds have fixed dates, long past on the day it is loaded.
    survey_round = services.round_save(actor=actor, survey_round=None, allow_past_due=True,
                                       data={
        "name": ROUND_OPEN, "status": RoundStatus.DRAFT, "due_on": OPEN_DUE,
        "description": "下期の体制見直しに向けた総務部・情報システム部の追加調査。",
    })
    respondents = services.respondents_invite(
        actor=actor, survey_round=survey_round, send_mail=False,
        department_ids=list(Department.objects.filter(name__in=OPEN_DEPARTMENTS)
                            .values_list("pk", flat=True)),
    )
    by_number = {r.person.employee_number: r for r in respondents}
    answers: dict[str, list[services.Answer]] = defaultdict(list)
    for row in entries(PLAN_2026, TOTALS_2026):
        if row.number in OPEN_SUBMITTED + OPEN_IN_PROGRESS:
            answers[row.number].append(services.Answer(
                task_id=tasks[row.task], hours=row.hours, monthly=row.monthly, level=row.level))
    for number in OPEN_SUBMITTED:
        services.answers_save(actor=actor, respondent=by_number[number],
                              answers=answers[number], submit=True)
    for number in OPEN_IN_PROGRESS:
        half = answers[number][: len(answers[number]) // 2]
        services.answers_save(actor=actor, respondent=by_number[number], answers=half)
    survey_round.refresh_from_db()
    return survey_round


def load_demo(organization: Organization, *, today: dt.date, fresh: bool) -> None:
    """The registry's demo loader: the survey rounds go into a new demo only (they are fixed
    history, not built around ``today``)."""
    if fresh:
        load(organization)
