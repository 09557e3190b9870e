"""`somu procedures import` and `somu procedures export` (management commands
procedures_import and procedures_export)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from somu.core import tenancy
from somu.procedures.models import Template, TemplateVersion
from somu.procedures.tests.builders import make_hr_staff, onboarding, save

pytestmark = pytest.mark.django_db

SUPPLIES = """\
somu: procedure/1
name: 備品発注
category: 総務
steps:
  - key: request
    name: 発注依頼を受ける
  - key: order
    name: 発注する
    depends_on: [request]
    checklist: [相見積もり, 稟議]
"""


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(*args: str) -> tuple[str, str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command(*args, stdout=io.StringIO(), stderr=err)
    return str(exc.value), err.getvalue()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def templates(org) -> dict[str, int]:
    """Template name → current version number."""
    with tenancy.activate(org):
        return {t.name: t.current_version.number
                for t in Template.objects.select_related("current_version")}


def spec_of(org, name: str) -> dict:
    with tenancy.activate(org):
        return Template.objects.get(name=name).current_version.spec


# ---- import --------------------------------------------------------------------------------------


def test_a_valid_file_is_imported(org_a, tmp_path, tr):
    path = write(tmp_path, "備品発注.yaml", SUPPLIES)
    out, _err = run("procedures_import", str(path), "--org", "org-a")
    assert out.strip() == tr("%(file)s: created “%(name)s” (version %(number)d).", file=path,
                             name="備品発注", number=1)
    assert templates(org_a) == {"備品発注": 1}
    assert spec_of(org_a, "備品発注")["steps"][1]["checklist"] == ["相見積もり", "稟議"]
    with tenancy.activate(org_a):
        assert TemplateVersion.objects.get().note == tr("Imported from %(file)s",
                                                        file="備品発注.yaml")


def test_an_invalid_file_stops_the_import_of_every_file(org_a, tmp_path, tr):
    good = write(tmp_path, "good.yaml", SUPPLIES)
    bad = write(tmp_path, "bad.yaml", SUPPLIES.replace("name: 備品発注", "name: 壊れた手順")
                .replace("depends_on: [request]", "depends_on: [requst]"))
    broken = write(tmp_path, "broken.yaml", "name: [unclosed\n")
    message, err = failing("procedures_import", str(good), str(bad), str(broken),
                           str(tmp_path / "missing.yaml"), "--org", "org-a")
    lines = err.splitlines()
    assert message == tr("%(count)d problem; nothing was imported.",
                         "%(count)d problems; nothing was imported.", count=len(lines))
    assert len(lines) == 3
    assert lines[0].startswith(f"{bad}: steps[1].depends_on: unknown step 'requst'")
    assert lines[1].startswith(f"{broken}: line ")
    assert lines[2] == f"{tmp_path / 'missing.yaml'}: " + tr("No such file.")
    assert templates(org_a) == {}  # the good file was rolled back too


def test_references_the_organization_lacks_are_problems(org_a, people_a, tmp_path):
    text = SUPPLIES + "    assignee: {person: Z999}\n"
    _message, err = failing("procedures_import", str(write(tmp_path, "t.yaml", text)),
                            "--org", "org-a")
    assert err.startswith(f"{tmp_path / 't.yaml'}: steps[1].assignee.person: ")
    assert templates(org_a) == {}


def test_an_existing_name_needs_update_which_saves_a_new_version(org_a, tmp_path, tr):
    path = write(tmp_path, "備品発注.yaml", SUPPLIES)
    run("procedures_import", str(path), "--org", "org-a")
    _message, err = failing("procedures_import", str(path), "--org", "org-a")
    assert err.strip() == f"{path}: name: " + tr(
        "A template named “%(name)s” already exists (give --update to save the file as its new "
        "version).", name="備品発注")
    out, _err = run("procedures_import", str(path), "--org", "org-a", "--update")
    assert out.strip() == tr("%(file)s: “%(name)s” is unchanged (version %(number)d).",
                             file=path, name="備品発注", number=1)
    changed = write(tmp_path, "v2.yaml", SUPPLIES.replace("稟議", "稟議書"))
    out, _err = run("procedures_import", str(changed), "--org", "org-a", "--update")
    assert out.strip() == tr("%(file)s: saved “%(name)s” as version %(number)d.",
                             file=changed, name="備品発注", number=2)
    assert templates(org_a) == {"備品発注": 2}


def test_an_unknown_organization_or_actor_is_refused(org_a, tmp_path, tr):
    path = write(tmp_path, "t.yaml", SUPPLIES)
    assert failing("procedures_import", str(path), "--org", "nobody")[0] == tr(
        "No organization with slug %(slug)r.", slug="nobody")
    assert failing("procedures_import", str(path), "--org", "org-a", "--actor", "ghost")[0] == tr(
        "No user %(name)r.", name="ghost")


# ---- export --------------------------------------------------------------------------------------


@pytest.fixture
def org_a_templates(org_a, people_a, make_user, tmp_path):
    make_hr_staff(make_user, org_a, people_a)
    onboarding_template = save(org_a, onboarding())
    run("procedures_import", str(write(tmp_path, "s.yaml", SUPPLIES)), "--org", "org-a")
    return onboarding_template


def test_one_template_is_exported_to_standard_output(org_a, org_a_templates):
    out, _err = run("procedures_export", "--org", "org-a", "--template", "入社手続き")
    assert out.startswith("somu: procedure/1\nname: 入社手続き\n")
    by_id, _err = run("procedures_export", "--org", "org-a", "--template",
                      str(org_a_templates.pk))
    assert by_id == out


def test_every_template_is_exported_to_a_directory_and_imported_back(org_a, org_b, people_b,
                                                                     org_a_templates, tmp_path,
                                                                     tr):
    target = tmp_path / "export"
    out, _err = run("procedures_export", "--org", "org-a", "--out", str(target))
    assert sorted(p.name for p in target.iterdir()) == ["備品発注.yaml", "入社手続き.yaml"]
    assert out.splitlines()[-1] == tr("Exported %(count)d template to %(dir)s.",
                                      "Exported %(count)d templates to %(dir)s.", count=2,
                                      dir=target)
    # back into the same organization: nothing changes
    files = sorted(str(p) for p in target.iterdir())
    out, _err = run("procedures_import", *files, "--org", "org-a", "--update")
    assert out.splitlines() == [
        tr("%(file)s: “%(name)s” is unchanged (version %(number)d).", file=f, name=name,
           number=1) for f, name in zip(files, ["備品発注", "入社手続き"], strict=True)]
    assert templates(org_a) == {"入社手続き": 1, "備品発注": 1}
    # into another organization: the same definition
    run("procedures_import", str(target / "備品発注.yaml"), "--org", "org-b")
    assert spec_of(org_b, "備品発注") == spec_of(org_a, "備品発注")


def test_one_template_is_exported_to_a_named_file(org_a, org_a_templates, tmp_path):
    target = tmp_path / "out" / "supplies.yaml"
    run("procedures_export", "--org", "org-a", "--template", "備品発注", "--out", str(target))
    assert target.read_text(encoding="utf-8").startswith("somu: procedure/1\nname: 備品発注\n")


def test_export_problems_are_reported(org_a, org_a_templates, tr):
    assert failing("procedures_export", "--org", "org-a")[0] == tr(
        "%(count)d template: give --out DIR to write one file each.",
        "%(count)d templates: give --out DIR to write one file each.", count=2)
    for ref in ("存在しない", "9" * 40):
        assert failing("procedures_export", "--org", "org-a", "--template", ref)[0] == tr(
            "No template named or numbered %(ref)r.", ref=ref)
    assert failing("procedures_export", "--org", "nobody")[0] == tr(
        "No organization with slug %(slug)r.", slug="nobody")


def test_an_organization_without_templates_has_nothing_to_export(org_b, tr):
    assert failing("procedures_export", "--org", "org-b")[0] == tr(
        "%(org)s has no templates to export.", org="org-b")


def test_unsafe_characters_in_names_become_underscores(org_a, tmp_path):
    path = write(tmp_path, "t.yaml", SUPPLIES.replace("name: 備品発注", "name: '発注/検収: 手順'"))
    run("procedures_import", str(path), "--org", "org-a")
    run("procedures_export", "--org", "org-a", "--out", str(tmp_path / "x"))
    assert [p.name for p in (tmp_path / "x").iterdir()] == ["発注_検収_ 手順.yaml"]
