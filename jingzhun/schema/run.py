"""Run a table's pandera schema lazily and turn its failure cases into findings.

Pandera's own output never reaches the user: each failure case becomes a finding with
the source row (``_row``), the column, the value and the record's key (data-contract §3).
A check in ``schemas/*.yaml`` names its finding code in ``options.error``; pandera's
structural checks map to codes here.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from jingzhun.catalogue import CATALOGUE
from jingzhun.findings import Findings
from jingzhun.schema.loader import Schemas, load_schema
from jingzhun.tablespec import KEY_COLUMNS

STRUCTURAL_CODES = {
    "not_nullable": "V-REQUIRED-EMPTY",
    "field_uniqueness": "V-DUPLICATE-KEY",
    "column_in_dataframe": "V-SCHEMA-COLUMN-MISSING",
}
OTHER_CODE = "V-SCHEMA-OTHER"
DTYPE_CODE = "V-SCHEMA-DTYPE"


def row_numbers(df: pd.DataFrame) -> pd.Series:
    """The 1-based source row of each record: ``_row`` when the reader set it."""
    if "_row" in df.columns:
        return df["_row"].astype("Int64")
    return pd.Series(pd.array(range(1, len(df) + 1), dtype="Int64"), index=df.index)


def _describe(check: pa.Check) -> str:
    """Short, language-neutral text of a check's parameters (the finding's detail)."""
    s = check.statistics or {}
    if check.name == "in_range":
        return f"[{s['min_value']}, {s['max_value']}]"
    if check.name == "greater_than_or_equal_to":
        return f">= {s['min_value']}"
    if check.name == "greater_than":
        return f"> {s['min_value']}"
    if check.name == "less_than_or_equal_to":
        return f"<= {s['max_value']}"
    if check.name == "str_matches":
        return str(s["pattern"])
    return check.name or ""


def _code(check_label: str) -> str:
    if check_label in STRUCTURAL_CODES:
        return STRUCTURAL_CODES[check_label]
    if check_label.startswith("dtype("):
        return DTYPE_CODE
    if check_label in CATALOGUE:
        return check_label
    return OTHER_CODE


def run_schema(
    table: str, df: pd.DataFrame, schema: pa.DataFrameSchema | None = None, schemas_dir: Schemas = None
) -> Findings:
    """Validate ``df`` against the schema of ``table`` (from ``schemas_dir``, the run's folders); every failure
    case is a finding."""
    schema = schema if schema is not None else load_schema(table, schemas_dir)
    findings = Findings()
    try:
        schema.validate(df, lazy=True, inplace=True)
        return findings
    except pa.errors.SchemaErrors as e:
        cases = e.failure_cases
    except pa.errors.SchemaError as e:  # a non-lazy failure (e.g. an empty frame) still becomes findings
        cases = e.failure_cases if isinstance(e.failure_cases, pd.DataFrame) else pd.DataFrame()
    if cases is None or cases.empty:
        return findings

    rows = row_numbers(df)
    key_col = KEY_COLUMNS.get(table)
    keys = df[key_col] if key_col in df.columns else None
    labels = cases["check"].astype("str")
    codes = labels.map(_code)
    for (code, label, column, number), part in cases.groupby(
        [codes, labels, cases["column"].astype("str").fillna(""), cases["check_number"].astype("str")],
        sort=True,
        dropna=False,
    ):
        column = column or None
        detail: str | None = None
        if code == DTYPE_CODE:
            detail = str(schema.columns[column].dtype) if column in schema.columns else None
        elif code not in STRUCTURAL_CODES.values() and column in schema.columns and number not in ("None", "nan"):
            checks = schema.columns[column].checks
            i = int(float(number))
            detail = _describe(checks[i]) if i < len(checks) else label
        if code == OTHER_CODE:
            detail = label
        idx = part["index"]
        has_row = idx.notna()
        if code == "V-SCHEMA-COLUMN-MISSING":
            findings.add(code, table=table, column=part["failure_case"].astype("str"), detail=detail)
            continue
        if not has_row.any():
            findings.add(code, table=table, column=column, value=part["failure_case"], detail=detail)
            continue
        at = pd.Index(idx[has_row])
        findings.add(
            code,
            table=table,
            row=rows.reindex(at).to_numpy(),
            column=column,
            value=part.loc[has_row, "failure_case"],
            key=keys.reindex(at) if keys is not None else None,
            detail=detail,
        )
    return findings
