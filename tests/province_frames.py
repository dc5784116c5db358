"""Test helper: one year of a dataset folder split into per-county frames and slims, as a store would place them.

County of a row: households and villages by village code; members and payments by their household's
county (payments without one by their project's village); roster rows by village code; cadres by
township code. What cannot be placed goes to county "" (the store's ``_unplaced``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jingzhun.dataset import Dataset, load_year
from jingzhun.province.passes import Slim, slim_frames


def _county(codes: pd.Series) -> pd.Series:
    c = codes.astype("str").str.slice(0, 6)
    return c.where(codes.astype("str").str.len() >= 6).fillna("")


def county_of_rows(frames: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    """Per table, the county of each row ("" where it cannot be placed)."""
    h = frames["households"]
    hh = pd.Series(_county(h["village_code"]).to_numpy(), index=h["household_id"].astype("str"))
    hh = hh[~hh.index.duplicated()]
    out = {
        "households": _county(h["village_code"]),
        "members": frames["members"]["household_id"].astype("str").map(hh).fillna(""),
    }
    if "payments" in frames:
        p = frames["payments"]
        by_hh = p["household_id"].astype("str").map(hh)
        if "projects" in frames:
            pr = frames["projects"]
            proj = pd.Series(_county(pr["village_code"]).to_numpy(), index=pr["project_id"].astype("str"))
            by_hh = by_hh.fillna(p["project_id"].astype("str").map(proj[~proj.index.duplicated()]))
        out["payments"] = by_hh.fillna("")
    for table, col in (("dibao", "village_code"), ("villages", "village_code"), ("cadres", "township_code")):
        if table in frames:
            out[table] = _county(frames[table][col])
    return out


def split(frames: dict[str, pd.DataFrame]) -> dict[str, dict[str, pd.DataFrame]]:
    """county → the frames of its rows (each row keeps its ``_row``)."""
    where = county_of_rows(frames)
    counties = sorted(set().union(*(set(s.unique()) for s in where.values())))
    return {c: {t: frames[t][(s == c).to_numpy()] for t, s in where.items()} for c in counties}


def year_frames(root: Path, year: int) -> dict[str, pd.DataFrame]:
    return load_year(Dataset.open(root), year).frames


def slims(root: Path, year: int, reverse: bool = False) -> list[Slim]:
    """The slims of every county of one year (``reverse``: in the opposite order, as tasks may finish)."""
    parts = split(year_frames(root, year))
    order = sorted(parts, reverse=reverse)
    return [slim_frames(parts[c], c, year) for c in order]
