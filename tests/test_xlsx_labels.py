"""The xlsx a person opens: Chinese (or English) sheet names, headers and coded values,
IDs as text, written by default; the CSV files stay canonical for scripts."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from test_identify_cli import make, read
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.i18n import set_lang
from jingzhun.io.write import write_xlsx
from jingzhun.report.write import existing_links

runner = CliRunner()


def _sheet(path, name):
    ws = openpyxl.load_workbook(path)[name]
    rows = [[c for c in r] for r in ws.iter_rows()]
    return [c.value for c in rows[0]], rows[1:]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "household_id": pd.Series(["421121000000000001"], dtype="str"),
            "result": pd.Series(["not_poor"], dtype="str"),
            "registered": pd.array([True], dtype="boolean"),
            "severity": pd.Series(["error"], dtype="str"),
        }
    )


def test_writer_labels_a_copy_in_the_users_language(tmp_path):
    df = _frame()
    before = df.copy()
    try:
        set_lang("zh")
        write_xlsx({"households": df}, tmp_path / "zh.xlsx")
        set_lang("en")
        write_xlsx({"households": df}, tmp_path / "en.xlsx")
    finally:
        set_lang("zh")
    pd.testing.assert_frame_equal(df, before)  # the frame the CSV is written from is unchanged
    header, rows = _sheet(tmp_path / "zh.xlsx", "农户")
    assert header == ["户编号", "识别结果", "是否建档立卡", "级别"]
    assert [c.value for c in rows[0]] == ["421121000000000001", "非贫困户", "是", "错误"]
    assert rows[0][0].data_type == "s"  # an 18-digit ID stays text
    header, rows = _sheet(tmp_path / "en.xlsx", "households")
    assert header == ["household id", "result", "registered", "severity"]
    assert [c.value for c in rows[0]] == ["421121000000000001", "not poor", "yes", "error"]


def test_identify_writes_the_chinese_workbook_by_default_and_keeps_the_csv(tmp_path):
    ds = make(tmp_path)
    out = tmp_path / "out"
    r = runner.invoke(app, ["identify", str(ds), "--out", str(out)])
    assert r.exit_code == 0, r.output
    book = out / "identify" / "identify.xlsx"
    assert openpyxl.load_workbook(book).sheetnames == ["农户", "行政村", "乡镇", "问题清单"]
    header, rows = _sheet(book, "农户")
    assert {"户编号", "识别结果", "户主证件号码", "达到退出标准"} <= set(header)
    assert not any("_" in h for h in header)
    results = {r[header.index("识别结果")].value for r in rows}
    assert results <= {"贫困户", "边缘户", "非贫困户", "排除(疑点)", "无法判定"} and "贫困户" in results
    ids = [r[header.index("户主证件号码")] for r in rows]
    assert all(c.data_type == "s" for c in ids if c.value is not None)
    header, rows = _sheet(book, "问题清单")
    assert header[:3] == ["问题代码", "级别", "表"]
    assert {r[1].value for r in rows} <= {"错误", "警告", "提示"}
    # the CSV for scripts: canonical names and codes
    h = read(out / "identify" / "households.csv")
    assert "result" in h.columns and set(h["result"]) <= {"poor", "edge", "not_poor", "excluded", "undetermined"}
    # --no-xlsx switches the workbook off; --lang en writes it in English
    r = runner.invoke(app, ["identify", str(ds), "--out", str(tmp_path / "no"), "--no-xlsx"])
    assert r.exit_code == 0 and not (tmp_path / "no" / "identify" / "identify.xlsx").exists()
    r = runner.invoke(app, ["--lang", "en", "identify", str(ds), "--out", str(tmp_path / "en")])
    set_lang("zh")
    book = tmp_path / "en" / "identify" / "identify.xlsx"
    assert openpyxl.load_workbook(book).sheetnames == ["households", "villages", "townships", "findings"]
    header, rows = _sheet(book, "households")
    assert "result" in header and "household id" in header
    assert {r[header.index("result")].value for r in rows} <= {"poor", "edge", "not poor", "excluded", "undetermined"}


def test_report_links_the_workbooks(tmp_path):
    for p in (
        "identify/households.csv",
        "identify/villages.csv",
        "identify/identify.xlsx",
        "audit/findings.csv",
        "plan/plans.csv",
    ):
        (tmp_path / p).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / p).write_text("x", encoding="utf-8")
    # a workbook replaces its CSVs; a CSV is linked only when its workbook was not written
    assert existing_links(tmp_path) == {"identify/identify.xlsx": "", "plan/plans.csv": "", "audit/findings.csv": ""}


def test_report_page_points_to_the_workbooks(tmp_path):
    ds = make(tmp_path)
    out = tmp_path / "out"
    assert runner.invoke(app, ["identify", str(ds), "--out", str(out)]).exit_code == 0
    r = runner.invoke(app, ["report", str(ds), "--out", str(out)])
    assert r.exit_code == 0, r.output
    html = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert 'href="../identify/identify.xlsx"' in html and "identify/households.csv" not in html
    book = out / "report" / "indicators.xlsx"
    header, rows = _sheet(book, "县")
    assert not any("_" in str(h) for h in header) and rows[0][header.index("层级")].value == "县"
    header, _ = _sheet(book, "乡镇考核")
    assert not any("_" in str(h) for h in header)


@pytest.mark.slow  # a whole audit through the CLI
def test_audit_workbook_is_chinese(tmp_path):
    from test_audit_helpers import world
    from test_audit_report import _write_dataset

    _write_dataset(tmp_path / "ds", world())
    r = runner.invoke(app, ["audit", str(tmp_path / "ds"), "--out", str(tmp_path / "out")])
    assert r.exit_code in (0, 1), r.output
    wb = openpyxl.load_workbook(tmp_path / "out" / "audit" / "audit.xlsx")
    assert "按资金来源" in wb.sheetnames and not any(n.startswith(("funds_", "A-")) for n in wb.sheetnames)
    for ws in wb.worksheets:
        header = [c.value for c in next(ws.iter_rows())]
        assert not any("_" in str(h) or str(h).isascii() for h in header), (ws.title, header)
    header, rows = _sheet(tmp_path / "out" / "audit" / "audit.xlsx", "概况")
    assert {r[header.index("级别")].value for r in rows} <= {"错误", "警告", "提示"}
    html = (tmp_path / "out" / "audit" / "report.html").read_text(encoding="utf-8")
    assert "全部问题按检查项分表见 audit.xlsx" in html and "(--xlsx)" not in html
