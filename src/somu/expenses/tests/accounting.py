"""Builders of the accounting tests (not a test module): bank accounts, advances, periods."""

from __future__ import annotations

import datetime as dt
from typing import Any

from somu.approvals.tests.builders import World
from somu.core import tenancy
from somu.expenses.models import Claim, Period
from somu.expenses.services import banks, claims, periods
from somu.expenses.tests.builders import NOW, TODAY, approve, new_claim

HOLDERS = {"suzuki": "ｽｽﾞｷ ｲﾁﾛｳ", "kato": "ｶﾄｳ ｹｲｺ", "matsumoto": "ﾏﾂﾓﾄ ｼﾞﾛｳ"}


def bank(world: World, who: str, **data: Any) -> None:
    with tenancy.activate(world.org):
        banks.bank_account_save(membership=world.m(who), person=world.people[who], data={
            "bank_code": "0001", "branch_code": "001", "kind": "1", "number": "1234567",
            "holder": HOLDERS.get(who, "ﾃｽﾄ"), **data}, now=NOW)


def line(amount: int, payee: str = "JR東日本", day: str = "2026-06-10", **extra: Any
         ) -> dict[str, Any]:
    return {"date": day, "payee": payee, "purpose": "客先訪問", "account": "旅費交通費",
            "amount": amount, "exception": "public_transport", **extra}


def approved_claim(world: World, who: str = "suzuki", *, lines: list[dict[str, Any]],
                   **kwargs: Any) -> Claim:
    return approve(world, new_claim(world, who, lines=lines, submit=True, **kwargs))


def approved_advance(world: World, who: str = "suzuki", amount: int = 50_000) -> Claim:
    with tenancy.activate(world.org):
        m = world.m(who)
        advance = claims.claim_create(membership=m, kind="advance", title="出張仮払",
                                      amount=amount, purpose="大阪出張", now=NOW)
        advance = claims.claim_submit(membership=m, claim=advance, today=TODAY, now=NOW)
    return approve(world, advance)


def close(world: World, label: str = "2026年6月締め", *, cutoff: dt.date = TODAY,
          payment_date: dt.date = dt.date(2026, 6, 25), who: str = "secretary") -> Period:
    with tenancy.activate(world.org):
        return periods.period_close(membership=world.m(who), label=label, cutoff=cutoff,
                                    payment_date=payment_date, now=NOW)
