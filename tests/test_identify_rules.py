"""Identification rules: thresholds, exclusion, guarantees, exit, quota, villages."""

from __future__ import annotations

import pandas as pd
import pytest
from test_identify_support import V1, V2, crosscheck, households, make_id, members, villages

from jingzhun.identify.core import identify
from jingzhun.params import Params

YEAR = 2014  # data year 2014 → income year 2013, line 2736, edge 4104
LINE, EDGE = 2736.0, 4104.0


@pytest.fixture
def params():
    return Params.load()


def run(hh, mm=None, cc=None, vv=None, params=None, year=YEAR):
    frames = {"households": hh}
    if mm is not None:
        frames["members"] = mm
    if cc is not None:
        frames["crosscheck"] = cc
    if vv is not None:
        frames["villages"] = vv
    return identify(frames, params or Params.load(), year)


def by_id(result):
    return result.households.set_index("household_id")


BOUNDARIES = [
    (LINE - 0.01, "poor"),
    (LINE, "edge"),
    (LINE + 0.01, "edge"),
    (EDGE - 0.01, "edge"),
    (EDGE, "not_poor"),
    (EDGE + 0.01, "not_poor"),
]


def test_line_and_edge_boundaries():
    hh = households([{"household_id": f"h{i}", "wage_income": inc} for i, (inc, _) in enumerate(BOUNDARIES)])
    r = by_id(run(hh))
    assert list(r.loc[[f"h{i}" for i in range(len(BOUNDARIES))], "result"]) == [e for _, e in BOUNDARIES]
    assert (r["line"] == LINE).all() and (r["edge_line"] == EDGE).all()


def test_data_year_uses_previous_income_year_line():
    hh = households([{"household_id": "h", "wage_income": 2800.0}])
    assert by_id(run(hh, year=2015)).loc["h", "result"] == "edge"  # 2014 line 2800
    assert by_id(run(hh, year=2014)).loc["h", "result"] == "edge"  # 2013 line 2736
    hh2 = households([{"household_id": "h", "wage_income": 2799.0}])
    assert by_id(run(hh2, year=2015)).loc["h", "result"] == "poor"
    assert by_id(run(hh2, year=2016)).loc["h", "result"] == "poor"  # 2015 line 2855


def test_edge_multiplier_parameter(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[identify]\nedge_multiplier = 2.0\n", encoding="utf-8")
    hh = households([{"household_id": "h", "wage_income": 5000.0}])
    assert by_id(run(hh)).loc["h", "result"] == "not_poor"
    assert by_id(run(hh, params=Params.load(None, cfg))).loc["h", "result"] == "edge"


def test_edge_kind_unstable_only_for_registered_exited():
    hh = households(
        [
            {"household_id": "a", "wage_income": 3000.0},
            {"household_id": "b", "wage_income": 3000.0, "registered": True, "status": "已脱贫(享受政策)"},
            {"household_id": "c", "wage_income": 3000.0, "registered": True, "status": "未脱贫"},
        ]
    )
    r = by_id(run(hh))
    assert r.loc["a", "edge_kind"] == "边缘易致贫户"
    assert r.loc["b", "edge_kind"] == "脱贫不稳定户"
    assert r.loc["c", "edge_kind"] == "边缘易致贫户"


def test_reasons_carry_codes_and_detail_columns():
    r = by_id(run(households([{"household_id": "h", "wage_income": 100.0}])))
    assert r.loc["h", "reasons"].split(";")[0] == "I-INCOME-BELOW-LINE"
    assert r.loc["h", "per_capita_net_income"] == 100.0


SOURCES = [
    ("财政供养", "I-EXCL-PAYROLL"),
    ("车辆", "I-EXCL-VEHICLE"),
    ("商品房", "I-EXCL-HOUSE"),
    ("工商注册", "I-EXCL-BUSINESS"),
    ("村干部", "I-EXCL-CADRE"),
]


def test_each_exclusion_source():
    hh, mm, cc = [], [], []
    for i, (source, _) in enumerate(SOURCES):
        pid, rich = make_id("19800101", 2 * i + 1), make_id("19810101", 2 * i + 1)
        hh += [{"household_id": f"h{i}", "wage_income": 100.0}, {"household_id": f"rich{i}", "wage_income": 9000.0}]
        mm += [
            {"household_id": f"h{i}", "id_number": pid, "name": f"甲{i}"},
            {"household_id": f"rich{i}", "id_number": rich, "name": f"乙{i}"},
        ]
        cc += [(pid.lower(), source, "详情"), (rich, source, "详情")]
    res = run(households(hh), members(mm), crosscheck(cc))
    r = by_id(res)
    f = res.findings.frame()
    for i, (source, code) in enumerate(SOURCES):
        h = f"h{i}"
        assert r.loc[h, "result"] == "excluded" and r.loc[h, "income_result"] == "poor"
        assert code in r.loc[h, "reasons"].split(";")
        assert r.loc[h, "exclusion_sources"] == source and f"甲{i}" in r.loc[h, "exclusion_members"]
        assert r.loc[f"rich{i}", "result"] == "not_poor"  # a hit only matters for income-eligible households
        hits = f[f["code"] == code]
        assert list(hits["key"]) == [h] and make_id("19800101", 2 * i + 1) in hits.iloc[0]["value"]


def test_disabled_source_and_former_member_do_not_exclude(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[identify]\nexclusion_sources = ["财政供养"]\n', encoding="utf-8")
    p1, p2 = make_id("19800101"), make_id("19800101", 3)
    hh = households([{"household_id": "a", "wage_income": 3000.0}, {"household_id": "b", "wage_income": 100.0}])
    mm = members(
        [{"household_id": "a", "id_number": p1}, {"household_id": "b", "id_number": p2, "change_reason": "死亡"}]
    )
    cc = crosscheck([(p1, "车辆", "x"), (p2, "财政供养", "y")])
    r = by_id(run(hh, mm, cc, params=Params.load(None, cfg)))
    assert r.loc["a", "result"] == "edge"  # 车辆 disabled
    assert r.loc["b", "result"] == "poor"  # the hit member is no longer current
    r2 = by_id(run(hh, mm, cc))
    assert r2.loc["a", "result"] == "excluded"


def test_fifteen_digit_crosscheck_id_matches_member():
    pid = make_id("19800101")
    id15 = pid[:6] + pid[8:17]
    hh = households([{"household_id": "h", "wage_income": 100.0}])
    mm = members([{"household_id": "h", "id_number": pid}])
    assert by_id(run(hh, mm, crosscheck([(id15, "车辆", "")]))).loc["h", "result"] == "excluded"


def _child(birth, school=None, health="健康", hid="h", seq=5):
    return {
        "household_id": hid,
        "id_number": make_id(birth, seq),
        "birth_date": birth,
        "school_status": school,
        "health": health,
    }


AGES = [
    ("20070101", False),  # 6 on 2013-12-31 (income year of data year 2014)
    ("20061231", True),  # 7 on 31 Dec
    ("19981231", True),  # 15
    ("19971231", False),
]  # 16
SCHOOL = [(None, True), ("非在校生", True), ("学龄前儿童", True), ("小学", False), ("七年级", False)]


def test_education_age_boundaries_on_31_december():
    hh = households(
        [
            {"household_id": f"h{i}", "wage_income": 5000.0, "registered": True, "status": "未脱贫"}
            for i in range(len(AGES))
        ]
    )
    mm = members(
        [
            m
            for i, (birth, _) in enumerate(AGES)
            for m in (
                {"household_id": f"h{i}", "id_number": make_id("19700101", 2 * i + 1)},
                _child(birth, hid=f"h{i}", seq=2 * i + 21),
            )
        ]
    )
    r = by_id(run(hh, mm))
    for i, (_, gap) in enumerate(AGES):
        h = f"h{i}"
        assert bool(r.loc[h, "education_gap"]) is gap, h
        assert bool(r.loc[h, "exit_ready"]) is (not gap)
        assert ("I-GAP-EDUCATION" in r.loc[h, "exit_blockers"]) is gap


def test_education_school_status():
    hh = households([{"household_id": f"h{i}", "wage_income": 5000.0} for i in range(len(SCHOOL))])
    mm = members([_child("20040101", school, hid=f"h{i}", seq=2 * i + 1) for i, (school, _) in enumerate(SCHOOL)])
    r = by_id(run(hh, mm))
    assert [bool(r.loc[f"h{i}", "education_gap"]) for i in range(len(SCHOOL))] == [g for _, g in SCHOOL]


def test_disabled_home_schooling_exemption_is_off_by_default(tmp_path):
    hh = households([{"household_id": "h", "wage_income": 5000.0}])
    mm = members([_child("20040101", None, health="残疾")])
    assert bool(by_id(run(hh, mm)).loc["h", "education_gap"]) is True
    cfg = tmp_path / "c.toml"
    cfg.write_text("[identify]\nexempt_disabled_home_schooling = true\n", encoding="utf-8")
    assert bool(by_id(run(hh, mm, params=Params.load(None, cfg))).loc["h", "education_gap"]) is False


@pytest.mark.parametrize(
    ("field", "value", "gap_col", "code"),
    [
        ("dangerous_house", True, "housing_gap", "I-GAP-HOUSING"),
        ("drinking_water_safe", False, "water_gap", "I-GAP-WATER"),
    ],
)
def test_housing_and_water_guarantees(field, value, gap_col, code):
    hh = households(
        [
            {"household_id": "h", "wage_income": 5000.0, "registered": True, "status": "返贫", field: value},
            {"household_id": "ok", "wage_income": 5000.0, "registered": True, "status": "返贫"},
        ]
    )
    mm = members(
        [
            {"household_id": "h", "id_number": make_id("19700101")},
            {"household_id": "ok", "id_number": make_id("19700101", 3)},
        ]
    )
    r = by_id(run(hh, mm))
    assert bool(r.loc["h", gap_col]) and not bool(r.loc["ok", gap_col])
    assert r.loc["h", "exit_blockers"] == code
    assert not r.loc["h", "exit_ready"] and r.loc["ok", "exit_ready"]


def test_medical_guarantee_every_current_member():
    hh = households([{"household_id": h, "wage_income": 5000.0, "registered": True, "status": "未脱贫"} for h in "abc"])
    mm = members(
        [
            {"household_id": "a", "id_number": make_id("19700101", 1), "medical_insurance": True},
            {"household_id": "a", "id_number": make_id("19700101", 3), "medical_insurance": False, "name": "缺保"},
            {"household_id": "b", "id_number": make_id("19700101", 5), "medical_insurance": True},
            {
                "household_id": "b",
                "id_number": make_id("19700101", 7),
                "medical_insurance": False,
                "change_reason": "死亡",
            },
            {"household_id": "c", "id_number": make_id("19700101", 9), "medical_insurance": None},
        ]
    )
    r = by_id(run(hh, mm))
    assert bool(r.loc["a", "medical_gap"]) and "缺保" in r.loc["a", "medical_gap_members"]
    assert not bool(r.loc["b", "medical_gap"])  # the uninsured member has died
    assert bool(r.loc["c", "medical_gap"])  # empty is not insured


def test_exit_line_is_strictly_above():
    cases = [(LINE - 0.01, False), (LINE, False), (LINE + 0.01, True)]
    hh = households(
        [
            {"household_id": f"h{i}", "wage_income": inc, "registered": True, "status": "未脱贫"}
            for i, (inc, _) in enumerate(cases)
        ]
    )
    mm = members([{"household_id": f"h{i}", "id_number": make_id("19700101", 2 * i + 1)} for i in range(len(cases))])
    r = by_id(run(hh, mm))
    for i, (_, ready) in enumerate(cases):
        assert bool(r.loc[f"h{i}", "exit_ready"]) is ready
        assert ("I-EXIT-INCOME" in r.loc[f"h{i}", "exit_blockers"]) is (not ready)


def test_exit_line_parameter_overrides_poverty_line(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[exit_line]\n2013 = 3000\n", encoding="utf-8")
    hh = households([{"household_id": "h", "wage_income": 2900.0, "registered": True, "status": "未脱贫"}])
    mm = members([{"household_id": "h", "id_number": make_id("19700101")}])
    assert bool(by_id(run(hh, mm)).loc["h", "exit_ready"]) is True
    r = by_id(run(hh, mm, params=Params.load(None, cfg)))
    assert bool(r.loc["h", "exit_ready"]) is False and r.loc["h", "exit_line"] == 3000


def test_exit_ready_only_for_registered_not_exited_but_gaps_for_all():
    hh = households(
        [
            {"household_id": "n", "wage_income": 9000.0, "dangerous_house": True},
            {"household_id": "x", "wage_income": 9000.0, "registered": True, "status": "已脱贫(不再享受政策)"},
        ]
    )
    r = by_id(run(hh))
    assert r["exit_ready"].isna().all() and (r["exit_blockers"] == "").all()
    assert bool(r.loc["n", "housing_gap"]) and "I-GAP-HOUSING" in r.loc["n", "reasons"]


def test_missing_income_and_bad_size_are_undetermined_with_findings():
    hh = households([{"household_id": "m", "business_income": None}, {"household_id": "z", "household_size": 0}])
    res = run(hh)
    r = by_id(res)
    assert (r["result"] == "undetermined").all()
    codes = set(res.findings.frame()["code"])
    assert {"I-INCOME-MISSING", "I-SIZE-INVALID"} <= codes


def test_missing_line_is_config_error_naming_parameter():
    from jingzhun.errors import ConfigError

    with pytest.raises(ConfigError, match="poverty_line.2030"):
        run(households([{"household_id": "h"}]), year=2031)


def test_quota_ranks_by_income_within_village():
    hh = households(
        [
            {"household_id": "a", "wage_income": 1000.0},
            {"household_id": "b", "wage_income": 500.0},
            {"household_id": "c", "wage_income": 1500.0},
            {"household_id": "d", "wage_income": 500.0},
            {"household_id": "e", "wage_income": 3000.0},  # edge: not ranked
            {"household_id": "v2", "wage_income": 100.0, "village_code": V2},
        ]
    )
    vv = villages(
        [
            {"village_code": V1, "household_quota": 3},
            {"village_code": V2, "village_name": "白石村", "household_quota": 2},
        ]
    )
    res = run(hh, vv=vv)
    r = by_id(res)
    assert [r.loc[h, "quota_rank"] for h in "bdac"] == [1, 2, 3, 4]  # ties by household_id
    assert bool(r.loc["c", "beyond_quota"]) and not bool(r.loc["a", "beyond_quota"])
    assert pd.isna(r.loc["e", "quota_rank"])
    assert "I-QUOTA-BEYOND" in r.loc["c", "reasons"]
    v = res.villages.set_index("village_code")
    assert v.loc[V1, "quota_status"] == "over" and v.loc[V2, "quota_status"] == "under"
    codes = res.findings.frame()
    assert set(codes.loc[codes["code"] == "I-QUOTA-OVER", "key"]) == {V1}
    assert set(codes.loc[codes["code"] == "I-QUOTA-UNDER", "key"]) == {V2}


def _village_case(mode, province_incidence=0.05, avg=10000.0, collective=0.0, income=5000.0, poor=11, tmp_path=None):
    cfg = tmp_path / f"v{mode}.toml"
    cfg.write_text(
        f'[village_rule]\nmode = "{mode}"\nprovince_incidence = {province_incidence}\nprovince_avg_income = {avg}\n',
        encoding="utf-8",
    )
    hh = households([{"household_id": f"p{i}", "wage_income": 100.0} for i in range(poor)])
    vv = villages(
        [
            {
                "village_code": V1,
                "agricultural_population": 100,
                "total_population": 500,
                "collective_income": collective,
                "per_capita_income": income,
            }
        ]
    )
    return run(hh, vv=vv, params=Params.load(None, cfg)).villages.set_index("village_code").loc[V1]


def test_village_incidence_uses_agricultural_population(tmp_path):
    v = _village_case("all", tmp_path=tmp_path)
    assert v["poor_population"] == 11 and v["incidence"] == pytest.approx(0.11)
    assert v["denominator_source"] == "agricultural_population"


def test_village_incidence_falls_back_to_total_population():
    vv = villages([{"village_code": V1, "agricultural_population": None, "total_population": 200}])
    res = run(households([{"household_id": "a", "wage_income": 100.0, "household_size": 2}]), vv=vv)
    v = res.villages.set_index("village_code").loc[V1]
    assert v["incidence"] == pytest.approx(0.01) and v["denominator_source"] == "total_population"


@pytest.mark.parametrize(("poor", "crit"), [(10, True), (9, False)])  # 2 × 5% = 10%
def test_village_incidence_criterion_boundary(tmp_path, poor, crit):
    assert bool(_village_case("all", poor=poor, tmp_path=tmp_path)["criterion_incidence"]) is crit


@pytest.mark.parametrize(("income", "crit"), [(5999.99, True), (6000.0, False)])  # 60% of 10000
def test_village_income_criterion_boundary(tmp_path, income, crit):
    assert bool(_village_case("all", income=income, tmp_path=tmp_path)["criterion_income"]) is crit


def test_village_modes_all_and_two_of_three(tmp_path):
    # incidence and income hold, collective income present
    v_all = _village_case("all", collective=3.0, tmp_path=tmp_path)
    v_two = _village_case("two_of_three", collective=3.0, tmp_path=tmp_path)
    assert not bool(v_all["criterion_collective"])
    assert bool(v_all["poor_village_candidate"]) is False
    assert bool(v_two["poor_village_candidate"]) is True
    assert bool(_village_case("all", tmp_path=tmp_path)["poor_village_candidate"]) is True
    # only one criterion holds: not a candidate in either mode
    one = _village_case("two_of_three", collective=3.0, income=9000.0, tmp_path=tmp_path)
    assert bool(one["poor_village_candidate"]) is False


def test_village_criteria_not_evaluated_without_province_figures():
    vv = villages([{"village_code": V1, "collective_income": 0.0}])
    v = run(households([{"household_id": "a", "wage_income": 100.0}]), vv=vv).villages.iloc[0]
    assert pd.isna(v["criterion_incidence"]) and pd.isna(v["criterion_income"])
    assert pd.isna(v["poor_village_candidate"])


@pytest.mark.parametrize(
    ("region", "poor", "ready"), [("中部", 1, True), ("中部", 2, False), ("西部", 2, True), ("西部", 3, False)]
)
def test_village_exit_incidence_by_region(tmp_path, region, poor, ready):
    cfg = tmp_path / "r.toml"
    cfg.write_text(f'[region]\nname = "{region}"\n', encoding="utf-8")
    hh = households([{"household_id": f"p{i}", "wage_income": 100.0} for i in range(poor)])
    vv = villages([{"village_code": V1, "agricultural_population": 100}])
    res = run(hh, vv=vv, params=Params.load(None, cfg))
    assert bool(res.villages.iloc[0]["exit_ready"]) is ready
    assert res.county["exit_ready"] is ready


def test_exit_ready_household_leaves_the_poor_population():
    hh = households(
        [
            {"household_id": "r", "wage_income": 15000.0, "registered": True, "status": "未脱贫", "household_size": 3},
            {
                "household_id": "b",
                "wage_income": 5000.0,
                "registered": True,
                "status": "未脱贫",
                "dangerous_house": True,
            },
        ]
    )
    mm = members(
        [
            {"household_id": "r", "id_number": make_id("19700101")},
            {"household_id": "b", "id_number": make_id("19700101", 3)},
        ]
    )
    res = run(hh, mm, vv=villages([{"village_code": V1, "agricultural_population": 100}]))
    assert res.villages.iloc[0]["poor_population"] == 1  # only the blocked household remains
    assert res.county["exit_ready_households"] == 1


def test_unknown_village_is_a_finding():
    res = run(households([{"household_id": "a", "village_code": "421121999999"}]), vv=villages([{}]))
    f = res.findings.frame()
    assert list(f.loc[f["code"] == "I-VILLAGE-UNKNOWN", "key"]) == ["a"]


def test_output_columns_of_the_contract():
    res = run(households([{"household_id": "a"}]), vv=villages([{}]))
    for c in (
        "household_id",
        "per_capita_net_income",
        "line",
        "result",
        "reasons",
        "exit_ready",
        "exit_blockers",
        "township_code",
        "village_code",
        "registered",
        "category",
        "status",
        "head_name",
        "household_size",
        "edge_kind",
        "housing_gap",
        "education_gap",
        "medical_gap",
        "water_gap",
    ):
        assert c in res.households.columns
    for c in (
        "village_code",
        "poor_population",
        "incidence",
        "criterion_incidence",
        "criterion_income",
        "criterion_collective",
        "poor_village_candidate",
        "exit_ready",
    ):
        assert c in res.villages.columns


def test_household_results_match_identify_without_the_rest():
    """The audit's eligibility path (``household_results``) decides each result as identify does."""
    from jingzhun.errors import JingzhunError
    from jingzhun.identify.core import household_results

    hh, mm, cc = [], [], []
    for i, (source, _) in enumerate(SOURCES):
        pid = make_id("19800101", 2 * i + 1)
        hh.append({"household_id": f"x{i}", "wage_income": 100.0 + 1000 * i})
        mm.append({"household_id": f"x{i}", "id_number": pid, "name": f"甲{i}"})
        cc.append((pid, source, "详情"))
    hh += [{"household_id": f"b{i}", "wage_income": inc} for i, (inc, _) in enumerate(BOUNDARIES)]
    hh.append({"household_id": "missing", "wage_income": None})
    frames = {"households": households(hh), "members": members(mm), "crosscheck": crosscheck(cc)}
    got = household_results(frames, Params.load(), YEAR).set_index("household_id")["result"]
    want = by_id(identify(frames, Params.load(), YEAR))["result"]
    assert got.sort_index().to_dict() == want.sort_index().to_dict()
    assert set(got) == {"excluded", "edge", "not_poor", "poor", "undetermined"}
    with pytest.raises(JingzhunError):
        household_results(frames, Params.load(), 1990)  # no line for the income year, as identify
    with pytest.raises(JingzhunError):
        identify(frames, Params.load(), 1990)
