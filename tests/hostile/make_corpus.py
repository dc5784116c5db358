"""Generate the hostile-input corpus: small dataset folders, each with one hostile change.

Issues 10 and 17 ("never crash on what real exports contain", "hostile files stay
harmless"). Nothing is checked in: one tiny synthetic dataset (``jingzhun.sample``,
60 households, two data years, two villages in two townships) is written once and
every case is a copy of it with one change: a CSV, Excel or Parquet variant of a table
file, a hostile value, or a hostile ``jingzhun.toml``.

    python tests/hostile/make_corpus.py OUTDIR      # writes OUTDIR/<case>/ and lists the cases

From Python: ``CASES`` (name → :class:`Case`), ``make_base(folder)``,
``build_case(case, base, dest)``, ``make_corpus(outdir)``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

KINDS = ("csv", "xlsx", "parquet", "value", "toml", "dataset")
YEAR = 2016  # the latest data year of the base; every change is made there
BASE_HOUSEHOLDS = 60
BASE_TOML = """[county]
code = "421121"
name = "团风县"
issuer = "团风县扶贫开发领导小组办公室"

[supervision_phones]
county = "0713-5000000"
"""
# An absolute path that a file name built from data could reach; the test checks it stays absent.
ABSOLUTE_TARGET = Path(tempfile.gettempdir()) / "jingzhun-hostile-absolute"


@dataclass(frozen=True)
class Case:
    """One hostile dataset: ``change`` edits a copy of the base dataset folder in place."""

    name: str
    kind: str
    description: str
    change: Callable[[Path], None]
    years: int = 2  # data years left in the folder (diff applies with two)


# ---- the base dataset ---------------------------------------------------------------------


def make_base(folder: Path) -> Path:
    """The clean base: ``jingzhun sample`` output without README and truth files, plus a county toml."""
    from jingzhun.sample.build import build

    folder.mkdir(parents=True, exist_ok=True)
    build(folder, BASE_HOUSEHOLDS, [YEAR - 1, YEAR], 2016, villages_per_township=1)
    shutil.rmtree(folder / "_truth", ignore_errors=True)
    (folder / "README.md").unlink(missing_ok=True)
    (folder / "jingzhun.toml").write_text(BASE_TOML, encoding="utf-8")
    return folder


def build_case(case: Case, base: Path, dest: Path) -> Path:
    shutil.copytree(base, dest)
    case.change(dest)
    return dest


def make_corpus(outdir: Path) -> list[tuple[Case, Path]]:
    outdir = Path(outdir)
    base = make_base(outdir / "_base")
    return [(case, build_case(case, base, outdir / name)) for name, case in CASES.items()]


# ---- helpers: read and write one table of the latest year -----------------------------------


def _path(ds: Path, table: str, suffix: str = ".csv") -> Path:
    return ds / str(YEAR) / f"{table}{suffix}"


def read(ds: Path, table: str) -> pd.DataFrame:
    """A table of the base as text cells (every column a string, empty for missing)."""
    return pd.read_csv(_path(ds, table), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def csv_text(df: pd.DataFrame, sep: str = ",") -> str:
    return df.to_csv(index=False, sep=sep, lineterminator="\n")


def write_csv(ds: Path, table: str, df: pd.DataFrame, encoding: str = "utf-8-sig") -> None:
    _path(ds, table).write_text(csv_text(df), encoding=encoding, newline="")


def write_bytes(ds: Path, table: str, data: bytes, suffix: str = ".csv") -> None:
    for old in (ds / str(YEAR)).glob(f"{table}.*"):
        old.unlink()
    _path(ds, table, suffix).write_bytes(data)


def edit(table: str, column: str, values: list[str], rows: list[int] | None = None) -> Callable[[Path], None]:
    """A change that writes ``values`` into ``column`` of the first rows (or the given rows)."""

    def change(ds: Path) -> None:
        df = read(ds, table)
        at = rows if rows is not None else list(range(len(values)))
        for r, v in zip(at, values, strict=True):
            df.loc[r, column] = v
        write_csv(ds, table, df)

    return change


def both(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(ds: Path) -> None:
        for c in changes:
            c(ds)

    return change


def recode_village(new: str) -> Callable[[Path], None]:
    """Give the first village the code ``new`` in every table that names it (a bad code read everywhere)."""

    def change(ds: Path) -> None:
        old = read(ds, "villages")["village_code"].iloc[0]
        for table in ("villages", "households", "projects", "dibao"):
            df = read(ds, table)
            df["village_code"] = df["village_code"].where(df["village_code"] != old, new)
            write_csv(ds, table, df)

    return change


def retownship(code: str, name: str) -> Callable[[Path], None]:
    """Give the first township a hostile code and name (villages, households, cadres)."""

    def change(ds: Path) -> None:
        v = read(ds, "villages")
        old_code, old_name = v["township_code"].iloc[0], v["township_name"].iloc[0]
        for table, cols in (
            ("villages", ("township_code", "township_name")),
            ("households", ("township_name",)),
            ("cadres", ("township_code",)),
        ):
            df = read(ds, table)
            for c in cols:
                old = old_code if c == "township_code" else old_name
                df[c] = df[c].where(df[c] != old, code if c == "township_code" else name)
            write_csv(ds, table, df)

    return change


def drop_year(year: int) -> Callable[[Path], None]:
    def change(ds: Path) -> None:
        shutil.rmtree(ds / str(year))

    return change


def keep_tables(*tables: str) -> Callable[[Path], None]:
    def change(ds: Path) -> None:
        for y in (YEAR - 1, YEAR):
            for f in (ds / str(y)).iterdir():
                if f.stem not in tables:
                    f.unlink()

    return change


# ---- CSV variants -------------------------------------------------------------------------


def reencode(
    table: str, encoding: str, sep: str = ",", newline: str = "\n", errors: str = "strict", suffix: str = ".csv"
) -> Callable[[Path], None]:
    def change(ds: Path) -> None:
        text = csv_text(read(ds, table), sep=sep).replace("\n", newline)
        data = text.encode(encoding, errors=errors)
        write_bytes(ds, table, data, suffix)

    return change


def utf16_tab(ds: Path) -> None:
    """Excel's "Unicode text": UTF-16 LE with BOM, tab-separated, CRLF, saved as .txt."""
    text = csv_text(read(ds, "households"), sep="\t").replace("\n", "\r\n")
    write_bytes(ds, "households", b"\xff\xfe" + text.encode("utf-16-le"), ".txt")


def newline_in_quoted_name(ds: Path) -> None:
    edit("households", "head_name", ["张\n三", "李\r\n四", "王\r五"])(ds)


def cr_in_unquoted_name(ds: Path) -> None:
    """A bare CR inside an unquoted field (WPS exports)."""
    df = read(ds, "members")
    df.loc[0, "name"] = "MARK1"
    df.loc[1, "name"] = "MARK2"
    text = csv_text(df).replace("MARK1", "赵\r六").replace("MARK2", "钱\n七")
    _path(ds, "members").write_text(text, encoding="utf-8-sig", newline="")


def title_rows(ds: Path) -> None:
    df = read(ds, "households")
    commas = "," * (len(df.columns) - 1)
    text = (
        f"2016年团风县建档立卡农户信息表{commas}\n填报单位: 团风县扶贫办   填报日期: 2016-01-05{commas}\n{commas}\n"
        + csv_text(df)
    )
    _path(ds, "households").write_text(text, encoding="utf-8-sig", newline="")


def total_row(ds: Path) -> None:
    df = read(ds, "households")
    n = len(df.columns)
    total = ["合计"] + [""] * (n - 1)
    total[df.columns.get_loc("household_size")] = str(pd.to_numeric(df["household_size"]).sum())
    total[df.columns.get_loc("wage_income")] = "123456.00"
    text = csv_text(df) + ",".join(total) + "\n" + "总计" + "," * (n - 1) + "\n"
    _path(ds, "households").write_text(text, encoding="utf-8-sig", newline="")


def excel_damaged_ids(ds: Path) -> None:
    edit("members", "id_number", ["4.21121E+17", "4.21121196301E+17", "421121196306257000", "4.2112119630625E17"])(ds)
    edit("households", "head_id_number", ["4.21121E+17", "4.21121E+17"])(ds)
    edit("dibao", "id_number", ["4.21121E+17"])(ds)


def header_only(ds: Path) -> None:
    df = read(ds, "households")
    _path(ds, "households").write_text(csv_text(df.iloc[:0]), encoding="utf-8-sig", newline="")


def empty_file(table: str) -> Callable[[Path], None]:
    def change(ds: Path) -> None:
        _path(ds, table).write_bytes(b"")

    return change


def bom_only(ds: Path) -> None:
    _path(ds, "households").write_bytes(b"\xef\xbb\xbf")


def blank_lines_only(ds: Path) -> None:
    _path(ds, "members").write_bytes(b"\n\r\n\n ,,, \n")


def ragged_rows(ds: Path) -> None:
    """Rows with too few and too many fields, an unclosed quote at the end."""
    lines = csv_text(read(ds, "households")).split("\n")
    lines[2] = lines[2] + ",extra,extra2"
    lines[3] = ",".join(lines[3].split(",")[:5])
    lines[-1] = '42112100009999,"unterminated'
    _path(ds, "households").write_text("\n".join(lines), encoding="utf-8-sig", newline="")


def chinese_headers(ds: Path) -> None:
    """Headers as the national system's Chinese labels (first alias of each column)."""
    from jingzhun.schema.columns import columns

    for table in ("households", "members"):
        df = read(ds, table)
        names = {}
        for c in df.columns:
            spec = columns(table).get(c)
            names[c] = spec.aliases[0] if spec is not None and spec.aliases else c
        write_csv(ds, table, df.rename(columns=names))


def many_unknown_columns(ds: Path) -> None:
    df = read(ds, "households")
    extra = pd.DataFrame({f"备注{i}": [""] * len(df) for i in range(150)})
    extra["备注7"] = "x"
    df = pd.concat([df, extra], axis=1)
    df[""] = "无表头的列"
    write_csv(ds, "households", df)


# ---- xlsx variants ------------------------------------------------------------------------


def _xlsx(ds: Path, table: str, sheets: list[tuple[str, list[list[object]], dict]]) -> None:
    """Replace ``table``'s file by a workbook: (sheet name, rows, options) per sheet.

    Options: ``hidden``, ``merge`` (list of (first_row, first_col, last_row, last_col, text)),
    ``date_cols`` (column indexes written as Excel date serials with a date format).
    """
    import xlsxwriter

    for old in (ds / str(YEAR)).glob(f"{table}.*"):
        old.unlink()
    wb = xlsxwriter.Workbook(
        str(_path(ds, table, ".xlsx")),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    wb.set_properties({"created": pd.Timestamp("2000-01-01").to_pydatetime()})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    visible = None
    worksheets = []
    for name, rows, opts in sheets:
        ws = wb.add_worksheet(name)
        worksheets.append((ws, opts))
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, float | int) and not isinstance(v, bool):
                    ws.write_number(r, c, v, date_fmt if c in opts.get("date_cols", ()) else None)
                elif v is not None and v != "":
                    ws.write_string(r, c, str(v))
        for fr, fc, lr, lc, text in opts.get("merge", []):
            ws.merge_range(fr, fc, lr, lc, text)
        if not opts.get("hidden") and visible is None:
            visible = ws
    if visible is not None:
        visible.activate()
        visible.set_first_sheet()
    for ws, opts in worksheets:
        if opts.get("hidden"):
            ws.hide()
    wb.close()


def _rows(df: pd.DataFrame) -> list[list[object]]:
    return [list(df.columns)] + df.to_numpy(dtype=object).tolist()


def xlsx_plain(ds: Path) -> None:
    _xlsx(ds, "households", [("Sheet1", _rows(read(ds, "households")), {})])


def xlsx_title_row(ds: Path) -> None:
    df = read(ds, "households")
    rows = [["2016年建档立卡农户信息表"], ["填报单位: 团风县扶贫办"]] + _rows(df)
    _xlsx(ds, "households", [("农户信息", rows, {"merge": [(0, 0, 0, 8, "2016年建档立卡农户信息表")]})])


def xlsx_hidden_first_sheet(ds: Path) -> None:
    """A hidden first sheet 旧数据 with zero wages before the real data (issue 17 item 13)."""
    df = read(ds, "households")
    old = df.copy()
    for c in ("wage_income", "business_income", "property_income", "transfer_income", "per_capita_net_income"):
        old[c] = "0"
    _xlsx(ds, "households", [("旧数据", _rows(old), {"hidden": True}), ("农户信息", _rows(df), {})])


def xlsx_two_sheets(ds: Path) -> None:
    """A notes sheet first, the data second; then the members with a summary sheet after them."""
    notes = [["填表说明"], ["1. 身份证号请按文本录入"], ["2. 收入单位: 元"]]
    _xlsx(ds, "households", [("说明", notes, {}), ("农户信息", _rows(read(ds, "households")), {})])
    summary = [["乡镇", "人数"], ["团风镇", 120], ["合计", 200]]
    _xlsx(ds, "members", [("家庭成员", _rows(read(ds, "members")), {}), ("汇总", summary, {})])


def xlsx_merged_header(ds: Path) -> None:
    """A two-row header: merged group cells above the column names, a merged cell in the data."""
    from jingzhun.schema.columns import columns

    df = read(ds, "households")
    names = []
    for c in df.columns:
        spec = columns("households").get(c)
        names.append(spec.aliases[0] if spec is not None and spec.aliases else c)
    cols = list(df.columns)
    first_income, last_income = cols.index("wage_income"), cols.index("per_capita_net_income")
    top: list[object] = [""] * len(cols)
    rows = [top, names] + df.to_numpy(dtype=object).tolist()
    merge = [
        (0, 0, 0, first_income - 1, "基本情况"),
        (0, first_income, 0, last_income, "收入情况(元)"),
        (0, last_income + 1, 0, len(cols) - 1, "两不愁三保障"),
    ]
    _xlsx(ds, "households", [("Sheet1", rows, {"merge": merge})])


def xlsx_date_serials(ds: Path) -> None:
    """Members' birth dates as Excel date serials (formatted), some as bare numbers, one as text."""
    df = read(ds, "members")
    col = list(df.columns).index("birth_date")
    d = pd.to_datetime(df["birth_date"], errors="coerce")
    serial = ((d - pd.Timestamp("1899-12-30")).dt.days).astype("float")
    rows = _rows(df)
    for i in range(len(df)):
        rows[i + 1][col] = float(serial.iloc[i]) if pd.notna(serial.iloc[i]) else ""
    rows[1][col] = 60.0  # Excel's phantom 1900-02-29
    rows[2][col] = 2958466.0  # one past 9999-12-31
    rows[3][col] = -5.0
    rows[4][col] = "19630625"
    _xlsx(ds, "members", [("Sheet1", rows, {"date_cols": (col,)})])
    payments = read(ds, "payments")
    pcol = list(payments.columns).index("pay_date")
    prows = _rows(payments)
    for i in range(len(payments)):
        v = pd.Timestamp(payments["pay_date"].iloc[i])
        prows[i + 1][pcol] = float((v - pd.Timestamp("1899-12-30")).days)
    _xlsx(ds, "payments", [("Sheet1", prows, {"date_cols": (pcol,)})])


def xlsx_empty_sheet(ds: Path) -> None:
    _xlsx(ds, "households", [("Sheet1", [], {})])


def xlsx_ids_as_numbers(ds: Path) -> None:
    """ID numbers typed into Excel as numbers: the last digits are lost, X cannot be a number."""
    df = read(ds, "members")
    col = list(df.columns).index("id_number")
    rows = _rows(df)
    for i in range(min(10, len(df))):
        v = df["id_number"].iloc[i]
        if v.isdigit():
            rows[i + 1][col] = float(v)
    hcol = list(df.columns).index("household_id")
    for i in range(len(df)):
        rows[i + 1][hcol] = float(df["household_id"].iloc[i])
    _xlsx(ds, "members", [("Sheet1", rows, {})])


# ---- Parquet variants ---------------------------------------------------------------------


def _parquet(ds: Path, table: str, t) -> None:
    import pyarrow.parquet as pq

    for old in (ds / str(YEAR)).glob(f"{table}.*"):
        old.unlink()
    pq.write_table(t, _path(ds, table, ".parquet"))


def _arrow(df: pd.DataFrame):
    import pyarrow as pa

    return pa.table({c: pa.array(df[c].tolist(), type=pa.string()) for c in df.columns})


def parquet_plain(ds: Path) -> None:
    _parquet(ds, "households", _arrow(read(ds, "households")))


def parquet_nested(ds: Path) -> None:
    """A contract column as list<string>, an extra struct column and a map column."""
    import pyarrow as pa

    df = read(ds, "households")
    t = _arrow(df.drop(columns=["other_causes"]))
    n = len(df)
    t = t.append_column(
        "other_causes", pa.array([["因病", "缺资金"] if i % 2 else [] for i in range(n)], type=pa.list_(pa.string()))
    )
    t = t.append_column("extra", pa.array([{"a": i, "b": "x"} for i in range(n)]))
    t = t.append_column("tags", pa.array([[("k", "v")]] * n, type=pa.map_(pa.string(), pa.string())))
    _parquet(ds, "households", t)


def parquet_head_name_list(ds: Path) -> None:
    import pyarrow as pa

    df = read(ds, "households")
    t = _arrow(df.drop(columns=["head_name"]))
    t = t.append_column("head_name", pa.array([[v] for v in df["head_name"]], type=pa.list_(pa.string())))
    _parquet(ds, "households", t)


def parquet_dates_out_of_range(ds: Path) -> None:
    """Birth dates as date32 and timestamp[s] with years 2916, 1016 and 2500 (outside the ns range)."""
    import datetime as dt

    import pyarrow as pa

    df = read(ds, "members")
    dates = [dt.date.fromisoformat(v) if v else None for v in df["birth_date"]]
    dates[0], dates[1], dates[2] = dt.date(2916, 3, 1), dt.date(1016, 3, 1), dt.date(2500, 1, 1)
    t = _arrow(df.drop(columns=["birth_date", "change_date"]))
    t = t.append_column("birth_date", pa.array(dates, type=pa.date32()))
    stamps = [dt.datetime(9999, 12, 31, 23, 59, 59)] + [None] * (len(df) - 1)
    t = t.append_column("change_date", pa.array(stamps, type=pa.timestamp("s")))
    _parquet(ds, "members", t)


def parquet_all_null(ds: Path) -> None:
    """Several columns (required ones among them) all null, of Arrow type null and of type string."""
    import pyarrow as pa

    df = read(ds, "households")
    t = _arrow(df)
    for c in ("head_name", "wage_income", "registered", "village_code"):
        i = t.schema.get_field_index(c)
        t = t.set_column(i, c, pa.nulls(len(df)))
    i = t.schema.get_field_index("household_size")
    t = t.set_column(i, "household_size", pa.nulls(len(df), type=pa.string()))
    _parquet(ds, "households", t)


def parquet_wrong_types(ds: Path) -> None:
    """Numbers as text, text as numbers, booleans as integers, IDs as int64 and float64."""
    import pyarrow as pa

    df = read(ds, "households")
    t = _arrow(df)
    n = len(df)

    def put(c: str, arr) -> None:
        nonlocal t
        t = t.set_column(t.schema.get_field_index(c), c, arr)

    put("household_size", pa.array(["五"] + ["三口"] * (n - 1)))
    put("wage_income", pa.array([True, False] * (n // 2) + [True] * (n % 2)))
    put("registered", pa.array(list(range(n)), type=pa.int64()))
    put("head_name", pa.array([float(i) for i in range(n)]))
    put("household_id", pa.array([int(v) for v in df["household_id"]], type=pa.int64()))
    put("head_id_number", pa.array([float(v) if v.isdigit() else None for v in df["head_id_number"]]))
    put("identified_year", pa.array([1.5e12] * n))
    _parquet(ds, "households", t)


def parquet_invalid_utf8(ds: Path) -> None:
    """A binary head_name column holding bytes that are not UTF-8 (GBK bytes, a lone 0xff)."""
    import pyarrow as pa

    df = read(ds, "households")
    t = _arrow(df)
    names = [v.encode("gbk", errors="replace") for v in df["head_name"]]
    names[0] = b"\xff\xfe\x00bad"
    t = t.set_column(t.schema.get_field_index("head_name"), "head_name", pa.array(names, type=pa.binary()))
    _parquet(ds, "households", t)


def parquet_no_rows(ds: Path) -> None:
    _parquet(ds, "members", _arrow(read(ds, "members")).slice(0, 0))


def parquet_dictionary(ds: Path) -> None:
    """Categorical (dictionary-encoded) text columns and large_string, as pandas writes categories."""
    import pyarrow as pa

    df = read(ds, "households")
    t = _arrow(df)
    for c in ("village_code", "category", "status"):
        i = t.schema.get_field_index(c)
        t = t.set_column(i, c, t.column(c).dictionary_encode())
    i = t.schema.get_field_index("head_name")
    t = t.set_column(i, "head_name", t.column("head_name").cast(pa.large_string()))
    _parquet(ds, "households", t)


# ---- hostile values -------------------------------------------------------------------------

FORMULAS = ["=cmd|' /C calc'!A0", "@SUM(1)", "+1", "-1", '=HYPERLINK("http://x","y")', "\t=1+1"]
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{ 7*7 }}", "[bold red]x[/]", "]]>&amp;<!--"]
PATHS = ["../../x", "/etc/passwd", "C:\\x", "CON", "..\\..\\x", ".hidden", "a/b"]


def hostile_text(values: list[str]) -> Callable[[Path], None]:
    """The strings in names, village and township names, group names and project fields."""

    def change(ds: Path) -> None:
        n = len(values)
        edit("households", "head_name", values)(ds)
        edit("households", "group_name", values, rows=list(range(n, 2 * n)))(ds)
        edit("members", "name", values, rows=list(range(3, 3 + n)))(ds)
        v = read(ds, "villages")
        v.loc[0, "village_name"] = values[0]
        v.loc[len(v) - 1, "township_name"] = values[-1]
        write_csv(ds, "villages", v)
        p = read(ds, "projects")
        for i in range(min(len(p), n)):
            p.loc[i, "name"] = values[i]
            p.loc[i, "implementer"] = values[-1 - i]
            p.loc[i, "performance_target"] = values[i]
        write_csv(ds, "projects", p)
        pay = read(ds, "payments")
        for i in range(min(len(pay), n)):
            pay.loc[i, "purpose"] = values[i]
            pay.loc[i, "payee_name"] = values[-1 - i]
        write_csv(ds, "payments", pay)

    return change


def control_chars(ds: Path) -> None:
    """NUL, other C0 controls, DEL and bidi overrides (U+202E, U+2066) in names and project fields."""
    values = ["张\x00三", "李\u202e四五", "王\x07\x1b[31m红", "\u2066赵\u2069钱", "孙\x7f", "\ufeff周", "吴\u200b郑"]
    hostile_text(values)(ds)


def dates_out_of_range(ds: Path) -> None:
    edit("members", "birth_date", ["2916-03-01", "1016-03-01", "2500-01-01", "0000-00-00", "1900-02-29"])(ds)
    edit("payments", "pay_date", ["2916-03-01", "1016-03-01"])(ds)
    edit("projects", "approved_date", ["2916-03-01", "9999-12-31"])(ds)
    edit("dibao", "start_date", ["2500-01-01"])(ds)


def absurd_money(ds: Path) -> None:
    values = ["NaN", "inf", "-inf", "1e308", "-1e308", "1.8e308", "Infinity", "1e-320"]
    edit("households", "wage_income", values)(ds)
    edit("households", "business_expense", ["1e308"] * 3, rows=[10, 11, 12])(ds)
    edit("households", "per_capita_net_income", ["inf", "nan"], rows=[20, 21])(ds)
    edit("payments", "amount", ["inf", "NaN", "1e308", "-1e308"])(ds)
    edit("projects", "budget", ["1e308", "inf"])(ds)
    edit("dibao", "monthly_amount", ["nan", "inf"])(ds)


def household_sizes(ds: Path) -> None:
    edit("households", "household_size", ["-3", "0", "21", "1e9", "1e15", "999999999999999999999", "2.5"])(ds)
    edit("members", "work_months", ["-1", "1e15", "13"])(ds)


def long_codes(ds: Path) -> None:
    recode_village("4211211" + "0" * 293)(ds)


def huge_name(ds: Path) -> None:
    """One 100 KB member name and head name (issue 17 item 14 used 5 MB; 100 KB keeps the suite fast)."""
    big = "张" + "伟" * 100_000
    edit("households", "head_name", [big])(ds)
    edit("members", "name", [big, big[:50_000]])(ds)
    edit("dibao", "name", [big])(ds)


def duplicate_household_ids(ds: Path) -> None:
    df = read(ds, "households")
    dup = df.iloc[[0, 1, 2]].copy()
    dup["head_name"] = ["重复一", "重复二", "重复三"]
    write_csv(ds, "households", pd.concat([df, dup], ignore_index=True))


def duplicate_member_ids(ds: Path) -> None:
    df = read(ds, "members")
    dup = df.iloc[[0, 5]].copy()
    dup["household_id"] = df["household_id"].iloc[-1]
    write_csv(ds, "members", pd.concat([df, dup, df.iloc[[3]]], ignore_index=True))


def swapped_headers(ds: Path) -> None:
    """head_name and head_id_number headers swapped: names under the ID header and IDs under the name header."""
    df = read(ds, "households")
    write_csv(ds, "households", df.rename(columns={"head_name": "head_id_number", "head_id_number": "head_name"}))


def private_values_in_public_fields(ds: Path) -> None:
    """ID, phone, bank card and health words where a notice prints text (issue 17 item 2)."""
    hh = read(ds, "households")
    hh.loc[0, "group_name"] = "13800138000"
    hh.loc[1, "head_name"] = "421121196306257416"
    hh.loc[2, "group_name"] = "6217001234567890123"
    write_csv(ds, "households", hh)
    p = read(ds, "projects")
    p.loc[0, "name"] = "患有大病 421121196306257416 6217001234567890123"
    p.loc[0, "performance_target"] = "联系 13800138000"
    write_csv(ds, "projects", p)


def unknown_enum_values(ds: Path) -> None:
    edit("members", "relation", ["干儿子", "户主", "", "配偶,子"])(ds)
    edit("households", "registered", ["也许", "1", "TRUE", "是是"])(ds)
    edit("households", "category", ["贫困户?", "一般贫困户 "])(ds)


def absolute_code(ds: Path) -> None:
    recode_village(str(ABSOLUTE_TARGET / "x"))(ds)


# ---- jingzhun.toml --------------------------------------------------------------------------


def toml(text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    def change(ds: Path) -> None:
        (ds / "jingzhun.toml").write_bytes(text.encode(encoding))

    return change


# ---- datasets built differently ---------------------------------------------------------------


def dirty_sample(ds: Path) -> None:
    """``jingzhun sample --dirty 0.1 --anomalies 0.05`` output (issue 17 item 1: notice leak on dirty data)."""
    from jingzhun.sample.build import build

    for child in ds.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    build(ds, BASE_HOUSEHOLDS, [YEAR - 1, YEAR], 7, dirty_rate=0.1, villages_per_township=1, anomaly_rate=0.05)
    shutil.rmtree(ds / "_truth", ignore_errors=True)
    (ds / "README.md").unlink(missing_ok=True)
    (ds / "jingzhun.toml").write_text(BASE_TOML, encoding="utf-8")


def xlsx_sample(ds: Path) -> None:
    """The whole dataset as .xlsx files (sample --format xlsx), title rows and 合计 rows from --dirty."""
    from jingzhun.sample.build import build

    for child in ds.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    build(ds, BASE_HOUSEHOLDS, [YEAR - 1, YEAR], 11, fmt="xlsx", dirty_rate=0.05, villages_per_township=1)
    shutil.rmtree(ds / "_truth", ignore_errors=True)
    (ds / "README.md").unlink(missing_ok=True)
    (ds / "jingzhun.toml").write_text(BASE_TOML, encoding="utf-8")


# ---- the cases ------------------------------------------------------------------------------


def _cases() -> list[Case]:
    c = Case
    return [
        # CSV
        c(
            "csv_gbk",
            "csv",
            "households and members saved in GBK (Windows Excel's default)",
            both(reencode("households", "gbk", errors="replace"), reencode("members", "gbk", errors="replace")),
        ),
        c("csv_gb18030", "csv", "members saved in GB18030", reencode("members", "gb18030")),
        c(
            "csv_utf8_bom",
            "csv",
            "UTF-8 with BOM and CRLF (Excel 'CSV UTF-8')",
            reencode("households", "utf-8-sig", newline="\r\n"),
        ),
        c("csv_utf8_plain", "csv", "UTF-8 without BOM", reencode("households", "utf-8")),
        c("csv_utf16_tab", "csv", "Excel 'Unicode text': UTF-16 LE with BOM, tab-separated .txt", utf16_tab),
        c(
            "csv_utf16_be_csv",
            "csv",
            "UTF-16 BE with BOM, comma-separated .csv",
            reencode("members", "utf-16", newline="\r\n"),
        ),
        c("csv_cr_only", "csv", "old-Mac CR-only line ends", reencode("households", "utf-8-sig", newline="\r")),
        c(
            "csv_crlf",
            "csv",
            "CRLF line ends in every table",
            both(*(reencode(t, "utf-8-sig", newline="\r\n") for t in ("households", "members", "dibao", "payments"))),
        ),
        c("csv_newline_in_quoted_name", "csv", "LF, CRLF and CR inside quoted head names", newline_in_quoted_name),
        c("csv_cr_in_unquoted_name", "csv", "a bare CR and LF inside unquoted member names (WPS)", cr_in_unquoted_name),
        c("csv_title_rows", "csv", "two title rows and a blank row above the header", title_rows),
        c("csv_total_row", "csv", "trailing 合计 and 总计 rows", total_row),
        c("csv_excel_damaged_ids", "csv", "ID numbers damaged by Excel (4.21121E+17, trailing 000)", excel_damaged_ids),
        c("csv_header_only", "csv", "households.csv with a header and no rows", header_only),
        c("csv_empty_file", "csv", "members.csv of zero bytes", empty_file("members")),
        c(
            "csv_empty_optional",
            "csv",
            "payments.csv and villages.csv of zero bytes",
            both(empty_file("payments"), empty_file("villages")),
        ),
        c("csv_bom_only", "csv", "households.csv holding only a UTF-8 BOM", bom_only),
        c("csv_blank_lines_only", "csv", "members.csv of blank lines and separators", blank_lines_only),
        c("csv_ragged_rows", "csv", "rows with extra and missing fields, an unterminated quote", ragged_rows),
        c("csv_chinese_headers", "csv", "Chinese headers instead of canonical names", chinese_headers),
        c(
            "csv_many_unknown_columns",
            "csv",
            "150 unknown mostly-empty columns and a headerless one",
            many_unknown_columns,
        ),
        # Excel
        c("xlsx_plain", "xlsx", "households as a plain .xlsx", xlsx_plain),
        c("xlsx_title_row", "xlsx", "a merged title row and a note row above the header", xlsx_title_row),
        c("xlsx_hidden_first_sheet", "xlsx", "a hidden first sheet 旧数据 with zero incomes", xlsx_hidden_first_sheet),
        c(
            "xlsx_two_sheets",
            "xlsx",
            "a notes sheet before the data; a summary sheet after the members",
            xlsx_two_sheets,
        ),
        c("xlsx_merged_header", "xlsx", "a two-row header with merged group cells", xlsx_merged_header),
        c("xlsx_date_serials", "xlsx", "dates as Excel serials (60, 2958466, -5) and text", xlsx_date_serials),
        c("xlsx_empty_sheet", "xlsx", "households.xlsx with one empty sheet", xlsx_empty_sheet),
        c("xlsx_ids_as_numbers", "xlsx", "ID numbers and household IDs stored as numbers", xlsx_ids_as_numbers),
        c(
            "xlsx_sample",
            "xlsx",
            "the whole dataset as .xlsx with dirty rows (sample --format xlsx --dirty)",
            xlsx_sample,
        ),
        # Parquet
        c("parquet_plain", "parquet", "households as Parquet, every column a string", parquet_plain),
        c("parquet_nested", "parquet", "list, struct and map columns (other_causes as list<string>)", parquet_nested),
        c("parquet_head_name_list", "parquet", "a required text column as list<string>", parquet_head_name_list),
        c(
            "parquet_dates_out_of_range",
            "parquet",
            "date32 2916/1016/2500 and timestamp 9999-12-31",
            parquet_dates_out_of_range,
        ),
        c("parquet_all_null", "parquet", "required columns of Arrow type null", parquet_all_null),
        c(
            "parquet_wrong_types",
            "parquet",
            "numbers as text, text as floats, IDs as int64/float64",
            parquet_wrong_types,
        ),
        c(
            "parquet_invalid_utf8",
            "parquet",
            "a binary head_name column with bytes that are not UTF-8",
            parquet_invalid_utf8,
        ),
        c("parquet_no_rows", "parquet", "members.parquet with its schema and no rows", parquet_no_rows),
        c("parquet_dictionary", "parquet", "dictionary-encoded and large_string text columns", parquet_dictionary),
        # hostile values
        c(
            "value_formula_injection",
            "value",
            "=cmd|' /C calc'!A0, @SUM(1), +1, -1 in names and project fields",
            hostile_text(FORMULAS),
        ),
        c("value_markup", "value", "<script>, <img onerror>, {{ 7*7 }} and rich markup in names", hostile_text(MARKUP)),
        c("value_path_strings", "value", "../../x, /etc/passwd, C:\\x, CON as names", hostile_text(PATHS)),
        c(
            "value_village_code_dotdot",
            "value",
            "a village code of ../../../../x in every table",
            recode_village("../../../../x"),
        ),
        c("value_village_code_slash", "value", "a village code 421121100/200", recode_village("421121100/200")),
        c("value_village_code_backslash", "value", "a village code C:\\x", recode_village("C:\\x")),
        c("value_village_code_con", "value", "a village code CON (reserved on Windows)", recode_village("CON")),
        c("value_village_code_absolute", "value", "a village code that is an absolute path", absolute_code),
        c(
            "value_village_code_hidden",
            "value",
            "a village code .hidden (a hidden file name)",
            recode_village(".hidden"),
        ),
        c("value_village_code_nul", "value", "a village code with a NUL byte", recode_village("421121\x00100200")),
        c("value_village_code_300", "value", "a 300-character village code", long_codes),
        c(
            "value_township_path",
            "value",
            "a township code ../../../x and name /etc/passwd",
            retownship("../../../x", "/etc/passwd"),
        ),
        c("value_control_chars", "value", "NUL, ESC, DEL, BOM, zero-width and bidi overrides in names", control_chars),
        c(
            "value_dates_out_of_range",
            "value",
            "dates 2916-03-01, 1016-03-01, 2500-01-01, 0000-00-00",
            dates_out_of_range,
        ),
        c("value_absurd_money", "value", "NaN, inf, -inf, 1e308 in incomes, payments and budgets", absurd_money),
        c("value_household_sizes", "value", "household sizes -3, 0, 21, 1e9, 1e15, 10^21, 2.5", household_sizes),
        c("value_huge_name", "value", "a 100 KB head name and member name", huge_name),
        c("value_duplicate_household_ids", "value", "three household IDs appear twice", duplicate_household_ids),
        c("value_duplicate_member_ids", "value", "the same member ID in two households", duplicate_member_ids),
        c("value_swapped_headers", "value", "head_name and head_id_number headers swapped", swapped_headers),
        c(
            "value_private_in_public_fields",
            "value",
            "ID, phone, bank card and 患有大病 in names and project fields",
            private_values_in_public_fields,
        ),
        c("value_unknown_enums", "value", "unknown relation, bool and category labels", unknown_enum_values),
        # jingzhun.toml
        c("toml_gbk", "toml", "jingzhun.toml saved in GBK (Notepad)", toml(BASE_TOML, "gbk")),
        c("toml_utf8_bom", "toml", "jingzhun.toml saved as UTF-8 with BOM", toml("\ufeff" + BASE_TOML)),
        c(
            "toml_notice_days_negative",
            "toml",
            "notice_days households = -5",
            toml(BASE_TOML + "\n[notice_days]\nhouseholds = -5\n"),
        ),
        c(
            "toml_notice_days_huge",
            "toml",
            "notice_days households = 99999999",
            toml(BASE_TOML + "\n[notice_days]\nhouseholds = 99999999\n"),
        ),
        c(
            "toml_poverty_line_nan",
            "toml",
            "poverty_line 2015 = nan",
            toml(BASE_TOML + "\n[poverty_line]\n2015 = nan\n"),
        ),
        c(
            "toml_poverty_line_negative",
            "toml",
            "poverty_line 2015 = -1 and exit_line inf",
            toml(BASE_TOML + "\n[poverty_line]\n2015 = -1.0\n[exit_line]\n2015 = inf\n"),
        ),
        c("toml_syntax_error", "toml", "a jingzhun.toml that is not TOML", toml("[county\nissuer = 团风\n")),
        c(
            "toml_unknown_key",
            "toml",
            "an unknown parameter and a wrong type",
            toml(BASE_TOML + '\n[identify]\nedge_multiplier = "1.5"\nfoo = 1\n'),
        ),
        c(
            "toml_markup_issuer",
            "toml",
            "issuer and phone holding markup and a formula",
            toml(
                BASE_TOML.replace("团风县扶贫开发领导小组办公室", "<script>alert(1)</script>=cmd|'/C calc'!A0").replace(
                    "0713-5000000", "[red]x[/] {{ 7*7 }}"
                )
            ),
        ),
        # whole datasets
        c("dataset_one_year", "dataset", "only the latest data year (no diff, no trend)", drop_year(YEAR - 1), years=1),
        c(
            "dataset_required_only",
            "dataset",
            "only households and members (no roster, projects, payments)",
            keep_tables("households", "members"),
        ),
        c("dataset_dirty_sample", "dataset", "sample --dirty 0.1 --anomalies 0.05 output", dirty_sample),
    ]


CASES: dict[str, Case] = {case.name: case for case in _cases()}
assert len(CASES) == len(_cases()), "case names must be unique"
assert all(case.kind in KINDS for case in CASES.values())


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python tests/hostile/make_corpus.py OUTDIR", file=sys.stderr)
        return 2
    out = Path(argv[1])
    if out.exists() and any(out.iterdir()):
        print(f"{out} is not empty", file=sys.stderr)
        return 2
    for case, path in make_corpus(out):
        print(f"{case.kind:8} {case.name:34} {case.description}  -> {path}")
    print(f"{len(CASES)} cases", file=sys.stderr)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main(sys.argv))
