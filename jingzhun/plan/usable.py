"""Rows fit to go into a document (cards, books, notices), and findings for those left out.

Documents are made from data that ``validate`` may report errors for. A row whose key is
missing or shared with another row (which of them is the household?) or whose village
code is not a 12-digit statistical code (which village, which file?) cannot be put into
a document correctly: it is left out, with a finding naming the row, and the rest of
the county is produced. ``plan`` and ``notice`` (also inside ``run``) call
:func:`for_documents` on their frames before anything else.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jingzhun.findings import Findings
from jingzhun.tablespec import text_column

VILLAGE_CODE = r"[0-9]{12}"  # ASCII digits only (a full-width code is not a file name)

# table -> (key column or None, village code may be empty)
RULES: dict[str, tuple[str | None, bool]] = {
    "households": ("household_id", False),
    "projects": ("project_id", True),
    "villages": (None, False),
}


def _rows(df: pd.DataFrame) -> pd.Series | None:
    return df["_row"] if "_row" in df.columns else None


def usable_rows(df: pd.DataFrame, table: str, findings: Findings) -> pd.Series:
    """Boolean mask over ``df``: rows fit for documents; findings for the others."""
    key_col, code_optional = RULES[table]
    ok = pd.Series(True, index=df.index)
    key = None
    if key_col is not None:
        key = text_column(df, key_col, strip=True)
        missing = key.isna() | (key == "").fillna(True)
        dup = key.duplicated(keep=False) & ~missing
        dup_b = dup.to_numpy(dtype=bool)
        miss_b = missing.to_numpy(dtype=bool)
        findings.add("P-DOC-KEY-MISSING", table=table, row=_sub(_rows(df), miss_b), column=key_col)
        findings.add(
            "P-DOC-KEY-DUPLICATE",
            table=table,
            row=_sub(_rows(df), dup_b),
            column=key_col,
            value=key[dup_b],
            key=key[dup_b],
        )
        ok &= ~(missing | dup)
    code = text_column(df, "village_code", strip=True)
    absent = code.isna().to_numpy(dtype=bool)
    well = code.str.fullmatch(VILLAGE_CODE).fillna(False).astype(bool).to_numpy(dtype=bool)
    bad = ~well & ~(absent & code_optional) & ok.to_numpy(dtype=bool)
    findings.add(
        "P-DOC-VILLAGE-CODE",
        table=table,
        row=_sub(_rows(df), bad),
        column="village_code",
        value=code[bad].fillna(""),
        key=None if key is None else key[bad],
    )
    return ok & ~pd.Series(bad, index=df.index)


def _sub(s: pd.Series | None, mask: pd.Series | np.ndarray) -> pd.Series | None:
    return None if s is None else s[mask]


def for_documents(
    frames: dict[str, pd.DataFrame], tables: tuple[str, ...] = ("households", "villages", "projects")
) -> tuple[dict[str, pd.DataFrame], Findings]:
    """``frames`` with the rows of ``tables`` that cannot go into a document left out (other
    frames as they are, nothing copied when every row is fit); findings for each row left out."""
    findings = Findings()
    out = dict(frames)
    for table in tables:
        df = frames.get(table)
        if df is None:
            continue
        ok = usable_rows(df, table, findings)
        if not bool(ok.all()):
            out[table] = df[ok.to_numpy(dtype=bool)].reset_index(drop=True)
    return out, findings
