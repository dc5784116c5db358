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
from jingzhun.identify.members import (
    INCOMING_REASONS,
    OUTGOING_REASONS,
    age_on,
    current_mask,
    isin,
    lookup,
    normalized_ids,
)
from jingzhun.identify.monitoring_diff import MONITORING_CHANGES
from jingzhun.tablespec import absent_columns

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
    monitoring: pd.DataFrame | None = None  # diff/monitoring.csv (jingzhun.identify.monitoring_diff)

    def summary(self) -> dict[str, Any]:
        hc = self.households["change"].value_counts()
        mc = self.members["change"].value_counts()
        out: dict[str, Any] = {
            "from_year": self.from_year,
            "to_year": self.to_year,
            "households": {c: int(hc.get(c, 0)) for c in HOUSEHOLD_CHANGES},
            "members": {c: int(mc.get(c, 0)) for c in MEMBER_CHANGES},
        }
        if self.monitoring is not None:
            vc = self.monitoring["change"].value_counts()
            out["monitoring"] = {c: int(vc.get(c, 0)) for c in MONITORING_CHANGES}
        return out


def _first_rows(keys: pd.Series) -> np.ndarray:
    """Positions of the first row of each non-NA key."""
    ok = keys.notna().to_numpy(dtype=bool)
    first = ~keys.duplicated().to_numpy(dtype=bool)
    return np.flatnonzero(ok & first)


def _align(key_a: pd.Series, key_b: pd.Series) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """The union of two unique key sets and, per union key, its position in each (-1: absent).

    One factorisation of both years replaces an index union (a sort of text) and a
    reindex of every column: columns are then taken by position only where needed.
    """
    codes, uniq = pd.factorize(pd.concat([key_a, key_b], ignore_index=True))
    n = len(uniq)
    pos_a = np.full(n, -1, dtype=np.int64)
    pos_b = np.full(n, -1, dtype=np.int64)
    pos_a[codes[: len(key_a)]] = np.arange(len(key_a))
    pos_b[codes[len(key_a) :]] = np.arange(len(key_b))
    return pd.Index(uniq, dtype="str"), pos_a, pos_b


def _at(values: np.ndarray, pos: np.ndarray, fill: bool | int = False) -> np.ndarray:
    """``values[pos]`` with ``fill`` where pos is -1."""
    out = values[np.where(pos >= 0, pos, 0)] if len(values) else np.zeros(len(pos), dtype=values.dtype)
    return np.where(pos >= 0, out, fill)


def _col(df: pd.DataFrame, col: str, pos: np.ndarray) -> pd.Series:
    """Column ``col`` (NA if absent) taken at ``pos`` (-1 gives NA), on a fresh range index."""
    idx = pd.RangeIndex(len(pos))
    if col not in df.columns:
        return pd.Series(pd.NA, index=idx, dtype="str")
    return lookup(df[col], pos, idx)


def _rows(df: pd.DataFrame, cols: list[str], pos: np.ndarray) -> pd.DataFrame:
    """``df[cols]`` at ``pos`` (all valid), on a fresh range index."""
    return df[cols].take(pos).reset_index(drop=True)


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


def _hh_state(df: pd.DataFrame) -> tuple[pd.Series, np.ndarray, dict[str, np.ndarray]]:
    """(household IDs, positions of the first row of each, register flags at those rows)."""
    hid = df["household_id"].astype("str")
    rows = _first_rows(hid)
    state = register_state(df)
    returned = (
        (df["status"].astype("str").str.strip() == "返贫").fillna(False).to_numpy(dtype=bool)
        if "status" in df.columns
        else np.zeros(len(df), dtype=bool)
    )
    flags = {
        "registered": state["registered"].to_numpy(dtype=bool)[rows],
        "exited": state["exited"].to_numpy(dtype=bool)[rows],
        "returned": returned[rows],
    }
    return hid.iloc[rows].reset_index(drop=True), rows, flags


def _compared(old: pd.DataFrame, new: pd.DataFrame, extra_old: list[str], drop: tuple[str, ...] = ()) -> list[str]:
    """Columns compared between years, in the order the old year lists them."""
    a = old.columns.drop([c for c in drop if c in old.columns]).append(pd.Index(extra_old))
    # a column one year's file lacks is not compared (conform() added it empty)
    lacking = absent_columns(old) | absent_columns(new)
    return [c for c in a.intersection(new.columns) if c not in _SKIP and not c.startswith("_") and c not in lacking]


def diff_households(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    ka, rows_a, fa = _hh_state(old)
    kb, rows_b, fb = _hh_state(new)
    ids, ia, ib = _align(ka, kb)
    pos_a = _at(rows_a, ia, -1)  # row in each year's frame (-1: absent)
    pos_b = _at(rows_b, ib, -1)
    in_a = pos_a >= 0
    in_b = pos_b >= 0
    ra, rb = _at(fa["registered"], ia), _at(fb["registered"], ib)
    ea, eb = _at(fa["exited"], ia), _at(fb["exited"], ib)
    ta, tb = _at(fa["returned"], ia), _at(fb["returned"], ib)

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

    # fields are listed for households present in both years that are reported: registered
    # in both (``changed`` needs them) or already given a change; other rows are not compared
    common = _compared(old, new, ["_registered", "_exited", "_returned"], drop=("household_id",))
    fields = np.full(len(ids), "", dtype=object)
    cmp_rows = np.flatnonzero(in_a & in_b & (both_reg | (change != "")))
    if len(cmp_rows):
        fields[cmp_rows] = _changed_fields(
            _rows(old, common, pos_a[cmp_rows]), _rows(new, common, pos_b[cmp_rows]), common
        ).to_numpy(dtype=object)
    has_fields = fields != ""
    exited_now = both_reg & eb & ~ea
    returned_now = both_reg & tb & ~ta
    changed = both_reg & ~exited_now & ~returned_now & has_fields
    change[exited_now] = "exited"
    reason[exited_now] = "exit"
    change[returned_now] = "returned"
    reason[returned_now] = "return"
    change[changed] = "changed"
    reason[changed] = "fields"

    keep = np.flatnonzero(change != "")
    ka_, kb_ = pos_a[keep], pos_b[keep]
    out = pd.DataFrame(
        {
            "household_id": pd.Series(ids[keep], dtype="str"),
            "change": pd.Series(change[keep], dtype="str"),
            "fields": pd.Series(fields[keep], dtype="str"),
            "reason_code": pd.Series(reason[keep], dtype="str"),
        }
    )
    for c in ("village_code", "township_name", "village_name", "head_name", "status"):
        va = _col(old, c, ka_).astype("str")
        vb = _col(new, c, kb_).astype("str")
        if c == "status":
            out["status_from"] = va.to_numpy()
            out["status_to"] = vb.to_numpy()
        else:
            out[c] = vb.fillna(va).to_numpy()
    out["registered_from"] = pd.array(ra[keep] & in_a[keep], dtype="boolean")
    out["registered_to"] = pd.array(rb[keep] & in_b[keep], dtype="boolean")
    out["in_from"] = in_a[keep]
    out["in_to"] = in_b[keep]
    out["township_code"] = out["village_code"].str.slice(0, 9)
    return out


def _member_keys(df: pd.DataFrame, year: int, findings: Findings) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(normalised ID per person, the row chosen for each, current flag of every row).

    A row without a usable ID is a finding; a current row wins over an outgoing one for
    the same person, else the first row.
    """
    key = (
        normalized_ids(df["id_number"]) if "id_number" in df.columns else pd.Series(pd.NA, index=df.index, dtype="str")
    )
    current = current_mask(df).to_numpy(dtype=bool)
    bad = key.isna().to_numpy(dtype=bool)
    if bad.any():
        name = df.loc[bad, "name"] if "name" in df.columns else None
        findings.add(
            "I-DIFF-MEMBER-NO-ID",
            table="members",
            row=df.loc[bad, "_row"] if "_row" in df.columns else None,
            column="id_number",
            value=name,
            key=df.loc[bad, "household_id"].astype("str"),
            detail=str(year),
        )
    rows = np.flatnonzero(~bad)
    k = key.iloc[rows].reset_index(drop=True)
    dup = k.duplicated(keep=False).to_numpy(dtype=bool)
    if dup.any():  # few duplicates: order only those (key, current first, row)
        d = np.flatnonzero(dup)
        codes = pd.factorize(k.iloc[d])[0]
        order = np.lexsort((d, ~current[rows[d]], codes))
        o, sorted_codes = d[order], codes[order]
        first = np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]
        keep = np.concatenate([np.flatnonzero(~dup), o[first]])
        keep.sort()
        rows, k = rows[keep], k.iloc[keep].reset_index(drop=True)
    return k, rows, current


def diff_members(
    old: pd.DataFrame,
    new: pd.DataFrame,
    from_year: int,
    to_year: int,
    findings: Findings,
    hh_old_ids: pd.Index,
    hh_new_ids: pd.Index,
) -> pd.DataFrame:
    ka, rows_a, cur_a = _member_keys(old, from_year, findings)
    kb, rows_b, cur_b = _member_keys(new, to_year, findings)
    keys, ia, ib = _align(ka, kb)
    pos_a = _at(rows_a, ia, -1)  # row in each year's frame (-1: absent)
    pos_b = _at(rows_b, ib, -1)
    n = len(keys)
    pos = pd.RangeIndex(n)
    ca = _at(cur_a, pos_a)
    cb = _at(cur_b, pos_b)
    ha = _col(old, "household_id", pos_a).astype("str")
    hb = _col(new, "household_id", pos_b).astype("str")
    reason_b = _col(new, "change_reason", pos_b).astype("str")

    added = cb & ~ca
    removed = ca & ~cb
    both = ca & cb
    moved = both & (ha != hb).fillna(False).to_numpy(dtype=bool)
    same = both & ~moved

    common = _compared(old, new, ["_key", "_current"])
    common = [c for c in common if c not in ("change_reason", "change_date")]
    fields = pd.Series("", index=pos, dtype="str")
    at = np.flatnonzero(same)
    if len(at):
        fields[same] = _changed_fields(_rows(old, common, pos_a[at]), _rows(new, common, pos_b[at]), common).to_numpy()
    changed = same & (fields != "").to_numpy()

    change = np.full(n, "", dtype=object)
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

    # inferred otherwise (age only matters for the added)
    newborn = np.zeros(n, dtype=bool)
    at = np.flatnonzero(added)
    if len(at):
        born = _rows(new, [c for c in ("birth_date", "id_number") if c in new.columns], pos_b[at])
        age = age_on(born, pd.Timestamp(year=to_year - 1, month=12, day=31))
        newborn[at] = (age <= max(to_year - from_year - 1, 0)).fillna(False).to_numpy(dtype=bool)
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

    keep = np.flatnonzero(change != "")
    k = keys[keep]

    def pick(col: str) -> np.ndarray:
        vb = _col(new, col, pos_b[keep]).astype("str")
        va = _col(old, col, pos_a[keep]).astype("str")
        return vb.fillna(va).to_numpy()

    out = pd.DataFrame(
        {
            "id_number": pd.Series(k, dtype="str"),
            "household_id": pd.Series(np.where(removed[keep], ha.to_numpy()[keep], hb.to_numpy()[keep]), dtype="str"),
            "change": pd.Series(change[keep], dtype="str"),
            "reason": pd.Series(reason.to_numpy()[keep], dtype="str"),
            "reason_source": pd.Series(source.to_numpy()[keep], dtype="str"),
            "from_household_id": pd.Series(ha.iloc[keep].where(ca[keep]).to_numpy(), dtype="str"),
            "to_household_id": pd.Series(hb.iloc[keep].where(cb[keep]).to_numpy(), dtype="str"),
            "name": pd.Series(pick("name"), dtype="str"),
            "relation": pd.Series(pick("relation"), dtype="str"),
            "fields": pd.Series(fields.to_numpy()[keep], dtype="str"),
        }
    )
    return out


def diff_years(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame], from_year: int, to_year: int) -> DiffResult:
    """Household and member changes from data year ``from_year`` to ``to_year``."""
    findings = Findings()
    hh = diff_households(old["households"], new["households"])
    ids_old = pd.Index(old["households"]["household_id"].astype("str"))
    ids_new = pd.Index(new["households"]["household_id"].astype("str"))
    if "members" in old and "members" in new:
        mem = diff_members(old["members"], new["members"], from_year, to_year, findings, ids_old, ids_new)
    else:
        mem = pd.DataFrame(
            {
                c: pd.Series(dtype="str")
                for c in (
                    "id_number",
                    "household_id",
                    "change",
                    "reason",
                    "reason_source",
                    "from_household_id",
                    "to_household_id",
                    "name",
                    "relation",
                    "fields",
                )
            }
        )

    # a household absent in Y2 whose members moved away or left with a reason is explained
    unknown = hh["reason_code"] == "unknown"
    if unknown.any() and not mem.empty:
        moved_out = mem.loc[mem["change"] == "moved", "from_household_id"].dropna().unique()
        left = mem.loc[(mem["change"] == "removed") & (mem["reason_source"] == "export"), "household_id"].unique()
        hh.loc[unknown & isin(hh["household_id"], moved_out), "reason_code"] = "merged"
        hh.loc[(hh["reason_code"] == "unknown") & isin(hh["household_id"], left), "reason_code"] = "members_left"
    hh["reason"] = hh["reason_code"].map(reason_texts()).astype("str")
    gone = hh[hh["reason_code"] == "unknown"]
    findings.add(
        "I-DIFF-DISAPPEARED",
        table="households",
        column="household_id",
        value=gone["household_id"],
        key=gone["household_id"],
        detail=str(to_year),
    )

    hh = hh.sort_values(["change", "household_id"], kind="stable").reset_index(drop=True)
    order = [
        "household_id",
        "change",
        "fields",
        "reason",
        "reason_code",
        "township_code",
        "township_name",
        "village_code",
        "village_name",
        "head_name",
        "status_from",
        "status_to",
        "registered_from",
        "registered_to",
        "in_from",
        "in_to",
    ]
    hh = hh[order]
    mem = mem.sort_values(["change", "household_id", "id_number"], kind="stable").reset_index(drop=True)
    return DiffResult(hh, mem, _townships(hh, mem, new["households"], old["households"]), findings, from_year, to_year)


def _townships(hh: pd.DataFrame, mem: pd.DataFrame, new_hh: pd.DataFrame, old_hh: pd.DataFrame) -> pd.DataFrame:
    """Counts of each change class per township (members through their household's village)."""
    h = pd.crosstab(hh["township_code"].fillna(""), hh["change"]).reindex(columns=list(HOUSEHOLD_CHANGES), fill_value=0)
    villages = (
        pd.concat([old_hh[["household_id", "village_code"]], new_hh[["household_id", "village_code"]]])
        if "village_code" in new_hh.columns and "village_code" in old_hh.columns
        else None
    )
    if villages is not None and not mem.empty:
        v = (
            villages.astype("str")
            .drop_duplicates("household_id", keep="last")
            .set_index("household_id")["village_code"]
        )
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
