"""The pieces every import page shares: checking the uploaded file, the result the page shows,
and spreadsheet downloads (templates, exports)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from somu.core.tabular import RowError

# A file where every row is wrong would list tens of thousands of errors; the first few hundred
# show the pattern, the CLI prints them all.
ERRORS_SHOWN = 500

SPREADSHEET_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def checked_upload(request: HttpRequest) -> tuple[UploadedFile | None, list[RowError]]:
    """The uploaded ``file``, or why there is none to import (missing, or over the size limit)."""
    upload = request.FILES.get("file")
    if upload is None or not upload.name:
        return None, [RowError(None, "", "", _("Choose an .xlsx or .csv file to import."))]
    if upload.size is not None and upload.size > settings.SOMU_IMPORT_MAX_BYTES:
        return None, [RowError(None, "", upload.name, _(
            "The file is too large: at most %(size)s."
        ) % {"size": filesizeformat(settings.SOMU_IMPORT_MAX_BYTES)})]
    return upload, []


def import_outcome(upload: UploadedFile | None, result: object, errors: list[RowError]
                   ) -> dict[str, Any]:
    """What an import page's result partial shows after a POST."""
    return {
        "posted": True,
        "filename": upload.name if upload is not None else "",
        "result": result,
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
    }


def spreadsheet_download(content: bytes, fmt: str, filename: str) -> HttpResponse:
    """``content`` as an attachment; ``fmt`` is a key of :data:`SPREADSHEET_TYPES`."""
    return HttpResponse(content, content_type=SPREADSHEET_TYPES[fmt], headers={
        "Content-Disposition": content_disposition_header(as_attachment=True, filename=filename),
    })
