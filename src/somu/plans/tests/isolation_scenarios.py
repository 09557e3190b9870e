"""Organization B's scenarios records, for the isolation walker: a round with one person's hours
and a scenario with one operation on it."""

from __future__ import annotations

from typing import Any

from somu.core.registry import Isolation
from somu.org.models import Organization, User
from somu.plans.models import Scenario
from somu.survey import services as survey_services
from somu.survey.models import Capability, WorkHours


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    task = survey_services.task_save(actor=admin, task=None, data={
        "function": "総務", "category": "庶務", "name": "ビー社シナリオ業務", "difficulty": 2})
    survey_round = survey_services.round_save(
        actor=admin, survey_round=None, data={"name": "ビー新体制の調査"})
    WorkHours.objects.create(organization=organization, round=survey_round,
                             person=people.kimura, task=task, hours=20)
    Capability.objects.create(organization=organization, round=survey_round,
                              person=people.kimura, task=task, level=4)
    scenario = Scenario.objects.create(
        name="ビー社の新体制案", round=survey_round,
        operations=[{"op": "drop", "task": task.pk}])
    return Isolation(ids={"scenario_id": scenario.pk}, texts=("ビー社の新体制案",))
