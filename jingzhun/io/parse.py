"""Vectorised value parsers: raw text → typed pandas arrays (data-contract §1 "Values").

Each parser takes a Series of raw text (trimmed, missing = NA) and returns the typed
Series and a boolean mask of values that were present but could not be parsed. The
column converters work on the distinct values only (``pd.factorize``), so a column of
millions of rows with a few hundred distinct values costs a few hundred parses.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jingzhun import tablespec as reg

# Full-width ASCII (U+FF01–U+FF5E) → ASCII, ideographic space → space.
FULLWIDTH = str.maketrans({chr(0xFF01 + i): chr(0x21 + i) for i in range(0x5E)} | {"\u3000": " "})

# Patterns are plain strings so that pandas runs them in pyarrow (compiled patterns fall back to Python).
_PLAIN = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
_NUM_JUNK = r"[,\s¥￥]"
_NUM_UNIT = r"(元|万元|亩|平方米|㎡|m2|m²|M2|公里|km|KM|千米|个月|月|人|户|年)$"
_TIME_PART = r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$"
_YMD = r"\d{4}-\d{1,2}-\d{1,2}"

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Excel serial dates accepted: 1910-01-01 .. 2099-12-31. Four-digit years (< 3654) never collide.
SERIAL_MIN, SERIAL_MAX = 3654, 73050
# Typed date columns are datetime64[ns]; a date outside its range (a typo like 2916-03-01) is unparsed.
NS_MIN, NS_MAX = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")

Parser = Callable[[pd.Series], tuple[pd.Series, np.ndarray]]


def halfwidth(s: pd.Series) -> pd.Series:
    """Full-width digits, letters and punctuation → ASCII (only rows that have any are touched)."""
    s = s.astype("str")
    wide = s.str.contains("[\uff01-\uff5e\u3000]", regex=True).fillna(False).astype(bool)
    if not wide.any():
        return s
    out = s.copy()
    out[wide] = s[wide].str.translate(FULLWIDTH)
    return out


def _bad(raw: pd.Series, parsed: pd.Series) -> np.ndarray:
    return (raw.notna() & parsed.isna()).to_numpy(dtype=bool)


def parse_number(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Money and area: ``1,234.50``, ``1234.5元``, full-width digits, ``12亩``."""
    raw = raw.astype("str")
    plain = raw.str.fullmatch(_PLAIN).fillna(False).astype(bool)
    num = pd.Series(np.nan, index=raw.index, dtype="float64")
    if plain.any():
        num[plain] = pd.to_numeric(raw[plain], errors="coerce")
    rest = raw.notna() & ~plain
    if rest.any():
        s = halfwidth(raw[rest]).str.replace(_NUM_JUNK, "", regex=True).str.replace(_NUM_UNIT, "", regex=True)
        num[rest] = pd.to_numeric(s.where(s.str.fullmatch(_PLAIN)), errors="coerce")
    out = num.astype("Float64")
    out = out.where(np.isfinite(out.fillna(0.0)))
    return out, _bad(raw, out)


def parse_int(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    num, _ = parse_number(raw)
    integral = num.notna() & (num == num.round(0)) & (num.abs() < 2**53)
    out = num.where(integral).round(0).astype("Int64")
    return out, _bad(raw, out)


def parse_year(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    s = halfwidth(raw).str.strip().str.replace(r"(年度|年)$", "", regex=True)
    num, _ = parse_int(s)
    out = num.where((num >= 1900) & (num <= 2100))
    return out.astype("Int64"), _bad(raw, out)


def parse_bool(raw: pd.Series, mapping: dict[str, bool]) -> tuple[pd.Series, np.ndarray]:
    keys = raw.map(lambda v: reg.key(v) if isinstance(v, str) else v)
    out = keys.map(mapping).astype("boolean")
    return out, _bad(raw, out)


def parse_date(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """``2016-03-01``, ``2016/3/1``, ``2016.3.1``, ``2016年3月1日``, ``20160301``, Excel serials; mixed."""
    s = halfwidth(raw).str.strip()
    s = s.str.replace(_TIME_PART, "", regex=True)
    dashed = s.str.replace(r"[年月/.]", "-", regex=True).str.replace(r"日$", "", regex=True)
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    ymd = dashed.str.fullmatch(_YMD).fillna(False).astype(bool)
    if ymd.any():
        out[ymd] = _in_ns_range(pd.to_datetime(dashed[ymd], format="%Y-%m-%d", errors="coerce"))
    compact = s.str.fullmatch(r"\d{8}").fillna(False).astype(bool)
    if compact.any():
        out[compact] = _in_ns_range(pd.to_datetime(s[compact], format="%Y%m%d", errors="coerce"))
    serial_like = s.str.fullmatch(r"\d{4,5}(\.\d+)?").fillna(False).astype(bool) & ~compact
    if serial_like.any():
        num = pd.to_numeric(s[serial_like], errors="coerce")
        ok = (num >= SERIAL_MIN) & (num <= SERIAL_MAX)
        days = np.floor(num[ok].to_numpy(dtype=float))
        out[ok[ok].index] = EXCEL_EPOCH + pd.to_timedelta(days, unit="D")
    return out, _bad(raw, out)


def _in_ns_range(parsed: pd.Series) -> pd.Series:
    """Parsed dates as datetime64[ns]; dates the unit cannot hold become NaT (and so findings)."""
    ok = (parsed >= NS_MIN) & (parsed <= NS_MAX)
    return parsed.where(ok).astype("datetime64[ns]")


def parse_enum(raw: pd.Series, mapping: dict[str, str]) -> tuple[pd.Series, np.ndarray]:
    mapped = raw.map(lambda v: mapping.get(reg.key(v)) if isinstance(v, str) else None)
    out = mapped.astype("str")
    out = out.where(mapped.notna())
    return out, _bad(raw, out)


def parse_multi(
    raw: pd.Series, mapping: dict[str, str], order: tuple[str, ...]
) -> tuple[pd.Series, np.ndarray, pd.Series]:
    """Labels split on ``,，、;；``, normalised, de-duplicated, rejoined by ``,`` in list order.

    Returns (typed, bad mask, unknown parts joined by ``,``). A cell with some unknown
    parts keeps its known labels; it is bad (reported) all the same.
    """
    rank = {lab: i for i, lab in enumerate(order)}
    typed: list[str | None] = []
    unknown: list[str | None] = []
    for v in raw.tolist():
        if not isinstance(v, str):
            typed.append(None)
            unknown.append(None)
            continue
        parts = [p.strip() for p in re.split(reg.MULTI_SEPARATORS, v) if p.strip()]
        known = {mapping[k] for k in (reg.key(p) for p in parts) if k in mapping}
        bad_parts = [p for p in parts if reg.key(p) not in mapping]
        typed.append(",".join(sorted(known, key=rank.__getitem__)) or None)
        unknown.append(",".join(bad_parts) or None)
    out = pd.Series(typed, index=raw.index, dtype="str")
    unk = pd.Series(unknown, index=raw.index, dtype="str")
    return out, unk.notna().to_numpy(dtype=bool), unk


# ---- arrow helpers ----------------------------------------------------------------------


def trim(arr: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray:
    """Trimmed text, empty → null (arrow string in, arrow large_string out)."""
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.large_string())
    t = pc.utf8_trim_whitespace(arr)
    return pc.if_else(pc.equal(t, ""), pa.scalar(None, t.type), t)


def to_str_series(arr: pa.ChunkedArray | pa.Array) -> pd.Series:
    return pd.Series(pd.array(arr, dtype="str") if len(arr) else pd.array([], dtype="str"))


def by_unique(arr: pa.ChunkedArray, fn: Callable[[pd.Series], tuple]) -> tuple:
    """Apply a parser to the distinct values of ``arr`` and spread the results.

    ``fn`` returns a tuple whose first items are Series aligned to the distinct values
    and whose other items may be boolean ndarrays; each is taken back to full length.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    d = pc.dictionary_encode(arr)
    uniq = to_str_series(d.dictionary)
    idx = d.indices.to_numpy(zero_copy_only=False)
    nulls = np.asarray(d.indices.is_null())
    idx = np.where(nulls, -1, idx).astype(np.int64)
    results = fn(uniq)
    spread: list[pd.Series | np.ndarray] = []
    for r in results:
        if isinstance(r, pd.Series) and r.dtype == "str":  # text (enum labels): taken in Arrow, nulls stay null
            spread.append(to_str_series(pc.take(pa.array(r.array), d.indices)))
        elif isinstance(r, pd.Series):
            spread.append(pd.Series(r.array.take(idx, allow_fill=True)))
        else:
            full = np.zeros(len(idx), dtype=bool)
            full[~nulls] = np.asarray(r)[idx[~nulls]]
            spread.append(full)
    return tuple(spread)
