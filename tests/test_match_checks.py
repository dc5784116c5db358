"""Mismatch findings (domain.md §5.3) and bad roster input of ``jingzhun match``."""

from __future__ import annotations

import pandas as pd
import pytest
from match_frames import A1, A2, A3, B1, B2, C1, D1, D2, V2, dibao, households, members, row

from jingzhun.catalogue import CATALOGUE
from jingzhun.match import match
from jingzhun.params import Params


@pytest.fixture(scope="module")
def params() -> Params:
    return Params.load()


def run(rows, params, hh=None, mem=None, drop=()):
    d = dibao(rows).drop(columns=list(drop))
    frames = {
        "households": hh if hh is not None else households(),
        "members": mem if mem is not None else members(),
        "dibao": d,
    }
    return match(frames, params, 2016)


def found(res, code: str) -> pd.DataFrame:
    f = res.findings.frame()
    return f[f["code"] == code].reset_index(drop=True)


H1_FULL = [row("R1", "张伟", A1, amount=300), row("R2", "李芳", A2, amount=300), row("R3", "张小明", A3, amount=300)]


def test_every_match_code_is_catalogued():
    from jingzhun.catalogue.match import RULES

    assert all(r.code.startswith("M-") and r.code in CATALOGUE for r in RULES)


def test_category_not_updated(params):
    res = run([row("R1", "王建国", B1)], params)
    f = found(res, "M-CATEGORY-NOT-UPDATED")
    assert f["key"].tolist() == ["H2"]
    assert "R1" in f["value"].iloc[0] and "一般贫困户" in f["detail"].iloc[0]
    # negative: a 低保贫困户 member on the roster is fine
    assert found(run(H1_FULL, params), "M-CATEGORY-NOT-UPDATED").empty


def test_dibao_and_tekun_households_without_roster_members(params):
    res = run([row("R1", "王建国", B1)], params)
    assert found(res, "M-DIBAO-HH-NOT-ON-ROSTER")["key"].tolist() == ["H1"]
    assert found(res, "M-TEKUN-HH-NOT-ON-ROSTER")["key"].tolist() == ["H3"]
    # a 特困 household whose member is on the roster as 农村低保 still lacks a 特困 member
    res2 = run(H1_FULL + [row("R4", "陈老汉", C1, village=V2, program="农村低保")], params)
    assert found(res2, "M-DIBAO-HH-NOT-ON-ROSTER").empty
    assert found(res2, "M-TEKUN-HH-NOT-ON-ROSTER")["key"].tolist() == ["H3"]


def test_missed_candidate_under_the_line(params):
    rows = [row("R1", "赵大", D1, village=V2), row("R2", "孙二", D2, village=V2)]
    res = run(rows, params)  # H4: (1000 + 500) / 2 = 750 < 2855
    f = found(res, "M-MISSED-CANDIDATE")
    assert f["key"].tolist() == ["H4"] and f["value"].iloc[0] == "R1,R2"
    rich = households()
    rich.loc[3, "wage_income"] = 20000.0
    assert found(run(rows, params, hh=rich), "M-MISSED-CANDIDATE").empty


def test_roster_person_not_found(params):
    res = run([row("R9", "不在册", None)], params)
    assert found(res, "M-ROSTER-NOT-FOUND")["key"].tolist() == ["R9"]


def test_partial_household(params):
    res = run(H1_FULL[:2], params)
    f = found(res, "M-PARTIAL-HOUSEHOLD")
    assert f["key"].tolist() == ["H1"] and "张小明" in f["detail"].iloc[0]
    assert found(run(H1_FULL, params), "M-PARTIAL-HOUSEHOLD").empty


def test_benefit_mismatch_and_tolerance(params):
    hh = households()
    hh.loc[0, "dibao_benefit"] = 3 * 300 * 12.0  # H1: exactly what the roster paid in 2015
    assert found(run(H1_FULL, params, hh=hh), "M-BENEFIT-MISMATCH").empty
    hh.loc[0, "dibao_benefit"] = 3 * 300 * 12.0 * 0.95  # within 10%
    assert found(run(H1_FULL, params, hh=hh), "M-BENEFIT-MISMATCH").empty
    hh.loc[0, "dibao_benefit"] = 1000.0
    f = found(run(H1_FULL, params, hh=hh), "M-BENEFIT-MISMATCH")
    assert f["key"].tolist() == ["H1"] and f["column"].tolist() == ["dibao_benefit"]
    assert "10800" in f["detail"].iloc[0]
    # roster coverage starting in 2016 pays nothing in income year 2015
    late = [dict(r, start_date="2016-02-01") for r in H1_FULL]
    hh.loc[0, "dibao_benefit"] = 0.0
    assert found(run(late, params, hh=hh), "M-BENEFIT-MISMATCH").empty


def test_dead_member_still_on_roster(params):
    mem = members()
    mem.loc[5, "change_reason"] = "死亡"
    mem.loc[5, "change_date"] = pd.Timestamp("2016-05-01")
    rows = [row("R1", "陈老汉", C1, village=V2, program="特困供养")]
    f = found(run(rows, params, mem=mem), "M-DEAD-ON-ROSTER")
    assert f["key"].tolist() == ["H3"] and "R1" in f["value"].iloc[0]
    ended = [row("R1", "陈老汉", C1, village=V2, program="特困供养", end="2016-05-31")]
    assert not found(run(ended, params, mem=mem), "M-DEAD-ON-ROSTER").empty  # paid after the death
    ended_before = [row("R1", "陈老汉", C1, village=V2, program="特困供养", end="2016-04-30")]
    assert found(run(ended_before, params, mem=mem), "M-DEAD-ON-ROSTER").empty


def test_person_on_both_dibao_and_tekun(params):
    rows = [row("R1", "陈老汉", C1, village=V2, program="特困供养"), row("R2", "陈老汉", C1, village=V2)]
    res = run(rows, params)
    f = found(res, "M-DIBAO-AND-TEKUN")
    assert f["key"].tolist() == [C1] and f["value"].iloc[0] == "R1,R2"
    assert found(res, "M-ROSTER-DUP-ID").empty
    assert found(res, "M-ROSTER-NOT-FOUND").empty  # the second row is a duplicate, not a stranger


def test_same_id_twice_on_roster(params):
    res = run([row("R1", "张伟", A1), row("R2", "张伟", A1)], params)
    assert found(res, "M-ROSTER-DUP-ID")["key"].tolist() == [A1]
    assert res.pairs["record_id"].tolist() == ["R1"]


def test_duplicate_record_ids(params):
    res = run([row("R1", "张伟", A1), row("R1", "李芳", A2)], params)
    f = found(res, "M-ROSTER-DUP-RECORD")
    assert f["row"].tolist() == [2]
    assert res.pairs["record_id"].tolist() == ["R1"] and res.pairs["id_number"].tolist() == [A1]


def test_roster_without_id_column_uses_name_village_only(params):
    rows = [row("R1", "张伟", None, relation="户主"), row("R2", "刘丽", None, relation="配偶")]
    res = run(rows, params, drop=["id_number"])
    assert res.summary["roster_has_id_column"] is False
    assert not found(res, "M-ROSTER-NO-ID-COLUMN").empty
    assert set(res.pairs["method"]) == {"name_village"}
    assert dict(zip(res.pairs["record_id"], res.pairs["id_number"], strict=True)) == {"R1": A1, "R2": B2}


def test_row_without_id_and_village_is_a_finding(params):
    res = run([row("R1", "张伟", None, village=None), row("R2", "张伟", A1)], params)
    f = found(res, "M-ROSTER-NO-LOCATION")
    assert f["key"].tolist() == ["R1"]
    assert found(res, "M-ROSTER-NOT-FOUND").empty
    assert res.pairs["record_id"].tolist() == ["R2"]


def test_invalid_and_excel_ids_reported(params):
    bad = A1[:17] + ("0" if A1[17] != "0" else "1")
    res = run([row("R1", "张伟", bad), row("R2", "李芳", "4.21121E+17"), row("R3", "王建国", "12345")], params)
    assert found(res, "M-ROSTER-ID-INVALID")["key"].tolist() == ["R1", "R3"]
    assert found(res, "M-ROSTER-ID-EXCEL")["key"].tolist() == ["R2"]


def test_member_flags_dibao_and_tekun(params):
    mem = members()
    mem["on_dibao"] = pd.array([False] * 5 + [True, False, False], dtype="boolean")
    mem["on_tekun"] = pd.array([False] * 5 + [True, False, False], dtype="boolean")
    f = found(run([row("R1", "张伟", A1)], params, mem=mem), "M-DIBAO-AND-TEKUN")
    assert f["key"].tolist() == [C1]


def test_findings_render_in_both_languages(params):
    res = run([row("R1", "王建国", B1)], params)
    zh = res.findings.render("zh")
    en = res.findings.render("en")
    assert zh["message"].str.contains("一般贫困户").any()
    assert en["message"].str.contains("roster").any()


def test_clean_sample_benefits_agree_except_the_deliberate_cases():
    """data-sample: 低保金/特困供养金 only disagree with the roster where the truth says it was made to."""
    from pathlib import Path

    from jingzhun.match.api import run_match

    root = Path(__file__).resolve().parents[1] / "data-sample"
    if not root.is_dir():
        pytest.skip("data-sample not present")
    result, *_ = run_match(root, 2016, None, None)
    f = result.findings.frame()
    flagged = set(f.loc[f["code"] == "M-BENEFIT-MISMATCH", "key"])
    cases = pd.read_csv(root / "_truth" / "2016" / "dibao_cases.csv", dtype=str, encoding="utf-8-sig")
    deliberate = set(cases["household_id"].dropna())
    assert flagged and flagged <= deliberate
    # The monthly amount is per covered person: a full-year household of n people gets n × amount × 12.
    assert "42112100000058" not in flagged
