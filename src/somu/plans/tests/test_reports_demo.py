"""The demo's 活動報告, built on the demo's survey, procedures and approvals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.org import demo as org_demo
from somu.org.models import Organization, User
from somu.plans import demo_reports
from somu.plans.models import Report
from somu.procedures.tests.test_demo_procedures import TODAY as DEMO_DAY
from somu.shell.demo import ensure_demo


@pytest.fixture
def demo(db: None, settings: Any, tmp_path: Path) -> Organization:
    settings.DATA_DIR = tmp_path  # the demo keeps its password there
    ensure_demo(today=DEMO_DAY)
    organization = Organization.objects.get(slug=org_demo.DEMO_SLUG)
    with tenancy.activate(organization):
        demo_reports.load(organization, today=DEMO_DAY)
    return organization


def test_the_demo_has_the_report_of_the_last_complete_quarter(demo: Organization) -> None:
    with tenancy.activate(demo):
        report = Report.objects.get(period="quarter")
        actions = list(AuditEvent.objects.filter(action__startswith="plan_report.")
                       .order_by("pk").values_list("action", flat=True))
    # 2026-12-05: the last complete quarter is fiscal 2026 Q2, July–September.
    assert (report.period, report.starts_on, report.ends_on) == (
        "quarter", dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert report.title == "2026年度 第2四半期（7〜9月） 活動報告"
    figures = report.figures
    assert figures["hours"]["round"]["name"] == "2026年度 業務調査"
    assert figures["hours"]["previous_round"]["name"] == "2025年度 業務調査"
    assert figures["risks"]["overloaded"][0]["person"]
    assert figures["requests"] is not None
    assert actions == ["plan_report.create", "plan_report.delete", "plan_report.create",
                       "plan_report.create"]


def test_the_demo_has_the_report_of_last_month_with_its_runs_and_requests(
        demo: Organization) -> None:
    with tenancy.activate(demo):
        report = Report.objects.get(period="month")
    assert (report.starts_on, report.ends_on) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert report.figures["procedures"]["steps_completed"] > 0
    assert report.figures["requests"]["submitted"] > 0


def test_loading_the_demo_again_adds_no_report(demo: Organization) -> None:
    with tenancy.activate(demo):
        demo_reports.load(demo, today=DEMO_DAY + dt.timedelta(days=120))
        assert Report.objects.count() == 2


def test_the_demo_executive_reads_the_report(demo: Organization, client: Any) -> None:
    executive = User.objects.get(username="executive")
    client.force_login(executive)
    with tenancy.activate(demo):
        report = Report.objects.get(period="quarter")
    page = client.get(reverse("plans:report_detail", args=[report.pk]))
    assert page.status_code == 200
    assert report.title in page.content.decode()
    assert client.get(reverse("plans:report_pdf", args=[report.pk])).status_code == 200
