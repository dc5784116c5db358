"""The report model: every indicator on a hand-made county with known answers (see report_frames)."""

from __future__ import annotations

import pandas as pd
import pytest
import report_frames as rf
from tuanfeng import tuanfeng

from jingzhun.errors import ConfigError
from jingzhun.identify.core import identify
from jingzhun.params import Params
from jingzhun.report.assessment import HIGHER, LOWER, assess, normalise
from jingzhun.report.model import build_report


def params(tmp_path=None, toml: str | None = None) -> Params:
    if toml is None:
        return tuanfeng(Params.load(None, None))
    f = tmp_path / "run.toml"
    f.write_text(toml, encoding="utf-8")
    return tuanfeng(Params.load(None, f))


def full_model(p: Params | None = None):
    p = p or params()
    fr = rf.frames()
    ident = identify(fr, p, 2016)
    return build_report(
        params=p,
        data_year=2016,
        identify_by_year={2016: ident},
        households_by_year={2016: fr["households"]},
        match_result=rf.match_result(),
        plan_result=rf.pairing(),
        funds=rf.funds(),
        audit_report=rf.audit_report(),
    )


def row(model, code: str) -> pd.Series:
    ind = model.indicators.set_index("code")
    return ind.loc[code]


@pytest.fixture(scope="module")
def model():
    return full_model()


def test_levels_sorted_and_named(model):
    ind = model.indicators
    assert ind["level"].tolist() == ["county", "township", "township", "village", "village", "village"]
    assert ind["code"].tolist() == ["421121", rf.T1, rf.T2, rf.V1, rf.V2, rf.V3]
    assert row(model, rf.T2)["name"] == "方高坪镇" and row(model, rf.V3)["township_code"] == rf.T2
    assert row(model, rf.T2)["villages"] == 2 and row(model, "421121")["villages"] == 3


def test_households_people_registered(model):
    c = row(model, "421121")
    assert (c["households"], c["population"]) == (7, 18)
    assert (c["registered_households"], c["registered_population"]) == (5, 9)
    assert (c["registered_poor_households"], c["registered_poor_population"]) == (3, 4)  # A1, A3 (返贫), B2
    v1 = row(model, rf.V1)
    assert (v1["households"], v1["population"], v1["registered_households"]) == (4, 10, 3)


def test_incidence_denominators(model):
    # V1: 3 poor people / agricultural population 10; V2 falls back to total population 8;
    # V3 has neither → NA; T2 and the county sum the denominators that exist.
    assert row(model, rf.V1)["denominator"] == 10 and row(model, rf.V1)["incidence"] == pytest.approx(0.3)
    assert row(model, rf.V2)["denominator"] == 8 and row(model, rf.V2)["incidence"] == pytest.approx(0.125)
    assert pd.isna(row(model, rf.V3)["denominator"]) and pd.isna(row(model, rf.V3)["incidence"])
    assert row(model, rf.T2)["denominator"] == 8 and row(model, rf.T2)["incidence"] == pytest.approx(0.125)
    assert row(model, "421121")["denominator"] == 18
    assert row(model, "421121")["incidence"] == pytest.approx(round(4 / 18, 6))


def test_incidence_same_as_identify(model):
    p = params()
    ident = identify(rf.frames(), p, 2016)
    assert row(model, "421121")["incidence"] == pytest.approx(ident.county["incidence"])
    v = ident.villages.set_index("village_code")
    assert row(model, rf.V1)["incidence"] == pytest.approx(v.loc[rf.V1, "incidence"])


def test_township_denominator_falls_back_to_household_population():
    p = params()
    fr = rf.frames()
    fr["villages"] = fr["villages"][fr["villages"]["village_code"] != rf.V2]
    fr["villages"].loc[:, "total_population"] = pd.array([20, None], dtype="Int64")
    ident = identify(fr, p, 2016)
    m = build_report(params=p, data_year=2016, identify_by_year={2016: ident})
    t2 = row(m, rf.T2)
    assert t2["denominator"] == 8  # B1 2 + B2 1 + C1 5 people
    assert t2["incidence"] == pytest.approx(0.125)


def test_exits_and_returns(model):
    c = row(model, "421121")
    assert (c["exits_households"], c["exits_population"]) == (1, 3)  # A2 (exit_year 2015); B1 exited in 2014
    assert (c["returned_households"], c["returned_population"]) == (1, 1)  # A3
    assert row(model, rf.T2)["exits_households"] == 0
    assert c["exit_rate"] == pytest.approx(round(1 / 4, 4))  # 1 exit / (3 still poor + 1)
    assert c["return_rate"] == pytest.approx(round(1 / 5, 4))


def test_exit_year_offset_parameter(tmp_path):
    m = full_model(params(tmp_path, "[report]\nexit_year_offset = 2\n"))
    assert row(m, "421121")["exits_households"] == 1  # B1 (exit_year 2014) now, not A2
    assert row(m, rf.T2)["exits_households"] == 1


def test_edge_and_gaps(model):
    c = row(model, "421121")
    assert (c["edge_households"], c["edge_new_households"], c["edge_unstable_households"]) == (2, 1, 1)
    # housing: A1 (A4 is 危房 but not registered); water: A3; education/medical unknown without members
    assert (c["housing_gap_households"], c["water_gap_households"], c["gap_households"]) == (1, 1, 2)
    assert c["education_gap_households"] == 0 and c["medical_gap_households"] == 0
    assert c["gap_rate"] == pytest.approx(0.4)


def test_dibao_coverage(model):
    c = row(model, "421121")
    # eligible: A2 低保, A3 特困, B2 低保; covered: A2 only (A4 is linked but not registered)
    assert (c["dibao_eligible_households"], c["dibao_covered_households"]) == (3, 1)
    assert c["dibao_coverage"] == pytest.approx(0.3333)
    assert row(model, rf.T1)["dibao_coverage"] == pytest.approx(0.5)
    assert row(model, rf.T2)["dibao_coverage"] == 0


def test_cadre_coverage(model):
    c = row(model, "421121")
    # registered poor A1 (kept), A3 (none), B2 (new); exited A2/B1 do not count
    assert (c["cadre_households"], c["cadre_covered_households"], c["cadre_planned_households"]) == (3, 1, 2)
    assert c["cadre_coverage"] == pytest.approx(0.3333) and c["cadre_planned_coverage"] == pytest.approx(0.6667)


def test_funds_per_registered_household(model):
    assert row(model, "421121")["funds_paid"] == 2000 and row(model, "421121")["funds_per_registered_household"] == 400
    assert row(model, rf.T1)["funds_per_registered_household"] == pytest.approx(333.33)
    assert row(model, rf.T2)["funds_per_registered_household"] == 250
    assert row(model, rf.V3)["funds_paid"] == 0 and pd.isna(row(model, rf.V3)["funds_per_registered_household"])


def test_audit_amount_at_risk_counts_a_row_once(model):
    c = row(model, "421121")
    assert c["audit_amount_at_risk"] == 700 and c["audit_findings"] == 2  # 500 (not 800) + 200; info left out
    assert row(model, rf.T1)["audit_amount_at_risk"] == 500 and row(model, rf.T2)["audit_amount_at_risk"] == 200
    assert row(model, rf.V1)["audit_amount_at_risk"] == 500 and row(model, rf.V2)["audit_amount_at_risk"] == 200
    assert c["audit_risk_share"] == pytest.approx(0.35)


def test_missing_inputs_leave_indicators_empty():
    p = params()
    fr = rf.frames()
    m = build_report(
        params=p, data_year=2016, identify_by_year={2016: identify(fr, p, 2016)}, notes={"match": "没有低保名册"}
    )
    c = row(m, "421121")
    for col in (
        "exits_households",
        "dibao_coverage",
        "dibao_covered_households",
        "cadre_coverage",
        "funds_paid",
        "funds_per_registered_household",
        "audit_amount_at_risk",
        "audit_findings",
    ):
        assert pd.isna(c[col]), col
    assert c["registered_poor_households"] == 3  # the rest is still there
    avail = {k: v["available"] for k, v in m.inputs.items()}
    assert avail == {
        "identify": True,
        "exit_year": False,
        "members": False,
        "villages": True,
        "match": False,
        "pairing": False,
        "funds": False,
        "audit": False,
        "trend": False,
    }
    assert m.inputs["match"]["note"] == "没有低保名册"
    used = [c["indicator"] for c in m.criteria]
    assert used == ["incidence", "return_rate", "gap_rate"]  # exits, 低保, cadres, audit: no data


def test_assessment_ranking_weights_and_direction(tmp_path):
    # T1: incidence 0.3, 低保 coverage 0.5; T2: incidence 0.125, coverage 0.
    toml = "[indicator_weights]\n" + "\n".join(
        f"{k} = 0" for k in ("exit_rate", "return_rate", "gap_rate", "cadre_coverage", "audit_risk_share")
    )
    m = full_model(params(tmp_path, toml + "\nincidence = 3\ndibao_coverage = 1\n"))
    a = m.assessment.set_index("township_code")
    assert a.loc[rf.T2, "score"] == 75 and a.loc[rf.T1, "score"] == 25  # incidence: lower is better
    assert a.loc[rf.T2, "rank"] == 1 and a.loc[rf.T1, "rank"] == 2
    assert m.assessment["township_code"].tolist() == [rf.T2, rf.T1]
    assert a.loc[rf.T1, "incidence_score"] == 0 and a.loc[rf.T1, "dibao_coverage_score"] == 1
    m2 = full_model(params(tmp_path, toml + "\nincidence = 1\ndibao_coverage = 3\n"))
    a2 = m2.assessment.set_index("township_code")
    assert a2.loc[rf.T1, "rank"] == 1 and a2.loc[rf.T1, "score"] == 75
    m3 = full_model(params(tmp_path, toml + "\nincidence = 1\ndibao_coverage = 1\n"))
    assert m3.assessment["rank"].tolist() == [1, 1]  # a tie shares the rank


def test_assessment_rejects_unknown_or_negative_weights(tmp_path):
    with pytest.raises(ConfigError):
        full_model(params(tmp_path, "[indicator_weights]\nhappiness = 1\n"))
    with pytest.raises(ConfigError):
        full_model(params(tmp_path, "[indicator_weights]\nincidence = -1\n"))


def test_normalise_directions_na_and_ties():
    s = pd.Series([0.1, 0.3, None, 0.2], dtype="Float64")
    assert normalise(s, HIGHER).round(4).tolist()[:2] == [0.0, 1.0]
    low = normalise(s, LOWER)
    assert low[0] == 1.0 and low[1] == 0.0 and low[3] == pytest.approx(0.5) and pd.isna(low[2])
    assert normalise(pd.Series([0.2, 0.2], dtype="Float64"), LOWER).tolist() == [1.0, 1.0]


def test_assess_missing_value_leaves_weight_out():
    tw = pd.DataFrame(
        {
            "code": ["T1", "T2", "T3"],
            "name": ["a", "b", "c"],
            "incidence": pd.array([0.1, 0.3, 0.2], dtype="Float64"),
            "dibao_coverage": pd.array([None, 1.0, 0.0], dtype="Float64"),
        }
    )
    a, used = assess(tw, {"incidence": 1.0, "dibao_coverage": 1.0})
    a = a.set_index("township_code")
    assert a.loc["T1", "score"] == 100  # incidence only (best); no 低保 households to judge
    assert a.loc["T2", "score"] == 50 and a.loc["T3", "score"] == 25
    assert [u["indicator"] for u in used] == ["incidence", "dibao_coverage"]


def _year_2015() -> dict[str, pd.DataFrame]:
    rows = [r for r in rf.HOUSEHOLDS if r[0] != "B2"]
    rows = [
        ("A2", rf.V1, 3, True, "低保贫困户", "未脱贫", None, 6000.0, False, True) if r[0] == "A2" else r for r in rows
    ]
    return {"households": rf.households(rows), "villages": rf.villages()}


def test_trend_across_two_years():
    p = params()
    f15, f16 = _year_2015(), rf.frames()
    m = build_report(
        params=p,
        data_year=2016,
        identify_by_year={2015: identify(f15, p, 2015), 2016: identify(f16, p, 2016)},
        households_by_year={2015: f15["households"], 2016: f16["households"]},
    )
    assert m.years == [2015, 2016] and m.inputs["trend"]["available"]
    county = m.trend[m.trend["level"] == "county"].set_index("year")
    # 2015: A1, A2 (2000/person), A3 poor: 6 people / 18 (V1 10 + V2 8)
    assert county.loc[2015, "registered_poor_households"] == 3 and county.loc[2015, "poor_population"] == 6
    assert county.loc[2015, "incidence"] == pytest.approx(round(6 / 18, 6))
    assert county.loc[2016, "incidence"] == pytest.approx(round(4 / 18, 6))
    # exits of 2015: exit_year 2014 (B1); of 2016: exit_year 2015 (A2)
    assert county.loc[2015, "exits_households"] == 1 and county.loc[2016, "exits_households"] == 1
    t1 = m.trend[(m.trend["level"] == "township") & (m.trend["code"] == rf.T1)]
    assert t1["year"].tolist() == [2015, 2016] and t1["incidence"].round(6).tolist() == [0.6, 0.3]
    assert m.trend["level"].tolist()[:2] == ["county", "county"]


def test_trend_ignores_later_years():
    p = params()
    f = rf.frames()
    m = build_report(
        params=p, data_year=2015, identify_by_year={2015: identify(_year_2015(), p, 2015), 2016: identify(f, p, 2016)}
    )
    assert m.years == [2015] and set(m.trend["year"]) == {2015}


def test_summary_is_json_ready(model):
    import json

    s = model.summary()
    assert json.loads(json.dumps(s)) == s
    assert s["county"]["incidence"] == pytest.approx(round(4 / 18, 6)) and s["townships"] == 2 and s["villages"] == 3
    assert s["assessment"][0]["rank"] == 1


def test_funds_without_a_payments_table_are_unknown_not_zero():
    """Projects only (no payments table, or run could not read it): paid is unknown (—), not 0."""
    from types import SimpleNamespace

    from jingzhun.funds.summary import fund_summaries

    p = params()
    fr = rf.frames()
    ident = identify(fr, p, 2016)
    projects = pd.DataFrame({"project_id": _text(["P1"]), "village_code": _text([rf.V1]), "budget": [1000.0]})
    made = fund_summaries({**fr, "projects": projects}, 2016)
    assert made.has_payments is False and made.total_paid == 0
    assert fund_summaries({**fr, "projects": projects, "payments": _no_payments()}, 2016).has_payments is True
    no_pay = SimpleNamespace(**vars(rf.funds()), has_payments=False)
    m = build_report(params=p, data_year=2016, identify_by_year={2016: ident}, funds=no_pay)
    for code in ("421121", rf.T1, rf.V1):
        r = row(m, code)
        assert pd.isna(r["funds_paid"]) and pd.isna(r["funds_per_registered_household"]), code
    assert m.inputs["funds"] == {"available": False, "note": "没有资金拨付表 (payments)"}
    # The same summaries with a payments table give the sums.
    m = build_report(params=p, data_year=2016, identify_by_year={2016: ident}, funds=rf.funds())
    assert row(m, "421121")["funds_paid"] == 2000 and m.inputs["funds"]["available"] is True


def _text(values: list[str]) -> pd.Series:
    return pd.Series(values, dtype="str")


def _no_payments() -> pd.DataFrame:
    from frames import table_frame

    return table_frame("payments", 0)
