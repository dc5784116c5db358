"""Province runs over a store: ingest, county tasks through executors, global passes, outputs."""

from __future__ import annotations

import json
import os
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from province_data import ACCOUNT_REPEAT, COUNTIES, NO_CADRES, ROSTER_ELSEWHERE, county_sources, whole_folder

from jingzhun.executors import SerialExecutor
from jingzhun.manifest import verify
from jingzhun.pipeline import RunOptions, run_pipeline
from jingzhun.province.ingest import ingest
from jingzhun.province.run import run_store
from jingzhun.province.store import SOURCE_FILE, counties, partition_path, read_partition
from jingzhun.province.tasks import no_fork

OPTIONS = dict(xlsx=False, docx=False, books=False)
TIMES = {"started", "finished", "seconds", "cpu_seconds", "peak_mb", "engine", "tasks", "passes"}


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("province")
    sources = county_sources(root / "src")
    store = root / "store"
    ingest(sources, store)
    return {"root": root, "sources": root / "src", "store": store}


@pytest.fixture(scope="module")
def serial(province: dict[str, Path]) -> dict[str, Any]:
    """One in-process run of the store, its tasks run last submitted first (shared by the tests)."""
    rev = ReversedExecutor()
    out = province["root"] / "serial"
    res = run_store(province["store"], out, RunOptions(**OPTIONS), rev)
    return {"out": out, "result": res, "order": rev.order}


@pytest.fixture(scope="module")
def whole(province: dict[str, Path]) -> dict[str, Any]:
    """The whole-folder run of the same rows (one dataset folder of the four counties)."""
    folder = whole_folder(sorted(province["sources"].iterdir()), province["root"] / "whole")
    out = province["root"] / "w"
    return {"out": out, "result": run_pipeline(folder, out, RunOptions(jobs=1, **OPTIONS))}


class ReversedExecutor:
    """Runs the submitted units only when the first result is asked for, last submitted first."""

    jobs = 1
    shares_memory = True

    def __init__(self) -> None:
        self.pending: list[tuple[Future[Any], Any, tuple[Any, ...]]] = []
        self.order: list[str] = []

    def submit(self, fn: Any, /, *args: Any) -> Future[Any]:
        fut: Future[Any] = _Lazy(self)
        self.pending.append((fut, fn, args))
        return fut

    def run_all(self) -> None:
        for fut, fn, args in reversed(self.pending):
            self.order.append(args[0].county)
            fut.set_result(fn(*args))
        self.pending = []

    def map(self, fn: Any, items: Any) -> list[Any]:
        return [fn(i) for i in items]

    def close(self) -> None:
        return None


class _Lazy(Future):  # type: ignore[type-arg]
    def __init__(self, owner: ReversedExecutor) -> None:
        super().__init__()
        self.owner = owner

    def result(self, timeout: float | None = None) -> Any:
        if not self.done():
            self.owner.run_all()
        return super().result(timeout)


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _no_times(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _no_times(v) for k, v in obj.items() if k not in TIMES and k != "sha256" and k != "size"}
    if isinstance(obj, list):
        return [_no_times(v) for v in obj]
    return obj


def _same_outputs(a: Path, b: Path) -> None:
    ta, tb = _tree(a), _tree(b)
    assert sorted(ta) == sorted(tb)
    for name in ta:
        if name.endswith("manifest.json"):
            assert _no_times(json.loads(ta[name])) == _no_times(json.loads(tb[name])), name
        else:
            assert ta[name] == tb[name], name


def test_ingest_gives_the_same_bytes_and_keeps_source_rows(province, tmp_path):
    again = tmp_path / "again"
    ingest(sorted(province["sources"].iterdir()), again)
    assert _tree(again) == _tree(province["store"])
    part = read_partition(partition_path(province["store"], "members", 2016, "421122"))
    src = province["sources"] / "src-421122" / "2016" / "members.csv"
    assert set(part[SOURCE_FILE]) == {src.resolve().as_posix()}
    raw = pd.read_csv(src, dtype=str, encoding="utf-8-sig")
    first = part.iloc[3]
    assert raw.iloc[int(first["_row"]) - 1]["id_number"] == first["id_number"]
    assert (province["store"] / "params" / "county=421123.toml").is_file()


def test_serial_and_dask_runs_write_the_same_bytes_in_any_task_order(province, serial, tmp_path):
    pytest.importorskip("distributed")
    from jingzhun.province.dask_engine import DaskExecutor

    sizes = counties(province["store"], 2016)
    largest_first = sorted(sizes, key=lambda c: (-sizes[c], c))
    assert serial["order"] == largest_first[::-1]  # the driver submits largest first; these ran smallest first
    with DaskExecutor(workers=2) as ex:
        res = run_store(province["store"], tmp_path / "dask", RunOptions(**OPTIONS), ex, engine="dask")
    assert all(r.ok for r in res.tasks)
    # findings reach the driver through the staging folder, county by county, which leaves no trace
    assert not any(p.name == "_findings" for p in (tmp_path / "dask").rglob("*"))
    assert res.counts == res.findings["code"].value_counts().sort_index().to_dict() != {}
    _same_outputs(serial["out"], tmp_path / "dask")
    assert verify(tmp_path / "dask").findings.frame().empty


def _codes(findings: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in findings["code"].value_counts().sort_index().items()}


def test_partitioned_and_whole_folder_runs_agree(serial, whole):
    p, w = serial["out"], whole["out"]
    a = pd.read_csv(p / "province" / "identify" / "households.csv", dtype=str, keep_default_na=False)
    b = pd.read_csv(w / "identify" / "households.csv", dtype=str, keep_default_na=False)
    key = ["household_id"]
    pd.testing.assert_frame_equal(
        a.drop(columns="county").sort_values(key, ignore_index=True),
        b.sort_values(key, ignore_index=True)[a.columns.drop("county")],
    )
    assert {"household_id", "result"} <= set(b.columns)
    # the same number of findings per code, with no exception
    assert _codes(serial["result"].findings) == _codes(whole["result"].findings)


def _of(findings: pd.DataFrame, code: str) -> pd.DataFrame:
    return findings[findings["code"] == code]


def test_a_whole_folder_of_counties_checks_id_regions_per_county(serial, whole):
    # IDs born in another county of the prefecture: "不属于本县" for the row's own county, as a county task says
    born = _of(whole["result"].findings, "V-ID-REGION")
    assert born["detail"].str.startswith("4211").any()
    part = _of(serial["result"].findings, "V-ID-REGION")
    assert sorted(born["value"]) == sorted(part["value"])


def test_a_whole_folder_of_counties_posts_project_notices_per_county(whole):
    empty = _of(whole["result"].findings, "P-NOTICE-EMPTY")
    county_level = empty[(empty["table"] == "projects") & empty["key"].str.contains(r"\(\d{6}\)$")]
    assert sorted(county_level["key"].str[-7:-1]) == list(COUNTIES)


def test_a_whole_folder_of_counties_pairs_within_each_county(whole):
    plans = pd.read_csv(whole["out"] / "plan" / "plans.csv", dtype=str, keep_default_na=False)
    alone = plans[plans["village_code"].str.startswith(NO_CADRES)]
    assert len(alone) and (alone["cadre_id"] == "").all() and (alone["pairing"] == "none").all()
    others = plans[~plans["village_code"].str.startswith(NO_CADRES) & (plans["cadre_id"] != "")]
    assert (others["cadre_id"].str[:6] == others["village_code"].str[:6]).all()  # cadre keys begin with the county
    assert list(_of(whole["result"].findings, "P-NO-CADRES")["key"]) == [NO_CADRES]


def test_a_roster_row_naming_a_member_of_another_county_is_placed_with_the_member(province, serial, whole):
    there = read_partition(partition_path(province["store"], "dibao", 2016, "421122"))
    assert ROSTER_ELSEWHERE in set(there["record_id"])
    for res in (serial["result"], whole["result"]):
        assert ROSTER_ELSEWHERE not in set(_of(res.findings, "M-ROSTER-NOT-FOUND")["key"])
    assert (_of(serial["result"].findings, "M-ROSTER-NOT-FOUND")["county"] == "").sum() == 1  # G3: unplaced rows


def test_an_account_paid_for_two_households_in_two_counties_is_a_duplicate(serial, whole):
    part = _of(serial["result"].findings, "A-DUPLICATE-PAYMENT")
    assert list(part.loc[part["key"] == ACCOUNT_REPEAT, "pass"]) == ["G5"]
    assert ACCOUNT_REPEAT in set(_of(whole["result"].findings, "A-DUPLICATE-PAYMENT")["key"])
    assert list(serial["result"].passes.tables["account_repeats"]["payment_id"]) == [ACCOUNT_REPEAT]


def test_no_process_is_started_inside_a_task():
    with no_fork():
        with pytest.raises(RuntimeError, match="inside a county task"):
            os.fork()
    # outside a task nothing is refused
    import subprocess

    assert subprocess.run(["true"], check=False).returncode == 0


def test_a_failed_county_is_reported_and_the_others_are_complete(province, tmp_path):
    import shutil

    store = tmp_path / "store"
    shutil.copytree(province["store"], store)
    partition_path(store, "households", 2016, "421123").write_bytes(b"not parquet")
    res = run_store(store, tmp_path / "out", RunOptions(**OPTIONS), SerialExecutor())
    bad = [r for r in res.tasks if not r.ok]
    assert [r.county for r in bad] == ["421123"]
    failed = res.findings[res.findings["code"] == "R-STEP-FAILED"]
    assert "county=421123" in set(failed["key"])
    assert not (tmp_path / "out" / "counties" / "421123").exists()
    for c in ("421121", "421122", "421124"):
        assert (tmp_path / "out" / "counties" / c / "identify" / "households.csv").is_file()
    assert verify(tmp_path / "out").findings.frame().empty
    tampered = tmp_path / "out" / "counties" / "421122" / "identify" / "households.csv"
    tampered.write_text("changed", encoding="utf-8")
    assert set(verify(tmp_path / "out").findings.frame()["code"]) == {"R-VERIFY-CHANGED"}


def test_a_retried_task_leaves_no_trace(province, tmp_path):
    from jingzhun.province.run import task_specs
    from jingzhun.province.tasks import run_county

    spec = next(s for s in task_specs(province["store"], 2016, tmp_path, RunOptions(**OPTIONS)) if s.county == "421122")
    earlier = tmp_path / "counties" / "421122"
    (earlier / "identify").mkdir(parents=True)
    (earlier / "identify" / "half-written.csv").write_text("x", encoding="utf-8")
    (tmp_path / "counties" / ".421122.tmp-999999-abcd").mkdir()
    res = run_county(spec)
    assert res.ok, res.error
    assert sorted(p.name for p in (tmp_path / "counties").iterdir()) == ["421122"]
    assert not (earlier / "identify" / "half-written.csv").exists()
    assert set(res.files) == {p.relative_to(earlier).as_posix() for p in earlier.rglob("*") if p.is_file()}


def test_ingest_and_run_commands(province, tmp_path):
    from typer.testing import CliRunner

    from jingzhun.cli import app

    src = province["sources"] / "src-421124"
    r = CliRunner().invoke(app, ["ingest", str(src), "--store", str(tmp_path / "s"), "--json", "-q"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["counties"] == ["421124"] and summary["rows"]["households"] == 24  # two years
    r = CliRunner().invoke(app, ["run", str(tmp_path / "s"), "--out", str(tmp_path / "o"), "--engine", "spark"])
    assert r.exit_code == 2
    assert "--engine" in r.output and not (tmp_path / "o").exists()


def test_a_crosscheck_row_goes_to_the_county_where_the_person_is_a_current_member():
    from jingzhun.province.ingest import place

    frames = {
        "households": pd.DataFrame(
            {"household_id": ["A1", "B1"], "village_code": ["421121100200", "421127100200"]}, dtype="str"
        ),
        "members": pd.DataFrame(
            {
                "household_id": ["A1", "B1"],
                "id_number": ["421121199406208803", "421121199406208803"],
                "change_reason": ["嫁出", "嫁入"],  # married from A into B: current in B
            },
            dtype="str",
        ),
        "crosscheck": pd.DataFrame({"id_number": ["421121199406208803"], "source": ["村干部"]}, dtype="str"),
    }
    assert list(place(frames)["crosscheck"]) == ["421127"]
