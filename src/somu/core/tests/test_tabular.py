"""The file reader every import shares: encodings, Excel, headers and cell values."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from somu.core.tabular import (
    Column,
    ImportFailed,
    RowError,
    cell_text,
    detect_encoding,
    error_line,
    open_table,
    parse_date,
    read_rows,
)

COLUMNS = (
    Column("社員番号", required=True, aliases=("社員No",)),
    Column("氏名", required=True),
    Column("入社日"),
)

CSV_TEXT = "社員番号,氏名,入社日\r\nA001,山田 太郎,2024/4/1\r\n,,\r\nA002,鈴木 花子,\r\n"


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def failure(source: bytes) -> list[RowError]:
    with pytest.raises(ImportFailed) as caught:
        list(read_rows(source, columns=COLUMNS))
    return caught.value.errors


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_it_reads_csv_in_every_encoding_offices_use(encoding):
    table = open_table(CSV_TEXT.encode(encoding), columns=COLUMNS)
    rows = list(table)
    assert table.kind == "csv"
    assert table.encoding == encoding
    assert rows == [
        (2, {"社員番号": "A001", "氏名": "山田 太郎", "入社日": "2024/4/1"}),
        (4, {"社員番号": "A002", "氏名": "鈴木 花子", "入社日": None}),
    ]


def test_it_detects_encodings():
    assert detect_encoding("社員".encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding("社員".encode()) == "utf-8"
    assert detect_encoding("社員".encode("cp932")) == "cp932"
    assert detect_encoding(b"\x81\x20\xff\xfe\x80") is None


def test_it_rejects_bytes_in_no_known_encoding():
    errors = failure("社員番号,氏名\n".encode() + b"A001,\x81\x20\xff\x80\n")
    assert [e.reason for e in errors] == [
        "Unknown text encoding; save the CSV as UTF-8 or Shift_JIS (CP932)."
    ]
    assert errors[0].row is None


def test_it_rejects_a_file_that_is_not_a_table():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    assert [e.reason for e in failure(png)] == ["This is not a CSV or Excel (.xlsx) file."]


def test_it_rejects_a_zip_that_is_not_a_workbook():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert [e.reason for e in failure(buffer.getvalue())] == [
        "The Excel file cannot be read; it may be damaged."
    ]


def test_it_asks_for_xlsx_instead_of_old_xls():
    old = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert "save the file as .xlsx" in failure(old)[0].reason


def test_it_names_every_missing_required_header():
    errors = failure("社員番号,部署\nA001,総務部\n".encode())
    assert [(e.row, e.column, e.reason) for e in errors] == [
        (1, "氏名", "Required column “氏名” is missing from the header row."),
    ]


def test_it_rejects_a_column_given_twice():
    errors = failure("社員番号,氏名,社員No\nA001,山田,A002\n".encode())
    assert [(e.row, e.column, e.value) for e in errors] == [(1, "社員番号", "社員No")]


def test_it_rejects_an_empty_file():
    assert failure(b"")[0].reason == "The file has no header row."


def test_it_matches_headers_by_alias_width_and_required_marks():
    data = "ＩＤ,社員Ｎｏ,氏名*, 入社日 \nx,A001,山田,\n".encode()
    table = open_table(data, columns=COLUMNS)
    assert table.columns == ["社員番号", "氏名", "入社日"]
    assert table.extra_headers == ["ＩＤ"]
    assert list(table) == [(2, {"社員番号": "A001", "氏名": "山田", "入社日": None})]


def test_it_reads_tab_separated_utf16_from_excel_unicode_text():
    data = "社員番号\t氏名\r\nA001\t山田\r\n".encode("utf-16")
    assert list(read_rows(data, columns=COLUMNS)) == [(2, {"社員番号": "A001", "氏名": "山田"})]


def test_it_reads_the_first_sheet_of_a_workbook_with_excel_row_numbers():
    data = xlsx_bytes([
        ["社員番号", "氏名", "入社日"],
        [1001, "山田 太郎", dt.datetime(2024, 4, 1)],
        [None, None, None],
        ["A002", "  鈴木 花子 ", None],
    ])
    table = open_table(data, columns=COLUMNS)
    assert table.kind == "xlsx"
    rows = list(table)
    table.close()
    assert rows == [
        (2, {"社員番号": 1001, "氏名": "山田 太郎", "入社日": dt.datetime(2024, 4, 1)}),
        (4, {"社員番号": "A002", "氏名": "鈴木 花子", "入社日": None}),
    ]


def test_it_reads_from_a_path_and_from_an_open_file(tmp_path: Path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx_bytes([["社員番号", "氏名"], ["A001", "山田"]]))
    # A column missing from the file is missing from the row, an empty cell is None.
    expected = [(2, {"社員番号": "A001", "氏名": "山田"})]
    assert list(read_rows(path, columns=COLUMNS)) == expected
    assert list(read_rows(str(path), columns=COLUMNS)) == expected
    with path.open("rb") as handle:
        assert list(read_rows(handle, columns=COLUMNS)) == expected
    csv_path = tmp_path / "people.csv"
    csv_path.write_bytes("社員番号,氏名\nA001,山田\n".encode("cp932"))
    with csv_path.open("rb") as handle:
        assert list(read_rows(handle, columns=COLUMNS)) == expected


def test_it_translates_its_messages_with_the_callers_function():
    with pytest.raises(ImportFailed) as caught:
        open_table(b"a,b\n1,2\n", columns=COLUMNS,
                   translate=lambda s: s.replace("Required column", "必須の列"))
    assert caught.value.errors[0].reason.startswith("必須の列 “社員番号”")


@pytest.mark.parametrize("value, expected", [
    ("2024-04-01", dt.date(2024, 4, 1)),
    ("2024/4/1", dt.date(2024, 4, 1)),
    ("2024.4.1", dt.date(2024, 4, 1)),
    ("2024年4月1日", dt.date(2024, 4, 1)),
    ("２０２４／４／１", dt.date(2024, 4, 1)),
    ("2024/4/1 0:00", dt.date(2024, 4, 1)),
    ("20240401", dt.date(2024, 4, 1)),
    (20240401, dt.date(2024, 4, 1)),
    ("R6.4.1", dt.date(2024, 4, 1)),
    ("r6/4/1", dt.date(2024, 4, 1)),
    ("令和6年4月1日", dt.date(2024, 4, 1)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),
    ("H31.4.30", dt.date(2019, 4, 30)),
    ("S64.1.7", dt.date(1989, 1, 7)),
    (dt.datetime(2024, 4, 1, 0, 0), dt.date(2024, 4, 1)),
    (dt.date(2024, 4, 1), dt.date(2024, 4, 1)),
])
def test_it_parses_the_dates_people_write(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["2024/13/1", "2024/2/30", "来月", "4/1", "", 3.5, None])
def test_it_rejects_what_is_not_a_date(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_it_turns_cells_into_text_as_excel_shows_them():
    assert cell_text(1001.0) == "1001"
    assert cell_text(1001) == "1001"
    assert cell_text(1.5) == "1.5"
    assert cell_text(None) == ""
    assert cell_text(dt.datetime(2024, 4, 1)) == "2024-04-01"
    assert cell_text(" A001 ") == "A001"


def test_it_formats_error_lines_for_the_command_line():
    assert error_line(RowError(3, "等級", "G9", "Grade “G9” is not registered.")) == (
        "Row 3, column “等級”, value “G9”: Grade “G9” is not registered."
    )
    assert error_line(RowError(3, "氏名", "", "氏名 is required.")) == (
        "Row 3, column “氏名”: 氏名 is required."
    )
    assert error_line(RowError(None, "", "", "Unknown text encoding.")) == (
        "File: Unknown text encoding."
    )


def test_it_lists_errors_in_row_order():
    failed = ImportFailed([RowError(5, "b", "", "x"), RowError(None, "", "", "f"),
                           RowError(2, "z", "", "y"), RowError(2, "a", "", "w")])
    assert [(e.row, e.column) for e in failed.errors] == [(None, ""), (2, "z"), (2, "a"), (5, "b")]
