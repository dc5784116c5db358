"""一户一策 and 结对帮扶 in one pure step: frames + params in, plans + findings out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jingzhun.county import is_area
from jingzhun.findings import Findings
from jingzhun.params import Params
from jingzhun.plan.features import Features
from jingzhun.plan.measures import MeasureRule, evaluate, load_rules, rules_file
from jingzhun.plan.pairing import pair, pair_by_county
from jingzhun.tablespec import provided, text_column

EXITED_FOR_GOOD = "已脱贫(不再享受政策)"

PLAN_COLUMNS = [
    "household_id",
    "village_code",
    "township_code",
    "village_name",
    "township_name",
    "group_name",
    "head_name",
    "household_size",
    "category",
    "status",
    "main_cause",
    "measures",
    "why",
    "planned_exit_year",
    "cadre_id",
    "cadre_name",
    "cadre_unit",
    "pairing",
]


@dataclass
class PlanResult:
    plans: pd.DataFrame  # PLAN_COLUMNS, sorted by village_code, household_id
    cadres: pd.DataFrame  # cadre loads (see pairing.Pairing.cadres)
    findings: Findings
    combo: np.ndarray  # measure combination code per plans row
    items: list[list[dict[str, str]]] = field(default_factory=list)  # per combination code

    def measure_items(self) -> list[list[dict[str, str]]]:
        """Per plans row: the list of {measure, content, rules} (shared lists, do not mutate)."""
        return [self.items[c] for c in self.combo.tolist()]


def plan_households(households: pd.DataFrame) -> pd.DataFrame:
    """Households that get a plan: registered (建档立卡) and not exited for good.

    A file without the 是否建档立卡 column holds registered households only (as ``match`` reads it).
    """
    mask = ~(households["status"].astype("str") == EXITED_FOR_GOOD).fillna(False).astype(bool)
    if provided(households, "registered"):
        mask &= households["registered"].astype("boolean").fillna(False).astype(bool)
    out = households[mask].copy()
    out["household_id"] = out["household_id"].astype("str").str.strip()
    return out.sort_values(["village_code", "household_id"], kind="stable").reset_index(drop=True)


def _exited(h: pd.DataFrame) -> pd.Series:
    return h["status"].astype("str").str.startswith("已脱贫").fillna(False).astype(bool)


def past_planned_exit(h: pd.DataFrame, data_year: int) -> pd.Series:
    """Households not yet exited whose given planned_exit_year lies before the data year."""
    return (h["planned_exit_year"].astype("Int64") < data_year).fillna(False).astype(bool) & ~_exited(h)


def planned_exit_years(h: pd.DataFrame, exit_ready: np.ndarray, data_year: int, final_year: int) -> pd.Series:
    """Exited: exit_year; planned_exit_year when given and not past; exit-ready: this year; else next year
    (≤ final_year, ≥ this year). A past year of a household not yet exited is replaced (P-EXIT-YEAR-PAST)."""
    default = max(data_year, min(data_year + 1, final_year))
    out = pd.Series(default, index=h.index, dtype="Int64")
    out[exit_ready] = data_year
    out = h["planned_exit_year"].astype("Int64").mask(past_planned_exit(h, data_year)).fillna(out)
    out = out.mask(_exited(h) & h["exit_year"].notna(), h["exit_year"].astype("Int64"))
    return out.astype("Int64")


def make_plans(
    households: pd.DataFrame,
    members: pd.DataFrame | None,
    cadres: pd.DataFrame | None,
    params: Params,
    data_year: int,
    identified: pd.DataFrame | None = None,
    rules: list[MeasureRule] | None = None,
) -> PlanResult:
    """Measures and a responsible cadre for every registered household not exited for good.

    ``identified`` is ``IdentifyResult.households`` (exit_ready, exit_blockers, gap
    flags) when identification ran; without it those conditions count as false.
    """
    rules = rules if rules is not None else load_rules(rules_file())
    h = plan_households(households)
    school_age = (int(params.settings.identify.school_age_min), int(params.settings.identify.school_age_max))
    feats = Features(h, members, data_year, identified, school_age)
    result, findings = evaluate(feats, rules)

    caps = {k: int(v) for k, v in params.settings.cadre_caps.items()}
    if is_area(str(params.settings.county.code)):  # several counties: cadres serve in their own
        pairing = pair_by_county(h, cadres, caps, households, data_year)
    else:
        pairing = pair(h, cadres, caps)
    findings.extend(pairing.findings)
    no_measure = result.column("measures") == ""
    findings.add("P-NO-MEASURE", table="households", key=h.loc[no_measure, "household_id"])

    cad = pairing.cadres.set_index("cadre_id")
    cadre_id = pairing.households["cadre_id"]
    exit_ready = feats.get("exit_ready")
    planned = planned_exit_years(h, exit_ready, data_year, int(params.settings.plan.final_exit_year))
    past = past_planned_exit(h, data_year)
    if past.any():
        findings.add(
            "P-EXIT-YEAR-PAST",
            table="households",
            row=h.loc[past, "_row"] if "_row" in h.columns else None,
            column="planned_exit_year",
            value=h.loc[past, "planned_exit_year"].astype("str"),
            key=h.loc[past, "household_id"],
            detail=planned[past].astype("str"),
        )
    plans = pd.DataFrame(
        {
            "household_id": text_column(h, "household_id", reset=True),
            "village_code": text_column(h, "village_code", reset=True),
            "township_code": text_column(h, "village_code", reset=True).str.slice(0, 9),
            "village_name": text_column(h, "village_name", reset=True),
            "township_name": text_column(h, "township_name", reset=True),
            "group_name": text_column(h, "group_name", reset=True),
            "head_name": text_column(h, "head_name", reset=True),
            "household_size": h["household_size"].astype("Int64").reset_index(drop=True),
            "category": text_column(h, "category", reset=True),
            "status": text_column(h, "status", reset=True),
            "main_cause": text_column(h, "main_cause", reset=True),
            "measures": pd.Series(result.column("measures"), dtype="str"),
            "why": pd.Series(result.column("why"), dtype="str"),
            "planned_exit_year": planned.reset_index(drop=True),
            "cadre_id": cadre_id,
            "cadre_name": cadre_id.map(cad["name"]).astype("str")
            if len(cad)
            else pd.Series(pd.NA, index=cadre_id.index, dtype="str"),
            "cadre_unit": cadre_id.map(cad["unit"]).astype("str")
            if len(cad)
            else pd.Series(pd.NA, index=cadre_id.index, dtype="str"),
            "pairing": pairing.households["pairing"],
        }
    )
    return PlanResult(plans[PLAN_COLUMNS], pairing.cadres, findings, result.combo, result.items)


def summary(result: PlanResult) -> dict[str, Any]:
    p = result.plans
    return {
        "households": int(len(p)),
        "villages": int(p["village_code"].nunique()),
        "paired_kept": int((p["pairing"] == "kept").sum()),
        "paired_new": int((p["pairing"] == "new").sum()),
        "unpaired": int((p["pairing"] == "none").sum()),
        "cadres_over_cap": int(result.cadres["over_cap"].sum()) if len(result.cadres) else 0,
        "without_measure": int((p["measures"] == "").sum()),
    }
