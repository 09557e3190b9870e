"""The expenses demo: claims in every state, a settled advance, a rule warning, a correction —
the same picture whatever day it is built around."""

from __future__ import annotations

import datetime as dt

import pytest

from somu.approvals.demo import load_demo as load_approvals
from somu.approvals.models import RequestState
from somu.core import tenancy
from somu.expenses.demo import load_demo
from somu.expenses.models import Claim, Line
from somu.expenses.services.claims import findings_of
from somu.procedures.demo import ensure_procedures_demo
from somu.procedures.tests.test_demo_procedures import sample_company


@pytest.mark.parametrize("today", [dt.date(2026, 12, 5), dt.date(2027, 1, 1),
                                   dt.date(2027, 4, 1)],
                         ids=["saturday", "new-year", "fiscal-year-start"])
def test_the_demo_has_claims_in_every_state_on_any_day(db, today):
    company = sample_company(survey=False)
    ensure_procedures_demo(company, today=today)
    load_approvals(company, today=today, fresh=True)
    load_demo(company, today=today, fresh=True)
    with tenancy.activate(company):
        states = set(Claim.objects.values_list("request__state", flat=True))
        assert states >= {RequestState.DRAFT, RequestState.IN_PROGRESS, RequestState.SENT_BACK,
                          RequestState.APPROVED, RequestState.REJECTED}
        settled = Claim.objects.get(request__title="名古屋出張 旅費精算")
        assert settled.locked and settled.advance.request.state == RequestState.APPROVED
        assert [f["severity"] for f in settled.findings] == ["warning"]
        correction = Claim.objects.get(corrects__isnull=False)
        assert correction.request.state == RequestState.DRAFT
        assert correction.request.amount == correction.corrects.request.amount
        draft = Claim.objects.get(request__title="12月分 交通費（作成中）")
        assert [f.severity for f in findings_of(draft, today=today)] == ["error"]
        assert not Line.objects.filter(date__gt=today).exists()
        count = Claim.objects.count()
    load_demo(company, today=today, fresh=False)
    with tenancy.activate(company):
        assert Claim.objects.count() == count


def test_the_demo_has_a_closed_period_whose_files_download(db):
    from somu.core.permissions import Role
    from somu.expenses.formats import journals, zengin
    from somu.expenses.models import Payment, Period
    from somu.expenses.services import exports
    from somu.org.models import Membership

    today = dt.date(2026, 12, 5)
    company = sample_company(survey=False)
    ensure_procedures_demo(company, today=today)
    load_approvals(company, today=today, fresh=True)
    load_demo(company, today=today, fresh=True)
    with tenancy.activate(company):
        period = Period.objects.get()
        assert period.cutoff == dt.date(2026, 11, 21)
        paid = {p.person.employee_number: p.amount for p in Payment.objects.filter(period=period)}
        # 小川: the advance paid out (30,000) and the trip claim less it (37,820 − 30,000);
        # 斎藤: her books and meeting (5,280).
        assert paid == {"S0040": 37_820, "S0053": 5_280}
        admin = Membership.objects.filter(role=Role.ADMIN).first()
        transfer = zengin.parse(exports.period_export(membership=admin, period=period,
                                                      what="zengin")[1])
        assert transfer.total_amount == 43_100 and transfer.total_count == 2
        vouchers = journals.parse("yayoi", exports.period_export(
            membership=admin, period=period, what="yayoi")[1])
        assert vouchers


def test_the_demo_s_registry_sample_says_which_payees_were_registered_on_the_line_s_date(db):
    from pathlib import Path

    from somu.expenses import demo
    from somu.expenses.services import registry

    sample = Path(demo.__file__).parent / "demo_data" / "invoice_registry_sample.csv"
    with sample.open("rb") as stream:
        registry.registry_import(files=[registry.RegistryFile(sample.name, stream)],
                                 kind="full", actor=None)
    day = dt.date(2026, 11, 20)
    assert registry.lookup("T7010001008844", day).code == registry.VALID  # 丸善ジュンク堂
    assert registry.lookup("T6010005018717", day).code == registry.CANCELLED  # 日本営業協会
    assert registry.lookup("T5011101012234", day).code == registry.NOT_REGISTERED  # 割烹 みやこ
