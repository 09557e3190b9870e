"""Refusals found in review: whoever filed a request for someone cannot approve it, one person
counts once where several approvals are needed, and odd input gets an error, never a 500."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from somu.approvals import exporting
from somu.approvals.models import EventKind, RequestState
from somu.approvals.selectors import RequestFilter, inbox
from somu.approvals.services import decisions, delegations, requests
from somu.approvals.services.rules import RowInput, rule_version_save
from somu.approvals.tests.builders import NOW, TODAY, World, install_rules, purchase, stage
from somu.core import tenancy


def decide(world: World, who: str, request, decision: str = "approve", **kwargs):
    with tenancy.activate(world.org):
        return decisions.request_decide(membership=world.m(who), request=request,
                                        decision=decision, today=TODAY, now=NOW, **kwargs)


def test_whoever_filed_a_request_for_someone_cannot_approve_it(world):
    # The 秘書 (本社) files for 鈴木; the 本社's members are consulted, the 秘書 among them.
    t = world.types
    install_rules(world, [
        RowInput(1, t["purchase"], (stage("consult", "group", str(world.depts["honsha"].pk),
                                          quorum="all"),
                                    stage("decide", "position", "課長"))),
        RowInput(2, t["contract"], (stage("decide", "position", "部長"),)),
        RowInput(3, t["ringi"], (stage("decide", "position", "部長"),))],
        effective=dt.date(2026, 5, 1))
    request = purchase(world, "secretary", requester="suzuki", amount=50_000)
    with tenancy.activate(world.org):
        assert inbox(world.people["secretary"], today=TODAY) == []
    with pytest.raises(PermissionDenied):
        decide(world, "secretary", request)


def test_one_person_counts_once_where_all_must_agree(world):
    # 加藤 is 吉田's deputy: in the 経理部 合議 (all must agree) he may not agree twice.
    with tenancy.activate(world.org):
        delegations.delegation_create(membership=world.m("yoshida"),
                                      principal=world.people["yoshida"],
                                      deputy=world.people["kato"], start=TODAY, end=TODAY,
                                      now=NOW)
    request = purchase(world, amount=600_000)
    decide(world, "kato", request)
    with tenancy.activate(world.org):
        yoshida_seat = request.seats.get(person=world.people["yoshida"])
    with pytest.raises(PermissionDenied):
        decide(world, "kato", request, seat=yoshida_seat.pk, acting="delegate")


def test_a_resubmission_with_nothing_changed_does_not_say_the_route_changed(world):
    request = purchase(world, amount=210_000)
    decide(world, "ito", request)
    decide(world, "yamamoto", request, "return", comment="課長へ", return_to=0)
    decide(world, "ito", request, "return", comment="申請者へ")
    with tenancy.activate(world.org):
        request = requests.request_submit(membership=world.m("suzuki"), request=request,
                                          today=TODAY, now=NOW)
        assert not request.events.filter(kind=EventKind.ROUTE_CHANGED).exists()


@pytest.mark.parametrize("amount", ["²", "1e5", "12.5", "-1", "１０００００００００００００００"])
def test_odd_amounts_are_refused_naming_the_field(world, amount):
    with tenancy.activate(world.org), pytest.raises(ValidationError) as caught:
        requests.request_save(membership=world.m("suzuki"), request_type=world.types["purchase"],
                              requester=world.people["suzuki"], title="机", amount=amount,
                              now=NOW)
    assert "amount" in caught.value.message_dict


def test_full_width_digits_are_an_amount(world):
    with tenancy.activate(world.org):
        draft = requests.request_save(
            membership=world.m("suzuki"), request_type=world.types["purchase"],
            requester=world.people["suzuki"], title="机", amount="１２０,０００",
            now=NOW)
    assert draft.amount == 120_000


def test_a_number_field_refuses_exponents_and_absurd_sizes(world):
    with tenancy.activate(world.org), pytest.raises(ValidationError) as caught:
        requests.request_save(membership=world.m("suzuki"), request_type=world.types["purchase"],
                              requester=world.people["suzuki"], title="机", amount=1,
                              values={"quantity": "1e5000"}, now=NOW)
    assert "quantity" in caught.value.message_dict


def test_list_filters_with_odd_digits_are_named_not_crashed():
    flt = RequestFilter.parse({"amount_min": "²", "type": "①"})
    assert set(flt.errors) == {"amount_min", "type"}


def test_the_service_refuses_a_row_with_a_category_or_person_field_the_type_lacks(world):
    t = world.types
    rows = [RowInput(1, t["purchase"], (stage("decide", "field", "approver"),),
                     category="家具"),
            RowInput(2, t["contract"], (stage("decide", "position", "部長"),)),
            RowInput(3, t["ringi"], (stage("decide", "position", "部長"),))]
    with tenancy.activate(world.org), pytest.raises(ValidationError) as caught:
        rule_version_save(membership=world.m("admin"), effective_from=TODAY, rows=rows, now=NOW)
    assert len(caught.value.message_dict["row_1"]) == 2


def test_a_title_that_would_run_as_a_formula_is_exported_as_text(world):
    request = purchase(world, amount=1_000, title="=HYPERLINK(\"http://evil\",\"x\")")
    with tenancy.activate(world.org):
        rows = exporting.export_rows(world.m("admin"), RequestFilter.parse({}))
        content = exporting.export_csv(rows, encoding="utf-8").decode("utf-8-sig")
    assert "'=HYPERLINK" in content
    assert request.number in content


def _docx(macro: bool = False, part: str = "word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<w:document/>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\x00")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content", "ok"), [
    ("契約書案.docx", _docx(), True),
    ("契約書案.docx", _docx(macro=True), False),
    ("見積.xlsx", _docx(), False),  # a Word document named .xlsx
    ("メモ.txt", b"<script>alert(1)</script>", False),
])
def test_office_files_must_be_what_they_say_and_carry_no_macros(world, name, content, ok):
    with tenancy.activate(world.org):
        draft = purchase(world, amount=1_000, submit=False)
        upload = SimpleUploadedFile(name, content)
        if ok:
            requests.attachment_add(membership=world.m("suzuki"), request=draft,
                                    upload=upload, now=NOW)
        else:
            with pytest.raises(ValidationError):
                requests.attachment_add(membership=world.m("suzuki"), request=draft,
                                        upload=upload, now=NOW)
        assert draft.attachments.count() == (1 if ok else 0)


def test_a_newline_in_a_file_name_is_dropped(world):
    with tenancy.activate(world.org):
        draft = purchase(world, amount=1_000, submit=False)
        attachment = requests.attachment_add(
            membership=world.m("suzuki"), request=draft, now=NOW,
            upload=SimpleUploadedFile("見積\n書.pdf", b"%PDF-1.4 x"))
    assert attachment.filename == "見積書.pdf"
    assert draft.state == RequestState.DRAFT
