"""Invisible control characters in text cells: reported once when a table is read, and removed.

A NUL, an escape or another C0/C1 control character, or a bidirectional override
(U+202E turns ``张三 1.exe`` around on screen) has no place in a name, a code or any other
cell of a poverty-alleviation table; it comes from broken exports or from someone hiding
text. Every text cell passes :func:`strip_control_chars` right after reading, so no later
step, output or notice ever sees one: the cell is cleaned (characters removed, then
trimmed; a cell left empty is missing) and gets a ``V-TEXT-CONTROL-CHAR`` finding naming
the table, row and column with the raw value escaped (``张\\x00三``).

Tab, line feed and carriage return are ordinary whitespace here and are left alone.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jingzhun.findings import Findings, unnamed_column
from jingzhun.io import parse

# C0 but tab/LF/CR, DEL, C1; Arabic letter mark, LRM/RLM, bidi embeddings/overrides and isolates.
_CLASS = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\x{061C}\x{200E}\x{200F}\x{202A}-\x{202E}\x{2066}-\x{2069}"
CONTROL_RE2 = f"[{_CLASS}]"  # arrow (RE2) syntax
_WHITESPACE = np.array([0x09, 0x0A, 0x0D], dtype=np.uint8)
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape(value: str | None) -> str | None:
    """``value`` with each control character written as ``\\xNN`` or ``\\uNNNN``."""
    if value is None:
        return None
    return CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", value
    )


def strip(value: str) -> str:
    """``value`` without control characters (for text that does not come through a reader)."""
    return CONTROL.sub("", value)


def _is_text(arr: pa.ChunkedArray) -> bool:
    return pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)


def _may_hold_controls(arr: pa.ChunkedArray) -> bool:
    """A fast look at the UTF-8 bytes (a regex over every cell costs ~0.3 s per million, these
    comparisons a few ms): False when no cell can hold a control character; True may be a
    false alarm (the regex decides), e.g. bytes of rows that were cut off."""
    for chunk in arr.chunks:
        bufs = chunk.buffers()
        data = bufs[2] if len(bufs) > 2 else None
        if data is None or data.size == 0:
            continue
        b = np.frombuffer(data, dtype=np.uint8)
        low = b < 0x20
        if low.any() and np.setdiff1d(b[low], _WHITESPACE).size:
            return True
        if (b == 0x7F).any():
            return True
        # C1 (C2 80-9F), U+061C (D8 9C), U+200E/F, U+202A-E, U+2066-9 (E2 80 .., E2 81 ..): look at the
        # bytes after each such lead byte only (a middle dot or a dash shares a lead byte)
        lead = np.flatnonzero((b == 0xC2) | (b == 0xD8) | (b == 0xE2))
        lead = lead[lead + 2 < b.size]
        if lead.size:
            first, second, third = b[lead], b[lead + 1], b[lead + 2]
            c1 = (first == 0xC2) & (second >= 0x80) & (second <= 0x9F)
            alm = (first == 0xD8) & (second == 0x9C)
            bidi = (first == 0xE2) & (
                ((second == 0x80) & (((third >= 0x8E) & (third <= 0x8F)) | ((third >= 0xAA) & (third <= 0xAE))))
                | ((second == 0x81) & (third >= 0xA6) & (third <= 0xA9))
            )
            if (c1 | alm | bidi).any():
                return True
        tail = b[max(0, b.size - 2) :]  # a two-byte character ending the buffer
        if tail.size == 2 and ((tail[0] == 0xC2 and 0x80 <= tail[1] <= 0x9F) or (tail[0] == 0xD8 and tail[1] == 0x9C)):
            return True
    return False


def strip_control_chars(
    cols: dict[int, pa.ChunkedArray],
    names: dict[int, str],
    headers: list[str],
    table: str,
    rows: np.ndarray,
    findings: Findings,
    key_column: str | None = None,
) -> None:
    """Clean the text columns of ``cols`` (file column → trimmed arrow text) in place.

    ``names``: file column → canonical column name (others are named by their header);
    ``rows``: the 1-based data row of each element; ``key_column``: the table's key, named
    in each finding when the file has it."""
    by_name = {n: j for j, n in names.items()}
    kj = by_name.get(key_column) if key_column is not None else None
    for j in sorted(cols, key=lambda c: (c != kj, c)):  # the key first: findings name the cleaned key
        arr = cols[j]
        if not _is_text(arr) or len(arr) == 0 or not _may_hold_controls(arr):
            continue
        hit = pc.fill_null(pc.match_substring_regex(arr, CONTROL_RE2), False)
        if not pc.any(hit).as_py():
            continue
        idx = np.flatnonzero(np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool))
        take = pa.array(idx)
        cols[j] = parse.trim(pc.replace_substring_regex(arr, CONTROL_RE2, ""))
        key_arr = cols[kj] if kj is not None else None
        keys = key_arr.take(take).to_pylist() if key_arr is not None and _is_text(key_arr) else None
        column = names.get(j) or (headers[j] if j < len(headers) and headers[j] else unnamed_column(j))
        findings.add(
            "V-TEXT-CONTROL-CHAR",
            table=table,
            row=rows[idx].tolist(),
            column=column,
            value=[escape(v) for v in arr.take(take).to_pylist()],
            key=keys,
        )
