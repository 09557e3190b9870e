"""`somu approvals export-rules` and `somu approvals import-rules` (management commands
approvals_export_rules and approvals_import_rules)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from somu.approvals import rules_table as rt
from somu.approvals.models import RuleVersion
from somu.approvals.services import rules
from somu.approvals.tests.builders import World
from somu.core import tenancy


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC), tick=False)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(*args: str) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(*args, stdout=io.StringIO(), stderr=err)
    return str(exc.value), err.getvalue()


def versions(world: World) -> list[int]:
    with tenancy.activate(world.org):
        return list(RuleVersion.objects.order_by("number").values_list("number", flat=True))


def bad_file(tmp_path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(list(rt.HEADERS))
    row = {rt.NUMBER: 1, rt.TYPE: "購入申請", rt.KIND: "決裁", rt.APPROVER: "役職",
           rt.VALUE: "番長", rt.AMOUNT_MAX: "たくさん"}
    sheet.append([row.get(h) for h in rt.HEADERS])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    return path


def test_the_export_and_import_commands_round_trip_the_rules(world, tmp_path):
    path = tmp_path / "rules.xlsx"
    out, _err = run("approvals_export_rules", "--org", world.org.slug, "--out", str(path))
    assert path.is_file() and "rules.xlsx" in out
    out, _err = run("approvals_import_rules", str(path), "--org", world.org.slug,
                    "--actor", world.users["admin"].username, "--effective-from", "2026-10-01",
                    "--note", "年次見直し")
    assert versions(world) == [1, 2]
    with tenancy.activate(world.org):
        new = RuleVersion.objects.get(number=2)
        assert new.effective_from == dt.date(2026, 10, 1) and new.note == "年次見直し"
        assert rules.row_inputs(new) == rules.row_inputs(world.version)


def test_a_dry_run_saves_nothing(world, tmp_path):
    path = tmp_path / "rules.xlsx"
    run("approvals_export_rules", "--org", world.org.slug, "--out", str(path))
    run("approvals_import_rules", str(path), "--org", world.org.slug, "--actor",
        world.users["admin"].username, "--effective-from", "2026-10-01", "--dry-run")
    assert versions(world) == [1]


def test_a_bad_file_prints_every_error_with_row_column_and_value_and_fails(world, tmp_path):
    message, err = failing("approvals_import_rules", str(bad_file(tmp_path)), "--org",
                           world.org.slug, "--actor", world.users["admin"].username,
                           "--effective-from", "2026-10-01")
    assert "bad.xlsx" in message
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert "金額（以下）" in lines[0] and "たくさん" in lines[0]
    assert "承認者" in lines[1] and "番長" in lines[1]
    assert versions(world) == [1]


def test_an_import_by_someone_who_may_not_manage_approvals_is_refused(world, tmp_path):
    path = tmp_path / "rules.xlsx"
    run("approvals_export_rules", "--org", world.org.slug, "--out", str(path))
    failing("approvals_import_rules", str(path), "--org", world.org.slug, "--actor",
            world.users["suzuki"].username, "--effective-from", "2026-10-01")
    assert versions(world) == [1]


def test_a_bad_date_or_a_missing_revision_is_an_error(world, tmp_path):
    message, _err = failing("approvals_import_rules", str(tmp_path / "x.xlsx"), "--org",
                            world.org.slug, "--actor", "u_admin", "--effective-from", "10/1")
    assert message
    message, _err = failing("approvals_export_rules", "--org", world.org.slug, "--revision", "9")
    assert "9" in message
