"""居民身份证号码 (GB 11643-1999) and 区划代码 logic, vectorised over pandas Series.

Plain-Python reference versions (``*_one``) exist for property tests; domain code uses
the Series functions. Nothing here reports findings: callers decide what a failure means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = "10X98765432"
_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "X", "x": "X", "\u3000": " "})

# An ID that went through an Excel number cell: scientific notation, a trailing ".0",
# or 18 digits ending in "000" with a wrong checksum (15 significant digits kept).
_SCI = r"^\d(?:\.\d+)?[eE]\+?\d+$"
_DOT0 = r"^\d+\.0+$"


def check_char_one(first17: str) -> str:
    s = sum(int(c) * w for c, w in zip(first17, WEIGHTS.tolist(), strict=True))
    return CHECK_CHARS[s % 11]


def normalize_one(raw: str | None) -> str | None:
    """Trim, full-width → half-width, lower-case x → X, drop inner spaces (no 15→18)."""
    if raw is None:
        return None
    s = str(raw).translate(_FULLWIDTH).replace(" ", "").replace("\t", "").strip().upper()
    return s or None


def upgrade15_one(id15: str) -> str:
    body = id15[:6] + "19" + id15[6:]
    return body + check_char_one(body)


def is_valid_one(id18: str, today: str = "99991231") -> bool:
    if len(id18) != 18 or not id18[:17].isdigit() or id18[17] not in "0123456789X":
        return False
    if check_char_one(id18[:17]) != id18[17]:
        return False
    return _valid_date_one(id18[6:14], today)


def _valid_date_one(ymd: str, today: str) -> bool:
    try:
        d = pd.Timestamp(f"{ymd[:4]}-{ymd[4:6]}-{ymd[6:8]}")
    except ValueError:
        return False
    return 1900 <= d.year and ymd <= today


# ---- vectorised ----------------------------------------------------------------------

def _text(s: pd.Series) -> pd.Series:
    return s.astype("str") if s.dtype != "str" else s


def normalize(s: pd.Series) -> pd.Series:
    """Vectorised :func:`normalize_one`: full-width, lower-case x, spaces. Empty → NA."""
    t = _text(s).str.translate(_FULLWIDTH).str.replace(r"\s+", "", regex=True).str.upper()
    return t.where(t.str.len() > 0)


def checksum_ok(s: pd.Series) -> pd.Series:
    """True where s is 17 digits + the right check character (no date check)."""
    t = _text(s)
    shape = t.str.fullmatch(r"[0-9]{17}[0-9X]").fillna(False).astype(bool)
    out = pd.Series(False, index=s.index)
    if not shape.any():
        return out
    good = t[shape]
    digits = np.frombuffer("".join(good.str.slice(0, 17).tolist()).encode("ascii"), dtype=np.uint8)
    digits = (digits - ord("0")).astype(np.int64).reshape(-1, 17)
    rem = (digits @ WEIGHTS) % 11
    expected = np.array(list(CHECK_CHARS))[rem]
    out.loc[good.index] = expected == good.str.slice(17, 18).to_numpy(dtype=object)
    return out


def check_char(first17: pd.Series) -> pd.Series:
    """Check character for 17-digit strings (NA where not 17 digits)."""
    t = _text(first17)
    ok = t.str.fullmatch(r"[0-9]{17}").fillna(False).astype(bool)
    out = pd.Series(pd.NA, index=first17.index, dtype="str")
    if ok.any():
        good = t[ok]
        digits = np.frombuffer("".join(good.tolist()).encode("ascii"), dtype=np.uint8)
        digits = (digits - ord("0")).astype(np.int64).reshape(-1, 17)
        out.loc[good.index] = np.array(list(CHECK_CHARS))[(digits @ WEIGHTS) % 11]
    return out


def upgrade15(s: pd.Series) -> pd.Series:
    """15-digit first-generation numbers → 18 digits; other values unchanged."""
    t = _text(s)
    is15 = t.str.fullmatch(r"[0-9]{15}").fillna(False).astype(bool)
    if not is15.any():
        return t
    body = t[is15].str.slice(0, 6) + "19" + t[is15].str.slice(6)
    out = t.copy()
    out.loc[is15] = body + check_char(body)
    return out


def birth_date(s: pd.Series) -> pd.Series:
    """Birth date from an 18-digit ID (NaT where the digits are not a real date)."""
    t = _text(s)
    ymd = t.str.slice(6, 14).where(t.str.len() == 18)
    return pd.to_datetime(ymd, format="%Y%m%d", errors="coerce")


def sex(s: pd.Series) -> pd.Series:
    """'男' / '女' from digit 17 of an 18-digit ID (NA when not a digit)."""
    t = _text(s)
    d = pd.to_numeric(t.str.slice(16, 17).where(t.str.len() == 18), errors="coerce")
    out = pd.Series(pd.NA, index=s.index, dtype="str")
    out[d.notna() & (d % 2 == 1)] = "男"
    out[d.notna() & (d % 2 == 0)] = "女"
    return out


def region(s: pd.Series) -> pd.Series:
    """The 6-digit address code (GB/T 2260) at the start of an ID."""
    return _text(s).str.slice(0, 6)


def excel_damaged(s: pd.Series) -> pd.Series:
    """IDs that went through an Excel number cell and lost digits for good.

    Scientific notation (``4.21121E+17``), a trailing ``.0``, or 18 digits ending in
    ``000`` whose checksum fails (Excel keeps 15 significant digits).
    """
    t = _text(s).str.strip()
    sci = t.str.fullmatch(_SCI).fillna(False).astype(bool)
    dot0 = t.str.fullmatch(_DOT0).fillna(False).astype(bool)
    zeros = t.str.fullmatch(r"[0-9]{15}000").fillna(False).astype(bool) & ~checksum_ok(t)
    return sci | dot0 | zeros


def classify(s: pd.Series, today: pd.Timestamp | None = None) -> pd.DataFrame:
    """Normalise and classify a Series of raw ID numbers.

    Returns a frame aligned to ``s`` with:
    ``normalized`` (after full-width/x/space clean-up and 15→18 upgrade),
    ``status``: one of ``empty``, ``valid``, ``upgraded15`` (valid after 15→18),
    ``excel_damaged``, ``bad_checksum``, ``bad_date``, ``bad_format``.
    """
    today = today or pd.Timestamp.today().normalize()
    norm = normalize(s)
    status = pd.Series("bad_format", index=s.index, dtype="str")
    empty = norm.isna()
    damaged = excel_damaged(s.astype("str")) & ~empty
    is15 = norm.str.fullmatch(r"[0-9]{15}").fillna(False).astype(bool)
    up = upgrade15(norm)
    shape18 = up.str.fullmatch(r"[0-9]{17}[0-9X]").fillna(False).astype(bool)
    ck = checksum_ok(up)
    bd = birth_date(up)
    date_ok = bd.notna() & (bd <= today) & (bd.dt.year >= 1900)
    status[shape18 & ~ck] = "bad_checksum"
    status[shape18 & ck & ~date_ok] = "bad_date"
    status[shape18 & ck & date_ok] = "valid"
    status[is15 & shape18 & ck & date_ok] = "upgraded15"
    status[damaged] = "excel_damaged"
    status[empty] = "empty"
    return pd.DataFrame({"normalized": up.where(~empty), "status": status}, index=s.index)


def mask(s: pd.Series) -> pd.Series:
    """Mask for public notices: first 6 + 8 asterisks + last 4 (``421121********1234``)."""
    t = normalize(s)
    masked = t.str.slice(0, 6) + "********" + t.str.slice(-4)
    return masked.where(t.str.len() >= 15, "******").fillna("")
