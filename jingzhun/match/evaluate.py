"""Precision, recall and F1 of the pairs against a truth file (``jingzhun sample``).

Truth: one row per roster record with ``record_id``, ``household_id`` and
``id_number`` (the register member's true normalised ID; empty when the roster person
is not in the register). A predicted pair is right when its register ID equals the
truth ID of its record.

Per method: precision = right pairs of that method / pairs of that method. For recall
each true pair is charged to one method: the method that linked it when it was linked
correctly, otherwise the method its roster ID calls for (a clean ID → ``id_exact``, one
that needed clean-up or 15→18 → ``id_normalized``, an invalid or Excel-damaged ID →
``id_fuzzy``, no ID → ``name_village``). ``overall`` counts every pair, ``confident``
only the pairs above the review threshold (those in review.xlsx left out).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from jingzhun import ids
from jingzhun.errors import InputError
from jingzhun.i18n import t
from jingzhun.match.core import METHODS

TRUTH_COLUMNS = ("record_id", "id_number")


def expected_method(roster_ids: pd.Series) -> pd.Series:
    """The pass a roster ID calls for, from its shape alone."""
    raw = roster_ids.astype("str")
    cls = ids.classify(raw)
    st = cls["status"]
    out = pd.Series("id_fuzzy", index=raw.index, dtype="str")
    out[st == "empty"] = "name_village"
    out[st.isin(["valid", "upgraded15"])] = "id_normalized"
    out[(st == "valid") & (raw.str.strip() == cls["normalized"]).fillna(False).astype(bool)] = "id_exact"
    return out


def _prf(tp: int, n_pred: int, n_true: int) -> dict[str, Any]:
    p = tp / n_pred if n_pred else None
    r = tp / n_true if n_true else None
    f1 = 2 * p * r / (p + r) if p is not None and r is not None and (p + r) > 0 else None
    return {"pairs": n_pred, "true_pairs": n_true, "correct": tp, "precision": p, "recall": r, "f1": f1}


def evaluate(pairs: pd.DataFrame, truth: pd.DataFrame, roster_ids: pd.DataFrame | None = None) -> dict[str, Any]:
    """Metrics per method and overall.

    ``roster_ids`` (record_id, id_number as on the roster) lets unlinked true pairs be
    charged to the method their ID calls for; without it they count only overall.
    """
    missing = [c for c in TRUTH_COLUMNS if c not in truth.columns]
    if missing:
        raise InputError(
            t(f"真值文件缺少列 {', '.join(missing)}", f"the truth file lacks column(s) {', '.join(missing)}"),
            t(
                "真值文件由 jingzhun sample 生成: _truth/<年度>/dibao_pairs.csv",
                "jingzhun sample writes it as _truth/<year>/dibao_pairs.csv",
            ),
        )
    tr = truth[["record_id", "id_number"]].copy()
    tr["record_id"] = tr["record_id"].astype("str")
    tr["true_id"] = ids.upgrade15(ids.normalize(tr["id_number"].astype("str").fillna("")))
    tr = tr.drop_duplicates("record_id")[["record_id", "true_id"]]
    pr = pairs[["record_id", "id_number", "method"]].copy()
    pr["record_id"] = pr["record_id"].astype("str")
    pr["pred_id"] = ids.upgrade15(ids.normalize(pr["id_number"].astype("str")))
    m = pr.merge(tr, on="record_id", how="left")
    m["correct"] = (m["pred_id"] == m["true_id"]).fillna(False).astype(bool)

    positives = tr[tr["true_id"].notna()].copy()
    linked_right = m.loc[m["correct"], ["record_id", "method"]]
    positives = positives.merge(linked_right, on="record_id", how="left")
    if roster_ids is not None and not roster_ids.empty:
        ri = roster_ids[["record_id", "id_number"]].astype({"record_id": "str"}).drop_duplicates("record_id")
        exp = pd.Series(expected_method(ri["id_number"]).to_numpy(), index=ri["record_id"].to_numpy())
        charged = positives["record_id"].map(exp)
        positives["charged"] = positives["method"].where(positives["method"].notna(), charged)
    else:
        positives["charged"] = positives["method"]

    per_method = {}
    for meth in METHODS:
        sub = m[m["method"] == meth]
        n_true = int((positives["charged"] == meth).sum())
        tp = int(sub["correct"].sum())
        if len(sub) or n_true:
            per_method[meth] = _prf(tp, len(sub), n_true)
    overall = _prf(int(m["correct"].sum()), len(m), len(positives))
    result = {"overall": overall, "by_method": per_method, "truth_rows": len(tr), "truth_positives": len(positives)}
    if "review" in pairs.columns:
        sure = ~pairs["review"].fillna(True).astype(bool).to_numpy()
        result["confident"] = _prf(int(m.loc[sure, "correct"].sum()), int(sure.sum()), len(positives))
    return result
