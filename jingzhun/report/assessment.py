"""考核: townships scored on weighted, normalised indicators.

Each indicator is declared here with its direction (higher or lower is better); the
weights come from the ``[indicator_weights]`` parameter table (indicator → weight; 0 or
absent = not assessed). For every assessed indicator the townships' values are scaled
to 0–1 by min–max across townships (1 = best; when every township has the same value,
all get 1). A township's score is 100 × Σ wᵢ·sᵢ / Σ wᵢ over the indicators it has a value
for (an indicator that is NA for a township, e.g. no 低保 households to cover, neither
helps nor hurts it); an indicator that is NA for every township (its input is missing)
is dropped. Rank 1 = highest score; equal scores share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jingzhun.errors import ConfigError
from jingzhun.i18n import t
from jingzhun.params import Params

HIGHER = "higher"
LOWER = "lower"


@dataclass(frozen=True)
class Criterion:
    name: str  # an indicators.csv column
    direction: str  # HIGHER or LOWER is better
    zh: str
    en: str


CRITERIA: dict[str, Criterion] = {
    c.name: c
    for c in (
        Criterion("incidence", LOWER, "贫困发生率", "poverty incidence"),
        Criterion("exit_rate", HIGHER, "脱贫率", "exit rate"),
        Criterion("return_rate", LOWER, "返贫率", "return rate"),
        Criterion("gap_rate", LOWER, "三保障一安全未达标率", "guarantee gap rate"),
        Criterion("edge_rate", LOWER, "监测户占比", "edge household share"),
        Criterion("dibao_coverage", HIGHER, "低保覆盖率", "低保 coverage"),
        Criterion("cadre_coverage", HIGHER, "结对帮扶覆盖率", "cadre coverage"),
        Criterion("funds_per_registered_household", HIGHER, "户均扶贫资金", "funds per registered household"),
        Criterion("audit_risk_share", LOWER, "审计问题金额占比", "audit amount at risk share"),
    )
}


def weights_of(params: Params) -> dict[str, float]:
    """The ``[indicator_weights]`` table, checked: known indicators, non-negative numbers."""
    raw = params.settings.indicator_weights
    unknown = sorted(k for k in raw if k not in CRITERIA)
    if unknown:
        raise ConfigError(
            t(
                f"参数表 indicator_weights 中有未知的指标: {', '.join(unknown)}",
                f"indicator_weights names unknown indicators: {', '.join(unknown)}",
            ),
            t(f"可用的指标: {', '.join(CRITERIA)}", f"indicators: {', '.join(CRITERIA)}"),
        )
    bad = sorted(k for k, v in raw.items() if float(v) < 0)
    if bad:
        raise ConfigError(
            t(f"考核权重不能为负数: {', '.join(bad)}", f"indicator weights must not be negative: {', '.join(bad)}"),
            t("权重为 0 表示不考核该指标", "a weight of 0 leaves the indicator out"),
        )
    return {k: float(raw[k]) for k in CRITERIA if k in raw and float(raw[k]) > 0}


def normalise(values: pd.Series, direction: str) -> pd.Series:
    """Min–max to 0–1 with 1 = best; NA stays NA; all equal → 1."""
    x = values.astype("Float64")
    lo, hi = x.min(skipna=True), x.max(skipna=True)
    if pd.isna(lo):
        return pd.Series(pd.NA, index=x.index, dtype="Float64")
    if hi == lo:
        return pd.Series(1.0, index=x.index, dtype="Float64").where(x.notna())
    s = (x - lo) / (hi - lo)
    return (s if direction == HIGHER else 1 - s).astype("Float64")


def assess(townships: pd.DataFrame, weights: dict[str, float]) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Assessment table (one row per township) and the criteria used.

    Columns: township_code, township_name, then per used indicator ``<name>`` (value) and
    ``<name>_score`` (0–1), then ``score`` (0–100, 2 decimals) and ``rank``.
    """
    tw = townships.reset_index(drop=True)
    out = pd.DataFrame({"township_code": tw["code"].astype("str"), "township_name": tw["name"].astype("str")})
    used: list[dict[str, object]] = []
    num = pd.Series(0.0, index=tw.index)
    den = pd.Series(0.0, index=tw.index)
    for name, w in weights.items():
        crit = CRITERIA[name]
        values = tw[name].astype("Float64")
        s = normalise(values, crit.direction)
        if s.isna().all():
            continue
        used.append({"indicator": name, "label": t(crit.zh, crit.en), "direction": crit.direction, "weight": w})
        out[name] = values
        out[f"{name}_score"] = s.round(4)
        have = s.notna().to_numpy(dtype=bool)
        num += np.where(have, w * s.fillna(0).to_numpy(dtype=float), 0.0)
        den += np.where(have, w, 0.0)
    score = (100 * num / den.where(den > 0)).round(2)
    out["score"] = score.astype("Float64")
    out["rank"] = out["score"].rank(method="min", ascending=False).astype("Int64")
    out = out.sort_values(["rank", "township_code"], kind="stable", na_position="last").reset_index(drop=True)
    return out, used
