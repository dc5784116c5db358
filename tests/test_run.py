"""`jingzhun run`: the whole pipeline, its manifest, failure modes and cron use."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.runlock import locked

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data-sample"
EXPECTED = [
    "audit/findings.csv",
    "audit/report.html",
    "diff/households.csv",
    "diff/members.csv",
    "identify/households.csv",
    "identify/villages.csv",
    "match/pairs.csv",
    "match/findings.csv",
    "match/review.xlsx",
    "plan/plans.csv",
    "plan/books/index.html",
    "report/indicators.csv",
    "report/index.html",
    "report/findings.html",
    "validate/findings.csv",
    "validate/report.json",
    "manifest.json",
]


def _run(args: list[str]):
    return runner.invoke(app, ["run", *args])


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, Path, dict]:
    base = tmp_path_factory.mktemp("run")
    a, b = base / "a", base / "b"
    r = _run([str(SAMPLE), "--out", str(a), "--date", "2016-03-01", "--json", "--quiet"])
    assert r.exit_code in (0, 1), r.stderr
    r2 = _run([str(SAMPLE), "--out", str(b), "--date", "2016-03-01", "--quiet"])
    assert r2.exit_code == r.exit_code
    return a, b, json.loads(r.stdout)


@pytest.mark.slow  # the module's two full runs
def test_run_writes_every_output_and_a_manifest(two_runs):
    a, _, summary = two_runs
    for rel in EXPECTED:
        assert (a / rel).is_file(), rel
    assert any((a / "notice" / "exit").glob("*.html"))
    statuses = {s["name"]: s["status"] for s in summary["steps"]}
    assert all(v == "ok" for v in statuses.values()), statuses
    manifest = json.loads((a / "manifest.json").read_text(encoding="utf-8"))
    tables = {i["table"] for i in manifest["inputs"]}
    assert {"households", "members", "dibao", "payments"} <= tables
    assert all(len(i["sha256"]) == 64 and i["rows"] >= 0 for i in manifest["inputs"])
    names = {p["name"]: p["origin"] for p in manifest["parameters"]}
    assert names["poverty_line.2015"] == "default"
    assert {o["path"] for o in manifest["outputs"]} >= set(EXPECTED) - {"manifest.json"}


@pytest.mark.slow  # the module's two full runs
def test_run_writes_the_workbooks_by_default_and_the_report_links_them(two_runs):
    a, _, _ = two_runs
    books = ["identify/identify.xlsx", "diff/diff.xlsx", "plan/plan.xlsx", "audit/audit.xlsx", "report/indicators.xlsx"]
    for rel in books:
        assert (a / rel).is_file(), rel
    html = (a / "report" / "index.html").read_text(encoding="utf-8")
    for rel in ("identify/identify.xlsx", "diff/diff.xlsx", "plan/plan.xlsx", "audit/audit.xlsx", "match/review.xlsx"):
        assert f'href="../{rel}"' in html, rel
    assert 'href="../identify/households.csv"' not in html and 'href="../plan/plans.csv"' not in html


@pytest.mark.slow  # the module's two full runs
def test_run_outputs_are_byte_identical(two_runs):
    a, b, _ = two_runs
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        if rel.name == "manifest.json":
            continue
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


@pytest.mark.slow  # the module's two full runs
def test_verify_accepts_run_and_catches_tampering(two_runs, tmp_path):
    a, _, _ = two_runs
    assert runner.invoke(app, ["verify", str(a)]).exit_code == 0
    copy = tmp_path / "copy"
    shutil.copytree(a, copy)
    (copy / "identify" / "households.csv").write_text("x\n", encoding="utf-8")
    r = runner.invoke(app, ["verify", str(copy), "--json"])
    assert r.exit_code == 1
    assert [p["code"] for p in json.loads(r.stdout)["problems"]] == ["R-VERIFY-CHANGED"]


@pytest.mark.slow  # the module's two full runs
def test_summary_counts_match_findings(two_runs):
    _, _, summary = two_runs
    counts = summary["findings"]
    assert summary["exit_code"] == (1 if counts["error"] else 0)
    assert sum(v for k, v in summary["by_code"].items() if k.startswith("error:")) == counts["error"]


@pytest.mark.slow  # the module's two full runs
def test_a_roster_id_defect_counts_once_in_the_run(two_runs):
    """validate and match both report the roster's bad IDs; the run's totals count each defect once."""
    import pandas as pd

    a, _, summary = two_runs
    codes = {k.split(":", 1)[1]: v for k, v in summary["by_code"].items()}
    match_file = pd.read_csv(a / "match" / "findings.csv", dtype=str)
    assert {"M-ROSTER-ID-INVALID", "M-ROSTER-ID-15", "M-ROSTER-ID-EXCEL"} <= set(
        match_file["code"]
    )  # the step's own file
    assert not {"M-ROSTER-ID-INVALID", "M-ROSTER-ID-15", "M-ROSTER-ID-EXCEL"} & set(codes)
    validate_file = pd.read_csv(a / "validate" / "findings.csv", dtype=str)
    roster = validate_file[validate_file["table"] == "dibao"]
    for code in ("V-ROSTER-ID-INVALID", "V-ID-15", "V-ROSTER-ID-EXCEL-DAMAGED"):
        assert codes[code] == (roster["code"] == code).sum() > 0


def test_one_per_defect_keeps_a_match_finding_validate_did_not_make():
    from jingzhun.findings import Findings
    from jingzhun.match.core import one_per_defect

    f = Findings()
    f.add("V-ROSTER-ID-INVALID", table="dibao", row=[3, 5], column="id_number", value=["x", "y"], detail="bad_checksum")
    f.add(
        "M-ROSTER-ID-INVALID",
        table="dibao",
        row=[3, 7],
        column="id_number",
        value=["x", "z"],
        key=["R3", "R7"],
        detail="bad_checksum",
    )
    f.add("M-ROSTER-ID-15", table="dibao", row=[5], column="id_number", value=["y"], key=["R5"], detail="1")
    out = one_per_defect(f.render())
    assert sorted(zip(out["code"], out["row"].tolist(), strict=True)) == [
        ("M-ROSTER-ID-15", 5),
        ("M-ROSTER-ID-INVALID", 7),
        ("V-ROSTER-ID-INVALID", 3),
        ("V-ROSTER-ID-INVALID", 5),
    ]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """A one-year dataset of 40 households made by the sample generator (fast runs)."""
    from jingzhun.sample.build import build

    ds = tmp_path_factory.mktemp("tiny") / "ds"
    ds.mkdir()
    build(ds, households=40, years=[2016], seed=5)
    return ds


@pytest.fixture
def small(tiny: Path, tmp_path: Path) -> Path:
    ds = tmp_path / "ds"
    shutil.copytree(tiny / "2016", ds / "2016")
    if (tiny / "jingzhun.toml").is_file():  # the county's issuer: notices are made
        shutil.copy(tiny / "jingzhun.toml", ds / "jingzhun.toml")
    return ds


def _run_with_broken(ds: Path, tmp_path: Path, table: str) -> tuple[Path, dict]:
    """``run`` (exit 1) after ``table``'s file was overwritten with bytes no reader takes."""
    (ds / "2016" / f"{table}.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    out = tmp_path / "out"
    r = _run([str(ds), "--out", str(out), "--no-books", "--json", "--quiet"])
    assert r.exit_code == 1, r.stderr
    return out, json.loads(r.stdout)


def test_broken_optional_table_skips_only_its_steps(small, tmp_path):
    out, summary = _run_with_broken(small, tmp_path, "dibao")
    steps = {s["name"]: s["status"] for s in summary["steps"]}
    assert steps["match"] == "failed"
    assert steps["identify"] == steps["audit"] == steps["report"] == "ok"
    assert steps["diff"] == "not_applicable"
    codes = summary["by_code"]
    assert "error:R-TABLE-UNREADABLE" in codes and "error:R-STEP-FAILED" in codes
    assert (out / "report" / "index.html").is_file() and not (out / "match").exists()


def test_broken_payments_fail_the_audit_and_leave_the_report_funds_empty(small, tmp_path):
    """A partial audit would say 0 at risk and 0 paid: the audit fails, the report says why (—)."""
    out, summary = _run_with_broken(small, tmp_path, "payments")
    steps = {s["name"]: s for s in summary["steps"]}
    assert steps["audit"]["status"] == "failed" and "payments" in steps["audit"]["note"]
    assert steps["identify"]["status"] == steps["plan"]["status"] == steps["report"]["status"] == "ok"
    county = (out / "report" / "indicators.csv").read_text(encoding="utf-8-sig").splitlines()
    head, first = county[0].split(","), county[1].split(",")
    assert first[head.index("level")] == "county"
    for col in ("funds_paid", "audit_amount_at_risk", "audit_findings"):
        assert first[head.index(col)] == "", col
    html = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert "资金拨付 (表无法读取 payments" in html and "资金审计 (表无法读取 payments" in html


def test_broken_crosscheck_fails_identify_not_a_run_without_exclusions(small, tmp_path):
    """identify without the crosscheck table the user gave would drop the exclusion rules."""
    out, summary = _run_with_broken(small, tmp_path, "crosscheck")
    steps = {s["name"]: s["status"] for s in summary["steps"]}
    assert steps["identify"] == "failed"
    assert steps["plan"] == steps["notice"] == steps["audit"] == steps["report"] == "skipped"
    assert steps["validate"] == steps["match"] == "ok"  # validate reports what it read
    assert not (out / "identify").exists() and (out / "validate").is_dir()


def test_missing_required_table_is_exit_3_and_leaves_nothing(small, tmp_path):
    ds = small
    (ds / "2016" / "members.csv").unlink()
    out = tmp_path / "out"
    r = _run([str(ds), "--out", str(out), "--quiet"])
    assert r.exit_code == 3
    assert "members" in r.stderr
    assert not out.exists()


def test_output_that_is_a_file_is_exit_3(small, tmp_path):
    ds = small
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = _run([str(ds), "--out", str(blocker / "out"), "--quiet", "--no-books"])
    assert r.exit_code == 3
    assert "错误" in r.stderr and "Traceback" not in r.stderr


def test_second_run_while_locked_is_refused(small, tmp_path):
    ds = small
    out = tmp_path / "out"
    with locked(out):
        r = _run([str(ds), "--out", str(out), "--quiet"])
    assert r.exit_code == 3
    assert "另一个" in r.stderr
    assert not out.exists()


def test_failed_run_keeps_previous_complete_output(small, tmp_path):
    ds = small
    out = tmp_path / "out"
    r = _run([str(ds), "--out", str(out), "--quiet", "--no-books"])
    assert r.exit_code in (0, 1)
    before = (out / "manifest.json").read_bytes()
    (ds / "jingzhun.toml").write_text('[identify]\nedge_multiplier = "high"\n', encoding="utf-8")
    r = _run([str(ds), "--out", str(out), "--quiet", "--no-books"])
    assert r.exit_code == 3
    assert "identify.edge_multiplier" in r.stderr
    assert (out / "manifest.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.tmp")] == []


def test_cron_mode_logs_plain_timestamped_lines(small, tmp_path):
    ds = small
    log = tmp_path / "run.log"
    r = _run(
        [str(ds), "--out", str(tmp_path / "out"), "--no-books", "--log", str(log), "--fail-on", "warning", "--json"]
    )
    assert r.exit_code == 1  # the sample data has warnings
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0][:4].isdigit() and "读取" in lines[1]
    assert "退出码 1" in lines[-1]
    # The log says why: the severities that count under --fail-on, and their findings by code.
    by_code = json.loads(r.stdout)["by_code"]
    warnings = {k.split(":", 1)[1]: n for k, n in by_code.items() if k.startswith("warning:")}
    assert warnings and "--fail-on warning" in lines[-1] and f"警告 {sum(warnings.values())} (" in lines[-1]
    assert all(f"({code}) {n}" in lines[-1] for code, n in warnings.items())
    assert not any(k.split(":", 1)[1] in lines[-1] for k in by_code if k.startswith("info:"))
    assert "2016" in r.stderr and "\x1b[" not in r.stderr  # not a terminal: no live display


def test_exit_reason_names_what_counts_under_fail_on():
    import pandas as pd

    from jingzhun.findings import Findings
    from jingzhun.run_cli import exit_reason

    f = Findings()
    f.add("M-DEAD-ON-ROSTER", table="dibao", row=[1, 2], value=["R1", "R2"], key=["H1", "H2"])
    f.add("P-UNPAIRED", key=["H3"])
    f.add("V-ID-REGION", table="members", row=[4], column="id_number", value=["x"])
    found = f.render()
    error = exit_reason(found, 1, "error")
    assert (
        "--fail-on error" in error
        and "错误 2 (死亡人员仍在名册上 (M-DEAD-ON-ROSTER) 2)" in error
        and "P-UNPAIRED" not in error
    )
    assert "警告 1 (没有可用的帮扶责任人 (P-UNPAIRED) 1)" in exit_reason(found, 1, "warning")
    ok = exit_reason(found[found["severity"] != "error"].reset_index(drop=True), 0, "error")
    assert "没有错误级问题 (--fail-on error)" in ok and "警告 1" in ok
    assert exit_reason(pd.DataFrame(columns=found.columns), 0, "warning").startswith(": 没有错误、警告级问题")


def test_quiet_prints_nothing(small, tmp_path):
    ds = small
    r = _run([str(ds), "--out", str(tmp_path / "out"), "--no-books", "--quiet"])
    assert r.exit_code in (0, 1)
    assert r.stderr == ""


def test_without_date_the_run_dates_notices_1_december_of_the_data_year_and_records_it(small, tmp_path):
    out = tmp_path / "out"
    r = _run([str(small), "--out", str(out), "--no-books", "--no-docx", "--quiet", "--json"])
    assert r.exit_code in (0, 1), r.stderr
    assert json.loads(r.stdout)["notice_date"] == "2016-12-01"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["summary"]["notice_date"] == "2016-12-01"
    pages = [p.read_text(encoding="utf-8") for p in (out / "notice").rglob("*.html")]
    assert pages and all("2016年12月1日" in page for page in pages)


def test_english_summary(small, tmp_path):
    ds = small
    r = runner.invoke(app, ["--lang", "en", "run", str(ds), "--out", str(tmp_path / "out"), "--no-books"])
    assert r.exit_code in (0, 1)
    assert "yearly pipeline" in r.stderr and "读取" not in r.stderr


def test_one_process_and_the_worker_give_the_same_outputs(small, tmp_path):
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        r = _run([str(small), "--out", str(out), "--no-books", "--date", "2016-03-01", "--quiet", "--jobs", jobs])
        assert r.exit_code in (0, 1), r.stderr
        outs.append(
            {
                p.relative_to(out).as_posix(): p.read_bytes()
                for p in out.rglob("*")
                if p.is_file() and p.name != "manifest.json"
            }
        )
    assert outs[0] == outs[1] and "validate/findings.csv" in outs[0]


def _boom(c):
    raise RuntimeError("validate broke")


def _vanish(c):
    import os

    os._exit(9)


# A worker that dies is named as such (a process pool does not report its exit code).
@pytest.mark.parametrize(("fn", "note"), [(_boom, "validate broke"), (_vanish, "后台进程意外结束")])
def test_a_failing_or_dying_background_step_is_reported_and_the_rest_run(small, tmp_path, monkeypatch, fn, note):
    from jingzhun import pipeline

    steps = tuple(dataclasses.replace(s, compute=fn) if s.name == "validate" else s for s in pipeline.STEPS)
    monkeypatch.setattr(pipeline, "STEPS", steps)
    r = _run([str(small), "--out", str(tmp_path / "out"), "--no-books", "--json", "--quiet"])
    assert r.exit_code == 1, r.stderr
    summary = json.loads(r.stdout)
    steps_ = {s["name"]: s for s in summary["steps"]}
    assert steps_["validate"]["status"] == "failed" and note in steps_["validate"]["note"]
    assert steps_["identify"]["status"] == steps_["audit"]["status"] == steps_["report"]["status"] == "ok"
    assert "error:R-STEP-FAILED" in summary["by_code"]


def test_a_dying_worker_leaves_the_report_without_the_year_before_and_says_why(tmp_path, monkeypatch):
    """The worker identifies the year before for the trend: when it dies, the report still runs,
    with one year and the reason in its missing inputs."""
    from jingzhun import pipeline
    from jingzhun.sample.build import build

    ds = tmp_path / "ds"
    ds.mkdir()
    build(ds, households=30, years=[2015, 2016], seed=5)
    steps = tuple(dataclasses.replace(s, compute=_vanish) if s.name == "validate" else s for s in pipeline.STEPS)
    monkeypatch.setattr(pipeline, "STEPS", steps)
    r = _run([str(ds), "--out", str(tmp_path / "out"), "--no-books", "--json", "--quiet", "--jobs", "2"])
    assert r.exit_code == 1, r.stderr
    status = {s["name"]: s["status"] for s in json.loads(r.stdout)["steps"]}
    assert status["validate"] == status["diff"] == "failed" and status["report"] == "ok"
    html = (tmp_path / "out" / "report" / "index.html").read_text(encoding="utf-8")
    assert "历年趋势 (往年数据) (2015: 后台进程意外结束" in html
