"""The analysis of a survey round as an Excel workbook (業務調査レポート).

A sheet per view of the dashboard, with Japanese sheet names and headers, number formats, frozen
headers, filters and native Excel charts (XlsxWriter), so the file opens in Excel and LibreOffice
with its charts. No Django here: the round is only read for its name (and organization's name).

Tables list every row (10,000 people are fine); charts show the first ``CHART_ROWS`` rows, which
are the largest because the result is ordered largest first. The workbook writer (formats,
tables, charts) is :class:`somu.survey.report_book.Book`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from typing import Any, Protocol

from somu.survey import terms
from somu.survey.analysis.types import AnalysisResult, BusFactor
from somu.survey.report_book import FONT, Book, Col, text_width
from somu.survey.terms import ja

CHART_ROWS = 30

SCOPES = {"organization": "組織", "function": "部門", "department": "部署"}
FLAGS = {"remote_ok": "リモート可", "outsourceable": "外注可", "automatable": "自動化可"}


class RoundLike(Protocol):
    name: str


def _bar_height(rows: int) -> int:
    """Enough height for one readable bar per row."""
    return max(420, 22 * rows + 140)


def _series(sheet: str, name_cell: tuple[int, int] | str, cat: tuple[int, int, int],
            val: tuple[int, int, int], **extra: Any) -> dict[str, Any]:
    """A chart series over rows ``first..last`` of column ``cat`` / ``val`` of ``sheet``."""
    name: Any = [sheet, *name_cell] if isinstance(name_cell, tuple) else name_cell
    return {
        "name": name,
        "categories": [sheet, cat[1], cat[0], cat[2], cat[0]],
        "values": [sheet, val[1], val[0], val[2], val[0]],
        **extra,
    }


def _chart_rows(n: int, top: int = 0) -> tuple[int, int]:
    return top + 1, top + min(n, CHART_ROWS)


def _top(what: str, n: int, unit: str) -> str:
    """A chart title, saying when the chart shows only the largest rows of its table."""
    return f"{what}（上位{CHART_ROWS}{unit}）" if n > CHART_ROWS else what


def build_report_xlsx(
    *,
    survey_round: RoundLike,
    result: AnalysisResult,
    labels: tuple[Mapping[int, str], Mapping[int, str]] | None = None,
    generated_on: dt.date | None = None,
) -> bytes:
    """The workbook for ``result``, the analysis of ``survey_round``.

    ``labels`` is ``(people, tasks)``: names by id for the ids the result holds beyond its
    people and tasks (e.g. :func:`somu.survey.selectors.analysis_labels`); the result's own
    names are used otherwise.
    """
    people = {p.person_id: p.name for p in result.people}
    tasks = {t.task_id: t.name for t in result.tasks}
    if labels is not None:
        people.update(labels[0])
        tasks.update(labels[1])
    buffer = io.BytesIO()
    book = Book(buffer)
    _overview(book, survey_round, result, generated_on or dt.date.today())
    _breakdowns(book, result)
    _people(book, result)
    _tasks(book, result)
    _heatmap(book, result, people, tasks)
    _dependency(book, result, people)
    _bus_factors(book, result, people)
    _retirement(book, result, people, tasks)
    _qualification(book, result)
    _balance(book, result)
    _flags(book, result)
    _seasonality(book, result)
    book.wb.close()
    return buffer.getvalue()


# ---- sheets --------------------------------------------------------------------------------------


def _bus_factor_text(bus: BusFactor | None) -> tuple[Any, str]:
    if bus is None or bus.value is None:
        return "—", "工数がないため算出なし"
    return bus.value, f"算出方法: {ja(terms.BUS_FACTOR_METHODS[bus.method])}"


def _overview(book: Book, survey_round: RoundLike, result: AnalysisResult,
              generated_on: dt.date) -> None:
    ws = book.sheet("概要")
    organization = getattr(getattr(survey_round, "organization", None), "name", "")
    ws.write_string(0, 0, "業務調査レポート", book.title)
    header = [("組織", organization), ("調査回", survey_round.name),
              ("作成日", generated_on.isoformat())]
    for i, (key, value) in enumerate(header, start=2):
        ws.write_string(i, 0, key, book.bold)
        ws.write_string(i, 1, str(value))
    t, d, q = result.totals, result.dependency, result.qualification
    org_bus = next((b for b in result.bus_factors if b.scope == "organization"), None)
    org_balance = next((b for b in result.balance if b.scope == "organization"), None)
    bus_value, bus_note = _bus_factor_text(org_bus)
    flags = {f.flag: f for f in result.flags}
    peak = result.seasonality.peak_month
    kpis: list[tuple[str, Any, str, str, str]] = [
        ("総工数", t.hours, "hours", "時間/月",
         "全員・全業務の月間工数の合計（月別の入力は12か月の合計÷12）"),
        ("総コスト", t.cost, "yen", "円/月", "工数 × 本人の等級の時間単価（等級なしは0円）"),
        ("対象人数", t.people, "int", "人", "調査回の対象者（工数の有無を問わない）"),
        ("工数のある人数", t.people_with_hours, "int", "人", "工数を1時間以上回答した人"),
        ("業務数", t.tasks, "int", "件", "工数のある業務の数"),
        ("総キャパシティ", t.capacity, "hours", "時間/月", "各人の標準月間労働時間の合計"),
        (ja(terms.UTILIZATION), t.utilization, "rate", "", "総工数 ÷ 総キャパシティ"),
        (f"{ja(terms.DEPENDENT_TASKS)}数", d.dependent_tasks, "int", "件",
         "対応可能者が1人以下の業務。対応可能者 = 対応可能レベル3以上の人"
         "（その業務に能力の回答がなければ工数のある人）"),
        (ja(terms.DEPENDENCY_RATE_COUNT), d.rate_by_count, "rate", "",
         "属人化業務数 ÷ 分析した業務数"),
        (ja(terms.DEPENDENCY_RATE_HOURS), d.rate_by_hours, "rate", "",
         "属人化業務の工数 ÷ 総工数"),
        ("対応可能者のいない業務", len(d.nobody_capable_task_ids), "int", "件",
         "対応可能者が0人の業務"),
        (f"{ja(terms.BUS_FACTOR)}（組織）", bus_value, "int", "人",
         "同時に離脱すると組織の工数の50%超を対応できる人がいなくなる最少人数。" + bus_note),
        (ja(terms.OVER_QUALIFIED_HOURS), q.over_hours, "hours", "時間/月",
         "等級の想定より難易度の低い業務の工数"),
        (ja(terms.OVER_QUALIFIED_COST), q.over_cost, "yen", "円/月",
         "工数 × （本人の等級の単価 − その難易度を担う最も低い等級の単価）"),
        (ja(terms.UNDER_QUALIFIED_HOURS), q.under_hours, "hours", "時間/月",
         "等級の想定より難易度の高い業務の工数"),
        (ja(terms.UNDER_QUALIFIED_COST), q.under_cost, "yen", "円/月",
         "工数 × （その難易度を担う最も低い等級の単価 − 本人の等級の単価）"),
        (ja(terms.OVERLOADED_PEOPLE), sum(1 for p in result.people if p.overloaded), "int", "人",
         "稼働率（工数 ÷ 標準月間労働時間）が100%を超える人"),
        ("工数の変動係数", org_balance.cv if org_balance else None, "ratio", "",
         "一人あたり工数の標準偏差 ÷ 平均"),
        ("工数のジニ係数", org_balance.gini if org_balance else None, "ratio", "",
         "0 = 全員同じ工数、1に近いほど偏り"),
        ("最大÷平均", org_balance.max_over_mean if org_balance else None, "ratio", "",
         "最も工数の多い人の工数 ÷ 平均工数"),
    ]
    for flag, label in FLAGS.items():
        if flag in flags:
            kpis.append((f"{label}の工数", flags[flag].hours, "hours", "時間/月",
                         f"「{label}」の印が付いた業務の工数"))
    kpis.append(("ピーク月", f"{peak}月" if peak else "—", "text", "",
                 "月別の入力がある工数の合計が最も多い月"))
    top = 6
    book.table(ws, [Col("指標", width=22), Col("値", width=16), Col("単位", width=9),
                    Col("定義", "wrap", width=70)],
               [(k, v, u, definition) for k, v, _fmt, u, definition in kpis],
               top=top, autofilter=False)
    # The values column holds hours, yen and rates: rewrite each with its own format.
    for i, (_k, value, fmt, _u, _d) in enumerate(kpis, start=top + 1):
        if isinstance(value, int | float) and not isinstance(value, bool):
            ws.write_number(i, 1, value, book.fmt[fmt])


def _breakdowns(book: Book, result: AnalysisResult) -> None:
    specs = (("部門別工数", "部門", result.by_function, "column"),
             ("部署別工数", "部署", result.by_department, "bar"),
             ("等級別工数", "等級", result.by_grade, "column"))
    for name, key_title, rows, kind in specs:
        ws = book.sheet(name)
        cols = [Col(key_title), Col("工数（時間/月）", "hours"), Col("コスト（円/月）", "yen"),
                Col("人数", "int"), Col("業務数", "int"), Col("構成比", "rate")]
        n = book.table(ws, cols, ((b.label or "（なし）", b.hours, b.cost, b.people, b.tasks,
                                   b.share) for b in rows))
        if not n:
            continue
        first, last = _chart_rows(n)
        bar = kind == "bar"  # largest at the top
        chart = book.chart(kind, title=_top(f"{key_title}別の工数（時間/月）", n, ""),
                           y={"reverse": True} if bar else None, legend=False,
                           height=_bar_height(last - first + 1) if bar else 420)
        chart.add_series(_series(name, (0, 1), (0, first, last), (1, first, last),
                                 data_labels={"value": True, "num_format": "#,##0"}))
        ws.insert_chart(1, len(cols) + 1, chart)


def _people(book: Book, result: AnalysisResult) -> None:
    name = "個人別工数"
    ws = book.sheet(name)
    functions = [b.key for b in result.by_function]
    cols = [Col("社員番号"), Col("氏名"), Col("部署"), Col("等級"),
            Col("工数（時間/月）", "hours"), Col("業務数", "int"),
            *(Col(f, "hours") for f in functions)]
    n = book.table(ws, cols, (
        (p.employee_number, p.name, p.department, p.grade or "", p.load, p.tasks,
         *(p.by_function.get(f, 0.0) for f in functions))
        for p in result.people))
    if not n or not functions:
        return
    first, last = _chart_rows(n)
    chart = book.chart("bar", "stacked", title=_top("個人別の工数（部門別の内訳）", n, "人"),
                       y={"reverse": True}, width=820, height=_bar_height(last - first + 1))
    for j, _function in enumerate(functions, start=6):
        chart.add_series(_series(name, (0, j), (1, first, last), (j, first, last)))
    ws.insert_chart(1, len(cols) + 1, chart)


def _tasks(book: Book, result: AnalysisResult) -> None:
    name = "業務別工数"
    ws = book.sheet(name)
    cols = [Col("順位", "int"), Col("部門"), Col("大分類"), Col("中分類"), Col("業務"),
            Col("難易度", "int"), Col("工数（時間/月）", "hours"), Col("コスト（円/月）", "yen"),
            Col("担当人数", "int"), Col("対応可能者数", "int"), Col("属人化", "flag"),
            Col("構成比", "rate"), Col("累積構成比", "rate"), Col("リモート可", "flag"),
            Col("外注可", "flag"), Col("自動化可", "flag")]
    n = book.table(ws, cols, (
        (i, t.function, t.category, t.subcategory, t.name, t.difficulty, t.hours, t.cost,
         t.people, len(t.capable), t.person_dependent, t.share, t.cumulative_share,
         t.remote_ok, t.outsourceable, t.automatable)
        for i, t in enumerate(result.tasks, start=1)))
    if not n:
        return
    first, last = _chart_rows(n)
    chart = book.chart("column", title=_top("業務別の工数（パレート図）", n, "業務"),
                       x={"num_font": {"name": FONT, "size": 8, "rotation": -45}},
                       y={"name": "時間/月"}, width=960, height=520)
    chart.add_series(_series(name, (0, 6), (4, first, last), (6, first, last)))
    line = book.chart("line", title="")
    line.add_series(_series(name, (0, 12), (4, first, last), (12, first, last),
                            y2_axis=True, marker={"type": "circle", "size": 4}))
    line.set_y2_axis({"name": "累積構成比", "min": 0, "max": 1, "num_format": "0%",
                      "num_font": {"name": FONT, "size": 9}, "name_font": {"name": FONT}})
    chart.combine(line)
    ws.insert_chart(1, len(cols) + 1, chart)


def _heatmap(book: Book, result: AnalysisResult, people: Mapping[int, str],
             tasks: Mapping[int, str]) -> None:
    ws = book.sheet("ヒートマップ")
    h = result.heatmap
    ws.write_string(0, 0, f"工数の多い{len(h.person_ids)}人 × {len(h.task_ids)}業務"
                    "（時間/月）", book.bold)
    ws.write_string(1, 0, "氏名", book.header)
    for j, task_id in enumerate(h.task_ids, start=1):
        ws.write_string(1, j, tasks.get(task_id, str(task_id)), book.header)
    for i, (person_id, values) in enumerate(zip(h.person_ids, h.values, strict=False), start=2):
        ws.write_string(i, 0, people.get(person_id, str(person_id)))
        for j, value in enumerate(values, start=1):
            if value:
                ws.write_number(i, j, value, book.fmt["hours"])
    width = max((text_width(people.get(p, "")) for p in h.person_ids), default=8)
    ws.set_column(0, 0, min(width + 2, 30))
    ws.set_column(1, max(len(h.task_ids), 1), 9)
    ws.set_row(1, 96)
    ws.freeze_panes(2, 1)
    if h.person_ids and h.task_ids:
        ws.conditional_format(2, 1, 1 + len(h.person_ids), len(h.task_ids), {
            "type": "3_color_scale", "min_type": "num", "min_value": 0,
            "min_color": "#FFFFFF", "mid_color": "#FFD966",
            "max_color": "#E06666"})


def _dependency(book: Book, result: AnalysisResult, people: Mapping[int, str]) -> None:
    ws = book.sheet("属人化")
    d = result.dependency
    summary = [("分析した業務数", d.tasks, "int"), ("属人化業務数", d.dependent_tasks, "int"),
               (ja(terms.DEPENDENCY_RATE_COUNT), d.rate_by_count, "rate"),
               ("総工数", d.hours, "hours"), ("属人化業務の工数", d.dependent_hours, "hours"),
               (ja(terms.DEPENDENCY_RATE_HOURS), d.rate_by_hours, "rate")]
    for i, (label, value, fmt) in enumerate(summary):
        ws.write_string(i, 0, label, book.bold)
        ws.write_number(i, 1, value, book.fmt[fmt])
    by_id = {t.task_id: t for t in result.tasks}
    nobody = set(d.nobody_capable_task_ids)
    rows = []
    for task_id in d.dependent_task_ids:
        t = by_id.get(task_id)
        if t is None:
            continue
        rows.append((t.function, t.category, t.name, t.hours, t.cost, len(t.capable),
                     "、".join(people.get(p, str(p)) for p in t.capable) or "（なし）",
                     "調査回答" if t.capability_from_survey else "工数から推定",
                     task_id in nobody))
    top = len(summary) + 1
    book.table(ws, [Col("部門"), Col("大分類"), Col("業務"), Col("工数（時間/月）", "hours"),
                    Col("コスト（円/月）", "yen"), Col("対応可能者数", "int"), Col("対応可能者"),
                    Col("対応可能者の根拠"), Col("対応可能者なし", "flag")], rows, top=top)
    ws.set_column(0, 0, 22)


def _bus_factors(book: Book, result: AnalysisResult, people: Mapping[int, str]) -> None:
    ws = book.sheet("バス係数")
    ws.write_string(0, 0, "バス係数 = 同時に離脱するとその範囲の工数の50%超を対応できる人が"
                    "いなくなる最少人数", book.note)
    written = book.table(ws, [Col("範囲"), Col("名称"), Col("バス係数", "int"), Col("算出方法"),
                    Col("工数（時間/月）", "hours"), Col(ja(terms.HOURS_LEFT_UNCOVERED), "hours"),
                    Col("候補人数", "int"), Col("離脱する人", "wrap", width=60)], (
        (SCOPES[b.scope], b.label or "組織全体", b.value if b.value is not None else "—",
         ja(terms.BUS_FACTOR_METHODS[b.method]), b.hours, b.uncovered_hours, b.candidates,
         "、".join(people.get(p, str(p)) for p in b.removed))
        for b in result.bus_factors), top=1)
    # What 算出方法 means, under the table as on the print page.
    for i, (key, label) in enumerate(terms.BUS_FACTOR_METHODS.items()):
        ws.write_string(written + 3 + i, 0,
                        f"{ja(label)}: {ja(terms.BUS_FACTOR_METHOD_HELP[key])}", book.note)


def _retirement(book: Book, result: AnalysisResult, people: Mapping[int, str],
                tasks: Mapping[int, str]) -> None:
    name = "退職リスク"
    ws = book.sheet(name)
    rows = []
    for r in result.retirement:
        absorbers: dict[int, float] = {}
        for a in r.absorbed:
            absorbers[a.person_id] = absorbers.get(a.person_id, 0.0) + a.hours
        rows.append((
            r.name or people.get(r.person_id, str(r.person_id)), r.orphaned_hours,
            len(r.orphaned_task_ids), "、".join(tasks.get(t, str(t)) for t in r.orphaned_task_ids),
            "、".join(f"{people.get(p, str(p))}（{h:.1f}h）"
                     for p, h in sorted(absorbers.items(), key=lambda kv: -kv[1])) or "（なし）",
            r.orphaned_hours - r.unabsorbed_hours, r.unabsorbed_hours))
    cols = [Col("氏名"), Col(ja(terms.ORPHANED_HOURS), "hours", width=16),
            Col("業務数", "int"), Col("業務", "wrap", width=40),
            Col(f"{ja(terms.ABSORBED_BY)}（{ja(terms.ABSORBABLE_HOURS)}）", "wrap", width=40),
            Col(ja(terms.ABSORBABLE_HOURS), "hours"), Col(ja(terms.UNABSORBED_HOURS), "hours")]
    n = book.table(ws, cols, rows)
    if not n:
        return
    first, last = _chart_rows(n)
    # Absorbed + unabsorbed, stacked: together they are the orphaned hours.
    chart = book.chart("bar", "stacked",
                       title=_top(f"{ja(terms.ORPHANED_HOURS)}（時間/月）", n, "人"),
                       y={"reverse": True}, height=_bar_height(last - first + 1))
    chart.add_series(_series(name, (0, 5), (0, first, last), (5, first, last),
                             fill={"color": "#6AA84F"}))
    chart.add_series(_series(name, (0, 6), (0, first, last), (6, first, last),
                             fill={"color": "#CC4125"}))
    ws.insert_chart(1, len(cols) + 1, chart)


def _qualification(book: Book, result: AnalysisResult) -> None:
    name = "等級適正"
    ws = book.sheet(name)
    q = result.qualification
    rows: list[tuple[Any, ...]] = [(g.grade, g.over_hours, g.over_cost, g.under_hours,
                                    g.under_cost) for g in q.by_grade]
    cols = [Col("等級"), Col(f"{ja(terms.OVER_QUALIFIED_HOURS)}（時間/月）", "hours"),
            Col(f"{ja(terms.OVER_QUALIFIED_COST)}（円/月）", "yen"),
            Col(f"{ja(terms.UNDER_QUALIFIED_HOURS)}（時間/月）", "hours"),
            Col(f"{ja(terms.UNDER_QUALIFIED_COST)}（円/月）", "yen")]
    n = book.table(ws, cols, rows)
    total_row = n + 1
    ws.write_string(total_row, 0, "合計", book.bold)
    for j, (value, fmt) in enumerate(((q.over_hours, "hours"), (q.over_cost, "yen"),
                                      (q.under_hours, "hours"), (q.under_cost, "yen")), start=1):
        ws.write_number(total_row, j, value, book.fmt[fmt])
    ws.write_string(total_row + 2, 0, "判定できない工数（等級・難易度の未設定など）", book.note)
    ws.write_number(total_row + 2, 3, q.unknown_hours, book.fmt["hours"])
    ws.write_string(total_row + 3, 0, f"{ja(terms.OVER_QUALIFIED_HOURS)}: 等級の想定より易しい"
                    f"業務。{ja(terms.UNDER_QUALIFIED_HOURS)}: 等級の想定より難しい業務。"
                    "コストは工数 × 単価の差。", book.note)
    if not n:
        return
    chart = book.chart("column", title=f"等級別の{ja(terms.OVER_QUALIFIED_HOURS)}・"
                       f"{ja(terms.UNDER_QUALIFIED_HOURS)}（時間/月）")
    for j, color in ((1, "#F6B26B"), (3, "#6FA8DC")):
        chart.add_series(_series(name, (0, j), (0, 1, n), (j, 1, n), fill={"color": color}))
    ws.insert_chart(1, len(cols) + 1, chart)


def _balance(book: Book, result: AnalysisResult) -> None:
    name = "負荷"
    ws = book.sheet(name)
    cols = [Col("社員番号"), Col("氏名"), Col("部署"), Col("等級"),
            Col("標準時間（時間/月）", "hours"), Col("工数（時間/月）", "hours"),
            Col(ja(terms.UTILIZATION), "rate"), Col("過負荷", "flag")]
    ordered = sorted(result.people, key=lambda p: -p.utilization)
    n = book.table(ws, cols, ((p.employee_number, p.name, p.department, p.grade or "",
                               p.capacity, p.load, p.utilization, p.overloaded)
                              for p in ordered))
    left = len(cols) + 1
    ws.write_string(0, left, "負荷の偏り（範囲ごと）", book.bold)
    scope_cols = [Col("範囲"), Col("名称"), Col("人数", "int"), Col("平均工数", "hours"),
                  Col("変動係数", "ratio"), Col("ジニ係数", "ratio"), Col("最大÷平均", "ratio"),
                  Col(ja(terms.OVERLOADED_PEOPLE), "int")]
    m = book.table(ws, scope_cols, ((SCOPES[b.scope], b.label or "組織全体", b.people,
                                     b.mean_load, b.cv, b.gini, b.max_over_mean,
                                     len(b.overloaded_person_ids)) for b in result.balance),
                   top=1, left=left, freeze=False, autofilter=False)
    if not n:
        return
    first, last = _chart_rows(n)
    chart = book.chart("bar", title=_top("稼働率（100%超は過負荷）", n, "人"),
                       x={"num_format": "0%", "min": 0}, y={"reverse": True}, legend=False,
                       height=_bar_height(last - first + 1))
    chart.add_series(_series(name, (0, 6), (1, first, last), (6, first, last),
                             invert_if_negative=False,
                             points=[{"fill": {"color": "#CC4125" if p.overloaded
                                               else "#6FA8DC"}}
                                     for p in ordered[: last - first + 1]]))
    ws.insert_chart(m + 4, left, chart)


def _flags(book: Book, result: AnalysisResult) -> None:
    name = "外注・自動化"
    ws = book.sheet(name)
    by_id = {t.task_id: t for t in result.tasks}
    n = book.table(ws, [Col("区分"), Col("工数（時間/月）", "hours"), Col("コスト（円/月）", "yen"),
                        Col("構成比", "rate"), Col("業務数", "int")],
                   ((FLAGS[f.flag], f.hours, f.cost, f.share, len(f.task_ids))
                    for f in result.flags), freeze=False, autofilter=False)
    top = n + 3
    ws.write_string(top - 1, 0, "該当する業務（工数の多い順）", book.bold)
    rows = [(FLAGS[f.flag], rank, t.function, t.category, t.name, t.hours, t.cost)
            for f in result.flags
            for rank, t in enumerate((by_id[i] for i in f.task_ids if i in by_id), start=1)]
    book.table(ws, [Col("区分"), Col("順位", "int"), Col("部門"), Col("大分類"), Col("業務"),
                    Col("工数（時間/月）", "hours"), Col("コスト（円/月）", "yen")], rows, top=top)
    if n:
        chart = book.chart("column", title="区分別の工数（時間/月）", legend=False, width=520,
                           height=320)
        chart.add_series(_series(name, (0, 1), (0, 1, n), (1, 1, n),
                                 data_labels={"value": True, "num_format": "#,##0"}))
        ws.insert_chart(0, 8, chart)


def _seasonality(book: Book, result: AnalysisResult) -> None:
    name = "季節変動"
    ws = book.sheet(name)
    s = result.seasonality
    functions = [b.key for b in result.by_function
                 if any(m.by_function.get(b.key) for m in s.months)]
    cols = [Col("月"), Col("工数（時間）", "hours"), *(Col(f, "hours") for f in functions)]
    n = book.table(ws, cols, ((f"{m.month}月", m.hours,
                               *(m.by_function.get(f, 0.0) for f in functions))
                              for m in s.months), autofilter=False)
    note_row = n + 2
    if not n:
        ws.write_string(note_row, 0, "月別の工数の入力がないため、季節変動はありません。",
                        book.note)
        return
    ws.write_string(note_row, 0, f"月別の入力がある {s.entries:,} 件の合計（年度順、4月〜3月）。"
                    + (f"ピークは{s.peak_month}月。" if s.peak_month else ""), book.note)
    chart = book.chart("line", title="月別の工数（時間）")
    chart.add_series(_series(name, (0, 1), (0, 1, n), (1, 1, n),
                             line={"width": 2.5}, marker={"type": "circle", "size": 5}))
    for j, _function in enumerate(functions[:8], start=2):
        chart.add_series(_series(name, (0, j), (0, 1, n), (j, 1, n), line={"width": 1.25}))
    ws.insert_chart(1, len(cols) + 1, chart)

