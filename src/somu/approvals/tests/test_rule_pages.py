"""The 決裁権限規程 pages: the table in force and its revisions, the editor (a new revision; errors
next to their lines, nothing saved), the import with its preview, the export, and the tester."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from somu.approvals import rules_excel
from somu.approvals import rules_table as rt
from somu.approvals.models import RuleVersion
from somu.approvals.services import rules
from somu.approvals.tests.builders import NOW, TODAY, World, install_rules
from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.permissions import Role


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def admin(world: World, client_as):
    return client_as(world.users["admin"], world.org)


def versions(world: World) -> list[int]:
    with tenancy.activate(world.org):
        return list(RuleVersion.objects.order_by("number").values_list("number", flat=True))


def editor_post(world: World, lines: list[dict[str, object]], **extra: str) -> dict[str, object]:
    data: dict[str, object] = {key: [str(line.get(h, "")) for line in lines]
                               for h, key in rt.KEYS.items()}
    data.update({"effective_from": "2026-07-01", "note": "課長決裁の上限変更"})
    data.update(extra)
    return data


def standard_lines(world: World) -> list[dict[str, object]]:
    with tenancy.activate(world.org):
        return rt.row_lines(rules.row_inputs(world.version), amounts="comma")


def test_the_rules_page_shows_the_table_in_force_with_names_and_yen(world, admin):
    page = admin.get(reverse("approvals:rules")).content.decode()
    assert "¥1,000,000" in page and "経理部" in page and "部長" in page
    assert "決裁" in page and "合議" in page
    assert reverse("approvals:rule_edit") in page


def test_the_revisions_list_says_which_is_in_force_and_which_is_scheduled(world, admin, tr):
    install_rules(world, effective=dt.date(2026, 10, 1))
    page = admin.get(reverse("approvals:rules")).content.decode()
    assert tr("In force") in page and tr("Scheduled") in page
    assert "2026-10-01" in page


def test_the_rules_page_makes_a_fixed_number_of_queries(world, admin,
                                                        django_assert_max_num_queries):
    admin.get(reverse("approvals:rules"))
    with django_assert_max_num_queries(20) as small:
        admin.get(reverse("approvals:rules"))
    count = len(small.captured_queries)
    assert count > 0
    for effective in (dt.date(2026, 5, 1), dt.date(2026, 5, 2), dt.date(2026, 5, 3)):
        install_rules(world, effective=effective)
    with django_assert_max_num_queries(count):
        admin.get(reverse("approvals:rules"))


def test_one_revision_has_its_own_page(world, admin):
    page = admin.get(reverse("approvals:rule_version", args=[world.version.pk]))
    assert page.status_code == 200
    assert "¥10,000,001" in page.content.decode()


def test_an_auditor_may_read_the_rules_and_use_the_tester_but_not_edit(world, client_as,
                                                                       make_user):
    auditor = client_as(make_user("auditor", world.org, Role.AUDITOR), world.org)
    assert auditor.get(reverse("approvals:rules")).status_code == 200
    assert auditor.get(reverse("approvals:rule_test")).status_code == 200
    assert auditor.get(reverse("approvals:rule_edit")).status_code == 403
    assert auditor.get(reverse("approvals:rule_import")).status_code == 403


def test_an_employee_may_not_read_the_rules(world, client_as):
    employee = client_as(world.users["suzuki"], world.org)
    assert employee.get(reverse("approvals:rules")).status_code == 403


def test_the_editor_starts_from_the_table_in_force(world, admin):
    page = admin.get(reverse("approvals:rule_edit")).content.decode()
    assert 'value="1,000,000"' in page and 'value="経理部"' in page


def test_saving_the_editor_makes_a_new_revision(world, admin):
    lines = standard_lines(world)
    lines[0][rt.AMOUNT_MAX] = "50,000"
    lines[1][rt.AMOUNT_MIN] = lines[2][rt.AMOUNT_MIN] = "50,001"  # row 2 has two lines
    response = admin.post(reverse("approvals:rule_edit"), editor_post(world, lines))
    assert response.status_code == 302
    assert versions(world) == [1, 2]
    with tenancy.activate(world.org):
        new = RuleVersion.objects.get(number=2)
        assert new.effective_from == dt.date(2026, 7, 1) and new.note == "課長決裁の上限変更"
        assert rules.row_inputs(new)[0].amount_max == 50_000


def test_an_overlap_in_the_editor_is_shown_at_the_top_naming_both_rows_and_nothing_is_saved(
        world, admin, tr):
    lines = standard_lines(world)
    lines[0][rt.AMOUNT_MAX] = "200,000"  # row 1 now overlaps row 2 (from 100,001)
    response = admin.post(reverse("approvals:rule_edit"), editor_post(world, lines))
    page = response.content.decode()
    assert tr("Rows %(row_a)s and %(row_b)s can both apply to one request and both give "
              "a final decision (決裁): make their bands, departments or conditions "
              "exclusive.") % {"row_a": 1, "row_b": 2} in page
    assert 'value="200,000"' in page, "the entered lines are kept"
    assert versions(world) == [1]


def test_a_bad_cell_is_shown_next_to_its_line(world, admin, tr):
    lines = standard_lines(world)
    lines[2][rt.VALUE] = "番長"
    response = admin.post(reverse("approvals:rule_edit"), editor_post(world, lines))
    page = response.content.decode()
    assert tr("There is no position “%(value)s”.") % {"value": "番長"} in page
    assert 'aria-invalid="true"' in page
    assert versions(world) == [1]


def test_two_lines_of_one_row_that_disagree_are_pointed_at_in_the_editor(world, admin):
    lines = standard_lines(world)
    lines[2][rt.AMOUNT_MIN] = "50,001"  # the second line of row 2 only
    page = admin.post(reverse("approvals:rule_edit"), editor_post(world, lines)).content.decode()
    assert "50,001" in page and "100,001" in page
    assert versions(world) == [1]


def test_the_editor_needs_the_effective_date(world, admin, tr):
    response = admin.post(reverse("approvals:rule_edit"),
                          editor_post(world, standard_lines(world), effective_from=""))
    assert tr("This field is required.") in response.content.decode()
    assert versions(world) == [1]


def test_the_export_is_the_version_in_force_and_is_audited(world, admin):
    response = admin.get(reverse("approvals:rule_export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "決裁権限規程"
    with tenancy.activate(world.org):
        assert AuditEvent.objects.filter(action="approval_rules.export").count() == 1


def test_an_older_revision_is_exported_by_its_number(world, admin):
    install_rules(world, effective=dt.date(2026, 5, 1))
    response = admin.get(reverse("approvals:rule_export") + "?version=1")
    info = load_workbook(io.BytesIO(response.content))["改定情報"]
    assert info["B1"].value == 1
    assert admin.get(reverse("approvals:rule_export") + "?version=99").status_code == 404


def test_the_import_previews_then_saves_on_confirmation(world, admin):
    with tenancy.activate(world.org):
        content = rules_excel.rules_xlsx(world.version, exported_on=TODAY)
    upload = io.BytesIO(content)
    upload.name = "rules.xlsx"
    preview = admin.post(reverse("approvals:rule_import"), {
        "file": upload, "effective_from": "2026-10-01", "note": "年次見直し"})
    page = preview.content.decode()
    assert "¥1,000,000" in page and 'name="token"' in page
    assert versions(world) == [1]
    token = page.split('name="token" value="')[1].split('"')[0]
    done = admin.post(reverse("approvals:rule_import"), {"token": token})
    assert done.status_code == 200
    assert versions(world) == [1, 2]
    with tenancy.activate(world.org):
        new = RuleVersion.objects.get(number=2)
        assert new.effective_from == dt.date(2026, 10, 1) and new.note == "年次見直し"


def test_a_bad_import_lists_every_error_and_saves_nothing(world, admin, tr):
    upload = io.BytesIO(b"just some text\nnot a rules table\n")
    upload.name = "notes.txt"
    response = admin.post(reverse("approvals:rule_import"), {
        "file": upload, "effective_from": "2026-10-01"})
    page = response.content.decode()
    assert "行番号" in page and "申請種別" in page
    assert versions(world) == [1]


def test_the_tester_shows_the_route_with_the_reasons(world, admin, tr):
    response = admin.get(reverse("approvals:rule_test"), {
        "request_type": world.types["purchase"].pk, "requester": world.people["suzuki"].pk,
        "amount": "600,000", "category": "備品", "day": "2026-06-15"})
    page = response.content.decode()
    assert "伊藤 課長" in page and "山本 部長" in page and "加藤 経理" in page
    assert tr("Row %(row)s of the approval rules applies.") % {"row": 2} in page
    assert tr("Approval rules, revision %(number)s") % {"number": 1} in page or \
        reverse("approvals:rule_version", args=[world.version.pk]) in page


def test_the_tester_says_why_there_is_no_route(world, admin, tr):
    response = admin.get(reverse("approvals:rule_test"), {
        "request_type": world.types["seal"].pk, "requester": world.people["suzuki"].pk,
        "day": "2026-06-15"})
    assert tr("No row of the approval rules applies to this request.") in \
        response.content.decode()


def test_the_tester_asks_for_the_types_form_fields_and_uses_them(world, admin):
    with tenancy.activate(world.org):
        rt.rule_table_save(membership=world.m("admin"), effective_from=dt.date(2026, 5, 1),
                           lines=rt.lines_of([
                               {rt.NUMBER: 1, rt.TYPE: "契約締結申請", rt.CONDITION:
                                'contract_kind == "NDA"', rt.KIND: "決裁", rt.APPROVER: "役職",
                                rt.VALUE: "課長"},
                               {rt.NUMBER: 2, rt.TYPE: "契約締結申請", rt.CONDITION:
                                'contract_kind != "NDA"', rt.KIND: "決裁", rt.APPROVER: "役職",
                                rt.VALUE: "部長"}]), now=NOW)
    query = {"request_type": world.types["contract"].pk,
             "requester": world.people["suzuki"].pk, "amount": "0", "day": "2026-06-15"}
    page = admin.get(reverse("approvals:rule_test"), query).content.decode()
    assert 'name="f_contract_kind"' in page
    purchase_page = admin.get(reverse("approvals:rule_test"), {
        **query, "request_type": world.types["purchase"].pk}).content.decode()
    assert '<option value="ソフトウェア">' in purchase_page, "the type's categories to choose"
    nda = admin.get(reverse("approvals:rule_test"),
                    {**query, "f_contract_kind": "NDA"}).content.decode()
    assert "伊藤 課長" in nda and "山本 部長" not in nda
