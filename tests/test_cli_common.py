"""What every command shares (issue 11 items 14-16): progress, common options, usage errors."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.progress import Reporter

STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", re.M)


def invoke(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def ds(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "ds"
    r = invoke("sample", root, "--households", "40", "--years", "2015-2016", "--quiet")
    assert r.exit_code == 0, r.output
    return root


# ---- 14: progress -------------------------------------------------------------------


def test_reporter_on_a_terminal_shows_a_live_status_and_keeps_a_plain_line():
    buf = io.StringIO()
    rep = Reporter(Console(file=buf, force_terminal=True, width=100), quiet=False)
    assert rep.live
    with rep.step("read"):
        assert rep.status is not None  # the live line while the step runs
    assert rep.status is None
    text = buf.getvalue()
    assert "读取: 完成" in text and not STAMP.search(text)


def test_reporter_off_a_terminal_writes_timestamped_lines_and_quiet_nothing():
    buf = io.StringIO()
    rep = Reporter(Console(file=buf, width=100), quiet=False)
    with rep.step("validate"):
        pass
    assert not rep.live and re.search(STAMP.pattern + r"校验: 完成 \d+\.\d s$", buf.getvalue(), re.M)
    quiet = io.StringIO()
    with Reporter(Console(file=quiet), quiet=True).step("validate"):
        pass
    assert quiet.getvalue() == ""


@pytest.mark.parametrize(
    ("args", "steps"),
    [
        (["validate"], ["读取", "校验", "写出"]),
        (["identify"], ["读取", "识别", "写出"]),
        (["match"], ["读取", "低保比对", "写出"]),
        (["plan", "--no-books"], ["读取", "识别", "帮扶计划", "写出"]),
        (["notice", "--kind", "exit", "--no-docx"], ["读取", "公示", "写出"]),
        (["audit"], ["读取", "资金审计", "写出"]),
        (["report"], ["读取", "监测报告", "写出"]),
        (["diff"], ["读取", "年度变化", "写出"]),
    ],
)
def test_every_long_command_shows_its_steps_and_quiet_silences_them(ds, tmp_path, args, steps):
    r = invoke(args[0], ds, *args[1:], "--out", tmp_path / "out")
    assert r.exit_code in (0, 1), r.output
    for step in steps:
        assert re.search(STAMP.pattern + step + r": 完成", r.stderr, re.M), (step, r.stderr)
    r = invoke(args[0], ds, *args[1:], "--out", tmp_path / "out", "--quiet")
    assert r.exit_code in (0, 1) and r.stderr == ""


def test_sample_progress_and_summary_in_chinese(tmp_path):
    r = invoke("sample", tmp_path / "s", "--households", "20", "--years", "2016")
    assert r.exit_code == 0, r.output
    assert re.search(STAMP.pattern + "生成模拟数据: 完成", r.stderr, re.M)
    assert "2016 年度: 农户信息 20 行" in r.stderr and "households" not in r.stderr
    r = invoke("--lang", "en", "sample", tmp_path / "e", "--households", "20", "--years", "2016")
    assert "2016: households 20" in r.stderr


# ---- 15: common options -------------------------------------------------------------


@pytest.mark.parametrize(
    "command", ["validate", "identify", "diff", "match", "plan", "notice", "audit", "report", "run"]
)
def test_common_options_on_every_data_command(command):
    r = invoke(command, "--help")
    assert r.exit_code == 0
    for option in ("--xlsx", "--fail-on", "--config", "--json", "--out", "--quiet"):
        assert option in r.stdout, (command, option)


def test_validate_xlsx_and_jobs(ds, tmp_path):
    r = invoke("validate", ds, "--out", tmp_path / "out", "--xlsx", "--jobs", "1")
    assert r.exit_code == 0, r.output
    book = pd.read_excel(tmp_path / "out" / "validate" / "findings.xlsx", sheet_name=None, engine="calamine")
    csv = pd.read_csv(tmp_path / "out" / "validate" / "findings.csv", encoding="utf-8-sig")
    assert len(next(iter(book.values()))) == len(csv)


def test_match_xlsx(ds, tmp_path):
    r = invoke("match", ds, "--out", tmp_path / "out", "--xlsx")
    assert r.exit_code in (0, 1), r.output
    book = pd.read_excel(tmp_path / "out" / "match" / "match.xlsx", sheet_name=None, dtype=str, engine="calamine")
    pairs = pd.read_csv(tmp_path / "out" / "match" / "pairs.csv", encoding="utf-8-sig", dtype=str)
    assert len(next(iter(book.values()))) == len(pairs) > 0


def test_notice_xlsx_kept_with_the_internal_files(ds, tmp_path):
    r = invoke("notice", ds, "--kind", "exit", "--no-docx", "--xlsx", "--out", tmp_path / "out")
    assert r.exit_code in (0, 1), r.output
    internal = tmp_path / "out" / "notice-internal" / "exit"
    book = pd.read_excel(internal / "notice.xlsx", sheet_name=None, dtype=str, engine="calamine")
    summary = pd.read_csv(internal / "summary.csv", encoding="utf-8-sig", dtype=str)
    assert len(next(iter(book.values()))) == len(summary) > 0
    assert not list((tmp_path / "out" / "notice" / "exit").glob("*.xlsx"))  # the posting folder: notices only


def test_report_fail_on_sets_the_exit_code(ds, tmp_path, monkeypatch):
    import jingzhun.report.cli as report_cli
    from jingzhun.catalogue import CATALOGUE
    from jingzhun.findings import Findings

    # The sample's 低保 roster has error findings on purpose: the report rests on that data.
    r = invoke("report", ds, "--out", tmp_path / "o0")
    assert r.exit_code == 1 and "错误 2" in r.stderr, r.output
    real = report_cli.report_with_findings
    warning = next(c for c, rule in CATALOGUE.items() if rule.severity == "warning")

    def one_warning(*args, **kwargs):
        model, _ = real(*args, **kwargs)
        f = Findings()
        f.add(warning, table="households", row=1)
        return model, f.render()

    monkeypatch.setattr(report_cli, "report_with_findings", one_warning)
    assert invoke("report", ds, "--out", tmp_path / "o1").exit_code == 0
    strict = invoke("report", ds, "--out", tmp_path / "o2", "--fail-on", "warning")
    assert strict.exit_code == 1 and "警告 1" in strict.stderr, strict.output


def test_diff_config_names_the_county(ds, tmp_path):
    cfg = tmp_path / "run.toml"
    cfg.write_text('[county]\nname = "测试县"\n', encoding="utf-8")
    r = invoke("diff", ds, "--out", tmp_path / "out", "--config", cfg)
    assert r.exit_code in (0, 1), r.output
    summary = json.loads((tmp_path / "out" / "diff" / "summary.json").read_text(encoding="utf-8"))
    assert summary["county"]["name"] == "测试县"
    bad = tmp_path / "bad.toml"
    bad.write_text("no_such_parameter = 1\n", encoding="utf-8")
    assert invoke("diff", ds, "--out", tmp_path / "out2", "--config", bad).exit_code == 3


# ---- 16: usage errors ---------------------------------------------------------------


def test_usage_errors_in_chinese(ds, tmp_path):
    r = invoke("validate", ds, "--out", tmp_path / "out", "--fail-on", "x")
    assert r.exit_code == 2
    assert r.stderr.startswith("用法错误: --fail-on 只能是 error 或 warning")
    assert "Usage:" not in r.stderr and "Error:" not in r.stderr and "--help" in r.stderr
    r = invoke("plan", ds, "--jobs", "0")
    assert r.exit_code == 2 and "用法错误: --jobs 至少为 1" in r.stderr and "Input should" not in r.stderr
    r = invoke("validate")
    assert r.exit_code == 2 and "缺少参数" in r.stderr
    r = invoke("validate", ds, "--bogus")
    assert r.exit_code == 2 and "没有选项 --bogus" in r.stderr
    r = invoke("--lang", "en", "plan", ds, "--jobs", "0")
    assert r.exit_code == 2 and r.stderr.startswith("usage error:") and "1" in r.stderr


def test_table_by_its_chinese_name(ds, tmp_path):
    one = tmp_path / "导出.csv"
    one.write_bytes((ds / "2016" / "households.csv").read_bytes())
    r = invoke("validate", one, "--table", "农户", "--out", tmp_path / "out", "--json")
    assert r.exit_code in (0, 1), r.output
    report = json.loads((tmp_path / "out" / "validate" / "report.json").read_text(encoding="utf-8"))
    assert [s["table"] for s in report["sources"]] == ["households"]


def test_diff_years_the_wrong_way_round(ds, tmp_path):
    r = invoke("diff", ds, "--from", "2016", "--to", "2015", "--out", tmp_path / "out")
    assert r.exit_code == 2 and "--from 2016 晚于 --to 2015" in r.stderr
    assert not (tmp_path / "out" / "diff").exists()


def test_wrong_encoding_is_refused_with_one_message(tmp_path):
    r = invoke("sample", tmp_path / "gbk", "--households", "20", "--years", "2016", "--encoding", "gbk", "--quiet")
    assert r.exit_code == 0, r.output
    f = tmp_path / "gbk" / "2016" / "households.csv"
    r = invoke("validate", f, "--encoding", "latin1", "--out", tmp_path / "out")
    assert r.exit_code == 3, r.output
    assert str(f) in r.stderr and "latin1" in r.stderr and "gbk" in r.stderr
    assert not (tmp_path / "out" / "validate").exists()
    assert invoke("validate", f, "--encoding", "gbk", "--out", tmp_path / "out").exit_code in (0, 1)


def test_a_table_file_where_a_folder_is_needed(ds, tmp_path):
    f = ds / "2016" / "households.csv"
    for command in ("identify", "match", "plan", "audit", "report", "diff", "params"):
        r = invoke(command, f, "--out", tmp_path / "out") if command != "params" else invoke(command, f)
        assert r.exit_code == 2, (command, r.output)
        assert "validate" in r.stderr and "文件夹" in r.stderr
        help_text = invoke(command, "--help").stdout
        assert "或单个表文件" not in help_text and "单个表文件请用 validate" in help_text
    assert "或单个表文件" in invoke("validate", "--help").stdout
