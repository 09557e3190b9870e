"""Organization B's records of the organization module, for the isolation walker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from somu.core.permissions import Role
from somu.core.registry import Isolation
from somu.org import invitations, services, services_positions
from somu.org.models import CompanyHoliday, Membership, Organization, User


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    membership = Membership.objects.get(user=admin)
    token, _raw = services.api_token_create(actor=admin, membership=membership, name="b")
    holiday = CompanyHoliday.objects.first()
    assert holiday is not None
    invitation, _url, _sent = invitations.invitation_create(
        actor=admin, email="invitee@b.example", role=Role.STAFF,
        now=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    position = services_positions.position_save(actor=admin, position=None,
                                                data={"name": "ビー顧問", "rank": 2})
    return Isolation(
        ids={"person_id": people.kimura.pk, "department_id": people.somu.pk,
             "grade_id": people.grade.pk, "skill_id": people.skill.pk,
             "holiday_id": holiday.pk, "token_id": token.pk, "membership_id": membership.pk,
             "invitation_id": invitation.pk, "position_id": position.pk},
        texts=("木村 拓也", "ビー商事", "B001", "簿記", "admin_b", "きむら", "invitee@b.example",
               "ビー顧問"),
    )

