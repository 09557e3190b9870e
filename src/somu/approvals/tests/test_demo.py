"""The approvals demo: the 規程, requests in every state, a delegation and a pending 後閲 —
the same picture whatever day it is built around."""

from __future__ import annotations

import datetime as dt

import pytest

from somu.approvals.demo import load_demo
from somu.approvals.models import PostReviewState, Request, RequestState
from somu.approvals.selectors import inbox
from somu.core import tenancy
from somu.org.models import Person
from somu.procedures.demo import ensure_procedures_demo
from somu.procedures.tests.test_demo_procedures import sample_company


@pytest.mark.parametrize("today", [dt.date(2026, 12, 5), dt.date(2027, 1, 1),
                                   dt.date(2027, 4, 1)],
                         ids=["saturday", "new-year", "fiscal-year-start"])
def test_the_demo_shows_every_state_a_delegation_and_a_pending_review_on_any_day(db, today):
    company = sample_company(survey=False)
    ensure_procedures_demo(company, today=today)
    load_demo(company, today=today, fresh=True)
    with tenancy.activate(company):
        assert set(Request.objects.values_list("state", flat=True)) == set(RequestState.values)
        launched = Request.objects.filter(launched_run__isnull=False)
        assert {r.request_type.code for r in launched} >= {"purchase", "contract"}
        # Numbered in the order they were submitted, per fiscal year.
        first = Request.objects.filter(request_type__code="purchase").exclude(number="") \
            .order_by("submitted_at").first()
        assert first.number == f"購入-{company.fiscal_year(first.submitted_on)}-00001"

        # The demo "manager" 中村 has one to decide; 山下 decides one as 伊藤's deputy.
        nakamura = Person.objects.get(employee_number="S0006")
        yamashita = Person.objects.get(employee_number="S0025")
        assert [i.request.title for i in inbox(nakamura, today=today)] == ["会議室プロジェクター"]
        assert [(i.request.title, i.principal.name) for i in inbox(yamashita, today=today)] == [
            ("営業用スマートフォンケース", "伊藤 大輔")]

        # 阿部 課長's 後閲 of what 鈴木 部長 decided in his place.
        review = Request.objects.get(title="営業フロア用チェア 2脚").post_reviews.get()
        assert (review.state, review.person.employee_number) == (PostReviewState.PENDING, "S0014")
        count = Request.objects.count()
    load_demo(company, today=today, fresh=False)
    with tenancy.activate(company):
        assert Request.objects.count() == count
