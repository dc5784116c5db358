"""Writing the sample's table files the way county exports look (CSV UTF-8-BOM/GBK, Parquet, XLSX)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from jingzhun.sample.names import GBK_SUBSTITUTES


def to_text(df: pd.DataFrame) -> pd.DataFrame:
    """Every column as export text: 是/否, YYYY-MM-DD, money with 2 decimals, empty for missing."""
    out = {}
    for c in df.columns:
        s = df[c]
        if s.dtype == bool or isinstance(s.dtype, pd.BooleanDtype):
            v = np.where(s.fillna(False).to_numpy(dtype=bool), "是", "否").astype(object)
            v[s.isna().to_numpy()] = ""
        elif pd.api.types.is_datetime64_any_dtype(s):
            v = s.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=object)
        elif pd.api.types.is_float_dtype(s):
            f = s.to_numpy(dtype=float, na_value=np.nan)
            v = np.char.mod("%.2f", np.nan_to_num(f)).astype(object)
            v[np.isnan(f)] = ""
        elif pd.api.types.is_integer_dtype(s):
            v = s.astype("str").fillna("").to_numpy(dtype=object)
        else:
            v = s.astype("str").fillna("").to_numpy(dtype=object)
        out[c] = v
    return pd.DataFrame(out, columns=list(df.columns))


def _gbk_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or out[c].dtype == "str":
            s = out[c].astype("str")
            for a, b in GBK_SUBSTITUTES.items():
                s = s.str.replace(a, b, regex=False)
            out[c] = s
    return out


def _csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if s.dtype == bool or isinstance(s.dtype, pd.BooleanDtype):
            v = np.where(s.fillna(False).to_numpy(dtype=bool), "是", "否").astype(object)
            v[s.isna().to_numpy()] = ""
            out[c] = v
    return out


def write_table(
    df: pd.DataFrame, path: Path, fmt: str, encoding: str = "utf-8", title: str | None = None, total_row: bool = False
) -> Path:
    """One table file. ``title`` adds a title row above the header, ``total_row`` a trailing 合计 row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        df.to_parquet(path, index=False)
        return path
    if fmt == "xlsx":
        return _write_xlsx(to_text(df), path, title, total_row)
    frame = _csv_frame(df)
    if encoding == "gbk":
        frame = _gbk_safe(frame)
    text = frame.to_csv(index=False, lineterminator="\n", float_format="%.2f", date_format="%Y-%m-%d")
    if title:
        text = title + "," * (len(df.columns) - 1) + "\n" + text
    if total_row:
        text += "合计" + "," * (len(df.columns) - 1) + "\n"
    with open(path, "w", encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as f:
        f.write(text)
    return path


def _write_xlsx(df: pd.DataFrame, path: Path, title: str | None, total_row: bool) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path), {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    )
    wb.set_properties({"created": pd.Timestamp("2000-01-01").to_pydatetime()})
    ws = wb.add_worksheet("Sheet1")
    text = wb.add_format({"num_format": "@"})
    r = 0
    if title:
        ws.write_string(0, 0, title)
        r = 1
    for j, c in enumerate(df.columns):
        ws.write_string(r, j, str(c))
    for j, c in enumerate(df.columns):
        ws.write_column(r + 1, j, df[c].tolist(), text)
    if total_row:
        ws.write_string(r + 1 + len(df), 0, "合计")
    wb.close()
    return path


def write_truth(df: pd.DataFrame, path: Path) -> Path:
    """Truth files: plain UTF-8 (with BOM) CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    to_text(df).to_csv(path, index=False, lineterminator="\n", encoding="utf-8-sig")
    return path
