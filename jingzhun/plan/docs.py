"""Document models for 户有卡、村有册、乡有簿、县有档 (built once, rendered per village).

Who gets what:

- **户有卡**: a card (帮扶明白卡) for every 建档立卡 household that has not exited for good
  (``plan_households``: registered and not 已脱贫(不再享受政策)) — the households that have a
  plan and a responsible cadre. Surveyed households that are not registered get no card,
  even when identification finds them poor: they are candidates for the next
  identification round and appear on the 拟识别 notice, not in the card file.
- **村有册**: per village with at least one card: the village summary, the cadres, the
  农户名册 (one compact line for every surveyed household of the village, registered or
  not, with its identification result; carded households link to their card) and every
  card. A village without a carded household has no book.
- **乡有簿** / **县有档**: village summaries with the register of carded households / links.

Everything data-sized is a column operation: the model keeps typed display columns
(cards, members, roster) in village order with slice offsets; template records are made
only for the rows of the village (or township) being rendered.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jingzhun.identify.members import age_on, current_mask, isin
from jingzhun.plan.core import PlanResult
from jingzhun.safename import safe_filename
from jingzhun.tablespec import provided

MEMBER_FIELDS = ["name", "relation", "sex", "age", "id_masked", "health", "labor", "school_status", "work_status"]
CARD_FIELDS = [
    "household_id",
    "village_code",
    "village_name",
    "township_name",
    "group_name",
    "head_name",
    "household_size",
    "category",
    "status",
    "main_cause",
    "other_causes",
    "identified_year",
    "planned_exit_year",
    "income",
    "exit_ready",
    "exit_blockers",
    "exit_text",
    "cadre_name",
    "cadre_unit",
    "cadre_phone",
    "cadre_id",
    "measure_text",
    "seq",
]
ROSTER_FIELDS = [
    "seq",
    "household_id",
    "group_name",
    "head_name",
    "household_size",
    "registered",
    "category",
    "status",
    "result",
    "card",
    "cadre_name",
]

# identification results as the household list says them
RESULT_LABELS = {
    "poor": "贫困",
    "edge": "边缘",
    "not_poor": "非贫困",
    "excluded": "排除(疑点)",
    "undetermined": "无法判定",
}


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """``df.to_dict("records")`` without pandas' per-value boxing (arrow strings iterate slowly)."""
    cols = [
        df[c].to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]  # pandas takes na_value=None
        if df[c].dtype != bool
        else df[c].to_numpy()
        for c in df.columns
    ]
    keys = list(df.columns)
    return [dict(zip(keys, row, strict=True)) for row in zip(*cols, strict=True)]


def _s(df: pd.DataFrame, col: str) -> pd.Series:
    return df[col].astype("str").reset_index(drop=True).fillna("")


def money_text(v: pd.Series) -> pd.Series:
    """``1234.5`` → ``1,234.50``; missing → empty (one Python format per present value)."""
    out = np.full(len(v), "", dtype=object)
    x = v.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    ok = ~np.isnan(x)
    out[ok] = [f"{f:,.2f}" for f in x[ok].tolist()]
    return pd.Series(out, dtype="str")


# exit_blockers codes of identification, as the card says them.
BLOCKER_LABELS = {
    "I-EXIT-INCOME": "收入未稳定超过退出标准",
    "I-GAP-HOUSING": "住房安全",
    "I-GAP-EDUCATION": "义务教育",
    "I-GAP-MEDICAL": "基本医疗",
    "I-GAP-WATER": "饮水安全",
}


def blocker_text(s: pd.Series) -> pd.Series:
    """``I-EXIT-INCOME;I-GAP-MEDICAL`` → ``收入未稳定超过退出标准、基本医疗`` (unknown codes kept)."""
    out = s.fillna("").astype("str")
    for code, label in BLOCKER_LABELS.items():
        out = out.str.replace(code, label, regex=False)
    return out.str.replace(";", "、", regex=False)


def exit_text(status: pd.Series, exit_year: pd.Series, ready: pd.Series, blockers: pd.Series) -> pd.Series:
    """The card's 退出情况: ``已脱贫（2015年）`` for an exited household (its status, not the income test,
    decides); otherwise whether it meets the exit standard and what stands in the way."""
    st = status.astype("str").fillna("").reset_index(drop=True)
    year = exit_year.astype("Int64").astype("str").reset_index(drop=True)
    exited = st.str.startswith("已脱贫").to_numpy(dtype=bool)
    bl = blockers.astype("str").fillna("").reset_index(drop=True)
    ok = ready.astype("boolean").fillna(False).to_numpy(dtype=bool)
    text = np.where(ok, "已达到退出标准", np.where(bl == "", "未达到退出标准", "未达到退出标准：" + bl))
    done = ("已脱贫（" + year + "年）").fillna("已脱贫").to_numpy(dtype=object)
    return pd.Series(np.where(exited, done, text), dtype="str")


# The members columns a card shows (and birth_date / id_number for the age).
CARD_MEMBER_COLUMNS = (
    "household_id",
    "birth_date",
    "id_number",
    "name",
    "relation",
    "sex",
    "health",
    "labor",
    "school_status",
    "work_status",
)


def _members_frame(members: pd.DataFrame | None, hids: pd.Series, data_year: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Current members of the carded households as display text, card order, 户主 first;
    and the offsets: card ``i`` has rows ``bounds[i]:bounds[i + 1]``."""
    n = len(hids)
    if members is None or members.empty:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in MEMBER_FIELDS}), np.zeros(n + 1, dtype=np.int64)
    m = members[[c for c in CARD_MEMBER_COLUMNS if c in members.columns]][current_mask(members)]  # not every column
    order = pd.Series(np.arange(n), index=pd.Index(hids.to_numpy(dtype=object)))
    mapped = m["household_id"].astype("str").map(order)
    m = m[mapped.notna().to_numpy()]
    pos = mapped[mapped.notna()].to_numpy(dtype=np.int64)
    age = age_on(m, pd.Timestamp(year=data_year, month=1, day=1))
    idn = _s(m, "id_number")
    frame = pd.DataFrame(
        {
            "name": _s(m, "name"),
            "relation": _s(m, "relation"),
            "sex": _s(m, "sex"),
            "age": age.astype("str").fillna("").reset_index(drop=True),
            "id_masked": (idn.str.slice(0, 6) + "********" + idn.str.slice(-4)).where(idn.str.len() >= 15, ""),
            "health": _s(m, "health").str.replace(",", "、", regex=False),
            "labor": _s(m, "labor"),
            "school_status": _s(m, "school_status"),
            "work_status": _s(m, "work_status"),
        }
    )
    head = (frame["relation"] != "户主").to_numpy(dtype=bool).astype(np.int64)
    sort = np.lexsort((head, pos))  # stable: card position, then 户主 first, then input order
    frame = frame.take(sort).reset_index(drop=True)
    bounds = np.searchsorted(pos[sort], np.arange(n + 1)).astype(np.int64)
    return frame, bounds


def _cuts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start/end offsets of the runs of equal values in sorted ``keys``."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    change = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1], True])
    return change[:-1], change[1:]


@dataclass
class DocModel:
    """Display columns in village order plus per-village summaries.

    ``cards`` has one row per carded household (CARD_FIELDS + ``combo``, the measure
    combination code into ``items``); ``members`` the current members of the cards
    (card ``i``: rows ``member_bounds[i]:member_bounds[i + 1]``); ``roster`` every surveyed
    household of the villages (ROSTER_FIELDS + ``village_code``).
    """

    cards: pd.DataFrame
    members: pd.DataFrame
    member_bounds: np.ndarray
    items: list[list[dict[str, str]]]
    village_bounds: dict[str, tuple[int, int]]  # village_code -> [start, end) in cards
    roster: pd.DataFrame
    roster_bounds: dict[str, tuple[int, int]]  # village_code -> [start, end) in roster
    villages: pd.DataFrame  # one row per village: summary fields
    county: dict[str, Any]
    year: int
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def card_records(self, start: int, end: int) -> list[dict[str, Any]]:
        """Template records of cards ``start:end``, each with its ``members`` and ``measures`` lists."""
        recs = records(self.cards.iloc[start:end][CARD_FIELDS])
        mb = self.member_bounds
        mem = records(self.members.iloc[mb[start] : mb[end]])
        base = int(mb[start])
        combos = self.cards["combo"].to_numpy()[start:end].tolist()
        for k, c in enumerate(recs):
            i = start + k
            c["members"] = mem[mb[i] - base : mb[i + 1] - base]
            c["measures"] = self.items[combos[k]]
        return recs

    def card(self, i: int) -> dict[str, Any]:
        return self.card_records(i, i + 1)[0]

    def village_range(self, code: str) -> tuple[int, int]:
        return self.village_bounds[code]

    def village_context(self, code: str, cards: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """Everything the village book templates see (``cards``: records already made)."""
        start, end = self.village_bounds[code]
        a, b = self.roster_bounds.get(code, (0, 0))
        return {
            "year": self.year,
            "county": self.county,
            "village": self.village_rows[code],
            "cards": self.card_records(start, end) if cards is None else cards,
            "households": records(self.roster.iloc[a:b][ROSTER_FIELDS]),
        }

    def township_codes(self) -> list[str]:
        return sorted(self.villages["township_code"].unique().tolist())

    def township_villages(self, tcode: str) -> list[dict[str, Any]]:
        if "tgroups" not in self._cache:
            codes = self.villages["village_code"].tolist()
            towns = self.villages["township_code"].to_numpy(dtype=object)
            self._cache["tgroups"] = {str(towns[a]): codes[a:b] for a, b in zip(*_cuts(towns), strict=True)}
        return [self.village_rows[v] for v in self._cache["tgroups"][tcode]]

    def township_context(self, tcode: str, cards: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """The township register's context (``cards``: the township's card records, if made)."""
        rows = self.township_villages(tcode)
        start, end = self.village_bounds[rows[0]["village_code"]][0], self.village_bounds[rows[-1]["village_code"]][1]
        township = {
            "township_code": tcode,
            "folder": safe_filename(tcode),
            "township_name": rows[0]["township_name"],
            "households": sum(int(v["households"]) for v in rows),
            "population": sum(int(v["population"]) for v in rows),
            "unpaired": sum(int(v["unpaired"]) for v in rows),
        }
        households = records(self.cards.iloc[start:end][CARD_FIELDS]) if cards is None else cards
        return {
            "year": self.year,
            "county": self.county,
            "township": township,
            "villages": rows,
            "households": households,
        }

    def townships(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for tcode in self.township_codes():
            yield tcode, self.township_context(tcode)

    @property
    def village_rows(self) -> dict[str, dict[str, Any]]:
        if "vrows" not in self._cache:
            self._cache["vrows"] = {r["village_code"]: r for r in self.villages.to_dict("records")}
        return self._cache["vrows"]


def build(
    result: PlanResult,
    households: pd.DataFrame,
    members: pd.DataFrame | None,
    cadres: pd.DataFrame | None,
    villages: pd.DataFrame | None,
    county: dict[str, Any],
    data_year: int,
    identified: pd.DataFrame | None = None,
) -> DocModel:
    p = result.plans
    n = len(p)
    hid = p["household_id"]
    hh = households.assign(household_id=households["household_id"].astype("str").str.strip()).drop_duplicates(
        "household_id"
    )
    h = hh.set_index("household_id").reindex(hid.to_numpy(dtype=object)).reset_index()

    # Names of places: the villages table first, the households' own columns next.
    vt = None
    if villages is not None:
        vt = (
            villages.assign(village_code=villages["village_code"].astype("str"))
            .drop_duplicates("village_code")
            .set_index("village_code")
        )

    def place(codes: pd.Series, own: pd.Series, col: str) -> pd.Series:
        own = own.fillna("")
        if vt is not None:
            return codes.map(vt[col]).astype("str").fillna(own).fillna("")
        return own

    vnames = place(p["village_code"], p["village_name"], "village_name")
    tnames = place(p["village_code"], p["township_name"], "township_name")

    ident = None
    if identified is not None and "household_id" in identified.columns:
        ident = (
            identified.assign(household_id=identified["household_id"].astype("str"))
            .drop_duplicates("household_id")
            .set_index("household_id")
        )
    income = pd.Series(np.nan, index=range(n), dtype="Float64")
    exit_ready = pd.Series(False, index=range(n))
    blockers = pd.Series("", index=range(n), dtype="str")
    if ident is not None and "per_capita_net_income" in ident.columns:
        income = hid.map(ident["per_capita_net_income"]).astype("Float64")
        if "exit_ready" in ident.columns:
            exit_ready = hid.map(ident["exit_ready"]).astype("boolean").fillna(False)
        if "exit_blockers" in ident.columns:
            blockers = hid.map(ident["exit_blockers"]).astype("str").fillna("")
    else:
        income = h["per_capita_net_income"].astype("Float64")

    phones = pd.Series(pd.NA, index=range(n), dtype="str")
    if cadres is not None and len(cadres):
        cp = (
            cadres.assign(cadre_id=cadres["cadre_id"].astype("str").str.strip())
            .drop_duplicates("cadre_id")
            .set_index("cadre_id")["phone"]
        )
        phones = p["cadre_id"].map(cp).astype("str")

    codes = p["village_code"].to_numpy(dtype=object)
    starts, ends = _cuts(codes)
    seq = np.arange(n, dtype=np.int64) + 1 - np.repeat(starts, ends - starts)
    cards = pd.DataFrame(
        {
            "household_id": hid,
            "village_code": p["village_code"],
            "village_name": vnames,
            "township_name": tnames,
            "group_name": p["group_name"].fillna(""),
            "head_name": p["head_name"].fillna(""),
            "household_size": p["household_size"].astype("str").fillna(""),
            "category": p["category"].fillna(""),
            "status": p["status"].fillna(""),
            "main_cause": p["main_cause"].fillna(""),
            "other_causes": _s(h, "other_causes").str.replace(",", "、", regex=False),
            "identified_year": _s(h, "identified_year"),
            "planned_exit_year": p["planned_exit_year"].astype("str").fillna(""),
            "income": money_text(income),
            "exit_ready": exit_ready.to_numpy(dtype=bool),
            "exit_blockers": blocker_text(blockers),
            "exit_text": exit_text(
                p["status"],
                h["exit_year"],
                exit_ready,
                blocker_text(blockers),
            ),
            "cadre_name": p["cadre_name"].fillna(""),
            "cadre_unit": p["cadre_unit"].fillna(""),
            "cadre_phone": phones.fillna(""),
            "cadre_id": p["cadre_id"].fillna(""),
            "measure_text": p["measures"].fillna("").str.replace(";", "、", regex=False),
            "seq": seq,
            "combo": np.asarray(result.combo, dtype=np.int64),
        }
    )
    mem, mbounds = _members_frame(members, hid, data_year)
    bounds = {str(codes[a]): (int(a), int(b)) for a, b in zip(starts, ends, strict=True)}

    size = p["household_size"].astype("Float64").fillna(0)
    g = pd.DataFrame(
        {
            "village_code": p["village_code"],
            "size": size,
            "unpaired": (p["pairing"] == "none"),
            "exit_ready": exit_ready.to_numpy(dtype=bool),
        }
    ).groupby("village_code", sort=True)
    vs = pd.DataFrame(
        {
            "households": g.size(),
            "population": g["size"].sum().astype("int64"),
            "unpaired": g["unpaired"].sum().astype("int64"),
            "exit_ready": g["exit_ready"].sum().astype("int64"),
        }
    ).reset_index()
    first = cards.drop_duplicates("village_code").set_index("village_code")
    vs["village_name"] = vs["village_code"].map(first["village_name"]).fillna("")
    vs["township_name"] = vs["village_code"].map(first["township_name"]).fillna("")
    vs["township_code"] = vs["village_code"].str.slice(0, 9)
    meas = p[["village_code", "measures"]].assign(measure=p["measures"].str.split(";")).explode("measure")
    meas = meas[meas["measure"].fillna("") != ""]
    lists: dict[str, dict[str, list[Any]]] = {
        "by_category": _grouped_counts(p, "category"),
        "by_cause": _grouped_counts(p, "main_cause"),
        "by_status": _grouped_counts(p, "status"),
        "by_measure": _grouped_counts(meas, "measure"),
        "cadres": _village_cadres(p),
    }
    for col, d in lists.items():
        vs[col] = [d.get(v, []) for v in vs["village_code"].tolist()]
    # File names come from codes only through safe_filename (a code is data, not a path).
    vs["folder"] = pd.Series([safe_filename(c) for c in vs["township_code"].tolist()], dtype="str", index=vs.index)
    vs["stem"] = pd.Series([safe_filename(c) for c in vs["village_code"].tolist()], dtype="str", index=vs.index)
    vs["file"] = vs["folder"] + "/" + vs["stem"] + ".html"
    roster, rbounds = _roster(hh, set(bounds), p, ident, provided(households, "registered"))
    vs["surveyed"] = [b - a for a, b in (rbounds.get(v, (0, 0)) for v in vs["village_code"].tolist())]
    return DocModel(cards, mem, mbounds, result.items, bounds, roster, rbounds, vs, county, data_year)


def _grouped_counts(df: pd.DataFrame, col: str) -> dict[str, list[tuple[str, int]]]:
    """Per village: (value, households) pairs, most frequent first (ties by value)."""
    vals = df[col].astype("str").fillna("").replace("", "未填")
    c = (
        pd.DataFrame({"v": df["village_code"].to_numpy(dtype=object), "k": vals.to_numpy(dtype=object)})
        .value_counts()
        .rename("n")
        .reset_index()
    )
    c = c.sort_values(["v", "n", "k"], ascending=[True, False, True], kind="stable")
    pairs = list(zip(c["k"].tolist(), c["n"].astype(int).tolist(), strict=True))
    v = c["v"].to_numpy(dtype=object)
    return {str(v[a]): pairs[a:b] for a, b in zip(*_cuts(v), strict=True)}


def _village_cadres(p: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Per village: the cadres paired there and their household counts, by cadre id."""
    cad = p[p["cadre_id"].notna()]
    cv = cad.groupby(["village_code", "cadre_id"], sort=True).size().rename("n").reset_index()
    first = cad.drop_duplicates("cadre_id").set_index("cadre_id")
    cv["cadre_name"] = cv["cadre_id"].map(first["cadre_name"]).fillna("")
    cv["cadre_unit"] = cv["cadre_id"].map(first["cadre_unit"]).fillna("")
    recs = records(cv[["cadre_id", "cadre_name", "cadre_unit", "n"]].astype({"n": "int64"}))
    for r in recs:
        r["n"] = int(r["n"])
    v = cv["village_code"].to_numpy(dtype=object)
    return {str(v[a]): recs[a:b] for a, b in zip(*_cuts(v), strict=True)}


def _roster(
    hh: pd.DataFrame, book_villages: set[str], plans: pd.DataFrame, ident: pd.DataFrame | None, has_registered: bool
) -> tuple[pd.DataFrame, dict[str, tuple[int, int]]]:
    """农户名册: every surveyed household of the villages that have a book, by village, group, household.

    ``has_registered``: the file has the 是否建档立卡 column (without it, every household is registered)."""
    r = hh[hh["village_code"].astype("str").isin(book_villages).to_numpy(dtype=bool)]
    n = len(r)
    registered = (
        r["registered"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        if has_registered
        else np.ones(n, dtype=bool)
    )
    hid = r["household_id"].astype("str").reset_index(drop=True)
    result = pd.Series([""] * n, dtype="str")
    if ident is not None and "result" in ident.columns:
        result = hid.map(ident["result"]).astype("str").map(RESULT_LABELS).astype("str").fillna("")
    out = pd.DataFrame(
        {
            "village_code": _s(r, "village_code"),
            "household_id": hid,
            "group_name": _s(r, "group_name"),
            "head_name": _s(r, "head_name"),
            "household_size": r["household_size"].astype("Int64").astype("str").fillna("").reset_index(drop=True),
            "registered": pd.Series(np.where(registered, "是", "否"), dtype="str"),
            "category": _s(r, "category"),
            "status": _s(r, "status"),
            "result": result,
            "card": isin(hid, plans["household_id"], na_matches=True).to_numpy(dtype=bool),
            "cadre_name": hid.map(plans.set_index("household_id")["cadre_name"]).astype("str").fillna(""),
        }
    )
    out = out.sort_values(["village_code", "group_name", "household_id"], kind="stable").reset_index(drop=True)
    v = out["village_code"].to_numpy(dtype=object)
    starts, ends = _cuts(v)
    out["seq"] = np.arange(n, dtype=np.int64) + 1 - np.repeat(starts, ends - starts)
    return out, {str(v[a]): (int(a), int(b)) for a, b in zip(starts, ends, strict=True)}
