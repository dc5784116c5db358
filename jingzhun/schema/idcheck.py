"""ID-number checks (GB 11643) on every ID column, with ``jingzhun.ids.classify``.

A bad checksum, an impossible or future birth date and a malformed number are errors; a
15-digit first-generation number is accepted (upgraded) with a warning; an address code
outside the county is only information (domain.md §10.1: warn, do not reject). A
残疾人证 number (the 18-digit ID plus 2 or 4 category/grade characters) is accepted when
``id_type`` says 残疾人证. IDs the reader already reported as Excel-damaged are skipped.

The classification is kept per column (:class:`IdColumn`) so the cross-table rules use
the same normalised numbers, sex and birth dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jingzhun import ids
from jingzhun.findings import Findings
from jingzhun.schema.run import row_numbers
from jingzhun.tablespec import KEY_COLUMNS

ID_COLUMNS: dict[str, tuple[str, ...]] = {
    "members": ("id_number",),
    "households": ("head_id_number",),
    "dibao": ("id_number",),
    "cadres": ("id_number",),
    "crosscheck": ("id_number",),
    "payments": ("payee_id_number",),
}
DISABILITY_TYPE = "残疾人证"
USABLE = ("valid", "upgraded15")
_STATUS_CODES = {"bad_checksum": "V-ID-CHECKSUM", "bad_date": "V-ID-DATE", "bad_format": "V-ID-FORMAT"}
# The 民政 roster's IDs are known to be noisy (data-contract §2 dibao.id_number): a bad one
# is a warning for matching to work around, not an error that blocks submission.
ROSTER_TABLES = ("dibao",)
ROSTER_CODE = "V-ROSTER-ID-INVALID"


@dataclass
class IdColumn:
    """One ID column classified: aligned to the table's frame."""

    normalized: pd.Series  # 18-character person ID (NA when empty); for 残疾人证 the ID part
    status: pd.Series  # ids.classify status, or "bad_disability" for a malformed 残疾人证 number
    _sex: pd.Series | None = field(default=None, repr=False, compare=False)

    @property
    def usable(self) -> pd.Series:
        """True where the number is a valid person ID (directly or after 15→18)."""
        return self.status.isin(USABLE).astype(bool)

    @property
    def comparable(self) -> pd.Series:
        """The normalised number where it can be compared with others (not empty, not Excel-damaged)."""
        return self.normalized.where(~self.status.isin(("empty", "excel_damaged")).astype(bool))

    def sex(self) -> pd.Series:
        if self._sex is None:  # asked by two rules: worked out once
            self._sex = ids.sex(self.normalized.where(self.usable))
        return self._sex

    def birth_date(self) -> pd.Series:
        return ids.birth_date(self.normalized.where(self.usable))


def classify_column(df: pd.DataFrame, column: str, today: pd.Timestamp | None = None) -> IdColumn:
    """Classify ``df[column]``; 残疾人证 numbers are judged by their 18-character ID part."""
    raw = df[column]
    result = ids.classify(raw, today=today)
    normalized = result["normalized"].astype("str")
    status = result["status"].astype("str")
    if "id_type" in df.columns:
        disabled = (df["id_type"] == DISABILITY_TYPE).fillna(False).astype(bool)
        long_form = normalized.str.len().isin((20, 22)).fillna(False).astype(bool)
        cand = disabled & long_form & (status == "bad_format").astype(bool)
        if cand.any():
            head = normalized[cand].str.slice(0, 18)
            tail_ok = normalized[cand].str.slice(18).str.fullmatch(r"[0-9A-Z]+").fillna(False).astype(bool)
            sub = ids.classify(head, today=today)
            sub_status = sub["status"].where(tail_ok, "bad_disability")
            sub_status = sub_status.where(sub_status != "bad_format", "bad_disability")
            normalized = normalized.copy()
            status = status.copy()
            normalized[cand] = sub["normalized"]
            status[cand] = sub_status
    return IdColumn(normalized=normalized, status=status)


def _add(
    findings: Findings,
    code: str,
    table: str,
    df: pd.DataFrame,
    column: str,
    mask: pd.Series,
    detail: pd.Series | None = None,
) -> None:
    m = np.asarray(mask.fillna(False), dtype=bool)
    if not m.any():
        return
    key_col = KEY_COLUMNS.get(table)
    findings.add(
        code,
        table=table,
        row=row_numbers(df)[m],
        column=column,
        value=df[column][m],
        key=df[key_col][m] if key_col in df.columns else None,
        detail=detail[m] if detail is not None else None,
    )


def check_ids(
    frames: dict[str, pd.DataFrame],
    county_code: str,
    today: pd.Timestamp | None = None,
    row_county: dict[str, pd.Series] | None = None,
) -> tuple[Findings, dict[tuple[str, str], IdColumn]]:
    """Findings for every ID column of every table present, and the classified columns.

    ``row_county`` (a multi-county folder, :func:`jingzhun.county.row_counties`): per table, the
    county each row's IDs are judged against for V-ID-REGION ("" → ``county_code``)."""
    classified = classify_ids(frames, today)
    return id_findings(frames, classified, county_code, row_county), classified


def classify_ids(frames: dict[str, pd.DataFrame], today: pd.Timestamp | None = None) -> dict[tuple[str, str], IdColumn]:
    """Every ID column of every table present, classified (:func:`classify_column`), in
    :data:`ID_COLUMNS` order: the costly half of :func:`check_ids`, which needs no county."""
    classified: dict[tuple[str, str], IdColumn] = {}
    for table, columns in ID_COLUMNS.items():
        df = frames.get(table)
        if df is None:
            continue
        for column in columns:
            if column in df.columns:
                classified[(table, column)] = classify_column(df, column, today=today)
    return classified


def id_findings(
    frames: dict[str, pd.DataFrame],
    classified: dict[tuple[str, str], IdColumn],
    county_code: str,
    row_county: dict[str, pd.Series] | None = None,
) -> Findings:
    """The findings of classified ID columns (:func:`classify_ids`), column by column."""
    findings = Findings()
    for (table, column), info in classified.items():
        df = frames[table]
        st = info.status
        if table in ROSTER_TABLES:
            bad = st.isin([*_STATUS_CODES, "bad_disability"]).astype(bool)
            _add(findings, ROSTER_CODE, table, df, column, bad, detail=st)
        else:
            for status, code in _STATUS_CODES.items():
                _add(findings, code, table, df, column, st == status)
            _add(findings, "V-ID-DISABILITY-FORMAT", table, df, column, st == "bad_disability")
        _add(findings, "V-ID-15", table, df, column, st == "upgraded15", detail=info.normalized)
        own = row_county.get(table) if row_county else None
        if county_code or own is not None:
            # county.code may be a shorter prefix (a city or province) for multi-county data
            prefix = info.normalized.str.slice(0, 6)
            outside = info.usable & _outside(prefix, county_code, own)
            _add(findings, "V-ID-REGION", table, df, column, outside, detail=prefix)
    return findings


def _outside(prefix: pd.Series, county_code: str, own: pd.Series | None) -> pd.Series:
    """Address codes outside ``county_code`` or, where ``own`` names one, outside the row's own county."""
    area = (prefix.str.slice(0, len(county_code)) != county_code).fillna(False).astype(bool)
    if own is None:
        return area if county_code else pd.Series(False, index=prefix.index)
    placed = (own != "").to_numpy(dtype=bool)
    other = (prefix != own).fillna(False).astype(bool).to_numpy(dtype=bool)
    fallback = area.to_numpy(dtype=bool) if county_code else np.zeros(len(prefix), dtype=bool)
    return pd.Series(np.where(placed, other, fallback), index=prefix.index)
