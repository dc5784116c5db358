"""``jingzhun validate`` as users run it: files in, findings files and exit codes out."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from test_validate_fixtures import HEAD1, year_frames
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.findings import COLUMNS


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """A typed frame as an export would hold it (text cells, 是/否, dates as text)."""
    out = {}
    for c in df.columns:
        if c == "_row":
            continue
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            out[c] = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(s.dtype):
            out[c] = s.map({True: "是", False: "否"})
        else:
            out[c] = s.astype("str")
        out[c] = out[c].astype("object").where(s.notna(), "")
    return pd.DataFrame(out)


def write_dataset(root: Path, frames: dict[str, pd.DataFrame], year: int = 2016) -> Path:
    folder = root / str(year)
    folder.mkdir(parents=True)
    for table, df in frames.items():
        as_text(df).to_csv(folder / f"{table}.csv", index=False, encoding="utf-8")
    return root


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def report(out: Path) -> dict:
    return json.loads((out / "validate" / "report.json").read_text(encoding="utf-8"))


def findings_csv(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "validate" / "findings.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)


@pytest.fixture
def clean(tmp_path) -> Path:
    return write_dataset(tmp_path / "ds", year_frames())


def test_clean_dataset_exits_0_and_writes_both_files(clean, tmp_path):
    out = tmp_path / "out"
    result = invoke("validate", str(clean), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # summaries go to stderr
    assert "共 0 条问题" in result.stderr
    f = findings_csv(out)
    assert list(f.columns) == COLUMNS and f.empty
    r = report(out)
    assert r["summary"]["total"] == 0 and r["summary"]["data_year"] == 2016
    assert r["summary"]["tables"]["members"] == 6
    assert {s["table"] for s in r["sources"]} == set(year_frames())
    assert any(p["name"] == "identify.income_tolerance" for p in r["parameters"])


def test_json_summary_equals_report_summary(clean, tmp_path):
    out = tmp_path / "out"
    f = year_frames()
    f["households"].loc[0, "phone"] = "12345"
    write_dataset(tmp_path / "ds2", f)
    result = invoke("validate", str(tmp_path / "ds2"), "--out", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed == report(out)["summary"]
    assert printed["by_code"] == {"V-PHONE-FORMAT": 1}
    assert printed["by_severity"] == {"error": 0, "warning": 1, "info": 0}


def test_fail_on_warning(tmp_path):
    f = year_frames()
    f["households"].loc[0, "phone"] = "12345"
    ds = write_dataset(tmp_path / "ds", f)
    assert invoke("validate", str(ds), "--out", str(tmp_path / "o1")).exit_code == 0
    result = invoke("validate", str(ds), "--out", str(tmp_path / "o2"), "--fail-on", "warning")
    assert result.exit_code == 1
    assert report(tmp_path / "o2")["summary"]["exit_code"] == 1


def test_bad_input_cases_reach_findings(tmp_path):
    """Issue 2's bad-input cases that end in validation findings, all in one run."""
    f = year_frames()
    f["households"] = pd.concat([f["households"], f["households"].iloc[[0]]], ignore_index=True)  # duplicate id
    f["members"].loc[5, "household_id"] = "H9"  # member whose household is missing
    f["members"].loc[4, "relation"] = "表叔"  # unknown enum label
    ds = write_dataset(tmp_path / "ds", f)
    members = ds / "2016" / "members.csv"
    text = as_text(f["members"])
    text["birth_date"] = ["1970/3/5", "1972年6月12日", "20080901", "1950-11-20", "1985-01-01", "1986-02-02"]
    text.to_csv(members, index=False, encoding="utf-8")  # mixed date formats in one column
    out = tmp_path / "out"
    result = invoke("validate", str(ds), "--out", str(out))
    assert result.exit_code == 1
    found = findings_csv(out)
    codes = set(found["code"])
    assert {"V-DUPLICATE-KEY", "V-MEMBER-NO-HOUSEHOLD", "V-ENUM-UNKNOWN"} <= codes
    # mixed dates all parsed: neither unparseable nor in conflict with the IDs
    assert not ({"V-VALUE-NOT-DATE", "V-ID-BIRTH-MISMATCH"} & codes)
    orphan = found[found["code"] == "V-MEMBER-NO-HOUSEHOLD"]
    assert orphan[["table", "row", "value"]].values.tolist() == [["members", "6", "H9"]]
    dup = found[found["code"] == "V-DUPLICATE-KEY"]
    assert sorted(dup["row"]) == ["1", "4"]
    unknown = found[found["code"] == "V-ENUM-UNKNOWN"]
    assert unknown[["row", "column", "value"]].values.tolist() == [["5", "relation", "表叔"]]
    assert "V-DUPLICATE-KEY" in result.stderr  # the summary table names the codes


def test_messages_chinese_by_default_english_with_lang(tmp_path):
    f = year_frames()
    f["members"].loc[5, "household_id"] = "H9"
    ds = write_dataset(tmp_path / "ds", f)
    invoke("validate", str(ds), "--out", str(tmp_path / "zh"))
    zh = findings_csv(tmp_path / "zh")
    msg = zh.loc[zh["code"] == "V-MEMBER-NO-HOUSEHOLD", "message"].iloc[0]
    assert msg == "家庭成员 第 6 行: 成员的户编号 H9 在本年度农户表中不存在"
    result = invoke("validate", str(ds), "--out", str(tmp_path / "en"), "--lang", "en")
    en = findings_csv(tmp_path / "en")
    msg = en.loc[en["code"] == "V-MEMBER-NO-HOUSEHOLD", "message"].iloc[0]
    assert msg == "members row 6: the member's household H9 is not in this year's households"
    assert "findings" in result.stderr
    # the global option works too
    result = invoke("--lang", "en", "validate", str(ds), "--out", str(tmp_path / "en2"))
    assert findings_csv(tmp_path / "en2")["message"].tolist() == en["message"].tolist()


def test_single_file(tmp_path):
    f = year_frames()
    f["members"].loc[5, "household_id"] = "H9"  # cannot be seen without households
    f["members"].loc[2, "sex"] = "女"  # seen from the members table alone
    ds = write_dataset(tmp_path / "ds", f)
    out = tmp_path / "out"
    result = invoke("validate", str(ds / "2016" / "members.csv"), "--out", str(out), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["tables"] == {"members": 6} and summary["data_year"] == 2016
    assert summary["by_code"] == {"V-ID-SEX-MISMATCH": 1}


def test_single_file_with_unhelpful_name_needs_table(tmp_path):
    f = year_frames()
    path = tmp_path / "export.csv"
    as_text(f["cadres"]).to_csv(path, index=False, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("validate", str(path), "--table", "cadres", "--out", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["tables"] == {"cadres": 1}


def test_table_option_on_a_dataset(clean, tmp_path):
    result = invoke("validate", str(clean), "--table", "villages", "--out", str(tmp_path / "o"), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["tables"] == {"villages": 2}


def test_year_option_and_latest_year(tmp_path):
    f = year_frames()
    ds = write_dataset(tmp_path / "ds", f, 2015)
    f["households"].loc[0, "household_size"] = 4
    write_dataset(tmp_path / "ds", f, 2016)
    latest = invoke("validate", str(ds), "--out", str(tmp_path / "a"), "--json")
    assert latest.exit_code == 1 and json.loads(latest.stdout)["data_year"] == 2016
    older = invoke("validate", str(ds), "--year", "2015", "--out", str(tmp_path / "b"), "--json")
    assert older.exit_code == 0 and json.loads(older.stdout)["data_year"] == 2015


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--year", "2099"], 2),
        (["--fail-on", "everything"], 2),
        (["--table", "people"], 2),
    ],
)
def test_usage_errors(clean, tmp_path, args, code):
    result = invoke("validate", str(clean), "--out", str(tmp_path / "o"), *args)
    assert result.exit_code == code
    assert "Traceback" not in result.stderr


def test_missing_dataset_and_missing_required_table(tmp_path):
    result = invoke("validate", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 3 and "找不到数据集" in result.stderr
    f = year_frames()
    ds = write_dataset(tmp_path / "ds", {"households": f["households"]})
    result = invoke("validate", str(ds), "--out", str(tmp_path / "o"))
    assert result.exit_code == 3 and "members" in result.stderr
    assert not (tmp_path / "o" / "validate").exists()  # nothing half-written


def test_findings_never_show_pandera_output(tmp_path):
    f = year_frames()
    f["households"].loc[0, "household_size"] = 99
    ds = write_dataset(tmp_path / "ds", f)
    invoke("validate", str(ds), "--out", str(tmp_path / "o"))
    found = findings_csv(tmp_path / "o")
    row = found[found["code"] == "V-RANGE"].iloc[0]
    assert (row["row"], row["column"], row["value"], row["key"]) == ("1", "household_size", "99", "H1")
    assert "in_range" not in row["message"] and "failure" not in row["message"]
    assert row["basis"].startswith("jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分")


def test_excel_damaged_head_id_reported_once(tmp_path):
    f = year_frames()
    f["households"].loc[0, "head_id_number"] = "4.21121E+17"
    ds = write_dataset(tmp_path / "ds", f)
    invoke("validate", str(ds), "--out", str(tmp_path / "o"))
    found = findings_csv(tmp_path / "o")
    on_cell = found[(found["table"] == "households") & (found["column"] == "head_id_number")]
    assert list(on_cell["code"]) == ["V-ID-EXCEL-DAMAGED"]
    assert HEAD1 not in set(on_cell["value"])


@pytest.mark.parametrize("county", ["421121", "4211"])
@pytest.mark.parametrize("kind", ["processes", "threads"])
def test_two_processes_or_threads_find_exactly_what_one_finds(tmp_path, kind, county):
    """The same findings in the same order, however the checks are cut (three units on threads,
    two in processes, one after the other in one): with one county, and with an area whose rows
    are judged against their own county (row placement in one unit, ID classification in another)."""
    from jingzhun.dataset import Dataset, load_year
    from jingzhun.executors import ProcessExecutor, ThreadExecutor
    from jingzhun.params import Params
    from jingzhun.sample.build import build
    from jingzhun.schema.validate import validate_year

    ds = tmp_path / "dirty"
    ds.mkdir()
    build(ds, households=120, years=[2016], seed=11, dirty_rate=0.08)
    data = load_year(Dataset.open(ds), 2016)
    params = Params.load(ds)
    params.values["county.code"] = county
    one = validate_year(data, params)
    a = one.render()
    assert len(a) > 50 and a["code"].nunique() > 10
    assert "V-ID-REGION" in set(a["code"])  # IDs of other counties: judged against the row's county in the area
    with ProcessExecutor(2) if kind == "processes" else ThreadExecutor(2) as ex:
        for _ in range(1 if kind == "processes" else 3):  # threads share the frames: nothing may change them
            two = validate_year(data, params, executor=ex)
            pd.testing.assert_frame_equal(a, two.render())
            pd.testing.assert_frame_equal(one.findings.frame(), two.findings.frame())  # unsorted: the same order
    assert set(two.seconds) == {"schema", "ids", "counties", "crosstable", "crosstable_ids"}


@pytest.mark.parametrize(("args", "expected"), [([], "threads"), (["--jobs", "1"], 1), (["--jobs", "2"], 2)])
def test_validate_runs_in_one_process_unless_jobs_asks(tmp_path, monkeypatch, args, expected):
    """Spawned workers cost more than validate's checks (each imports pandas and receives every
    frame): without --jobs the groups of checks run on two threads here, sharing the frames;
    --jobs 1 runs them one after the other; --jobs 2 still splits them over processes."""
    import jingzhun.schema.cli as validate_cli
    from jingzhun.executors import SerialExecutor, ThreadExecutor

    asked: list[int | str | None] = []

    def fake(jobs: int | None) -> SerialExecutor:
        asked.append(jobs)
        return SerialExecutor()

    def threads(jobs: int) -> ThreadExecutor:
        asked.append("threads")
        return ThreadExecutor(jobs)

    monkeypatch.setattr(validate_cli, "make_executor", fake)
    monkeypatch.setattr(validate_cli, "ThreadExecutor", threads)
    monkeypatch.setattr(validate_cli.os, "cpu_count", lambda: 2)
    root = write_dataset(tmp_path / "ds", year_frames())
    result = CliRunner().invoke(app, ["validate", str(root), "--out", str(tmp_path / "out"), "--no-xlsx", *args])
    assert result.exit_code == 0, result.output
    assert asked == [expected]
