"""The demo's strategy on top of the demo organization, survey and procedures."""

from __future__ import annotations

from pathlib import Path

import pytest

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.org import demo as org_demo
from somu.org.models import Organization
from somu.plans import demo_strategy, kpis
from somu.plans.audit_vocabulary import VOCABULARY
from somu.plans.models import Kpi, KpiReading, Review, Vision
from somu.procedures.tests.test_demo_procedures import TODAY as DEMO_DAY
from somu.shell.demo import ensure_demo


@pytest.fixture
def sample(db: None, settings, tmp_path: Path) -> Organization:
    settings.DATA_DIR = tmp_path  # the demo keeps its password there
    ensure_demo(today=DEMO_DAY)
    organization = Organization.objects.get(slug=org_demo.DEMO_SLUG)
    demo_strategy.load(organization, today=DEMO_DAY)
    demo_strategy.load_reviews(organization, today=DEMO_DAY)
    return organization


def test_the_demo_has_a_vision_and_six_kpis_two_of_them_computed_over_two_rounds(
        sample) -> None:
    with tenancy.activate(sample):
        assert Vision.objects.get().statement.startswith("誰が休んでも止まらない総務。")
        statuses = kpis.kpi_statuses(today=DEMO_DAY)
        assert len(statuses) == 6 and Kpi.objects.filter(archived=True).count() == 1
        by_round = [s for s in statuses if s.definition.basis == "round"]
        assert len(by_round) == 2
        for status in by_round:
            assert [p.label for p in status.trend] == ["2025年度 業務調査", "2026年度 業務調査"]
            assert all(p.value is not None for p in status.trend)
        # Person dependency went down between the rounds: the demo's story.
        rate = next(s for s in by_round if s.kpi.definition == "dependency_rate_hours")
        assert rate.trend[1].value is not None and rate.trend[0].value is not None
        assert rate.trend[1].value < rate.trend[0].value
        manual = next(s for s in statuses if s.kpi.definition == "manual")
        assert [p.value for p in manual.trend] == [3.4, 3.5, 3.7, 3.8]
        assert KpiReading.objects.count() == 4
        on_time = next(s for s in statuses if s.kpi.definition == "on_time_rate")
        assert on_time.current is not None and on_time.current.value is not None


def test_the_demo_review_snapshots_the_kpis_and_schedules_the_next_ones(sample) -> None:
    with tenancy.activate(sample):
        review = Review.objects.get()
        assert len(review.kpi_snapshot) == 6 and review.schedule is not None
        assert review.schedule.template.name == "定期振り返り"


def test_the_demo_performs_every_strategy_action_and_loads_once(sample) -> None:
    demo_strategy.load(sample, today=DEMO_DAY)
    demo_strategy.load_reviews(sample, today=DEMO_DAY)
    with tenancy.activate(sample):
        assert Kpi.objects.count() == 7 and Review.objects.count() == 1
        done = set(AuditEvent.objects.filter(action__startswith="plan_").values_list(
            "action", flat=True))
    strategy_actions = {a for a in VOCABULARY.actions
                        if a.split(".")[0] in ("plan_vision", "plan_kpi", "plan_reading",
                                               "plan_review")}
    assert strategy_actions <= done
