"""Monitoring years (防止返贫监测) of the sample: data years from ``FIRST_YEAR`` on.

Only years from 2021 are touched, with their own random stream, so a sample of earlier
years is byte-identical to what it was. Every class, risk kind and 风险消除 case is planted
on chosen households, and ``_truth/<year>/monitoring.csv`` lists them with the class
``identify`` must give. The monitoring parameters written to the sample's ``jingzhun.toml``
are sample values (docs/monitoring.md: provinces set the range), not national figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jingzhun.identify.guarantees import NOT_IN_SCHOOL
from jingzhun.identify.monitoring import LABOUR_LABELS
from jingzhun.params import Params
from jingzhun.schema.columns import MONITORING_HOUSEHOLD_COLUMNS, MONITORING_TYPE, RISK_KINDS

FIRST_YEAR = 2021
LAST_LINE_YEAR = 2020  # the last poverty line in params_default.toml
SAMPLE_RANGE = 6000.0  # 元/人·年, a sample value for every monitoring year
SAMPLE_OBSERVATION_MONTHS = 6
SAMPLE_DROP_SHARE = 0.3
UNSTABLE, EDGE, SUDDEN = MONITORING_TYPE
TRUTH_COLUMNS = ["household_id", "case", "expected_class", "risk_kinds", "risk_cleared"]
# case → (pool, expected class); pools: exited 脱贫户, general 一般农户, able (脱贫户 with labour and no gap)
CASES: dict[str, tuple[str, str]] = {
    "unstable": ("exited", UNSTABLE),
    "edge": ("general", EDGE),
    "sudden_expense": ("general", SUDDEN),
    "sudden_drop": ("general", SUDDEN),
    "missed": ("general", EDGE),
    "cleared": ("exited", ""),
    "cleared_blocked": ("exited", UNSTABLE),
    "ready": ("able", UNSTABLE),
    "observation_short": ("able", UNSTABLE),
    "no_labour": ("unable", UNSTABLE),
}
_COMPONENTS = (
    "business_income",
    "property_income",
    "transfer_income",
    "family_planning_benefit",
    "dibao_benefit",
    "tekun_benefit",
    "pension_benefit",
    "eco_compensation",
    "other_transfer",
    "business_expense",
)


def sample_line(params: Params, data_year: int) -> float:
    """The line the sample evolves incomes with: the year's own, else the last one (2020)."""
    key = f"poverty_line.{data_year - 1}"
    return float(params.values[key]) if key in params.values else params.poverty_line(LAST_LINE_YEAR)


def toml_text(years: list[int]) -> str:
    """The monitoring block of the sample's jingzhun.toml (empty without a monitoring year)."""
    mon = [y for y in years if y >= FIRST_YEAR]
    if not mon:
        return ""
    last = Params.load().poverty_line(LAST_LINE_YEAR)
    lines = "".join(f"{y - 1} = {last:.0f}\n" for y in mon if y - 1 > LAST_LINE_YEAR)
    ranges = "".join(f"{y} = {SAMPLE_RANGE:.0f}\n" for y in mon)
    return (
        "\n# Sample values for the monitoring years (防止返贫监测), not national figures: a county sets\n"
        "# its province's monitoring range and its own observation time (docs/monitoring.md).\n"
        "# No national poverty line was published after 2020: the sample keeps the 2020 line.\n"
        + (f"[poverty_line]\n{lines}" if lines else "")
        + f"[monitoring]\nobservation_months = {SAMPLE_OBSERVATION_MONTHS}\nincome_drop_share = {SAMPLE_DROP_SHARE}\n"
        + f"[monitoring_range]\n{ranges}"
    )


def _pools(hh: pd.DataFrame, m: pd.DataFrame, income_year: int) -> dict[str, np.ndarray]:
    reg = hh["registered"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    hid = hh["household_id"].astype("str").to_numpy()
    age = income_year - pd.to_datetime(m["birth_date"]).dt.year
    out_school = m["school_status"].astype("str").isin(NOT_IN_SCHOOL).fillna(True) & age.between(7, 15)
    bad = out_school | ~m["medical_insurance"].astype("boolean").fillna(False)
    gap = set(m.loc[bad.to_numpy(dtype=bool), "household_id"].astype("str"))
    labour = set(m.loc[m["labor"].astype("str").isin(LABOUR_LABELS).fillna(False), "household_id"].astype("str"))
    safe = (~hh["dangerous_house"].astype("boolean").fillna(True)).to_numpy(dtype=bool)
    no_gap = np.array([h not in gap for h in hid]) & safe
    has_labour = np.array([h in labour for h in hid])
    return {
        "exited": hid[reg],
        "general": hid[~reg],
        "able": hid[reg & no_gap & has_labour],
        "unable": hid[reg & ~has_labour],
    }


def _set_income(hh: pd.DataFrame, rows: pd.Index, per_capita: np.ndarray) -> None:
    """Per-capita net income ``per_capita`` from wages alone (the other components emptied to 0)."""
    for c in _COMPONENTS:
        if c in hh.columns:
            hh.loc[rows, c] = 0.0
    size = hh.loc[rows, "household_size"].astype("float64").to_numpy()
    hh.loc[rows, "wage_income"] = np.round(per_capita * size, 2)
    hh.loc[rows, "per_capita_net_income"] = np.round(np.round(per_capita * size, 2) / size, 2)


def apply(hh: pd.DataFrame, m: pd.DataFrame, year: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The households table of a monitoring year with the monitoring columns and planted cases; the truth."""
    rng = np.random.default_rng([seed, 3, year])
    base = [c for c in hh.columns if c not in MONITORING_HOUSEHOLD_COLUMNS]
    hh = hh.copy()
    income_year = year - 1
    reg = hh["registered"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    hh.loc[reg, "status"] = "已脱贫(享受政策)"  # 脱贫攻坚 ended in 2020: every registered household has exited
    n = len(hh)
    for c in ("monitoring_type", "risk_kinds"):
        hh[c] = pd.Series(pd.NA, index=hh.index, dtype="str")
    for c in ("monitoring_date", "risk_cleared_date"):
        hh[c] = pd.Series(pd.NaT, index=hh.index, dtype="datetime64[s]")
    for c in ("medical_expense", "education_expense", "other_rigid_expense", "previous_per_capita_income"):
        hh[c] = pd.Series(np.nan, index=hh.index, dtype="float64")
    hh["risk_cleared"] = pd.Series(pd.NA, index=hh.index, dtype="boolean")

    pools = _pools(hh, m, income_year)
    per_case = max(4, n // 60)
    taken: set[str] = set()
    pos = pd.Series(np.arange(n), index=hh["household_id"].astype("str"))
    truth: list[pd.DataFrame] = []
    kind_i = 0
    for case, (pool, expected) in CASES.items():
        cand = np.array([h for h in pools[pool] if h not in taken], dtype=object)
        if not len(cand):
            continue
        ids = rng.choice(cand, size=min(per_case, len(cand)), replace=False)
        taken.update(ids.tolist())
        rows = hh.index[pos[ids].to_numpy()]
        k = len(rows)
        kinds = np.array([RISK_KINDS[(kind_i + i) % len(RISK_KINDS)] for i in range(k)], dtype=object)
        start = pd.Timestamp(year=income_year, month=1, day=15)
        below = SAMPLE_RANGE - rng.integers(100, 1500, size=k)
        above = SAMPLE_RANGE + rng.integers(1500, 4000, size=k)
        recorded: str | None = UNSTABLE
        cleared = False
        if case in ("unstable", "edge", "missed", "cleared_blocked"):
            _set_income(hh, rows, below.astype(float))
            kind_i += k
            recorded = {"edge": EDGE, "missed": None}.get(case, UNSTABLE)
            cleared = case == "cleared_blocked"
        elif case == "sudden_expense":
            _set_income(hh, rows, above.astype(float))
            hh.loc[rows, "medical_expense"] = np.round(above * hh.loc[rows, "household_size"].to_numpy() * 1.5, 2)
            kinds[:] = "因病"
            recorded = SUDDEN
        elif case == "sudden_drop":
            _set_income(hh, rows, above.astype(float))
            hh.loc[rows, "previous_per_capita_income"] = np.round(above / 0.5, 2)
            kinds[:] = "收入大幅缩减"
            recorded = SUDDEN
        else:  # cleared, ready, observation_short, no_labour: income back above the range
            _set_income(hh, rows, above.astype(float))
            cleared = case == "cleared"
            if case == "observation_short":
                start = pd.Timestamp(year=income_year, month=11, day=1)
        hh.loc[rows, "risk_kinds"] = kinds
        if recorded is not None:
            hh.loc[rows, "monitoring_type"] = recorded
            hh.loc[rows, "monitoring_date"] = start
        hh.loc[rows, "risk_cleared"] = cleared if recorded is not None else pd.NA
        if cleared:
            hh.loc[rows, "risk_cleared_date"] = pd.Timestamp(year=income_year, month=12, day=20)
        hh.loc[rows, "dangerous_house"] = False if pool in ("able",) else hh.loc[rows, "dangerous_house"]
        truth.append(
            pd.DataFrame(
                {
                    "household_id": ids.astype(str),
                    "case": case,
                    "expected_class": expected,
                    "risk_kinds": kinds.astype(str),
                    "risk_cleared": cleared,
                }
            )
        )
    t = pd.concat(truth, ignore_index=True) if truth else pd.DataFrame(columns=TRUTH_COLUMNS)
    return hh[[*base, *MONITORING_HOUSEHOLD_COLUMNS]], t.sort_values(
        ["case", "household_id"], kind="stable"
    ).reset_index(drop=True)[TRUTH_COLUMNS]
