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
