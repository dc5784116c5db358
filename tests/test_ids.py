"""GB 11643 ID logic: published examples and hypothesis properties against the *_one references."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from jingzhun import ids

TODAY = pd.Timestamp("2020-12-31")
FW = {str(i): chr(0xFF10 + i) for i in range(10)} | {"X": "Ｘ"}

digits = st.text(alphabet="0123456789", min_size=17, max_size=17)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31))
prefixes = st.sampled_from(["421121", "421100", "421102", "421181", "110105", "440524"])


@st.composite
def valid_ids(draw):
    body = draw(prefixes) + draw(dates).strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    return body + ids.check_char_one(body)


# Anything an export cell can hold: valid IDs, their damaged/garbled variants, noise.
@st.composite
def raw_values(draw):
    v = draw(valid_ids())
    kind = draw(
        st.sampled_from(
            [
                "valid",
                "lower",
                "fullwidth",
                "spaces",
                "15",
                "sci",
                "zeros",
                "dot0",
                "digit",
                "swap",
                "short",
                "noise",
                "none",
                "empty",
            ]
        )
    )
    if kind == "lower":
        return v.lower()
    if kind == "fullwidth":
        return "".join(FW.get(c, c) for c in v)
    if kind == "spaces":
        i = draw(st.integers(0, 17))
        return " " + v[:i] + draw(st.sampled_from([" ", "\u3000", "\t"])) + v[i:] + "\n"
    if kind == "15":
        return v[:6] + v[8:17]
    if kind == "sci":
        return f"{int(v[:17]) * 10:.5E}".replace("E+", draw(st.sampled_from(["E+", "e+", "E"])))
    if kind == "zeros":
        return v[:15] + "000"
    if kind == "dot0":
        return v[:15] + "000.0"
    if kind == "digit":
        i = draw(st.integers(0, 16))
        return v[:i] + str((int(v[i]) + draw(st.integers(1, 9))) % 10) + v[i + 1 :]
    if kind == "swap":
        i = draw(st.integers(0, 15))
        return v[:i] + v[i + 1] + v[i] + v[i + 2 :]
    if kind == "short":
        return v[: draw(st.integers(1, 14))]
    if kind == "noise":
        return draw(st.text(max_size=20))
    if kind == "none":
        return None
    if kind == "empty":
        return draw(st.sampled_from(["", "  ", "\u3000"]))
    return v


def series(values):
    return pd.Series(values, dtype="str")


# ---- published examples ---------------------------------------------------------------


def test_published_examples_checksum():
    assert ids.check_char_one("11010519491231002") == "X"
    assert ids.check_char_one("44052418800101001") == "4"
    s = series(["11010519491231002X", "440524188001010014", "110105194912310021"])
    assert ids.checksum_ok(s).tolist() == [True, True, False]


def test_published_15_to_18_upgrade():
    assert ids.upgrade15_one("441900890101221") == "441900198901012219"
    assert ids.upgrade15(series(["441900890101221"])).tolist() == ["441900198901012219"]
    c = ids.classify(series(["441900890101221"]), TODAY)
    assert c.status.tolist() == ["upgraded15"]


def test_birth_date_and_sex_of_examples():
    s = series(["11010519491231002X", "440524188001010014"])
    assert ids.birth_date(s).tolist() == [pd.Timestamp("1949-12-31"), pd.Timestamp("1880-01-01")]
    assert ids.sex(s).tolist() == ["女", "男"]


def _with_check(body17: str) -> str:
    return body17 + ids.check_char_one(body17)


def test_classify_statuses():
    month13 = _with_check("11010519491331002")
    s = series(
        [
            "11010519491231002X",
            "11010519491231002x",
            "１１０１０５１９４９１２３１００２Ｘ",
            "110105194912310021",
            month13,
            "4.21121E+17",
            "421121199001011000",
            "421121199001011.0",
            "4211211990",
            None,
            "",
            "440524188001010014",
        ]
    )
    assert ids.classify(s, TODAY).status.tolist() == [
        "valid",
        "valid",
        "valid",
        "bad_checksum",
        "bad_date",
        "excel_damaged",
        "excel_damaged",
        "excel_damaged",
        "bad_format",
        "empty",
        "empty",
        "bad_date",
    ]


def test_future_and_pre_1900_birth_dates_are_bad_date():
    future = "421121203001010" + "01"
    future += ids.check_char_one(future)
    old = "421121189912310" + "01"
    old += ids.check_char_one(old)
    assert ids.classify(series([future, old]), TODAY).status.tolist() == ["bad_date", "bad_date"]


def test_excel_damage_detection():
    s = series(["4.21121E+17", "4.21121199001011E+17", "421121199001011000", "421121199001011234.0", "421121"])
    assert ids.excel_damaged(s).tolist() == [True, True, True, True, False]
    # an 18-digit ID ending in 000 whose checksum is right is a real ID, not damage
    real = next(
        _with_check(f"4211211990010{q:02d}00")
        for q in range(100)
        if ids.check_char_one(f"4211211990010{q:02d}00") == "0"
    )
    assert ids.checksum_ok_one(real) and real.endswith("000")
    assert ids.excel_damaged(series([real])).tolist() == [False]


def test_mask_shape():
    s = series(["421121199001011234", "", None, "12345"])
    assert ids.mask(s).tolist() == ["421121********1234", "", "", "******"]


def test_region_prefix():
    assert ids.region(series(["421121199001011234", "4211"])).tolist() == ["421121", "4211"]


def test_compose_builds_valid_ids_matching_birth_and_sex():
    rng = np.random.default_rng(0)
    n = 500
    ymd = rng.integers(1930, 2015, n) * 10000 + rng.integers(1, 13, n) * 100 + rng.integers(1, 29, n)
    seq = rng.integers(0, 1000, n)
    out = pd.Series(ids.compose(np.full(n, "421121"), ymd, seq), dtype="str")
    assert ids.checksum_ok(out).all()
    assert (ids.birth_date(out).dt.strftime("%Y%m%d").astype(int).to_numpy() == ymd).all()
    assert (ids.sex(out).to_numpy() == np.where(seq % 2 == 1, "男", "女")).all()


# ---- properties: vectorised == reference ------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(raw_values(), min_size=1, max_size=40))
def test_classify_matches_reference(values):
    got = ids.classify(series(values), TODAY)
    for raw, norm, status in zip(values, got.normalized.tolist(), got.status.tolist(), strict=True):
        ref_norm, ref_status = ids.classify_one(raw, TODAY.strftime("%Y%m%d"))
        assert status == ref_status, (raw, status, ref_status)
        if ref_status != "empty":
            assert norm == ref_norm, (raw, norm, ref_norm)
        else:
            assert pd.isna(norm)


@settings(max_examples=60, deadline=None)
@given(st.lists(raw_values(), min_size=1, max_size=40))
def test_normalize_mask_damage_match_reference(values):
    s = series(values)
    norm = ids.normalize(s).tolist()
    assert [None if pd.isna(v) else v for v in norm] == [ids.normalize_one(v) for v in values]
    assert ids.mask(s).tolist() == [ids.mask_one(v) for v in values]
    assert ids.excel_damaged(s).tolist() == [ids.excel_damaged_one(v) for v in values]


@settings(max_examples=60, deadline=None)
@given(st.lists(valid_ids(), min_size=1, max_size=40))
def test_valid_ids_round_trip(values):
    s = series(values)
    assert ids.checksum_ok(s).all()
    assert (ids.classify(s, TODAY).status == "valid").all()
    assert ids.birth_date(s).dt.date.tolist() == [ids.birth_date_one(v) for v in values]
    assert ids.sex(s).tolist() == [ids.sex_one(v) for v in values]
    assert ids.region(s).tolist() == [ids.region_one(v) for v in values]
    assert ids.check_char(s.str.slice(0, 17)).tolist() == [v[17] for v in values]


@settings(max_examples=60, deadline=None)
@given(valid_ids(), st.integers(0, 16), st.integers(1, 9))
def test_one_digit_change_breaks_checksum(v, i, d):
    bad = v[:i] + str((int(v[i]) + d) % 10) + v[i + 1 :]
    assert not ids.checksum_ok_one(bad)
    assert ids.checksum_ok(series([bad])).tolist() == [False]


@settings(max_examples=60, deadline=None)
@given(valid_ids(), st.integers(0, 15))
def test_adjacent_swap_breaks_checksum_unless_equal(v, i):
    swapped = v[:i] + v[i + 1] + v[i] + v[i + 2 :]
    assert ids.checksum_ok_one(swapped) == (swapped == v)


@settings(max_examples=60, deadline=None)
@given(valid_ids())
def test_15_digit_form_upgrades_back(v):
    if not v[6:8] == "19":
        return
    id15 = v[:6] + v[8:17]
    assert ids.upgrade15_one(id15) == v
    assert ids.upgrade15(series([id15])).tolist() == [v]
    assert ids.normalize(series(["".join(FW.get(c, c) for c in v).lower()])).tolist() == [v]


def test_eighteen_bytes_that_are_not_eighteen_ascii_characters_take_the_general_path():
    """The fast path reads 18-byte rows straight from Arrow's buffer: six CJK characters (18 bytes
    of UTF-8) or a full-width digit must not pass for an ID, whether or not every row has 18 bytes."""
    good = "11010519491231002X"
    cjk = "张三李四王五"  # 18 bytes in UTF-8
    wide = "11010519491231002Ｘ"  # 17 ASCII digits and a full-width X: 20 bytes, normalised to good
    short = "110105194912310Ｘ"  # 16 characters, 18 bytes: no birth date, no sex
    cases = ([good, cjk, wide, good[:17] + "x", short], [good, cjk], [cjk], [short, short], [good, None, "", good[:15]])
    for values in cases:
        got = ids.classify(series(values), TODAY)
        expected = [ids.classify_one(v, TODAY.strftime("%Y%m%d")) for v in values]
        assert got.status.tolist() == [status for _, status in expected], values
        births = ids.birth_date(series(values)).tolist()
        sexes = ids.sex(series(values)).tolist()
        for v, birth, sex in zip(values, births, sexes, strict=True):
            if v == good:
                assert (birth, sex) == (pd.Timestamp("1949-12-31"), ids.sex_one(good))
            elif v in (cjk, short):
                assert pd.isna(birth) and pd.isna(sex), v


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            raw_values(),
            st.text(alphabet="0123456789.eEX\n 元１", max_size=8),
        ),
        min_size=0,
        max_size=30,
    ),
    st.integers(0, 3),
)
def test_excel_suspects_are_what_the_regular_expression_finds(values, split):
    s = series(values)
    if split and len(values) > split:  # a column of several Arrow chunks
        s = pd.concat([series(values[:split]), series(values[split:])], ignore_index=True)
    expected = [v is not None and re.search(r"[.eE]|000$", v) is not None for v in values]
    assert ids.excel_suspects(s).tolist() == expected
    assert ids.excel_suspects(s.iloc[1:]).tolist() == expected[1:]  # an Arrow slice: offsets not from 0
