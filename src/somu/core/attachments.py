"""Checking an attached file before it is stored (approvals' attachments, expenses' receipts):
its size against ``SOMU_MAX_ATTACHMENT_BYTES``, its content against the type its name claims
(:mod:`somu.core.sniff`), a clean file name, and its SHA-256 — one place, so every app refuses
the same files with the same words."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from somu.core import sniff


def max_attachment_bytes() -> int:
    return int(getattr(settings, "SOMU_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024))


@dataclass(frozen=True)
class CheckedFile:
    filename: str  # cleaned of path parts and control characters
    content_type: str
    size: int
    sha256: str


def check_attachment(upload: UploadedFile, *, default_name: str = "file",
                     extensions: Collection[str] | None = None,
                     wrong_extension: str = "") -> CheckedFile:
    """The upload's facts, or a ``ValidationError`` on ``file`` saying why it is refused.

    ``extensions`` narrows the accepted kinds (``wrong_extension`` is the message then); the
    upload is left at its start, ready to be stored."""
    limit = max_attachment_bytes()
    size = upload.size or 0
    if size > limit:
        raise ValidationError({"file": _("The file is too large: at most %(size)s.")
                               % {"size": filesizeformat(limit)}})
    filename = sniff.clean_filename(upload.name or default_name)
    if extensions is not None and sniff.extension(filename) not in extensions:
        raise ValidationError({"file": wrong_extension})
    head = upload.read(sniff.HEAD_BYTES)
    upload.seek(0)
    try:
        content_type = sniff.check(filename, head)
        sniff.check_office(filename, upload)
    except sniff.WrongType as error:
        raise ValidationError({"file": _(error.message) % error.params}) from error
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(filename, content_type, size, digest.hexdigest())
