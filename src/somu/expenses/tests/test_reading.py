"""Reading a receipt file: a PDF's text layer, an image through Tesseract, and every bad file
giving an empty proposal with its reason instead of an error. No database needed."""

import io
import os
import stat
import struct
import zlib
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from somu.expenses import reading
from somu.expenses.reading import Problem, image_reading_available, read_receipt

LINES = [
    "領収書",
    "株式会社やまびこ商店",
    "東京都千代田区神田1-2-3",
    "登録番号 T7000012050002",
    "2025年1月5日 12:34",
    "コピー用紙 ¥1,100",
    "お茶 ¥324",
    "小計 ¥1,424",
    "10%対象 ¥1,100 内消費税 ¥100",
    "8%対象 ¥324 内消費税 ¥24",
    "合計 ¥1,424",
    "お預り ¥2,000",
    "お釣り ¥576",
]
NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _pdf(lines=LINES) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont("HeiseiKakuGo-W5", 11)
    for index, line in enumerate(lines):
        page.drawString(60, 780 - 18 * index, line)
    page.save()
    return out.getvalue()


def _image(lines=LINES) -> Image.Image:
    font = ImageFont.truetype(str(NOTO), 30)
    image = Image.new("L", (760, 48 * len(lines) + 60), 255)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((30, 30 + 48 * index), line, font=font, fill=0)
    return image


def _encoded(image: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind, **options)
    return out.getvalue()


@pytest.fixture
def ocr():
    if not (image_reading_available() and NOTO.exists()):
        if os.environ.get("CI"):
            pytest.fail("tesseract-ocr, tesseract-ocr-jpn and fonts-noto-cjk are needed in CI")
        pytest.skip("tesseract with its Japanese model (or Noto Sans CJK) is not installed")


def _assert_the_four_fields(proposal):
    assert proposal.problem is None, proposal.text
    fields = proposal.fields
    assert fields.date is not None and fields.date.value == date(2025, 1, 5)
    assert fields.amount is not None and fields.amount.value == 1424
    assert fields.payee is not None and fields.payee.value == "株式会社やまびこ商店"
    assert fields.registration_number is not None
    assert fields.registration_number.value == "T7000012050002"


def test_it_reads_a_pdf_text_layer():
    proposal = read_receipt(_pdf(), "application/pdf")
    assert proposal.source == "pdf_text"
    _assert_the_four_fields(proposal)
    assert [(s.rate, s.amount, s.tax) for s in proposal.fields.tax_subtotals] == [
        (10, 1100, 100), (8, 324, 24)]


def test_it_reads_a_png_with_tesseract(ocr):
    proposal = read_receipt(_encoded(_image(), "PNG"), "image/png")
    assert proposal.source == "image_ocr"
    _assert_the_four_fields(proposal)


def test_it_turns_a_phone_photo_upright_from_its_exif_orientation(ocr):
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view": the pixels are stored turned left
    stored = _image().rotate(90, expand=True)
    proposal = read_receipt(_encoded(stored, "JPEG", quality=90, exif=exif), "image/jpeg")
    fields = proposal.fields  # (JPEG's artefacts may cost the payee a character)
    assert fields.date is not None and fields.date.value == date(2025, 1, 5)
    assert fields.amount is not None and fields.amount.value == 1424
    assert fields.registration_number is not None
    assert fields.registration_number.value == "T7000012050002"


def test_it_reads_a_scan_saved_as_pdf_through_its_picture(ocr):
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    image = _image()
    page.drawImage(ImageReader(image), 20, 200, width=image.width * 0.7,
                   height=image.height * 0.7)
    page.save()
    proposal = read_receipt(out.getvalue(), "application/pdf")
    assert proposal.source == "pdf_image_ocr"
    _assert_the_four_fields(proposal)


def test_without_tesseract_image_reading_is_off_and_says_so(monkeypatch):
    monkeypatch.setenv("SOMU_TESSERACT", "/nonexistent/tesseract")
    assert not image_reading_available()
    png = _encoded(Image.new("L", (10, 10), 255), "PNG")
    proposal = read_receipt(png, "image/png")
    assert proposal.problem is Problem.OCR_UNAVAILABLE and proposal.fields.empty
    # a PDF's text layer needs no OCR
    assert read_receipt(_pdf(), "application/pdf").problem is None


def test_an_ocr_run_that_takes_too_long_is_stopped(monkeypatch, tmp_path):
    fake = tmp_path / "tesseract"
    fake.write_text('#!/bin/sh\nif [ "$1" = "--list-langs" ]; then\n'
                    '  echo "List of available languages (2):"; echo eng; echo jpn; exit 0\n'
                    'fi\nexec sleep 30\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("SOMU_TESSERACT", str(fake))
    monkeypatch.setenv("SOMU_OCR_TIMEOUT", "0.5")
    assert reading.ocr_timeout() == 0.5
    proposal = read_receipt(_encoded(Image.new("L", (10, 10), 255), "PNG"), "image/png")
    assert proposal.problem is Problem.OCR_TIMEOUT
    assert proposal.seconds < 10


@pytest.mark.parametrize("value, seconds", [("", 20.0), ("abc", 20.0), ("-3", 20.0), ("7", 7.0)])
def test_the_timeout_comes_from_the_environment(monkeypatch, value, seconds):
    monkeypatch.setenv("SOMU_OCR_TIMEOUT", value)
    assert reading.ocr_timeout() == seconds


def _png_claiming(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + header
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)))


@pytest.mark.parametrize("data, content_type, problem", [
    (b"", "application/pdf", Problem.EMPTY_FILE),
    (b"%PDF-1.7\n1 0 obj <<>> garbage", "application/pdf", Problem.UNREADABLE),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "image/png", Problem.UNREADABLE),
    (b"\xff\xd8\xff\xe0 truncated", "image/jpeg", Problem.UNREADABLE),
    (_png_claiming(20_000, 20_000), "image/png", Problem.UNREADABLE),  # decompression bomb
    (b"%PDF-1.4 but called a PNG", "image/png", Problem.TYPE_MISMATCH),
    (b"\x89PNG\r\n\x1a\n called a PDF", "application/pdf", Problem.TYPE_MISMATCH),
    (b"GIF89a", "image/gif", Problem.UNSUPPORTED_TYPE),
])
def test_a_bad_file_gives_an_empty_proposal_with_its_reason(data, content_type, problem,
                                                              monkeypatch):
    if problem is Problem.UNREADABLE and content_type.startswith("image/"):
        # the image is refused by Pillow before tesseract would run: pretend it is there
        monkeypatch.setattr(reading, "_languages", lambda binary: frozenset({"jpn"}))
        monkeypatch.setattr(reading, "_tesseract", lambda: "/usr/bin/tesseract")
    proposal = read_receipt(data, content_type)
    assert proposal.problem is problem
    assert proposal.fields.empty and proposal.source in {"none", "image_ocr"}


def test_a_file_over_the_size_limit_is_not_read():
    proposal = read_receipt(_pdf(), "application/pdf", max_bytes=100)
    assert proposal.problem is Problem.TOO_LARGE


def test_a_pdf_without_text_or_pictures_says_there_is_no_text():
    assert read_receipt(_pdf(lines=[]), "application/pdf").problem is Problem.NO_TEXT


def test_a_content_type_with_parameters_is_understood():
    assert read_receipt(_pdf(), "Application/PDF; charset=binary").source == "pdf_text"


def test_every_problem_has_a_japanese_message():
    from django.utils import translation

    with translation.override("ja"):
        for problem in Problem:
            message = reading.problem_message(problem)
            assert "手で入力" in message and not message.isascii(), problem
        assert "画像の読み取りは無効" in reading.problem_message(Problem.OCR_UNAVAILABLE)
