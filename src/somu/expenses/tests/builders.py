"""A company that files expense claims (not a test module): approvals' test company
(:mod:`somu.approvals.tests.builders`) with the expense defaults and 規程 rows for the two
expense types — up to ¥100,000 the 課長 decides, above it the 部長."""

from __future__ import annotations

import datetime as dt
from typing import Any

from somu.approvals.models import RequestType
from somu.approvals.services import decisions
from somu.approvals.services import rules as approval_rules
from somu.approvals.tests.builders import NOW, TODAY, World, stage, standard_rules
from somu.core import tenancy
from somu.expenses.models import Account, Claim
from somu.expenses.services import claims, setup

__all__ = ["NOW", "TODAY", "World", "account", "approve", "expense_rules", "new_claim"]


def expense_rules(world: World, *, effective: dt.date = dt.date(2026, 4, 1)) -> None:
    """The defaults, and the 規程 rows for 経費精算 and 仮払申請 beside the standard ones, in
    force from ``effective`` (a browser test on the real clock passes a day long past)."""
    with tenancy.activate(world.org):
        setup.ensure_defaults()
        types = {t.kind: t for t in RequestType.objects.exclude(kind="")}
        rows = standard_rules(world)
        n = len(rows)
        for t in types.values():
            rows.append(approval_rules.RowInput(n + 1, t, (stage("decide", "position", "課長"),),
                                                amount_max=100_000))
            rows.append(approval_rules.RowInput(n + 2, t, (stage("approve", "position", "課長"),
                                                           stage("decide", "position", "部長")),
                                                amount_min=100_001))
            n += 2
        approval_rules.rule_version_save(membership=world.m("admin"),
                                         effective_from=effective, rows=rows, now=NOW)


def account(world: World, name: str) -> Account:
    with tenancy.activate(world.org):
        return Account.objects.get(name=name)


def new_claim(world: World, who: str = "suzuki", *, lines: list[dict[str, Any]] | None = None,
              title: str = "6月分 経費精算", submit: bool = False, today: dt.date = TODAY,
              **kwargs: Any) -> Claim:
    """A claim with ``lines`` (each a dict of line fields; the account by name)."""
    with tenancy.activate(world.org):
        m = world.m(who)
        claim = claims.claim_create(membership=m, kind="claim", title=title, now=NOW, **kwargs)
        for data in lines or []:
            data = dict(data)
            data["account"] = Account.objects.get(name=data["account"]).pk
            claims.line_save(membership=m, claim=claim, data=data, today=today, now=NOW)
        if submit:
            claim = claims.claim_submit(membership=m, claim=claim, today=today, now=NOW)
        claim.refresh_from_db()
        return claim


def approve(world: World, claim: Claim, who: str = "ito") -> Claim:
    """The approver decides (the 課長 for up to ¥100,000)."""
    with tenancy.activate(world.org):
        decisions.request_decide(membership=world.m(who), request=claim.request_id,
                                 decision="approve", comment="", now=NOW, today=TODAY)
        claim.refresh_from_db()
        return claim
