"""The county of each 低保 roster row of a multi-county folder (``province.ingest._roster_county``)
against a row-by-row reading of its rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jingzhun.ids import normalize
from jingzhun.province.ingest import _roster_county

COUNTIES = ["421121", "421122", "421123"]


def _reference(village: pd.Series, roster: pd.DataFrame, members: pd.DataFrame) -> list[str]:
    """Its village's county, unless no member of that county has the ID while a member elsewhere
    does: then the county of the first member with it, a current one first."""
    out = []
    for v, raw in zip(village, normalize(roster["id_number"]), strict=True):
        if pd.isna(raw):
            out.append(v)
            continue
        holders = members[(members["id_number"] == raw) & (members["county"] != "")]
        if holders.empty or (holders["county"] == v).any():
            out.append(v)
            continue
        current = holders[holders["current"]]
        out.append(str((current if not current.empty else holders)["county"].iloc[0]))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_roster_rows_follow_their_members_as_the_rule_says(seed: int) -> None:
    rng = np.random.default_rng(seed)
    pool = [f"42112{i}19800101{j:04d}" for i in range(3) for j in range(8)]  # 24 IDs, repeated freely
    n_members, n_roster = int(rng.integers(0, 60)), int(rng.integers(1, 40))
    members = pd.DataFrame(
        {
            "county": pd.Series(rng.choice([*COUNTIES, ""], n_members), dtype="str"),
            "id_number": pd.Series(
                [None if rng.random() < 0.1 else str(rng.choice(pool)) for _ in range(n_members)], dtype="str"
            ),
            "current": rng.random(n_members) < 0.7,
        }
    )
    members["id_number"] = normalize(members["id_number"]).astype("str")
    roster = pd.DataFrame(
        {"id_number": pd.Series([None if rng.random() < 0.1 else str(rng.choice(pool)) for _ in range(n_roster)])}
    ).astype("str")
    village = pd.Series(rng.choice([*COUNTIES, ""], n_roster), dtype="str", index=pd.RangeIndex(n_roster))
    got = _roster_county(village, roster, members)
    assert got.tolist() == _reference(village, roster, members)
    assert got.index.equals(village.index)


def test_a_current_member_decides_before_an_earlier_one_who_left() -> None:
    members = pd.DataFrame(
        {
            "county": pd.Series(["421122", "421123", "421121"], dtype="str"),
            "id_number": pd.Series(["42112219800101001X"] * 2 + ["421121198001010021"], dtype="str"),
            "current": [False, True, True],
        }
    )
    roster = pd.DataFrame({"id_number": pd.Series(["42112219800101001x", "421121198001010021"], dtype="str")})
    village = pd.Series(["421121", "421121"], dtype="str")
    assert _roster_county(village, roster, members).tolist() == ["421123", "421121"]


def _crosscheck_reference(cc_ids: pd.Series, members: pd.DataFrame) -> list[str]:
    """The county of the first placed member with the row's ID, a current member first; a row
    without an ID takes a placed member without one (as the look-up has always matched NA)."""
    norm = normalize(members["id_number"])
    out = []
    for raw in normalize(cc_ids):
        same = norm.isna() if pd.isna(raw) else (norm == raw).fillna(False)
        holders = members[same.to_numpy(dtype=bool) & (members["county"] != "").to_numpy(dtype=bool)]
        current = holders[holders["current"]]
        pick = current if not current.empty else holders
        out.append("" if pick.empty else str(pick["county"].iloc[0]))
    return out


@pytest.mark.parametrize("seed", range(8))
def test_crosscheck_rows_go_to_the_county_of_their_member(seed: int) -> None:
    from jingzhun.province.ingest import place

    rng = np.random.default_rng(100 + seed)
    pool = [f"42112{i}19800101{j:04d}" for i in range(3) for j in range(6)]
    n_households, n_members, n_cc = 12, int(rng.integers(1, 50)), int(rng.integers(1, 30))
    households = pd.DataFrame(
        {
            "household_id": pd.Series([f"H{i}" for i in range(n_households)], dtype="str"),
            "village_code": pd.Series(
                [str(rng.choice(COUNTIES)) + "001001" if rng.random() < 0.9 else "" for _ in range(n_households)],
                dtype="str",
            ),
        }
    )
    members = pd.DataFrame(
        {
            "household_id": pd.Series([f"H{int(rng.integers(0, n_households + 2))}" for _ in range(n_members)]),
            "id_number": pd.Series([None if rng.random() < 0.1 else str(rng.choice(pool)) for _ in range(n_members)]),
            "change_reason": pd.Series([None if rng.random() < 0.7 else "死亡" for _ in range(n_members)]),
        }
    ).astype("str")
    cc = pd.DataFrame(
        {"id_number": pd.Series([None if rng.random() < 0.1 else str(rng.choice(pool)) for _ in range(n_cc)])}
    ).astype("str")
    out = place({"households": households, "members": members, "crosscheck": cc})
    placed_members = members.assign(county=out["members"], current=(members["change_reason"] != "死亡").fillna(True))
    assert out["crosscheck"].tolist() == _crosscheck_reference(cc["id_number"], placed_members)
