"""Dynamic management: household and member change classes between two data years."""

from __future__ import annotations

from test_identify_support import V1, V3, households, make_id, members

from jingzhun.identify.diff import diff_years

REG = {"registered": True, "status": "未脱贫", "category": "一般贫困户"}
P = {n: make_id("19700101", n) for n in range(1, 40, 2)}


def years():
    old_h = households(
        [
            {"household_id": "same", **REG},
            {"household_id": "exit", **REG},
            {"household_id": "back", "registered": True, "status": "已脱贫(享受政策)"},
            {"household_id": "chg", **REG, "head_name": "旧"},
            {"household_id": "newreg"},  # surveyed, becomes registered
            {"household_id": "dereg", **REG},  # stays, no longer registered
            {"household_id": "gone", **REG},  # vanishes, no reason
            {"household_id": "merged", **REG},  # vanishes, its member moved
            {"household_id": "left", "village_code": V3},  # non-registered, leaves the survey
            {"household_id": "plain"},  # non-registered, unchanged
        ]
    )
    new_h = households(
        [
            {"household_id": "same", **REG},
            {"household_id": "exit", "registered": True, "status": "已脱贫(享受政策)"},
            {"household_id": "back", "registered": True, "status": "返贫"},
            {"household_id": "chg", **REG, "head_name": "新"},
            {"household_id": "newreg", **REG},
            {"household_id": "brandnew", **REG},
            {"household_id": "dereg"},
            {"household_id": "came"},
            {"household_id": "plain", "wage_income": 5.0},
            {"household_id": "split", **REG},
        ]
    )
    old_m = members(
        [
            {"household_id": "same", "id_number": P[1], "name": "甲"},
            {"household_id": "same", "id_number": P[3], "name": "乙"},  # dies in Y2 (row kept)
            {"household_id": "same", "id_number": P[5], "name": "丙"},  # moves to split (分户)
            {"household_id": "same", "id_number": P[7], "name": "丁", "education": "小学"},  # changed
            {"household_id": "merged", "id_number": P[9], "name": "戊"},  # moves to same (合户)
            {"household_id": "gone", "id_number": P[11], "name": "己"},  # removed with household
            {"household_id": "exit", "id_number": P[13], "name": "庚"},  # removed, no reason
        ]
    )
    new_m = members(
        [
            {"household_id": "same", "id_number": P[1], "name": "甲"},
            {"household_id": "same", "id_number": P[3], "name": "乙", "change_reason": "死亡"},
            {"household_id": "split", "id_number": P[5], "name": "丙"},
            {"household_id": "same", "id_number": P[7], "name": "丁", "education": "初中"},
            {"household_id": "same", "id_number": P[9], "name": "戊"},
            {"household_id": "same", "id_number": make_id("20160601", 1), "name": "婴"},  # newborn, inferred
            {"household_id": "chg", "id_number": make_id("19900101", 2), "name": "媳", "change_reason": "嫁入"},
            {"household_id": "brandnew", "id_number": make_id("19600101", 1), "name": "新户"},
            {"household_id": "chg", "id_number": make_id("19500101", 1).lower(), "name": "无因"},  # added, no reason
        ]
    )
    return {"households": old_h, "members": old_m}, {"households": new_h, "members": new_m}


def result():
    old, new = years()
    return diff_years(old, new, 2016, 2017)


def test_household_change_classes():
    r = result()
    h = r.households.set_index("household_id")
    expected = {
        "exit": "exited",
        "back": "returned",
        "chg": "changed",
        "newreg": "new",
        "brandnew": "new",
        "split": "new",
        "dereg": "removed",
        "gone": "removed",
        "merged": "removed",
        "came": "appeared",
        "left": "disappeared",
    }
    assert h["change"].to_dict() == expected  # "same" and the non-registered "plain" are not listed
    assert h.loc["chg", "fields"] == "head_name"
    assert h.loc["newreg", "reason_code"] == "identified_from_survey"
    assert h.loc["brandnew", "reason_code"] == "identified_new"
    assert h.loc["dereg", "reason_code"] == "deregistered"
    assert h.loc["merged", "reason_code"] == "merged"
    assert h.loc["gone", "reason_code"] == "unknown"
    assert h.loc["exit", "status_from"] == "未脱贫" and h.loc["exit", "status_to"] == "已脱贫(享受政策)"


def test_disappeared_registered_household_without_reason_is_a_warning():
    f = result().findings.frame()
    assert list(f.loc[f["code"] == "I-DIFF-DISAPPEARED", "key"]) == ["gone"]


def test_member_change_classes_and_reasons():
    m = result().members.set_index("id_number")
    assert m.loc[P[3], "change"] == "removed" and m.loc[P[3], "reason"] == "死亡"
    assert m.loc[P[3], "reason_source"] == "export"
    assert m.loc[P[5], "change"] == "moved" and m.loc[P[5], "reason"] == "分户"
    assert m.loc[P[5], "from_household_id"] == "same" and m.loc[P[5], "to_household_id"] == "split"
    assert m.loc[P[9], "change"] == "moved" and m.loc[P[9], "reason"] == "合户"
    assert m.loc[P[7], "change"] == "changed" and m.loc[P[7], "fields"] == "education"
    assert m.loc[P[11], "change"] == "removed" and m.loc[P[11], "reason"] == "随户减少"
    assert m.loc[P[13], "change"] == "removed" and m.loc[P[13], "reason"] == "原因不明"
    baby = make_id("20160601", 1)
    assert m.loc[baby, "change"] == "added" and m.loc[baby, "reason"] == "新生儿"
    assert m.loc[baby, "reason_source"] == "inferred"
    assert m.loc[make_id("19900101", 2), "reason"] == "嫁入"
    assert m.loc[make_id("19600101", 1), "reason"] == "随户新增"
    assert m.loc[make_id("19500101", 1), "reason"] == "原因不明"  # keyed by the normalised ID (x → X)
    assert P[1] not in m.index


def test_township_summary_counts():
    r = result()
    t = r.townships.set_index("township_code")
    assert t.loc[V1[:9], "households_new"] == 3
    assert t.loc[V3[:9], "households_disappeared"] == 1
    assert t.loc[V1[:9], "members_moved"] == 2
    assert r.summary()["households"]["removed"] == 3


def test_member_without_id_is_reported_not_compared():
    old, new = years()
    new["members"].loc[0, "id_number"] = None
    r = diff_years(old, new, 2016, 2017)
    f = r.findings.frame()
    assert (f["code"] == "I-DIFF-MEMBER-NO-ID").sum() == 1
    assert r.members.set_index("id_number").loc[P[1], "change"] == "removed"


def test_fields_listed_for_every_reported_household_present_in_both_years():
    h = result().households.set_index("household_id")
    # registered in one year only, but present in both: what changed is listed too
    assert h.loc["newreg", "fields"] == "registered;category;status"
    assert h.loc["dereg", "fields"] == "registered;category;status"
    assert h.loc["exit", "fields"] == "category;status"
    assert h.loc["came", "fields"] == "" and h.loc["gone", "fields"] == ""  # in one year only


def test_current_row_wins_over_outgoing_row_of_the_same_person():
    old, new = years()
    extra = members(
        [
            {"household_id": "same", "id_number": P[1], "name": "甲", "change_reason": "嫁出"},  # outgoing row first
            {"household_id": "chg", "id_number": P[1], "name": "甲", "change_reason": "嫁入"},  # current row second
            {"household_id": "chg", "id_number": P[21], "name": "辛"},  # current row first
            {"household_id": "same", "id_number": P[21], "name": "辛", "change_reason": "死亡"},
        ]
    )
    new["members"] = members([*new["members"].iloc[1:].to_dict("records"), *extra.to_dict("records")])
    old["members"] = members(
        [*old["members"].to_dict("records"), {"household_id": "same", "id_number": P[21], "name": "辛"}]
    )
    m = diff_years(old, new, 2016, 2017).members.set_index("id_number")
    assert m.loc[P[1], "change"] == "moved" and m.loc[P[1], "to_household_id"] == "chg"
    assert m.loc[P[1], "reason"] == "嫁入" and m.loc[P[1], "reason_source"] == "export"
    assert m.loc[P[21], "change"] == "moved" and m.loc[P[21], "to_household_id"] == "chg"
