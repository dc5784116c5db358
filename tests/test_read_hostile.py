"""Hostile and odd files: each is findings or one clear InputError naming the file, never a crash.

Every file is built here (small on disk); issue 10 items 8-12, 14, 15 and issue 17 items 7, 12, 13, 17.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
import zipfile

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import ConfigError, InputError
from jingzhun.io.read import Limits, read_table
from jingzhun.params import Params

HEAD = (
    "户编号,行政村代码,户主姓名,户主身份证号,家庭人口数,是否建档立卡,工资性收入,生产经营性收入,"
    "财产性收入,生产经营性支出,是否危房户,饮水是否安全"
).split(",")
ROW1 = "42112110000101,421121100201,张三,421121199001011236,3,是,1000,0,0,0,否,是".split(",")
ROW2 = "42112110000102,421121100201,李四,421121199001011252,2,否,2000,0,0,0,否,是".split(",")
PAY_HEAD = ["付款编号", "收款人姓名", "金额", "拨付日期", "用途"]


def codes(res):
    return res.findings.frame()["code"].tolist()


def _xlsx(path, sheets: dict[str, list[list]], hidden=()):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def _write(kind, path_stem, header, rows):
    path_stem.parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        p = path_stem.with_suffix(".csv")
        p.write_text("\n".join(",".join(map(str, r)) for r in [header, *rows]) + "\n", encoding="utf-8")
    elif kind == "xlsx":
        p = _xlsx(path_stem.with_suffix(".xlsx"), {"Sheet1": [header, *rows]})
    else:
        p = path_stem.with_suffix(".parquet")
        pq.write_table(pa.table({h: pa.array([r[i] for r in rows], pa.string()) for i, h in enumerate(header)}), p)
    return p


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


# ---- issue 10 item 8: empty and header-only files ------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
def test_header_only_file_is_a_finding(tmp_path, kind):
    p = _write(kind, tmp_path / "households", HEAD, [])
    res = read_table(p)
    assert "V-READ-NO-ROWS" in codes(res)
    assert len(res.frame) == 0 and "household_id" in res.frame.columns


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_empty_file_is_a_finding(tmp_path, suffix):
    p = tmp_path / f"households{suffix}"
    p.write_bytes(b"")
    assert codes(read_table(p)) == ["V-READ-EMPTY-FILE"]


@pytest.mark.parametrize(
    ("table", "command"), [("members", "validate"), ("households", "match"), ("projects", "audit")]
)
def test_header_only_table_does_not_crash_the_steps(tmp_path, data_sample, table, command):
    ds = tmp_path / "ds"
    shutil.copytree(data_sample / "2016", ds / "2016")
    f = ds / "2016" / f"{table}.csv"
    f.write_text(f.read_text(encoding="utf-8-sig").splitlines()[0] + "\n", encoding="utf-8")
    result = invoke(command, str(ds), "--out", str(tmp_path / "out"))
    assert result.exit_code in (0, 1), result.output
    assert "内部错误" not in result.output


# ---- issue 10 item 9: CR-only line ends, line breaks inside names ---------------------------------


def test_cr_only_line_ends(tmp_path):
    p = tmp_path / "households.csv"
    p.write_bytes("\r".join(",".join(r) for r in (HEAD, ROW1, ROW2)).encode("gbk") + b"\r")
    res = read_table(p)
    assert res.frame["head_name"].tolist() == ["张三", "李四"]
    assert codes(res) == []


def test_line_break_inside_quoted_name_is_kept(tmp_path):
    p = tmp_path / "households.csv"
    row2 = ",".join(ROW2).replace("李四", '"李\r\n四"')
    p.write_text(",".join(HEAD) + "\r\n" + ",".join(ROW1) + "\r\n" + row2 + "\r\n", encoding="utf-8")
    res = read_table(p)
    assert res.frame["head_name"].tolist() == ["张三", "李\r\n四"]
    assert res.frame["_row"].tolist() == [1, 2]


def test_line_break_inside_unquoted_name_is_a_finding(tmp_path):
    p = tmp_path / "households.csv"
    row2 = ",".join(ROW2).replace("李四", "李\r四")
    p.write_text(",".join(HEAD) + "\r\n" + ",".join(ROW1) + "\r\n" + row2 + "\r\n", encoding="utf-8")
    res = read_table(p)
    assert res.frame["head_name"].tolist() == ["张三"]
    assert codes(res).count("V-READ-BAD-LINE") == 2


# ---- issue 10 item 10: dates out of the nanosecond range -----------------------------------------

BAD_DATES = ["2916-03-01", "1016-03-01", "2500-01-01"]


def _date_findings(res):
    f = res.findings.frame()
    return sorted(f[(f["code"] == "V-VALUE-NOT-DATE") & (f["column"] == "pay_date")]["value"].tolist())


def test_out_of_range_dates_in_text_are_findings(tmp_path):
    rows = [[f"P{i}", "张三", "100", d, "x"] for i, d in enumerate([*BAD_DATES, "2016-03-01", "29160301"])]
    res = read_table(_write("csv", tmp_path / "payments", PAY_HEAD, rows))
    assert _date_findings(res) == sorted([*BAD_DATES, "29160301"])
    assert res.frame["pay_date"].notna().tolist() == [False, False, False, True, False]


@pytest.mark.parametrize("typ", [pa.date32(), pa.timestamp("us"), pa.timestamp("ms")])
def test_out_of_range_dates_in_parquet_are_findings(tmp_path, typ):
    days = [dt.date(2916, 3, 1), dt.date(1016, 3, 1), dt.date(2016, 3, 1)]
    values = days if typ == pa.date32() else [dt.datetime(d.year, d.month, d.day) for d in days]
    p = tmp_path / "payments.parquet"
    pq.write_table(
        pa.table(
            {
                "payment_id": ["a", "b", "c"],
                "payee_name": ["x"] * 3,
                "amount": [1.0] * 3,
                "pay_date": pa.array(values, typ),
                "purpose": ["y"] * 3,
            }
        ),
        p,
    )
    res = read_table(p)
    found = _date_findings(res)
    assert len(found) == 2 and found[0].startswith("1016-03-01") and found[1].startswith("2916-03-01")
    assert res.frame["pay_date"].notna().tolist() == [False, False, True]


def test_out_of_range_dates_in_excel_cells_are_findings(tmp_path):
    # Excel date cells start at 1900: an earlier year can only be text there.
    dates = [dt.datetime(2916, 3, 1), dt.datetime(2500, 1, 1), "1016-03-01", dt.datetime(2016, 3, 1)]
    rows = [[f"P{i}", "张三", 100, d, "x"] for i, d in enumerate(dates)]
    res = read_table(_xlsx(tmp_path / "payments.xlsx", {"Sheet1": [PAY_HEAD, *rows]}))
    assert _date_findings(res) == ["1016-03-01", "2500-01-01", "2916-03-01"]


# ---- issue 10 item 12: nested columns and invalid UTF-8 in Parquet --------------------------------


def test_parquet_nested_columns_and_bad_utf8_are_findings_per_column(tmp_path):
    bad = pa.array([b"\xff\xfe\xfa", "李四".encode()], pa.binary()).view(pa.string())
    p = tmp_path / "households.parquet"
    pq.write_table(
        pa.table(
            {
                "household_id": ["1", "2"],
                "head_name": bad,
                "village_code": pa.array([["a"], ["b"]], pa.list_(pa.string())),
                "household_size": pa.array([{"n": 1}, {"n": 2}]),
            }
        ),
        p,
    )
    res = read_table(p)
    f = res.findings.frame()
    assert sorted(f[f["code"] == "V-READ-COLUMN-TYPE"]["column"]) == ["household_size", "village_code"]
    assert f[f["code"] == "V-READ-BAD-TEXT"][["column", "value"]].values.tolist() == [["head_name", "1"]]
    assert res.frame["head_name"].tolist()[1] == "李四"
    assert res.frame["village_code"].isna().all()


# ---- issue 10 item 14 / issue 17 item 7: read once, a file changed or removed during the run -----


def test_hash_is_of_the_bytes_parsed_and_a_changed_file_is_named(tmp_path):
    y = tmp_path / "2016"
    y.mkdir()
    for name, header, rows in (
        ("households", HEAD, [ROW1]),
        ("members", ["户编号", "证件号码", "姓名"], [["1", "x", "y"]]),
    ):
        (y / f"{name}.csv").write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    yd = load_year(Dataset.open(tmp_path), 2016)
    import hashlib

    assert yd.manifest_inputs()[0]["sha256"] == hashlib.sha256((y / "households.csv").read_bytes()).hexdigest()
    assert "stamp" not in yd.manifest_inputs()[0]
    (y / "households.csv").write_text(",".join(HEAD) + "\n" + ",".join(ROW1) + "\n" + ",".join(ROW2) + "\n")
    with pytest.raises(InputError, match="households.csv.*修改"):
        yd.manifest_inputs()
    (y / "households.csv").unlink()
    with pytest.raises(InputError, match="households.csv.*删除"):
        yd.manifest_inputs()


# ---- issue 10 item 15: only the contract's columns; over-long cells --------------------------------


def test_unknown_columns_are_reported_and_not_read(tmp_path):
    extra = [f"备注{i}" for i in range(200)]
    p = _write("csv", tmp_path / "households", HEAD + extra + [""], [ROW1 + [""] * 199 + ["x", "v"]])
    res = read_table(p)
    f = res.findings.frame()
    assert (f["code"] == "V-COLUMN-UNKNOWN").sum() == 201  # 200 named, 1 headerless with a value
    assert list(res.frame.columns)[:1] == ["_row"] and not any(c.startswith(("备注", "列")) for c in res.frame.columns)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
def test_cells_over_the_size_limit_are_findings(tmp_path, kind):
    long = "长" * 500
    p = _write(kind, tmp_path / "households", HEAD, [[*ROW1[:2], long, *ROW1[3:]], ROW2])
    res = read_table(p, limits=Limits(max_cell_chars=100))
    f = res.findings.frame().query("code == 'V-READ-CELL-TOO-LONG'")
    assert f[["row", "column"]].values.tolist() == [[1, "head_name"]]
    assert f["value"].iloc[0].startswith("长" * 40) and "(500)" in f["value"].iloc[0]
    assert res.frame["head_name"].isna().tolist() == [True, False]


def test_limits_are_parameters(tmp_path):
    limits = Params.load().table("limits")
    assert limits["max_cell_chars"] == 32767 and {"max_rows", "max_excel_cells", "max_unpacked_mb"} <= set(limits)
    (tmp_path / "2016").mkdir()
    for name, header, row in (
        ("households", HEAD, ROW1),
        ("members", ["户编号", "证件号码", "姓名"], ["1", "x", "张三三"]),
    ):
        (tmp_path / "2016" / f"{name}.csv").write_text(",".join(header) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    (tmp_path / "jingzhun.toml").write_text("[limits]\nmax_cell_chars = 2\n", encoding="utf-8")
    f = load_year(Dataset.open(tmp_path), 2016).findings.frame().query("code == 'V-READ-CELL-TOO-LONG'")
    assert set(f["table"]) == {"households", "members"} and "张三三… (3)" in f["value"].tolist()
    (tmp_path / "jingzhun.toml").write_text("[limits]\nmax_cell_chars = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="limits.max_cell_chars"):
        load_year(Dataset.open(tmp_path), 2016)


# ---- issue 17 item 12: declared sizes checked before reading ---------------------------------------


def _far_cell_xlsx(path, cell, dimension=None):
    _xlsx(path, {"Sheet1": [HEAD, ROW1]})
    wb = openpyxl.load_workbook(path)
    wb.active[cell] = "x"
    wb.save(path)
    if dimension is not None:  # a file that lies about its range
        buf = io.BytesIO()
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(
                        f'<dimension ref="A1:{cell}"/>'.encode(), f'<dimension ref="{dimension}"/>'.encode()
                    )
                zout.writestr(info, data)
        path.write_bytes(buf.getvalue())
    return path


@pytest.mark.parametrize(
    ("cell", "dimension"), [("XFD1048576", None), ("GR1048576", None), ("XFD1048576", "A1:L2"), ("ZZ1048576", "A1:L2")]
)
def test_huge_sheet_range_is_refused_before_reading(tmp_path, cell, dimension):
    p = _far_cell_xlsx(tmp_path / "households.xlsx", cell, dimension)
    assert p.stat().st_size < 10_000
    # In a child process: before the check, calamine aborted the whole process (SIGABRT).
    code = (
        "import sys\nfrom jingzhun.io.read import read_table\nfrom jingzhun.errors import InputError\n"
        f"try:\n    read_table({str(p)!r})\nexcept InputError as e:\n    print(e.message)\n    sys.exit(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr[-2000:]
    assert "households.xlsx" in done.stdout and "max_excel_cells" in done.stdout


def test_zip_bomb_refused_by_unpacked_size(tmp_path):
    p = _xlsx(tmp_path / "households.xlsx", {"Sheet1": [HEAD, ROW1]})
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/filler.bin", b"\0" * (3 << 20))
    assert p.stat().st_size < 100_000
    with pytest.raises(InputError, match="max_unpacked_mb"):
        read_table(p, limits=Limits(max_unpacked_mb=2))
    assert len(read_table(p).frame) == 1  # within the packaged limit


def test_parquet_row_count_checked_from_metadata(tmp_path):
    p = tmp_path / "households.parquet"
    pq.write_table(pa.table({"household_id": pa.array(["1"] * 5000)}), p)
    with pytest.raises(InputError, match="households.parquet.*max_rows"):
        read_table(p, limits=Limits(max_rows=1000))


# ---- issue 17 item 13: hidden sheets, the sheet whose header fits, --sheet ------------------------


def test_hidden_first_sheet_is_skipped_with_a_finding(tmp_path):
    old = [*ROW1[:6], "0", *ROW1[7:]]
    p = _xlsx(
        tmp_path / "households.xlsx",
        {"旧数据": [HEAD, old], "说明": [["本表说明"], ["2016 年度"]], "农户": [HEAD, ROW1, ROW2]},
        hidden=("旧数据",),
    )
    res = read_table(p)
    assert res.info.sheet == "农户"
    assert res.frame["wage_income"].tolist() == [1000.0, 2000.0]
    f = res.findings.frame().query("code == 'V-READ-HIDDEN-SHEET'")
    assert f["value"].tolist() == ["旧数据"]
    assert read_table(p, sheet="旧数据").frame["wage_income"].tolist() == [0.0]


def test_sheet_option_of_validate(tmp_path):
    p = _xlsx(tmp_path / "households.xlsx", {"农户": [HEAD, ROW1], "旧数据": [HEAD, ROW1, ROW2]}, hidden=("旧数据",))
    out = tmp_path / "out"
    result = invoke("validate", str(p), "--sheet", "旧数据", "--out", str(out))
    assert result.exit_code in (0, 1), result.output
    import json

    sources = json.loads((out / "validate" / "report.json").read_text(encoding="utf-8"))["sources"]
    assert sources[0]["sheet"] == "旧数据" and sources[0]["rows"] == 2
    bad = invoke("validate", str(p), "--sheet", "无此表", "--out", str(out))
    assert bad.exit_code == 2 and "无此表" in bad.output
    folder = invoke("validate", str(tmp_path), "--sheet", "农户", "--out", str(out))
    assert folder.exit_code == 2 and "--sheet" in folder.output


# ---- issue 17 item 17: UTF-16 "Unicode text" exports ----------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_tab_separated_csv(tmp_path, encoding):
    p = tmp_path / "households.txt"
    p.write_bytes(("\r\n".join("\t".join(r) for r in (HEAD, ROW1, ROW2)) + "\r\n").encode(encoding))
    res = read_table(p)
    assert res.info.delimiter == "\t"
    assert res.frame["head_name"].tolist() == ["张三", "李四"]
    assert res.frame["wage_income"].tolist() == [1000.0, 2000.0]


# ---- issue 10 item 11: jingzhun.toml saved in GBK ----------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_dataset_toml_in_gbk(tmp_path, encoding):
    (tmp_path / "jingzhun.toml").write_bytes('# 县级参数\n[county]\nname = "麻城市"\n'.encode(encoding))
    assert Params.load(tmp_path).get("county.name") == "麻城市"


def test_validate_names_an_input_changed_during_the_run(tmp_path, monkeypatch):
    import jingzhun.schema.cli as validate_cli

    y = tmp_path / "ds" / "2016"
    y.mkdir(parents=True)
    (y / "households.csv").write_text("\n".join(",".join(r) for r in (HEAD, ROW1)) + "\n", encoding="utf-8")
    (y / "members.csv").write_text("户编号,证件号码,姓名\n42112110000101,421121199001011236,张三\n", encoding="utf-8")
    real = validate_cli.load_year

    def load_then_change(dataset, year, *args, **kwargs):
        yd = real(dataset, year, *args, **kwargs)
        f = dataset.root / str(year) / "households.csv"
        f.write_bytes(f.read_bytes() + b"\n")  # another program saves the file during the run
        return yd

    monkeypatch.setattr(validate_cli, "load_year", load_then_change)
    out = tmp_path / "out"
    result = invoke("validate", str(tmp_path / "ds"), "--out", str(out))
    assert result.exit_code == 3
    assert "households.csv" in result.output and "修改" in result.output and "内部错误" not in result.output
    assert not (out / "validate" / "report.json").exists()


@pytest.mark.parametrize("inline", [False, True])
def test_xlsx_cell_beyond_excels_limit_is_refused_before_reading(tmp_path, inline):
    # One 2-million-character string used by many cells: calamine would copy it into each.
    p = tmp_path / "households.xlsx"
    big = "长" * 2_000_000
    if inline:
        _xlsx(p, {"Sheet1": [HEAD, ROW1]})  # openpyxl writes shared strings: add an inline one
        buf = io.BytesIO()
        with zipfile.ZipFile(p) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(
                        b"</sheetData>",
                        f'<row r="9"><c r="A9" t="inlineStr"><is><t>{big}</t></is></c></row></sheetData>'.encode(),
                    )
                zout.writestr(info, data)
        p.write_bytes(buf.getvalue())
    else:
        _xlsx(p, {"Sheet1": [HEAD, *[[*ROW1[:2], big, *ROW1[3:]] for _ in range(50)]]})
    assert p.stat().st_size < 200_000
    with pytest.raises(InputError, match="households.xlsx.*max_cell_chars"):
        read_table(p)


def test_parquet_repeated_huge_value_is_checked_in_its_dictionary(tmp_path):
    # 20,000 rows sharing one 100,000-character name: small on disk, 6 GB if decoded row by row.
    n = 20_000
    names = pa.DictionaryArray.from_arrays(
        pa.array([0] * (n - 1) + [1], pa.int32()), pa.array(["长" * 100_000, "李四"])
    )
    p = tmp_path / "households.parquet"
    pq.write_table(pa.table({"household_id": pa.array([str(i) for i in range(n)]), "head_name": names}), p)
    assert p.stat().st_size < 1_000_000
    res = read_table(p)
    f = res.findings.frame().query("code == 'V-READ-CELL-TOO-LONG'")
    assert len(f) == n - 1 and f["row"].iloc[0] == 1 and (f["column"] == "head_name").all()
    assert res.frame["head_name"].isna().sum() == n - 1 and res.frame["head_name"].iloc[-1] == "李四"


# ---- the corpus: every hostile file through `validate FILE` ----------------------------------------


def _corpus(d):
    """name → file: CSV, xlsx and Parquet variants with hostile shapes and values."""
    rows = [ROW1, ROW2]
    hostile = [[*ROW1[:2], v, *ROW1[3:]] for v in ("=1+1", "../../x", "\x00名", "\u202e名", "李\r四", "1e308", "nan")]
    out = {}
    for kind in ("csv", "xlsx", "parquet"):
        out[f"{kind}-header-only"] = _write(kind, d / f"{kind}-h" / "households", HEAD, [])
        values = [r for r in hostile if kind != "xlsx" or "\x00" not in r[2]]  # a worksheet cannot hold NUL
        out[f"{kind}-values"] = _write(kind, d / f"{kind}-v" / "households", HEAD, rows + values)
        out[f"{kind}-dates"] = _write(
            kind,
            d / f"{kind}-d" / "payments",
            PAY_HEAD,
            [[f"P{i}", "x", "1", v, "y"] for i, v in enumerate(BAD_DATES + ["inf"])],
        )
        out[f"{kind}-wide"] = _write(
            kind, d / f"{kind}-w" / "households", HEAD + [f"x{i}" for i in range(50)], [r + [""] * 50 for r in rows]
        )
    for name, data in {
        "cr-only": "\r".join(",".join(r) for r in (HEAD, ROW1)).encode(),
        "utf16": "\n".join("\t".join(r) for r in (HEAD, ROW1)).encode("utf-16"),
        "empty": b"",
        "bom-only": b"\xef\xbb\xbf",
        "binary": bytes(range(256)) * 4,
    }.items():
        (d / name).mkdir(parents=True)
        out[name] = d / name / "households.csv"
        out[name].write_bytes(data)
    (d / "xfd").mkdir(parents=True)
    out["xlsx-xfd"] = _far_cell_xlsx(d / "xfd" / "households.xlsx", "GR1048576")
    return out


@pytest.mark.slow  # reads every file of the hostile corpus
def test_hostile_corpus_never_ends_in_an_internal_error(tmp_path):
    ran = []
    for name, path in _corpus(tmp_path / "in").items():
        result = invoke("validate", str(path), "--out", str(tmp_path / "out" / name))
        assert result.exit_code in (0, 1, 3), (name, result.output)
        assert "内部错误" not in result.output and "Traceback" not in result.output, (name, result.output)
        ran.append((name, result.exit_code))
    print("\n".join(f"{n}: exit {c}" for n, c in ran))
    assert len(ran) == 18
    assert dict(ran)["xlsx-xfd"] == 3 and dict(ran)["binary"] == 3
    assert all(c in (0, 1) for n, c in ran if n not in ("xlsx-xfd", "binary"))


def test_dataset_finds_unicode_text_exports(tmp_path):
    y = tmp_path / "2016"
    y.mkdir()
    (y / "农户信息.txt").write_bytes("\r\n".join("\t".join(r) for r in (HEAD, ROW1)).encode("utf-16"))
    (y / "家庭成员.tsv").write_bytes(
        "户编号\t证件号码\t姓名\r\n42112110000101\t421121199001011236\t张三\r\n".encode("utf-16")
    )
    yd = load_year(Dataset.open(tmp_path), 2016)
    assert yd.frames["households"]["head_name"].tolist() == ["张三"]
    assert yd.frames["members"]["name"].tolist() == ["张三"]
    assert yd.sources["members"].encoding == "utf-16-le"
