"""The approvals part of the demo (株式会社サンプル): request types, a realistic 決裁権限規程, and
requests in every state, built around a given day (``today``).

The 規程 (in force from April two years before ``today``):

- 購入申請: up to ¥100,000 the 課長 decides; up to ¥1,000,000 課長 approves and the 部長
  decides, with the 経理部's 部長 and 課長 consulted above ¥500,000; up to ¥10,000,000 the
  本部長 decides (the vacant 管理本部 head goes to the 社長 as fallback); above that the 社長.
- 稟議（一般）: the same bands for 部長 / 本部長 / 社長 決裁.
- 契約締結申請: 法務 審査, then the 部長 (up to ¥1,000,000) or the 本部長 with 経理 合議;
  業務委託 contracts are also consulted with the 人事部長 (偽装請負の確認); circulated to the
  総務部長 afterwards.
- 出張申請 by 区分 (国内 / 海外) and 押印申請 by 区分 (実印 needs the 社長).

Requests: a draft, two in progress (one consulted, one waiting for the demo "manager" 中村),
one sent back, one recalled, one approved that started 備品発注, an NDA approved that started
契約書の締結と保管, one rejected, one decided by the 部長 in the 課長's place (代決) with its
後閲 pending, and 伊藤 課長's delegation to 山下 this week with a request waiting under it.
Idempotent: nothing is added when the organization already has requests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from somu.approvals.models import Request, RequestType, RuleVersion
from somu.approvals.services import decisions, delegations, requests, rules, types
from somu.approvals.services.chart import stage_rule
from somu.core import tenancy
from somu.core.permissions import Role
from somu.org.models import Department, Membership, Organization, Person
from somu.procedures.models import Template

PRESIDENT: Final = "S0002"  # 高橋 誠, 社長 (sits in 管理本部, whose head is vacant)
KEIRI: Final = "経理部"
HOMU: Final = "法務・コンプライアンス室"
JINJI: Final = "人事部"
SOMU: Final = "総務部"


def load_demo(organization: Organization, *, today: dt.date, fresh: bool) -> None:
    """The registry's demo loader (idempotent)."""
    with tenancy.activate(organization), transaction.atomic():
        built = {t.code: t for t in types.ensure_built_in_types()}
        _link_follow_ups(built)
        if Request.objects.exists():
            return
        people = {p.employee_number: p for p in Person.objects.select_related("position")}
        departments = {d.name: d for d in Department.objects.all()}
        admin = Membership.objects.filter(role=Role.ADMIN, is_active=True).select_related(
            "user", "person").order_by("pk").first()
        if admin is None or PRESIDENT not in people:
            return  # not the organization demo's company
        version = _rules(admin, built, people, departments, today)
        _requests(Demo(today, people, built, version))


def _link_follow_ups(built: Mapping[str, RequestType]) -> None:
    """購入申請 → 備品発注, 契約締結申請 → 契約書の締結と保管 (adopted by the procedures demo)."""
    templates = {t.library_key: t for t in Template.objects.filter(
        library_key__in=("supplies_order", "contract_signing"))}
    links = {
        "purchase": ("supplies_order", {"品目": "item", "数量": "quantity", "概算金額": "@amount",
                                        "希望納期": "needed_by", "用途": "reason"}),
        "contract": ("contract_signing", {"契約相手": "counterparty", "契約種別": "contract_kind",
                                          "契約開始日": "start", "申請番号": "@number"}),
    }
    for code, (key, params) in links.items():
        request_type = built.get(code)
        if request_type is not None and key in templates and not request_type.follow_up_template:
            request_type.follow_up_template = templates[key]
            request_type.follow_up_params = params
            request_type.save(update_fields=["follow_up_template", "follow_up_params"])


def _stage(kind: str, approver: str, value: object = "", **extra: Any) -> Any:
    return stage_rule({"kind": kind, "approver": approver, "value": str(value), **extra})


def _rules(admin: Membership, t: Mapping[str, RequestType], people: Mapping[str, Person],
           departments: Mapping[str, Department], today: dt.date) -> RuleVersion:
    president = people[PRESIDENT].pk
    keiri = departments[KEIRI].pk
    honbu = {"vacancy": "fallback", "fallback": president}
    rows = [
        rules.RowInput(1, t["purchase"], (_stage("decide", "position", "課長"),),
                       amount_max=100_000, note="少額の備品・消耗品"),
        rules.RowInput(2, t["purchase"], (_stage("approve", "position", "課長"),
                                          _stage("decide", "position", "部長")),
                       amount_min=100_001, amount_max=1_000_000),
        rules.RowInput(3, t["purchase"], (_stage("consult", "group", keiri, position="部長、課長",
                                                 quorum="all", allow_add=True),),
                       amount_min=500_001, note="予算確認のため経理部と合議"),
        rules.RowInput(4, t["purchase"], (_stage("approve", "position", "部長"),
                                          _stage("decide", "position", "本部長", **honbu)),
                       amount_min=1_000_001, amount_max=10_000_000),
        rules.RowInput(5, t["purchase"], (_stage("approve", "position", "本部長", vacancy="skip"),
                                          _stage("decide", "person", president)),
                       amount_min=10_000_001),
        rules.RowInput(6, t["ringi"], (_stage("decide", "position", "部長"),),
                       amount_max=1_000_000),
        rules.RowInput(7, t["ringi"], (_stage("approve", "position", "部長"),
                                       _stage("decide", "position", "本部長", **honbu)),
                       amount_min=1_000_001, amount_max=10_000_000),
        rules.RowInput(8, t["ringi"], (_stage("approve", "position", "本部長", vacancy="skip"),
                                       _stage("decide", "person", president)),
                       amount_min=10_000_001),
        rules.RowInput(9, t["contract"], (_stage("review", "group", departments[HOMU].pk),
                                          _stage("decide", "position", "部長"),
                                          _stage("circulate", "group", departments[SOMU].pk,
                                                 position="部長")),
                       amount_max=1_000_000, note="契約は法務・コンプライアンス室が審査"),
        rules.RowInput(10, t["contract"], (_stage("review", "group", departments[HOMU].pk),
                                           _stage("consult", "group", keiri, position="部長"),
                                           _stage("decide", "position", "本部長", **honbu),
                                           _stage("circulate", "group", departments[SOMU].pk,
                                                  position="部長")),
                       amount_min=1_000_001),
        rules.RowInput(11, t["contract"], (_stage("consult", "group", departments[JINJI].pk,
                                                  position="部長"),),
                       condition='contract_kind == "業務委託"', note="偽装請負にならないかの確認"),
        rules.RowInput(12, t["travel"], (_stage("decide", "position", "課長"),),
                       category="国内", amount_max=300_000),
        rules.RowInput(13, t["travel"], (_stage("approve", "position", "課長"),
                                         _stage("decide", "position", "部長")),
                       category="国内", amount_min=300_001),
        rules.RowInput(14, t["travel"], (_stage("approve", "position", "部長"),
                                         _stage("decide", "position", "本部長", **honbu)),
                       category="海外"),
        rules.RowInput(15, t["seal"], (_stage("review", "group", departments[SOMU].pk,
                                              position="部長"),
                                       _stage("decide", "person", president)),
                       category="実印"),
        rules.RowInput(16, t["seal"], (_stage("decide", "position", "部長"),),
                       category="銀行印"),
        rules.RowInput(17, t["seal"], (_stage("decide", "position", "課長"),),
                       category="社印・角印"),
    ]
    now = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=400),
                                                  dt.time(9, 0)))
    return rules.rule_version_save(membership=admin, effective_from=dt.date(today.year - 2, 4, 1),
                                   rows=rows, note="2年前の4月改定（デモ）", now=now)


class Demo:
    """The demo's people acting: a member's own login where the demo has one, else a
    membership without a login (the audit log then names the system)."""

    def __init__(self, today: dt.date, people: Mapping[str, Person],
                 built: Mapping[str, RequestType], version: RuleVersion) -> None:
        self.today, self.people, self.types, self.version = today, people, built, version
        self.logins = {m.person_id: m for m in Membership.objects.filter(
            is_active=True, person__isnull=False).select_related("user", "person")}

    def m(self, number: str, role: str = Role.EMPLOYEE) -> Membership:
        person = self.people[number]
        return self.logins.get(person.pk) or Membership(person=person, role=role)

    def at(self, days_ago: int, hour: int = 10) -> tuple[dt.date, dt.datetime]:
        day = self.today - dt.timedelta(days=days_ago)
        return day, timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))

    def file(self, number: str, code: str, title: str, amount: int | None, category: str,
             values: Mapping[str, Any], *, days_ago: int, submit: bool = True,
             attachment: tuple[str, bytes] | None = None) -> Request:
        day, now = self.at(days_ago)
        m = self.m(number)
        request = requests.request_save(
            membership=m, request_type=self.types[code], requester=self.people[number],
            title=title, amount=amount, category=category, values=values, now=now)
        if attachment is not None:
            requests.attachment_add(membership=m, request=request, now=now,
                                    upload=SimpleUploadedFile(attachment[0], attachment[1]))
        if submit:
            request = requests.request_submit(membership=m, request=request, today=day,
                                              now=now)
        return request

    def decide(self, number: str, request: Request, decision: str = "approve", *,
               days_ago: int, comment: str = "", **kwargs: Any) -> None:
        day, now = self.at(days_ago, 15)
        decisions.request_decide(membership=self.m(number), request=request, decision=decision,
                                 comment=comment, today=day, now=now, **kwargs)


# A small but real PDF (one empty page), so the attachment opens.
QUOTE_PDF: Final = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _purchase(item: str, quantity: int, reason: str, needed_by: dt.date) -> dict[str, Any]:
    return {"item": item, "quantity": quantity, "reason": reason,
            "needed_by": needed_by.isoformat()}


def _requests(d: Demo) -> None:
    soon = d.today + dt.timedelta(days=21)
    # 石井's tablet: rejected.
    tablet = d.file("S0033", "purchase", "デザイン用タブレット", 98_000, "備品",
                    _purchase("ペンタブレット", 1, "提案資料の作成", soon), days_ago=12)
    d.decide("S0016", tablet, "reject", days_ago=11, comment="既存の機器で対応できるため。")
    # An NDA of 鈴木 部長 (営業部): his own 部長 seat goes up to 佐藤 本部長; circulated;
    # 契約書の締結と保管 started.
    nda = d.file("S0003", "contract", "株式会社ミライ商事との秘密保持契約", 0, "",
                 {"contract_kind": "NDA", "counterparty": "株式会社ミライ商事",
                  "start": (d.today + dt.timedelta(days=7)).isoformat(), "term": "2年",
                  "summary": "新規取引の検討に伴う相互の秘密保持"}, days_ago=10)
    d.decide("S0023", nda, days_ago=9, comment="標準の雛形どおりで問題ありません。")
    d.decide("S0001", nda, days_ago=8)
    # 小川's scanner: approved by 伊藤 課長; 備品発注 started.
    scanner = d.file("S0040", "purchase", "名刺スキャナー", 48_000, "備品",
                     _purchase("名刺スキャナー", 1, "名刺管理の効率化", soon), days_ago=9)
    d.decide("S0016", scanner, days_ago=8, comment="承認します。")
    # 野口 (第二営業課): 阿部 課長 away; 鈴木 部長 decided in his place; 阿部's 後閲 pending.
    chairs = d.file("S0035", "purchase", "営業フロア用チェア 2脚", 36_000, "備品",
                    _purchase("オフィスチェア", 2, "破損のため", soon), days_ago=7)
    seat = chairs.seats.get()
    d.decide("S0003", chairs, days_ago=6, seat=seat.pk, acting="superior",
             comment="阿部課長が出張中のため代決します。")
    # 山本 (総務部) travels: sent back by 中村 for the breakdown.
    trip = d.file("S0050", "travel", "大阪 取引先訪問", 120_000, "国内",
                  {"destination": "大阪市", "start": (d.today + dt.timedelta(days=10)).isoformat(),
                   "end": (d.today + dt.timedelta(days=11)).isoformat(),
                   "purpose": "取引先との定例会議と新規提案"}, days_ago=6)
    d.decide("S0006", trip, "return", days_ago=5, comment="宿泊費の内訳を添付してください。",
             return_to="requester")
    # 斎藤's seal request, recalled before anyone decided.
    stamp = d.file("S0053", "seal", "取引先への提出書類の押印", None, "社印・角印",
                   {"document": "取引口座開設申込書", "counterparty": "株式会社ミライ商事",
                    "copies": 1}, days_ago=4)
    requests.request_recall(membership=d.m("S0053"), request=stamp, now=d.at(4, 16)[1],
                            comment="提出先の様式が変わったため作り直します。")
    # 斎藤's laptops: 経理部 consulted (部長 agreed, 課長 still to), then 課長 and 部長.
    laptops = d.file("S0053", "purchase", "営業用ノートPC 3台", 540_000, "備品",
                     _purchase("ノートPC（14インチ）", 3, "リース満了に伴う入替え", soon),
                     days_ago=3, attachment=("見積書_ノートPC.pdf", QUOTE_PDF))
    d.decide("S0005", laptops, days_ago=2, comment="予算内です。")
    # 吉田 (総務部, no 課): the 課長 seat is vacant and goes up to 中村 部長 (the "manager").
    d.file("S0034", "purchase", "会議室プロジェクター", 86_000, "備品",
           _purchase("プロジェクター", 1, "第2会議室の故障機の更新", soon), days_ago=2,
           attachment=("見積書_プロジェクター.pdf", QUOTE_PDF))
    # A draft of the demo "employee" 斎藤 (第一営業課).
    d.file("S0053", "purchase", "外付けモニター 2台", 64_000, "備品",
           _purchase("27インチモニター", 2, "在宅勤務と出社時の作業効率向上のため", soon),
           days_ago=1, submit=False)
    # 伊藤 課長 away this week: 山下 decides for him; 岡's request waits under it.
    day, now = d.at(1, 9)
    delegations.delegation_create(
        membership=d.m("S0016"), principal=d.people["S0016"], deputy=d.people["S0025"],
        start=day, end=d.today + dt.timedelta(days=6), request_types=[d.types["purchase"]],
        note="出張のため（購入申請のみ）", now=now)
    d.file("S0058", "purchase", "営業用スマートフォンケース", 12_000, "消耗品",
           _purchase("スマートフォンケース", 6, "新規配布分", soon), days_ago=0)
