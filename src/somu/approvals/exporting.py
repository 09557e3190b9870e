"""The requests list as Excel or CSV (申請一覧の出力): the rows the list page shows, with the same
filters (:meth:`selectors.RequestFilter.parse` and :func:`selectors.requests_list`).

Values are for people: the state as its Japanese label, names rather than ids, amounts as yen
(a number with the ¥#,##0 format in Excel), dates as dates. CSV comes in the encodings of the
people export (UTF-8 with a BOM for Excel, or CP932), through its helpers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any, Final

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from somu.approvals.models import Request, RequestType, Seat, SeatState, StageKind
from somu.approvals.presenters import yen
from somu.approvals.printing import local_day, state_label
from somu.approvals.selectors import RequestFilter, requests_list
from somu.audit.services import audit_record
from somu.core.money import YEN_EXCEL_FORMAT
from somu.org.exporting import csv_cell, unencodable_error
from somu.org.models import Department, Membership, Person

FORMATS: Final = ("xlsx", "csv")
# The query's encoding → Python's codec; "utf-8" is taken as the BOM'd UTF-8 Excel expects.
ENCODINGS: Final = {"utf-8-bom": "utf-8-sig", "utf-8": "utf-8-sig", "cp932": "cp932"}
HEADERS: Final = ("番号", "件名", "申請種別", "区分", "申請者", "代理申請者", "部署", "金額",
                  "状態", "申請日", "決裁日", "現在の承認者", "規程の版")
AMOUNT, SUBMITTED, DECIDED = HEADERS.index("金額"), HEADERS.index("申請日"), HEADERS.index("決裁日")


def export_rows(membership: Membership, flt: RequestFilter) -> list[list[Any]]:
    """One row per request of the list (three queries whatever their number)."""
    pending = Prefetch(
        "seats", to_attr="pending_seats",
        queryset=Seat.objects.filter(current=True, state=SeatState.PENDING)
        .exclude(stage__kind=StageKind.CIRCULATE).select_related("person").order_by("pk"))
    requests = (requests_list(membership, flt)
                .select_related("submitted_by", "rule_version").prefetch_related(pending))
    return [_row(r) for r in requests]


def _row(r: Request) -> list[Any]:
    decided = r.decided_at if r.state in ("approved", "rejected") else None
    return [
        r.number,
        r.title,
        r.request_type.name,
        r.category,
        r.requester.name,
        r.submitted_by.name if r.submitted_by and r.submitted_by_id != r.requester_id else "",
        r.department.name if r.department else "",
        r.amount,
        state_label(r.state),
        r.submitted_on,
        local_day(decided),
        "、".join(seat.person.name for seat in getattr(r, "pending_seats", [])),
        pgettext("ringi", "Revision %(number)s") % {"number": r.rule_version.number}
        if r.rule_version else "",
    ]


def export_csv(rows: Iterable[list[Any]], *, encoding: str) -> bytes:
    """The rows as CSV in ``encoding`` (a key of :data:`ENCODINGS`), amounts as plain numbers
    a spreadsheet can add up. CP932 refuses, naming the request, a character it cannot hold."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    all_rows = list(rows)
    for row in all_rows:
        writer.writerow([_safe_cell(value) for value in row])
    try:
        return buffer.getvalue().encode(ENCODINGS[encoding])
    except UnicodeEncodeError:
        # Its message names row[1] (件名) and row[0] (番号).
        raise unencodable_error(all_rows, ENCODINGS[encoding]) from None


# A cell a spreadsheet would run as a formula (CSV injection): =, +, -, @, tab, CR, and their
# full-width forms, which Excel reads alike.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def _safe_cell(value: Any) -> str:
    """The CSV text of a cell; text typed by people (a title) that would start a formula is
    kept as text with a leading apostrophe, as Excel itself shows such text."""
    text = csv_cell(value)
    if isinstance(value, str) and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def export_xlsx(rows: Iterable[list[Any]]) -> bytes:
    import xlsxwriter  # loaded on demand

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "remove_timezone": True})
    font = {"font_name": "Yu Gothic", "font_size": 10}
    head = book.add_format({**font, "bold": True, "bg_color": "#EEEEEE", "border": 1})
    plain = book.add_format(font)
    money = book.add_format({**font, "num_format": YEN_EXCEL_FORMAT})
    date = book.add_format({**font, "num_format": "yyyy/m/d"})
    sheet = book.add_worksheet(pgettext("ringi", "Requests")[:31])
    sheet.write_row(0, 0, HEADERS, head)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                sheet.write_blank(count, col, None, plain)
            elif col == AMOUNT:
                sheet.write_number(count, col, value, money)
            elif isinstance(value, dt.date):
                sheet.write_datetime(count, col, dt.datetime.combine(value, dt.time()), date)
            else:
                sheet.write_string(count, col, str(value), plain)
    widths = (16, 32, 14, 12, 14, 14, 14, 13, 10, 11, 11, 22, 9)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, count, len(HEADERS) - 1)
    book.close()
    return buffer.getvalue()


# ---- the filter in words, for the audit log ---------------------------------------------------


def filter_labels() -> dict[str, str]:
    return {
        "type": pgettext("ringi", "Request type"),
        "state": pgettext("ringi", "State"),
        "requester": pgettext("ringi", "Applicant"),
        "department": pgettext("ringi", "Department"),
        "amount_min": pgettext("ringi", "Amount from"),
        "amount_max": pgettext("ringi", "Amount up to"),
        "from": pgettext("ringi", "Created from"),
        "to": pgettext("ringi", "Created up to"),
    }


def filter_errors(flt: RequestFilter) -> list[str]:
    """The filter's bad values as sentences naming the filter and the value."""
    labels = filter_labels()
    return [pgettext("ringi", "“%(value)s” is not a valid value for “%(field)s”.")
            % {"value": value, "field": labels.get(key, key)}
            for key, value in flt.errors.items()]


def filter_text(flt: RequestFilter) -> str:
    """The filter as the audit log shows it: 「状態: 承認済み / 申請種別: 購入申請」."""
    labels = filter_labels()
    parts: list[tuple[str, str]] = []
    def name_of(model: Any, pk: int) -> str:
        return next(iter(model.objects.filter(pk=pk).values_list("name", flat=True)), str(pk))

    if flt.request_type:
        parts.append((labels["type"], name_of(RequestType, flt.request_type)))
    if flt.state:
        parts.append((labels["state"], state_label(flt.state)))
    if flt.requester:
        parts.append((labels["requester"], name_of(Person, flt.requester)))
    if flt.department:
        parts.append((labels["department"], name_of(Department, flt.department)))
    if flt.amount_min is not None:
        parts.append((labels["amount_min"], yen(flt.amount_min)))
    if flt.amount_max is not None:
        parts.append((labels["amount_max"], yen(flt.amount_max)))
    if flt.date_from:
        parts.append((labels["from"], flt.date_from.isoformat()))
    if flt.date_to:
        parts.append((labels["to"], flt.date_to.isoformat()))
    if flt.q:
        parts.append((pgettext("ringi", "Search"), flt.q))
    if flt.mine:
        parts.append((pgettext("ringi", "Only mine"), _("Yes")))
    return " / ".join(f"{k}: {v}" for k, v in parts) or pgettext("ringi", "All requests")


@transaction.atomic
def requests_export_record(*, membership: Membership, flt: RequestFilter, fmt: str,
                           count: int) -> None:
    """Every export is in the audit log: who took which requests out, in what file."""
    audit_record(actor=membership.user, action="approval_request.export",
                 object_type="approvals.request", object_repr=pgettext("ringi", "Requests"),
                 changes={"filter": [None, filter_text(flt)], "format": [None, fmt],
                          "count": [None, count]})
