"""``jingzhun sample``: a deterministic synthetic dataset, year by year.

:func:`generate` yields, per data year, the contract tables and the truth frames. Every
draw comes from one ``numpy.random.default_rng(seed)`` in a fixed order, so the same
arguments give the same frames (and byte-identical files).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jingzhun.params import Params
from jingzhun.sample import extras, population, roster
from jingzhun.sample import monitoring as smon
from jingzhun.sample import tables as tb


@dataclass
class YearSample:
    year: int
    tables: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame] = field(default_factory=dict)


def _changes_truth(year: int, H: pd.DataFrame, P: pd.DataFrame, changes: dict[str, np.ndarray]) -> pd.DataFrame:
    hid = H["household_id"].to_numpy()
    rows = [pd.DataFrame({"kind": k, "household_id": hid[v], "id_number": ""}) for k, v in changes.items()]
    moved = P["reason"].to_numpy() != ""
    rows.append(
        pd.DataFrame(
            {
                "kind": P["reason"].to_numpy()[moved],
                "household_id": hid[P["hh"].to_numpy()[moved]],
                "id_number": P["id_number"].to_numpy()[moved],
            }
        )
    )
    return (
        pd.concat(rows, ignore_index=True)
        .sort_values(["kind", "household_id", "id_number"], kind="stable")
        .reset_index(drop=True)
    )


def generate(
    households: int,
    years: list[int],
    seed: int,
    villages_per_township: int | None = None,
    params: Params | None = None,
    county: str | None = None,
    roster_noise: float = 0.0,
    counties: list[str] | None = None,
) -> Iterator[YearSample]:
    """Yield the sample of each data year in order (first year built, later years evolved).

    ``roster_noise``: share of damaged IDs in the 低保 roster (0: the data is clean).
    ``counties``: a province sample, villages spread over these county codes and cadres paired
    within their county (cases across counties are added by :mod:`jingzhun.sample.province`).
    """
    params = params or Params.load()
    rng = np.random.default_rng(seed)
    y0 = years[0]
    line0 = params.poverty_line(y0 - 1)
    vil, H, P = population.initial(rng, households, y0, villages_per_township, line0, county, counties)
    n_out = max(1, households // 60)
    outs = roster.outsiders(rng, vil, n_out, pd.Index(P["id_number"].to_numpy()), int(P["pid"].max()) + 10**6, y0)
    cad = extras.cadres(rng, vil, int(H["registered"].sum()))
    removals = np.zeros(0, dtype=int)
    for k, year in enumerate(years):
        line = smon.sample_line(params, year)
        changes: dict[str, np.ndarray] = {}
        if k > 0:
            H, P, changes = population.evolve(rng, H, P, year, line, removals)
        H["cadre_id"] = extras.pair_cadres_by_county(cad, H, vil) if counties else extras.pair_cadres(cad, H, vil)
        m, attrs = tb.members_table(P, H, year)
        present = np.zeros(len(H), dtype=bool)
        present[P["hh"].to_numpy()] = True
        hh = tb.households_table(rng, H, P, attrs, vil, year, line, present)
        mon_truth = None
        if year >= smon.FIRST_YEAR:  # 防止返贫监测 (own random stream: earlier years stay as they were)
            hh, mon_truth = smon.apply(hh, m, year, seed)
        villages = tb.villages_table(rng, vil, hh, H, year)
        cross, excl = extras.crosscheck(rng, hh, m, year)
        removals = np.flatnonzero(H["household_id"].isin(set(excl)).to_numpy() & (rng.random(len(H)) < 0.6))
        proj, pay = extras.projects_payments(rng, vil, hh, m, year)
        dib, pairs, cases = roster.roster(rng, m, P, H, hh, vil, outs, year, roster_noise)
        truth = {"dibao_pairs": pairs, "dibao_cases": cases}
        if k > 0:
            truth["changes"] = _changes_truth(year, H, P, changes)
        if mon_truth is not None:
            truth["monitoring"] = mon_truth
        yield YearSample(
            year,
            {
                "households": hh,
                "members": m,
                "villages": villages,
                "dibao": dib,
                "cadres": cad.drop(columns="_cap"),
                "crosscheck": cross,
                "projects": proj,
                "payments": pay,
            },
            truth,
        )
        # Free this year's frames before the next year is built (peak memory = one year).
        del m, attrs, hh, villages, cross, proj, pay, dib, pairs, cases, truth
