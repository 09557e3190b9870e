"""The pieces every import page shares: checking the uploaded file, keeping it between the
preview and the confirmation, the result the page shows, and spreadsheet downloads (templates,
exports)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
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


# ---- keeping an upload between the preview and the confirmation ---------------------------------
#
# An import page previews the file first and imports it only when the user confirms. The file is
# kept server-side for that step rather than uploaded again: a browser cannot refill a file
# field, and a second upload could be a different file than the one previewed. It is stored
# under the data directory with a random name, and the page carries a signed token (file name,
# purpose, user, organization, options) that expires; the confirmation deletes the file, and
# every new preview sweeps files older than the expiry.

KEEP_SECONDS = 3600
_SALT = "somu.core.uploads.kept"


@dataclass(frozen=True)
class KeptUpload:
    path: Path
    filename: str
    options: dict[str, Any]


class UploadExpired(Exception):
    """The token is expired, forged, someone else's, or its file is gone."""


def _kept_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def upload_keep(*, upload: UploadedFile, purpose: str, user_id: int, organization_id: int,
                options: dict[str, Any] | None = None) -> str:
    """Store ``upload`` for the confirmation step; returns the signed token naming it."""
    directory = _kept_dir()
    directory.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_SECONDS
    for old in directory.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    key = secrets.token_hex(16)
    with (directory / key).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return signing.dumps({"key": key, "name": upload.name or "", "purpose": purpose,
                          "user": user_id, "org": organization_id, "options": options or {}},
                         salt=_SALT, compress=True)


def upload_take(*, token: str, purpose: str, user_id: int, organization_id: int) -> KeptUpload:
    """The upload a token names, if it is this user's, for this purpose, and not expired."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=KEEP_SECONDS)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise UploadExpired from exc
    if (data.get("purpose"), data.get("user"), data.get("org")) != (
            purpose, user_id, organization_id):
        raise UploadExpired
    path = _kept_dir() / str(data["key"])
    if not path.is_file():
        raise UploadExpired
    return KeptUpload(path, str(data["name"]), dict(data["options"]))


def expired_error() -> RowError:
    return RowError(None, "", "", _(
        "This preview has expired or was already imported; choose the file and check it again."))


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
