"""Both sides of the linkage as flat person frames, with normalised keys.

The register side (``persons``) is every member row joined to its household; the
roster side (``roster``) is every 低保/特困 roster row. Each gets a positional integer
key (``_p`` and ``_r``) that the passes join on. IDs are turned into int64 codes of
their first 17 digits so that the joins over millions of rows are integer joins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jingzhun import ids
from jingzhun.match import names
from jingzhun.tablespec import conform, provided

OUTGOING = ("死亡", "嫁出", "出国定居", "判刑收监", "其他转出")
# ISO 7064 MOD 11-2: residue → check value (X = 10), as in jingzhun.ids.CHECK_CHARS.
RESIDUE_TO_CHECK = np.array([1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2], dtype=np.int64)
POW10 = 10 ** np.arange(16, -1, -1, dtype=np.int64)  # place value of each of the 17 digits

_VILLAGE_SUFFIXES = ("村民委员会", "村委会", "居民委员会", "居委会", "村")


def _col(df: pd.DataFrame, name: str, dtype: str = "str") -> pd.Series:
    if name in df.columns:
        s = df[name]
        return s.astype("str") if dtype == "str" and s.dtype != "str" else s
    return pd.Series(pd.NA, index=df.index, dtype=dtype)


def digits17(id18: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(mask of rows whose first 17 chars are digits, (k, 17) uint8 digit array of those rows)."""
    t = id18.astype("str")
    ok = t.str.match(r"^[0-9]{17}").fillna(False).to_numpy(dtype=bool)
    if not ok.any():
        return ok, np.zeros((0, 17), dtype=np.int64)
    body = t[ok].str.slice(0, 17)
    d = np.frombuffer("".join(body.tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 17)
    return ok, (d - ord("0")).astype(np.int64)


def code17(id18: pd.Series) -> np.ndarray:
    """int64 value of the first 17 digits, -1 where they are not 17 digits."""
    arr = pa.array(id18.astype("str"))
    arr = (arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr).cast(pa.large_string())
    ok = pc.fill_null(pc.match_substring_regex(arr, "^[0-9]{17}"), False)
    out = np.full(len(id18), -1, dtype=np.int64)
    if len(arr) and pc.any(ok).as_py():
        body = pc.utf8_slice_codeunits(arr.filter(ok), 0, 17)
        out[ok.to_numpy(zero_copy_only=False)] = pc.cast(body, pa.int64()).to_numpy()
    return out


def village_key(s: pd.Series) -> pd.Series:
    """Village names compared without spaces and the 村/村委会 suffix.

    Computed once per distinct name and spread back: the regular expressions need Python's
    (Unicode) ``\\s``, so pandas runs them per value, and a county has few village names
    against hundreds of thousands of rows."""
    codes, uniques = pd.factorize(s.astype("str"), use_na_sentinel=False)
    u = pd.Series(uniques, dtype="str")
    t = u.str.replace(r"\s+", "", regex=True)
    t = t.str.replace("(" + "|".join(_VILLAGE_SUFFIXES) + ")$", "", regex=True)
    keys = t.where(t.str.len() > 0)
    return pd.Series(keys.array.take(codes), index=s.index, dtype="str")


def village_lookup(households: pd.DataFrame, villages: pd.DataFrame | None) -> pd.DataFrame:
    """Map a village name (and township name when known) to a unique village code."""
    parts = []
    for df in (villages, households):
        if df is None or "village_code" not in df.columns or "village_name" not in df.columns:
            continue
        parts.append(
            pd.DataFrame({"vkey": village_key(df["village_name"]), "village_code": df["village_code"].astype("str")})
        )
    if not parts:
        return pd.DataFrame({"vkey": pd.Series(dtype="str"), "village_code": pd.Series(dtype="str")})
    both = pd.concat(parts, ignore_index=True).dropna().drop_duplicates()
    # A name shared by two villages (two townships) is ambiguous: not mapped.
    unique = both.groupby("vkey")["village_code"].transform("nunique") == 1
    return both[unique].drop_duplicates("vkey").reset_index(drop=True)


def _birth_key(idn: pd.Series, birth_date: pd.Series) -> pd.Series:
    """``YYYYMMDD`` from an 18-character ID, else from the birth date column.

    The date is formatted only where the ID gives none (a few rows): ``strftime`` formats
    in Python, over a second for a million members."""
    birth = idn.str.slice(6, 14).where(idn.str.len() == 18)
    need = birth.isna().to_numpy(dtype=bool)
    if not need.any():
        return birth
    bd = pd.to_datetime(birth_date, errors="coerce")[need].dt.strftime("%Y%m%d").astype("str")
    return birth.where(birth.notna(), bd.reindex(birth.index))


def persons(households: pd.DataFrame, members: pd.DataFrame, max_name: int = names.MAX_LENGTH) -> pd.DataFrame:
    """Register side: one row per member row, with household fields and keys."""
    households, members = conform("households", households), conform("members", members)
    m = members.reset_index(drop=True)
    hh_cols = [
        "household_id",
        "village_code",
        "village_name",
        "category",
        "dibao_benefit",
        "tekun_benefit",
        "head_name",
    ]
    if provided(households, "registered"):  # no 是否建档立卡 column: every household counts as registered
        hh_cols.insert(4, "registered")
    hh = households[hh_cols].drop_duplicates("household_id")
    p = pd.DataFrame(
        {
            "household_id": _col(m, "household_id"),
            "id_raw": _col(m, "id_number"),
            "name": _col(m, "name"),
            "relation": _col(m, "relation"),
            "change_reason": _col(m, "change_reason"),
            "m_row": _col(m, "_row", "Int64"),
        }
    )
    p["change_date"] = m["change_date"]
    p["on_dibao"] = _col(m, "on_dibao", "boolean")
    p["on_tekun"] = _col(m, "on_tekun", "boolean")
    idn = ids.upgrade15(ids.normalize(p["id_raw"]))
    p["id_norm"] = idn
    p["code17"] = code17(idn)
    p["birth"] = _birth_key(idn, m["birth_date"])
    # Household fields by position (a left join on the unique household_id, in member order).
    at = pc.index_in(pa.array(p["household_id"]), value_set=pa.array(hh["household_id"]))
    at = at.combine_chunks() if isinstance(at, pa.ChunkedArray) else at
    pos = at.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    found = pos >= 0
    for c in hh_cols[1:]:
        if len(hh) == 0:  # a header-only households file: no household fields to carry
            p[c] = pd.Series(pd.NA, index=p.index, dtype=hh[c].dtype)
            continue
        col = hh[c].reset_index(drop=True).take(np.where(found, pos, 0)).reset_index(drop=True)
        p[c] = col.where(found) if not found.all() else col
    if "registered" not in hh_cols:
        p["registered"] = pd.Series(True, index=p.index, dtype="boolean")
    p["current"] = ~p["change_reason"].isin(OUTGOING).fillna(False).astype(bool)
    p = pd.concat([p, names.keys(p["name"], max_name)], axis=1)
    p["_p"] = np.arange(len(p), dtype=np.int64)
    return p


def _damaged_prefix(raw: pd.Series) -> pd.Series:
    """The digits of an Excel-damaged ID that are still known (its leading digits)."""
    t = raw.astype("str").str.strip()
    sci = t.str.fullmatch(r"(\d)(?:\.(\d+))?[eE]\+?(\d+)").fillna(False).astype(bool)
    mant = (t.str.extract(r"^(\d)(?:\.(\d+))?[eE]", expand=True).fillna("")).astype("str")
    mantissa = (mant[0] + mant[1]).where(sci)
    # The last shown digit of scientific notation is rounded: only the ones before it are known.
    sci_known = mantissa.str.slice(0, -1).where(mantissa.str.len() > 1, mantissa)
    lead = t.str.extract(r"^(\d+)", expand=False).astype("str")
    known = lead.str.slice(0, 15)
    return sci_known.where(sci, known)


def roster(
    dibao: pd.DataFrame, lookup: pd.DataFrame, today: pd.Timestamp | None = None, max_name: int = names.MAX_LENGTH
) -> pd.DataFrame:
    """Roster side: one row per roster row, IDs classified, village resolved, keys."""
    d = conform("dibao", dibao).reset_index(drop=True)
    r = pd.DataFrame(
        {
            "record_id": _col(d, "record_id"),
            "id_raw": _col(d, "id_number"),
            "name": _col(d, "name"),
            "village_code_raw": _col(d, "village_code"),
            "village_name": _col(d, "village_name"),
            "family_ref": _col(d, "family_ref"),
            "relation": _col(d, "relation"),
            "program": _col(d, "program"),
            "monthly_amount": _col(d, "monthly_amount", "Float64"),
            "d_row": _col(d, "_row", "Int64"),
        }
    )
    for c in ("start_date", "end_date"):
        r[c] = pd.to_datetime(d[c], errors="coerce")
    raw = r["id_raw"]
    dot0 = raw.astype("str").str.strip().str.fullmatch(r"\d+\.0+").fillna(False).astype(bool)
    cleaned = raw.where(~dot0, raw.astype("str").str.strip().str.replace(r"\.0+$", "", regex=True))
    cls = ids.classify(cleaned, today=today)
    status = cls["status"].copy()
    norm = cls["normalized"]
    # "…​.0" that still holds every digit (a 15-digit number survives Excel intact) is usable.
    recovered = dot0 & status.isin(["valid", "upgraded15"])
    status[dot0 & ~recovered] = "excel_damaged"
    r["id_status"] = status
    r["id_norm"] = norm.where(status.isin(["valid", "upgraded15", "bad_checksum", "bad_date"]))
    r["id_exact_key"] = raw.astype("str").str.strip()
    r["code17"] = code17(r["id_norm"].where(status.isin(["valid", "upgraded15"])))
    damaged = (status == "excel_damaged").to_numpy(dtype=bool)
    r["id_prefix"] = pd.Series(pd.NA, index=r.index, dtype="str")
    if damaged.any():
        r.loc[damaged, "id_prefix"] = _damaged_prefix(raw[damaged])
    birth = r["id_norm"].str.slice(6, 14).where(r["id_norm"].str.len() == 18)
    pref = r["id_prefix"]
    birth = birth.where(birth.notna(), pref.str.slice(6, 14).where(pref.str.len() >= 14))
    r["birth"] = birth.where(birth.str.fullmatch(r"(19|20)\d{6}").fillna(False).astype(bool))
    code = r["village_code_raw"].str.strip()
    code = code.where(code.str.len() > 0)
    mapped = village_key(r["village_name"]).map(dict(zip(lookup["vkey"], lookup["village_code"], strict=True)))
    r["village_code"] = code.where(code.notna(), mapped.astype("str"))
    r["village_unknown"] = code.isna() & r["village_name"].notna() & r["village_code"].isna()
    r = pd.concat([r, names.keys(r["name"], max_name)], axis=1)
    r["_r"] = np.arange(len(r), dtype=np.int64)
    return r


def months_in_year(start: pd.Series, end: pd.Series, year: int) -> pd.Series:
    """Calendar months of ``year`` covered by [start, end] (end empty = still covered)."""
    s = pd.to_datetime(start, errors="coerce")
    e = pd.to_datetime(end, errors="coerce")
    sm = (s.dt.year * 12 + s.dt.month - 1).astype("Float64")
    em = (e.dt.year * 12 + e.dt.month - 1).astype("Float64").fillna(year * 12 + 11)
    lo = sm.fillna(year * 12).clip(lower=year * 12)
    hi = em.clip(upper=year * 12 + 11)
    months = (hi - lo + 1).clip(lower=0)
    return months.where(s.notna(), 0).astype("Float64")
