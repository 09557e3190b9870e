"""The pieces every import page shares: checking the uploaded file, keeping it between the
preview and the confirmation, the result the page shows, and spreadsheet downloads (templates,
exports)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from somu.core.requests import AuthedRequest
from somu.core.tabular import ImportFailed, RowError, Source

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
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        except FileNotFoundError:  # another process swept it first
            continue
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


# run(source, filename, options, dry_run) → the importer's result; raises ImportFailed.
ImportRun = Callable[[Source, str, dict[str, Any], bool], object]


def import_steps(request: AuthedRequest, *, purpose: str, options: dict[str, Any],
                 run: ImportRun) -> dict[str, Any]:
    """The POST of an import page, in two steps.

    An upload is checked: ``run`` with ``dry_run`` (its result is the preview), and the file is
    kept with ``options`` for the confirmation. A POST carrying the preview's ``token`` runs
    the kept file for real with the options it was previewed with, then forgets it. ``purpose``
    names the import (and the record it goes into) so a token cannot be replayed elsewhere.
    """
    membership = request.membership
    who: dict[str, Any] = {"purpose": purpose, "user_id": request.user.pk,
                           "organization_id": membership.organization_id}
    if token := request.POST.get("token"):
        try:
            kept = upload_take(token=token, **who)
        except UploadExpired:
            return {**import_outcome(None, None, [expired_error()]), "token": ""}
        result = None
        errors: list[RowError] = []
        try:
            result = run(kept.path, kept.filename, kept.options, False)
        except ImportFailed as exc:  # the data changed since the preview
            errors = exc.errors
        finally:
            kept.path.unlink(missing_ok=True)
        return {**import_outcome(None, result, errors), "filename": kept.filename, "token": ""}
    upload, errors = checked_upload(request)
    result, token = None, ""
    if upload is not None:
        try:
            result = run(cast(IO[bytes], upload), upload.name or "", options, True)
        except ImportFailed as exc:
            errors = exc.errors
        else:
            token = upload_keep(upload=upload, options=options, **who)
    return {**import_outcome(upload, result, errors), "token": token}


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
