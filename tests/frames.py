"""Typed test frames built from the table specification (``jingzhun.tablespec``).

``table_frame("households", household_id=["H1", "H2"], wage_income=[1000, 0])`` is what the
reader returns for a file with those columns: ``_row`` 1..n, each given column in its
contract dtype, every other column of the table typed and all NA (and remembered as absent,
so rules see "the file had no such column"). ``defaults=True`` fills the required columns not
given with a plain value per type (enum: the first label), for rules that need them filled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from jingzhun import tablespec

# One plain value per contract type, for ``defaults=True`` (enum/multi: the first label).
TYPE_DEFAULTS: dict[str, Any] = {
    "text": "x",
    "int": 1,
    "year": 2015,
    "money": 0.0,
    "area": 0.0,
    "bool": False,
    "date": pd.Timestamp("2000-01-01"),
}


def typed(table: str, name: str, values: Any) -> pd.Series:
    """``values`` as column ``name`` of ``table`` in its contract dtype (None/NaN → NA)."""
    dtype = tablespec.dtype_of(table, name)
    if dtype.startswith("datetime64"):
        return pd.to_datetime(pd.Series(list(values), dtype="object")).astype(dtype)
    return pd.Series(list(values), dtype="object").astype(dtype)


def table_frame(table: str, n: int | None = None, *, defaults: bool = False, **columns: Sequence[Any]) -> pd.DataFrame:
    """A typed frame of ``table`` with the given columns (one list per column, equal lengths)."""
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    rows = n if n is not None else (lengths.pop() if lengths else 0)
    data: dict[str, Any] = {"_row": pd.array(range(1, rows + 1), dtype="Int64")}
    for name, values in columns.items():
        data[name] = typed(table, name, values) if name in tablespec.COLUMNS[table] else pd.Series(list(values))
    if defaults:
        for c in tablespec.TABLE_SPECS[table].columns:
            if c.required and c.name not in data:
                value = c.labels[0] if c.labels else TYPE_DEFAULTS[c.type]
                data[c.name] = typed(table, c.name, [value] * rows)
    return tablespec.conform(table, pd.DataFrame(data))


def table_frame_from_rows(table: str, rows: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """A typed frame from row dicts: ``columns`` are the columns the "file" has (missing keys → NA)."""
    return table_frame(table, len(rows), **{c: [r.get(c) for r in rows] for c in columns})


def with_columns(frame: pd.DataFrame, **columns: Any) -> pd.DataFrame:
    """``frame`` with columns set (as given, no retyping): a set column counts as one the file had."""
    out = frame.copy()
    for name, values in columns.items():
        out[name] = values
    absent = tuple(c for c in out.attrs.get(tablespec.ABSENT, ()) if c not in columns)
    out.attrs[tablespec.ABSENT] = absent
    return out


def as_file(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns the "file" of ``frame`` has: no ``_row``, none that conform added (to write a test CSV)."""
    absent = tablespec.absent_columns(frame)
    return frame[[c for c in frame.columns if c != "_row" and c not in absent]]
