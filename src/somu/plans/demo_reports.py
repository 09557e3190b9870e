"""The demo's 活動報告: the quarterly report of the last complete fiscal quarter before
``today`` (hours by function and the risks of the survey rounds, the KPIs), and the monthly
report of the last complete month (where the demo's procedure runs and requests are), both made
by the back office with a comment for management. A draft of the month before is made and
deleted on the way, so the demo's audit log shows both actions.

Idempotent: does nothing once the organization has a report.
"""

from __future__ import annotations

import datetime as dt

from somu.core.permissions import Role
from somu.org.models import Membership, Organization, User
from somu.plans.models import Report, ReportPeriod
from somu.plans.report_figures import add_months
from somu.plans.services import reports as services

COMMENT = (
    "今四半期は、属人化していた給与計算・経営企画業務の複線化と、請求書発行・経費精算の"
    "システム化を進めました。手順の期限内完了率と申請のシステム化率は目標に向けて改善して"
    "います。次の四半期は、退職予定者の業務の引継ぎと、過負荷の解消に取り組みます。"
)

MONTH_COMMENT = (
    "今月は入社・退職の手続きと月次決算を手順どおりに実行し、経費精算と稟議はすべて somu "
    "で受け付けました。期限を過ぎたステップは翌週までに完了しています。"
)


def _actor() -> User | None:
    membership = (Membership.objects.filter(role__in=(Role.STAFF, Role.ADMIN))
                  .select_related("user").order_by("role", "pk").first())
    return membership.user if membership else None


def load(organization: Organization, *, today: dt.date) -> None:
    if Report.objects.exists():
        return
    actor = _actor()
    month = services.latest_complete(ReportPeriod.MONTH, today=today)
    draft = services.report_create(actor=actor, period=month.kind,
                                   starts_on=add_months(month.starts_on, -1),
                                   comment="（下書き）", today=today)
    services.report_delete(actor=actor, report=draft)
    quarter = services.latest_complete(ReportPeriod.QUARTER, today=today)
    services.report_create(actor=actor, period=quarter.kind, starts_on=quarter.starts_on,
                           comment=COMMENT, today=today)
    services.report_create(actor=actor, period=month.kind, starts_on=month.starts_on,
                           comment=MONTH_COMMENT, today=today)
