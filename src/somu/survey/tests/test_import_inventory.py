"""The work inventory as Excel: export, import by task path, round trip, bad files."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.tabular import ImportFailed
from somu.org.models import Organization, Skill
from somu.survey.importing_inventory import TaskImportResult, task_export_xlsx, task_import
from somu.survey.models import Task, TaskStatus

HEADER = ["部門", "大分類", "中分類", "業務名", "説明", "頻度", "難易度", "対象", "リモート可否",
          "外注可否", "自動化可否", "必要スキル", "備考", "状態"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def inventory_a(org_a: Organization, people_a) -> list[Task]:
    with tenancy.activate(org_a):
        return [
            Task.objects.create(
                function="経理財務", category="債権管理", subcategory="請求", name="請求書発行",
                description="得意先ごとに請求書を作成して送付する。", frequency="monthly",
                difficulty=2, scope="external", remote_ok=True, outsourceable=True,
                automatable=True, required_skill=people_a.excel, notes="月末締め"),
            Task.objects.create(function="総務", category="庶務", subcategory="", name="備品管理"),
            Task.objects.create(function="法務", category="契約", subcategory="審査",
                                name="契約書審査", status=TaskStatus.ARCHIVED, difficulty=5),
        ]


def xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(org: Organization, data: bytes, actor=None) -> TaskImportResult:
    with tenancy.activate(org):
        return task_import(actor=actor, source=data, filename="業務一覧.xlsx")


def tasks(org: Organization) -> list[tuple]:
    with tenancy.activate(org):
        return sorted(Task.objects.values_list(
            "pk", "function", "category", "subcategory", "name", "description", "frequency",
            "difficulty", "scope", "remote_ok", "outsourceable", "automatable",
            "required_skill__name", "notes", "status", "sort_order", "updated_at"))


def task(org: Organization, name: str) -> Task:
    with tenancy.activate(org):
        return Task.objects.select_related("required_skill").get(name=name)


def rejected(org: Organization, data: bytes) -> list[tuple]:
    with tenancy.activate(org):
        before = (tasks(org), Skill.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ImportFailed) as caught:
        run(org, data)
    with tenancy.activate(org):
        assert (tasks(org), Skill.objects.count(), AuditEvent.objects.count()) == before
    return [(e.row, e.column, e.value, e.reason) for e in caught.value.errors]


def exported(org: Organization) -> bytes:
    with tenancy.activate(org):
        return task_export_xlsx()


# ---- export --------------------------------------------------------------------------------------


def test_the_export_lists_every_task_with_japanese_labels(org_a, inventory_a):
    sheet = load_workbook(io.BytesIO(exported(org_a)))["業務一覧"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    # Functions in their usual order: 総務, 人事労務, 経理財務, 法務, …
    assert rows[1][:4] == ["総務", "庶務", None, "備品管理"]
    assert rows[1][5:] == [None, None, None, "×", "×", "×", None, None, "使用中"]
    assert rows[2] == ["経理財務", "債権管理", "請求", "請求書発行",
                       "得意先ごとに請求書を作成して送付する。", "毎月", 2, "社外", "○", "○", "○",
                       "Excel", "月末締め", "使用中"]
    assert rows[3][3:] == ["契約書審査", None, None, 5, None, "×", "×", "×", None, None,
                           "アーカイブ"]
    assert len(rows) == 4


def test_export_then_import_changes_nothing(org_a, inventory_a):
    before = tasks(org_a)
    result = run(org_a, exported(org_a))
    assert result == TaskImportResult(rows=3, created=0, updated=0, unchanged=3,
                                      skills_created=0)
    assert tasks(org_a) == before


def test_the_export_of_another_organization_holds_only_its_tasks(org_a, inventory_a, org_b):
    with tenancy.activate(org_b):
        Task.objects.create(function="総務", category="庶務", name="Bの業務")
    sheet = load_workbook(io.BytesIO(exported(org_b))).worksheets[0]
    assert [r[3] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["Bの業務"]


# ---- import --------------------------------------------------------------------------------------


def test_it_adds_tasks_with_every_column_and_creates_missing_skills(org_a, inventory_a):
    result = run(org_a, xlsx([
        ["情報システム", "端末管理", "PC", "PCキッティング", "新入社員のPCを準備する。", "随時", 2,
         "社内", "可", "はい", "No", "Windows管理", "4月に集中", "提案中"],
        ["人事労務", "給与", "", "給与計算", None, "月次", None, "両方", None, None, None,
         "excel", None, None],
    ]))
    assert result == TaskImportResult(rows=2, created=2, updated=0, unchanged=0,
                                      skills_created=1)
    pc = task(org_a, "PCキッティング")
    assert (pc.function, pc.category, pc.subcategory, pc.description, pc.frequency,
            pc.difficulty, pc.scope, pc.remote_ok, pc.outsourceable, pc.automatable,
            pc.required_skill.name, pc.notes, pc.status) == (
        "情報システム", "端末管理", "PC", "新入社員のPCを準備する。", "ad_hoc", 2, "internal",
        True, True, False, "Windows管理", "4月に集中", TaskStatus.PROPOSED)
    payroll = task(org_a, "給与計算")
    assert (payroll.frequency, payroll.scope, payroll.status) == (
        "monthly", "both", TaskStatus.ACTIVE)
    assert payroll.required_skill.name == "Excel"  # an existing skill, whatever the case


def test_it_updates_a_task_by_path_and_empty_cells_keep_values(org_a, inventory_a):
    result = run(org_a, xlsx([["経理財務", "債権管理", "請求", "請求書発行", None, "毎週", None,
                               None, "×", None, None, None, None, None]]))
    assert (result.updated, result.unchanged) == (1, 0)
    invoice = task(org_a, "請求書発行")
    assert (invoice.frequency, invoice.remote_ok) == ("weekly", False)
    assert (invoice.description, invoice.difficulty, invoice.required_skill.name,
            invoice.notes) == ("得意先ごとに請求書を作成して送付する。", 2, "Excel", "月末締め")


def test_paths_match_whatever_the_width_spaces_or_case(org_a, inventory_a):
    result = run(org_a, xlsx([["経理財務 ", "債権管理", "請求", "請求書発行", None, None, 3]],
                             header=HEADER[:7]))
    assert (result.created, result.updated) == (0, 1)
    assert task(org_a, "請求書発行").difficulty == 3


def test_a_dash_clears_optional_fields(org_a, inventory_a):
    run(org_a, xlsx([["経理財務", "債権管理", "請求", "請求書発行", "-", "-", "-", "-", None,
                      None, None, "-", "-", None]]))
    invoice = task(org_a, "請求書発行")
    assert (invoice.description, invoice.frequency, invoice.difficulty, invoice.scope,
            invoice.required_skill, invoice.notes) == ("", "", None, "", None, "")


def test_each_change_is_audited_with_a_summary(org_a, inventory_a, admin_a):
    run(org_a, xlsx([["経理財務", "債権管理", "請求", "請求書発行", None, None, 4],
                     ["総務", "庶務", "", "新しい業務", None, None, None]], header=HEADER[:7]),
        actor=admin_a)
    with tenancy.activate(org_a):
        events = list(AuditEvent.objects.filter(actor_label="admin_a").order_by("seq"))
    assert [e.action for e in events] == [
        "survey_task.create", "survey_task.update", "survey_task.import"]
    assert events[1].changes == {"difficulty": [2, 4]}
    assert events[2].object_repr == "業務一覧.xlsx"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_it_imports_csv_in_every_encoding(org_a, inventory_a, encoding):
    data = ("部門,大分類,中分類,業務名,頻度\r\n総務,庶務,郵便,郵便物の受発送,毎日\r\n"
            ).encode(encoding)
    assert run(org_a, data).created == 1
    assert task(org_a, "郵便物の受発送").frequency == "daily"


def test_skills_of_another_organization_are_not_reused(org_a, inventory_a, org_b, people_b):
    run(org_a, xlsx([["総務", "庶務", "", "備品管理", "簿記"]],
                    header=["部門", "大分類", "中分類", "業務名", "必要スキル"]))
    skill = task(org_a, "備品管理").required_skill
    assert skill.organization_id == org_a.pk and skill.pk != people_b.skill.pk


# ---- bad files -----------------------------------------------------------------------------------


def test_it_rejects_unknown_labels_and_numbers(org_a, inventory_a):
    assert rejected(org_a, xlsx([["総務", "庶務", "", "備品管理", None, "毎時", 6, "社長", "多分",
                                  None, None, None, None, "休止"]])) == [
        (2, "頻度", "毎時", "Write one of 毎日, 毎週, 毎月, 四半期, 毎年, 随時."),
        (2, "対象", "社長", "Write one of 社内, 社外, 両方."),
        (2, "状態", "休止", "Write one of 使用中, 提案中, アーカイブ."),
        (2, "難易度", "6", "Difficulty is a whole number from 1 to 5."),
        (2, "リモート可否", "多分", "Write ○ or × (also 可/不可, はい/いいえ, Yes/No, 1/0)."),
    ]


def test_it_rejects_the_same_task_twice(org_a, inventory_a):
    assert rejected(org_a, xlsx([["総務", "庶務", "", "新業務"], ["総務", "庶務", "", "新 業務"]],
                                header=HEADER[:4])) == [
        (3, "業務名", "新 業務", "Row 2 has the same task."),
    ]


def test_it_rejects_rows_without_the_required_parts_of_the_path(org_a, inventory_a):
    assert rejected(org_a, xlsx([["総務", None, "", "新業務"], ["総務", "庶務", "", "x" * 201]],
                                header=HEADER[:4])) == [
        (2, "大分類", "", "大分類 is required."),
        (3, "業務名", "x" * 201, "Too long: at most 200 characters."),
    ]


def test_it_rejects_a_file_missing_a_required_column(org_a, inventory_a):
    assert rejected(org_a, xlsx([["総務", "備品管理"]], header=["部門", "業務名"])) == [
        (1, "大分類", "", "Required column “大分類” is missing from the header row."),
    ]


def test_it_rejects_a_file_that_is_neither_csv_nor_xlsx(org_a, inventory_a):
    assert rejected(org_a, b"%PDF-1.7\n\x00\x01\x02") == [
        (None, "", "", "This is not a CSV or Excel (.xlsx) file."),
    ]


def test_the_starter_inventory_survives_a_round_trip(org_a, people_a):
    from somu.survey.services import starter_inventory_adopt

    with tenancy.activate(org_a):
        count = starter_inventory_adopt(actor=None)
    before = tasks(org_a)
    result = run(org_a, exported(org_a))
    assert (result.rows, result.unchanged) == (count, count)
    assert tasks(org_a) == before
