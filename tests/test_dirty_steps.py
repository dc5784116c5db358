"""Every step works on data that validate reports errors for (issue 10 item 13): rows with a
duplicate key are findings and are left out of documents, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from plan_frames import T1, V1, write_dataset
from typer.testing import CliRunner

from jingzhun.cli import app

runner = CliRunner()


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("seed", [6, 7])  # seeds whose dirty copy duplicates a registered household's ID
def test_run_on_dirty_sample_data_fails_no_step(tmp_path, seed):
    from jingzhun.sample.build import build

    ds = tmp_path / "ds"
    ds.mkdir()
    build(ds, households=100, years=[2015, 2016], seed=seed, dirty_rate=0.05)
    truth = _csv(ds / "_truth" / "2016" / "defects.csv")
    assert (truth["kind"] == "duplicate_household_id").any()
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", str(ds), "--out", str(out), "--no-docx"])
    assert r.exit_code == 1, r.output  # error findings, nothing else
    assert "内部错误" not in r.output
    steps = {s["name"]: s["status"] for s in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["steps"]}
    assert set(steps) >= {"validate", "identify", "diff", "match", "plan", "notice", "audit", "report"}
    assert set(steps.values()) == {"ok"}, steps
    plan = _csv(out / "plan" / "findings.csv")
    dup = plan[plan["code"] == "P-DOC-KEY-DUPLICATE"]
    assert len(dup) >= 2
    plans = _csv(out / "plan" / "plans.csv")
    assert plans["household_id"].is_unique
    assert not set(dup["key"]) & set(plans["household_id"])


@pytest.fixture
def duplicated(tmp_path) -> Path:
    """The plan dataset with a second, different household under H001's ID."""
    ds = write_dataset(tmp_path / "ds")
    f = ds / "2016" / "households.csv"
    h = _csv(f)
    twin = h[h["household_id"] == "H003"].assign(household_id="H001", head_name="重复户")
    pd.concat([h, twin], ignore_index=True).to_csv(f, index=False)
    return ds


def test_duplicate_household_id_is_left_out_of_plans_books_and_notices(duplicated, tmp_path):
    out = tmp_path / "out"
    r = runner.invoke(app, ["plan", str(duplicated), "--out", str(out), "--no-docx"])
    assert r.exit_code == 1, r.output
    f = _csv(out / "plan" / "findings.csv")
    dup = f[f["code"] == "P-DOC-KEY-DUPLICATE"]
    assert sorted(dup["row"].astype(int)) == [1, 8] and set(dup["key"]) == {"H001"}
    plans = _csv(out / "plan" / "plans.csv")
    assert "H001" not in set(plans["household_id"]) and {"H002", "H003", "H006"} <= set(plans["household_id"])
    book = (out / "plan" / "books" / T1 / f"{V1}.html").read_text(encoding="utf-8")
    assert "张三" in book and "王䶮" not in book and "重复户" not in book
    r = runner.invoke(
        app,
        ["notice", str(duplicated), "--kind", "identification", "--date", "2016-03-01", "--out", str(out), "--no-docx"],
    )
    assert r.exit_code == 1, r.output
    notice = (out / "notice" / "identification" / f"{V1}.html").read_text(encoding="utf-8")
    assert "张三" in notice and "王䶮" not in notice and "重复户" not in notice
    nf = _csv(out / "notice-internal" / "identification" / "findings.csv")
    assert set(nf.loc[nf["code"] == "P-DOC-KEY-DUPLICATE", "key"]) == {"H001"}
