"""Bulk handover (引継ぎ): the preview lists everything A holds, the execution does exactly that,
and the 引継書 is a page and an Excel file."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.org import services as org_services
from somu.procedures.engine.render import fill_placeholders
from somu.procedures.handover_excel import handover_workbook, markdown_plain
from somu.procedures.models import (
    EventKind,
    Handover,
    Run,
    Schedule,
    Step,
    StepEvent,
    StepState,
    Template,
)
from somu.procedures.services import handover as ho
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.procedures.services import templates as template_services
from somu.survey.models import Capability, SurveyRound, WorkHours
from somu.survey.models import Task as SurveyTask

TODAY = dt.date(2026, 3, 2)
EFFECTIVE = dt.date(2026, 4, 1)  # 4/1付 異動

MONTHLY: dict[str, Any] = {
    "somu": "procedure/1",
    "name": "月次処理",
    "description": "毎月の締め処理。**経理部**の手順書を参照。",
    "parameters": [{"key": "対象月", "type": "text"}],
    "steps": [
        {"key": "check", "name": "伝票チェック", "assignee": {"person": "A001"},
         "instructions": "{{対象月}}分の伝票を確認する。\n\n- 証憑と突合\n- [規程](https://example.com/rule)",
         "checklist": ["仕訳日付", "金額"], "due": {"offset": 0},
         "notes": "社内規程第5条"},
        {"key": "close", "name": "締め処理", "assignee": {"person": "A001"},
         "instructions": "{{対象月}}の締めを行う。", "depends_on": ["check"],
         "due": {"offset": 30, "unit": "calendar"}},
        {"key": "approve", "name": "承認", "kind": "approval", "assignee": {"person": "A003"},
         "depends_on": ["close"], "due": {"offset": 40, "unit": "calendar"}},
    ],
}


@dataclass
class Holdings:
    template: Template
    run_march: Run  # started 3/16: its first step is due before 4/1
    run_april: Run  # started 4/6: everything is due after 4/1
    schedule: Schedule
    other_template: Template  # owned by 佐藤, no rule naming 山田


def step(run: Run, key: str) -> Step:
    return Step.objects.get(run=run, key=key)


@pytest.fixture
def holdings(org_a, people_a) -> Holdings:  # type: ignore[no-untyped-def]
    """山田 (A001) holds: two runs' steps, two assignee rules, a template and a schedule."""
    with tenancy.activate(org_a):
        template = template_services.template_save(actor=None, template=None, spec=MONTHLY,
                                                   owner=people_a.yamada)
        other = template_services.template_save(
            actor=None, template=None, owner=people_a.sato, spec={
            "somu": "procedure/1", "name": "備品発注",
            "steps": [{"key": "order", "name": "発注", "assignee": {"person": "A003"}}]})
        march = run_services.run_launch(
            actor=None, template=template, params={"対象月": "2026年3月"},
            start_date=dt.date(2026, 3, 16), name="月次処理 3月")
        april = run_services.run_launch(
            actor=None, template=template, params={"対象月": "2026年4月"},
            start_date=dt.date(2026, 4, 6), name="月次処理 4月")
        schedule = Schedule.objects.create(
            template=template, name="月次処理（毎月第3営業日）",
            rule={"kind": "monthly_business_day", "n": 3}, owner=people_a.yamada)
    return Holdings(template, march, april, schedule, other)


def preview(org, people, effective: dt.date = EFFECTIVE, to=None) -> ho.HandoverPlan:  # type: ignore[no-untyped-def]
    with tenancy.activate(org):
        return ho.handover_preview(from_person=people.yamada, to_person=to or people.suzuki,
                                   effective_date=effective, today=TODAY)


def test_the_preview_lists_everything_a_holds(org_a, people_a, holdings) -> None:  # type: ignore[no-untyped-def]
    plan = preview(org_a, people_a)
    with tenancy.activate(org_a):
        steps = {(i.run_name, i.step_key): i for i in plan.items if i.kind == "step"}
        assert set(steps) == {("月次処理 3月", "check"), ("月次処理 3月", "close"),
                              ("月次処理 4月", "check"), ("月次処理 4月", "close")}
        # open steps (ready) and future steps (waiting) of running runs; not 佐藤's approval
        assert steps[("月次処理 3月", "check")].state == StepState.READY
        assert steps[("月次処理 3月", "close")].state == StepState.WAITING
        rules = [i for i in plan.items if i.kind == "template_rule"]
        assert {(i.template_name, i.step_key) for i in rules} == {("月次処理", "check"),
                                                                   ("月次処理", "close")}
        owners = [(i.kind, i.object_id) for i in plan.items if i.kind.endswith("_owner")]
        assert owners == [("template_owner", holdings.template.pk),
                          ("schedule_owner", holdings.schedule.pk)]
    # by due date, the undated (rules, ownership) last
    dates = [i.due_date for i in plan.items if i.due_date is not None]
    assert dates == sorted(dates)
    assert all(i.due_date is None for i in plan.items[len(dates):])
    assert plan.errors == [] and plan.can_execute


def test_the_preview_fills_the_instructions_with_the_runs_parameters(  # type: ignore[no-untyped-def]
        org_a, people_a, holdings) -> None:
    plan = preview(org_a, people_a)
    item = next(i for i in plan.items if i.run_name == "月次処理 3月" and i.step_key == "check")
    assert item.instructions.startswith("2026年3月分の伝票を確認する。")
    assert item.checklist == ("仕訳日付", "金額")
    assert item.notes == "社内規程第5条"
    owner = next(i for i in plan.items if i.kind == "template_owner")
    assert "経理部" in owner.instructions
    rule = next(i for i in plan.items if i.kind == "template_rule" and i.step_key == "check")
    assert rule.instructions.startswith("〈対象月〉分の伝票を確認する。")


def test_steps_due_before_a_future_effective_date_stay_with_a(  # type: ignore[no-untyped-def]
        org_a, people_a, holdings) -> None:
    plan = preview(org_a, people_a)
    staying = [(i.run_name, i.step_key) for i in plan.staying]
    assert staying == [("月次処理 3月", "check")]  # due 3/16, before 4/1
    assert all(i.due_date is None or i.due_date >= EFFECTIVE for i in plan.moving)


def test_from_the_effective_date_on_every_open_step_moves(org_a, people_a, holdings) -> None:  # type: ignore[no-untyped-def]
    plan = preview(org_a, people_a, effective=TODAY)
    assert plan.staying == []
    assert len([i for i in plan.moving if i.kind == "step"]) == 4
    past = preview(org_a, people_a, effective=TODAY - dt.timedelta(days=30))
    assert past.staying == [] and past.warnings


def test_a_preview_changes_nothing(org_a, people_a, holdings) -> None:  # type: ignore[no-untyped-def]
    with tenancy.activate(org_a):
        before = (AuditEvent.objects.count(), list(Step.objects.values_list("assignee_id",
                                                                            "revision")),
                  holdings.template.versions.count(), StepEvent.objects.count())
        preview(org_a, people_a)
        after = (AuditEvent.objects.count(), list(Step.objects.values_list("assignee_id",
                                                                           "revision")),
                 holdings.template.versions.count(), StepEvent.objects.count())
        assert before == after
        assert not Handover.objects.exists()


def test_the_execution_does_exactly_what_the_preview_listed(  # type: ignore[no-untyped-def]
        org_a, people_a, holdings, admin_a) -> None:
    plan = preview(org_a, people_a)
    with tenancy.activate(org_a):
        handover = ho.handover_execute(
            actor=admin_a, from_person=people_a.yamada, to_person=people_a.suzuki,
            effective_date=EFFECTIVE, note="4/1付 人事部へ異動", today=TODAY,
            expected_digest=plan.digest)
        executed = ho.handover_items(handover)
        assert [i.key for i in executed] == [i.key for i in plan.items]
        assert executed == plan.items
        assert handover.items == [i.as_json() for i in plan.items]

        march, april = holdings.run_march, holdings.run_april
        # the 残務 stays with 山田, the rest goes to 鈴木
        assert step(march, "check").assignee == people_a.yamada
        for run, key in ((march, "close"), (april, "check"), (april, "close")):
            moved = step(run, key)
            assert moved.assignee == people_a.suzuki
            assert moved.revision == 1
            event = StepEvent.objects.get(step=moved, kind=EventKind.HANDED_OVER)
            assert event.data["handover"] == handover.pk and event.comment == "4/1付 人事部へ異動"
        assert step(march, "approve").assignee == people_a.sato  # never A's
        holdings.template.refresh_from_db()
        holdings.schedule.refresh_from_db()
        holdings.other_template.refresh_from_db()
        assert holdings.template.owner == people_a.suzuki
        assert holdings.schedule.owner == people_a.suzuki
        assert holdings.other_template.owner == people_a.sato


def test_the_template_gets_a_new_version_and_running_runs_keep_the_old_one(  # type: ignore[no-untyped-def]
        org_a, people_a, holdings) -> None:
    with tenancy.activate(org_a):
        old_version = holdings.template.current_version
        ho.handover_execute(actor=None, from_person=people_a.yamada, to_person=people_a.suzuki,
                            effective_date=EFFECTIVE, today=TODAY)
        holdings.template.refresh_from_db()
        new_version = holdings.template.current_version
        assert new_version.number == old_version.number + 1
        assert "鈴木 花子" in new_version.note and "山田 太郎" in new_version.note
        rules = {s["key"]: s.get("assignee") for s in new_version.spec["steps"]}
        assert rules["check"] == {"person": "A002"} and rules["close"] == {"person": "A002"}
        assert rules["approve"] == {"person": "A003"}
        holdings.run_march.refresh_from_db()
        assert holdings.run_march.version == old_version
        # a run launched now goes to 鈴木 from the start
        run = run_services.run_launch(
            actor=None, template=holdings.template,
            params={"対象月": "2026年5月"}, start_date=dt.date(2026, 5, 7))
        assert step(run, "check").assignee == people_a.suzuki


def test_every_changed_object_is_in_the_audit_log(org_a, people_a, holdings, admin_a) -> None:  # type: ignore[no-untyped-def]
    with tenancy.activate(org_a):
        handover = ho.handover_execute(actor=admin_a, from_person=people_a.yamada,
                                       to_person=people_a.suzuki, effective_date=EFFECTIVE,
                                       today=TODAY)
        moved = Step.objects.filter(assignee=people_a.suzuki)
        stepped = AuditEvent.objects.filter(action="procedure_step.hand_over")
        assert sorted(int(e.object_id) for e in stepped) == sorted(s.pk for s in moved)
        assert all(e.actor_label == "admin_a" for e in stepped)
        assert AuditEvent.objects.filter(action="procedure_template.hand_over",
                                         object_id=str(holdings.template.pk)).exists()
        assert AuditEvent.objects.filter(action="procedure_schedule.hand_over",
                                         object_id=str(holdings.schedule.pk)).exists()
        assert AuditEvent.objects.filter(action="procedure_template.update",
                                         object_id=str(holdings.template.pk)).exists()
        event = AuditEvent.objects.get(action="procedure_handover.execute")
        assert event.object_id == str(handover.pk)


def test_a_plan_that_changed_since_the_preview_is_not_executed(  # type: ignore[no-untyped-def]
        org_a, people_a, holdings) -> None:
    plan = preview(org_a, people_a)
    with tenancy.activate(org_a):
        step_services.step_complete(actor=None, step=step(holdings.run_april, "check"),
                                    checklist_done=[0, 1])
        with pytest.raises(ho.HandoverChanged) as caught:
            ho.handover_execute(actor=None, from_person=people_a.yamada,
                                to_person=people_a.suzuki, effective_date=EFFECTIVE,
                                today=TODAY, expected_digest=plan.digest)
        assert caught.value.plan.digest != plan.digest
        assert "check" not in {i.step_key for i in caught.value.plan.items
                               if i.run_id == holdings.run_april.pk}
        assert not Handover.objects.exists()
        assert step(holdings.run_april, "close").assignee == people_a.yamada


def test_a_retired_successor_or_the_same_person_is_refused(org_a, people_a, holdings) -> None:  # type: ignore[no-untyped-def]
    with tenancy.activate(org_a):
        org_services.person_retire(actor=None, person=people_a.tanaka,
                                   retired_on=dt.date(2026, 2, 28))
    plan = preview(org_a, people_a, to=people_a.tanaka)
    assert plan.errors and not plan.can_execute
    with tenancy.activate(org_a), pytest.raises(ValidationError):
        ho.handover_execute(actor=None, from_person=people_a.yamada, to_person=people_a.tanaka,
                            effective_date=EFFECTIVE, today=TODAY)
    same = preview(org_a, people_a, to=people_a.yamada)
    assert same.errors
    with tenancy.activate(org_a):
        assert not Handover.objects.exists()


def test_someone_who_holds_nothing_cannot_hand_over(org_a, people_a, holdings) -> None:  # type: ignore[no-untyped-def]
    with tenancy.activate(org_a):
        plan = ho.handover_preview(from_person=people_a.tanaka, to_person=people_a.suzuki,
                                   effective_date=EFFECTIVE, today=TODAY)
        assert plan.items == [] and not plan.can_execute
        with pytest.raises(ValidationError):
            ho.handover_execute(actor=None, from_person=people_a.tanaka,
                                to_person=people_a.suzuki, effective_date=EFFECTIVE, today=TODAY)


# ---- the 引継書 -------------------------------------------------------------------------------


def executed(org, people) -> Handover:  # type: ignore[no-untyped-def]
    with tenancy.activate(org):
        return ho.handover_execute(actor=None, from_person=people.yamada,
                                   to_person=people.suzuki, effective_date=EFFECTIVE,
                                   note="4/1付 人事部へ異動", today=TODAY)


def test_the_workbook_lists_every_item_with_its_manual(org_a, people_a, holdings) -> None:  # type: ignore[no-untyped-def]
    handover = executed(org_a, people_a)
    with tenancy.activate(org_a):
        content = handover_workbook(handover)
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["引継書"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "引継書"
    facts = {r[0]: r[1] for r in rows[1:8] if r[0]}
    assert facts["前任者"].startswith("山田 太郎")
    assert facts["後任者"].startswith("鈴木 花子")
    assert facts["効力発生日"].startswith("2026年4月1日")
    header = next(i for i, r in enumerate(rows) if r[0] == "区分")
    assert rows[header] == ["区分", "手順（実行）", "ステップ", "状態", "期限", "手順書", "備考"]
    body = rows[header + 1:]
    assert len(body) == len(handover.items)
    first = body[0]
    assert first[1] == "月次処理 3月" and first[2] == "伝票チェック"
    assert first[4] == dt.datetime(2026, 3, 16)
    assert first[5].startswith("2026年3月分の伝票を確認する。")
    assert "・証憑と突合" in first[5] and "□ 仕訳日付" in first[5]
    assert "規程（https://example.com/rule）" in first[5]
    assert "社内規程第5条" in first[6]
    # printed on A4 landscape with the header repeated on every page
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize in (9, "9")
    assert sheet.print_title_rows == f"${header + 1}:${header + 1}"
    assert sheet.freeze_panes == f"A{header + 2}"


def test_markdown_reads_as_plain_text() -> None:
    text = "## 手順\n\n1. **必ず**確認\n2. 次に\n\n- [マニュアル](https://example.com)\n- `code`"
    assert markdown_plain(text) == ("手順\n\n1. 必ず確認\n2. 次に\n\n"
                                    "・マニュアル（https://example.com）\n・code")


def test_escaped_parameter_values_read_as_they_were_typed() -> None:
    # Values are escaped so that they cannot form Markdown; the printed manual must not show
    # the backslashes (it once read 「\\-5点」).
    text = fill_placeholders("評価は {{ 評価 }} です。", {"評価": "-5点 (*注*) [a](b) #1"})
    assert "\\" in text
    assert markdown_plain(text) == "評価は -5点 (*注*) [a](b) #1 です。"


def test_nested_lists_tables_and_rules_read_as_a_printed_manual() -> None:
    text = ("- 準備\n  - 印鑑\n  - 書類\n- 提出\n\n| 書類 | 部数 |\n|---|---|\n| 申請書 | 2 |\n\n"
            "---\n\n<b>太字</b>")
    assert markdown_plain(text) == ("・準備\n　・印鑑\n　・書類\n・提出\n\n"
                                    "書類 | 部数\n申請書 | 2\n\n――――――――――\n\n<b>太字</b>")


def test_the_workbook_lists_the_predecessors_surveyed_work(org_a, people_a, holdings) -> None:  # type: ignore[no-untyped-def]
    with tenancy.activate(org_a):
        survey_round = SurveyRound.objects.create(name="2026年度 業務調査")
        old_round = SurveyRound.objects.create(name="2025年度 業務調査")
        SurveyRound.objects.filter(pk=old_round.pk).update(
            created_at=survey_round.created_at - dt.timedelta(days=365))
        invoice, close, petty = (
            SurveyTask.objects.create(function="経理財務", category="債権管理",
                                      subcategory="請求", name="請求書発行"),
            SurveyTask.objects.create(function="経理財務", category="決算", name="月次決算"),
            SurveyTask.objects.create(function="総務", category="庶務", name="小口現金管理"))
        y, s, t, k = people_a.yamada, people_a.suzuki, people_a.sato, people_a.tanaka
        for person, task, hours in ((y, invoice, 12), (y, close, 30), (y, petty, 4),
                                    (k, petty, 2), (t, invoice, 1)):
            WorkHours.objects.create(round=survey_round, person=person, task=task, hours=hours)
        WorkHours.objects.create(round=old_round, person=y, task=petty, hours=99)
        for person, task, level in ((y, invoice, 4), (s, invoice, 3), (t, invoice, 2),
                                    (y, close, 4)):
            Capability.objects.create(round=survey_round, person=person, task=task, level=level)
    handover = executed(org_a, people_a)
    with tenancy.activate(org_a):
        content = handover_workbook(handover)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["引継書", "担当業務"]
    facts = {r[0]: r[1] for r in book["引継書"].iter_rows(min_row=2, max_row=10,
                                                          values_only=True) if r[0]}
    assert facts["担当業務"] == (
        "3 業務・月 46.0 時間（「2026年度 業務調査」の調査より。シート「担当業務」）")
    sheet = book["担当業務"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "山田 太郎 さんの担当業務"
    assert rows[3] == ["部門", "大分類", "中分類", "業務", "月間工数（時間）", "対応できる他の人"]
    assert rows[4:7] == [
        # nobody else is rated 3 or more: the dependency the successor inherits
        ["経理財務", "決算", None, "月次決算", 30, "なし（属人化）"],
        # 鈴木 at level 3 can, 佐藤 at 2 cannot
        ["経理財務", "債権管理", "請求", "請求書発行", 12, "鈴木 花子"],
        # nobody rated it: whoever reported hours on it
        ["総務", "庶務", None, "小口現金管理", 4, "田中 美咲"],
    ]
    assert rows[7][3:5] == ["合計", 46]
    assert sheet["E5"].number_format == "#,##0.0"


# ---- pages ------------------------------------------------------------------------------------


NEW = reverse("procedures:handover_new")


def body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def form_data(people, **changes: object) -> dict[str, object]:  # type: ignore[no-untyped-def]
    data = {"from_person": people.yamada.pk, "to_person": people.suzuki.pk,
            "effective_date": EFFECTIVE.isoformat(), "note": "4/1付 人事部へ異動"}
    data.update(changes)
    return data


@pytest.fixture
def admin(client_as, admin_a, org_a):  # type: ignore[no-untyped-def]
    return client_as(admin_a, org_a)


def test_the_preview_page_shows_the_plan_without_executing(  # type: ignore[no-untyped-def]
        admin, org_a, people_a, holdings, tr) -> None:
    response = admin.post(NEW, form_data(people_a))
    assert response.status_code == 200
    page = body(response)
    for text in ("伝票チェック", "締め処理", "月次処理 3月", "月次処理（毎月第3営業日）"):
        assert escape(text) in page
    assert 'name="digest"' in page and 'name="confirm"' in page
    with tenancy.activate(org_a):
        assert not Handover.objects.exists()
        assert step(holdings.run_april, "check").assignee == people_a.yamada


def test_executing_from_the_page_leads_to_the_handover_document(  # type: ignore[no-untyped-def]
        admin, org_a, people_a, holdings, tr) -> None:
    preview_page = body(admin.post(NEW, form_data(people_a)))
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', preview_page).group(1)  # type: ignore[union-attr]
    response = admin.post(NEW, form_data(people_a, confirm="1", digest=digest))
    with tenancy.activate(org_a):
        handover = Handover.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("procedures:handover_detail", args=[handover.pk])

    page = admin.get(response["Location"])
    assert page.status_code == 200
    text = body(page)
    assert "2026年3月分の伝票を確認する。" in text  # the manual, parameters filled in
    assert escape("4/1付 人事部へ異動") in text
    assert "<li>仕訳日付</li>" in text
    assert "@media print" not in text  # print styles live in the stylesheet
    assert escape("山田 太郎") in text and escape("鈴木 花子") in text

    listing = admin.get(reverse("procedures:handover_list"))
    assert reverse("procedures:handover_detail", args=[handover.pk]) in body(listing)

    xlsx = admin.get(reverse("procedures:handover_xlsx", args=[handover.pk]))
    assert xlsx.status_code == 200
    disposition = xlsx["Content-Disposition"]
    assert f'filename="handover-{handover.pk}-2026-04-01.xlsx"' in disposition
    assert "filename*=UTF-8''%E5%BC%95%E7%B6%99%E6%9B%B8_" in disposition  # 引継書_
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["引継書"]


def test_a_stale_preview_shows_the_new_plan_instead_of_executing(  # type: ignore[no-untyped-def]
        admin, org_a, people_a, holdings) -> None:
    preview_page = body(admin.post(NEW, form_data(people_a)))
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', preview_page).group(1)  # type: ignore[union-attr]
    with tenancy.activate(org_a):
        step_services.step_complete(actor=None, step=step(holdings.run_april, "check"),
                                    checklist_done=[0, 1])
    response = admin.post(NEW, form_data(people_a, confirm="1", digest=digest))
    assert response.status_code == 200
    assert response.context["changed"] is True
    assert response.context["plan"].digest != digest
    with tenancy.activate(org_a):
        assert not Handover.objects.exists()


def test_the_page_refuses_a_retired_successor(admin, org_a, people_a, holdings, tr) -> None:  # type: ignore[no-untyped-def]
    with tenancy.activate(org_a):
        org_services.person_retire(actor=None, person=people_a.tanaka,
                                   retired_on=dt.date(2026, 2, 28))
    response = admin.post(NEW, form_data(people_a, to_person=people_a.tanaka.pk))
    assert escape(tr("%(name)s has retired: choose an active successor.",
                     name="田中 美咲")) in body(response)
    assert 'name="confirm"' not in body(response)


def test_the_same_person_on_both_sides_is_a_form_error(admin, people_a, holdings, tr) -> None:  # type: ignore[no-untyped-def]
    response = admin.post(NEW, form_data(people_a, to_person=people_a.yamada.pk))
    assert escape(tr("Choose someone other than the predecessor.")) in body(response)


def test_another_organizations_person_is_not_a_choice(  # type: ignore[no-untyped-def]
        admin, org_a, people_a, people_b, holdings) -> None:
    response = admin.post(NEW, form_data(people_a, to_person=people_b.kimura.pk, confirm="1",
                                         digest="x"))
    assert response.status_code == 200
    assert response.context["form"].errors["to_person"]
    with tenancy.activate(org_a):
        assert not Handover.objects.exists()


def test_another_organizations_handover_is_not_found(  # type: ignore[no-untyped-def]
        client_as, admin_b, org_b, org_a, people_a, holdings) -> None:
    handover = executed(org_a, people_a)
    client = client_as(admin_b, org_b)
    assert client.get(reverse("procedures:handover_detail", args=[handover.pk])).status_code == 404
    assert client.get(reverse("procedures:handover_xlsx", args=[handover.pk])).status_code == 404
    assert "山田" not in body(client.get(reverse("procedures:handover_list")))


@pytest.mark.parametrize("user", ["staff_a", "manager_a", "employee_a"])
def test_only_admins_hand_over(request, client_as, org_a, people_a, holdings, user) -> None:  # type: ignore[no-untyped-def]
    handover = executed(org_a, people_a)
    client = client_as(request.getfixturevalue(user), org_a)
    assert client.get(reverse("procedures:handover_list")).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(people_a, confirm="1", digest="x")).status_code == 403
    assert client.get(reverse("procedures:handover_detail", args=[handover.pk])).status_code == 403
    assert client.get(reverse("procedures:handover_xlsx", args=[handover.pk])).status_code == 403


def test_an_auditor_reads_executed_handovers_but_cannot_hand_over(  # type: ignore[no-untyped-def]
        client_as, auditor_a, org_a, people_a, holdings, tr) -> None:
    handover = executed(org_a, people_a)
    client = client_as(auditor_a, org_a)
    listing = body(client.get(reverse("procedures:handover_list")))
    assert reverse("procedures:handover_detail", args=[handover.pk]) in listing
    assert NEW not in listing  # no 「新規引継ぎ」 button for a reader
    assert tr("Handover") in body(client.get(reverse("home")))  # the nav leads there
    detail = client.get(reverse("procedures:handover_detail", args=[handover.pk]))
    assert detail.status_code == 200 and "山田" in body(detail)
    assert client.get(reverse("procedures:handover_xlsx", args=[handover.pk])).status_code == 200
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(people_a, confirm="1", digest="x")).status_code == 403


# ---- concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_handover_waits_for_a_completion_in_progress_and_hands_over_what_is_left(  # type: ignore[no-untyped-def]
        org_a, people_a, holdings) -> None:
    import threading

    from django.db import close_old_connections, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serializes write transactions")
    locked, release = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def run(name: str, work: Any) -> threading.Thread:
        def target() -> None:
            try:
                with tenancy.activate(org_a):
                    results[name] = work()
            except Exception as exc:
                results[name] = exc
            finally:
                close_old_connections()
                connection.close()
        return threading.Thread(target=target)

    def slow_complete() -> Any:
        with transaction.atomic():
            done = step_services.step_complete(actor=None, step=step(holdings.run_april, "check"),
                                               checklist_done=[0, 1])
            locked.set()
            release.wait(10)
            return done

    def hand_over() -> Any:
        return ho.handover_execute(actor=None, from_person=people_a.yamada,
                                   to_person=people_a.suzuki, effective_date=EFFECTIVE,
                                   today=TODAY)

    first = run("complete", slow_complete)
    first.start()
    assert locked.wait(10)
    second = run("handover", hand_over)
    second.start()
    second.join(1)
    assert second.is_alive(), "the handover did not wait for the completion's locks"
    release.set()
    first.join(10)
    second.join(20)
    assert isinstance(results["complete"], Step), results
    handover = results["handover"]
    assert isinstance(handover, Handover), results
    with tenancy.activate(org_a):
        keys = {(i["run_id"], i["step_key"]) for i in handover.items if i["kind"] == "step"}
        assert (holdings.run_april.pk, "check") not in keys  # completed before the handover
        assert (holdings.run_april.pk, "close") in keys  # became ready, then moved
        assert step(holdings.run_april, "check").assignee == people_a.yamada
        assert step(holdings.run_april, "close").assignee == people_a.suzuki


# ---- what a handover cannot move, and the effective date ---------------------------------------


STAFF_RULES: dict[str, Any] = {
    "somu": "procedure/1", "name": "入社手続き",
    "steps": [
        {"key": "account", "name": "アカウント発行", "assignee": {"role": "staff"}},
        {"key": "pc", "name": "PC準備", "assignee": {"role": "staff"}},
        {"key": "payroll", "name": "給与登録",
         "assignee": {"role": "staff", "department": "人事部"}},
        {"key": "welcome", "name": "歓迎会", "assignee": {"role": "manager"}},
    ],
}


@pytest.fixture
def staff_yamada(make_user, org_a, people_a, holdings):  # type: ignore[no-untyped-def]
    """山田's account is 管理部門スタッフ, which 入社手続き's steps are assigned by."""
    from somu.core.permissions import Role

    with tenancy.activate(org_a):
        template = template_services.template_save(actor=None, template=None, spec=STAFF_RULES)
    make_user("yamada", org_a, Role.STAFF, person=people_a.yamada)
    return template


def test_the_preview_lists_the_roles_of_a_s_account_that_templates_use(  # type: ignore[no-untyped-def]
        org_a, people_a, staff_yamada, tr) -> None:
    plan = preview(org_a, people_a)
    # 給与登録 picks staff in 人事部 only: 山田 (総務部) is not a candidate there.
    assert [(u.role_label, u.template_name, u.steps) for u in plan.roles_kept] == [
        (tr("Back-office staff"), "入社手続き", ("アカウント発行", "PC準備"))]
    assert tr("%(name)s's account keeps the role %(roles)s: the handover does not move roles, "
              "so template steps assigned by that role can still go to %(name)s. Change the "
              "role in Accounts and roles.", name="山田 太郎",
              roles=tr("Back-office staff")) in plan.warnings
    assert plan.can_execute  # a warning, not a blocker


def test_the_preview_and_the_handover_document_link_to_the_roles_page(  # type: ignore[no-untyped-def]
        admin, client_as, auditor_a, org_a, people_a, staff_yamada, tr) -> None:
    page = body(admin.post(NEW, form_data(people_a)))
    link = f'<a href="{reverse("org:member_list")}">{tr("Change the role in Accounts and roles")}'
    assert link in page
    assert escape("アカウント発行、PC準備") in page
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    done = admin.post(NEW, form_data(people_a, confirm="1", digest=digest))
    document = body(admin.get(done["Location"]))
    assert link in document and escape("入社手続き") in document
    # An auditor reads the same notice, without the link to a page they may not open.
    auditor = client_as(auditor_a, org_a).get(done["Location"])
    assert escape("アカウント発行、PC準備") in body(auditor)
    assert reverse("org:member_list") not in body(auditor)
    # Once the role is changed, the 引継書 stops warning.
    with tenancy.activate(org_a):
        from somu.org.models import Membership

        Membership.objects.filter(person=people_a.yamada).update(is_active=False)
    assert link not in body(admin.get(done["Location"]))


def test_the_workbook_lists_the_roles_the_handover_does_not_move(  # type: ignore[no-untyped-def]
        org_a, people_a, staff_yamada) -> None:
    handover = executed(org_a, people_a)
    with tenancy.activate(org_a):
        book = openpyxl.load_workbook(io.BytesIO(handover_workbook(handover)))
    assert book.sheetnames == ["引継書", "移らないもの"]
    facts = {r[0]: r[1] for r in book["引継書"].iter_rows(min_row=2, max_row=10,
                                                          values_only=True) if r[0]}
    assert facts["移らないもの"] == (
        "アカウントのロール（管理部門スタッフ）。引継ぎでは移りません（シート「移らないもの」）")
    sheet = book["移らないもの"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "山田 太郎 さんのアカウントのロール（引継ぎでは移りません）"
    assert "「アカウントとロール」でロールを変更してください。" in rows[1][0]
    assert rows[3] == ["ロール", "対象部門", "手順テンプレート", "このロールで割り当てるステップ"]
    # 給与登録 picks staff in 人事部 only: 山田 (総務部) is not a candidate there.
    assert rows[4:] == [["管理部門スタッフ", "組織全体", "入社手続き", "アカウント発行、PC準備"]]


def test_the_workbook_has_no_roles_sheet_once_the_role_is_changed(  # type: ignore[no-untyped-def]
        org_a, people_a, staff_yamada) -> None:
    handover = executed(org_a, people_a)
    with tenancy.activate(org_a):
        from somu.org.models import Membership

        Membership.objects.filter(person=people_a.yamada).update(is_active=False)
        book = openpyxl.load_workbook(io.BytesIO(handover_workbook(handover)))
    assert book.sheetnames == ["引継書"]
    assert "移らないもの" not in [r[0] for r in book["引継書"].iter_rows(values_only=True)]


def test_someone_without_an_account_keeps_no_role(org_a, people_a, holdings) -> None:  # type: ignore[no-untyped-def]
    plan = preview(org_a, people_a)
    assert plan.roles_kept == []


def test_the_form_says_what_moves_and_what_does_not(admin, tr) -> None:  # type: ignore[no-untyped-def]
    page = body(admin.get(NEW))
    assert escape(tr(
        "Moves to the successor: open steps of running runs, assignee rules in templates that "
        "name the predecessor, and the templates and schedules they own. Does not move: the "
        "roles of the predecessor's account — template steps assigned by a role (for example "
        "管理部門スタッフ) keep going to them until you change the role in Accounts and roles; "
        "the preview lists them. Nothing changes until you execute the previewed plan.")) in page
    assert escape(tr(
        "If this day is later than today, open steps due before it stay with the predecessor, "
        "who completes them before the move, and the others move now. From this day on, every "
        "open step moves, overdue ones included.")) in page


def test_an_overdue_step_moves_when_the_handover_is_effective_today(  # type: ignore[no-untyped-def]
        org_a, people_a, holdings, tr) -> None:
    # 3月 check is due 3/16; effective (and today) 4/1: 山田 is gone, so 鈴木 takes it.
    with tenancy.activate(org_a):
        plan = ho.handover_preview(from_person=people_a.yamada, to_person=people_a.suzuki,
                                   effective_date=EFFECTIVE, today=EFFECTIVE)
    overdue = next(i for i in plan.items if i.run_name == "月次処理 3月" and i.step_key == "check")
    assert overdue.due_date is not None and overdue.due_date < EFFECTIVE
    assert overdue.moves
    assert tr("The handover is effective today or earlier: every open step moves now, overdue "
              "ones included.") in plan.warnings
