"""The 電帳法 search exported for an auditor or a tax office: a ZIP with an index CSV and the
receipt files, audited. The same search over the same records gives the same bytes."""

from __future__ import annotations

import csv
import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from somu.approvals.services.base import audit_actor
from somu.audit.services import audit_record
from somu.core import sniff
from somu.core.permissions import require
from somu.expenses import permissions as p
from somu.expenses.selectors.search import MAX_EXPORT, SearchParams, search_lines
from somu.org.models import Membership

INDEX_COLUMNS = ("取引年月日", "金額", "取引先", "勘定科目", "申請番号", "ファイル名", "SHA-256",
                 "保存期限")
_STAMP = (1980, 1, 1, 0, 0, 0)  # no time in the archive: it is reproducible


def _entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_STAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def search_export(*, membership: Membership, params: SearchParams) -> tuple[str, bytes]:
    """The ZIP of the lines the search finds: ``index.csv`` (UTF-8 with BOM) and
    ``receipts/<claim number>/<line>-<file name>`` for each line's receipt."""
    require(membership, p.SEARCH_EXPENSES)
    lines = list(search_lines(params)[:MAX_EXPORT + 1])
    if len(lines) > MAX_EXPORT:
        raise ValidationError(_("More than %(n)s lines match: narrow the search.")
                              % {"n": f"{MAX_EXPORT:,}"})
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(INDEX_COLUMNS)
    files: list[tuple[str, bytes]] = []
    for line in lines:
        claim = line.claim
        number = claim.request.number
        receipt = line.receipt
        name = ""
        if receipt is not None:
            name = f"receipts/{number}/{line.number:03d}-{sniff.clean_filename(receipt.filename)}"
            with receipt.file.open("rb") as handle:
                files.append((name, handle.read()))
        writer.writerow((line.date.isoformat(), line.amount, line.payee, line.account.name,
                         number, name, receipt.sha256 if receipt else "",
                         claim.retain_until.isoformat() if claim.retain_until else ""))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _entry(archive, "index.csv", "\ufeff".encode() + text.getvalue().encode())
        for name, data in files:
            _entry(archive, name, data)
    criteria = {k: v for k, v in params.as_dict().items() if v}
    audit_record(actor=audit_actor(membership), action="expense_search.export",
                 object_type="expenses.search", object_repr=_("電帳法 search"),
                 changes={"criteria": [None, criteria], "lines": [None, len(lines)],
                          "receipts": [None, len(files)]})
    return "densho-search.zip", buffer.getvalue()
