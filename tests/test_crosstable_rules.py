"""Cross-table and cross-row rules: each rule fires on the broken record and only there."""

from __future__ import annotations

import pandas as pd
import pytest
from test_validate_fixtures import (
    HEAD1,
    HEAD3,
    KID1,
    WIFE1,
    YEAR,
    make_id,
    params,
    year_frames,
)

from jingzhun.schema.crosstable import EMPTY_MARK, check_crosstable


def hits(frames: dict[str, pd.DataFrame], code: str, data_year: int = YEAR) -> pd.DataFrame:
    """Rendered findings of ``code`` from the cross-table rules over ``frames``."""
    rendered = check_crosstable(frames, params(), data_year=data_year).render()
    return rendered[rendered["code"] == code].reset_index(drop=True)


def where(df: pd.DataFrame) -> list[tuple[str, int, str]]:
    return sorted(zip(df["table"], df["row"].astype(int), df["column"], strict=True))


def test_clean_year_passes_every_cross_rule():
    assert len(check_crosstable(year_frames(), params(), data_year=YEAR)) == 0


# ---- members ↔ households -------------------------------------------------------------------


def test_member_whose_household_is_missing():
    f = year_frames()
    f["members"].loc[5, "household_id"] = "H9"
    h = hits(f, "V-MEMBER-NO-HOUSEHOLD")
    assert where(h) == [("members", 6, "household_id")]
    assert h.loc[0, "value"] == "H9"


def test_household_without_members():
    f = year_frames()
    f["members"] = f["members"][f["members"]["household_id"] != "H2"].reset_index(drop=True)
    assert where(hits(f, "V-HOUSEHOLD-NO-MEMBERS")) == [("households", 2, "household_id")]
    # a household without members is not also reported as headless or mis-sized
    assert hits(f, "V-HEAD-MISSING").empty and hits(f, "V-SIZE-MISMATCH").empty


def test_no_head():
    f = year_frames()
    f["members"].loc[3, "relation"] = "其他"
    h = hits(f, "V-HEAD-MISSING")
    assert where(h) == [("households", 2, "household_id")]
    assert h.loc[0, "key"] == "H2"


def test_head_who_left_is_not_a_head():
    f = year_frames()
    f["members"].loc[3, "change_reason"] = "死亡"
    assert where(hits(f, "V-HEAD-MISSING")) == [("households", 2, "household_id")]


def test_two_heads():
    f = year_frames()
    f["members"].loc[1, "relation"] = "户主"
    h = hits(f, "V-HEAD-MULTIPLE")
    assert where(h) == [("members", 1, "relation"), ("members", 2, "relation")]
    assert set(h["detail"]) == {"2"}


def test_two_spouses_and_outgoing_spouse_not_counted():
    f = year_frames()
    f["members"].loc[2, "relation"] = "配偶"
    assert where(hits(f, "V-SPOUSE-MULTIPLE")) == [("members", 2, "relation"), ("members", 3, "relation")]
    f["members"].loc[2, "change_reason"] = "其他转出"
    assert hits(f, "V-SPOUSE-MULTIPLE").empty


def test_couple_of_same_sex_by_id_digit():
    f = year_frames()
    # wife's ID replaced by a male ID (sequence digit odd); the sex column still says 女
    f["members"].loc[1, "id_number"] = make_id("19720612", 23)
    h = hits(f, "V-COUPLE-SAME-SEX")
    assert where(h) == [("members", 2, "relation")]
    assert h.loc[0, "key"] == "H1"
    assert h.loc[0, "value"] == "男"  # the sex both have, as the ID says


def test_couple_sex_falls_back_to_sex_column():
    f = year_frames()
    f["members"].loc[1, "id_number"] = None  # no usable ID: the sex column decides
    f["members"].loc[1, "sex"] = "男"
    assert where(hits(f, "V-COUPLE-SAME-SEX")) == [("members", 2, "relation")]
    f["members"].loc[1, "sex"] = "女"
    assert hits(f, "V-COUPLE-SAME-SEX").empty


def test_household_size_counts_current_members_only():
    f = year_frames()
    f["members"].loc[2, "change_reason"] = "死亡"
    h = hits(f, "V-SIZE-MISMATCH")
    assert where(h) == [("households", 1, "household_size")]
    assert (h.loc[0, "value"], h.loc[0, "detail"]) == ("3", "2")
    f["households"].loc[0, "household_size"] = 2
    assert hits(f, "V-SIZE-MISMATCH").empty


def test_incoming_member_counts():
    f = year_frames()
    f["members"].loc[2, "change_reason"] = "新生儿"
    assert hits(f, "V-SIZE-MISMATCH").empty


def test_id_in_two_households():
    f = year_frames()
    f["members"].loc[5, "id_number"] = WIFE1
    h = hits(f, "V-ID-MULTI-HOUSEHOLD")
    assert where(h) == [("members", 2, "id_number"), ("members", 6, "id_number")]
    assert set(h["detail"]) == {"H1,H3"}


def test_id_in_two_households_ignores_outgoing_and_15_digit_equivalent():
    f = year_frames()
    f["members"].loc[5, "id_number"] = WIFE1
    f["members"].loc[5, "change_reason"] = "嫁出"
    assert hits(f, "V-ID-MULTI-HOUSEHOLD").empty
    # a 15-digit number is the same person as its 18-digit upgrade
    f = year_frames()
    f["members"].loc[5, "id_number"] = WIFE1[:6] + WIFE1[8:17]
    assert len(hits(f, "V-ID-MULTI-HOUSEHOLD")) == 2


def test_id_twice_in_one_household():
    f = year_frames()
    f["members"].loc[2, "id_number"] = WIFE1
    assert where(hits(f, "V-ID-DUPLICATE")) == [("members", 2, "id_number"), ("members", 3, "id_number")]


def test_head_id_differs_from_head_member():
    f = year_frames()
    f["households"].loc[0, "head_id_number"] = WIFE1
    h = hits(f, "V-HEAD-ID-MISMATCH")
    assert where(h) == [("households", 1, "head_id_number")]
    assert h.loc[0, "detail"] == HEAD1
    f["households"].loc[0, "head_id_number"] = HEAD1.lower()  # normalised before comparing
    assert hits(f, "V-HEAD-ID-MISMATCH").empty


def test_sex_column_against_id_digit():
    f = year_frames()
    f["members"].loc[2, "sex"] = "女"
    h = hits(f, "V-ID-SEX-MISMATCH")
    assert where(h) == [("members", 3, "sex")]
    assert h.loc[0, "detail"] == "男"


def test_birth_date_against_id():
    f = year_frames()
    f["members"].loc[2, "birth_date"] = pd.Timestamp("2008-09-02")
    h = hits(f, "V-ID-BIRTH-MISMATCH")
    assert where(h) == [("members", 3, "birth_date")]
    assert (h.loc[0, "value"], h.loc[0, "detail"]) == ("2008-09-02", "2008-09-01")


def test_student_with_education():
    f = year_frames()
    f["members"].loc[2, "education"] = "小学"
    assert where(hits(f, "V-EDU-SCHOOL-BOTH")) == [("members", 3, "education")]


def test_neither_education_nor_school_status():
    f = year_frames()
    f["members"].loc[0, "education"] = None
    assert where(hits(f, "V-EDU-SCHOOL-NONE")) == [("members", 1, "education")]
    f["members"].loc[0, "school_status"] = "学龄前儿童"
    assert hits(f, "V-EDU-SCHOOL-NONE").empty


def test_healthy_working_age_without_labour():
    f = year_frames()
    f["members"].loc[4, "labor"] = "无劳动力"  # 王五, 30 on 2015-12-31, healthy, not a student
    h = hits(f, "V-LABOR-AGE")
    assert where(h) == [("members", 5, "labor")]
    assert h.loc[0, "detail"] == "30"
    f["members"].loc[4, "health"] = "患有大病"
    assert hits(f, "V-LABOR-AGE").empty


def test_labour_age_bounds():
    f = year_frames()
    # the 7-year-old is healthy and 无劳动力: not flagged
    assert hits(f, "V-LABOR-AGE").empty
    f["members"].loc[5, "labor"] = "丧失劳动力"
    f["members"].loc[5, "id_number"] = make_id("19560101", 62)  # 59 on 2015-12-31
    f["members"].loc[5, "birth_date"] = pd.Timestamp("1956-01-01")
    assert where(hits(f, "V-LABOR-AGE")) == [("members", 6, "labor")]
    f["members"].loc[5, "id_number"] = make_id("19551231", 62)  # 60 on 2015-12-31
    f["members"].loc[5, "birth_date"] = pd.Timestamp("1955-12-31")
    assert hits(f, "V-LABOR-AGE").empty


def test_no_labour_with_work_months():
    f = year_frames()
    f["members"].loc[3, "work_status"] = "省外务工"
    f["members"].loc[3, "work_months"] = 6
    h = hits(f, "V-LABOR-WORK")
    assert where(h) == [("members", 4, "labor")]
    assert h.loc[0, "detail"] == "6"


def test_work_months_without_work_status():
    f = year_frames()
    f["members"].loc[1, "work_months"] = 5  # status 未外出务工
    h = hits(f, "V-WORK-MONTHS-NO-STATUS")
    assert where(h) == [("members", 2, "work_months")]
    assert h.loc[0, "detail"] == "未外出务工"


def test_work_status_without_months():
    f = year_frames()
    f["members"].loc[0, "work_months"] = 0
    h = hits(f, "V-WORK-STATUS-NO-MONTHS")
    assert where(h) == [("members", 1, "work_status")]
    assert h.loc[0, "detail"] == "0"
    f["members"].loc[0, "work_months"] = None
    h = hits(f, "V-WORK-STATUS-NO-MONTHS")
    assert where(h) == [("members", 1, "work_status")]
    assert h.loc[0, "detail"] == EMPTY_MARK  # the empty cell, marked as such


# ---- households -------------------------------------------------------------------------------


def test_registered_household_missing_fields():
    f = year_frames()
    f["households"].loc[0, "main_cause"] = None
    f["households"].loc[1, "status"] = None
    assert where(hits(f, "V-REGISTERED-MISSING")) == [("households", 1, "main_cause"), ("households", 2, "status")]


def test_registered_household_column_absent():
    f = year_frames()
    f["households"] = f["households"].drop(columns=["main_cause"])
    h = hits(f, "V-REGISTERED-MISSING")
    assert list(h["column"]) == ["main_cause"] and h["row"].isna().all()


def test_non_registered_household_with_category():
    f = year_frames()
    f["households"].loc[2, "category"] = "一般贫困户"
    assert where(hits(f, "V-NONREGISTERED-FILLED")) == [("households", 3, "category")]


def test_other_causes_more_than_two():
    f = year_frames()
    f["households"].loc[0, "other_causes"] = "缺技术,缺资金,因学"
    assert where(hits(f, "V-OTHER-CAUSES-MANY")) == [("households", 1, "other_causes")]
    f["households"].loc[0, "other_causes"] = "缺技术,缺资金"
    assert hits(f, "V-OTHER-CAUSES-MANY").empty


def test_other_causes_repeat_main_cause():
    f = year_frames()
    f["households"].loc[0, "other_causes"] = "缺技术,因病"
    h = hits(f, "V-OTHER-CAUSES-MAIN")
    assert where(h) == [("households", 1, "other_causes")]
    assert h.loc[0, "detail"] == "因病"


def test_reported_income_against_recomputed():
    f = year_frames()
    f["households"].loc[0, "per_capita_net_income"] = 1001.5  # recomputed 1000
    h = hits(f, "V-INCOME-MISMATCH")
    assert where(h) == [("households", 1, "per_capita_net_income")]
    assert (h.loc[0, "value"], h.loc[0, "detail"]) == ("1001.5", "1000")
    f["households"].loc[0, "per_capita_net_income"] = 1000.9  # within the 1 元 tolerance
    assert hits(f, "V-INCOME-MISMATCH").empty


# ---- villages, cadres --------------------------------------------------------------------------


def test_village_code_not_in_villages():
    f = year_frames()
    f["households"].loc[2, "village_code"] = "421121101299"
    f["projects"].loc[0, "village_code"] = "421121101299"
    assert where(hits(f, "V-VILLAGE-UNKNOWN")) == [("households", 3, "village_code"), ("projects", 1, "village_code")]
    del f["villages"]
    assert hits(f, "V-VILLAGE-UNKNOWN").empty  # no villages table: nothing to check against


def test_village_outside_county():
    f = year_frames()
    f["villages"].loc[1, "village_code"] = "421122100201"
    f["villages"].loc[1, "township_code"] = "421122100"
    h = hits(f, "V-VILLAGE-OUTSIDE-COUNTY")
    assert ("villages", 2, "village_code") in where(h)


def test_township_code_is_first_nine_digits():
    f = year_frames()
    f["villages"].loc[0, "township_code"] = "421121102"
    h = hits(f, "V-TOWNSHIP-CODE")
    assert where(h) == [("villages", 1, "township_code")]
    assert h.loc[0, "detail"] == "421121100"
    f["villages"].loc[0, "township_code"] = "421121100000"  # 9 digits + 000 (national form)
    assert hits(f, "V-TOWNSHIP-CODE").empty


def test_cadre_reference():
    f = year_frames()
    f["households"].loc[1, "cadre_id"] = "C9"
    assert where(hits(f, "V-CADRE-UNKNOWN")) == [("households", 2, "cadre_id")]


# ---- dibao, projects, payments ------------------------------------------------------------------


def test_dibao_end_before_start():
    f = year_frames()
    f["dibao"].loc[1, "end_date"] = pd.Timestamp("2015-05-31")
    h = hits(f, "V-DIBAO-DATES")
    assert where(h) == [("dibao", 2, "end_date")]
    assert (h.loc[0, "value"], h.loc[0, "detail"]) == ("2015-05-31", "2015-06-01")


def test_dibao_class_for_tekun():
    f = year_frames()
    f["dibao"].loc[0, "dibao_class"] = "一类"
    assert where(hits(f, "V-DIBAO-CLASS")) == [("dibao", 1, "dibao_class")]


def test_project_dates_out_of_order():
    f = year_frames()
    f["projects"].loc[0, "start_date"] = pd.Timestamp("2016-01-01")  # before approval
    h = hits(f, "V-PROJECT-DATE-ORDER")
    assert where(h) == [("projects", 1, "start_date")]
    assert h.loc[0, "detail"] == "approved_date 2016-01-10"


def test_project_dates_skip_missing_stage():
    f = year_frames()
    f["projects"].loc[0, "completion_date"] = pd.NaT
    f["projects"].loc[0, "acceptance_date"] = pd.Timestamp("2016-02-01")  # before start 2016-03-01
    h = hits(f, "V-PROJECT-DATE-ORDER")
    assert where(h) == [("projects", 1, "acceptance_date")]
    assert h.loc[0, "detail"] == "start_date 2016-03-01"


def test_publicity_end_before_start():
    f = year_frames()
    f["projects"].loc[0, "publicity_end"] = pd.Timestamp("2016-01-11")
    assert where(hits(f, "V-PROJECT-DATE-ORDER")) == [("projects", 1, "publicity_end")]


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [("project_id", "P9", "V-PAYMENT-PROJECT-UNKNOWN"), ("household_id", "H9", "V-PAYMENT-HOUSEHOLD-UNKNOWN")],
)
def test_payment_keys(column, value, code):
    f = year_frames()
    f["payments"].loc[1, column] = value
    h = hits(f, code)
    assert where(h) == [("payments", 2, column)]
    assert h.loc[0, "key"] == "F2"


def test_rules_skip_absent_tables():
    f = year_frames()
    only = {"members": f["members"]}
    only["members"].loc[5, "household_id"] = "H9"  # no households table: cannot be checked
    assert check_crosstable(only, params(), data_year=YEAR).codes() == set()


def test_rules_are_vectorised_over_many_households():
    """Many copies of the clean year stay clean, and one broken copy is found once."""
    f = year_frames()
    n = 2000
    h = pd.concat([f["households"]] * n, ignore_index=True)
    m = pd.concat([f["members"]] * n, ignore_index=True)
    suffix_h = pd.Series([f"-{i}" for i in range(n) for _ in range(3)], dtype="str")
    suffix_m = pd.Series([f"-{i}" for i in range(n) for _ in range(6)], dtype="str")
    h["household_id"] = h["household_id"] + suffix_h
    m["household_id"] = m["household_id"] + suffix_m
    ids_h = [make_id(f"19{50 + i % 40:02d}0101", i % 500 * 2 + 1) for i in range(3 * n)]
    h["head_id_number"] = pd.Series(ids_h, dtype="str")
    # give every member a distinct ID consistent with its sex and birth date
    births = m["birth_date"].dt.strftime("%Y%m%d")
    seq = [(i // 6) % 499 for i in range(6 * n)]
    sex_odd = (m["sex"] == "男").to_numpy()
    m["id_number"] = pd.Series(
        [
            make_id(b, (s * 2 + (1 if odd else 2)) % 1000, prefix=f"4211{21 + i // (6 * 499):02d}")
            for i, (b, s, odd) in enumerate(zip(births, seq, sex_odd, strict=True))
        ],
        dtype="str",
    )
    heads = m[m["relation"] == "户主"].set_index("household_id")["id_number"]
    h["head_id_number"] = h["household_id"].map(heads).astype("str")
    h["_row"] = pd.array(range(1, len(h) + 1), dtype="Int64")
    m["_row"] = pd.array(range(1, len(m) + 1), dtype="Int64")
    m.loc[6 * 7 + 1, "relation"] = "户主"
    found = check_crosstable({"households": h, "members": m}, params(), data_year=YEAR)
    assert found.frame()["code"].value_counts().to_dict() == {"V-HEAD-MULTIPLE": 2}


def test_head_of_one_household_found_by_key_not_position():
    f = year_frames()
    f["members"] = f["members"].iloc[::-1].reset_index(drop=True)
    assert check_crosstable(f, params(), data_year=YEAR).codes() == set()
    assert KID1 in set(f["members"]["id_number"]) and HEAD3 in set(f["members"]["id_number"])
