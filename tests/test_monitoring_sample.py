"""The sample's monitoring years and the commands on a dataset spanning 2019–2022 (poverty, then monitoring)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.sample.monitoring import CASES
from jingzhun.schema.columns import RISK_KINDS

runner = CliRunner()


def _csv(p: Path) -> pd.DataFrame:
    return pd.read_csv(p, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def ds(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mon") / "ds"
    r = runner.invoke(app, ["sample", str(root), "--households", "240", "--years", "2019-2022", "-q"])
    assert r.exit_code == 0, r.output
    return root


def test_sample_monitoring_years_have_every_class_kind_and_case(ds):
    assert "monitoring_type" not in _csv(ds / "2020" / "households.csv").columns  # poverty years unchanged
    for year in (2021, 2022):
        truth = _csv(ds / "_truth" / str(year) / "monitoring.csv")
        assert set(truth["case"]) == set(CASES)
        assert {"脱贫不稳定户", "边缘易致贫户", "突发严重困难户", ""} <= set(truth["expected_class"])
        kinds = set(",".join(truth["risk_kinds"]).split(","))
        assert set(RISK_KINDS) <= kinds
    assert "monitoring_range" in (ds / "jingzhun.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def identified(ds, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mon_out")
    r = runner.invoke(app, ["identify", str(ds), "--year", "2022", "--out", str(out), "--no-xlsx", "-q"])
    assert r.exit_code in (0, 1), r.output
    return out / "identify"


def test_identify_gives_the_truth_class_and_clearing_cases(identified, ds):
    m = _csv(identified / "monitoring.csv").set_index("household_id")
    truth = _csv(ds / "_truth" / "2022" / "monitoring.csv")
    got = m.loc[truth["household_id"]]
    assert list(got["monitoring_class"]) == list(truth["expected_class"])
    case = truth.set_index("household_id")["case"]
    ready = got["risk_cleared_ready"]
    assert (ready[case[case == "ready"].index] == "true").all()
    assert got.loc[case[case == "observation_short"].index, "blockers"].str.contains("I-MON-OBSERVATION").all()
    assert got.loc[case[case == "no_labour"].index, "blockers"].str.contains("I-MON-NO-LABOUR").all()
    f = _csv(identified / "findings.csv")
    assert set(case[case == "missed"].index) <= set(f.loc[f["code"] == "I-MON-NOT-RECORDED", "key"])
    assert set(case[case == "cleared_blocked"].index) <= set(f.loc[f["code"] == "I-MON-CLEARED-BLOCKED", "key"])
    v = _csv(identified / "monitoring_villages.csv")
    assert v["objects"].astype(int).sum() == (m["monitoring_class"] != "").sum()
    assert json.loads((identified / "county.json").read_text(encoding="utf-8"))["monitoring"]["objects"] > 0


def test_identify_on_a_poverty_year_writes_no_monitoring(ds, tmp_path):
    r = runner.invoke(app, ["identify", str(ds), "--year", "2020", "--out", str(tmp_path), "--no-xlsx", "-q"])
    assert r.exit_code in (0, 1), r.output
    assert not (tmp_path / "identify" / "monitoring.csv").exists()


def test_diff_across_the_eras_and_between_monitoring_years(ds, tmp_path):
    for a, b in ((2020, 2021), (2021, 2022)):
        out = tmp_path / f"{a}"
        r = runner.invoke(app, ["diff", str(ds), "--from", str(a), "--to", str(b), "--out", str(out), "--no-xlsx"])
        assert r.exit_code in (0, 1), r.output
        ch = _csv(out / "diff" / "monitoring.csv")
        s = json.loads((out / "diff" / "summary.json").read_text(encoding="utf-8"))["monitoring"]
        assert s["new_object"] > 0 and s["returned"] > 0 and s["newly_poor"] > 0
        assert s == {k: int((ch["change"] == k).sum()) for k in s}
    assert s["risk_cleared"] > 0  # 2021 → 2022: objects of 2021 cleared in 2022


def test_identify_without_the_range_stops_naming_the_key(ds, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[monitoring]\nobservation_months = 0\n", encoding="utf-8")
    r = runner.invoke(app, ["identify", str(ds), "--year", "2022", "--config", str(cfg), "--out", str(tmp_path)])
    assert r.exit_code == 3 and "monitoring.observation_months" in r.stderr and "jingzhun.toml" in r.stderr


def test_monitoring_notice_lists_new_objects_and_clearing_candidates(ds, tmp_path):
    r = runner.invoke(
        app, ["notice", str(ds), "--year", "2022", "--kind", "monitoring", "--out", str(tmp_path), "--no-docx", "-q"]
    )
    assert r.exit_code in (0, 1), r.output
    truth = _csv(ds / "_truth" / "2022" / "monitoring.csv")
    heads = _csv(ds / "2022" / "households.csv").set_index("household_id")["head_name"]
    pages = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "notice" / "monitoring").glob("4*[0-9].html"))
    for case, item in (("missed", "拟纳入监测对象"), ("ready", "拟风险消除")):
        for hid in truth.loc[truth["case"] == case, "household_id"]:
            assert heads[hid] in pages
        assert item in pages
    assert "监测范围 6,000 元" in pages and "公示期" in pages
    assert not any(hid in pages for hid in truth["household_id"])  # record keys never posted
    for hid in truth.loc[truth["case"] == "observation_short", "household_id"]:
        assert f">{heads[hid]}<" not in pages  # not ready: not announced


def test_monitoring_notice_on_a_poverty_year_is_refused(ds, tmp_path):
    r = runner.invoke(app, ["notice", str(ds), "--year", "2020", "--kind", "monitoring", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "2021" in r.stderr  # a usage mistake, like an unknown --kind


def test_run_across_both_eras_reports_monitoring(ds, tmp_path):
    r = runner.invoke(app, ["run", str(ds), "--out", str(tmp_path), "--no-xlsx", "-q"])
    assert r.exit_code in (0, 1), r.output
    ident = _csv(tmp_path / "identify" / "monitoring.csv")
    levels = _csv(tmp_path / "report" / "monitoring.csv")
    county = levels[levels["level"] == "county"].iloc[0]
    assert int(county["objects"]) == (ident["monitoring_class"] != "").sum()
    assert int(county["returned"]) > 0 and int(county["newly_poor"]) > 0 and int(county["new_objects"]) > 0
    trend = _csv(tmp_path / "report" / "trend.csv")
    assert {"2019", "2020", "2021", "2022"} <= set(trend["year"])  # the poverty era and the monitoring era
    html = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert "防止返贫监测" in html and "年度趋势" in html
    assert (tmp_path / "diff" / "monitoring.csv").is_file()
    objects = _csv(tmp_path / "report" / "monitoring_objects.csv")
    lacking = objects[(objects["has_labour"] == "true") & (objects["development_measure"] == "false")]
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert len(lacking) > 0 and "R-MON-NO-DEV-MEASURE" in json.dumps(manifest, ensure_ascii=False)
