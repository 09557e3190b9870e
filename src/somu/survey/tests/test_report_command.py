"""`somu survey report`: the workbook of a round written to a file, with the headline figures."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from somu.core import tenancy
from somu.survey import services
from somu.survey.models import AnalysisSnapshot, Capability, WorkHours

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round(org_a, people_a):
    """給与計算: 山田 30 h (can teach), 佐藤 10 h (can do alone); 月次決算: 山田 50 h alone.

    So 90 h in all; 月次決算 is person-dependent (1 of 2 tasks, 50 of 90 h = 55.6%) and 山田
    leaving uncovers 50 h, more than half: the bus factor is 1.
    """
    p = people_a
    with tenancy.activate(org_a):
        payroll = services.task_save(actor=None, task=None, data={
            "function": "人事労務", "category": "給与", "name": "給与計算", "difficulty": 3})
        closing = services.task_save(actor=None, task=None, data={
            "function": "経理財務", "category": "決算", "name": "月次決算", "difficulty": 4})
        survey_round = services.round_save(actor=None, survey_round=None,
                                           data={"name": "2026年度 業務調査"})
        WorkHours.objects.bulk_create([
            WorkHours(organization_id=org_a.pk, round=survey_round, person=person, task=task,
                      hours=Decimal(hours))
            for person, task, hours in [(p.yamada, payroll, "30"), (p.sato, payroll, "10"),
                                        (p.yamada, closing, "50")]])
        Capability.objects.bulk_create([
            Capability(organization_id=org_a.pk, round=survey_round, person=person, task=task,
                       level=level)
            for person, task, level in [(p.yamada, payroll, 4), (p.sato, payroll, 3),
                                        (p.yamada, closing, 4)]])
        services.round_touch(survey_round)
    return survey_round


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("survey_report", *args, stdout=out)
    return out.getvalue()


def test_it_writes_the_workbook_and_prints_the_headline_figures(survey_round, tmp_path, tr):
    path = tmp_path / "report.xlsx"
    output = run("--org", "org-a", "--round", "2026年度 業務調査", "--out", str(path))
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:2] == ["概要", "部門別工数"]
    assert workbook["概要"]["B4"].value == "2026年度 業務調査"
    kpis = {r[0]: r[1] for r in workbook["概要"].iter_rows(min_row=8, values_only=True) if r[0]}
    assert kpis["総工数"] == 90.0
    with zipfile.ZipFile(path) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    assert "report.xlsx" in output
    lines = output.splitlines()
    assert "90.0" in lines[1]  # total hours
    assert lines[2] == tr(
        "Person-dependent tasks: %(count)d of %(tasks)d, %(by_count)s by count, "
        "%(by_hours)s by hours", count=1, tasks=2, by_count="50.0%", by_hours="55.6%")
    # the bus factor: 山田 alone
    assert lines[3] == tr("Bus factor of the organization: %(value)s",
                          value="1（正確に計算）")


def test_it_uses_the_cached_analysis_unless_asked_to_refresh(survey_round, tmp_path, org_a):
    path = str(tmp_path / "report.xlsx")
    run("--org", "org-a", "--round", "2026年度 業務調査", "--out", path)
    with tenancy.activate(org_a):
        first = AnalysisSnapshot.objects.get(round=survey_round).computed_at
    run("--org", "org-a", "--round", "2026年度 業務調査", "--out", path)
    with tenancy.activate(org_a):
        assert AnalysisSnapshot.objects.get(round=survey_round).computed_at == first
    run("--org", "org-a", "--round", "2026年度 業務調査", "--out", path, "--refresh")
    with tenancy.activate(org_a):
        assert AnalysisSnapshot.objects.get(round=survey_round).computed_at > first


def test_an_unknown_organization_is_an_error(survey_round, tmp_path):
    with pytest.raises(CommandError, match="no-such-org") as caught:
        run("--org", "no-such-org", "--round", "2026年度 業務調査",
            "--out", str(tmp_path / "r.xlsx"))
    assert caught.value.returncode == 1
    assert not (tmp_path / "r.xlsx").exists()


def test_an_unknown_round_is_an_error_listing_the_rounds(survey_round, tmp_path):
    with pytest.raises(CommandError, match="2025年度") as caught:
        run("--org", "org-a", "--round", "2025年度", "--out", str(tmp_path / "r.xlsx"))
    assert "2026年度 業務調査" in str(caught.value)
    assert caught.value.returncode == 1
    assert not (tmp_path / "r.xlsx").exists()


def test_a_round_of_another_organization_is_not_found(survey_round, org_b, tmp_path):
    with pytest.raises(CommandError, match="2026年度 業務調査"):
        run("--org", "org-b", "--round", "2026年度 業務調査", "--out", str(tmp_path / "r.xlsx"))


def test_an_output_directory_that_does_not_exist_is_an_error(survey_round, tmp_path):
    with pytest.raises(CommandError, match="missing"):
        run("--org", "org-a", "--round", "2026年度 業務調査",
            "--out", str(tmp_path / "missing" / "r.xlsx"))


def test_somu_survey_report_exits_1_with_a_message_for_an_unknown_round(survey_round, tmp_path,
                                                                       capsys):
    from somu import cli

    with pytest.raises(SystemExit) as caught:
        cli.main(["survey", "report", "--org", "org-a", "--round", "nope",
                  "--out", str(tmp_path / "r.xlsx")])
    assert caught.value.code == 1
    assert "nope" in capsys.readouterr().err
