"""Small files in the NTA's registry layout for the tests (and the shape the benchmark makes
by the million)."""

from __future__ import annotations

import io
from pathlib import Path

from somu.expenses.formats import tnumber


def number(twelve: int) -> str:
    """A valid 登録番号 from twelve base digits."""
    base = f"{twelve:012d}"
    return f"T{tnumber.check_digit(base)}{base}"


ACME = number(10000001)        # 株式会社アクメ, 法人, registered 2023-10-01
SATO = number(10000002)        # 佐藤商店 (individual), registered 2024-04-01
TOHOKU = number(10000003)      # 東北物産合同会社, registered 2023-10-01
UNKNOWN = number(10000099)     # never registered


def line(seq: int, num: str, *, process: str = "01", kind: str = "2",
         registered: str = "2023-10-01", updated: str = "2023-10-01", cancelled: str = "",
         expired: str = "", name: str = "", address: str = "", latest: str = "1",
         trade_name: str = "") -> str:
    return (f'{seq},"{num}",{process},0,{kind},1,{latest},{registered},{updated},{cancelled},'
            f'{expired},"{address}",{"13" if address else ""},{"101" if address else ""},'
            f'"",,,"","{name}","",,,"{trade_name}",""')


FULL = [
    line(1, ACME, name="株式会社アクメ", address="東京都千代田区霞が関３丁目１－１"),
    line(2, SATO, kind="1", registered="2024-04-01", updated="2024-04-01", name="佐藤　一郎",
         trade_name="佐藤商店"),
    line(3, TOHOKU, name="東北物産合同会社", address="宮城県仙台市青葉区本町３丁目３－１"),
]
# The day after: 東北物産 cancelled as of 2025-03-01, 佐藤 expired as of 2025-10-01.
DIFF = [
    line(1, TOHOKU, process="04", updated="2025-03-03", cancelled="2025-03-01",
         name="東北物産合同会社", address="宮城県仙台市青葉区本町３丁目３－１"),
    line(2, SATO, process="03", kind="1", registered="2024-04-01", updated="2025-10-02",
         expired="2025-10-01", name="佐藤　一郎", trade_name="佐藤商店"),
]


def data(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def stream(lines: list[str], encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(data(lines, encoding))


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(data(lines, encoding))
    return path
