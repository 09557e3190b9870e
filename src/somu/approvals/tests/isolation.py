"""Organization B's requests and approval rules, for the isolation walker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from somu.approvals.models import PostReview
from somu.approvals.services import decisions, delegations, requests, rules, types
from somu.approvals.services.chart import stage_rule
from somu.core.permissions import Role
from somu.core.registry import Isolation
from somu.org import services as org
from somu.org.models import Department, Membership, Organization, Person, Position, User

NOW = timezone.make_aware(dt.datetime(2026, 6, 15, 10, 0))
TODAY = dt.date(2026, 6, 15)


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    """木村 (B001) files a purchase request with an attachment; his 課長 (B902) decided it in
    the place of the absent approver (代決), leaving a 後閲; a delegation; a rule revision."""
    kacho = org.person_create(actor=None, data={"employee_number": "B902",
                                                "name": "ビー課長", "department": people.somu})
    Person.objects.filter(pk=kacho.pk).update(position=Position.objects.get(name="課長"))
    Department.objects.filter(pk=people.somu.pk).update(head=kacho)
    for username, person in (("b_kimura", people.kimura), ("b_kacho", kacho)):
        user = org.user_create(actor=None, username=username, password="x-Very-long-1",
                               email=f"{username}@b.example")
        org.membership_set(actor=None, user=user, role=Role.EMPLOYEE, person=person)
    built = {t.code: t for t in types.ensure_built_in_types()}
    admin_m = Membership.objects.get(user=admin)
    version = rules.rule_version_save(
        membership=admin_m, effective_from=dt.date(2026, 4, 1), note="ビー社規程",
        rows=[rules.RowInput(1, built["purchase"], (stage_rule({"kind": "decide",
                                                                "approver": "position",
                                                                "value": "課長"}),))],
        now=NOW)
    kimura_m = Membership.objects.get(person=people.kimura)
    kacho_m = Membership.objects.get(person=kacho)
    request = requests.request_save(
        membership=kimura_m, request_type=built["purchase"], requester=people.kimura,
        title="ビー社の購入申請", amount=12_345, category="備品",
        values={"item": "ビー社の品", "quantity": 1, "reason": "ビー社の理由"}, now=NOW)
    attachment = requests.attachment_add(
        membership=kimura_m, request=request,
        upload=SimpleUploadedFile("ビー見積.pdf", "%PDF-1.4 ビー社の見積".encode(),
                                  "application/pdf"),
        now=NOW)
    requests.request_submit(membership=kimura_m, request=request, today=TODAY, now=NOW)
    delegation = delegations.delegation_create(
        membership=kacho_m, principal=kacho, deputy=people.kimura, start=TODAY, end=TODAY,
        note="ビー社の代理", now=NOW)
    draft = requests.request_save(
        membership=kimura_m, request_type=built["purchase"], requester=people.kimura,
        title="ビー社の下書き", amount=1, now=NOW)
    # 代決 needs someone above the approver: the admin's person is not; decide in person.
    decisions.request_decide(membership=kacho_m, request=request, decision="approve",
                             today=TODAY, now=NOW)
    seat = request.seats.get()
    review = PostReview.objects.create(seat=seat, request=request, person=kacho,
                                       created_at=NOW)
    return Isolation(
        ids={"request_id": request.pk, "type_id": built["purchase"].pk,
             "request_attachment_id": attachment.pk, "review_id": review.pk,
             "delegation_id": delegation.pk, "version_id": version.pk,
             "draft_id": draft.pk},
        texts=("ビー社の購入申請", "ビー見積.pdf", "ビー社の代理", "ビー社規程", "ビー社の下書き",
               "ビー社の品"))
