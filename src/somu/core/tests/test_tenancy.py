"""Organization scoping: tenant queries only ever see the active organization."""

from __future__ import annotations

import pytest

from somu.core import tenancy
from somu.core.tenancy import TenancyError
from somu.org.forms import PersonForm, PersonSkillForm
from somu.org.models import Department, Person, Skill


def test_a_tenant_query_with_no_organization_active_raises(people_a):
    with pytest.raises(TenancyError):
        list(Person.objects.all())
    with pytest.raises(TenancyError):
        Person.objects.count()


def test_a_tenant_query_sees_only_the_active_organization(org_a, org_b, people_a, people_b):
    with tenancy.activate(org_a):
        assert set(Person.objects.values_list("name", flat=True)) == {
            "山田 太郎", "鈴木 花子", "佐藤 健", "田中 美咲"}
        assert not Person.objects.filter(pk=people_b.kimura.pk).exists()
    with tenancy.activate(org_b):
        assert list(Person.objects.values_list("name", flat=True)) == ["木村 拓也"]


def test_creating_a_record_with_no_organization_active_raises(org_a):
    with pytest.raises(TenancyError):
        Department.objects.create(name="経理部")


def test_a_new_record_belongs_to_the_active_organization(org_a):
    with tenancy.activate(org_a):
        department = Department.objects.create(name="経理部")
    assert department.organization_id == org_a.pk


def test_saving_a_record_of_another_organization_raises(org_a, people_a, people_b):
    kimura = people_b.kimura
    kimura.name = "書き換え"
    with tenancy.activate(org_a), pytest.raises(TenancyError, match="written while organization"):
        kimura.save()
    assert Person.all_objects.get(pk=kimura.pk).name == "木村 拓也"


def test_a_queryset_built_before_activation_is_scoped_when_evaluated(org_a, org_b, people_a,
                                                                      people_b):
    queryset = Person.objects.order_by("employee_number")  # built with nothing active
    with tenancy.activate(org_b):
        assert [p.name for p in queryset] == ["木村 拓也"]
    with tenancy.activate(org_a):
        assert len(queryset.all()) == 4


def test_a_queryset_built_while_unscoped_is_still_scoped_when_evaluated_in_an_organization(
    org_a, org_b, people_a, people_b
):
    with tenancy.unscoped():
        queryset = Person.objects.all()
    with tenancy.activate(org_b):
        assert [p.name for p in queryset.all()] == ["木村 拓也"]


def test_form_field_querysets_built_at_import_time_offer_only_the_active_organization(
    org_a, org_b, people_a, people_b
):
    with tenancy.activate(org_a):
        skills = [label for _value, label in PersonSkillForm().fields["skill"].choices][1:]
        managers = [label for _value, label in PersonForm().fields["manager"].choices][1:]
        departments = [label for _value, label in PersonForm().fields["department"].choices][1:]
    assert skills == ["Excel"]
    assert "木村 拓也 (B001)" not in managers
    assert len(managers) == 4
    assert departments == ["管理本部", "管理本部/総務部", "管理本部/人事部"]


def test_a_form_cannot_choose_a_record_of_another_organization(org_a, people_a, people_b):
    with tenancy.activate(org_a):
        form = PersonSkillForm(data={"skill": people_b.skill.pk, "level": "3"})
        assert not form.is_valid()
        assert "skill" in form.errors


def test_unscoped_sees_every_organization_and_is_undone_after_the_block(org_a, people_a,
                                                                       people_b):
    with tenancy.unscoped():
        assert Skill.objects.count() == 2
        assert tenancy.is_unscoped()
    assert not tenancy.is_unscoped()
    with pytest.raises(TenancyError):
        Skill.objects.count()


def test_a_queryset_built_in_an_organization_sees_everything_when_evaluated_unscoped(
    org_a, people_a, people_b
):
    with tenancy.activate(org_a):
        queryset = Skill.objects.all()
    with tenancy.unscoped():
        assert queryset.count() == 2


def test_all_objects_is_never_scoped(people_a, people_b):
    assert Person.all_objects.count() == 5


def test_activating_an_unsaved_organization_raises():
    from somu.org.models import Organization

    with pytest.raises(TenancyError), tenancy.activate(Organization(name="x", slug="x")):
        pass
