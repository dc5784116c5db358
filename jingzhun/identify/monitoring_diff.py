"""Dynamic management of 防止返贫监测 between two data years (``diff/monitoring.csv``).

Per household (first row of each ``household_id``), when the later year is a monitoring year:

``new_object``   新纳入监测: a monitoring object in Y2, not one in Y1
``risk_cleared`` 风险消除: an object in Y1 marked 风险消除 in Y2, or no longer meeting any rule
``returned``     返贫: registered and exited in Y2 (脱贫户) and fallen below the poverty line, or
                 below the monitoring range with a risk, where it was not below in Y1
``newly_poor``   致贫: registered in neither year and fallen below in the same way

"Below" in a poverty year (before ``monitoring.first_year``) is income below that year's line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jingzhun.i18n import t
from jingzhun.identify.classify import register_state
from jingzhun.identify.income import per_capita_income
from jingzhun.identify.monitoring import is_monitoring_year, signals
from jingzhun.params import Params
from jingzhun.tablespec import conform

MONITORING_CHANGES = ("new_object", "risk_cleared", "returned", "newly_poor")
CHANGE_LABELS = {
    "new_object": ("新纳入监测", "newly monitored"),
    "risk_cleared": ("风险消除", "risk cleared"),
    "returned": ("返贫", "returned to poverty"),
    "newly_poor": ("致贫", "newly poor"),
}
COLUMNS = [
    "household_id",
    "change",
    "change_label",
    "township_code",
    "township_name",
    "village_code",
    "village_name",
    "head_name",
    "class_from",
    "class_to",
    "income_from",
    "income_to",
    "line_to",
    "monitoring_range_to",
    "risk_kinds",
]


def _state(hh: pd.DataFrame, params: Params, data_year: int) -> pd.DataFrame:
    """Per household ID: registered, exited, income, below, object class (first row of each ID)."""
    hh = hh.drop_duplicates("household_id").reset_index(drop=True)
    inc = per_capita_income(hh, params)["per_capita_net_income"].astype("Float64")
    reg = register_state(hh)
    line = params.poverty_line(data_year - 1)
    below = np.asarray((inc < line).fillna(False), dtype=bool)
    cls = np.full(len(hh), "", dtype=object)
    rng: float | None = None
    kinds = pd.Series(pd.NA, index=hh.index, dtype="str")
    if is_monitoring_year(params, data_year):
        sg = signals(hh, inc, reg["registered"].to_numpy(dtype=bool), params, data_year)
        below = below | (sg.low & sg.has_risk)
        cls, rng, kinds = sg.cls, sg.range, sg.kinds
    out = pd.DataFrame(
        {
            "registered": reg["registered"].to_numpy(dtype=bool),
            "exited": reg["exited"].to_numpy(dtype=bool),
            "income": inc.to_numpy(),
            "below": below,
            "cls": pd.Series(cls, dtype="str").to_numpy(),
            "cleared": hh["risk_cleared"].astype("boolean").fillna(False).to_numpy(dtype=bool),
            "kinds": kinds.to_numpy(),
            "line": line,
            "range": rng,
        },
        index=pd.Index(hh["household_id"].astype("str"), name="household_id"),
    )
    for c in ("village_code", "village_name", "township_name", "head_name"):
        out[c] = hh[c].astype("str").to_numpy()
    return out


def monitoring_changes(
    old_hh: pd.DataFrame, new_hh: pd.DataFrame, params: Params, from_year: int, to_year: int
) -> pd.DataFrame | None:
    """The four monitoring change classes, or None when ``to_year`` is not a monitoring year."""
    if not is_monitoring_year(params, to_year):
        return None
    a = _state(conform("households", old_hh), params, from_year)
    b = _state(conform("households", new_hh), params, to_year)
    a = a.reindex(b.index.union(a.index))
    b = b.reindex(a.index)
    in_b = b["registered"].notna().to_numpy(dtype=bool)
    obj_a = (a["cls"].fillna("") != "").to_numpy(dtype=bool)
    obj_b = (b["cls"].fillna("") != "").to_numpy(dtype=bool)
    reg_a = a["registered"].fillna(False).to_numpy(dtype=bool)
    reg_b = b["registered"].fillna(False).to_numpy(dtype=bool)
    exited_b = b["exited"].fillna(False).to_numpy(dtype=bool)
    below_a = a["below"].fillna(False).to_numpy(dtype=bool)
    below_b = b["below"].fillna(False).to_numpy(dtype=bool)
    cleared_b = b["cleared"].fillna(False).to_numpy(dtype=bool)

    change = np.full(len(a), "", dtype=object)
    change[in_b & obj_a & (cleared_b | ~obj_b)] = "risk_cleared"
    change[in_b & obj_b & ~obj_a] = "new_object"
    change[in_b & exited_b & below_b & ~below_a] = "returned"
    change[in_b & ~reg_a & ~reg_b & below_b & ~below_a] = "newly_poor"
    keep = change != ""
    out = pd.DataFrame({"household_id": a.index[keep].astype("str"), "change": change[keep]})
    out["change_label"] = out["change"].map({k: t(*v) for k, v in CHANGE_LABELS.items()})
    bb, aa = b[keep].reset_index(drop=True), a[keep].reset_index(drop=True)
    out["village_code"] = bb["village_code"].astype("str")
    out["township_code"] = out["village_code"].str.slice(0, 9)
    for c in ("township_name", "village_name", "head_name"):
        out[c] = bb[c].astype("str")
    out["class_from"] = aa["cls"].astype("str").fillna("")
    out["class_to"] = bb["cls"].astype("str").fillna("")
    out["income_from"] = aa["income"].astype("Float64")
    out["income_to"] = bb["income"].astype("Float64")
    out["line_to"] = bb["line"].astype("Float64")
    out["monitoring_range_to"] = bb["range"].astype("Float64")
    out["risk_kinds"] = bb["kinds"].astype("str")
    out = out.sort_values(["change", "village_code", "household_id"], kind="stable").reset_index(drop=True)
    return out[COLUMNS]


def change_counts(changes: pd.DataFrame | None) -> dict[str, int] | None:
    if changes is None:
        return None
    vc = changes["change"].value_counts()
    return {c: int(vc.get(c, 0)) for c in MONITORING_CHANGES}
