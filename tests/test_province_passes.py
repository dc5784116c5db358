"""Province samples (``jingzhun sample --counties N``) and the global passes G1–G8 across counties."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from province_frames import slims, split, year_frames
from typer.testing import CliRunner

from jingzhun.audit.core import audit
from jingzhun.cli import app
from jingzhun.errors import UsageError
from jingzhun.identify.diff import diff_years
from jingzhun.match.core import match
from jingzhun.params import Params
from jingzhun.plan.core import plan_households
from jingzhun.plan.pairing import pair
from jingzhun.province.passes import Slim, StagedSlim, global_passes, slim_frames, stage_slim
from jingzhun.sample import province
from jingzhun.sample.build import build
from jingzhun.schema.validate import validate_frames

pytest.importorskip("duckdb")

YEARS = [2015, 2016]


def _sample(root: Path, **kw: object) -> Path:
    root.mkdir()
    build(root, 400, YEARS, 7, counties=4, **kw)  # type: ignore[arg-type]
    return root


@pytest.fixture(scope="module")
def prov(tmp_path_factory) -> Path:
    return _sample(tmp_path_factory.mktemp("prov") / "p")


@pytest.fixture(scope="module")
def clean_prov(tmp_path_factory) -> Path:
    """A 4-county sample without any injected case (only the natural moves of brides)."""
    mp = pytest.MonkeyPatch()
    mp.setattr(province.Injector, "_person_two_counties", lambda *a: None)
    mp.setattr(province.Injector, "_cadre", lambda *a: None)
    mp.setattr(province.Injector, "_payments", lambda *a: None)
    mp.setattr(province.Injector, "_roster", lambda *a: None)
    mp.setattr(province.Injector, "_move", lambda *a: None)
    try:
        return _sample(tmp_path_factory.mktemp("clean") / "p")
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def result(prov):
    return global_passes(slims(prov, 2016), slims(prov, 2015))


def _truth(root: Path, kind: str) -> pd.DataFrame:
    t = pd.read_csv(root / "_truth" / "province.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    return t[t["kind"] == kind]


def _found(result, code: str, col: str) -> set[str]:
    f = result.findings
    return set(f.loc[f["code"] == code, col])


def test_province_sample_spreads_villages_over_counties_of_one_prefecture(prov):
    v = pd.read_csv(prov / "2016" / "villages.csv", dtype=str, encoding="utf-8-sig")
    counties = sorted(v["village_code"].str.slice(0, 6).unique())
    assert counties == ["421121", "421122", "421123", "421124"]  # 黄冈市 (4211): 团风县 first
    assert 'code = "4211"' in (prov / "jingzhun.toml").read_text(encoding="utf-8")
    assert "--counties 4" in (prov / "README.md").read_text(encoding="utf-8")
    kinds = set(pd.read_csv(prov / "_truth" / "province.csv", dtype=str, encoding="utf-8-sig")["kind"])
    assert kinds == set(province.PASS_OF)  # every case has at least one row


def test_counties_option_is_checked(tmp_path):
    with pytest.raises(UsageError):
        build(tmp_path, 400, YEARS, 7, counties=1)
    with pytest.raises(UsageError):
        build(tmp_path, 30, YEARS, 7, counties=4)  # fewer than 10 households per county
    with pytest.raises(UsageError):
        build(tmp_path, 100000, YEARS, 7, counties=500)  # no province has 500 counties


def test_counties_option_on_the_command_line(tmp_path):
    r = CliRunner().invoke(app, ["sample", str(tmp_path / "s"), "--counties", "3", "--households", "60", "-q"])
    assert r.exit_code == 0, r.output
    v = pd.read_csv(tmp_path / "s" / "2016" / "villages.csv", dtype=str, encoding="utf-8-sig")
    assert v["village_code"].str.slice(0, 6).nunique() == 3
    assert (tmp_path / "s" / "_truth" / "province.csv").is_file()
    r = CliRunner().invoke(app, ["sample", str(tmp_path / "bad"), "--counties", "1"])
    assert r.exit_code == 2 and not (tmp_path / "bad").exists()


def test_g1_person_in_two_counties(prov, result):
    truth = _truth(prov, "person_two_counties")
    assert len(truth) == 1
    assert _found(result, "V-ID-MULTI-COUNTY", "value") == set(truth["id_number"])
    f = result.findings[result.findings["code"] == "V-ID-MULTI-COUNTY"]
    assert set(f["county"]) == {truth["county"].iloc[0], truth["other_county"].iloc[0]}
    assert set(f["key"]) == {truth["household_id"].iloc[0], truth["other_household_id"].iloc[0]}


def test_g2_moves_are_the_truths_moves(prov, result):
    truth = _truth(prov, "member_moved")
    assert len(truth) >= 2  # two injected, plus brides who married into another county
    want = set(zip(truth["id_number"], truth["other_household_id"], truth["household_id"], strict=True))
    m = result.tables["moves"]
    assert set(zip(m["id_number"], m["from_household_id"], m["to_household_id"], strict=True)) == want


def test_g2_agrees_with_the_whole_folder_diff(prov, result):
    d = diff_years(year_frames(prov, 2015), year_frames(prov, 2016), 2015, 2016).members
    moved = d[(d["change"] == "moved") & (d["from_household_id"].str[:6] != d["to_household_id"].str[:6])]
    m = result.tables["moves"]
    assert sorted(m["id_number"]) == sorted(moved["id_number"])
    assert len(moved) >= 2


def test_g3_places_roster_rows_without_village(prov, result):
    places = result.tables["roster_places"].set_index("record_id")
    by_id = _truth(prov, "roster_no_village")
    by_id = by_id[by_id["year"] == "2016"]
    assert len(by_id) > 5
    got = places.loc[by_id["record_id"]]
    assert (got["method"] == "id").all()
    assert list(got["county"]) == list(by_id["county"])
    assert list(got["household_id"]) == list(by_id["household_id"])
    by_name = _truth(prov, "roster_no_village_no_id")
    assert len(by_name) == 1
    row = places.loc[by_name["record_id"].iloc[0]]
    assert (row["method"], row["county"], row["household_id"]) == (
        "name",
        by_name["county"].iloc[0],
        by_name["household_id"].iloc[0],
    )


def test_g4_roster_duplicate_across_counties(prov, result):
    truth = _truth(prov, "roster_duplicate")
    assert _found(result, "M-ROSTER-DUP-ID", "key") == set(truth["id_number"]) != set()
    assert "M-ROSTER-DUP-RECORD" not in set(result.findings["code"])


def test_g5_payee_and_account_in_two_counties(prov, result):
    dup = _truth(prov, "payment_two_counties")
    assert _found(result, "A-DUPLICATE-PAYMENT", "key") == set(dup["payment_id"]) != set()
    assert _found(result, "A-DUPLICATE-PAYMENT", "detail") == set(dup["other_payment_id"])
    acc = _truth(prov, "account_two_counties")
    assert _found(result, "A-ACCOUNT-MULTI-COUNTY", "value") == set(acc["bank_account"]) != set()
    assert set(acc["payment_id"]) | set(acc["other_payment_id"]) <= _found(result, "A-ACCOUNT-MULTI-COUNTY", "key")
    # as audit reports a shared account in one county: the payments of households other than the main one
    assert _found(result, "A-SHARED-ACCOUNT", "value") == set(acc["bank_account"])


def test_g6_key_in_two_partitions(prov, result):
    truth = _truth(prov, "duplicate_payment_id")
    f = result.findings[result.findings["code"] == "V-DUPLICATE-KEY"]
    assert set(f["value"]) == set(truth["payment_id"]) != set()
    assert set(f["table"]) == {"payments"}
    assert len(f) == 2  # both rows, as validate reports a duplicate within one file


def test_g8_cadre_over_cap_only_across_counties(prov, result):
    truth = _truth(prov, "cadre_two_counties")
    assert _found(result, "P-CADRE-OVER-CAP", "key") == set(truth["cadre_id"]) != set()
    row = result.tables["cadres"].iloc[0]
    per = dict(x.split(":") for x in row["per_county"].split(","))
    assert all(int(n) <= row["cap"] for n in per.values())  # within the cap in each county
    assert row["load"] == row["cap"] + 1


def test_every_finding_is_an_injected_case(result):
    expected = {c for _, c in province.PASS_OF.values() if c} | {"V-ID-MULTI-HOUSEHOLD", "A-SHARED-ACCOUNT"}
    assert set(result.findings["code"]) == expected
    assert set(result.findings["pass"]) == {"G1", "G4", "G5", "G6", "G8"}


def test_nothing_found_on_a_sample_without_cases(clean_prov):
    r = global_passes(slims(clean_prov, 2016), slims(clean_prov, 2015))
    assert r.findings.empty
    for name in ("persons", "roster_duplicates", "duplicate_payments", "accounts", "shared_accounts", "keys", "cadres"):
        assert r.tables[name].empty, name
    moves = _truth(clean_prov, "member_moved")  # brides only
    assert sorted(r.tables["moves"]["id_number"]) == sorted(moves["id_number"])
    assert not (r.tables["roster_places"]["method"] == "ambiguous").any()


def test_result_does_not_depend_on_task_order(prov, result):
    again = global_passes(slims(prov, 2016, reverse=True), slims(prov, 2015, reverse=True))
    pd.testing.assert_frame_equal(again.findings, result.findings)
    for name, df in result.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], df, check_dtype=False, obj=name)


def test_staged_slims_give_the_same_result_as_slims_in_memory(prov, result, tmp_path):
    """County tasks hand the driver Parquet files (DuckDB reads them, within a memory limit), not
    frames; mixed with in-memory slims (the store's unplaced rows) the passes find the same."""

    def staged(items: list[Slim], tag: str) -> list[Slim | StagedSlim]:
        out: list[Slim | StagedSlim] = []
        for i, s in enumerate(items):
            out.append(s if i == 0 else stage_slim(s, tmp_path / tag / f"{s.county}-{s.year}"))
        return out

    again = global_passes(
        staged(slims(prov, 2016), "now"), staged(slims(prov, 2015), "before"), scratch=tmp_path / "spill"
    )
    assert any(isinstance(s, StagedSlim) for s in staged(slims(prov, 2016), "check"))
    pd.testing.assert_frame_equal(again.findings, result.findings)
    assert set(again.tables) == set(result.tables)
    for name, df in result.tables.items():
        pd.testing.assert_frame_equal(again.tables[name], df, check_dtype=False, obj=name)


def test_whole_folder_validate_reports_the_same_cross_county_rows(prov, result):
    whole = validate_frames(year_frames(prov, 2016), Params.load(prov), data_year=2016).findings.frame()
    f = result.findings
    multi = whole[whole["code"] == "V-ID-MULTI-HOUSEHOLD"]
    ours = f[f["code"] == "V-ID-MULTI-HOUSEHOLD"]
    assert sorted(zip(multi["row"], multi["detail"], strict=True)) == sorted(
        zip(ours["row"], ours["detail"], strict=True)
    )
    county = whole[whole["code"] == "V-ID-MULTI-COUNTY"]  # a whole folder of several counties says so too
    ours = f[f["code"] == "V-ID-MULTI-COUNTY"]
    assert sorted(zip(county["row"], county["key"], county["detail"], strict=True)) == sorted(
        zip(ours["row"], ours["key"], ours["detail"], strict=True)
    )
    assert len(county) == 2
    dup = whole[(whole["code"] == "V-DUPLICATE-KEY") & (whole["table"] == "payments")]
    assert sorted(dup["value"]) == sorted(f.loc[f["code"] == "V-DUPLICATE-KEY", "value"])


def test_g7_rollup_sums_counts_and_divides_the_sums(prov, result):
    r = result.tables["rollup"]
    total = r[r["county"] == "total"].iloc[0]
    per = r[(r["county"] != "total") & (r["county"] != "")]
    frames = year_frames(prov, 2016)
    assert total["households"] == len(frames["households"]) == per["households"].sum()
    assert total["payments"] == len(frames["payments"])
    assert total["roster_rows"] == len(frames["dibao"])
    assert total["poverty_rate"] == pytest.approx(total["poor_people"] / total["agricultural_population"])
    assert total["poverty_rate"] != pytest.approx(per["poverty_rate"].mean())  # not an average of ratios


def test_slim_is_small_and_picklable(prov):
    frames = split(year_frames(prov, 2016))["421121"]
    s = slim_frames(frames, "421121", 2016)
    back = pickle.loads(pickle.dumps(s))
    pd.testing.assert_frame_equal(back.members, s.members)
    assert list(s.members["county"].unique()) == ["421121"]
    assert s.members["_row"].notna().all()
    assert len(s.members.columns) < len(frames["members"].columns)
    assert np.array_equal(s.payments["_row"].to_numpy(), frames["payments"]["_row"].to_numpy())


def _county_level_codes(frames: dict[str, pd.DataFrame], cadres: pd.DataFrame, params: Params) -> pd.Series:
    """Findings per code of the county checks that G4, G5 and G8 complete (audit, match, pairing)."""
    found = [
        audit(frames, params, 2016).to_findings().frame(),
        match(frames, params, 2016).findings.frame(),
        pair(plan_households(frames["households"]), cadres, dict(params.table("cadre_caps"))).findings.frame(),
    ]
    return pd.concat(found)["code"].value_counts()


def test_county_checks_plus_global_passes_equal_the_whole_folder(prov, result):
    """Per code: the whole-folder checks = the four county runs + the global passes (cadres: the province's table)."""
    params = Params.load(prov)
    frames = year_frames(prov, 2016)
    codes = ["A-DUPLICATE-PAYMENT", "A-SHARED-ACCOUNT", "A-ACCOUNT-MULTI-COUNTY", "M-ROSTER-DUP-ID", "P-CADRE-OVER-CAP"]
    whole = _county_level_codes(frames, frames["cadres"], params).reindex(codes, fill_value=0)
    parts = split(frames)
    counties = sum(
        (_county_level_codes(parts[c], frames["cadres"], params).reindex(codes, fill_value=0) for c in parts if c),
        pd.Series(0, index=codes),
    )
    ours = result.findings["code"].value_counts().reindex(codes, fill_value=0)
    assert (whole > 0).all()
    assert (counties + ours).to_dict() == whole.to_dict()
