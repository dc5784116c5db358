"""ID-number checks on every ID column (GB 11643; domain.md §10.1)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_validate_fixtures import COUNTY, HEAD1, HEAD2, make_id, year_frames

from jingzhun.schema.idcheck import ID_COLUMNS, check_ids

TODAY = pd.Timestamp("2016-06-30")


def run(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    found, _ = check_ids(frames, COUNTY, today=TODAY)
    return found.render()


def only(rendered: pd.DataFrame) -> list[tuple[str, str, int, str]]:
    return sorted(
        zip(rendered["code"], rendered["table"], rendered["row"].astype(int), rendered["severity"], strict=True)
    )


def test_clean_ids_give_nothing():
    assert run(year_frames()).empty


@pytest.mark.parametrize(("table", "column"), [(t, c) for t, cols in ID_COLUMNS.items() for c in cols])
def test_every_id_column_is_checked(table, column):
    f = year_frames()
    bad = HEAD1[:17] + ("0" if HEAD1[17] != "0" else "1")
    f[table][column] = f[table][column].astype("object")
    f[table].loc[0, column] = bad
    f[table][column] = f[table][column].astype("str")
    r = run(f)
    r = r[r["table"] == table]
    expected = "V-ROSTER-ID-INVALID" if table == "dibao" else "V-ID-CHECKSUM"
    assert list(r["code"]) == [expected] and list(r["column"]) == [column] and r["row"].iloc[0] == 1


def test_roster_ids_are_warnings_for_matching():
    f = year_frames()
    f["dibao"].loc[1, "id_number"] = "42112119800101"
    r = run(f)
    assert only(r) == [("V-ROSTER-ID-INVALID", "dibao", 2, "warning")]
    assert r.loc[0, "detail"] == "bad_format"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (make_id("20170101", 11), "V-ID-DATE"),  # after "today"
        (make_id("18991231", 11), "V-ID-DATE"),  # before 1900
        (make_id("19800230", 11), "V-ID-DATE"),  # 30 February
        ("42112119800101", "V-ID-FORMAT"),  # too short
        ("42112119800101123Y", "V-ID-FORMAT"),
    ],
)
def test_bad_ids(value, code):
    f = year_frames()
    f["members"].loc[1, "id_number"] = value
    r = run(f)
    assert only(r) == [(code, "members", 2, "error")]
    assert r.loc[0, "value"] == value


def test_fifteen_digit_is_a_warning_with_the_upgrade():
    f = year_frames()
    id15 = HEAD2[:6] + HEAD2[8:17]
    f["members"].loc[3, "id_number"] = id15
    r = run(f)
    assert only(r) == [("V-ID-15", "members", 4, "warning")]
    assert r.loc[0, "detail"] == HEAD2


def test_full_width_and_lower_x_are_normalised_not_reported():
    f = year_frames()
    x_id = next(make_id("19800101", s) for s in range(1, 999) if make_id("19800101", s).endswith("X"))
    f["members"].loc[0, "id_number"] = x_id[:-1] + "x"
    f["members"].loc[1, "id_number"] = "".join(chr(ord(ch) + 0xFEE0) for ch in f["members"].loc[1, "id_number"])
    assert run(f).empty


def test_disability_certificate_number_accepted_with_id_type():
    f = year_frames()
    f["members"].loc[1, "id_number"] = f["members"].loc[1, "id_number"] + "62"  # 20 chars
    f["members"].loc[2, "id_number"] = f["members"].loc[2, "id_number"] + "6201"  # 22 chars
    f["members"].loc[[1, 2], "id_type"] = "残疾人证"
    assert run(f).empty
    f["members"].loc[2, "id_type"] = "居民身份证"
    assert only(run(f)) == [("V-ID-FORMAT", "members", 3, "error")]


def test_disability_number_with_bad_id_part_or_tail():
    f = year_frames()
    base = f["members"].loc[1, "id_number"]
    f["members"].loc[1, "id_number"] = base[:17] + ("0" if base[17] != "0" else "1") + "62"
    f["members"].loc[2, "id_number"] = f["members"].loc[2, "id_number"] + "6-"
    f["members"].loc[[1, 2], "id_type"] = "残疾人证"
    assert only(run(f)) == [("V-ID-CHECKSUM", "members", 2, "error"), ("V-ID-DISABILITY-FORMAT", "members", 3, "error")]


def test_disability_id_part_feeds_the_cross_rules():
    f = year_frames()
    f["members"].loc[1, "id_number"] = f["members"].loc[1, "id_number"] + "62"
    f["members"].loc[1, "id_type"] = "残疾人证"
    _, classified = check_ids(f, COUNTY, today=TODAY)
    info = classified[("members", "id_number")]
    assert info.normalized.iloc[1] == year_frames()["members"].loc[1, "id_number"]
    assert info.sex().iloc[1] == "女"


def test_region_outside_county_is_information_only():
    f = year_frames()
    f["members"].loc[4, "id_number"] = make_id("19850101", 51, prefix="421102")  # 黄州区
    f["households"].loc[2, "head_id_number"] = f["members"].loc[4, "id_number"]
    r = run(f)
    assert only(r) == [("V-ID-REGION", "households", 3, "info"), ("V-ID-REGION", "members", 5, "info")]
    assert set(r["detail"]) == {"421102"}


def test_excel_damaged_ids_are_left_to_the_reader():
    f = year_frames()
    f["members"].loc[0, "id_number"] = "4.21121E+17"
    f["members"].loc[1, "id_number"] = HEAD1[:15] + "000"
    assert run(f).empty
