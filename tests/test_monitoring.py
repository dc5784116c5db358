"""防止返贫监测 (identify on a monitoring year): thresholds, classes, 风险消除, parameters."""

from __future__ import annotations

import pandas as pd
import pytest
from frames import table_frame
from test_identify_support import households, members

from jingzhun.errors import ConfigError
from jingzhun.identify.core import identify
from jingzhun.identify.monitoring import monitoring_villages
from jingzhun.params import Params

YEAR = 2021  # data year 2021 → income year 2020 (line 4000)
RANGE = 6000.0


@pytest.fixture
def params(tmp_path):
    (tmp_path / "jingzhun.toml").write_text(
        "[monitoring]\nobservation_months = 6\nincome_drop_share = 0.3\n[monitoring_range]\n2021 = 6000\n",
        encoding="utf-8",
    )
    return Params.load(tmp_path)


EXITED = {"registered": True, "status": "已脱贫(享受政策)"}
OBJECT = {"monitoring_type": "脱贫不稳定户", "monitoring_date": "2020-06-30", "risk_kinds": "因病"}


def hh(rows: list[dict]) -> pd.DataFrame:
    df = households(rows)
    for c in ("medical_expense", "education_expense", "other_rigid_expense", "previous_per_capita_income"):
        if c in df.columns:
            df[c] = df[c].astype("Float64")
    if "risk_cleared" in df.columns:
        df["risk_cleared"] = df["risk_cleared"].map({"True": True, "False": False}).astype("boolean")
    for c in ("monitoring_date", "risk_cleared_date"):
        if c in df.columns:
            df[c] = pd.to_datetime(df[c])
    for c in ("risk_kinds", "monitoring_type"):
        if c in df.columns:
            df[c] = df[c].replace("None", pd.NA).replace("nan", pd.NA)
    return df


def able(ids: list[str], labour: str = "普通劳动力") -> pd.DataFrame:
    return members([{"household_id": h, "id_number": f"id{h}", "labor": labour} for h in ids])


def mon(rows: list[dict], params: Params, mm: pd.DataFrame | None = None) -> pd.DataFrame:
    frames = {"households": hh(rows)}
    frames["members"] = mm if mm is not None else able([r["household_id"] for r in rows])
    r = identify(frames, params, YEAR)
    assert r.monitoring is not None
    return r.monitoring.set_index("household_id")


def test_range_boundary_each_side(params):
    rows = [
        {"household_id": "below", "wage_income": RANGE - 0.01, "risk_kinds": "因病", **EXITED},
        {"household_id": "at", "wage_income": RANGE, "risk_kinds": "因病", **EXITED},
        {"household_id": "above", "wage_income": RANGE + 0.01, "risk_kinds": "因病", **EXITED},
    ]
    m = mon(rows, params)
    assert m.loc["below", "monitoring_class"] == "脱贫不稳定户"
    assert m.loc["at", "monitoring_class"] == "" and m.loc["above", "monitoring_class"] == ""
    assert "I-MON-BELOW-RANGE" in m.loc["below", "reasons"] and m.loc["below", "monitoring_range"] == RANGE


def test_each_class(params):
    rows = [
        {"household_id": "unstable", "wage_income": 5000.0, "risk_kinds": "因学", **EXITED},
        {"household_id": "edge", "wage_income": 5000.0, "risk_kinds": "因残"},
        {"household_id": "sudden", "wage_income": 9000.0, "medical_expense": 9500.0, "risk_kinds": "因病"},
        {"household_id": "low_no_risk", "wage_income": 5000.0},
        {"household_id": "fine", "wage_income": 9000.0},
    ]
    m = mon(rows, params)
    assert m.loc["unstable", "monitoring_class"] == "脱贫不稳定户"
    assert m.loc["edge", "monitoring_class"] == "边缘易致贫户"
    assert m.loc["sudden", "monitoring_class"] == "突发严重困难户"
    assert m.loc["low_no_risk", "monitoring_class"] == "" and "I-MON-LOW-NO-RISK" in m.loc["low_no_risk", "reasons"]
    assert m.loc["fine", "monitoring_class"] == ""


def test_rigid_expense_against_income_each_side(params):
    # household of 2, income 9000 per head → 18000: rigid above, at and below
    base = {"wage_income": 18000.0, "household_size": 2}
    rows = [
        {"household_id": "above", "medical_expense": 10000.0, "education_expense": 8000.01, **base},
        {"household_id": "at", "medical_expense": 10000.0, "education_expense": 8000.0, **base},
        {"household_id": "below", "other_rigid_expense": 17999.99, **base},
    ]
    m = mon(rows, params, able(["above", "at", "below"]))
    assert m.loc["above", "monitoring_class"] == "突发严重困难户"
    assert "I-MON-RIGID-EXPENSE" in m.loc["above", "reasons"]
    assert m.loc["at", "monitoring_class"] == "" and m.loc["below", "monitoring_class"] == ""


def test_income_drop_each_side(params):
    rows = [
        {"household_id": "drop", "wage_income": 7000.0, "previous_per_capita_income": 10000.0},  # 30 %
        {"household_id": "less", "wage_income": 7000.01, "previous_per_capita_income": 10000.0},
    ]
    m = mon(rows, params)
    assert m.loc["drop", "monitoring_class"] == "突发严重困难户" and "I-MON-INCOME-DROP" in m.loc["drop", "reasons"]
    assert m.loc["less", "monitoring_class"] == ""


def test_observation_time_each_side(params):
    # reference: end of income year 2020; 6 months needed
    rows = [
        {"household_id": "at", "wage_income": 8000.0, **EXITED, **OBJECT, "monitoring_date": "2020-06-30"},
        {"household_id": "below", "wage_income": 8000.0, **EXITED, **OBJECT, "monitoring_date": "2020-07-01"},
        {"household_id": "above", "wage_income": 8000.0, **EXITED, **OBJECT, "monitoring_date": "2020-01-15"},
    ]
    m = mon(rows, params)
    assert m.loc["at", "observation_months"] == 6 and bool(m.loc["at", "risk_cleared_ready"])
    assert m.loc["below", "observation_months"] == 5 and not bool(m.loc["below", "risk_cleared_ready"])
    assert m.loc["below", "blockers"] == "I-MON-OBSERVATION"
    assert bool(m.loc["above", "risk_cleared_ready"])
    assert (m["monitoring_class"] == "脱贫不稳定户").all() and (m["class_source"] == "recorded").all()


def test_clearing_blockers(params):
    rows = [
        {"household_id": "low", "wage_income": 5000.0, **EXITED, **OBJECT},
        {"household_id": "house", "wage_income": 8000.0, "dangerous_house": True, **EXITED, **OBJECT},
        {"household_id": "nolab", "wage_income": 8000.0, **EXITED, **OBJECT},
        {"household_id": "nodate", "wage_income": 8000.0, **EXITED, **{**OBJECT, "monitoring_date": None}},
        {"household_id": "cleared", "wage_income": 5000.0, **EXITED, **OBJECT, "risk_cleared": True},
    ]
    mm = pd.concat([able(["low", "house", "nodate", "cleared"]), able(["nolab"], "丧失劳动力")], ignore_index=True)
    r = identify({"households": hh(rows), "members": mm}, params, YEAR)
    m = r.monitoring.set_index("household_id")
    assert "I-MON-BELOW-RANGE" in m.loc["low", "blockers"]
    assert m.loc["house", "blockers"] == "I-GAP-HOUSING"
    assert m.loc["nolab", "blockers"] == "I-MON-NO-LABOUR"
    assert m.loc["nodate", "blockers"] == "I-MON-NO-DATE"
    assert not m["risk_cleared_ready"].fillna(False).any()
    # 风险消除 recorded while income is below the range: a finding
    f = r.findings.frame()
    assert set(f.loc[f["code"] == "I-MON-CLEARED-BLOCKED", "key"]) == {"cleared"}


def test_labour_unknown_when_the_members_file_has_no_labour_column(params):
    """No 劳动技能 column: labour is unknown (no I-MON-NO-LABOUR); the column there but empty: no labour."""
    rows = [{"household_id": "x", "wage_income": 8000.0, **EXITED, **OBJECT}]
    without = mon(rows, params, members([{"household_id": "x", "id_number": "idx"}]))
    assert pd.isna(without.loc["x", "has_labour"]) and without.loc["x", "blockers"] == ""
    empty = mon(rows, params, able(["x"], labour=None))
    assert not empty.loc["x", "has_labour"] and empty.loc["x", "blockers"] == "I-MON-NO-LABOUR"


def test_not_recorded_finding_and_village_summary(params):
    rows = [
        {"household_id": "missed", "wage_income": 5000.0, "risk_kinds": "因灾"},
        {"household_id": "known", "wage_income": 5000.0, "risk_kinds": "因灾", "monitoring_type": "边缘易致贫户"},
    ]
    r = identify({"households": hh(rows), "members": able(["missed", "known"])}, params, YEAR)
    f = r.findings.frame()
    assert list(f.loc[f["code"] == "I-MON-NOT-RECORDED", "key"]) == ["missed"]
    v = monitoring_villages(r.monitoring)
    assert v[["edge", "objects", "not_recorded"]].iloc[0].tolist() == [2, 2, 1]
    assert r.county["monitoring"]["edge"] == 2


def test_poverty_years_unaffected(params):
    r = identify({"households": households([{"household_id": "h", "wage_income": 100.0}])}, params, 2020)
    assert r.monitoring is None and "monitoring" not in r.county


def test_range_without_default_names_the_key(tmp_path):
    (tmp_path / "jingzhun.toml").write_text("[poverty_line]\n2021 = 4000\n", encoding="utf-8")
    p = Params.load(tmp_path)
    with pytest.raises(ConfigError, match=r"monitoring_range\.2022") as e:
        identify({"households": households([{"household_id": "h"}])}, p, 2022)
    assert "jingzhun.toml" in (e.value.hint or "")


def test_observation_months_must_be_set(tmp_path):
    (tmp_path / "jingzhun.toml").write_text("[monitoring_range]\n2021 = 6000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="monitoring.observation_months"):
        identify({"households": households([{"household_id": "h"}])}, Params.load(tmp_path), 2021)


# ---- diff between a poverty year and monitoring years -------------------------------------------


def _diff(old_rows: list[dict], new_rows: list[dict], params: Params, years: tuple[int, int]) -> pd.Series:
    from jingzhun.identify.monitoring_diff import monitoring_changes

    out = monitoring_changes(hh(old_rows), hh(new_rows), params, *years)
    assert out is not None
    return out.set_index("household_id")["change"]


@pytest.fixture
def params2(tmp_path):
    (tmp_path / "jingzhun.toml").write_text(
        "[poverty_line]\n2021 = 4000\n[monitoring]\nobservation_months = 6\n"
        "[monitoring_range]\n2021 = 6000\n2022 = 6000\n",
        encoding="utf-8",
    )
    return Params.load(tmp_path)


def test_diff_each_monitoring_class(params2):
    old = [
        {"household_id": "new", "wage_income": 9000.0},
        {"household_id": "clear", "wage_income": 5000.0, **EXITED, **OBJECT},
        {"household_id": "kept", "wage_income": 5000.0, **EXITED, **OBJECT},
        {"household_id": "ret", "wage_income": 9000.0, **EXITED},
        {"household_id": "ret_line", "wage_income": 9000.0, **EXITED},
        {"household_id": "poor", "wage_income": 9000.0},
        {"household_id": "low_norisk", "wage_income": 9000.0, **EXITED},
    ]
    new = [
        {"household_id": "new", "wage_income": 9000.0, "medical_expense": 20000.0, "risk_kinds": "因病"},
        {"household_id": "clear", "wage_income": 8000.0, **EXITED, **OBJECT, "risk_cleared": True},
        {"household_id": "kept", "wage_income": 5000.0, **EXITED, **OBJECT},
        {"household_id": "ret", "wage_income": 5999.99, "risk_kinds": "因灾", **EXITED},
        {"household_id": "ret_line", "wage_income": 3999.99, **EXITED},  # below the line, no risk needed
        {"household_id": "poor", "wage_income": 5000.0, "risk_kinds": "因意外事故"},
        {"household_id": "low_norisk", "wage_income": 5000.0, **EXITED},  # below the range, no risk: not 返贫
    ]
    ch = _diff(old, new, params2, (2021, 2022))
    assert ch.to_dict() == {
        "clear": "risk_cleared",
        "new": "new_object",
        "poor": "newly_poor",
        "ret": "returned",
        "ret_line": "returned",
    }


def test_diff_from_a_poverty_year_and_not_in_poverty_years(params2):
    from jingzhun.identify.monitoring_diff import monitoring_changes

    old = [{"household_id": "h", "wage_income": 9000.0, **EXITED}]
    new = [{"household_id": "h", "wage_income": 5000.0, "risk_kinds": "因病", **EXITED}]
    assert _diff(old, new, params2, (2020, 2021)).to_dict() == {"h": "returned"}
    assert monitoring_changes(hh(old), hh(new), params2, 2019, 2020) is None


def test_report_finding_for_labour_and_risk_without_development_measure(params):
    from jingzhun.report.monitoring import build_monitoring

    rows = [
        {"household_id": "dev", "wage_income": 5000.0, "risk_kinds": "因病", **EXITED},
        {"household_id": "none", "wage_income": 5000.0, "risk_kinds": "因病", **EXITED},
        {"household_id": "nolab", "wage_income": 5000.0, "risk_kinds": "因病", **EXITED},
    ]
    mm = pd.concat([able(["dev", "none"]), able(["nolab"], "无劳动力")], ignore_index=True)
    r = identify({"households": hh(rows), "members": mm}, params, YEAR)
    pay = table_frame("payments", household_id=["dev", "none"], measure=["产业扶贫", "危房改造"])
    rep = build_monitoring({YEAR: r}, YEAR, ("421121", "团风县"), params, pay)
    assert rep is not None
    f = rep.findings.frame()
    assert list(f.loc[f["code"] == "R-MON-NO-DEV-MEASURE", "key"]) == ["none"]
    kinds = rep.objects.set_index("household_id")["support_kind"]
    assert kinds["nolab"] == "综合保障兜底" and kinds["dev"] == "开发式帮扶"
    assert rep.county()["objects"] == 3 and rep.county()["unstable"] == 3
    # Without a payments table the measures are unknown: no object is said to lack one.
    rep = build_monitoring({YEAR: r}, YEAR, ("421121", "团风县"), params, None)
    assert rep is not None
    assert "R-MON-NO-DEV-MEASURE" not in set(rep.findings.frame()["code"])
    assert rep.objects["development_measure"].isna().all() and rep.objects["measures"].isna().all()
    assert rep.objects.set_index("household_id")["support_kind"]["dev"] == "开发式帮扶"
