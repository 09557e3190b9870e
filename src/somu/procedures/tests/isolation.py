"""Organization B's records of the procedures module, for the isolation walker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile

from somu.core.registry import Isolation
from somu.org import services as org_services
from somu.org.models import Organization, User
from somu.procedures.services import handover as procedure_handover
from somu.procedures.services import runs as run_services
from somu.procedures.services import schedules as procedure_schedules
from somu.procedures.services import steps as step_services
from somu.procedures.services import templates as template_services


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    """A template, run, step, attachment, schedule and handover."""
    template = template_services.template_save(actor=admin, template=None, spec={
        "name": "ビー社手順",
        "parameters": [{"key": "期日", "type": "date"}],
        "steps": [
            {"key": "first", "name": "ビー社手順 第1段階", "assignee": {"person": "B001"},
             "due": {"from": "期日", "offset": 1}},
            {"key": "second", "name": "ビー社手順 承認", "kind": "approval",
             "assignee": {"person": "B001"}, "depends_on": ["first"]},
        ],
    })
    run = run_services.run_launch(actor=admin, template=template,
                                  params={"期日": "2026-04-01"}, name="ビー社手順 実行")
    step = run.steps.get(key="first")
    attachment = step_services.step_attach(
        actor=admin, step=step, upload=ContentFile(b"b", name="ビー添付.txt"))
    schedule = procedure_schedules.schedule_save(actor=admin, schedule=None, data={
        "template": template, "name": "ビー定期", "rule": {"kind": "weekly", "weekday": 0},
        "params": {}, "owner": people.kimura, "active": True})
    kobayashi = org_services.person_create(actor=None, data={
        "employee_number": "B002", "name": "小林 美咲", "name_kana": "こばやし みさき",
        "department": people.somu})
    handover = procedure_handover.handover_execute(
        actor=admin, from_person=people.kimura, to_person=kobayashi,
        effective_date=dt.date(2026, 4, 1), note="ビー引継")
    return Isolation(
        ids={"template_id": template.pk, "run_id": run.pk, "step_id": step.pk,
             "attachment_id": attachment.pk, "schedule_id": schedule.pk,
             "handover_id": handover.pk},
        texts=("ビー社手順", "ビー定期", "ビー引継", "ビー添付", "小林 美咲"),
    )
