"""Writers: CSV with BOM, XLSX with text identifiers, JSON; injection guard; reproducible bytes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from xml.etree import ElementTree

import numpy as np
import openpyxl
import pandas as pd

from jingzhun.io.read import read_table
from jingzhun.io.write import defuse, write_csv, write_json, write_xlsx


def frame():
    return pd.DataFrame(
        {
            "id_number": pd.Series(["421121199001011236", '=HYPERLINK("http://x","张三")', None], dtype="str"),
            "name": pd.Series(["张三", "@SUM(A1)", "+cmd"], dtype="str"),
            "note": pd.Series(["-100", "\tx", "-x"], dtype="str"),
            "amount": pd.array([-12.5, 3.0, None], dtype="Float64"),
            "size": pd.array([1, None, 3], dtype="Int64"),
            "day": pd.to_datetime(["2016-03-01", None, "2016-01-02"]),
            "ok": pd.array([True, None, False], dtype="boolean"),
        }
    )


def test_csv_bom_lines_and_injection(tmp_path):
    p = write_csv(frame(), tmp_path / "a.csv")
    raw = p.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in raw
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["id_number", "name", "note", "amount", "size", "day", "ok"]
    assert rows[1] == ["421121199001011236", "张三", "-100", "-12.5", "1", "2016-03-01", "true"]
    assert rows[2][0] == "'" + '=HYPERLINK("http://x","张三")'
    assert rows[2][1] == "'@SUM(A1)"
    assert rows[2][2] == "'\tx"
    assert rows[3][1] == "'+cmd"
    assert rows[3][2] == "'-x"
    assert rows[3][0] == ""


def test_defuse_leaves_plain_text_and_numbers():
    s = pd.Series(["abc", "-5", "+1.5", "=1+1", None], dtype="str")
    assert defuse(s).tolist()[:4] == ["abc", "-5", "+1.5", "'=1+1"]
    assert pd.isna(defuse(s).iloc[4])


def test_csv_round_trip_through_reader(tmp_path):
    df = pd.DataFrame({"户编号": ["0012", "42112110000101"], "户主姓名": ["张三", "䶮"], "工资性收入": [1.5, -2.0]})
    p = write_csv(df, tmp_path / "households.csv")
    back = read_table(p).frame
    assert back["household_id"].tolist() == ["0012", "42112110000101"]
    assert back["head_name"].tolist() == ["张三", "䶮"]
    assert back["wage_income"].tolist() == [1.5, -2.0]


def test_csv_deterministic(tmp_path):
    a = write_csv(frame(), tmp_path / "a.csv").read_bytes()
    b = write_csv(frame(), tmp_path / "b.csv").read_bytes()
    assert a == b


def test_xlsx_ids_text_numbers_numbers_and_formula_inert(tmp_path):
    p = write_xlsx({"结果": frame()}, tmp_path / "a.xlsx", labels=False)  # the raw writer
    wb = openpyxl.load_workbook(p)
    ws = wb["结果"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b
    assert ws["A2"].data_type == "s" and ws["A2"].value == "421121199001011236"
    assert ws["A3"].data_type == "s" and ws["A3"].value.startswith("=HYPERLINK")
    assert ws["A3"].quotePrefix
    assert ws["B3"].quotePrefix and ws["B3"].value == "@SUM(A1)"
    assert ws["D2"].data_type == "n" and ws["D2"].value == -12.5
    assert ws["C2"].data_type == "s" and ws["C2"].value == "-100"  # text column stays text
    assert ws["G2"].value is True
    assert ws["F2"].is_date
    # no formula anywhere
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_xlsx_deterministic_and_sheet_names(tmp_path):
    sheets = {"a/b:c" * 10: frame(), "A/B:C" * 10: frame().head(1)}
    a = write_xlsx(sheets, tmp_path / "a.xlsx").read_bytes()
    b = write_xlsx(sheets, tmp_path / "b.xlsx").read_bytes()
    assert a == b
    names = openpyxl.load_workbook(tmp_path / "a.xlsx").sheetnames
    assert len(names) == 2 and len(set(n.lower() for n in names)) == 2
    assert all(len(n) <= 31 and "/" not in n and ":" not in n for n in names)


def test_xlsx_round_trip_through_reader(tmp_path):
    df = pd.DataFrame({"证件号码": ["421121199001011236"], "姓名": ['=HYPERLINK("http://x","张三")']})
    p = write_xlsx({"members": df}, tmp_path / "members.xlsx")
    back = read_table(p)
    assert back.frame["id_number"].tolist() == ["421121199001011236"]
    assert back.frame["name"].tolist() == ['=HYPERLINK("http://x","张三")']
    assert "V-ID-EXCEL-DAMAGED" not in set(back.findings.frame()["code"])


def test_json_sorted_utf8_nan_null(tmp_path):
    obj = {
        "b": float("nan"),
        "a": [1, pd.Timestamp("2016-01-01"), pd.NA],
        "中": "文",
        "n": pd.array([1], dtype="Int64")[0],
    }
    p = write_json(obj, tmp_path / "r.json")
    text = p.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert '"中": "文"' in text
    assert text.index('"a"') < text.index('"b"') < text.index('"n"')
    assert json.loads(text) == {"a": [1, "2016-01-01", None], "b": None, "n": 1, "中": "文"}
    assert write_json(obj, tmp_path / "s.json").read_bytes() == p.read_bytes()


def test_csv_quotes_only_what_needs_it_and_keeps_every_value(tmp_path):
    text = ["a,b", 'say "hi"', "two\nlines", "cr\rhere", "", None, " padded ", "中文"]
    n = len(text)
    df = pd.DataFrame(
        {
            "text": pd.Series(text, dtype="str"),
            "money": pd.array([3500.0, 2.5, None, 1e20, 0.1 + 0.2, -0.0, 123456789.123, 7.0], dtype="Float64"),
            "plain": [1.5] * n,
            "count": pd.array([1, None, 3, 4, 5, 6, 7, -8], dtype="Int64"),
            "kind": pd.Series(["x", "y"] * 4, dtype="category"),
            'odd,"name"': ["v"] * n,
        }
    )
    raw = write_csv(df, tmp_path / "q.csv").read_bytes()
    body = raw.decode("utf-8-sig")
    assert body.endswith("\n") and body.count("\n") == 1 + n + 1  # header, rows, the one in "two\nlines"
    rows = list(csv.reader(body.split("\n")[:1]))  # header
    assert rows[0] == ["text", "money", "plain", "count", "kind", 'odd,"name"']
    back = list(csv.reader(io.StringIO(body)))
    assert [r[0] for r in back[1:]] == [v if v is not None else "" for v in text]
    assert [float(r[1]) if r[1] else None for r in back[1:]] == [
        3500.0,
        2.5,
        None,
        1e20,
        0.1 + 0.2,
        -0.0,
        123456789.123,
        7.0,
    ]
    assert back[1][1] == "3500" and back[1][2] == "1.5"
    assert [r[3] for r in back[1:]] == ["1", "", "3", "4", "5", "6", "7", "-8"]
    assert [r[4] for r in back[1:]] == ["x", "y"] * 4
    assert '\n"a,b",' in body and '"say ""hi"""' in body and "\n中文,7," in body and "\n padded ,1" in body


def test_csv_header_only_when_no_rows(tmp_path):
    df = pd.DataFrame({"a": pd.Series([], dtype="str"), "b": pd.Series([], dtype="float64")})
    assert write_csv(df, tmp_path / "e.csv").read_bytes() == b"\xef\xbb\xbfa,b\n"


def test_csv_categories_with_commas_and_values_arrow_cannot_print(tmp_path):
    df = pd.DataFrame(
        {
            "kind": pd.Series(["a,b", "c"], dtype="category"),
            "took": pd.to_timedelta(["1 days", None]),
            "mixed": pd.Series([1, "x,y"], dtype=object),
        }
    )
    body = write_csv(df, tmp_path / "c.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][0] == "a,b" and rows[2][0] == "c"
    assert rows[1][1].startswith("1 days") and rows[2][2] == "x,y" and rows[1][2] == "1"


def _cells_of(path, sheet):
    ws = openpyxl.load_workbook(path)[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_xlsx_streamed_when_large_holds_the_same_cells(tmp_path, monkeypatch):
    """Past XLSX_STREAM_CELLS the rows are written as sheet XML by Arrow (flat memory): other bytes,
    same cells, types, formats and formula defusing as the workbook held in memory."""
    import jingzhun.io.write as w
    from jingzhun.io import xlsx_stream

    df = pd.concat([frame()] * 50, ignore_index=True)
    held = write_xlsx({"结果": df}, tmp_path / "held.xlsx", labels=False)
    monkeypatch.setattr(w, "XLSX_STREAM_CELLS", 10)
    monkeypatch.setattr(xlsx_stream, "BLOCK_ROWS", 7)  # blocks that do not divide the rows
    streamed = write_xlsx({"结果": df}, tmp_path / "streamed.xlsx", labels=False)
    assert held.read_bytes() != streamed.read_bytes()  # inline strings: the streaming path really ran
    assert _cells_of(streamed, "结果") == _cells_of(held, "结果")
    ws = openpyxl.load_workbook(streamed)["结果"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    assert ws["A3"].quotePrefix and ws["A2"].data_type == "s" and ws["F2"].is_date
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_xlsx_streamed_cells_of_awkward_values_equal_the_held_ones(tmp_path, monkeypatch):
    """XML escapes, white space kept, control characters as _xHHHH_, text past Excel's limit cut,
    dates around Excel's 1900 leap-year bug, times of day, non-finite numbers, categories, mixed
    objects and durations: the streamed workbook holds what the cell-by-cell one holds."""
    import jingzhun.io.write as w

    text = ["a&b<c>d", " lead", "trail ", "\u3000全角", "ctl\x01x", "_x0041_", "x" * 40_000, "=1+1", "-5", None]
    n = len(text)
    df = pd.DataFrame(
        {
            "text": pd.Series(text, dtype="str"),
            "when": pd.to_datetime(
                ["1900-01-01", "1900-02-28", "1900-03-01", "2016-03-01 12:30:00", None] + ["2017-01-01"] * 5,
                format="ISO8601",
            ),
            "day": pd.to_datetime(["1900-01-01", "1900-02-28", "1900-03-01", "2016-03-01", None] + ["1950-06-30"] * 5),
            "x": pd.array([float("inf"), float("nan"), 1e20, 0.1, -2.5, None, 3.0, 7.25, -0.5, 12.0], dtype="Float64"),
            "n": pd.array([1, None, -3, 4, 5, 6, 7, 8, 9, 2**40], dtype="Int64"),
            "kind": pd.Series(["甲", "乙&", None, "=x"] * 2 + ["甲", "乙&"], dtype="category"),
            "mixed": pd.Series([1, "x<", 2.5, None, True, float("inf"), "+y", 3, "z", np.int64(4)], dtype=object),
            "took": pd.to_timedelta(["1 days", None] * 5),
            "ok": pd.array([True, None, False] * 3 + [True], dtype="boolean"),
        }
    )
    assert len(df) == n
    held = write_xlsx({"结果": df}, tmp_path / "held.xlsx", labels=False)
    monkeypatch.setattr(w, "XLSX_STREAM_CELLS", 10)
    streamed = write_xlsx({"结果": df}, tmp_path / "streamed.xlsx", labels=False)
    assert held.read_bytes() != streamed.read_bytes()

    # openpyxl undoes xlsxwriter's escape of a literal "_xHHHH_" ("_x005F_xHHHH_") in shared strings
    # only: the inline strings are read here the same way
    def excel(v):
        return v.replace("x005F_", "") if isinstance(v, str) else v

    assert [[excel(v) for v in row] for row in _cells_of(streamed, "结果")] == _cells_of(held, "结果")
    ws = openpyxl.load_workbook(streamed)["结果"]
    assert ws["A2"].value == "a&b<c>d" and ws["A3"].value == " lead" and ws["A6"].value == "ctl_x0001_x"
    assert ws["A7"].value == "_x005F_x0041_"
    assert len(ws["A8"].value) == 32_767 and ws["A9"].quotePrefix and not ws["A10"].quotePrefix
    assert ws["B5"].value == dt.datetime(2016, 3, 1, 12, 30) and ws["C4"].value == dt.datetime(1900, 3, 1)
    assert ws["D2"].value is None and ws.max_row == n + 1 and ws.dimensions == "A1:I11"
    with zipfile.ZipFile(streamed) as z:  # well-formed XML, as Excel's strict parser wants it
        ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))


def test_xlsx_streamed_with_an_empty_and_a_columnless_sheet(tmp_path, monkeypatch):
    import jingzhun.io.write as w

    monkeypatch.setattr(w, "XLSX_STREAM_CELLS", 10)
    sheets = {"结果": frame(), "空": frame().iloc[:0], "无列": pd.DataFrame(index=range(3))}
    p = write_xlsx(sheets, tmp_path / "s.xlsx", labels=False)
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == ["结果", "空", "无列"]
    assert wb["结果"].max_row == 4 and [c.value for c in wb["空"][1]] == list(frame().columns)
    assert wb["无列"].max_row == 1 and wb["无列"]["A1"].value is None


def test_xlsx_rows_past_the_sheet_limit_continue_on_a_second_sheet(tmp_path, monkeypatch):
    """Excel stops at 1,048,576 rows; xlsxwriter would drop the rest silently. Every row is kept."""
    import jingzhun.io.write as w

    monkeypatch.setattr(w, "XLSX_MAX_ROWS", 2)
    df = pd.DataFrame({"n": pd.array([1, 2, 3, 4, 5], dtype="Int64")})
    p = write_xlsx({"结果": df}, tmp_path / "a.xlsx", labels=False)
    names = openpyxl.load_workbook(p).sheetnames
    assert names == ["结果", "结果 (2)", "结果 (3)"]
    rows = [r for n in names for r in _cells_of(p, n)]
    assert rows == [["n"], [1], [2], ["n"], [3], [4], ["n"], [5]]
