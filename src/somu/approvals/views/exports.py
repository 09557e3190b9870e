"""The printable 稟議書 (page and PDF) and the requests list as Excel or CSV.

The 稟議書 is for whoever may read the request (:func:`selectors.can_read`); anyone else gets
404, as if it did not exist. The export lists exactly the rows the list page shows its user.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from somu.approvals import exporting, kinds, printing
from somu.approvals.models import Request
from somu.approvals.selectors import RequestFilter, can_read
from somu.core.requests import AuthedRequest
from somu.core.uploads import spreadsheet_download


def member_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the active organization open to every member: what they may see of it is
    decided by the reading rules (:func:`selectors.visible_requests`), not by a permission."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "membership", None) is None:
            return render(request, "no_organization.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _readable(request: AuthedRequest, request_id: int) -> Request:
    try:
        approval = printing.reading_request(request_id)
    except Request.DoesNotExist:
        raise Http404 from None
    # As the request page: also a deputy of the day and someone above a pending approver.
    if not can_read(request.membership, approval, today=timezone.localdate()):
        raise Http404
    return approval


@require_GET
@member_view
def request_print(request: AuthedRequest, request_id: int) -> HttpResponse:
    approval = _readable(request, request_id)
    # A request kind's content (経費精算's lines) printed under the sheet's own rows.
    kind = kinds.kind_of(approval.request_type)
    return render(request, "approvals/print/ringi.html", {
        "approval": approval, "sheet": printing.ringi_sheet(approval),
        "kind_section": mark_safe(kind.section(request, approval))  # noqa: S308 (the app's template)
        if kind is not None and kind.section is not None else ""})


@require_GET
@member_view
def request_pdf(request: AuthedRequest, request_id: int) -> HttpResponse:
    approval = _readable(request, request_id)
    content = printing.ringi_pdf(printing.ringi_sheet(approval))
    filename = printing.pdf_filename(approval)
    # Shown in the browser's viewer (to print) rather than saved; the name (稟議-2026-00042.pdf)
    # goes per RFC 5987 for when it is saved.
    return HttpResponse(content, content_type="application/pdf", headers={
        "Content-Disposition": content_disposition_header(as_attachment=False,
                                                          filename=filename)})


@require_GET
@member_view
def request_export(request: AuthedRequest) -> HttpResponse:
    """The list's rows (same query string as the list page) as .xlsx, or .csv with
    ``encoding`` utf-8-bom or cp932. Bad filter values get a 400 page naming them."""
    fmt = request.GET.get("format", "xlsx")
    encoding = request.GET.get("encoding", "utf-8-bom")
    flt = RequestFilter.parse(request.GET)
    problems = exporting.filter_errors(flt)
    if fmt not in exporting.FORMATS:
        problems.append(pgettext("ringi", "Choose the format xlsx or csv."))
    if fmt == "csv" and encoding not in exporting.ENCODINGS:
        problems.append(pgettext("ringi", "Choose the encoding utf-8-bom or cp932."))
    if problems:
        return render(request, "approvals/print/export_error.html",
                      {"problems": problems, "back": _list_url(request)}, status=400)
    rows = exporting.export_rows(request.membership, flt)
    stem = f"{pgettext('ringi', 'Requests')}-{timezone.localdate():%Y%m%d}"
    if fmt == "xlsx":
        content = exporting.export_xlsx(rows)
        filename = f"{stem}.xlsx"
    else:
        try:
            content = exporting.export_csv(rows, encoding=encoding)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(_list_url(request))
        filename = f"{stem}{'-sjis' if encoding == 'cp932' else ''}.csv"
    exporting.requests_export_record(membership=request.membership, flt=flt, fmt=fmt,
                                     count=len(rows))
    response = spreadsheet_download(content, fmt, filename)
    if fmt == "csv" and encoding == "cp932":
        response["Content-Type"] = "text/csv; charset=shift_jis"
    return response


def _list_url(request: HttpRequest) -> str:
    query = request.GET.copy()
    for key in ("format", "encoding"):
        query.pop(key, None)
    return f"{reverse('approvals:request_list')}?{query.urlencode()}".rstrip("?")
