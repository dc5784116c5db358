"""Dynamic management (动态管理, 有进有出): what changed between two data years.

Households are keyed by ``household_id``, members by their normalised ID number.
Household changes concern the register (建档立卡):

``new``       registered in Y2; not registered or absent in Y1 (新识别)
``exited``    registered in both, status becomes 已脱贫…
``returned``  registered in both, status becomes 返贫
``removed``   registered in Y1; absent or no longer registered in Y2 (清退/剔除)
``changed``   registered in both, other fields changed (listed in ``fields``)
``appeared`` / ``disappeared``  registered in neither year, entering or leaving the survey

Member changes (current members, i.e. without an outgoing change reason):
``added``, ``removed``, ``moved`` (another household: 分户/合户) and ``changed``, with the
export's ``change_reason`` where it gives one and an inferred reason otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jingzhun.findings import Findings
from jingzhun.i18n import t
from jingzhun.identify.classify import join_codes, register_state
from jingzhun.identify.members import INCOMING_REASONS, OUTGOING_REASONS, age_on, current_mask, isin, normalized_ids

HOUSEHOLD_CHANGES = ("new", "exited", "returned", "removed", "changed", "appeared", "disappeared")
MEMBER_CHANGES = ("added", "removed", "moved", "changed")
# Columns never compared: bookkeeping, not data.
_SKIP = {"_row", "household_id", "id_number"}

# reason code → (zh, en)
REASONS: dict[str, tuple[str, str]] = {
    "identified_from_survey": ("新识别 (上年为一般农户)", "newly identified (surveyed, not registered last year)"),
    "identified_new": ("新识别 (上年不在调查中)", "newly identified (not in last year's survey)"),
    "exit": ("标注脱贫", "marked as exited"),
    "return": ("返贫", "returned to poverty"),
    "deregistered": ("清退/剔除 (不再建档立卡)", "removed from the register (清退/剔除)"),
    "merged": ("合户 (成员并入其他户)", "merged (members moved to other households)"),
    "members_left": ("成员全部减少", "all members left"),
    "exited_earlier": ("已脱贫户不再在册", "exited household no longer listed"),
    "unknown": ("原因不明", "no reason found"),
    "fields": ("信息变更", "fields changed"),
    "entered_survey": ("进入调查", "entered the survey"),
    "left_survey": ("退出调查", "left the survey"),
    "newborn": ("新生儿", "newborn"),
    "with_household": ("随户新增", "came with a new household"),
    "household_gone": ("随户减少", "left with the household"),
    "split": ("分户", "household split"),
    "merge": ("合户", "households merged"),
    "transfer": ("户间迁移", "moved between households"),
}


def reason_text(code: str) -> str:
    zh, en = REASONS.get(code, (code, code))
    return t(zh, en)


def reason_texts() -> dict[str, str]:
    return {code: reason_text(code) for code in REASONS}


@dataclass
class DiffResult:
    households: pd.DataFrame
    members: pd.DataFrame
    townships: pd.DataFrame
    findings: Findings
    from_year: int
    to_year: int

    def summary(self) -> dict[str, Any]:
        hc = self.households["change"].value_counts()
        mc = self.members["change"].value_counts()
        return {
            "from_year": self.from_year,
            "to_year": self.to_year,
            "households": {c: int(hc.get(c, 0)) for c in HOUSEHOLD_CHANGES},
            "members": {c: int(mc.get(c, 0)) for c in MEMBER_CHANGES},
        }


def _hh_frame(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["household_id"] = df["household_id"].astype("str")
    df = df[df["household_id"].notna()].drop_duplicates("household_id")
    state = register_state(df)
    df["_registered"] = state["registered"]
    df["_exited"] = state["exited"]
    df["_returned"] = (df["status"].astype("str").str.strip() == "返贫").fillna(False).astype(bool) if "status" in df.columns else False
    return df.set_index("household_id")


def _changed_fields(a: pd.DataFrame, b: pd.DataFrame, cols: list[str]) -> pd.Series:
    """``;``-joined names of the columns whose value differs between aligned frames."""
    parts = []
    for c in cols:
        x, y = a[c], b[c]
        if x.dtype != y.dtype:
            x, y = x.astype("str"), y.astype("str")
        na_x, na_y = x.isna().to_numpy(), y.isna().to_numpy()
        neq = (x != y).fillna(False).to_numpy(dtype=bool)
        diff = (na_x != na_y) | (neq & ~na_x & ~na_y)
        parts.append((pd.Series(diff, index=a.index), c))
    return join_codes(a.index, parts)


def diff_households(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    a, b = _hh_frame(old), _hh_frame(new)
    ids = a.index.union(b.index)
    # one hash lookup per year; every column is then aligned by position
    A = a.reindex(ids).reset_index(drop=True)
    B = b.reindex(ids).reset_index(drop=True)
    in_a = A["_registered"].notna().to_numpy()
    in_b = B["_registered"].notna().to_numpy()

    def flag(df: pd.DataFrame, col: str) -> np.ndarray:
        return df[col].astype("boolean").fillna(False).to_numpy(dtype=bool)

    ra, rb = flag(A, "_registered"), flag(B, "_registered")
    ea, eb = flag(A, "_exited"), flag(B, "_exited")
    ta, tb = flag(A, "_returned"), flag(B, "_returned")

    change = np.full(len(ids), "", dtype=object)
    reason = np.full(len(ids), "", dtype=object)
    both_reg = ra & rb
    change[rb & ~ra] = "new"
    reason[rb & ~ra & in_a] = "identified_from_survey"
    reason[rb & ~ra & ~in_a] = "identified_new"
    change[ra & ~rb] = "removed"
    reason[ra & ~rb & in_b] = "deregistered"
    reason[ra & ~in_b] = np.where(ea[ra & ~in_b], "exited_earlier", "unknown")
    change[~ra & ~rb & in_b & ~in_a] = "appeared"
    reason[~ra & ~rb & in_b & ~in_a] = "entered_survey"
    change[~ra & ~rb & in_a & ~in_b] = "disappeared"
    reason[~ra & ~rb & in_a & ~in_b] = "left_survey"

    common = [c for c in a.columns.intersection(b.columns) if c not in _SKIP and not c.startswith("_")]
    both = in_a & in_b
    fields = pd.Series("", index=A.index, dtype="str")
    if both.any():
        fields[both] = _changed_fields(A.loc[both, common], B.loc[both, common], common).to_numpy()
    has_fields = (fields != "").to_numpy()
    exited_now = both_reg & eb & ~ea
    returned_now = both_reg & tb & ~ta
    changed = both_reg & ~exited_now & ~returned_now & has_fields
    change[exited_now] = "exited"
    reason[exited_now] = "exit"
    change[returned_now] = "returned"
    reason[returned_now] = "return"
    change[changed] = "changed"
    reason[changed] = "fields"

    keep = change != ""
    out = pd.DataFrame({"household_id": pd.Series(ids[keep], dtype="str"),
                        "change": pd.Series(change[keep], dtype="str"),
                        "fields": pd.Series(fields.to_numpy()[keep], dtype="str"),
                        "reason_code": pd.Series(reason[keep], dtype="str")})
    for c in ("village_code", "township_name", "village_name", "head_name", "status"):
        va = A.loc[keep, c] if c in A.columns else pd.Series(pd.NA, index=A.index[keep], dtype="str")
        vb = B.loc[keep, c] if c in B.columns else pd.Series(pd.NA, index=B.index[keep], dtype="str")
        if c == "status":
            out["status_from"] = va.astype("str").to_numpy()
            out["status_to"] = vb.astype("str").to_numpy()
        else:
            out[c] = vb.astype("str").fillna(va.astype("str")).to_numpy()
    out["registered_from"] = pd.array(ra[keep] & in_a[keep], dtype="boolean")
    out["registered_to"] = pd.array(rb[keep] & in_b[keep], dtype="boolean")
    out["in_from"] = in_a[keep]
    out["in_to"] = in_b[keep]
    out["township_code"] = out["village_code"].str.slice(0, 9)
    return out


def _member_frame(df: pd.DataFrame, year: int, findings: Findings) -> pd.DataFrame:
    m = df.copy()
    m["household_id"] = m["household_id"].astype("str")
    m["_key"] = normalized_ids(m["id_number"]) if "id_number" in m.columns else pd.Series(pd.NA, index=m.index, dtype="str")
    m["_current"] = current_mask(m)
    bad = m["_key"].isna()
    if bad.any():
        name = m.loc[bad, "name"] if "name" in m.columns else None
        findings.add("I-DIFF-MEMBER-NO-ID", table="members", row=m.loc[bad, "_row"] if "_row" in m.columns else None,
                     column="id_number", value=name, key=m.loc[bad, "household_id"], detail=str(year))
    m = m[~bad]
    # a current row wins over an outgoing one for the same person (few duplicates: sort only those)
    dup = m["_key"].duplicated(keep=False).to_numpy()
    if dup.any():
        d = m[dup].sort_values(["_key", "_current"], ascending=[True, False], kind="stable").drop_duplicates("_key")
        m = pd.concat([m[~dup], d])
    return m.set_index("_key")


def diff_members(old: pd.DataFrame, new: pd.DataFrame, hh_changes: pd.DataFrame, from_year: int, to_year: int,
                 findings: Findings, hh_old_ids: pd.Index, hh_new_ids: pd.Index) -> pd.DataFrame:
    a, b = _member_frame(old, from_year, findings), _member_frame(new, to_year, findings)
    keys = a.index.union(b.index)
    A = a.reindex(keys).reset_index(drop=True)
    B = b.reindex(keys).reset_index(drop=True)
    pos = A.index
    ca = A["_current"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    cb = B["_current"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    ha = A["household_id"].astype("str")
    hb = B["household_id"].astype("str")
    reason_b = B["change_reason"].astype("str") if "change_reason" in B.columns else pd.Series(pd.NA, index=pos, dtype="str")

    added = cb & ~ca
    removed = ca & ~cb
    both = ca & cb
    moved = both & (ha != hb).fillna(False).to_numpy(dtype=bool)
    same = both & ~moved

    common = [c for c in a.columns.intersection(b.columns) if c not in _SKIP and not c.startswith("_")
              and c not in ("change_reason", "change_date")]
    fields = pd.Series("", index=pos, dtype="str")
    if same.any():
        fields[same] = _changed_fields(A.loc[same, common], B.loc[same, common], common).to_numpy()
    changed = same & (fields != "").to_numpy()

    change = np.full(len(keys), "", dtype=object)
    change[added], change[removed], change[moved], change[changed] = "added", "removed", "moved", "changed"
    reason = pd.Series(pd.NA, index=pos, dtype="str")
    source = pd.Series(pd.NA, index=pos, dtype="str")

    # the export's own reason first
    rb_in = reason_b.isin(INCOMING_REASONS).fillna(False).to_numpy(dtype=bool)
    rb_out = reason_b.isin(OUTGOING_REASONS).fillna(False).to_numpy(dtype=bool)
    given_add = (added | moved) & rb_in  # 嫁入 within the county shows as a move
    given_rm = removed & rb_out
    reason[given_add] = reason_b[given_add]
    reason[given_rm] = reason_b[given_rm]
    source[given_add | given_rm] = "export"

    # inferred otherwise
    age = age_on(B, pd.Timestamp(year=to_year - 1, month=12, day=31))
    newborn = (age <= max(to_year - from_year - 1, 0)).fillna(False).to_numpy(dtype=bool)
    new_hh = ~isin(hb, hh_old_ids).to_numpy()
    gone_hh = ~isin(ha, hh_new_ids).to_numpy()
    inf = pd.Series(pd.NA, index=pos, dtype="str")
    inf[added & newborn] = "newborn"
    inf[added & ~newborn & new_hh] = "with_household"
    inf[removed & gone_hh] = "household_gone"
    inf[moved & new_hh] = "split"
    inf[moved & ~new_hh & gone_hh] = "merge"
    inf[moved & ~new_hh & ~gone_hh] = "transfer"
    inf[changed] = "fields"
    rest = reason.isna() & inf.notna()
    reason[rest] = inf[rest].map(reason_texts()).astype("str")
    source[rest] = "inferred"
    unknown = (added | removed) & reason.isna().to_numpy()
    reason[unknown] = reason_text("unknown")
    source[unknown] = "inferred"

    keep = change != ""
    k = keys[keep]
    bk, ak = B[keep], A[keep]

    def pick(col: str) -> np.ndarray:
        vb = bk[col].astype("str") if col in bk.columns else pd.Series(pd.NA, index=bk.index, dtype="str")
        va = ak[col].astype("str") if col in ak.columns else pd.Series(pd.NA, index=ak.index, dtype="str")
        return vb.fillna(va).to_numpy()

    out = pd.DataFrame({
        "id_number": pd.Series(k, dtype="str"),
        "household_id": pd.Series(np.where(removed[keep], ha[keep].to_numpy(), hb[keep].to_numpy()), dtype="str"),
        "change": pd.Series(change[keep], dtype="str"),
        "reason": pd.Series(reason[keep].to_numpy(), dtype="str"),
        "reason_source": pd.Series(source[keep].to_numpy(), dtype="str"),
        "from_household_id": pd.Series(ha[keep].where(ca[keep]).to_numpy(), dtype="str"),
        "to_household_id": pd.Series(hb[keep].where(cb[keep]).to_numpy(), dtype="str"),
        "name": pd.Series(pick("name"), dtype="str"),
        "relation": pd.Series(pick("relation"), dtype="str"),
        "fields": pd.Series(fields[keep].to_numpy(), dtype="str"),
    })
    return out


def diff_years(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame], from_year: int, to_year: int) -> DiffResult:
    """Household and member changes from data year ``from_year`` to ``to_year``."""
    findings = Findings()
    hh = diff_households(old["households"], new["households"])
    ids_old = pd.Index(old["households"]["household_id"].astype("str"))
    ids_new = pd.Index(new["households"]["household_id"].astype("str"))
    if "members" in old and "members" in new:
        mem = diff_members(old["members"], new["members"], hh, from_year, to_year, findings, ids_old, ids_new)
    else:
        mem = pd.DataFrame({c: pd.Series(dtype="str") for c in
                            ("id_number", "household_id", "change", "reason", "reason_source", "from_household_id",
                             "to_household_id", "name", "relation", "fields")})

    # a household absent in Y2 whose members moved away or left with a reason is explained
    unknown = hh["reason_code"] == "unknown"
    if unknown.any() and not mem.empty:
        moved_out = mem.loc[mem["change"] == "moved", "from_household_id"].dropna().unique()
        left = mem.loc[(mem["change"] == "removed") & (mem["reason_source"] == "export"), "household_id"].unique()
        hh.loc[unknown & isin(hh["household_id"], moved_out), "reason_code"] = "merged"
        hh.loc[(hh["reason_code"] == "unknown") & isin(hh["household_id"], left), "reason_code"] = "members_left"
    hh["reason"] = hh["reason_code"].map(reason_texts()).astype("str")
    gone = hh[hh["reason_code"] == "unknown"]
    findings.add("I-DIFF-DISAPPEARED", table="households", column="household_id", value=gone["household_id"],
                 key=gone["household_id"], detail=str(to_year))

    hh = hh.sort_values(["change", "household_id"], kind="stable").reset_index(drop=True)
    order = ["household_id", "change", "fields", "reason", "reason_code", "township_code", "township_name", "village_code",
             "village_name", "head_name", "status_from", "status_to", "registered_from", "registered_to", "in_from", "in_to"]
    hh = hh[order]
    mem = mem.sort_values(["change", "household_id", "id_number"], kind="stable").reset_index(drop=True)
    return DiffResult(hh, mem, _townships(hh, mem, new["households"], old["households"]), findings, from_year, to_year)


def _townships(hh: pd.DataFrame, mem: pd.DataFrame, new_hh: pd.DataFrame, old_hh: pd.DataFrame) -> pd.DataFrame:
    """Counts of each change class per township (members through their household's village)."""
    h = pd.crosstab(hh["township_code"].fillna(""), hh["change"]).reindex(columns=list(HOUSEHOLD_CHANGES), fill_value=0)
    villages = pd.concat([old_hh[["household_id", "village_code"]], new_hh[["household_id", "village_code"]]]) \
        if "village_code" in new_hh.columns and "village_code" in old_hh.columns else None
    if villages is not None and not mem.empty:
        v = villages.astype("str").drop_duplicates("household_id", keep="last").set_index("household_id")["village_code"]
        tcode = mem["household_id"].map(v).str.slice(0, 9).fillna("")
        m = pd.crosstab(tcode, mem["change"]).reindex(columns=list(MEMBER_CHANGES), fill_value=0)
    else:
        m = pd.DataFrame(columns=list(MEMBER_CHANGES))
    m.columns = [f"members_{c}" for c in m.columns]
    h.columns = [f"households_{c}" for c in h.columns]
    out = h.join(m, how="outer").fillna(0).astype("int64")
    out.index.name = "township_code"
    out.columns.name = None
    return out.reset_index().sort_values("township_code").reset_index(drop=True)
