"""Linking passes of ``jingzhun match``: each pass positive and a near miss, one-to-one, names."""

from __future__ import annotations

import pandas as pd
import pytest
from match_frames import A1, A2, A3, B1, B2, C1, V1, V2, dibao, households, members, row

from jingzhun.match import match, names
from jingzhun.match.prepare import months_in_year
from jingzhun.params import Params


@pytest.fixture(scope="module")
def params() -> Params:
    return Params.load()


def run(rows, params, hh=None, mem=None, **kw):
    frames = {
        "households": hh if hh is not None else households(),
        "members": mem if mem is not None else members(),
        "dibao": dibao(rows),
    }
    frames.update(kw)
    return match(frames, params, 2016)


def linked(res) -> dict[str, tuple[str, str]]:
    p = res.pairs
    return {r: (i, m) for r, i, m in zip(p["record_id"], p["id_number"], p["method"], strict=True)}


def codes(res) -> list[str]:
    return sorted(res.findings.frame()["code"].tolist())


# ---- names -------------------------------------------------------------------------


def _sim(a: str, b: str) -> float:
    ka = names.keys(pd.Series([a], dtype="str"))
    kb = names.keys(pd.Series([b], dtype="str"))
    return float(names.similarity(ka, kb)[0])


def test_name_similarity_tiers():
    assert _sim("張偉", "张伟") == 1.0  # traditional → simplified
    assert _sim("李峯", "李峰") == 1.0  # variant character
    assert _sim("阿依古丽·买买提", "阿依古丽买买提") == 1.0  # minority-name dot
    assert _sim("张伟", "张玮") == 0.95  # homophone
    assert _sim("刘丽", "牛妮") == 0.88  # n/l and dialect merge
    assert _sim("王建国", "陈小红") < 0.5
    assert _sim("王建国", None) == 0.0


# ---- passes ------------------------------------------------------------------------


def test_id_exact_links_and_a_foreign_valid_id_does_not(params):
    from match_frames import pid

    other = pid("42112119700101009")  # valid, not in the register
    res = run([row("R1", "张伟", A1), row("R2", "张伟", other, village=V2)], params)
    got = linked(res)
    assert got["R1"] == (A1, "id_exact")
    assert "R2" not in got
    assert "M-ROSTER-NOT-FOUND" in codes(res)


def test_id_normalized_15_digit_fullwidth_and_lowercase_x(params):
    from match_frames import pid

    xid = next(c for c in (pid(f"42112119800101{s:03d}") for s in range(1000)) if c.endswith("X"))
    mem = members()
    mem.loc[6, "id_number"] = xid
    full = A2.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    res = run(
        [
            row("R1", "张伟", A1[:6] + A1[8:17]),
            row("R2", "李芳", " " + full[:6] + " " + full[6:]),
            row("R3", "赵大", xid.lower(), village=V2),
        ],
        params,
        mem=mem,
    )
    got = linked(res)
    assert got["R1"] == (A1, "id_normalized")
    assert got["R2"] == (A2, "id_normalized")
    assert got["R3"] == (xid, "id_normalized")


def test_id_normalized_near_miss_15_digit_of_someone_else(params):
    res = run([row("R1", "陌生人", "421121700101999", village=V2)], params)
    assert linked(res) == {}


@pytest.mark.parametrize("damage", ["substitution", "transposition"])
def test_id_fuzzy_one_edit_confirmed_by_name(params, damage):
    if damage == "substitution":
        bad = B1[:9] + str((int(B1[9]) + 3) % 10) + B1[10:]
    else:
        i = next(i for i in range(8, 16) if B1[i] != B1[i + 1])
        bad = B1[:i] + B1[i + 1] + B1[i] + B1[i + 2 :]
    res = run([row("R1", "王建囯", bad)], params)
    assert linked(res)["R1"] == (B1, "id_fuzzy")
    assert "M-ROSTER-ID-INVALID" in codes(res)


def test_id_fuzzy_one_edit_but_another_name_is_not_linked(params):
    bad = B1[:9] + str((int(B1[9]) + 3) % 10) + B1[10:]
    res = run([row("R1", "欧阳修文", bad, village=None)], params)
    assert "R1" not in linked(res)


@pytest.mark.parametrize("raw", [A1[:15] + "000", "4.21121197001E+17", A1[:15] + "000.0"])
def test_id_fuzzy_excel_damaged_prefix_and_name(params, raw):
    res = run([row("R1", "张玮", raw)], params)
    assert linked(res)["R1"] == (A1, "id_fuzzy")
    assert "M-ROSTER-ID-EXCEL" in codes(res)


def test_id_fuzzy_excel_damaged_with_a_different_name_is_not_linked(params):
    res = run([row("R1", "周杰伦", A1[:15] + "000", village=None)], params)
    assert "R1" not in linked(res)


def test_name_village_homophone_with_relation(params):
    res = run([row("R1", "劉麗", None, relation="配偶"), row("R2", "王建国", None, village=V2)], params)
    got = linked(res)
    assert got["R1"] == (B2, "name_village")
    assert res.pairs.set_index("record_id").loc["R1", "score"] >= 0.9
    assert "R2" not in got  # same name, other village


def test_name_village_rejected_when_partial_id_birth_differs(params):
    # 15 significant digits kept by Excel give the birth date: 1999 ≠ 1960
    res = run([row("R1", "王建国", "421121199901011000", village=V1)], params)
    assert "R1" not in linked(res)


def test_name_village_resolves_village_name(params):
    rows = [row("R1", "陈老汉", None, village=None, village_name="西村委会", relation="户主")]
    res = run(rows, params)
    assert linked(res)["R1"] == (C1, "name_village")


def test_one_to_one_conflict_resolved_by_score_and_reported(params):
    rows = [row("R1", "张小明", None, relation="户主"), row("R2", "张小明", None, relation="之子")]
    res = run(rows, params)
    got = linked(res)
    assert got == {"R2": (A3, "name_village")}
    f = res.findings.frame()
    conflict = f[f["code"] == "M-LINK-CONFLICT"]
    assert conflict["key"].tolist() == ["R1"]
    assert "R2" in conflict["detail"].iloc[0]


def test_register_person_linked_at_most_once_across_passes(params):
    rows = [row("R1", "李芳", A2), row("R2", "李芳", None, relation="配偶")]
    res = run(rows, params)
    assert linked(res) == {"R1": (A2, "id_exact")}


def test_id_match_with_different_name_goes_to_review(params):
    res = run([row("R1", "周大福", A3)], params)
    p = res.pairs.set_index("record_id")
    assert bool(p.loc["R1", "review"]) is True
    assert "M-ID-NAME-DIFFERS" in codes(res)
    assert res.review["record_id"].tolist() == ["R1"]


def test_months_in_year():
    start = pd.Series(pd.to_datetime(["2014-01-01", "2015-04-15", "2016-01-01", "2015-03-01"]))
    end = pd.Series(pd.to_datetime([None, None, None, "2015-08-31"]))
    assert months_in_year(start, end, 2015).tolist() == [12, 9, 0, 6]


def test_result_is_pure(params):
    d = dibao([row("R1", "张伟", A1)])
    before = d.copy()
    run_frames = {"households": households(), "members": members(), "dibao": d}
    match(run_frames, params, 2016)
    pd.testing.assert_frame_equal(d, before)


def test_missing_roster_table_is_an_input_error(params):
    from jingzhun.errors import InputError

    with pytest.raises(InputError):
        match({"households": households(), "members": members()}, params, 2016)


def test_a_person_who_moved_households_links_to_the_current_row(params):
    # The year a marriage moves someone, the register has them twice: left (嫁出) and arrived.
    mem = members()
    moved = mem.iloc[[2]].assign(household_id="H2", relation="之儿媳", change_reason=None, _row=9)
    mem.loc[2, "change_reason"] = "嫁出"
    mem = pd.concat([mem, moved], ignore_index=True)
    res = run([row("R1", "张小明", A3)], params, mem=mem)
    assert linked(res)["R1"] == (A3, "id_exact")
    assert res.pairs.set_index("record_id").loc["R1", "household_id"] == "H2"
    # Without the move the same roster row stays with the only row there is.
    res = run([row("R1", "张小明", A3)], params)
    assert res.pairs.set_index("record_id").loc["R1", "household_id"] == "H1"
