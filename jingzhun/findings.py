"""Findings: one shape for every check (data-contract §3).

A step collects findings in a :class:`Findings` object, vectorised: one ``add`` call
records every failing row of a rule at once. Severity, message and policy basis are
not stored per row; they come from the catalogue (``jingzhun.catalogue``) when the
findings are rendered, so a code always means the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from jingzhun.catalogue import CATALOGUE, Rule
from jingzhun.i18n import get_lang

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}

# Stored columns; "message", "severity" and "basis" are added by render().
BASE_COLUMNS = ["code", "table", "row", "column", "value", "key", "detail"]
COLUMNS = ["code", "severity", "table", "row", "column", "value", "key", "message", "basis", "detail"]


def rule(code: str) -> Rule:
    try:
        return CATALOGUE[code]
    except KeyError:
        raise KeyError(f"finding code {code!r} is not in the catalogue") from None


def _as_text(values: Any, n: int) -> pd.Series:
    """Broadcast a scalar or align an array-like to n text values (NA stays NA)."""
    if isinstance(values, pd.Series):
        s = values.reset_index(drop=True)
    elif values is None or np.isscalar(values):
        s = pd.Series([values] * n, dtype="object")
    else:
        s = pd.Series(list(values), dtype="object")
    if len(s) != n:
        raise ValueError(f"finding field has {len(s)} values, expected {n}")
    out = s.astype("str")
    return out.where(s.notna(), pd.NA)


def _length(*fields: Any) -> int:
    n = None
    for f in fields:
        if f is None or np.isscalar(f):
            continue
        m = len(f)
        if n is None:
            n = m
        elif m != n:
            raise ValueError("finding fields of different lengths")
    return 1 if n is None else n


class Findings:
    """An append-only collection of findings."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []

    def add(
        self,
        code: str,
        *,
        table: Any = None,
        row: Any = None,
        column: Any = None,
        value: Any = None,
        key: Any = None,
        detail: Any = None,
    ) -> None:
        """Record one finding, or one per element when fields are array-like.

        Scalars broadcast; array-likes (Series, list, ndarray) must share one length.
        An empty array adds nothing.
        """
        rule(code)  # fail early on an uncatalogued code
        n = _length(table, row, column, value, key, detail)
        if n == 0:
            return
        part = pd.DataFrame(
            {
                "code": pd.Series([code] * n, dtype="str"),
                "table": _as_text(table, n),
                "row": pd.array(_as_row(row, n), dtype="Int64"),
                "column": _as_text(column, n),
                "value": _as_text(value, n),
                "key": _as_text(key, n),
                "detail": _as_text(detail, n),
            }
        )
        self._parts.append(part)

    def extend(self, other: Findings | Iterable[Findings]) -> None:
        others = [other] if isinstance(other, Findings) else list(other)
        for o in others:
            self._parts.extend(o._parts)

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts)

    def frame(self) -> pd.DataFrame:
        """All findings, stored columns only, in insertion order."""
        if not self._parts:
            return empty_frame(BASE_COLUMNS)
        return pd.concat(self._parts, ignore_index=True)

    def codes(self) -> set[str]:
        return {c for p in self._parts for c in p["code"].unique()}

    def render(self, lang: str | None = None) -> pd.DataFrame:
        """Findings with severity, message and basis, sorted for reproducible output."""
        return render_frame(self.frame(), lang)


def _as_row(row: Any, n: int) -> list[Any]:
    if row is None or np.isscalar(row):
        return [row] * n
    s = pd.Series(row).reset_index(drop=True)
    return list(pd.to_numeric(s, errors="coerce").astype("Int64"))


def empty_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else "str") for c in columns})


def render_frame(df: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Add severity, message and basis from the catalogue; sort deterministically."""
    lang = lang or get_lang()
    if df.empty:
        return empty_frame(COLUMNS)
    out = df.copy()
    codes = out["code"].astype("str")
    out["severity"] = codes.map(lambda c: CATALOGUE[c].severity).astype("str")
    out["basis"] = codes.map(lambda c: CATALOGUE[c].basis_for(lang)).astype("str")
    messages = pd.Series(pd.NA, index=out.index, dtype="object")
    for code, idx in out.groupby(codes, sort=False).groups.items():
        template = CATALOGUE[code].message_for(lang)
        sub = out.loc[idx, ["table", "row", "column", "value", "key", "detail"]]
        if not any("{" + f + "}" in template for f in sub.columns):
            messages.loc[idx] = template
            continue
        filled = sub.astype("object").where(sub.notna(), "")
        messages.loc[idx] = [
            template.format(table=t, row=r, column=c, value=v, key=k, detail=d)
            for t, r, c, v, k, d in filled.itertuples(index=False, name=None)
        ]
    out["message"] = messages.astype("str")
    out["_rank"] = out["severity"].map(SEVERITY_RANK)
    out = out.sort_values(
        ["_rank", "code", "table", "row", "column", "key", "value"],
        na_position="first",
        kind="stable",
    ).drop(columns="_rank")
    return out[COLUMNS].reset_index(drop=True)


def severity_counts(rendered: pd.DataFrame) -> dict[str, int]:
    counts = rendered["severity"].value_counts() if not rendered.empty else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in SEVERITIES}


def worst_exit_code(rendered: pd.DataFrame, fail_on: str = "error") -> int:
    """0 when nothing at or above ``fail_on`` severity, else 1 (data-contract §5)."""
    counts = severity_counts(rendered)
    if counts["error"]:
        return 1
    if fail_on == "warning" and counts["warning"]:
        return 1
    return 0
