"""Cross-table and cross-row rules (data-contract §2; domain.md §1.6), vectorised.

Each rule looks only at the tables it needs and is skipped when one of them (or one of
its columns) is absent: a single-table run checks what that table alone can show.
Every rule reports through a catalogued ``V-`` code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jingzhun.findings import Findings
from jingzhun.identify.income import per_capita_income
from jingzhun.identify.members import age_on, current_mask
from jingzhun.ids import code_labels
from jingzhun.params import Params
from jingzhun.schema.checks import multi_labels
from jingzhun.schema.idcheck import IdColumn, classify_column
from jingzhun.schema.run import row_numbers
from jingzhun.tablespec import KEY_COLUMNS, MULTI_SEPARATORS, WORK_STATUS, provided

HEAD, SPOUSE = "户主", "配偶"
NO_LABOUR = ("无劳动力", "丧失劳动力")
# 在校生状况 values that mean "not in school": 非在校生, and 学龄前儿童 (not yet enrolled).
NOT_IN_SCHOOL = ("非在校生", "学龄前儿童")
WORKING_AWAY = tuple(s for s in WORK_STATUS if s.endswith("务工") and s != "未外出务工")
NOT_WORKING = ("未外出务工",)
REGISTERED_FIELDS = ("category", "status", "main_cause")
PROJECT_DATE_ORDER = ("approved_date", "start_date", "completion_date", "acceptance_date")
PUBLICITY_ORDER = ("publicity_start", "publicity_end")
LABOUR_AGE = (16, 59)
EMPTY_MARK = "—"


@dataclass
class Context:
    frames: dict[str, pd.DataFrame]
    params: Params
    ref_date: pd.Timestamp
    ids: dict[tuple[str, str], IdColumn] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)
    absent: set[tuple[str, str]] = field(default_factory=set)  # columns the reader reported missing
    _current: pd.Series | None = None
    _hh: HouseholdCodes | None = None
    _hh_done: bool = False

    def frame(self, table: str, *columns: str) -> pd.DataFrame | None:
        """The table when it is present and has every one of ``columns``."""
        df = self.frames.get(table)
        if df is None or any(not provided(df, c) or (table, c) in self.absent for c in columns):
            return None
        return df

    def has(self, table: str, column: str) -> bool:
        return self.frame(table, column) is not None

    def current(self) -> pd.Series:
        """Current members (no outgoing change reason), computed once."""
        if self._current is None:
            self._current = current_mask(self.frames["members"])
        return self._current

    def hh(self) -> HouseholdCodes | None:
        """Household codes of members and households, computed once (None without members)."""
        if not self._hh_done:
            self._hh, self._hh_done = _household_codes(self), True
        return self._hh

    def id_column(self, table: str, column: str) -> IdColumn:
        if (table, column) not in self.ids:
            self.ids[(table, column)] = classify_column(self.frames[table], column)
        return self.ids[(table, column)]

    def add(
        self,
        code: str,
        table: str,
        mask: pd.Series | np.ndarray,
        column: str | None,
        *,
        value: pd.Series | None = None,
        key: pd.Series | str | None = None,
        detail: pd.Series | str | Callable[[np.ndarray], pd.Series] | None = None,
    ) -> None:
        """One finding per row of ``self.frames[table]`` where ``mask`` is true.

        ``value`` and ``detail`` are shown as :func:`_text` shows them, formatted for the flagged
        rows only: pass whole columns as they are (formatting a million rows first cost seconds),
        or as ``detail`` a function making the flagged rows' text from the row mask."""
        df = self.frames[table]
        m = np.asarray(pd.Series(mask, index=df.index).fillna(False), dtype=bool)
        if not m.any():
            return
        if value is None and column is not None:
            value = df[column]
        if key is None:
            key = KEY_COLUMNS.get(table)
        key_values = df[key][m] if isinstance(key, str) and key in df.columns else None
        self.findings.add(
            code,
            table=table,
            row=row_numbers(df)[m],
            column=column,
            value=_text(value[m]) if value is not None else None,
            key=key_values,
            detail=_text(detail[m]) if isinstance(detail, pd.Series) else detail(m) if callable(detail) else detail,
        )


def _text(s: pd.Series) -> pd.Series:
    """Display text of flagged values (dates as YYYY-MM-DD, whole floats without .0)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.strftime("%Y-%m-%d")
    if pd.api.types.is_float_dtype(s.dtype):
        as_float = s.astype("float64")
        whole = np.asarray(np.isfinite(as_float) & (as_float == np.round(as_float)), dtype=bool)
        out = as_float.round(2).astype("str")
        out[whole] = as_float[whole].astype("int64").astype("str")
        return out.where(s.notna())
    return s


def _bool(s: pd.Series) -> pd.Series:
    return s.fillna(False).astype(bool)


def _isin(s: pd.Series, values: Sequence[str] | pd.Index | set[str]) -> pd.Series:
    """``s.isin(values)`` with NA → False; text through Arrow's hash look-up.

    pandas' ``isin`` on Arrow strings turns the value set into Python objects first,
    which dominates the cross-table step at a million households.
    """
    if s.dtype == "str":
        arr = pa.array(s)
        value_set = pa.array(pd.Series(list(values) if isinstance(values, set) else values, dtype="str"))
        if value_set.type != arr.type:
            value_set = value_set.cast(arr.type)
        hit = pc.is_in(arr, value_set=value_set).fill_null(False)
        return pd.Series(hit.to_numpy(zero_copy_only=False), index=s.index, dtype=bool)
    return _bool(s.isin(values))


def _ymd(s: pd.Series) -> pd.Series:
    """Dates as comparable YYYYMMDD integers (unit-independent)."""
    d = pd.to_datetime(s, errors="coerce")
    return (d.dt.year * 10000 + d.dt.month * 100 + d.dt.day).astype("Int64")


# ---- members ↔ households -----------------------------------------------------------------


@dataclass
class HouseholdCodes:
    """``household_id`` of members and households as integer codes over one shared set.

    Counting with ``np.bincount`` over codes is what keeps the member ↔ household rules
    linear and fast at a million households (string-keyed ``map`` is not).
    """

    members: np.ndarray  # code per member row, -1 where household_id is NA
    households: np.ndarray | None  # code per household row, or None without households
    size: int

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Members per code among the rows where ``mask`` is true."""
        sel = self.members[mask & (self.members >= 0)]
        return np.bincount(sel, minlength=self.size)

    @staticmethod
    def at(per_code: np.ndarray, codes: np.ndarray, fill: int = 0) -> np.ndarray:
        """``per_code[codes]`` with ``fill`` where the code is -1."""
        out = per_code[np.where(codes >= 0, codes, 0)]
        return np.where(codes >= 0, out, fill)


def _household_codes(c: Context) -> HouseholdCodes | None:
    m = c.frame("members", "household_id")
    if m is None:
        return None
    h = c.frame("households", "household_id")
    parts = [m["household_id"]] + ([h["household_id"]] if h is not None else [])
    codes, uniques = pd.factorize(pd.concat(parts, ignore_index=True))
    n = len(m)
    return HouseholdCodes(members=codes[:n], households=codes[n:] if h is not None else None, size=len(uniques))


def _member_household_links(c: Context) -> None:
    hc = c.hh()
    if hc is None or hc.households is None:
        return
    in_households = np.bincount(hc.households[hc.households >= 0], minlength=hc.size) > 0
    orphan = (hc.members >= 0) & ~HouseholdCodes.at(in_households, hc.members, 1).astype(bool)
    c.add("V-MEMBER-NO-HOUSEHOLD", "members", orphan, "household_id", key="id_number")
    with_members = hc.count(np.ones(len(hc.members), dtype=bool)) > 0
    empty = (hc.households >= 0) & ~HouseholdCodes.at(with_members, hc.households, 1).astype(bool)
    c.add("V-HOUSEHOLD-NO-MEMBERS", "households", empty, "household_id")


def _sex_codes(c: Context) -> np.ndarray:
    """Each member's sex as 1 (男) / 2 (女) / 0: the ID's sex digit, else the sex column."""
    m = c.frames["members"]
    sources = [c.id_column("members", "id_number").sex()] if c.has("members", "id_number") else []
    if c.has("members", "sex"):
        sources.append(m["sex"])
    code = np.zeros(len(m), dtype=np.int64)
    for source in sources:  # the ID's sex digit; the sex column where the ID gives none
        free = code == 0
        code[free & _bool(source == "男").to_numpy()] = 1
        code[free & _bool(source == "女").to_numpy()] = 2
    return code


def _relations(c: Context) -> None:
    """One 户主 (and at least one), at most one 配偶, 户主 and 配偶 of opposite sex."""
    m = c.frame("members", "household_id", "relation")
    hc = c.hh()
    if m is None or hc is None:
        return
    cur = c.current().to_numpy(dtype=bool)
    is_head = cur & _bool(m["relation"] == HEAD).to_numpy()
    is_spouse = cur & _bool(m["relation"] == SPOUSE).to_numpy()
    heads = hc.count(is_head)
    spouses = hc.count(is_spouse)

    n_heads = HouseholdCodes.at(heads, hc.members)
    c.add(
        "V-HEAD-MULTIPLE",
        "members",
        is_head & (n_heads > 1),
        "relation",
        key="household_id",
        detail=pd.Series(n_heads, index=m.index),
    )
    n_spouses = HouseholdCodes.at(spouses, hc.members)
    c.add(
        "V-SPOUSE-MULTIPLE",
        "members",
        is_spouse & (n_spouses > 1),
        "relation",
        key="household_id",
        detail=pd.Series(n_spouses, index=m.index),
    )

    if hc.households is not None:
        any_member = hc.count(np.ones(len(m), dtype=bool)) > 0
        no_head = HouseholdCodes.at(any_member & (heads == 0), hc.households).astype(bool)
        c.add("V-HEAD-MISSING", "households", no_head, "household_id")

    sex = _sex_codes(c)
    head_sex = np.zeros(hc.size, dtype=np.int64)
    head_sex[hc.members[is_head]] = sex[is_head]
    partner = HouseholdCodes.at(head_sex, hc.members)
    same = is_spouse & (sex > 0) & (sex == partner)
    sex_label = code_labels(sex - 1, ("男", "女"), m.index)  # NA where unknown (never flagged)
    c.add("V-COUPLE-SAME-SEX", "members", same, "relation", value=sex_label, key="household_id")


def _household_size(c: Context) -> None:
    h = c.frame("households", "household_id", "household_size")
    hc = c.hh()
    if h is None or hc is None or hc.households is None:
        return
    current = hc.count(c.current().to_numpy(dtype=bool))
    any_member = hc.count(np.ones(len(hc.members), dtype=bool)) > 0
    n = HouseholdCodes.at(current, hc.households)
    has_members = HouseholdCodes.at(any_member, hc.households).astype(bool)
    size = h["household_size"]
    c.add(
        "V-SIZE-MISMATCH",
        "households",
        has_members & _bool(size != n).to_numpy(),
        "household_size",
        detail=pd.Series(n, index=h.index),
    )


def _id_uniqueness(c: Context) -> None:
    """An ID in one household only, and once in it (current members)."""
    m = c.frame("members", "household_id", "id_number")
    hc = c.hh()
    if m is None or hc is None:
        return
    nid = c.id_column("members", "id_number").comparable
    id_code, _ = pd.factorize(nid)
    cur = c.current().to_numpy(dtype=bool) & (id_code >= 0) & (hc.members >= 0)
    # Only an ID held by two or more current members can be repeated in a household or spread
    # over several: the pairs are built for those rows alone (a province has few of them).
    n_ids = int(id_code.max()) + 1 if len(id_code) else 0
    rows = np.flatnonzero(cur)
    repeated = np.bincount(id_code[rows], minlength=n_ids)[id_code[rows]] > 1
    rows = rows[repeated]
    pairs = pd.DataFrame({"id": id_code[rows], "hh": hc.members[rows]})
    dup = pairs.duplicated(["id", "hh"], keep=False).to_numpy()
    dup_in_household = np.zeros(len(m), dtype=bool)
    dup_in_household[rows[dup]] = True
    c.add("V-ID-DUPLICATE", "members", dup_in_household, "id_number", key="household_id")

    distinct = pairs.drop_duplicates()
    n_households = np.bincount(distinct["id"].to_numpy(), minlength=n_ids)
    multi_ids = n_households > 1
    if not multi_ids.any():
        return
    flagged = cur & HouseholdCodes.at(multi_ids, id_code).astype(bool)
    spread = pd.DataFrame({"nid": nid[flagged], "hid": m["household_id"][flagged]}).drop_duplicates()
    lists = spread.sort_values("hid").groupby("nid", sort=False)["hid"].agg(",".join)
    c.add(
        "V-ID-MULTI-HOUSEHOLD",
        "members",
        flagged,
        "id_number",
        key="household_id",
        detail=nid.where(flagged).map(lists).astype("str"),
    )
    _id_multi_county(c, flagged, nid, hc)


def _id_multi_county(c: Context, flagged: np.ndarray, nid: pd.Series, hc: HouseholdCodes) -> None:
    """Of the IDs in several households, those whose households lie in two or more counties (first six
    digits of the village code): V-ID-MULTI-COUNTY, as a province run's global pass G1 reports it."""
    h = c.frame("households", "household_id", "village_code")
    if h is None or hc.households is None:
        return
    known = hc.households >= 0
    county_of = np.full(hc.size, "", dtype=object)
    codes = h["village_code"].astype("str").str.strip().str.slice(0, 6).fillna("").to_numpy(dtype=object)
    county_of[hc.households[known]] = codes[known]
    county = HouseholdCodes.at(county_of, hc.members, 0)
    county = np.where(hc.members >= 0, county, "")
    rows = np.flatnonzero(flagged & (county != ""))
    spread = pd.DataFrame({"nid": nid.to_numpy()[rows], "county": county[rows]}).drop_duplicates()
    lists = spread.sort_values("county").groupby("nid", sort=False)["county"].agg(",".join)
    lists = lists[lists.str.contains(",", regex=False)]
    if lists.empty:
        return
    mask = flagged & (county != "") & nid.isin(lists.index).fillna(False).to_numpy(dtype=bool)
    detail = nid.where(pd.Series(mask, index=nid.index)).map(lists).astype("str")
    c.add("V-ID-MULTI-COUNTY", "members", mask, "id_number", key="household_id", detail=detail)


def _head_id(c: Context) -> None:
    h = c.frame("households", "household_id", "head_id_number")
    m = c.frame("members", "household_id", "relation", "id_number")
    hc = c.hh()
    if h is None or m is None or hc is None or hc.households is None or len(m) == 0:
        return
    is_head = c.current().to_numpy(dtype=bool) & _bool(m["relation"] == HEAD).to_numpy() & (hc.members >= 0)
    single = hc.count(is_head) == 1
    head_pos = np.full(hc.size, -1, dtype=np.int64)
    head_pos[hc.members[is_head]] = np.flatnonzero(is_head)
    head_pos[~single] = -1
    pos = HouseholdCodes.at(head_pos, hc.households, -1)
    member_nid = c.id_column("members", "id_number").comparable
    take = pa.array(member_nid).take(pa.array(np.where(pos >= 0, pos, 0)))
    member_head = pd.Series(take.to_pandas(), index=h.index, dtype="str").where(pos >= 0)
    head_nid = c.id_column("households", "head_id_number").comparable
    differs = head_nid.notna() & member_head.notna() & _bool(head_nid != member_head)
    raw = pd.Series(
        pa.array(m["id_number"]).take(pa.array(np.where(pos >= 0, pos, 0))).to_pandas(), index=h.index, dtype="str"
    )
    c.add("V-HEAD-ID-MISMATCH", "households", differs, "head_id_number", detail=raw)


def _id_vs_columns(c: Context) -> None:
    m = c.frame("members", "id_number")
    if m is None:
        return
    info = c.id_column("members", "id_number")
    if c.has("members", "sex"):
        id_sex = info.sex()
        c.add(
            "V-ID-SEX-MISMATCH",
            "members",
            id_sex.notna() & m["sex"].notna() & _bool(id_sex != m["sex"]),
            "sex",
            detail=id_sex,
        )
    if c.has("members", "birth_date"):
        id_birth = info.birth_date()
        a, b = _ymd(m["birth_date"]), _ymd(id_birth)
        c.add(
            "V-ID-BIRTH-MISMATCH",
            "members",
            a.notna() & b.notna() & _bool(a != b),
            "birth_date",
            detail=id_birth,
        )


def _education(c: Context) -> None:
    m = c.frame("members", "education", "school_status")
    if m is None:
        return
    cur = c.current()
    school = m["school_status"]
    student = school.notna() & ~_isin(school, NOT_IN_SCHOOL)
    c.add("V-EDU-SCHOOL-BOTH", "members", cur & student & m["education"].notna(), "education", detail=school)
    neither = m["education"].isna() & (school.isna() | _bool(school == "非在校生"))
    c.add("V-EDU-SCHOOL-NONE", "members", cur & neither, "education")


def _labour(c: Context) -> None:
    m = c.frame("members", "labor")
    if m is None:
        return
    cur = c.current()
    no_labour = _isin(m["labor"], NO_LABOUR)
    if c.has("members", "health") and (c.has("members", "birth_date") or c.has("members", "id_number")):
        age = age_on(m, c.ref_date)
        healthy = _bool(m["health"] == "健康")
        student = (
            m["school_status"].notna() & ~_isin(m["school_status"], NOT_IN_SCHOOL)
            if c.has("members", "school_status")
            else pd.Series(False, index=m.index)
        )
        working_age = _bool((age >= LABOUR_AGE[0]) & (age <= LABOUR_AGE[1]))
        c.add(
            "V-LABOR-AGE",
            "members",
            cur & no_labour & healthy & ~student & working_age,
            "labor",
            detail=age,
        )
    if c.has("members", "work_months"):
        months = m["work_months"]
        c.add(
            "V-LABOR-WORK",
            "members",
            cur & no_labour & _bool(months > 0),
            "labor",
            detail=lambda rows: months[rows].astype("str"),
        )


def _work_months(c: Context) -> None:
    m = c.frame("members", "work_status", "work_months")
    if m is None:
        return
    cur = c.current()
    status, months = m["work_status"], m["work_months"]
    away = _isin(status, WORKING_AWAY)
    not_away = status.isna() | _isin(status, NOT_WORKING)
    c.add(
        "V-WORK-MONTHS-NO-STATUS",
        "members",
        cur & _bool(months > 0) & not_away,
        "work_months",
        detail=status.fillna(EMPTY_MARK),
    )
    no_months = months.isna() | _bool(months == 0)
    c.add(
        "V-WORK-STATUS-NO-MONTHS",
        "members",
        cur & away & no_months,
        "work_status",
        detail=lambda rows: months[rows].astype("str").fillna(EMPTY_MARK),
    )


# ---- households ----------------------------------------------------------------------------


def _registered_fields(c: Context) -> None:
    h = c.frame("households", "registered")
    if h is None:
        return
    registered = _bool(h["registered"] == True)  # noqa: E712 - nullable boolean: NA is neither
    not_registered = _bool(h["registered"] == False)  # noqa: E712
    for col in REGISTERED_FIELDS:
        if not c.has("households", col):
            if registered.any():
                c.findings.add("V-REGISTERED-MISSING", table="households", column=col)
            continue
        c.add("V-REGISTERED-MISSING", "households", registered & h[col].isna(), col)
        c.add("V-NONREGISTERED-FILLED", "households", not_registered & h[col].notna(), col)


def _other_causes(c: Context) -> None:
    h = c.frame("households", "other_causes")
    if h is None:
        return
    other = h["other_causes"]
    n = (other.str.count(MULTI_SEPARATORS) + 1).where(other.notna())
    c.add("V-OTHER-CAUSES-MANY", "households", _bool(n > 2), "other_causes")
    if not c.has("households", "main_cause"):
        return
    both = other.notna() & h["main_cause"].notna()
    if not both.any():
        return
    # Judged once per distinct (other causes, main cause) pair: splitting every row's labels in Python was slow.
    pairs = pd.MultiIndex.from_arrays([other[both], h["main_cause"][both]])
    codes, uniques = pairs.factorize()
    repeat = np.array([str(main) in multi_labels(labels) for labels, main in uniques], dtype=bool)
    mask = pd.Series(False, index=h.index)
    mask[other.index[both.to_numpy(dtype=bool)][repeat[codes]]] = True
    c.add("V-OTHER-CAUSES-MAIN", "households", mask, "other_causes", detail=h["main_cause"])


def _income(c: Context) -> None:
    h = c.frame("households", "household_size", "per_capita_net_income")
    if h is None:
        return
    inc = per_capita_income(h, c.params)
    c.add(
        "V-INCOME-MISMATCH",
        "households",
        inc["income_mismatch"],
        "per_capita_net_income",
        detail=inc["per_capita_net_income"],
    )


# ---- villages, cadres ------------------------------------------------------------------------


def _villages(c: Context) -> None:
    county = str(c.params.settings.county.code or "")
    v = c.frame("villages", "village_code")
    known = pd.Index(v["village_code"].dropna().unique()) if v is not None else None
    for table in ("households", "dibao", "projects", "villages"):
        df = c.frame(table, "village_code")
        if df is None:
            continue
        code = df["village_code"]
        if known is not None and table != "villages":
            c.add("V-VILLAGE-UNKNOWN", table, code.notna() & ~_isin(code, known), "village_code")
        if county:
            well_formed = _bool(code.str.fullmatch(r"\d{12}"))
            c.add(
                "V-VILLAGE-OUTSIDE-COUNTY",
                table,
                well_formed & _bool(code.str.slice(0, len(county)) != county),
                "village_code",
                detail=county,
            )
    v = c.frame("villages", "village_code", "township_code")
    if v is not None:
        first9 = v["village_code"].str.slice(0, 9)
        given = v["township_code"].str.slice(0, 9)
        bad = v["township_code"].notna() & v["village_code"].notna() & _bool(given != first9)
        c.add("V-TOWNSHIP-CODE", "villages", bad, "township_code", detail=first9)


def _cadres(c: Context) -> None:
    h = c.frame("households", "cadre_id")
    k = c.frame("cadres", "cadre_id")
    if h is None or k is None:
        return
    known = pd.Index(k["cadre_id"].dropna().unique())
    c.add("V-CADRE-UNKNOWN", "households", h["cadre_id"].notna() & ~_isin(h["cadre_id"], known), "cadre_id")


# ---- dibao, projects, payments ----------------------------------------------------------------


def _dibao(c: Context) -> None:
    d = c.frame("dibao", "start_date", "end_date")
    if d is not None:
        start, end = _ymd(d["start_date"]), _ymd(d["end_date"])
        c.add("V-DIBAO-DATES", "dibao", _bool(end < start), "end_date", detail=d["start_date"])
    d = c.frame("dibao", "program", "dibao_class")
    if d is not None:
        c.add("V-DIBAO-CLASS", "dibao", _bool(d["program"] == "特困供养") & d["dibao_class"].notna(), "dibao_class")


def _date_order(c: Context, table: str, order: Sequence[str]) -> None:
    """Each date is not before the nearest earlier-stage date that is given."""
    df = c.frames.get(table)
    if df is None:
        return
    cols = [col for col in order if c.has(table, col)]
    if len(cols) < 2:
        return
    n = len(df)
    prev_val = np.full(n, np.nan)
    prev_idx = np.full(n, -1)
    for j, col in enumerate(cols):  # a few stage columns, each vectorised over all rows
        v = _ymd(df[col]).astype("float64").to_numpy(na_value=np.nan)
        bad = ~np.isnan(v) & ~np.isnan(prev_val) & (v < np.nan_to_num(prev_val, nan=-np.inf))
        if bad.any():
            earlier = pd.Series(pd.NA, index=df.index, dtype="object")
            for i, src in enumerate(cols[:j]):
                pick = bad & (prev_idx == i)
                if pick.any():
                    earlier[pick] = src + " " + _text(df[src][pick])
            c.add("V-PROJECT-DATE-ORDER", table, bad, col, detail=earlier.astype("str"))
        has = ~np.isnan(v)
        prev_val = np.where(has, v, prev_val)
        prev_idx = np.where(has, j, prev_idx)


def _projects(c: Context) -> None:
    _date_order(c, "projects", PROJECT_DATE_ORDER)
    _date_order(c, "projects", PUBLICITY_ORDER)


def _payments(c: Context) -> None:
    p = c.frames.get("payments")
    if p is None:
        return
    for col, table, code in (
        ("project_id", "projects", "V-PAYMENT-PROJECT-UNKNOWN"),
        ("household_id", "households", "V-PAYMENT-HOUSEHOLD-UNKNOWN"),
    ):
        ref = c.frame(table, col)
        if not c.has("payments", col) or ref is None:
            continue
        known = pd.Index(ref[col].dropna().unique())
        c.add(code, "payments", p[col].notna() & ~_isin(p[col], known), col)


# The rules that look at ID numbers (sex and birth date from the ID, uniqueness, 户主):
# validate can run them beside the others, in another process that also classifies the IDs.
ID_RULES = (_relations, _id_uniqueness, _head_id, _id_vs_columns)

RULES = (
    _member_household_links,
    _relations,
    _household_size,
    _id_uniqueness,
    _head_id,
    _id_vs_columns,
    _education,
    _labour,
    _work_months,
    _registered_fields,
    _other_causes,
    _income,
    _villages,
    _cadres,
    _dibao,
    _projects,
    _payments,
)


def reference_date(data_year: int | None) -> pd.Timestamp:
    """Ages are taken on 31 December of the income year (data year − 1), as identify does."""
    if data_year is None:
        return pd.Timestamp.today().normalize()
    return pd.Timestamp(year=data_year - 1, month=12, day=31)


def check_crosstable(
    frames: dict[str, pd.DataFrame],
    params: Params,
    *,
    data_year: int | None = None,
    id_columns: dict[tuple[str, str], IdColumn] | None = None,
    absent: set[tuple[str, str]] | None = None,
    rules: Sequence[Callable[[Context], None]] = RULES,
) -> Findings:
    """Every cross-table and cross-row rule (or those of ``rules``) over the tables present.

    ``absent`` names (table, column) pairs to treat as missing although the frame has
    them: the reader adds a missing required column as all NA and reports it once.
    """
    c = Context(
        frames=frames,
        params=params,
        ref_date=reference_date(data_year),
        ids=dict(id_columns or {}),
        absent=set(absent or ()),
    )
    for rule in rules:
        rule(c)
    return c.findings
