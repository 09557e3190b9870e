"""Benchmark: how many receipt fields somu reads correctly, from PDFs and from images.

    /work/venv/bin/python benchmarks/expenses_receipts.py [--n 60] [--seed 12] [--show 5]

Generates, deterministically for a seed, --n receipts and renders each twice: as a PDF with a
text layer (ReportLab: the CID fonts HeiseiKakuGo-W5 / HeiseiMin-W3, and IPAex ゴシック / 明朝
embedded when Debian's fonts-ipaexfont is installed) and as an image (Pillow, in the Japanese
fonts Debian has: Noto Sans / Serif CJK, IPAex, Takao — whichever are installed; Droid Sans
Fallback is left out: it has no Latin digits, Pillow draws them as boxes). Layouts: a コンビニ
receipt, a restaurant receipt, a タクシー領収書, a 新幹線 e-ticket receipt, a 領収証 written out
for a customer and an A4 適格請求書 with its 10% / 8% breakdown; about 70 % carry a
登録番号, dates in 西暦 and 和暦 forms. A third of the images are rotated by up to ±2°, a third
get noise and blur, a third are sent as JPEG (quality 70–90). Each file goes through
``somu.expenses.reading.read_receipt`` as an upload would.

Prints, per source (PDF, image) and per font, the share of each field read correctly (date,
amount, payee, 登録番号 — for a receipt without one, correct means none proposed), the share of
receipts with all four right, and the time per receipt (p50, p95). There is no target in the
issue: the figures are what the user gets, and what a change to the reader must not lower.
Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from somu.expenses.formats.tnumber import check_digit
from somu.expenses.reading import image_reading_available, read_receipt

IMAGE_FONTS = {
    "Noto Sans CJK": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "Noto Serif CJK": "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "IPAex Gothic": "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "IPAex Mincho": "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    "Takao Gothic": "/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf",
}
PDF_TTF = {
    "IPAex Gothic (embedded)": "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "IPAex Mincho (embedded)": "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
}
PDF_CID = ("HeiseiKakuGo-W5", "HeiseiMin-W3")
FIELDS = ("date", "amount", "payee", "registration_number")

NAMES = ("やまびこ", "みどり", "さくら", "東洋", "日本", "中央", "青葉", "富士見", "北斗", "あおい",
         "丸の内", "大和", "光", "清水", "松風", "ひかり", "朝日", "白川", "千代田", "大黒")
TRADES = ("商事", "商店", "物産", "交通", "フーズ", "書店", "文具", "電機", "企画", "サービス")
ITEMS = (("コピー用紙 A4", 10), ("ボールペン", 10), ("ホチキス針", 10), ("USBメモリ", 10),
         ("弁当", 8), ("お茶", 8), ("コーヒー", 8), ("サンドイッチ", 8), ("会議資料 製本", 10),
         ("電池 単3", 10), ("ノート", 10), ("おにぎり", 8))


@dataclass
class Receipt:
    layout: str
    lines: list[tuple[str, str]]  # (left text, right-aligned text)
    day: date
    amount: int
    payee: str
    number: str | None


def _tnumber(rng: random.Random) -> str:
    base = f"{rng.randrange(10**11, 10**12):012d}"
    return f"T{check_digit(base)}{base}"


def _date_text(rng: random.Random, day: date) -> str:
    style = rng.randrange(6)
    if style == 0:
        return f"{day.year}年{day.month}月{day.day}日"
    if style == 1:
        return f"{day:%Y/%m/%d}"
    if style == 2:
        return f"令和{day.year - 2018}年{day.month}月{day.day}日"
    if style == 3:
        return f"R{day.year - 2018}.{day.month}.{day.day}"
    if style == 4:
        return f"{day:%y-%m-%d}"
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _yen(value: int) -> str:
    return f"¥{value:,}"


def make_receipt(rng: random.Random) -> Receipt:
    layout = rng.choice(("convenience", "restaurant", "taxi", "train", "handwritten", "invoice"))
    day = date(2020, 1, 1) + timedelta(days=rng.randrange(0, 6 * 365))
    number = _tnumber(rng) if rng.random() < 0.7 else None
    name = rng.choice(NAMES)
    when = f"{_date_text(rng, day)} {rng.randrange(7, 23)}:{rng.randrange(60):02d}"
    lines: list[tuple[str, str]] = []
    number_line = [("登録番号 " + number, "")] if number else []
    if layout in ("convenience", "restaurant"):
        payee = (f"{name}マート" if layout == "convenience" else f"レストラン{name}")
        branch = f"{rng.choice(('渋谷', '新宿', '神田', '梅田', '博多'))}店"
        picked = [rng.choice(ITEMS if layout == "convenience" else ITEMS[4:8])
                  for _ in range(rng.randrange(2, 6))]
        prices = [(label, rate, rng.randrange(1, 60) * 10) for label, rate in picked]
        total = sum(p for _, _, p in prices)
        by_rate = {r: sum(p for _, rr, p in prices if rr == r) for r in (10, 8)}
        paid = (total // 1000 + 1) * 1000
        lines = [(payee, ""), (branch, ""), ("TEL 03-" + f"{rng.randrange(1000, 9999)}-"
                                              f"{rng.randrange(1000, 9999)}", ""),
                 *number_line, (when, ""), ("領収書", "")]
        lines += [(label + ("※" if rate == 8 else ""), _yen(p)) for label, rate, p in prices]
        lines += [("小計", _yen(total))]
        lines += [(f"({r}%対象", f"{_yen(v)})") for r, v in by_rate.items() if v]
        lines += [("合計", _yen(total)), ("お預り", _yen(paid)), ("お釣り", _yen(paid - total))]
        payee_expected = f"{payee} {branch}"
    elif layout == "taxi":
        payee = f"{name}交通株式会社"
        fare = rng.randrange(50, 900) * 10
        extra = rng.choice((0, 420, 500))
        total = fare + extra
        lines = [("領収書", ""), (payee, ""), *number_line, (f"乗車日 {when}", ""),
                 ("運賃", _yen(fare))]
        lines += [("迎車料金", _yen(extra))] if extra else []
        lines += [("合計", _yen(total)), (f"(内消費税 {_yen(total * 10 // 110)})", ""),
                  (f"乗務員 {rng.choice(('山田', '佐藤', '鈴木'))}", "")]
        payee_expected = payee
    elif layout == "train":
        payee = rng.choice(("東海旅客鉄道株式会社", "西日本旅客鉄道株式会社",
                            "東日本旅客鉄道株式会社"))
        fare, express = rng.randrange(300, 1000) * 10, rng.randrange(200, 700) * 10
        total = fare + express
        lines = [(payee, ""), ("ご利用票（領収書）", ""), ("お客様 サンプル 太郎 様", ""),
                 (f"ご利用日 {_date_text(rng, day)}", ""), ("区間 東京→新大阪", ""),
                 ("運賃", _yen(fare)), ("特急料金", _yen(express)), ("合計金額", _yen(total)),
                 *number_line]
        payee_expected = payee
    elif layout == "handwritten":
        payee = f"有限会社{name}{rng.choice(TRADES)}"
        total = rng.randrange(10, 5000) * 100
        lines = [("領収証", ""), ("株式会社サンプル 様", ""), (f"金額 {_yen(total)}-", ""),
                 ("但し 会議費として", ""), ("上記正に領収いたしました", ""),
                 (_date_text(rng, day), ""), (payee, ""), *number_line]
        payee_expected = payee
    else:  # A4 適格請求書
        payee = f"株式会社{name}{rng.choice(TRADES)}"
        picked = [rng.choice(ITEMS) for _ in range(rng.randrange(2, 5))]
        rows = [(label, rate, rng.randrange(1, 20), rng.randrange(1, 300) * 10)
                for label, rate in picked]
        base = {r: sum(q * u for _, rr, q, u in rows if rr == r) for r in (10, 8)}
        tax = {r: v * r // 100 for r, v in base.items()}
        total = sum(base.values()) + sum(tax.values())
        lines = [("請求書", ""), ("株式会社サンプル 御中", ""),
                 (f"発行日 {_date_text(rng, day)}", ""),
                 (f"お支払期限 {_date_text(rng, day + timedelta(days=30))}", ""),
                 (payee, ""), ("東京都千代田区丸の内1-1-1", ""), *number_line,
                 ("品名 数量 単価", "金額")]
        lines += [(f"{label}{'※' if r == 8 else ''} {q} {u:,}", f"{q * u:,}")
                  for label, r, q, u in rows]
        lines += [("小計", f"{sum(base.values()):,}")]
        lines += [(f"{r}%対象 {base[r]:,} 消費税", f"{tax[r]:,}") for r in (10, 8) if base[r]]
        lines += [("ご請求金額", _yen(total))]
        payee_expected = payee
    return Receipt(layout, lines, day, total, payee_expected, number)


# -- rendering ------------------------------------------------------------------------------

def render_pdf(receipt: Receipt, font: str) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font) if font in PDF_CID
                                else TTFont(font, PDF_TTF[font]))
    out = io.BytesIO()
    page = canvas.Canvas(out)
    wide = receipt.layout == "invoice"
    left, right = (60, 530) if wide else (200, 400)
    size = 10.5 if wide else 9
    page.setFont(font, size)
    y = 790
    for text, amount in receipt.lines:
        if wide and text == receipt.payee:
            page.drawString(360, y, text)  # the issuer's block on the right
        else:
            page.drawString(left, y, text)
        if amount:
            page.drawRightString(right, y, amount)
        y -= size * 1.7
    page.save()
    return out.getvalue()


def render_image(receipt: Receipt, font_path: str, rng: random.Random) -> tuple[bytes, str]:
    size = rng.randrange(22, 34)
    font = ImageFont.truetype(font_path, size)
    wide = receipt.layout == "invoice"
    width = 1240 if wide else rng.randrange(560, 720)
    line_height = int(size * 1.6)
    image = Image.new("L", (width, line_height * len(receipt.lines) + 80), 255)
    draw = ImageDraw.Draw(image)
    margin = 40 if wide else 25
    for index, (text, amount) in enumerate(receipt.lines):
        y = 40 + index * line_height
        x = width // 2 if wide and text == receipt.payee else margin
        draw.text((x, y), text, font=font, fill=0)
        if amount:
            draw.text((width - margin, y), amount, font=font, fill=0, anchor="ra")
    degrade = rng.randrange(3)
    if degrade == 0:
        image = image.rotate(rng.uniform(-2, 2), expand=True, fillcolor=255,
                             resample=Image.Resampling.BICUBIC)
    elif degrade == 1:
        noise = Image.effect_noise(image.size, rng.uniform(20, 45))
        image = Image.blend(image, noise, 0.15).filter(ImageFilter.GaussianBlur(0.7))
    out = io.BytesIO()
    if rng.random() < 1 / 3:
        image.save(out, format="JPEG", quality=rng.randrange(70, 91))
        return out.getvalue(), "image/jpeg"
    image.save(out, format="PNG")
    return out.getvalue(), "image/png"


# -- scoring --------------------------------------------------------------------------------

def _same_name(a: str, b: str) -> bool:
    def fold(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split())
    return fold(a) == fold(b)


def score(receipt: Receipt, proposal) -> dict[str, bool]:
    fields = proposal.fields
    number = fields.registration_number
    return {
        "date": fields.date is not None and fields.date.value == receipt.day,
        "amount": fields.amount is not None and fields.amount.value == receipt.amount,
        "payee": fields.payee is not None and _same_name(fields.payee.value, receipt.payee),
        "registration_number": (number is None if receipt.number is None
                                else number is not None and number.value == receipt.number),
    }


def _percent(values: list[bool]) -> str:
    return f"{100 * sum(values) / len(values):5.1f} %" if values else "    —"


def _report(title: str, results: list[tuple[str, dict[str, bool], float]]) -> None:
    print(f"\n{title}: {len(results)} receipts")
    print(f"  {'':26} {'date':>8} {'amount':>8} {'payee':>8} {'登録番号':>6} {'all 4':>8}"
          f" {'p50 s':>7} {'p95 s':>7}")
    groups: dict[str, list[tuple[dict[str, bool], float]]] = defaultdict(list)
    for key, result, seconds in results:
        groups[key].append((result, seconds))
        groups["all"].append((result, seconds))
    for key in sorted(groups, key=lambda k: (k == "all", k)):
        rows = groups[key]
        times = sorted(s for _, s in rows)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        cells = [_percent([r[f] for r, _ in rows]) for f in FIELDS]
        print(f"  {key:26} " + " ".join(f"{c:>8}" for c in cells)
              + f" {_percent([all(r.values()) for r, _ in rows]):>8}"
              + f" {statistics.median(times):7.3f} {p95:7.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=60, help="receipts (each as PDF and image)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--show", type=int, default=5, help="misread receipts to print")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pdf_fonts = [*PDF_CID, *(name for name, path in PDF_TTF.items() if Path(path).exists())]
    image_fonts = {name: path for name, path in IMAGE_FONTS.items() if Path(path).exists()}
    ocr = image_reading_available() and bool(image_fonts)
    if not ocr:
        print("image reading is off (tesseract-ocr and tesseract-ocr-jpn, or the fonts, are "
              "missing): PDFs only")
    pdf_results: list[tuple[str, dict[str, bool], float]] = []
    image_results: list[tuple[str, dict[str, bool], float]] = []
    layout_results: list[tuple[str, dict[str, bool], float]] = []
    misread: list[tuple[str, Receipt, dict[str, bool], str]] = []
    started = time.monotonic()
    for index in range(args.n):
        receipt = make_receipt(rng)
        font = pdf_fonts[index % len(pdf_fonts)]
        t0 = time.perf_counter()
        proposal = read_receipt(render_pdf(receipt, font), "application/pdf")
        seconds = time.perf_counter() - t0
        result = score(receipt, proposal)
        pdf_results.append((font, result, seconds))
        layout_results.append((f"PDF {receipt.layout}", result, seconds))
        if not all(result.values()):
            misread.append((f"PDF {font}", receipt, result, proposal.text))
        if not ocr:
            continue
        name = list(image_fonts)[index % len(image_fonts)]
        data, content_type = render_image(receipt, image_fonts[name], rng)
        t0 = time.perf_counter()
        proposal = read_receipt(data, content_type)
        seconds = time.perf_counter() - t0
        result = score(receipt, proposal)
        image_results.append((name, result, seconds))
        layout_results.append((f"image {receipt.layout}", result, seconds))
        if not all(result.values()):
            misread.append((f"{content_type} {name}", receipt, result, proposal.text))
    print(f"{args.n} receipts, seed {args.seed}, {time.monotonic() - started:.1f} s in all")
    _report("PDF (text layer), by font", pdf_results)
    if ocr:
        _report("Image (Tesseract jpn+eng), by font", image_results)
    _report("By source and layout", layout_results)
    for source, receipt, result, text in misread[: args.show]:
        wrong = ", ".join(f for f in FIELDS if not result[f])
        print(f"\n-- misread ({source}, {receipt.layout}): {wrong}; expected {receipt.day}, "
              f"{receipt.amount}, {receipt.payee}, {receipt.number}\n{text.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
