"""What a file really is, from its first bytes: an attachment must be the type its name claims.

A file named ``見積書.pdf`` that is an executable, or a ``.png`` that is a ZIP, is refused. Pure
(no Django): the callers translate the message.
"""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import IO, Final


def gettext_noop(message: str) -> str:
    """Marks a message for the catalog; the caller translates it (this module has no Django)."""
    return message


HEAD_BYTES: Final = 8192

NOT_ACCEPTED: Final = gettext_noop(
    "Files of type “%(ext)s” are not accepted (accepted: %(accepted)s).")
NOT_WHAT_IT_SAYS: Final = gettext_noop(
    "“%(name)s” is not a %(ext)s file: its content is of another type.")
MACROS: Final = gettext_noop("“%(name)s” contains macros, which are not accepted.")

# Extension -> (MIME type, check of the head bytes).
_ZIP: Final = b"PK\x03\x04"
_OLE2: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp932"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the head is still text.
            if error.start >= len(head) - 3:
                return True
    return False


def _office(part: bytes) -> object:
    return lambda head: head.startswith(_ZIP) and (part in head or b"[Content_Types].xml" in head)


def _text(head: bytes) -> bool:
    # Markup (HTML, SVG, script) named .txt or .csv is not plain text.
    return _is_text(head) and not head.lstrip().startswith(b"<")


_HEIF_BRANDS: Final = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")


KINDS: Final[dict[str, tuple[str, object]]] = {
    "pdf": ("application/pdf", lambda head: head.lstrip()[:5] == b"%PDF-"),
    "jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "gif": ("image/gif", lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    "heic": ("image/heic", lambda head: head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             _office(b"xl/")),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             _office(b"word/")),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
             _office(b"ppt/")),
    "xls": ("application/vnd.ms-excel", lambda head: head.startswith(_OLE2)),
    "doc": ("application/msword", lambda head: head.startswith(_OLE2)),
    "zip": ("application/zip", lambda head: head.startswith(_ZIP)),
    "csv": ("text/csv", _text),
    "txt": ("text/plain", _text),
}


@dataclass
class WrongType(Exception):
    """The file is not what its name says, or of a type not accepted (English message with
    ``%(name)s`` parameters, translated by the caller)."""

    message: str
    params: dict[str, str] = field(default_factory=dict)


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def accepted_extensions() -> str:
    return ", ".join(sorted(KINDS))


def check(filename: str, head: bytes) -> str:
    """The MIME type of a file whose first bytes are ``head``; raises :class:`WrongType`."""
    ext = extension(filename)
    if ext not in KINDS:
        raise WrongType(NOT_ACCEPTED,
                        {"ext": ext or "?", "accepted": accepted_extensions()})
    mime, matches = KINDS[ext]
    if not head or not matches(head):  # type: ignore[operator]
        raise WrongType(NOT_WHAT_IT_SAYS,
                        {"name": filename, "ext": ext.upper()})
    return mime


# The part an Office document of each kind must contain, read from the ZIP's directory.
OFFICE_PARTS: Final = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml",
                       "pptx": "ppt/presentation.xml"}


def check_office(filename: str, file: IO[bytes]) -> None:
    """A .docx/.xlsx/.pptx must be that kind of document and carry no macros (a renamed
    .docm/.xlsm, or another kind's file); raises :class:`WrongType`."""
    ext = extension(filename)
    if ext not in OFFICE_PARTS:
        return
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise WrongType(NOT_WHAT_IT_SAYS,
                        {"name": filename, "ext": ext.upper()}) from error
    finally:
        file.seek(0)
    if OFFICE_PARTS[ext] not in names:
        raise WrongType(NOT_WHAT_IT_SAYS,
                        {"name": filename, "ext": ext.upper()})
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise WrongType(MACROS, {"name": filename})


def clean_filename(name: str) -> str:
    """The user's file name without a path and without control characters (a newline in a
    name would break the download's header)."""
    base = (name or "file").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf")).strip()
    return base[:255] or "file"
