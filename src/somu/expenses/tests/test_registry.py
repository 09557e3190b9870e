"""The offline インボイス registry: importing the NTA's files all or nothing, difference files
that cancel, expire and delete, what a 登録番号 is on a date, and searching by name."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.expenses.registry_models import Registrant, RegistryImport
from somu.expenses.services import registry
from somu.expenses.tests import registry_files as f
from somu.org import services as org_services
from somu.org.models import Organization, User

pytestmark = pytest.mark.django_db


def _import(*files: list[str], kind: str = "full", actor: User | None = None) -> RegistryImport:
    return registry.registry_import(
        files=[registry.RegistryFile(f"file{i}.csv", f.stream(lines))
               for i, lines in enumerate(files, start=1)], kind=kind, actor=actor)


def test_a_full_file_in_the_nta_layout_is_imported_with_what_a_check_needs() -> None:
    run = _import(f.FULL)

    acme = Registrant.objects.get(pk=f.ACME)
    assert acme.name == "株式会社アクメ" and acme.kind == 2
    assert acme.address == "東京都千代田区霞が関３丁目１－１"
    assert acme.registered_on == date(2023, 10, 1) and acme.cancelled_on is None
    assert acme.name_key == "アクメ" and acme.last_import == run
    sato = Registrant.objects.get(pk=f.SATO)
    assert sato.kind == 1 and sato.trade_name == "佐藤商店" and sato.address == ""
    assert (run.kind, run.rows, run.written, run.deleted, run.total) == ("full", 3, 3, 0, 3)
    assert run.actor_label == "system" and run.finished_at is not None
    (described,) = run.files
    assert described["name"] == "file1.csv" and described["rows"] == 3
    assert len(described["sha256"]) == 64 and described["bytes"] == len(f.data(f.FULL))


def test_a_shift_jis_file_is_imported_too() -> None:
    registry.registry_import(files=[registry.RegistryFile("sjis.csv",
                                                          f.stream(f.FULL, "cp932"))],
                             kind="full", actor=None)

    assert Registrant.objects.get(pk=f.TOHOKU).name == "東北物産合同会社"


def test_a_difference_file_cancels_and_expires_registrations() -> None:
    _import(f.FULL)

    run = _import(f.DIFF, kind="diff")

    assert (run.kind, run.rows, run.written, run.total) == ("diff", 2, 2, 3)
    tohoku = Registrant.objects.get(pk=f.TOHOKU)
    assert tohoku.cancelled_on == date(2025, 3, 1) and tohoku.updated_on == date(2025, 3, 3)
    assert Registrant.objects.get(pk=f.SATO).expired_on == date(2025, 10, 1)


def test_a_deletion_record_removes_the_registrant_and_a_history_record_is_skipped() -> None:
    _import(f.FULL)
    deletion = (f'1,"{f.ACME}",99,0,,,1,,2025-04-01,,,"",,,"",,,"","","",,,"",""')
    history = f.line(2, f.TOHOKU, name="旧名称合同会社", latest="0")

    run = _import([deletion, history], kind="diff")

    assert not Registrant.objects.filter(pk=f.ACME).exists()
    assert Registrant.objects.get(pk=f.TOHOKU).name == "東北物産合同会社"
    assert (run.deleted, run.skipped, run.total) == (1, 1, 2)


def test_the_last_record_of_a_number_in_a_run_wins() -> None:
    first = f.line(1, f.ACME, name="株式会社アクメ")
    renamed = f.line(2, f.ACME, process="02", name="アクメ・ホールディングス株式会社")

    _import([first, renamed])

    assert Registrant.objects.get(pk=f.ACME).name == "アクメ・ホールディングス株式会社"


def test_a_file_not_in_the_layout_refuses_the_whole_run_naming_the_file_and_line() -> None:
    _import(f.FULL)
    bad = [f.line(1, f.UNKNOWN, name="新規株式会社"),
           f.line(2, f.ACME, name="株式会社アクメ", registered="2023/10/01")]

    with pytest.raises(registry.RegistryFileRefused) as caught:
        _import(f.DIFF, bad, kind="diff")

    refused = caught.value
    assert (refused.file_name, refused.line, refused.column) == ("file2.csv", 2, "8 登録年月日")
    assert refused.value == "2023/10/01"
    assert "file2.csv" in refused.text and "2023/10/01" in refused.text
    # nothing of either file, nor of the run, was kept
    assert RegistryImport.objects.count() == 1
    assert not Registrant.objects.filter(pk=f.UNKNOWN).exists()
    assert Registrant.objects.get(pk=f.TOHOKU).cancelled_on is None


@pytest.mark.parametrize(("lines", "line", "code"), [
    ([f.FULL[0], f.FULL[1] + ',""'], 2, "columns"),
    ([f.FULL[0].replace(f.ACME, "T" + "1" * 13)], 1, "check_digit"),
    (["一連番号,登録番号" + ",x" * 22], 1, "header"),
])
def test_each_bad_file_is_refused_with_its_line(lines: list[str], line: int,
                                                code: str) -> None:
    with pytest.raises(registry.RegistryFileRefused) as caught:
        _import(lines)

    assert (caught.value.line, caught.value.code) == (line, code)
    assert caught.value.reason in caught.value.text
    assert not Registrant.objects.exists()


def test_only_an_operator_may_import(make_user, org_a: Organization) -> None:  # type: ignore[no-untyped-def]
    from somu.core.permissions import Role

    admin = make_user("admin_a", org_a, Role.ADMIN)

    with pytest.raises(PermissionDenied):
        _import(f.FULL, actor=admin)
    assert not Registrant.objects.exists()


def test_each_import_is_in_every_organizations_audit_log(org_a: Organization,
                                                         org_b: Organization) -> None:
    operator = org_services.user_create(actor=None, username="operator", password="x" * 20,
                                        is_superuser=True)

    run = _import(f.FULL, actor=operator)

    for organization in (org_a, org_b):
        with tenancy.activate(organization):
            event = AuditEvent.objects.get(action="invoice_registry.import")
        assert event.object_id == str(run.pk) and event.actor_id == operator.pk
        assert event.changes["files"] == ["file1.csv"] and event.changes["rows"] == 3


# --- what a number is on a date ---------------------------------------------------------------

def test_without_a_registry_only_format_and_check_digit_are_checked(tr) -> None:  # type: ignore[no-untyped-def]
    assert registry.lookup(f.ACME, date(2025, 1, 1)).code == registry.UNCHECKED
    assert registry.lookup("T1234567890123", date(2025, 1, 1)).code == registry.INVALID
    assert registry.lookup("1234", date(2025, 1, 1)).code == registry.INVALID
    message = registry.lookup(f.ACME, date(2025, 1, 1)).message
    assert message == tr("%(number)s is well-formed. No invoice registry has been imported, so "
                         "only its format and check digit were checked.", number=f.ACME)


@pytest.mark.parametrize(("number", "on", "code", "ended"), [
    (f.ACME, date(2025, 1, 1), registry.VALID, ""),
    (f.ACME, date(2023, 9, 30), registry.NOT_YET, ""),
    (f.SATO, date(2024, 3, 31), registry.NOT_YET, ""),
    (f.SATO, date(2025, 9, 30), registry.VALID, ""),
    (f.SATO, date(2025, 10, 1), registry.CANCELLED, "expired"),
    (f.TOHOKU, date(2025, 2, 28), registry.VALID, ""),
    (f.TOHOKU, date(2025, 3, 1), registry.CANCELLED, "cancelled"),
    (f.UNKNOWN, date(2025, 1, 1), registry.NOT_REGISTERED, ""),
])
def test_a_number_is_checked_against_the_registry_on_the_lines_date(
        number: str, on: date, code: str, ended: str) -> None:
    _import(f.FULL)
    _import(f.DIFF, kind="diff")

    status = registry.lookup(number, on)

    assert (status.code, status.ended, status.on) == (code, ended, on)
    assert status.is_warning is (code != registry.VALID)
    assert status.message


def test_a_number_as_written_on_a_receipt_is_normalized() -> None:
    _import(f.FULL)
    written = "Ｔ" + f.ACME[1:5] + "-" + f.ACME[5:]

    status = registry.lookup(written, date(2025, 1, 1))

    assert (status.code, status.number, status.name) == (registry.VALID, f.ACME, "株式会社アクメ")


def test_many_lines_are_looked_up_in_one_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    _import(f.FULL)
    asked = [(f.ACME, date(2025, 1, 1)), ("bad", date(2025, 1, 1)),
             (f.TOHOKU, date(2023, 9, 1)), (f.SATO, date(2025, 1, 1))]

    with django_assert_num_queries(1):
        codes = [s.code for s in registry.lookup_many(asked)]

    assert codes == [registry.VALID, registry.INVALID, registry.NOT_YET, registry.VALID]


# --- searching by name ----------------------------------------------------------------------

def test_a_name_search_suggests_registrants_by_the_start_of_their_name() -> None:
    _import(f.FULL)

    assert [r.number for r in registry.search_by_name("アクメ")] == [f.ACME]
    assert [r.number for r in registry.search_by_name("ｱｸﾒ")] == [f.ACME]  # half-width
    assert [r.number for r in registry.search_by_name("株式会社 アク")] == [f.ACME]
    assert [r.number for r in registry.search_by_name("東北")] == [f.TOHOKU]
    assert [r.number for r in registry.search_by_name(f.SATO)] == [f.SATO]
    assert registry.search_by_name("物産") == []  # a prefix, not a substring
    assert registry.search_by_name("  ") == []


def test_a_name_search_is_limited() -> None:
    _import([f.line(i, f.number(20000000 + i), name=f"テスト商事{i:02d}") for i in range(1, 31)])

    found = registry.search_by_name("テスト", limit=5)

    assert [r.name for r in found] == [f"テスト商事{i:02d}" for i in range(1, 6)]


def test_the_state_says_whether_and_when_the_registry_was_imported() -> None:
    assert registry.registry_state().imported is False
    _import(f.FULL)
    _import(f.DIFF, kind="diff")

    state = registry.registry_state()

    assert state.imported and state.registrants == 3
    assert state.last is not None and state.last.kind == "diff"
    assert state.last_full is not None and state.last_full.kind == "full"


# --- the command line -----------------------------------------------------------------------

def test_the_command_imports_files_and_prints_progress_and_the_result(tmp_path: Path,
                                                                      capsys) -> None:  # type: ignore[no-untyped-def]
    full = f.write(tmp_path / "zenken.csv", f.FULL)
    diff = f.write(tmp_path / "sabun.csv", f.DIFF)

    call_command("expenses_import_invoice_registry", str(full))
    call_command("expenses_import_invoice_registry", str(diff), "--diff")

    out = capsys.readouterr().out
    assert "zenken.csv: 3" in out and "sabun.csv: 2" in out
    assert RegistryImport.objects.filter(kind="diff").count() == 1
    assert Registrant.objects.get(pk=f.TOHOKU).cancelled_on == date(2025, 3, 1)


def test_the_command_refuses_a_bad_file_naming_its_line_and_changes_nothing(
        tmp_path: Path) -> None:
    good = f.write(tmp_path / "good.csv", f.FULL)
    bad = f.write(tmp_path / "bad.csv", [f.FULL[0], "2,T1"])

    with pytest.raises(CommandError, match=r"bad\.csv.*2"):
        call_command("expenses_import_invoice_registry", str(good), str(bad))

    assert not Registrant.objects.exists() and not RegistryImport.objects.exists()


def test_the_command_refuses_a_missing_file_and_an_actor_who_is_not_an_operator(
        tmp_path: Path, make_user, org_a: Organization, tr) -> None:  # type: ignore[no-untyped-def]
    from somu.core.permissions import Role

    make_user("admin_a", org_a, Role.ADMIN)
    good = f.write(tmp_path / "good.csv", f.FULL)

    with pytest.raises(CommandError) as missing:
        call_command("expenses_import_invoice_registry", str(tmp_path / "none.csv"))
    assert str(missing.value) == tr("No such file: %(path)s", path=tmp_path / "none.csv")
    with pytest.raises(CommandError) as refused:
        call_command("expenses_import_invoice_registry", str(good), "--actor", "admin_a")
    assert str(refused.value) == tr(
        "Only the deployment's operators (superusers) can import the invoice registry: it is "
        "shared by every organization.")
    assert not Registrant.objects.exists()
