"""Review decisions (确认/否认) made on ``match/review.xlsx``, applied before the passes.

A decision names a roster record and a register person (household_id + id_number).
确认 links them (method ``manual``, score 1); 否认 forbids that pair in every pass.
A decision whose record or person is gone, or whose roster name changed, is stale:
reported (``M-DECISION-STALE``) and not applied. Decisions are kept in the dataset as
``match_decisions.csv`` so next year's run applies them again.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jingzhun import ids
from jingzhun.findings import Findings
from jingzhun.labels import canonical_headers
from jingzhun.match import names

DECISIONS_FILE = "match_decisions.csv"
DECISION_COLUMNS = ["record_id", "roster_name", "household_id", "id_number", "register_name", "decision"]

CONFIRM = "确认"
REJECT = "否认"
_CONFIRM_WORDS = {"确认", "是", "对", "同一人", "confirm", "confirmed", "yes", "y", "true", "1", "√", "✓"}
_REJECT_WORDS = {"否认", "否", "不是", "不是同一人", "reject", "rejected", "no", "n", "false", "0", "×", "✗"}

# Headers of review.xlsx (its titles in both languages, see jingzhun.labels; and older ones) → canonical names.
HEADERS: dict[str, str] = {
    **canonical_headers("review"),
    "名册记录编号": "record_id",
    "名册姓名": "roster_name",
    "名册身份证号": "roster_id_number",
    "名册村": "roster_village",
    "名册与户主关系": "roster_relation",
    "保障类型": "program",
    "户编号": "household_id",
    "建档立卡姓名": "register_name",
    "建档立卡身份证号": "id_number",
    "建档立卡村代码": "register_village",
    "建档立卡与户主关系": "register_relation",
    "贫困户属性": "category",
    "匹配方法": "method",
    "得分": "score",
    "决定（确认/否认）": "decision",
    "决定": "decision",
}


def canonical_header(header: object) -> str:
    """A review.xlsx header (Chinese or English title, or the canonical name) → canonical name."""
    text = str(header).strip()
    return HEADERS.get(text, text)


def canonical_decision(s: pd.Series) -> pd.Series:
    """确认 / 否认 / NA (left empty) / the raw text when it is neither."""
    t = s.astype("str").str.strip()
    low = t.str.lower()
    out = t.copy()
    out[low.isin(_CONFIRM_WORDS).fillna(False).astype(bool)] = CONFIRM
    out[low.isin(_REJECT_WORDS).fillna(False).astype(bool)] = REJECT
    return out.where(t.str.len() > 0)


def normalize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Rename review.xlsx headers to canonical names; keep the decision columns as text."""
    d = df.rename(columns=canonical_header)
    out = pd.DataFrame(index=d.index)
    for c in DECISION_COLUMNS:
        out[c] = d[c].astype("str") if c in d.columns else pd.Series(pd.NA, index=d.index, dtype="str")
    for c in DECISION_COLUMNS:
        out[c] = out[c].str.strip().where(out[c].str.strip().str.len() > 0)
    out["decision"] = canonical_decision(out["decision"])
    return out


def merge_kept(old: pd.DataFrame | None, new: pd.DataFrame | None) -> pd.DataFrame:
    """Decisions to keep: the newest decision per (record_id, household_id, id_number) wins."""
    parts = [normalize_frame(x) for x in (old, new) if x is not None and not x.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in DECISION_COLUMNS})
    both = pd.concat(parts, ignore_index=True)
    both = both[both["decision"].isin([CONFIRM, REJECT])]
    both = both.drop_duplicates(["record_id", "household_id", "id_number"], keep="last")
    return both.sort_values(["record_id", "household_id", "id_number"], kind="stable").reset_index(drop=True)


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({"_r": pd.Series(dtype="int64"), "_p": pd.Series(dtype="int64")})


def apply_decisions(
    f: Findings, decisions: pd.DataFrame | None, ros: pd.DataFrame, per: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(manual candidates, forbidden ``(_r, _p)`` pairs) from the decisions that still fit."""
    from jingzhun.match.link import _frame, empty_candidates

    if decisions is None or decisions.empty:
        return empty_candidates(), _empty_pairs()
    d = normalize_frame(decisions).reset_index(drop=True)
    d = d[d["decision"].notna()].reset_index(drop=True)
    invalid = ~d["decision"].isin([CONFIRM, REJECT])
    f.add(
        "M-DECISION-INVALID",
        table="decisions",
        column="decision",
        value=d.loc[invalid, "decision"],
        key=d.loc[invalid, "record_id"],
    )
    d = d[~invalid].reset_index(drop=True)
    if d.empty:
        return empty_candidates(), _empty_pairs()
    d["id_key"] = ids.upgrade15(ids.normalize(d["id_number"].fillna("")))
    r_side = ros[["record_id", "_r", "name_norm"]].drop_duplicates("record_id")
    p_side = (
        per[["household_id", "id_norm", "_p"]]
        .rename(columns={"id_norm": "id_key"})
        .drop_duplicates(["household_id", "id_key"])
    )
    m = d.merge(r_side, on="record_id", how="left").merge(p_side, on=["household_id", "id_key"], how="left")
    given = names.normalize(m["roster_name"].fillna(""))
    reasons = pd.Series("", index=m.index, dtype="str")
    reasons[m["_r"].isna()] = "名册中已无此记录"
    reasons[(reasons == "") & m["_p"].isna()] = "建档立卡中已无此户此人"
    renamed = given.notna() & m["name_norm"].notna() & (given != m["name_norm"])
    reasons[(reasons == "") & renamed.fillna(False).astype(bool)] = "名册姓名已变"
    ok = reasons == ""
    conf = ok & (m["decision"] == CONFIRM)
    # Two confirmations for one record or one person: the first is kept.
    dup = conf & (m[conf]["_r"].duplicated(keep="first") | m[conf]["_p"].duplicated(keep="first")).reindex(
        m.index, fill_value=False
    )
    reasons[dup] = "与另一条确认冲突"
    ok &= ~dup
    stale = ~ok
    detail = (
        reasons[stale]
        + ": "
        + m.loc[stale, "decision"].astype("str")
        + " "
        + m.loc[stale, "household_id"].astype("str").fillna("")
        + " "
        + m.loc[stale, "id_number"].astype("str").fillna("")
    )
    f.add(
        "M-DECISION-STALE",
        table="decisions",
        column="record_id",
        value=m.loc[stale, "roster_name"],
        key=m.loc[stale, "record_id"],
        detail=detail,
    )
    good = m[ok]
    c = good[good["decision"] == CONFIRM]
    n = len(c)
    manual = _frame(c["_r"].to_numpy(dtype="int64"), c["_p"].to_numpy(dtype="int64"), "manual", np.ones(n), np.ones(n))
    rej = good[good["decision"] == REJECT]
    forbidden = pd.DataFrame({"_r": rej["_r"].to_numpy(dtype="int64"), "_p": rej["_p"].to_numpy(dtype="int64")})
    return manual, forbidden
