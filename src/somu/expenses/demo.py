"""The expenses part of the demo (株式会社サンプル), built around a given day (``today``).

The chart of accounts, the 旅費規程 and the 規程チェック come from the defaults; the 決裁権限規程
gets a revision with rows for 経費精算 and 仮払申請 (up to ¥100,000 the 課長 decides, above it the
課長 approves and the 部長 decides). Claims in every state:

- 小川 (第一営業課): a 名古屋 trip approved, a ¥30,000 仮払 approved, and the claim settling it
  (新幹線, 宿泊費 over the 一般's limit — a warning the approver saw —, two 日当), approved;
- 斎藤 (the demo "employee"): a claim for books and a meeting approved, its correction started
  (a draft), a taxi claim waiting for 伊藤 課長, and a draft whose taxi line lacks a reason;
- 野口 (第二営業課): a claim in progress with the same receipt entered twice (a warning);
- 岡: a claim sent back for a missing receipt; 山下: a 交際費 claim rejected.
Idempotent: nothing is added when the organization already has claims.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any, Final

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from somu.approvals.models import RequestType, RuleVersion
from somu.approvals.services import decisions, requests
from somu.approvals.services import rules as approval_rules
from somu.approvals.services.chart import stage_rule
from somu.core import tenancy
from somu.core.permissions import Role
from somu.expenses.models import Account, Claim
from somu.expenses.services import claims, receipts, setup
from somu.org.models import Membership, Organization, Person

OGAWA: Final = "S0040"
SAITO: Final = "S0053"
NOGUCHI: Final = "S0035"
OKA: Final = "S0058"
YAMASHITA: Final = "S0025"
ITO: Final = "S0016"  # 伊藤 課長, 第一営業課
ABE: Final = "S0014"  # 阿部 課長, 第二営業課


def load_demo(organization: Organization, *, today: dt.date, fresh: bool) -> None:
    """The registry's demo loader (idempotent)."""
    with tenancy.activate(organization), transaction.atomic():
        setup.ensure_defaults()
        if Claim.objects.exists():
            return
        people = {p.employee_number: p for p in Person.objects.select_related("position")}
        version = RuleVersion.objects.order_by("-effective_from", "-number").first()
        admin = Membership.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        if admin is None or version is None or OGAWA not in people:
            return  # not the organization demo's company
        _rules(admin, version, today)
        _claims(_Demo(today, people), today)


def _rules(admin: Membership, version: RuleVersion, today: dt.date) -> None:
    """A revision of the 規程 in force: its rows, and two for each expense type."""
    rows = approval_rules.row_inputs(version)
    number = max((row.number for row in rows), default=0)
    for request_type in RequestType.objects.filter(kind__in=(setup.CLAIM_KIND,
                                                             setup.ADVANCE_KIND)):
        rows.append(approval_rules.RowInput(
            number + 1, request_type, (stage_rule({"kind": "decide", "approver": "position",
                                                   "value": "課長"}),),
            amount_max=100_000, note="経費精算・仮払は10万円まで課長決裁"))
        rows.append(approval_rules.RowInput(
            number + 2, request_type, (
                stage_rule({"kind": "approve", "approver": "position", "value": "課長"}),
                stage_rule({"kind": "decide", "approver": "position", "value": "部長"})),
            amount_min=100_001))
        number += 2
    now = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=60), dt.time(9)))
    approval_rules.rule_version_save(membership=admin, effective_from=version.effective_from,
                                     rows=rows, note="経費精算・仮払申請の追加（デモ）", now=now)


class _Demo:
    def __init__(self, today: dt.date, people: Mapping[str, Person]) -> None:
        self.today, self.people = today, people
        self.logins = {m.person_id: m for m in Membership.objects.filter(
            is_active=True, person__isnull=False).select_related("user", "person")}
        self.accounts = {a.name: a for a in Account.objects.all()}

    def m(self, number: str) -> Membership:
        person = self.people[number]
        return self.logins.get(person.pk) or Membership(person=person, role=Role.EMPLOYEE)

    def at(self, days_ago: int, hour: int = 10) -> tuple[dt.date, dt.datetime]:
        day = self.today - dt.timedelta(days=days_ago)
        return day, timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))

    def claim(self, number: str, title: str, lines: list[dict[str, Any]], *, days_ago: int,
              submit: bool = True, **kwargs: Any) -> Claim:
        day, now = self.at(days_ago)
        m = self.m(number)
        claim = claims.claim_create(membership=m, kind="claim", title=title, now=now, **kwargs)
        for line in lines:
            data = {**line, "account": self.accounts[line["account"]].pk,
                    "date": (day - dt.timedelta(days=line["days_before"])).isoformat()}
            if "receipt" in line:
                name, text = line["receipt"]
                data["receipt"] = receipts.receipt_add(
                    membership=m, claim=claim.pk, now=now,
                    upload=SimpleUploadedFile(name, receipt_pdf(text), "application/pdf")).pk
            claims.line_save(membership=m, claim=claim, data=data, today=day, now=now)
        if submit:
            claims.claim_submit(membership=m, claim=claim, today=day, now=now)
        claim.refresh_from_db()
        return claim

    def decide(self, number: str, claim: Claim, decision: str = "approve", *, days_ago: int,
               comment: str = "", **kwargs: Any) -> None:
        day, now = self.at(days_ago, 15)
        decisions.request_decide(membership=self.m(number), request=claim.request_id,
                                 decision=decision, comment=comment, today=day, now=now,
                                 **kwargs)


def receipt_pdf(text: str) -> bytes:
    """A one-page receipt whose text layer carries ``text`` (ReportLab's CID font: nothing is
    bundled), the same bytes every time."""
    from reportlab.lib.pagesizes import A6
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "HeiseiKakuGo-W5" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    out = io.BytesIO()
    sheet = canvas.Canvas(out, pagesize=A6, invariant=True)
    sheet.setFont("HeiseiKakuGo-W5", 11)
    y = A6[1] - 40
    for row in text.splitlines():
        sheet.drawString(24, y, row)
        y -= 18
    sheet.showPage()
    sheet.save()
    return out.getvalue()


def _receipt(payee: str, day_text: str, amount: int, number: str = "") -> str:
    lines = [payee, "領収書", day_text, f"合計 ¥{amount:,}", "（うち消費税 10%対象）"]
    if number:
        lines.append(f"登録番号 {number}")
    return "\n".join(lines)


def _claims(d: _Demo, today: dt.date) -> None:
    ogawa = d.people[OGAWA]
    # 小川's 名古屋 trip, its advance, and the claim that settles both.
    day, now = d.at(30)
    trip = requests.request_save(
        membership=d.m(OGAWA), request_type=RequestType.objects.get(code="travel"),
        requester=ogawa, title="名古屋 展示会出展", amount=45_000, category="国内",
        values={"destination": "名古屋市", "start": (today - dt.timedelta(days=22)).isoformat(),
                "end": (today - dt.timedelta(days=21)).isoformat(),
                "purpose": "展示会での製品説明", "advance": True}, now=now)
    requests.request_submit(membership=d.m(OGAWA), request=trip, today=day, now=now)
    decisions.request_decide(membership=d.m(ITO), request=trip, decision="approve", comment="",
                             today=day, now=d.at(29, 15)[1])
    day, now = d.at(28)
    advance = claims.claim_create(membership=d.m(OGAWA), kind="advance", title="名古屋出張 仮払",
                                  amount=30_000, purpose="交通費・宿泊費", trip=trip.pk, now=now)
    claims.claim_submit(membership=d.m(OGAWA), claim=advance, today=day, now=now)
    d.decide(ITO, advance, days_ago=27)
    settle = d.claim(OGAWA, "名古屋出張 旅費精算", [
        {"payee": "JR東海", "purpose": "新幹線 東京→名古屋 往復", "account": "旅費交通費",
         "amount": 21_720, "exception": "public_transport", "days_before": 4},
        {"payee": "ホテル名古屋セントラル", "purpose": "宿泊 1泊", "account": "宿泊費",
         "amount": 12_100, "tax_rate": "taxable_10", "registration_number": "T3180001031569",
         "days_before": 4,
         "receipt": ("領収書_ホテル.pdf", _receipt("ホテル名古屋セントラル", "宿泊 1泊", 12_100,
                                               "T3180001031569"))},
        {"payee": "出張日当", "purpose": "名古屋出張 1日目", "account": "出張日当", "amount": 2_000,
         "exception": "travel", "days_before": 4},
        {"payee": "出張日当", "purpose": "名古屋出張 2日目", "account": "出張日当", "amount": 2_000,
         "exception": "travel", "days_before": 3},
    ], days_ago=18, trip=trip.pk, advance=advance.pk)
    d.decide(ITO, settle, days_ago=17, comment="宿泊費の超過は繁忙期のため了承します。")

    books = d.claim(SAITO, "11月分 書籍・会議費", [
        {"payee": "株式会社 丸善ジュンク堂書店", "purpose": "営業資料作成のための参考書籍",
         "account": "新聞図書費", "amount": 3_960, "tax_rate": "taxable_10",
         "registration_number": "T7010001008844", "days_before": 5,
         "receipt": ("領収書_書籍.pdf", _receipt("株式会社 丸善ジュンク堂書店", "書籍代",
                                             3_960, "T7010001008844"))},
        {"payee": "カフェ・ド・ソレイユ", "purpose": "顧客との打合せ（2名）", "account": "会議費",
         "amount": 1_320, "tax_rate": "taxable_10", "exception": "small_amount",
         "days_before": 3},
    ], days_ago=16)
    d.decide(ITO, books, days_ago=15)
    day, now = d.at(2)
    claims.claim_correct(membership=d.m(SAITO), original=books, now=now)

    d.claim(SAITO, "客先訪問 タクシー代", [
        {"payee": "日本交通タクシー", "purpose": "客先訪問（大手町→品川）", "account": "旅費交通費",
         "amount": 3_400, "tax_rate": "taxable_10", "registration_number": "T7010001034865",
         "reason": "大雨で電車が運転見合わせのため", "days_before": 1,
         "receipt": ("領収書_タクシー.pdf", _receipt("日本交通タクシー", "乗車料金", 3_400,
                                                 "T7010001034865"))},
    ], days_ago=2)
    d.claim(SAITO, "12月分 交通費（作成中）", [
        {"payee": "東京メトロ", "purpose": "客先訪問（大手町→渋谷）", "account": "旅費交通費",
         "amount": 210, "exception": "public_transport", "days_before": 0},
        {"payee": "国際自動車タクシー", "purpose": "客先から帰社", "account": "旅費交通費",
         "amount": 2_860, "tax_rate": "taxable_10", "days_before": 0},
    ], days_ago=0, submit=False)

    stationery = {"payee": "アスクル株式会社", "purpose": "会議用の文具", "account": "消耗品費",
                  "amount": 2_640, "tax_rate": "taxable_10",
                  "registration_number": "T4010401038452", "days_before": 2}
    d.claim(NOGUCHI, "文具購入", [stationery, dict(stationery)], days_ago=3)

    sent_back = d.claim(OKA, "セミナー参加費", [
        {"payee": "一般社団法人 日本営業協会", "purpose": "営業力強化セミナー", "account": "研修費",
         "amount": 16_500, "tax_rate": "taxable_10", "registration_number": "T6010005018717",
         "days_before": 3,
         "receipt": ("申込確認メール.pdf", "セミナー申込確認\n参加費 16,500円")},
    ], days_ago=6)
    d.decide(ITO, sent_back, "return", days_ago=5, return_to="requester",
             comment="領収書ではなく申込確認メールです。領収書を添付してください。")

    dinner = d.claim(YAMASHITA, "取引先との会食", [
        {"payee": "割烹 みやこ", "purpose": "取引先2名との会食", "account": "交際費",
         "amount": 48_400, "tax_rate": "taxable_10", "registration_number": "T5011101012234",
         "participants": 3, "days_before": 2,
         "receipt": ("領収書_会食.pdf", _receipt("割烹 みやこ", "ご飲食代", 48_400,
                                             "T5011101012234"))},
    ], days_ago=8)
    d.decide(ITO, dinner, "reject", days_ago=7,
             comment="1人1万円を超える会食は事前に稟議を上げてください。")
