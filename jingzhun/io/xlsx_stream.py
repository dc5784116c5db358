"""The data rows of a province-sized workbook, written as sheet XML by Arrow compute.

xlsxwriter spends about 6 µs of Python on every cell it writes: 47 million cells (identify.xlsx
at a million households) are five minutes. Above ``XLSX_STREAM_CELLS`` (:mod:`.write`)
xlsxwriter therefore writes the workbook with each sheet's header row only (styles, column
widths, frozen header, dropdowns, properties), and this module puts the data rows into each
sheet's XML afterwards: every column of a block of rows becomes its cells' XML in one Arrow
operation, and the rows are the element-wise join of those columns.

The cells are those xlsxwriter writes in its streaming mode (``constant_memory``: strings
inline), checked cell by cell against the workbook held in memory (tests/test_io_write.py):
text as a text cell with the text format (the quote-prefixed one for formula-like text),
numbers as numbers, dates and times as Excel serial numbers with the date formats, booleans as
booleans, an empty cell for a missing or non-finite value. Text is XML-escaped, with
``xml:space="preserve"`` where it begins or ends with white space; control characters become
Excel's ``_xHHHH_`` escapes and text past Excel's 32,767 characters is cut there, as
xlsxwriter does (those rare values go through Python).
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_col_to_name

from jingzhun.io.write import (
    _cells,
    _column_kind,
    _defuse_array,
    _Formats,
    _per_distinct,
    _string_data,
    _text_array,
    needs_quote,
)

_S = pa.large_string()
# Rows turned into XML at a time: about 50 MB of XML for identify's 47 columns.
BLOCK_ROWS = 20_000
# zlib level of the filled sheets: level 1 packs this repetitive XML nearly as small as the default 6
# (about 10% larger files), at several times the speed.
COMPRESS_LEVEL = 1
XLS_STRMAX = 32767
_CONTROL = "[\x00-\x08\x0b-\x1f]"
_ESCAPE_LIKE = "_x[0-9a-fA-F]{4}_"
# Python's \s (what xlsxwriter tests for xml:space) less the control characters escaped before it.
_SPACE = "[\t\n \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


@dataclass(frozen=True)
class Styles:
    """The xf (cell format) indices xlsxwriter gave the workbook's formats."""

    text: int
    quoted: int
    date: int
    datetime: int


def _lit(text: str) -> pa.Scalar:
    return pa.scalar(text, _S)


def _concat(*parts: pa.Array | pa.Scalar) -> pa.Array:
    """Element-wise concatenation; null where any part is null (an empty cell)."""
    return pc.binary_join_element_wise(*parts, _lit(""))


def _utf16_cut(text: str) -> str:
    """``text`` cut to Excel's 32,767 UTF-16 units, never inside a surrogate pair."""
    units = text.encode("utf-16-le", "surrogatepass")
    if len(units) <= 2 * XLS_STRMAX:
        return text
    cut = units[: 2 * XLS_STRMAX]
    if 0xD8 <= cut[-1] <= 0xDB:  # a high surrogate left without its pair
        cut = cut[:-2]
    return cut.decode("utf-16-le", "surrogatepass")


def _text_body_py(value: str, styles: Styles) -> str:
    """One text cell after its reference, the way xlsxwriter writes it (the rare values: control
    characters, ``_xHHHH_`` look-alikes, text past Excel's limit)."""
    style = styles.quoted if needs_quote(value) else styles.text
    value = _utf16_cut(value)
    value = re.sub(f"({_ESCAPE_LIKE})", r"_x005F\1", value)
    value = re.sub(_CONTROL, lambda m: f"_x{ord(m.group(0)):04X}_", value)
    preserve = ' xml:space="preserve"' if re.search(r"^\s|\s$", value) else ""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'" s="{style}" t="inlineStr"><is><t{preserve}>{value}</t></is></c>'


def _text_bodies(arr: pa.Array, styles: Styles) -> pa.Array:
    """Each text value's cell after its reference: ``" s=…" t="inlineStr"><is><t>…</t></is></c>``."""
    arr = arr.cast(_S)
    quoted = pc.fill_null(pc.not_equal(_defuse_array(arr), arr), False)  # the values defuse would prefix
    text = arr
    for raw, esc in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        hit = pc.match_substring(text, raw)
        if pc.any(hit).as_py():
            text = pc.replace_substring(text, raw, esc)
    preserve = pc.fill_null(pc.match_substring_regex(arr, f"^{_SPACE}|{_SPACE}$"), False)
    heads = {
        (q, p): _lit(
            f'" s="{styles.quoted if q else styles.text}" t="inlineStr"><is><t'
            + (' xml:space="preserve"' if p else "")
            + ">"
        )
        for q in (False, True)
        for p in (False, True)
    }
    head = pc.if_else(
        quoted,
        pc.if_else(preserve, heads[True, True], heads[True, False]),
        pc.if_else(preserve, heads[False, True], heads[False, False]),
    )
    out = _concat(head, text, _lit("</t></is></c>"))
    rare = pc.fill_null(
        pc.or_(
            pc.match_substring_regex(arr, f"{_CONTROL}|{_ESCAPE_LIKE}"),
            pc.greater(pc.utf8_length(arr), XLS_STRMAX // 2),
        ),
        False,
    )
    if pc.any(rare).as_py():
        values = pc.filter(arr, rare).to_pylist()
        out = pc.replace_with_mask(out, rare, pa.array([_text_body_py(v, styles) for v in values], _S))
    return out


def _number_text(arr: pa.Array) -> pa.Array:
    """Numbers as their shortest round-trip text; inf and nan as null (an empty cell)."""
    if pa.types.is_floating(arr.type):
        arr = pc.if_else(pc.is_finite(arr), arr, pa.scalar(None, arr.type))
    return arr.cast(_S)


def _excel_serial(s: pd.Series) -> pa.Array:
    """Dates and times as Excel serial numbers (1900 system, with Excel's 29 February 1900), as text."""
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    ns = s.to_numpy(dtype="datetime64[ns]").astype("int64")
    missing = s.isna().to_numpy()
    epoch = np.datetime64("1899-12-31", "ns").astype("int64")
    serial = (ns - epoch) / 86_400e9
    jan1 = np.datetime64("1900-01-01", "ns").astype("int64")
    serial = np.where((ns >= jan1) & (ns < jan1 + 86_400 * 10**9), serial - 1, serial)
    serial = np.where(serial > 59, serial + 1, serial)
    whole = np.all((serial == np.floor(serial)) | missing)
    values = pa.array(serial.astype("int64") if whole else serial, mask=missing)
    return values.cast(_S)


def _object_bodies(values: list[object], styles: Styles) -> pa.Array:
    """Cells of a column of mixed Python values (rare): :func:`jingzhun.io.write._cells` decides
    what each value becomes (a number, text, or no cell), as for the held workbook."""
    formats = _Formats(bold=None, text=styles.text, quoted=styles.quoted, date=styles.date, datetime=styles.datetime)
    out: list[str | None] = []
    for cell in _cells(values, "other", formats):
        if cell is None:
            out.append(None)
        elif cell[0] == "number":
            out.append(f'"><v>{cell[1]!r}</v></c>')  # an int, or a finite float's shortest round-trip text
        else:
            out.append(_text_body_py(cell[1], styles))
    return pa.array(out, _S)


def _bodies(s: pd.Series, kind: str, styles: Styles) -> pa.Array:
    """Each cell of one column after its reference (``r="A2`` comes before); null: no cell."""
    if kind in ("date", "datetime"):
        style = styles.datetime if kind == "datetime" else styles.date
        return _concat(_lit(f'" s="{style}"><v>'), _excel_serial(s), _lit("</v></c>"))
    if kind == "text":  # str, object or string dtype: every value as its text, as the held workbook
        return _per_distinct(_text_array(s), lambda a: _text_bodies(a, styles))
    try:
        arr = pa.array(s, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):  # mixed Python objects
        return _object_bodies(s.tolist(), styles)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if kind == "bool" or pa.types.is_boolean(arr.type):
        flags = pc.if_else(arr.cast(pa.bool_()), _lit("1"), _lit("0"))
        return _concat(_lit('" t="b"><v>'), flags, _lit("</v></c>"))
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return _per_distinct(arr, lambda a: _text_bodies(a, styles))
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or pa.types.is_decimal(arr.type):
        return _concat(_lit('"><v>'), _number_text(arr), _lit("</v></c>"))
    return _object_bodies(s.tolist(), styles)


def rows_xml(df: pd.DataFrame, styles: Styles, first_row: int = 2) -> Iterator[bytes]:
    """The ``<row>`` elements of ``df``'s data, ``first_row`` being the sheet row (1-based) of its
    first row, in blocks of :data:`BLOCK_ROWS` rows."""
    kinds = [_column_kind(df.iloc[:, j]) for j in range(df.shape[1])]
    refs = [_lit(f'<c r="{xl_col_to_name(j)}') for j in range(df.shape[1])]
    for start in range(0, len(df), BLOCK_ROWS):
        part = df.iloc[start : start + BLOCK_ROWS]
        numbers = pa.array(np.arange(first_row + start, first_row + start + len(part)), pa.int64()).cast(_S)
        cells = [
            pc.fill_null(_concat(refs[j], numbers, _bodies(part.iloc[:, j], kind, styles)), _lit(""))
            for j, kind in enumerate(kinds)
        ]
        rows = _concat(_lit('<row r="'), numbers, _lit('">'), *cells, _lit("</row>"))
        yield _string_data(rows.combine_chunks() if isinstance(rows, pa.ChunkedArray) else rows)


_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')


def fill(path: Path, sheets: Mapping[str, tuple[pd.DataFrame, int]], styles: Styles) -> None:
    """Put each frame's rows into the header-only sheet XML ``sheets`` names (zip member →
    (frame, column count)) of the workbook at ``path``; the other members are copied as they are."""
    tmp = path.with_name(path.name + ".part")
    try:
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                df, width = sheets.get(info.filename, (None, 0))
                if df is None or len(df) == 0 or width == 0:  # no rows to add (a column-less sheet has no header row)
                    zout.writestr(info, data)
                    continue
                head, tail = data.split(b"</sheetData>", 1)
                last = f"{xl_col_to_name(max(width, 1) - 1)}{len(df) + 1}".encode()
                head = _DIMENSION.sub(b'<dimension ref="A1:' + last + b'"/>', head, count=1)
                target = zipfile.ZipInfo(info.filename, info.date_time)
                target.compress_type = zipfile.ZIP_DEFLATED
                _set_level(target, COMPRESS_LEVEL)
                with zout.open(target, "w", force_zip64=True) as out:
                    out.write(head)
                    for block in _ahead(rows_xml(df, styles)):
                        out.write(block)
                    out.write(b"</sheetData>" + tail)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _ahead(blocks: Iterator[bytes]) -> Iterator[bytes]:
    """``blocks``, the next one made on a thread while the caller compresses this one (Arrow and
    zlib both work without the GIL)."""
    with ThreadPoolExecutor(1, thread_name_prefix="xlsx-rows") as pool:
        coming = pool.submit(next, blocks, None)
        while (block := coming.result()) is not None:
            coming = pool.submit(next, blocks, None)
            yield block


def _set_level(info: zipfile.ZipInfo, level: int) -> None:
    # Python 3.13 names it compress_level; 3.11 and 3.12 read _compresslevel.
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", level)


__all__ = ["BLOCK_ROWS", "Styles", "fill", "rows_xml"]
