"""Saving templates: versions, validation through the service (engine and database references)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.org import services as org_services
from somu.procedures.engine.parse import parse_spec_dict
from somu.procedures.engine.spec import SpecError
from somu.procedures.models import Run, Template, TemplateVersion
from somu.procedures.services import launching
from somu.procedures.services import runs as run_services
from somu.procedures.services import templates as template_services
from somu.procedures.tests.builders import make_hr_staff, onboarding, save, step_spec
from somu.survey import services as survey_services


def problems(exc: pytest.ExceptionInfo[SpecError]) -> dict[str, str]:
    return {p.path: p.message for p in exc.value.problems}


def test_a_new_template_gets_version_1_and_its_name_from_the_spec(org_a, people_a, staff_a):
    template = save(org_a, onboarding(), actor=staff_a, owner=people_a.sato)
    with tenancy.activate(org_a):
        template.refresh_from_db()
        assert (template.name, template.category) == ("入社手続き", "人事労務")
        assert template.owner == people_a.sato
        assert template.current_version is not None
        assert template.current_version.number == 1
        assert template.current_version.created_by == staff_a
        assert template.current_version.spec["steps"][0]["key"] == "docs"
        assert AuditEvent.objects.filter(action="procedure_template.create").count() == 1


def test_saving_an_unchanged_spec_creates_no_new_version(org_a, people_a):
    template = save(org_a, onboarding())
    save(org_a, onboarding(), template=template)
    with tenancy.activate(org_a):
        assert TemplateVersion.objects.filter(template=template).count() == 1


def test_a_typed_spec_is_accepted_and_stored_in_canonical_form(org_a, people_a):
    template = save(org_a, parse_spec_dict(onboarding()))  # type: ignore[arg-type]
    same = save(org_a, onboarding(), template=template)
    with tenancy.activate(org_a):
        assert same.current_version.number == 1


def test_editing_creates_a_new_version_and_running_runs_keep_theirs(
        org_a, people_a, make_user):
    sato = make_hr_staff(make_user, org_a, people_a)
    template = save(org_a, onboarding(), actor=sato)
    with tenancy.activate(org_a):
        run = run_services.run_launch(actor=sato, template=template, params={
            "入社者": "A002", "入社日": "2026-04-01"})
    edited = onboarding(description="改訂版")
    step_spec(edited, "docs")["name"] = "入社書類の回収"
    template = save(org_a, edited, template=template)
    with tenancy.activate(org_a):
        template.refresh_from_db()
        assert template.current_version.number == 2
        assert template.description == "改訂版"
        run = Run.objects.get(pk=run.pk)
        assert run.version.number == 1
        assert run.steps.get(key="docs").name == "入社書類の提出"
        new_run = run_services.run_launch(actor=sato, template=template, params={
            "入社者": "A002", "入社日": "2026-05-01"})
        assert new_run.version.number == 2
        assert new_run.steps.get(key="docs").name == "入社書類の回収"


def test_renaming_keeps_the_template_and_checks_the_name_is_free(org_a, people_a):
    template = save(org_a, onboarding())
    other = save(org_a, onboarding(name="退職手続き"))
    with pytest.raises(ValidationError) as exc:
        save(org_a, onboarding(name="退職手続き"), template=template)
    assert exc.value.error_dict["name"][0].code == "unique"
    with pytest.raises(ValidationError):
        save(org_a, onboarding())  # a second new template with a taken name
    renamed = save(org_a, onboarding(name="入社手続き（改）"), template=template)
    assert renamed.pk == template.pk != other.pk


@pytest.mark.parametrize(("change", "path", "words"), [
    (lambda s: step_spec(s, "shaho").update(depends_on=["nope"]),
     "steps[1].depends_on", "unknown step 'nope'"),
    (lambda s: step_spec(s, "docs").update(depends_on=["approve"]),
     "", "dependency cycle"),
    (lambda s: step_spec(s, "koyo").update(due={"from": "退職日", "offset": 1}),
     "steps[2].due.from", "unknown parameter '退職日'"),
    (lambda s: step_spec(s, "koyo").update(due={"from": "雇用形態", "offset": 1}),
     "steps[2].due.from", "not a date"),
    (lambda s: step_spec(s, "koyo").update(condition="部署 == '人事部'"),
     "steps[2].condition", "unknown parameter '部署'"),
    (lambda s: step_spec(s, "koyo").update(condition="雇用形態 == __import__('os')"),
     "steps[2].condition", ""),
    (lambda s: step_spec(s, "account").update(assignee={"manager_of": "入社日"}),
     "steps[3].assignee.manager_of", "not a person"),
])
def test_engine_validation_problems_surface_with_their_path(org_a, people_a, change, path,
                                                             words):
    spec = onboarding()
    change(spec)
    with pytest.raises(SpecError) as exc:
        save(org_a, spec)
    found = problems(exc)
    matching = [p for p, message in found.items() if p.startswith(path) and words in message]
    assert matching, found


def test_it_names_the_cycle(org_a, people_a):
    spec = onboarding()
    step_spec(spec, "docs")["depends_on"] = ["approve"]
    with pytest.raises(SpecError) as exc:
        save(org_a, spec)
    assert any("→" in p.message for p in exc.value.problems)


def test_it_rejects_an_unknown_employee_number(org_a, people_a):
    spec = onboarding()
    step_spec(spec, "approve")["assignee"] = {"person": "Z999"}
    with pytest.raises(SpecError) as exc:
        save(org_a, spec)
    assert "Z999" in problems(exc)["steps[4].assignee.person"]


def test_it_rejects_a_retired_person_as_fixed_assignee(org_a, people_a):
    with tenancy.activate(org_a):
        org_services.person_retire(actor=None, person=people_a.yamada,
                                   retired_on=dt.date(2026, 3, 31))
    with pytest.raises(SpecError) as exc:
        save(org_a, onboarding())
    assert "山田 太郎" in problems(exc)["steps[4].assignee.person"]


def test_it_rejects_an_unknown_department_and_accepts_one_by_code(org_a, people_a):
    spec = onboarding()
    step_spec(spec, "koyo")["assignee"] = {"role": "staff", "department": "経理部"}
    with pytest.raises(SpecError) as exc:
        save(org_a, spec)
    assert "経理部" in problems(exc)["steps[2].assignee.department"]
    with tenancy.activate(org_a):
        org_services.department_update(actor=None, department=people_a.jinji,
                                       data={"code": "HR"})
    step_spec(spec, "koyo")["assignee"] = {"role": "staff", "department": "HR"}
    assert save(org_a, spec).pk


def test_people_and_departments_of_another_organization_do_not_count(org_a, people_a,
                                                                     people_b):
    spec = onboarding()
    step_spec(spec, "approve")["assignee"] = {"person": "B001"}
    with pytest.raises(SpecError):
        save(org_a, spec)


def test_inventory_task_paths_are_checked_and_linked(org_a, people_a):
    with tenancy.activate(org_a):
        task = survey_services.task_save(actor=None, task=None, data={
            "function": "人事", "category": "入退社", "name": "入社手続き"})
    with pytest.raises(SpecError) as exc:
        save(org_a, onboarding(tasks=["人事 > 入退社 > 退職手続き"]))
    assert "退職手続き" in problems(exc)["tasks[0]"]
    template = save(org_a, onboarding(tasks=["人事>入退社>入社手続き"]))
    with tenancy.activate(org_a):
        assert list(template.tasks.all()) == [task]


def test_linking_tasks_records_them_in_a_new_version(org_a, people_a):
    template = save(org_a, onboarding())
    with tenancy.activate(org_a):
        task = survey_services.task_save(actor=None, task=None, data={
            "function": "人事", "category": "入退社", "name": "入社手続き"})
        template_services.template_link_tasks(actor=None, template=template, task_ids=[task.pk])
        template.refresh_from_db()
        assert list(template.tasks.all()) == [task]
        assert template.current_version.number == 2
        assert template.current_version.spec["tasks"] == ["人事 > 入退社 > 入社手続き"]
        template_services.template_link_tasks(actor=None, template=template, task_ids=[task.pk])
        assert template.versions.count() == 2


def test_archiving_hides_the_template_from_launching(org_a, people_a):
    template = save(org_a, onboarding())
    with tenancy.activate(org_a):
        template_services.template_archive(actor=None, template=template)
        assert Template.objects.get(pk=template.pk).archived
        with pytest.raises(launching.LaunchError) as exc:
            run_services.run_launch(actor=None, template=template, params={})
        assert "template" in exc.value.message_dict
        template_services.template_archive(actor=None, template=template, archived=False)
        assert AuditEvent.objects.filter(action="procedure_template.archive").count() == 2


def test_importing_a_taken_name_is_refused_by_the_service_unless_it_is_an_update(
        org_a, people_a, tr):
    template = save(org_a, onboarding())
    changed = onboarding(description="改訂版")
    with tenancy.activate(org_a):
        with pytest.raises(template_services.TemplateNameTaken) as refused:
            template_services.template_import(actor=None, spec=changed, update=False, note="")
        assert str(refused.value) == tr("A template named “%(name)s” already exists.") % {
            "name": "入社手続き"}
        assert TemplateVersion.objects.filter(template=template).count() == 1
        imported = template_services.template_import(actor=None, spec=changed, update=True, note="")
        assert (imported.template, imported.created, imported.changed) == (template, False, True)
        assert TemplateVersion.objects.filter(template=template).count() == 2
