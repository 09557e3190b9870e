"""Organization B's records of the survey module, for the isolation walker."""

from __future__ import annotations

from typing import Any

from somu.core.registry import Isolation
from somu.org.models import Organization, User
from somu.survey import services
from somu.survey.models import Capability, WorkHours


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    task = services.task_save(actor=admin, task=None, data={
        "function": "総務", "category": "庶務", "name": "ビー社固有業務", "difficulty": 2})
    survey_round = services.round_save(
        actor=admin, survey_round=None, data={"name": "ビー調査 2026"})
    WorkHours.objects.create(organization=organization, round=survey_round,
                             person=people.kimura, task=task, hours=12)
    Capability.objects.create(organization=organization, round=survey_round,
                              person=people.kimura, task=task, level=4)
    return Isolation(ids={"round_id": survey_round.pk, "task_id": task.pk},
                     texts=("ビー社固有業務", "ビー調査"))
