"""Writing results: CSV (UTF-8 with BOM), XLSX and JSON, byte-for-byte reproducible.

Text cells that begin with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are
written so that Excel and WPS show them as text and never run them as formulas (CSV
injection): prefixed with ``'`` in CSV, a quote-prefixed string cell in XLSX. Plain
numbers written as text (``-12.5``) are left alone: they cannot be formulas.
Identifier columns stay text in XLSX, so Excel never shows ``4.21121E+17``.
A number that is not finite (inf, nan) is an empty cell in both: never ``inf`` nor an
Excel error formula.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jingzhun.executors import ThreadExecutor

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
FIXED_CREATED = dt.datetime(2000, 1, 1)
MAX_SHEET_NAME = 31


def _is_text(s: pd.Series) -> bool:
    return s.dtype == "str" or s.dtype == object or isinstance(s.dtype, pd.StringDtype)


def needs_quote(value: Any) -> bool:
    """True for a text value that a spreadsheet would treat as a formula."""
    return isinstance(value, str) and value.startswith(DANGEROUS_START) and not _PLAIN_NUMBER.match(value)


def _defuse_array(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Arrow form of :func:`defuse`: one regex pass over the text, a second only over the hits."""
    danger = pc.fill_null(pc.match_substring_regex(arr, r"^[=+\-@\t\r]"), False)
    if not pc.any(danger).as_py():
        return arr
    plain = pc.fill_null(pc.match_substring_regex(arr, "^(?:" + _PLAIN_NUMBER.pattern[1:-1] + ")$"), False)
    danger = pc.and_(danger, pc.invert(plain))
    if not pc.any(danger).as_py():
        return arr
    prefixed = pc.binary_join_element_wise(pa.scalar("'", arr.type), arr, pa.scalar("", arr.type))
    return pc.if_else(danger, prefixed, arr)


def _text_array(s: pd.Series) -> pa.Array | pa.ChunkedArray:
    return pa.array(s.astype("str"), type=pa.large_string(), from_pandas=True)


def defuse(s: pd.Series) -> pd.Series:
    """Prefix formula-like text values with ``'`` (vectorised; NA stays NA)."""
    arr = _text_array(s)
    out = _defuse_array(arr)
    if out is arr:
        return s
    return pd.Series(out.to_numpy(zero_copy_only=False), index=s.index, dtype="str")


_NEEDS_QUOTES = r'[,"\r\n]'
# Rows looked at to decide whether a text column repeats enough to be quoted per distinct value.
DISTINCT_SAMPLE = 10_000
# A CSV of at least this many cells is formatted on two threads: the Arrow kernels that
# format and join its cells release the GIL.
CSV_THREAD_CELLS = 500_000
CSV_THREADS = 2


def _quoted(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """CSV cells of text: quoted (inner quotes doubled) where they hold a comma, quote or line break."""
    quote = pc.match_substring_regex(text, _NEEDS_QUOTES)
    if not pc.any(quote).as_py():
        return text
    q, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    return pc.if_else(quote, pc.binary_join_element_wise(q, pc.replace_substring(text, '"', '""'), q, empty), text)


def _per_distinct(
    arr: pa.Array | pa.ChunkedArray, fn: Callable[[pa.Array], pa.Array | pa.ChunkedArray]
) -> pa.Array | pa.ChunkedArray:
    """``fn`` (element by element) over the distinct values of ``arr``, taken back to every row.

    A findings file repeats its codes, tables and long policy bases on every row: quoting
    them once per distinct value instead of per row saves seconds at a million findings.
    A column whose first values are mostly distinct goes through ``fn`` whole."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    head = arr.slice(0, DISTINCT_SAMPLE)
    if len(arr) <= DISTINCT_SAMPLE or len(pc.unique(head)) * 4 > len(head):
        return fn(arr)
    encoded = pc.dictionary_encode(arr)
    return pc.take(fn(encoded.dictionary), encoded.indices)


def _csv_cells(s: pd.Series) -> pa.Array | pa.ChunkedArray:
    """One column as CSV cell text (Arrow strings; NA → null, written as an empty cell).

    Text is defused and quoted where it holds a comma, quote or line break; dates without
    a time of day as ``YYYY-MM-DD``; booleans as ``true``/``false``; numbers as Arrow
    prints them (shortest round-trip form: ``3500``, ``2.5``, ``1e+20``)."""
    if _is_text(s):
        return _per_distinct(_text_array(s), lambda a: _quoted(_defuse_array(a)))
    if pd.api.types.is_datetime64_any_dtype(s):
        has_time = (s.dropna() != s.dropna().dt.normalize()).any()
        if not has_time and s.dt.tz is None:  # dates: Arrow formats them without a Python object per cell
            return pc.strftime(pa.array(s, from_pandas=True), format="%Y-%m-%d").cast(pa.large_string())
        s = s.dt.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d")
    elif isinstance(s.dtype, pd.BooleanDtype) or s.dtype == bool:
        flags = pa.array(s, type=pa.bool_(), from_pandas=True)
        return pc.if_else(flags, pa.scalar("true", pa.large_string()), pa.scalar("false", pa.large_string()))
    elif pd.api.types.is_timedelta64_dtype(s.dtype):
        s = s.astype("str").where(s.notna())
    try:
        arr = pa.array(s, from_pandas=True)
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        if pa.types.is_floating(arr.type):  # inf / -inf: an empty cell, never "inf"
            arr = pc.if_else(pc.is_finite(arr), arr, pa.scalar(None, arr.type))
        return _quoted(pc.cast(arr, pa.large_string()))
    except pa.ArrowException:
        # anything Arrow cannot print (durations, mixed objects …): pandas' text of each value
        return _quoted(_defuse_array(_text_array(s.astype("str"))))


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The CSV text of ``df`` (header, ``\\n`` line ends, no index) as UTF-8 bytes, no BOM.

    Built column by column with Arrow compute (pandas' ``to_csv`` formats every cell in
    Python: 7 s for 200,000 rows × 47 columns against well under a second here)."""
    header = ",".join(_quote_one(str(c)) for c in df.columns) + "\n"
    if len(df.columns) == 0 or len(df) == 0:
        return header.encode("utf-8")
    columns = [df.iloc[:, j] for j in range(len(df.columns))]
    if len(df) * len(columns) < CSV_THREAD_CELLS:
        return header.encode("utf-8") + _csv_lines([_csv_cells(c) for c in columns])
    # Each column is formatted whole (whether a date column shows times depends on all its
    # values); the lines are then joined in row blocks, one per thread.
    with ThreadExecutor(CSV_THREADS) as pool:
        cols = pool.map(_csv_cells, columns)
        step = -(-len(df) // CSV_THREADS)
        blocks = pool.map(_csv_lines, [[c.slice(i, step) for c in cols] for i in range(0, len(df), step)])
    return header.encode("utf-8") + b"".join(blocks)


def _csv_lines(cols: list[pa.Array | pa.ChunkedArray]) -> bytes:
    """The CSV lines (each ending in ``\n``) of columns of cell text of equal length."""
    empty = pa.scalar("", pa.large_string())
    rows = pc.binary_join_element_wise(
        *cols, pa.scalar(",", pa.large_string()), null_handling="replace", null_replacement=""
    )
    rows = pc.binary_join_element_wise(rows, empty, pa.scalar("\n", pa.large_string()))  # "row" + "\n" + ""
    chunks = rows.chunks if isinstance(rows, pa.ChunkedArray) else [rows]
    return b"".join(_string_data(c) for c in chunks)


def _string_data(arr: pa.Array) -> bytes:
    """The characters of a large_string array, one value after the other."""
    if len(arr) == 0:
        return b""
    off = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    return arr.buffers()[2].to_pybytes()[off[0] : off[-1]]


def _quote_one(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if re.search(_NEEDS_QUOTES, text) else text


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """UTF-8 with BOM (Excel/WPS open it correctly), ``\\n`` line ends, no index."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "wb") as f:
        f.write(b"\xef\xbb\xbf")
        f.write(csv_bytes(df))
    return p


def _sheet_name(name: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'") or "Sheet"
    clean = clean[:MAX_SHEET_NAME]
    base, i = clean, 2
    while clean.lower() in used:
        suffix = f"_{i}"
        clean = base[: MAX_SHEET_NAME - len(suffix)] + suffix
        i += 1
    used.add(clean.lower())
    return clean


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    path: str | Path,
    choices: Mapping[str, Mapping[str, list[str]]] | None = None,
    *,
    labels: bool = True,
    titles: Mapping[str, Any] | None = None,
) -> Path:
    """One sheet per frame: bold frozen header, text columns as text cells, numbers as numbers.

    The workbook is the person's file: with ``labels`` (the default) sheet names, column
    headers and coded values are the labels of :mod:`jingzhun.labels` in the user's
    language (``titles``: this workbook's own column titles, column → (zh, en) or zh);
    the frames given are not changed. ``choices`` (sheet key → column name → allowed
    values, both as given before labelling): those columns get a dropdown (an Excel list
    validation; empty cells stay allowed) on every data row.
    """
    import xlsxwriter

    if labels:
        from jingzhun.labels import column_title, for_person, sheet_title

        choices = {
            sheet_title(k): {column_title(c, k, titles): v for c, v in cols.items()}
            for k, cols in (choices or {}).items()
        }
        sheets = {sheet_title(k): for_person(df, k, titles) for k, df in sheets.items()}

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    stream = sum(df.shape[0] * max(df.shape[1], 1) for df in sheets.values()) > XLSX_STREAM_CELLS
    wb = xlsxwriter.Workbook(
        str(p),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
        },
    )
    wb.set_properties({"created": FIXED_CREATED})
    formats = _Formats(
        bold=wb.add_format({"bold": True}),
        text=wb.add_format({"num_format": "@"}),
        quoted=wb.add_format({"num_format": "@", "quote_prefix": True}),
        date=wb.add_format({"num_format": "yyyy-mm-dd"}),
        datetime=wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    )
    used: set[str] = set()
    fills: dict[str, tuple[pd.DataFrame, int]] = {}  # streamed: sheet XML → the rows it is to hold
    for name, whole in sheets.items():
        for k, start in enumerate(range(0, max(len(whole), 1), XLSX_MAX_ROWS)):
            df = whole.iloc[start : start + XLSX_MAX_ROWS] if len(whole) > XLSX_MAX_ROWS else whole
            ws = wb.add_worksheet(_sheet_name(name if k == 0 else f"{name} ({k + 1})", used))
            _write_sheet(ws, df.iloc[:0] if stream else df, formats, df)
            if stream:
                fills[f"xl/worksheets/sheet{len(wb.worksheets())}.xml"] = (df, df.shape[1])
            _dropdowns(ws, df, (choices or {}).get(name, {}))
            ws.freeze_panes(1, 0)
    if stream:
        from jingzhun.io import xlsx_stream

        # the filled cells name their formats by index: give every format one, in a fixed order
        ids = [
            fmt._get_xf_index() for fmt in (formats.bold, formats.text, formats.quoted, formats.date, formats.datetime)
        ]
        wb.close()
        xlsx_stream.fill(p, fills, xlsx_stream.Styles(text=ids[1], quoted=ids[2], date=ids[3], datetime=ids[4]))
        return p
    wb.close()
    return p


# Excel's and WPS's last row is 1,048,576: a frame of more data rows continues on "<sheet> (2)", …
# (xlsxwriter would drop the rows beyond it without a word).
XLSX_MAX_ROWS = 1_048_575
# Above this many cells in a workbook, xlsxwriter writes each sheet's header only, and the data rows
# go into the sheet XML afterwards by Arrow compute (:mod:`jingzhun.io.xlsx_stream`: strings inline,
# not shared; flat memory, about 0.5 µs a cell against xlsxwriter's 6 µs). A million cells is where
# xlsxwriter's own writing takes seconds (a 20,000-household identify.xlsx holds 0.96 million).
# Below it the workbook is written cell by cell (shared strings), byte for byte as always.
XLSX_STREAM_CELLS = 1_000_000


@dataclass(frozen=True)
class _Formats:
    bold: Any
    text: Any
    quoted: Any
    date: Any
    datetime: Any


def _column_kind(s: pd.Series) -> str:
    if _is_text(s):
        return "text"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime" if (s.dropna() != s.dropna().dt.normalize()).any() else "date"
    if isinstance(s.dtype, pd.BooleanDtype) or s.dtype == bool:
        return "bool"
    return "other"


Cell = tuple[str, Any, Any] | None  # (xlsxwriter write_ method suffix, value, format) or an empty cell


def _cells(values: list[Any], kind: str, f: _Formats) -> list[Cell]:
    """The cells of one column's ``values`` (``tolist()`` of a slice) as :func:`_write_sheet` writes them."""
    out: list[Cell] = []
    add = out.append
    if kind == "text":
        for v in values:
            if v is None or (isinstance(v, float) and math.isnan(v)):
                add(None)
                continue
            v = str(v)
            add(("string", v, f.quoted if needs_quote(v) else f.text))
    elif kind in ("date", "datetime"):
        fmt = f.datetime if kind == "datetime" else f.date
        for v in values:
            add(None if v is None or pd.isna(v) else ("datetime", v.to_pydatetime(), fmt))
    elif kind == "bool":
        for v in values:
            add(None if v is None or pd.isna(v) else ("boolean", bool(v), None))
    else:
        for v in values:
            if v is None or pd.isna(v):
                add(None)
            elif isinstance(v, float | np.floating) and not math.isfinite(v):
                add(None)  # inf: an empty cell, never a #DIV/0! formula
            elif isinstance(v, int | float | np.integer | np.floating):
                add(("number", float(v) if not isinstance(v, int | np.integer) else int(v), None))
            else:
                v = str(v)
                add(("string", v, f.quoted if needs_quote(v) else f.text))
    return out


def _write_sheet(ws: Any, df: pd.DataFrame, f: _Formats, whole: pd.DataFrame) -> None:
    """Header and cells of one sheet, column by column (each header, then its cells: the shared
    strings' order). Column kinds (text, dates …) are those of ``whole`` (``df`` may be its header)."""
    writers = {m: getattr(ws, f"write_{m}") for m in ("string", "datetime", "boolean", "number")}
    for j, col in enumerate(df.columns):
        ws.write_string(0, j, str(col), f.bold)
        width = min(40, max(10, 2 * len(str(col)) + 2))
        kind = _column_kind(whole.iloc[:, j])
        if kind == "text":
            ws.set_column(j, j, width, f.text)
        elif kind in ("date", "datetime"):
            ws.set_column(j, j, max(width, 12))
        else:
            ws.set_column(j, j, width)
        for i, cell in enumerate(_cells(df.iloc[:, j].tolist(), kind, f), start=1):
            if cell is not None:
                writers[cell[0]](i, j, cell[1], cell[2])


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        items = [_jsonable(v) for v in obj]
        return sorted(items, key=str) if isinstance(obj, set | frozenset) else items
    if isinstance(obj, pd.DataFrame):
        return [_jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, pd.Series):
        return [_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, np.ndarray):
        return [_jsonable(v) for v in obj.tolist()]
    if obj is None or obj is pd.NA or obj is pd.NaT:
        return None
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        f = float(obj)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(obj, pd.Timestamp | dt.datetime):
        return obj.date().isoformat() if obj.time() == dt.time() else obj.isoformat()
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, Path):
        return obj.as_posix()
    return obj if isinstance(obj, str) else str(obj)


def dumps_json(obj: Any) -> str:
    return json.dumps(_jsonable(obj), ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def write_json(obj: Any, path: str | Path) -> Path:
    """UTF-8, non-ASCII kept, sorted keys, indent 2, trailing newline; NaN → null."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "w", encoding="utf-8", newline="\n") as f:
        f.write(dumps_json(obj))
    return p


def _dropdowns(ws: Any, df: pd.DataFrame, lists: Mapping[str, list[str]]) -> None:
    """A list validation (dropdown) on the data rows of each named column."""
    for header, values in lists.items():
        if header not in df.columns:
            continue
        j = list(df.columns).index(header)
        ws.data_validation(
            1,
            j,
            max(len(df), 1),
            j,
            {
                "validate": "list",
                "source": list(values),
                "ignore_blank": True,
                "input_title": header[:32],
                "input_message": " / ".join(values)[:255],
                "error_title": header[:32],
                "error_message": ("只能填写 / only: " + " / ".join(values))[:255],
            },
        )
