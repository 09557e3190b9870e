"""The demo's strategy: a vision, six KPIs with targets (two of them computed over the demo's
two closed survey rounds, three from the months of procedure runs, templates and requests, one
manual with readings), and — once the items exist — a review (振り返り) with a recurring
定期振り返り procedure. Built through the services, so every action is in the audit log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from somu.core import tenancy
from somu.org.models import Organization, Person, User
from somu.plans.models import Kpi, Review, Vision
from somu.plans.services import reviews, strategy

STAFF_USERNAME = "staff"  # 吉田 翔太 (S0034), 総務部: the demo's back-office account
STAFF_NUMBER = "S0034"

VISION_DRAFT = "誰が休んでも止まらない総務。"
VISION = ("誰が休んでも止まらない総務。定型業務は手順どおりに回り、"
          "誰か一人しかできない仕事をなくす。"
          "空いた時間を、社員からの相談と会社の仕組みづくりに使う。")


def _fiscal_year_end(today: dt.date, years: int = 0) -> dt.date:
    """31 March ending the fiscal year of ``today`` (plus ``years``)."""
    return dt.date(today.year + (1 if today.month >= 4 else 0) + years, 3, 31)


def load(organization: Organization, *, today: dt.date) -> None:
    """Does nothing when the organization already has a vision or KPIs."""
    with tenancy.activate(organization):
        if Vision.objects.exists() or Kpi.objects.exists():
            return
        actor = User.objects.filter(username=STAFF_USERNAME).first()
        strategy.vision_save(actor=actor, data={"statement": VISION_DRAFT}, today=today)
        strategy.vision_save(actor=actor, data={
            "statement": VISION, "horizon": _fiscal_year_end(today, 2)}, today=today)
        this_year, next_year = _fiscal_year_end(today), _fiscal_year_end(today, 1)

        def kpi(name: str, definition: str, target: str, target_on: dt.date, **extra: object
                ) -> Kpi:
            return strategy.kpi_save(actor=actor, kpi=None, today=today, data={
                "name": name, "definition": definition, "target": Decimal(target),
                "target_on": target_on, **extra})

        kpi("属人化率（工数）", "dependency_rate_hours", "20", next_year,
            description="一人しかできない業務にかかる工数の割合を下げる。")
        bus = kpi("全社のバス係数", "bus_factor", "18", next_year,
                  parameters={"scope": "organization"},
                  description="管理本部の工数の半分超が止まるまでに、同時に抜けてよい人数。")
        strategy.kpi_save(actor=actor, kpi=bus, today=today, data={"target": Decimal(20)})
        kpi("期限内完了率", "on_time_rate", "95", this_year)
        kpi("標準化率", "standardization_rate", "60", next_year,
            description="調査した業務のうち、実行できる手順がある業務の割合。")
        kpi("申請のシステム化率", "requests_in_somu", "80", this_year,
            parameters={"monthly_volume": 40},
            description="紙とシステムを合わせて月に約 40 件の申請を扱っている。")
        satisfaction = kpi("社内問い合わせの満足度", "manual", "4.2", this_year, unit="点",
                           direction="up", description="四半期ごとの社員アンケート（5 点満点）。")
        for days, value in ((270, "3.4"), (180, "3.5"), (90, "3.7"), (1, "3.8")):
            strategy.reading_save(actor=actor, kpi=satisfaction, today=today, data={
                "on": today - dt.timedelta(days=days), "value": Decimal(value),
                "note": "社員アンケート"})
        wrong = strategy.reading_save(actor=actor, kpi=satisfaction, today=today, data={
            "on": today, "value": Decimal("38"), "note": "入力ミス"})
        strategy.reading_delete(actor=actor, reading=wrong)
        paper = kpi("紙の申請書の枚数", "manual", "10", this_year, unit="枚", direction="down",
                    description="申請のシステム化率に置き換えた。")
        strategy.kpi_archive(actor=actor, kpi=paper)


def load_reviews(organization: Organization, *, today: dt.date) -> None:
    """A review held after the items exist; does nothing when one is already there."""
    with tenancy.activate(organization):
        if Review.objects.exists():
            return
        actor = User.objects.filter(username=STAFF_USERNAME).first()
        owner = Person.objects.filter(employee_number=STAFF_NUMBER).first()
        next_on = today + dt.timedelta(days=30)
        reviews.review_create(actor=actor, today=today, data={
            "title": f"{today.year}年{today.month}月 改善計画の振り返り", "held_on": today,
            "decisions": ("・属人化していた月次締めの手順化を全拠点に広げる。\n"
                          "・給与計算の多能工化は来月の研修で完了させる。\n"
                          "・申請のシステム化率が伸びていない部署に説明会を開く。"),
            "next_on": next_on, "repeat": "monthly" if owner is not None else "",
            "owner": owner})
