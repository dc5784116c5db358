"""Audit findings as frames: the contract §3 fields plus ``amount`` and ``township_code``.

Each check returns one frame built by :func:`part`; ``collect`` concatenates them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jingzhun.findings import rule
from jingzhun.nulls import NA

PART_COLUMNS = ["code", "table", "row", "column", "value", "key", "detail", "amount", "township_code"]


def text(values: Any, n: int) -> pd.Series:
    """Scalar or array-like → ``str`` Series of length n (NA kept)."""
    if isinstance(values, pd.Series):
        s = values.reset_index(drop=True)
    elif values is None or np.isscalar(values):
        s = pd.Series([values] * n, dtype="object")
    else:
        s = pd.Series(list(values), dtype="object")
    return s if s.dtype == "str" else s.astype("str")  # missing stays missing


def money_text(s: pd.Series) -> pd.Series:
    """Amounts as ``1234.50`` text for messages (NA stays NA)."""
    cents = (s.astype("Float64") * 100).round(0)
    ok = cents.notna()
    c = cents.fillna(0).abs().astype("int64")
    sign = pd.Series(np.where(cents.fillna(0) < 0, "-", ""), index=s.index, dtype="str")
    out = sign + (c // 100).astype("str") + "." + (c % 100).astype("str").str.zfill(2)
    return out.where(ok, NA).astype("str")


def date_text(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%Y-%m-%d").astype("str")


def part(
    code: str,
    frame: pd.DataFrame,
    *,
    table: str,
    key: pd.Series | str,
    column: Any = None,
    value: Any = None,
    detail: Any = None,
    amount: Any = 0.0,
) -> pd.DataFrame:
    """One finding per row of ``frame`` (which carries ``_row`` and ``township_code``)."""
    rule(code)
    n = len(frame)
    if n == 0:
        return _EMPTY
    amt = amount.reset_index(drop=True) if isinstance(amount, pd.Series) else pd.Series([amount] * n, dtype="float64")
    return pd.DataFrame(
        {
            "code": pd.Series([code] * n, dtype="str"),
            "table": text(table, n),
            "row": frame["_row"].reset_index(drop=True).astype("Int64"),
            "column": text(column, n),
            "value": text(value, n),
            "key": text(frame[key] if isinstance(key, str) else key, n),
            "detail": text(detail, n),
            "amount": amt.astype("Float64").fillna(0.0).round(2),
            "township_code": text(frame["township_code"], n),
        }
    )


_EMPTY = pd.DataFrame(
    {c: pd.Series(dtype="Int64" if c == "row" else "Float64" if c == "amount" else "str") for c in PART_COLUMNS}
)


def collect(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return _EMPTY.copy()
    return pd.concat(parts, ignore_index=True)[PART_COLUMNS]
