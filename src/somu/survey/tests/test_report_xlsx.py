"""The Excel report: a sheet per view, Japanese headers, the result's figures, native charts.

The result is built by hand (no database, no engine) so every figure in the workbook can be
checked against the value it came from.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import replace
from types import SimpleNamespace

import openpyxl
import pytest

from somu.survey.analysis.types import (
    Absorption,
    AnalysisResult,
    Balance,
    Breakdown,
    BusFactor,
    Dependency,
    FlagSummary,
    Heatmap,
    MonthHours,
    PersonLoad,
    Qualification,
    QualificationByGrade,
    RetirementRisk,
    Seasonality,
    TaskSummary,
    Totals,
)
from somu.survey.report import CHART_ROWS, build_report_xlsx

SHEETS = ["概要", "部門別工数", "部署別工数", "等級別工数", "個人別工数", "業務別工数",
          "ヒートマップ", "属人化", "バス係数", "退職リスク", "等級適正", "負荷", "外注・自動化",
          "季節変動"]


def _person(pid: int, name: str, load: float, capacity: float = 160.0, **by_function: float
            ) -> PersonLoad:
    return PersonLoad(
        person_id=pid, employee_number=f"E{pid:03d}", name=name, department="管理本部 / 総務部",
        grade="G1", capacity=capacity, load=load, utilization=load / capacity,
        overloaded=load > capacity, by_function=dict(by_function), tasks=len(by_function))


def _task(tid: int, function: str, name: str, hours: float, cumulative: float,
          capable: tuple[int, ...], **flags: bool) -> TaskSummary:
    return TaskSummary(
        task_id=tid, function=function, category="大分類", subcategory="", name=name,
        difficulty=2, remote_ok=flags.get("remote_ok", False),
        outsourceable=flags.get("outsourceable", False),
        automatable=flags.get("automatable", False), hours=hours, cost=int(hours * 2500),
        people=len(capable) or 1, capable=capable, capability_from_survey=True,
        person_dependent=len(capable) <= 1, share=hours / 300.0, cumulative_share=cumulative)


def sample_result() -> AnalysisResult:
    people = (
        _person(1, "山田 太郎", 180.0, 総務=120.0, 経理財務=60.0),
        _person(2, "鈴木 花子", 80.0, 総務=80.0),
        _person(3, "佐藤 健", 40.0, 経理財務=40.0),
        _person(4, "田中 美咲", 0.0),
    )
    tasks = (
        _task(10, "経理財務", "月次決算", 100.0, 1 / 3, (1,), automatable=True),
        _task(11, "総務", "請求書発行", 90.0, 190 / 300, (1, 2), outsourceable=True),
        _task(12, "総務", "=備品管理", 60.0, 250 / 300, (2,), remote_ok=True),
        _task(13, "総務", "来客・電話対応", 50.0, 1.0, ()),
    )
    months = tuple(
        MonthHours(month=m, hours=40.0 if m != 3 else 160.0,
                   by_function={"経理財務": 40.0 if m != 3 else 160.0})
        for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3))
    return AnalysisResult(
        totals=Totals(hours=300.0, cost=750_000, people=4, people_with_hours=3, tasks=4,
                      capacity=640.0, utilization=300 / 640),
        by_function=(
            Breakdown("総務", "総務", 200.0, 500_000, 2, 3, 2 / 3),
            Breakdown("経理財務", "経理財務", 100.0, 250_000, 2, 1, 1 / 3),
        ),
        by_department=(Breakdown("7", "管理本部 / 総務部", 300.0, 750_000, 3, 4, 1.0),),
        by_grade=(Breakdown("G1", "G1", 260.0, 650_000, 2, 4, 260 / 300),
                  Breakdown("", "", 40.0, 100_000, 1, 1, 40 / 300)),
        people=people,
        tasks=tasks,
        dependency=Dependency(tasks=4, dependent_tasks=3, rate_by_count=0.75, hours=300.0,
                              dependent_hours=210.0, rate_by_hours=0.7,
                              dependent_task_ids=(10, 12, 13), nobody_capable_task_ids=(13,)),
        bus_factors=(
            BusFactor("organization", "", "", 1, "exact", (1,), 300.0, 240.0, 2),
            BusFactor("function", "総務", "総務", 1, "greedy", (2,), 200.0, 110.0, 2),
            BusFactor("department", "7", "管理本部 / 総務部", None, "exact", (), 0.0, 0.0, 0),
        ),
        retirement=(
            RetirementRisk(1, "山田 太郎", 100.0, (10,), (Absorption(3, 10, 30.0),), 70.0),
            RetirementRisk(2, "鈴木 花子", 60.0, (12,), (), 60.0),
        ),
        qualification=Qualification(
            over_hours=50.0, over_cost=125_000, under_hours=20.0, under_cost=30_000,
            unknown_hours=40.0,
            by_grade=(QualificationByGrade("G1", 50.0, 125_000, 20.0, 30_000),)),
        balance=(
            Balance("organization", "", "", 4, 75.0, 0.8, 0.45, 2.4, (1,)),
            Balance("department", "7", "管理本部 / 総務部", 3, 100.0, 0.6, 0.3, 1.8, (1,)),
        ),
        flags=(
            FlagSummary("remote_ok", 60.0, 150_000, 0.2, (12,)),
            FlagSummary("outsourceable", 90.0, 225_000, 0.3, (11,)),
            FlagSummary("automatable", 100.0, 250_000, 1 / 3, (10,)),
        ),
        seasonality=Seasonality(entries=12, months=months, peak_month=3),
        heatmap=Heatmap(person_ids=(1, 2, 3), task_ids=(10, 11, 12),
                        values=((60.0, 60.0, 0.0), (0.0, 30.0, 50.0), (40.0, 0.0, 0.0))),
    )


ROUND = SimpleNamespace(name="2026年度 業務調査", organization=SimpleNamespace(name="株式会社エー"))


def build(result: AnalysisResult | None = None) -> bytes:
    return build_report_xlsx(survey_round=ROUND, result=result or sample_result(),
                             generated_on=dt.date(2026, 5, 1))


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(ws, first: int = 1) -> list[list[object]]:
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


def header(ws, row: int = 1) -> list[object]:
    return [c for c in next(ws.iter_rows(min_row=row, max_row=row, values_only=True)) if c]


def charts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode() for n in z.namelist()
                if re.match(r"xl/charts/chart\d+\.xml$", n)}


def test_it_writes_a_sheet_per_view_in_the_dashboards_order():
    assert load(build()).sheetnames == SHEETS


def test_the_overview_names_the_round_and_defines_each_figure():
    ws = load(build())["概要"]
    assert ws["A1"].value == "業務調査レポート"
    assert [ws["B3"].value, ws["B4"].value, ws["B5"].value] == [
        "株式会社エー", "2026年度 業務調査", "2026-05-01"]
    assert header(ws, 7) == ["指標", "値", "単位", "定義"]
    kpis = {r[0]: r for r in rows(ws, 8) if r[0]}
    assert kpis["総工数"][1] == 300.0
    assert kpis["総コスト"][1] == 750_000
    assert kpis["属人化率（件数ベース）"][1] == 0.75
    assert kpis["属人化率（工数ベース）"][1] == 0.7
    assert kpis["バス係数（組織）"][1] == 1
    assert kpis["バス係数（組織）"][3].endswith("算出方法: 正確に計算")
    assert kpis["過負荷の人"][1] == 1
    assert kpis["ピーク月"][1] == "3月"
    assert all(r[3] for r in kpis.values()), "every figure has its definition"


def test_numbers_carry_hours_yen_and_rate_formats():
    wb = load(build())
    ws = wb["部門別工数"]
    assert header(ws) == ["部門", "工数（時間/月）", "コスト（円/月）", "人数", "業務数", "構成比"]
    assert [ws["B2"].number_format, ws["C2"].number_format, ws["F2"].number_format] == [
        "#,##0.0", '"¥"#,##0', "0.0%"]
    overview = {r[0].value: r[1] for r in wb["概要"].iter_rows(min_row=8) if r[0].value}
    assert overview["稼働率"].number_format == "0.0%"
    assert overview["総コスト"].number_format == '"¥"#,##0'


def test_breakdowns_hold_the_results_figures():
    wb = load(build())
    assert rows(wb["部門別工数"], 2) == [["総務", 200.0, 500_000, 2, 3, pytest.approx(2 / 3)],
                                      ["経理財務", 100.0, 250_000, 2, 1, pytest.approx(1 / 3)]]
    assert rows(wb["部署別工数"], 2)[0][:2] == ["管理本部 / 総務部", 300.0]
    assert [r[0] for r in rows(wb["等級別工数"], 2)] == ["G1", "（なし）"]


def test_the_people_sheet_stacks_hours_by_function():
    ws = load(build())["個人別工数"]
    assert header(ws) == ["社員番号", "氏名", "部署", "等級", "工数（時間/月）", "業務数", "総務",
                          "経理財務"]
    assert rows(ws, 2)[0] == ["E001", "山田 太郎", "管理本部 / 総務部", "G1", 180.0, 2, 120.0, 60.0]
    assert rows(ws, 2)[3][:2] == ["E004", "田中 美咲"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H5"


def test_the_task_sheet_is_a_pareto_with_cumulative_share():
    ws = load(build())["業務別工数"]
    table = rows(ws, 2)
    assert [r[4] for r in table] == ["月次決算", "請求書発行", "=備品管理", "来客・電話対応"]
    assert [r[12] for r in table] == pytest.approx([1 / 3, 190 / 300, 250 / 300, 1.0])
    assert [r[10] for r in table] == ["○", None, "○", "○"]  # 属人化
    assert ws["E4"].data_type == "s", "a name starting with = stays text, not a formula"


def test_the_heat_map_is_a_person_by_task_matrix_with_a_colour_scale():
    ws = load(build())["ヒートマップ"]
    assert header(ws, 2) == ["氏名", "月次決算", "請求書発行", "=備品管理"]
    assert rows(ws, 3) == [["山田 太郎", 60.0, 60.0, None], ["鈴木 花子", None, 30.0, 50.0],
                           ["佐藤 健", 40.0, None, None]]
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert [r.type for r in rules] == ["colorScale"]


def test_dependency_bus_factor_and_retirement_sheets_name_the_people():
    wb = load(build())
    dependent = rows(wb["属人化"], 9)
    assert [r[2] for r in dependent] == ["月次決算", "=備品管理", "来客・電話対応"]
    assert dependent[0][6] == "山田 太郎"
    assert dependent[2][6:9] == ["（なし）", "調査回答", "○"]
    bus = rows(wb["バス係数"], 3)
    assert [r[:4] for r in bus[:3]] == [["組織", "組織全体", 1, "正確に計算"],
                                        ["部門", "総務", 1, "近似（上限つき）"],
                                        ["部署", "管理本部 / 総務部", "—", "正確に計算"]]
    assert bus[0][7] == "山田 太郎"
    notes = [r[0] for r in bus[3:] if r[0]]  # what 算出方法 means, under the table
    assert [n.split(": ")[0] for n in notes] == ["正確に計算", "近似（上限つき）"]
    assert "実際の値はこれより小さいことはあっても" in notes[1]
    risk = rows(wb["退職リスク"], 2)
    assert risk[0] == ["山田 太郎", 100.0, 1, "月次決算", "佐藤 健（30.0h）", 30.0, 70.0]
    assert risk[1][4:] == ["（なし）", 0.0, 60.0]


def test_qualification_load_flags_and_seasonality_sheets():
    wb = load(build())
    qualification = rows(wb["等級適正"], 2)
    assert qualification[0] == ["G1", 50.0, 125_000, 20.0, 30_000]
    assert qualification[1] == ["合計", 50.0, 125_000, 20.0, 30_000]
    load_sheet = rows(wb["負荷"], 2)
    assert load_sheet[0][:8] == ["E001", "山田 太郎", "管理本部 / 総務部", "G1", 160.0, 180.0,
                                 pytest.approx(1.125), "○"]
    assert [wb["負荷"]["J3"].value, wb["負荷"]["K3"].value, wb["負荷"]["N3"].value] == [
        "組織", "組織全体", 0.8]
    flags = rows(wb["外注・自動化"], 2)
    assert [r[:3] for r in flags[:3]] == [["リモート可", 60.0, 150_000], ["外注可", 90.0, 225_000],
                                          ["自動化可", 100.0, 250_000]]
    assert header(wb["外注・自動化"], 7)[:5] == ["区分", "順位", "部門", "大分類", "業務"]
    ranked = [r[:5] for r in rows(wb["外注・自動化"], 8) if r[0]]
    assert ranked == [["リモート可", 1, "総務", "大分類", "=備品管理"],
                      ["外注可", 1, "総務", "大分類", "請求書発行"],
                      ["自動化可", 1, "経理財務", "大分類", "月次決算"]]
    months = rows(wb["季節変動"], 2)[:12]
    assert [r[0] for r in months] == [f"{m}月" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    assert months[-1][1:3] == [160.0, 160.0]


def test_native_charts_are_in_the_workbook():
    parts = charts(build())
    xml = "".join(parts.values())
    assert len(parts) == 10
    assert xml.count("<c:barChart>") >= 6  # columns and bars (Excel writes both as barChart)
    assert "<c:lineChart>" in xml  # Pareto's cumulative line and the seasonality
    assert "業務別工数!$M$2:$M$5" in xml  # the cumulative share on the Pareto line
    assert "部門別工数!$B$2:$B$3" in xml
    with zipfile.ZipFile(io.BytesIO(build())) as z:
        drawings = [n for n in z.namelist() if n.startswith("xl/drawings/drawing")]
    assert drawings


def test_charts_show_only_the_largest_rows_while_tables_keep_every_person():
    base = sample_result()
    many = tuple(replace(base.people[1], person_id=100 + i, employee_number=f"X{i:04d}",
                         name=f"社員{i}") for i in range(200))
    data = build(replace(base, people=base.people + many))
    ws = load(data)["個人別工数"]
    assert ws.max_row == 1 + 4 + 200
    assert f"個人別工数!$B$2:$B${1 + CHART_ROWS}<" in "".join(charts(data).values())


def test_an_empty_round_still_gives_a_workbook_that_opens():
    base = sample_result()
    empty = replace(
        base, by_function=(), by_department=(), by_grade=(), people=(), tasks=(),
        bus_factors=(), retirement=(), balance=(), flags=(),
        dependency=Dependency(0, 0, 0.0, 0.0, 0.0, 0.0, (), ()),
        qualification=Qualification(0.0, 0, 0.0, 0, 0.0, ()),
        seasonality=Seasonality(0, (), None), heatmap=Heatmap((), (), ()),
    )
    data = build(empty)
    wb = load(data)
    assert wb.sheetnames == SHEETS
    assert charts(data) == {}
    assert "月別の工数の入力がない" in str(wb["季節変動"]["A3"].value)


def test_labels_name_people_the_result_does_not_list():
    base = sample_result()
    result = replace(base, bus_factors=(replace(base.bus_factors[0], removed=(1, 99)),))
    data = build_report_xlsx(survey_round=ROUND, result=result, labels=({99: "退職 済子"}, {}))
    assert load(data)["バス係数"]["H3"].value == "山田 太郎、退職 済子"


def test_the_report_and_the_pages_use_the_same_terms():
    from django.template import Context, Template
    from django.utils import translation

    from somu.survey import terms

    book = load(build())
    cells = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None}
    text = "\n".join(cells)
    # The words the report once used where the pages said otherwise are gone …
    for old in ("過剰品質", "能力不足", "退職で対応者のいなくなる工数", "吸収できない工数"):
        assert old not in text
    # … and every term the report writes reads as the analysis page shows it in Japanese.
    with translation.override("ja"):
        page = {key: Template('{% load survey_analysis %}{% term key %}').render(
            Context({"key": key})) for key in terms.TERMS}
    assert page["over_qualified_hours"] == "オーバースペック工数"
    assert page["orphaned_hours"] == "宙に浮く工数"
    for key in ("over_qualified_hours", "over_qualified_cost", "under_qualified_hours",
                "under_qualified_cost", "orphaned_hours", "unabsorbed_hours",
                "dependency_rate_count", "dependency_rate_hours", "overloaded_people",
                "hours_left_uncovered"):
        assert any(page[key] in cell for cell in cells), key
