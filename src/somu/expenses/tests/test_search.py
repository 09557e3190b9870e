"""The 電帳法 search: date, amount and payee ranges in combination, boundaries included, only
approved claims; its ZIP (index CSV with BOM and the receipts) and who may use it."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.permissions import Role
from somu.expenses.models import Account
from somu.expenses.selectors.search import search_lines, search_params
from somu.expenses.services import claims, receipts
from somu.expenses.services.search_export import INDEX_COLUMNS, search_export
from somu.expenses.tests.accounting import line
from somu.expenses.tests.builders import NOW, TODAY, approve, new_claim

pytestmark = pytest.mark.django_db

PDF = "%PDF-1.4 領収書 丸善".encode()


@pytest.fixture(name="api_as")
def api_as_fixture(api_as):
    return functools.partial(api_as, prefix="/api/v1/expenses")


@pytest.fixture
def stored(world):
    """Three approved lines (one with a receipt) and a draft line that is not stored yet."""
    claim = new_claim(world, lines=[line(1280, "JR東日本", "2026-06-01"),
                                    line(5000, "東京メトロ", "2026-06-10")])
    with tenancy.activate(world.org):
        m = world.m("suzuki")
        receipt = receipts.receipt_add(membership=m, claim=claim.pk, upload=SimpleUploadedFile(
            "丸善の領収書.pdf", PDF, "application/pdf"), now=NOW)
        claims.line_save(membership=m, claim=claim, data={
            "date": "2026-06-12", "payee": "株式会社 丸善", "purpose": "技術書",
            "account": Account.objects.get(name="新聞図書費").pk, "amount": 3300,
            "tax_rate": "taxable_10", "registration_number": "T7010001008844",
            "receipt": receipt.pk}, today=TODAY, now=NOW)
        claims.claim_submit(membership=m, claim=claim, today=TODAY, now=NOW)
    approve(world, claim)
    new_claim(world, lines=[line(5000, "東京メトロ", "2026-06-10")])  # a draft
    return claim


def found(world, **criteria):
    with tenancy.activate(world.org):
        return [(x.payee, x.amount) for x in search_lines(search_params(criteria))]


def test_each_criterion_and_their_combination_with_inclusive_bounds(world, stored):
    assert len(found(world)) == 3  # the draft is not stored
    assert found(world, date_from="2026-06-10", date_to="2026-06-12") == [
        ("東京メトロ", 5000), ("株式会社 丸善", 3300)]
    assert found(world, amount_min="3300", amount_max="5,000") == [
        ("東京メトロ", 5000), ("株式会社 丸善", 3300)]
    assert found(world, payee="丸善") == [("株式会社 丸善", 3300)]
    assert found(world, payee="jr") == [("JR東日本", 1280)]
    assert found(world, date_from="2026-06-02", amount_max=4999, payee="株式") == [
        ("株式会社 丸善", 3300)]
    assert found(world, date_to="2026-05-31") == []
    assert found(world, amount_min=5001) == []


def test_bad_criteria_name_their_field(world):
    with pytest.raises(ValidationError) as caught:
        search_params({"date_from": "2026-13-01", "amount_min": "-1", "amount_max": "1.5"})
    assert set(caught.value.message_dict) == {"date_from", "amount_min", "amount_max"}
    with pytest.raises(ValidationError) as caught:
        search_params({"date_from": "2026-06-02", "date_to": "2026-06-01",
                       "amount_min": 10, "amount_max": 9})
    assert set(caught.value.message_dict) == {"date_to", "amount_max"}


def test_the_zip_holds_the_index_and_the_receipts_and_is_audited(world, stored):
    with tenancy.activate(world.org):
        name, data = search_export(membership=world.m("secretary"),
                                   params=search_params({"date_from": "2026-06-10"}))
        again = search_export(membership=world.m("secretary"),
                              params=search_params({"date_from": "2026-06-10"}))[1]
        event = AuditEvent.objects.filter(action="expense_search.export").first()
    assert data == again and name.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(data))
    index = archive.read("index.csv")
    assert index.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(index.decode("utf-8-sig"))))
    assert tuple(rows[0]) == INDEX_COLUMNS
    number = stored.request.number
    receipt_name = f"receipts/{number}/003-丸善の領収書.pdf"
    assert rows[1:] == [
        ["2026-06-10", "5000", "東京メトロ", "旅費交通費", number, "", "", "2034-05-31"],
        ["2026-06-12", "3300", "株式会社 丸善", "新聞図書費", number, receipt_name,
         hashlib.sha256(PDF).hexdigest(), "2034-05-31"]]
    assert archive.read(receipt_name) == PDF
    assert event is not None and event.changes["lines"] == [None, 2]


def test_only_search_holders_search(world, stored, make_user, client_as, api_as):
    auditor = make_user("u_auditor", world.org, Role.AUDITOR)
    for user in (auditor, world.users["secretary"]):
        page = client_as(user, world.org).get("/expenses/search/", {"payee": "丸善"})
        assert page.status_code == 200 and "T7010001008844" not in page.content.decode()
        assert hashlib.sha256(PDF).hexdigest() in page.content.decode()
        answer = api_as(user).get("/search", payee="丸善", amount_min=3300)
        assert [x["amount"] for x in answer.json()] == [3300]
        exported = api_as(user).post("/search/export", {"payee": "丸善"})
        assert exported.status_code == 200 and exported["Content-Type"] == "application/zip"
    for who in ("suzuki", "ito"):
        user = world.users[who]
        assert client_as(user, world.org).get("/expenses/search/").status_code == 403
        assert api_as(user).get("/search").status_code == 403
        with tenancy.activate(world.org), pytest.raises(PermissionDenied):
            search_export(membership=world.m(who), params=search_params({}))
    bad = api_as(auditor).get("/search", date_from="2026-06-10", date_to="2026-06-01")
    assert bad.status_code == 422
    page = client_as(auditor, world.org).get("/expenses/search/", {"amount_min": "x"})
    assert page.status_code == 422


def test_the_search_page_and_the_period_page_read_a_fixed_number_of_queries(world, stored,
                                                                            client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(world.users["secretary"], world.org)

    def count(path, data):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, data).status_code == 200
        return len(queries)

    assert count("/expenses/search/", {"payee": "丸善"}) == count(
        "/expenses/search/", {"date_from": "2026-06-01"})  # 1 line, then 3
    assert count("/expenses/bank-accounts/", {}) <= 12
