"""Reading a receipt: its text from a PDF's text layer or, for a photo or scan, from Tesseract's
Japanese model, then the fields proposed by :mod:`somu.expenses.formats.receipt_text`.

Nothing here raises on a bad file: a corrupt PDF, an image Pillow cannot open, a type that is not
what it claims, a file over the size limit, a missing ``tesseract`` or one that runs out of time —
each gives an empty :class:`Proposal` whose ``problem`` says why, and the person fills the line in
by hand. Time is bounded: ``SOMU_OCR_TIMEOUT`` seconds (default 20) for one OCR run, and at most
``_MAX_PAGES`` pages of a PDF are read.

Tesseract is run as a command rather than through pytesseract: pytesseract shells out to the
same binary through temporary files, and a direct ``subprocess.run`` with stdin, a timeout and
a killed child on expiry is all that is needed — one dependency fewer.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import time
import warnings
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

from somu.expenses.formats.receipt_text import ReceiptFields, propose

__all__ = ["Problem", "Proposal", "image_reading_available", "ocr_timeout", "problem_message",
           "read_receipt", "read_text"]

if TYPE_CHECKING:
    from pypdf import PageObject

logger = logging.getLogger(__name__)

PDF = "application/pdf"
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/jpg": "JPEG", "image/pjpeg": "JPEG",
               "image/png": "PNG"}
_MAX_PAGES = 5
_MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is downscaled first; more is refused
_DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_DEFAULT_TIMEOUT = 20.0
# Below this width a receipt photo's characters are too small for Tesseract: upscale first.
_MIN_WIDTH = 1200
_MAX_SIDE = 4000
_LANGUAGES = "jpn+eng"
_PAGE_SEGMENTATION = "6"  # one uniform block of text: a receipt's lines, top to bottom


class Problem(StrEnum):
    """Why a receipt gave no proposal (stable codes; the screen translates them)."""

    TOO_LARGE = "too_large"
    EMPTY_FILE = "empty_file"
    UNSUPPORTED_TYPE = "unsupported_type"
    TYPE_MISMATCH = "type_mismatch"  # the bytes are not the type the upload claims
    UNREADABLE = "unreadable"  # corrupt PDF or image
    NO_TEXT = "no_text"  # a PDF without a text layer (a scan) and no image in it to read
    OCR_UNAVAILABLE = "ocr_unavailable"  # tesseract or its Japanese model is not installed
    OCR_TIMEOUT = "ocr_timeout"
    OCR_FAILED = "ocr_failed"
    NOTHING_FOUND = "nothing_found"  # text was read, but no field could be proposed


def problem_message(problem: Problem) -> str:
    """What the screen says about a receipt that proposed nothing, in the user's language."""
    from django.utils.translation import gettext

    messages = {
        Problem.TOO_LARGE: gettext("The receipt file is too large to be read."),
        Problem.EMPTY_FILE: gettext("The receipt file is empty."),
        Problem.UNSUPPORTED_TYPE: gettext("Only PDF, JPEG and PNG receipts can be read."),
        Problem.TYPE_MISMATCH: gettext("The receipt file's content is not the type it claims."),
        Problem.UNREADABLE: gettext("The receipt file is damaged and could not be read."),
        Problem.NO_TEXT: gettext("The PDF has no text to read."),
        Problem.OCR_UNAVAILABLE: gettext(
            "Image reading is off: Tesseract with its Japanese model is not installed."),
        Problem.OCR_TIMEOUT: gettext("Reading the image took too long and was stopped."),
        Problem.OCR_FAILED: gettext("The image could not be read."),
        Problem.NOTHING_FOUND: gettext("Nothing could be read from the receipt."),
    }
    return messages[problem] + " " + gettext("Enter the fields by hand.")


@dataclass(frozen=True)
class Proposal:
    """What a receipt proposes for its expense line, and how it was read."""

    fields: ReceiptFields = field(default_factory=ReceiptFields)
    source: str = "none"  # "pdf_text", "pdf_image_ocr", "image_ocr" or "none"
    text: str = ""  # the text that was read, for the person to see
    problem: Problem | None = None
    seconds: float = 0.0


def ocr_timeout() -> float:
    """Seconds one OCR run may take: ``SOMU_OCR_TIMEOUT``, default 20."""
    try:
        value = float(os.environ.get("SOMU_OCR_TIMEOUT", _DEFAULT_TIMEOUT))
    except ValueError:
        return _DEFAULT_TIMEOUT
    return value if value > 0 else _DEFAULT_TIMEOUT


def _tesseract() -> str | None:
    return shutil.which(os.environ.get("SOMU_TESSERACT", "tesseract"))


@lru_cache(maxsize=4)
def _languages(binary: str) -> frozenset[str]:
    try:
        # the binary is the administrator's (PATH or SOMU_TESSERACT), never a user's input
        done = subprocess.run([binary, "--list-langs"], capture_output=True, timeout=10,  # noqa: S603
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())


def image_reading_available() -> bool:
    """Whether images can be read: ``tesseract`` is installed with its Japanese model."""
    binary = _tesseract()
    return binary is not None and "jpn" in _languages(binary)


def read_receipt(data: bytes, content_type: str, *, timeout: float | None = None,
                 max_bytes: int = _DEFAULT_MAX_BYTES) -> Proposal:
    """Propose the fields of a receipt (PDF, JPEG or PNG). Never raises on a bad file."""
    started = time.monotonic()
    proposal = _read(data, content_type.split(";")[0].strip().lower(),
                     timeout if timeout is not None else ocr_timeout(), max_bytes)
    seconds = round(time.monotonic() - started, 3)
    return Proposal(proposal.fields, proposal.source, proposal.text, proposal.problem, seconds)


def read_text(text: str, *, source: str = "text") -> Proposal:
    """A proposal from text already read (used by :func:`read_receipt`, and by tests)."""
    fields = propose(text.splitlines())
    return Proposal(fields, source, text, Problem.NOTHING_FOUND if fields.empty else None)


def _read(data: bytes, content_type: str, timeout: float, max_bytes: int) -> Proposal:
    if not data:
        return Proposal(problem=Problem.EMPTY_FILE)
    if len(data) > max_bytes:
        return Proposal(problem=Problem.TOO_LARGE)
    if content_type == PDF:
        if data.lstrip()[:5] != b"%PDF-":
            return Proposal(problem=Problem.TYPE_MISMATCH)
        return _read_pdf(data, timeout)
    if content_type in IMAGE_TYPES:
        if _image_kind(data) != IMAGE_TYPES[content_type]:
            return Proposal(problem=Problem.TYPE_MISMATCH)
        return _read_image(data, timeout, source="image_ocr")
    return Proposal(problem=Problem.UNSUPPORTED_TYPE)


def _image_kind(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    return None


# -- PDF ------------------------------------------------------------------------------------

def _read_pdf(data: bytes, timeout: float) -> Proposal:
    from pypdf import PdfReader  # imported here: only receipts need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return Proposal(problem=Problem.UNREADABLE)
            pages = list(reader.pages[:_MAX_PAGES])
            text = "\n".join(_page_text(page) for page in pages).strip()
            if text:
                return read_text(text, source="pdf_text")
            # A scan saved as PDF: read its largest picture instead.
            images = [image.data for page in pages for image in page.images]
    except Exception:  # any parser error means a corrupt file to the person
        logger.info("receipt PDF could not be read", exc_info=True)
        return Proposal(problem=Problem.UNREADABLE)
    if not images:
        return Proposal(problem=Problem.NO_TEXT)
    return _read_image(max(images, key=len), timeout, source="pdf_image_ocr")


def _page_text(page: PageObject) -> str:
    # The layout mode keeps a label and its right-aligned amount on one line, as printed.
    try:
        return page.extract_text(extraction_mode="layout") or ""
    except Exception:  # pypdf's layout mode is younger than its plain mode: fall back
        return page.extract_text() or ""


# -- images ---------------------------------------------------------------------------------

def _read_image(data: bytes, timeout: float, *, source: str) -> Proposal:
    binary = _tesseract()
    if binary is None or "jpn" not in _languages(binary):
        return Proposal(source=source, problem=Problem.OCR_UNAVAILABLE)
    png = _prepare(data)
    if png is None:
        return Proposal(source=source, problem=Problem.UNREADABLE)
    command = [binary, "stdin", "stdout", "-l", _LANGUAGES, "--psm", _PAGE_SEGMENTATION]
    # One thread: OpenMP's default of every core makes several readings at once slower.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(command, input=png, capture_output=True,  # noqa: S603
                              timeout=timeout,
                              check=False, env=env)
    except subprocess.TimeoutExpired:
        return Proposal(source=source, problem=Problem.OCR_TIMEOUT)
    except OSError:
        logger.warning("tesseract could not be started", exc_info=True)
        return Proposal(source=source, problem=Problem.OCR_FAILED)
    if done.returncode != 0:
        logger.warning("tesseract failed: %s", done.stderr.decode("utf-8", "replace")[-500:])
        return Proposal(source=source, problem=Problem.OCR_FAILED)
    proposal = read_text(done.stdout.decode("utf-8", "replace"), source=source)
    return proposal


def _prepare(data: bytes) -> bytes | None:
    """Grayscale, upright (the camera's EXIF orientation), small images upscaled, large
    ones reduced, contrast stretched; as PNG for tesseract's stdin. None if unreadable."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                width, height = opened.size
                if width * height > _MAX_PIXELS * 2:
                    return None
                opened.draft("L", (_MAX_SIDE, _MAX_SIDE))  # JPEG: decode at a reduced size
                image = ImageOps.exif_transpose(opened).convert("L")
        longest = max(image.size)
        if longest > _MAX_SIDE:
            scale = _MAX_SIDE / longest
        elif image.width < _MIN_WIDTH:
            scale = min(_MIN_WIDTH / image.width, 3.0, _MAX_SIDE / longest)
        else:
            scale = 1.0
        if scale != 1.0:
            size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            image = image.resize(size, Image.Resampling.LANCZOS)
        image = ImageOps.autocontrast(image, cutoff=1)
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()
    except Exception:  # truncated, corrupt or hostile images alike
        logger.info("receipt image could not be read", exc_info=True)
        return None
