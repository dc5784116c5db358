"""Recall and precision of the audit against a truth file of injected anomalies.

The truth file (``jingzhun sample --anomalies RATE`` writes ``_truth/<year>/anomalies.csv``)
has one row per injected anomaly: ``kind``, ``payment_id`` or ``project_id``, and
``expected_code``. Per expected code:

- recall = injected records the audit flagged with that code / injected records;
- precision = flagged records that were injected with that code / (those + flagged
  records that were not injected at all). A record injected for another check and also
  flagged by this one (a duplicate that also exceeds a cap) is counted apart as
  ``other_injected``, neither right nor wrong.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jingzhun.errors import InputError
from jingzhun.i18n import t
from jingzhun.nulls import NA

TRUTH_COLUMNS = ["kind", "payment_id", "project_id", "expected_code"]


def read_truth(path: str | Path) -> pd.DataFrame:
    p = Path(path)
    try:
        df = pd.read_csv(p, dtype="str", encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise InputError(
            t(f"无法读取真值文件 {p}: {e}", f"cannot read the truth file {p}: {e}"),
            t(
                "应为 jingzhun sample --anomalies 写出的 anomalies.csv",
                "expected the anomalies.csv written by jingzhun sample --anomalies",
            ),
        ) from None
    missing = [c for c in TRUTH_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            t(f"真值文件 {p} 缺少列: {', '.join(missing)}", f"truth file {p} lacks columns: {', '.join(missing)}")
        )
    return df


def _keyed(table: pd.Series, key: pd.Series) -> pd.Series:
    return (table.astype("str") + ":" + key.astype("str")).astype("str")


def score(findings: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """One row per expected code: injected, found, recall, flagged, false_positive, precision."""
    tr = truth.copy()
    for c in ("payment_id", "project_id"):
        tr[c] = tr[c].astype("str").str.strip().replace("", NA)
    is_pay = tr["payment_id"].notna()
    tr["_k"] = _keyed(
        pd.Series(["payments" if x else "projects" for x in is_pay], index=tr.index),
        tr["payment_id"].where(is_pay, tr["project_id"]),
    )
    tr = tr.drop_duplicates(["expected_code", "_k"])
    fk = findings.assign(_k=_keyed(findings["table"], findings["key"]))[["code", "_k"]].drop_duplicates()
    all_truth = set(tr["_k"])
    rows = []
    for code, g in tr.groupby("expected_code", sort=True):
        want = set(g["_k"])
        got = set(fk.loc[fk["code"] == code, "_k"])
        tp = len(want & got)
        fp = len(got - all_truth)
        other = len((got & all_truth) - want)
        rows.append(
            {
                "expected_code": code,
                "kinds": ",".join(sorted(set(g["kind"].astype("str")))),
                "injected": len(want),
                "found": tp,
                "recall": round(tp / len(want), 4) if want else None,
                "flagged": len(got),
                "other_injected": other,
                "false_positive": fp,
                "precision": round(tp / (tp + fp), 4) if (tp + fp) else None,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "expected_code",
            "kinds",
            "injected",
            "found",
            "recall",
            "flagged",
            "other_injected",
            "false_positive",
            "precision",
        ],
    )
