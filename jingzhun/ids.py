"""居民身份证号码 (GB 11643-1999) and 区划代码 logic, vectorised over pandas Series.

Plain-Python reference versions (``*_one``) exist for property tests; domain code uses
the Series functions, which work on the pyarrow buffers and stay fast on millions of
rows. Nothing here reports findings: callers decide what a failure means.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = "10X98765432"
_CHECK_BYTES = np.frombuffer(CHECK_CHARS.encode("ascii"), dtype=np.uint8)
_WEIGHT_LIST = [int(w) for w in WEIGHTS]
_WEIGHT_SUM = sum(_WEIGHT_LIST)
_FULLWIDTH = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "X", "x": "X", "\u3000": " "}
)
MIN_BIRTH_YEAR = 1900  # county check scripts: 1900 ≤ birth year ≤ current year (domain.md §10.1)

# An ID that went through an Excel number cell: scientific notation, a trailing ".0",
# or 18 digits ending in "000" with a wrong checksum (15 significant digits kept).
_SCI = r"^\d(?:\.\d+)?[eE]\+?\d+$"
_DOT0 = r"^\d+\.0+$"
_SHAPE18 = r"[0-9]{17}[0-9X]"


# ---- plain reference implementations ---------------------------------------------------


def check_char_one(first17: str) -> str:
    s = sum(int(c) * w for c, w in zip(first17, WEIGHTS.tolist(), strict=True))
    return CHECK_CHARS[s % 11]


def normalize_one(raw: str | None) -> str | None:
    """Trim, full-width → half-width, lower-case x → X, drop all white space (no 15→18)."""
    if raw is None:
        return None
    s = re.sub(r"\s+", "", str(raw).translate(_FULLWIDTH))
    return s or None


def upgrade15_one(id15: str) -> str:
    body = id15[:6] + "19" + id15[6:]
    return body + check_char_one(body)


def checksum_ok_one(id18: str) -> bool:
    return (
        len(id18) == 18
        and id18[:17].isascii()
        and id18[:17].isdigit()
        and id18[17] in "0123456789X"
        and check_char_one(id18[:17]) == id18[17]
    )


def birth_date_one(id18: str) -> _dt.date | None:
    if len(id18) != 18 or not id18[6:14].isascii() or not id18[6:14].isdigit():
        return None
    try:
        return _dt.date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))
    except ValueError:
        return None


def sex_one(id18: str) -> str | None:
    if len(id18) != 18 or id18[16] not in "0123456789":
        return None
    return "男" if int(id18[16]) % 2 == 1 else "女"


def _valid_date_one(ymd: str, today: str) -> bool:
    d = birth_date_one("000000" + ymd + "0000")
    return d is not None and d.year >= MIN_BIRTH_YEAR and ymd <= today


def is_valid_one(id18: str, today: str = "99991231") -> bool:
    return checksum_ok_one(id18) and _valid_date_one(id18[6:14], today)


def excel_damaged_one(raw: str | None) -> bool:
    if raw is None:
        return False
    t = str(raw).strip()
    if re.fullmatch(_SCI, t) or re.fullmatch(_DOT0, t):
        return True
    return bool(re.fullmatch(r"[0-9]{15}000", t)) and not checksum_ok_one(t)


def classify_one(raw: str | None, today: str = "99991231") -> tuple[str | None, str]:
    """(normalized, status) for one raw value; see :func:`classify`."""
    norm = normalize_one(raw)
    if norm is None:
        return None, "empty"
    if excel_damaged_one(raw):
        return norm, "excel_damaged"
    is15 = bool(re.fullmatch(r"[0-9]{15}", norm))
    up = upgrade15_one(norm) if is15 else norm
    if not re.fullmatch(_SHAPE18, up):
        return up, "bad_format"
    if not checksum_ok_one(up):
        return up, "bad_checksum"
    if not _valid_date_one(up[6:14], today):
        return up, "bad_date"
    return up, "upgraded15" if is15 else "valid"


def region_one(id_: str) -> str:
    return id_[:6]


def mask_one(raw: str | None) -> str:
    norm = normalize_one(raw)
    if norm is None:
        return ""
    if len(norm) < 15:
        return "******"
    return norm[:6] + "********" + norm[-4:]


# ---- vectorised ----------------------------------------------------------------------


def _text(s: pd.Series) -> pd.Series:
    return s if s.dtype == "str" else s.astype("str")


def _arrow(t: pd.Series) -> pa.Array:
    a = t.array.__arrow_array__()
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _series(a: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(pd.array(a, dtype="str"), index=index)


def _bool(mask: pd.Series) -> np.ndarray:
    return np.array(mask.fillna(False).to_numpy(dtype=bool), dtype=bool, copy=True)


def _large(a: pa.Array) -> pa.Array:
    """Text as ``large_string``: 64-bit offsets, so the buffers read the same way below."""
    return a if pa.types.is_large_string(a.type) else a.cast(pa.large_string())


def _offsets(a: pa.Array) -> np.ndarray:
    """The ``len(a) + 1`` byte offsets of a ``large_string`` array (a slice starts where it starts)."""
    return np.frombuffer(a.buffers()[1], dtype=np.int64)[a.offset : a.offset + len(a) + 1]


def _matrix(a: pa.Array, width: int) -> np.ndarray:
    """The bytes of ``a`` (no nulls, every value ``width`` bytes long) as an (n, width) matrix: a
    read-only view of Arrow's buffer, no copy."""
    if len(a) == 0:
        return np.zeros((0, width), dtype=np.uint8)
    a = _large(a)
    off = _offsets(a)
    data = np.frombuffer(a.buffers()[2], dtype=np.uint8)[off[0] : off[-1]]
    return data.reshape(-1, width)


def _digits(t: pd.Series, rows: np.ndarray, width: int) -> np.ndarray:
    """Byte matrix (n, width) of the strings at ``rows`` (all ASCII, exactly ``width`` long)."""
    return _matrix(pc.filter(_arrow(t), pa.array(rows)), width)


def _ascii18(t: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(rows holding exactly 18 ASCII characters, their (k, 18) byte matrix), read from the arrow buffers.

    The fast paths below handle these rows with numpy; other rows (rare in real data) go
    through the general string code. When every row has 18 bytes the matrix is Arrow's own
    buffer; otherwise Arrow gathers those rows into one (numpy's fancy indexing of a sliding
    window over the buffer took seconds at a province's members).
    """
    a = _large(_arrow(t))
    n = len(a)
    if n == 0 or a.buffers()[2] is None:
        return np.zeros(n, dtype=bool), np.zeros((0, 18), dtype=np.uint8)
    rows = np.diff(_offsets(a)) == 18
    if a.null_count:
        rows &= np.asarray(a.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    if not rows.any():
        return np.zeros(n, dtype=bool), np.zeros((0, 18), dtype=np.uint8)
    m = _matrix(a if rows.all() else pc.filter(a, pa.array(rows)), 18)
    ascii_ = _all_columns(m, lambda col: col < 128)
    if not ascii_.all():
        rows[np.flatnonzero(rows)[~ascii_]] = False
        m = m[ascii_]
    return rows, m


def _text_bytes(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The UTF-8 bytes of a text column as Arrow holds them: (offsets, data, validity or None)."""
    a = _large(_arrow(s))
    n = len(a)
    off = _offsets(a) if n else np.zeros(1, np.int64)
    data = np.frombuffer(a.buffers()[2], dtype=np.uint8) if n and a.buffers()[2] is not None else np.zeros(0, np.uint8)
    valid = np.asarray(a.is_valid().to_numpy(zero_copy_only=False), dtype=bool) if a.null_count else None
    return off, data, valid


def _rows_holding(off: np.ndarray, data: np.ndarray, marks: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Rows (by their byte ``off``-sets) holding at least one byte for which ``marks`` is true."""
    out = np.zeros(len(off) - 1, dtype=bool)
    hit = np.flatnonzero(marks(data[off[0] : off[-1]]))
    if len(hit):
        out[np.searchsorted(off, hit + off[0], side="right") - 1] = True
    return out


def excel_suspects(s: pd.Series) -> np.ndarray:
    """Rows holding ".", "e" or "E" or ending in "000" (optionally before one final newline): what a
    long number becomes in Excel (``1.23457E+17``, ``421121198001010000``, ``4211211980.0``). The
    regular expression ``[.eE]|000$``, read from Arrow's bytes: these ASCII bytes never occur inside
    a multi-byte character, and a whole column of IDs is scanned several times faster than by RE2."""
    off, data, valid = _text_bytes(s)
    out = _rows_holding(off, data, lambda b: (b == 46) | (b == 101) | (b == 69))  # . e E
    length = np.diff(off)
    for newline in (0, 1):
        rows = np.flatnonzero(length >= 3 + newline)
        end = off[1:][rows] - newline
        hit = (data[end - 1] == 48) & (data[end - 2] == 48) & (data[end - 3] == 48)
        if newline:
            hit &= data[end] == 10
        out[rows[hit]] = True
    return out if valid is None else out & valid


def _is_digit(m: np.ndarray) -> np.ndarray:
    return (m >= 48) & (m <= 57)


def _all_columns(m: np.ndarray, test: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Rows of the byte matrix ``m`` where ``test`` holds in every column: one pass per column.
    numpy's ``.all(axis=1)`` over a short row costs several times as much at a million rows."""
    ok = np.ones(len(m), dtype=bool)
    for j in range(m.shape[1]):
        ok &= test(m[:, j])
    return ok


def _all_digits(m: np.ndarray) -> np.ndarray:
    """Rows of ``m`` that are ASCII digits in every column."""
    return _all_columns(m, lambda col: (col - np.uint8(48)) < 10)  # below "0" wraps round to >= 208


def _number(m: np.ndarray) -> np.ndarray:
    """Columns of ASCII digits → integers (row-wise)."""
    out = np.zeros(len(m), dtype=np.int64)
    for j in range(m.shape[1]):
        out = out * 10 + (m[:, j].astype(np.int64) - 48)
    return out


def _real_date(y: np.ndarray, mo: np.ndarray, d: np.ndarray) -> np.ndarray:
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    dim = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(mo, 0, 12)] + ((mo == 2) & leap)
    return (mo >= 1) & (mo <= 12) & (d >= 1) & (d <= dim)


def normalize(s: pd.Series) -> pd.Series:
    """Vectorised :func:`normalize_one`: full-width, lower-case x, white space. Empty → NA."""
    t = _text(s)
    # rows with a byte other than 0-9 and X (what the regular expression [^0-9X] finds), from the bytes
    off, data, valid = _text_bytes(t)
    need = _rows_holding(off, data, lambda b: ((b < 48) | (b > 57)) & (b != 88))
    if valid is not None:
        need &= valid
    if need.any():
        t = t.copy()
        t[need] = t[need].str.translate(_FULLWIDTH).str.replace(r"\s+", "", regex=True)
    return t.where(t.str.len() > 0)


def _check_bytes(digits17: np.ndarray) -> np.ndarray:
    """The check character (as a byte) of each row of 17 ASCII digits. Summed column by column in
    int32: a (rows, 17) int64 copy for a matrix product would be 0.5 GB at a province's members."""
    acc = np.zeros(len(digits17), dtype=np.int32)
    for j, weight in enumerate(_WEIGHT_LIST):
        acc += digits17[:, j].astype(np.int32) * weight
    return _CHECK_BYTES[(acc - 48 * _WEIGHT_SUM) % 11]


def _checksum_ok_shaped(t: pd.Series, shape: np.ndarray) -> np.ndarray:
    out = np.zeros(len(t), dtype=bool)
    if shape.any():
        m = _digits(t, shape, 18)
        out[shape] = _check_bytes(m[:, :17]) == m[:, 17]
    return out


def checksum_ok(s: pd.Series) -> pd.Series:
    """True where s is 17 digits + the right check character (no date check)."""
    t = _text(s)
    shape = _bool(t.str.fullmatch(_SHAPE18))
    return pd.Series(_checksum_ok_shaped(t, shape), index=s.index)


def check_char(first17: pd.Series) -> pd.Series:
    """Check character for 17-digit strings (NA where not 17 digits)."""
    t = _text(first17)
    ok = _bool(t.str.fullmatch(r"[0-9]{17}"))
    out = np.full(len(t), None, dtype=object)
    if ok.any():
        out[ok] = _check_bytes(_digits(t, ok, 17)).view("S1").astype("U1")
    return pd.Series(out, index=first17.index, dtype="str")


def upgrade15(s: pd.Series) -> pd.Series:
    """15-digit first-generation numbers → 18 digits; other values unchanged."""
    t = _text(s)
    is15 = _bool(t.str.fullmatch(r"[0-9]{15}"))
    if not is15.any():
        return t
    body = t[is15].str.slice(0, 6) + "19" + t[is15].str.slice(6)
    out = t.copy()
    out[is15] = body + check_char(body)
    return out


def _birth_date_text(t: pd.Series) -> pd.Series:
    ymd = t.str.slice(6, 14).where(t.str.len() == 18)
    return pd.to_datetime(ymd, format="%Y%m%d", errors="coerce")


def birth_date(s: pd.Series) -> pd.Series:
    """Birth date from an 18-digit ID (NaT where the digits are not a real date)."""
    t = _text(s)
    rows, m = _ascii18(t)
    digits = _all_digits(m[:, 6:14])
    y = _number(m[:, 6:10])
    fast = digits & (y >= 1000)
    if not fast.any():
        return _birth_date_text(t)
    mo, d = _number(m[:, 10:12]), _number(m[:, 12:14])
    real = fast & _real_date(y, mo, d)
    out = np.full(len(t), np.datetime64("NaT", "us"), dtype="datetime64[us]")
    at = np.flatnonzero(rows)
    days = (y[real] - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (mo[real] - 1).astype("timedelta64[M]")
    out[at[real]] = days.astype("datetime64[D]") + (d[real] - 1).astype("timedelta64[D]")
    slow = _bool(t.notna())
    slow[at[fast]] = False
    if slow.any():
        out[slow] = _birth_date_text(t[slow]).to_numpy(dtype="datetime64[us]")
    return pd.Series(out, index=s.index)


def sex(s: pd.Series) -> pd.Series:
    """'男' / '女' from digit 17 of an 18-digit ID (NA when not a digit)."""
    t = _text(s)
    rows, m = _ascii18(t)
    code = np.full(len(t), -1, dtype=np.int64)
    code[rows] = np.where(_is_digit(m[:, 16]), (m[:, 16].astype(np.int64) - 48) % 2, -1)
    slow = _bool(t.notna()) & ~rows
    if slow.any():
        d = t[slow].str.slice(16, 17).where(t[slow].str.len() == 18)
        code[slow] = np.where(_bool(d.isin(list("13579"))), 1, np.where(_bool(d.isin(list("02468"))), 0, -1))
    return code_labels(code, ("女", "男"), s.index)


def code_labels(code: np.ndarray, labels: tuple[str, ...], index: pd.Index) -> pd.Series:
    """``labels[code]`` as a ``str`` Series (NA where code is -1), built in Arrow: no Python string per row."""
    taken = pc.take(pa.array(labels, type=pa.large_string()), pa.array(code, mask=code < 0))
    return pd.Series(pd.array(taken, dtype="str"), index=index)


def region(s: pd.Series) -> pd.Series:
    """The 6-digit address code (GB/T 2260) at the start of an ID."""
    return _text(s).str.slice(0, 6)


def excel_damaged(s: pd.Series) -> pd.Series:
    """IDs that went through an Excel number cell and lost digits for good.

    Scientific notation (``4.21121E+17``), a trailing ``.0``, or 18 digits ending in
    ``000`` whose checksum fails (Excel keeps 15 significant digits).
    """
    t = _text(s).str.strip()
    out = np.zeros(len(t), dtype=bool)
    cand = _bool(t.str.contains(r"[.eE]|000$", regex=True))
    if cand.any():
        c = t[cand]
        sci = _bool(c.str.fullmatch(_SCI)) | _bool(c.str.fullmatch(_DOT0))
        z = _bool(c.str.fullmatch(r"[0-9]{15}000"))
        z &= ~_checksum_ok_shaped(c, z)
        out[cand] = sci | z
    return pd.Series(out, index=s.index)


def classify(s: pd.Series, today: pd.Timestamp | None = None) -> pd.DataFrame:
    """Normalise and classify a Series of raw ID numbers.

    Returns a frame aligned to ``s`` with:
    ``normalized`` (after full-width/x/space clean-up and 15→18 upgrade),
    ``status``: one of ``empty``, ``valid``, ``upgraded15`` (valid after 15→18),
    ``excel_damaged``, ``bad_checksum``, ``bad_date``, ``bad_format``.
    A valid date is a real calendar date from :data:`MIN_BIRTH_YEAR` to ``today``.
    """
    today = today or pd.Timestamp.today().normalize()
    raw = _text(s)
    # Fast path: 17 digits + digit or X, the form nearly every value has. Checksum, date
    # and Excel damage come straight from the bytes; other rows take the general path.
    rows, m = _ascii18(raw)
    clean = _all_digits(m[:, :17]) & (_is_digit(m[:, 17]) | (m[:, 17] == 88))
    if clean.any():
        at = np.flatnonzero(rows)[clean]
        m = m[clean]
        ck = _check_bytes(m[:, :17]) == m[:, 17]
        y, mo, d = _number(m[:, 6:10]), _number(m[:, 10:12]), _number(m[:, 12:14])
        date_ok = _real_date(y, mo, d) & (y >= MIN_BIRTH_YEAR) & (y * 10000 + mo * 100 + d <= _ymd(today))
        ends000 = (m[:, 15:18] == 48).all(axis=1)
        # statuses as codes into STATUSES (valid, bad_date, excel_damaged, bad_checksum, ...)
        code = np.zeros(len(raw), dtype=np.int64)
        code[at] = np.where(ck, np.where(date_ok, 0, 1), np.where(ends000, 2, 3))
        rest = np.ones(len(raw), dtype=bool)
        rest[at] = False
        if rest.any():
            sub = _classify_general(raw[rest], today)
            code[rest] = sub["status"].map(_STATUS_CODE).to_numpy(dtype=np.int64)
            normalized = raw.copy()
            normalized.iloc[np.flatnonzero(rest)] = sub["normalized"].array
        else:
            normalized = raw
        return pd.DataFrame({"normalized": normalized, "status": code_labels(code, STATUSES, s.index)}, index=s.index)
    return _classify_general(raw, today)


STATUSES = ("valid", "bad_date", "excel_damaged", "bad_checksum", "upgraded15", "bad_format", "empty")
_STATUS_CODE = {st: i for i, st in enumerate(STATUSES)}


def _ymd(ts: pd.Timestamp) -> int:
    return ts.year * 10000 + ts.month * 100 + ts.day


def _classify_general(raw: pd.Series, today: pd.Timestamp) -> pd.DataFrame:
    s = raw
    norm = normalize(raw)
    empty = _bool(norm.isna())
    damaged = excel_damaged(raw).to_numpy() & ~empty
    is15 = _bool(norm.str.fullmatch(r"[0-9]{15}"))
    up = upgrade15(norm)
    shape18 = _bool(up.str.fullmatch(_SHAPE18))
    ck = _checksum_ok_shaped(up, shape18)
    bd = birth_date(up)
    date_ok = _bool(bd.notna() & (bd <= today) & (bd.dt.year >= MIN_BIRTH_YEAR))
    status = np.full(len(raw), "bad_format", dtype=object)
    status[shape18 & ~ck] = "bad_checksum"
    status[shape18 & ck & ~date_ok] = "bad_date"
    status[shape18 & ck & date_ok] = "valid"
    status[is15 & shape18 & ck & date_ok] = "upgraded15"
    status[damaged] = "excel_damaged"
    status[empty] = "empty"
    return pd.DataFrame(
        {"normalized": up.where(~empty), "status": pd.Series(status, index=s.index, dtype="str")},
        index=s.index,
    )


def mask(s: pd.Series) -> pd.Series:
    """Mask for public notices: first 6 + 8 asterisks + last 4 (``421121********1234``)."""
    t = normalize(s)
    n = t.str.len()
    long_ = _bool(n >= 15)
    out = pd.Series(np.where(_bool(n > 0), "******", ""), index=s.index, dtype="str")
    if long_.any():
        lt = t[long_]
        out[long_] = lt.str.slice(0, 6) + "********" + lt.str.slice(-4)
    return out


def compose(prefix: np.ndarray, birth_ymd: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """Build valid 18-digit IDs from 6-digit prefixes, YYYYMMDD ints and 3-digit sequence numbers.

    Vectorised (used by ``jingzhun sample``): returns a numpy array of ``str``.
    """
    n = len(birth_ymd)
    m = np.empty((n, 18), dtype=np.uint8)
    m[:, :6] = np.frombuffer(np.asarray(prefix, dtype="S6").tobytes(), dtype=np.uint8).reshape(n, 6)
    ymd = np.asarray(birth_ymd, dtype=np.int64)
    sq = np.asarray(seq, dtype=np.int64)
    for i in range(8):
        m[:, 6 + i] = 48 + (ymd // 10 ** (7 - i)) % 10
    for i in range(3):
        m[:, 14 + i] = 48 + (sq // 10 ** (2 - i)) % 10
    m[:, 17] = _check_bytes(m[:, :17])
    return m.view("S18").ravel().astype("U18")
