"""Each audit check: a positive case (the rule fires on the right record) and a negative one."""

from __future__ import annotations

import pandas as pd
import pytest
from frames import table_frame
from test_audit_helpers import add_payment, codes, keys, pid, run, set_cell, world

D = pd.Timestamp


# ---- who was paid -----------------------------------------------------------------------


def test_payee_not_registered_household():
    w = world()
    w["payments"] = set_cell(w["payments"], "payment_id", "F010", "household_id", "H99")
    r = run(w)
    assert keys(r, "A-PAYEE-NOT-REGISTERED") == ["F010"]


def test_payee_not_registered_person_without_household():
    w = add_payment(
        world(),
        payment_id="F900",
        payee_name="某某",
        payee_id_number=pid(901),
        amount=800.0,
        pay_date=D("2017-05-01"),
        measure="教育扶贫",
        purpose="助学补助",
        stage="一次性",
    )
    assert keys(run(w), "A-PAYEE-NOT-REGISTERED") == ["F900"]
    # the same payment to a registered person (no household id given) is fine
    w = add_payment(
        world(),
        payment_id="F900",
        payee_name="赵二",
        payee_id_number=pid(1, "19720202"),
        amount=800.0,
        pay_date=D("2017-05-01"),
        measure="教育扶贫",
        purpose="助学补助",
        stage="一次性",
    )
    assert "A-PAYEE-NOT-REGISTERED" not in codes(run(w))


def test_payee_not_member_of_booked_household():
    w = world()
    w["payments"] = set_cell(w["payments"], "payment_id", "F010", "payee_id_number", pid(1))
    assert keys(run(w), "A-PAYEE-NOT-MEMBER") == ["F010"]
    # the spouse of the booked household is a member
    w = world()
    w["payments"] = set_cell(w["payments"], "payment_id", "F010", "payee_id_number", pid(9, "19720202"))
    assert "A-PAYEE-NOT-MEMBER" not in codes(run(w))


def test_ineligible_non_registered_household():
    w = world()
    w["payments"] = set_cell(w["payments"], "payment_id", "F010", "household_id", "H15")
    w["payments"] = set_cell(w["payments"], "payment_id", "F010", "payee_id_number", pid(15))
    r = run(w)
    assert keys(r, "A-PAYEE-INELIGIBLE") == ["F010"]
    assert "非建档立卡户" in r.findings.loc[r.findings["code"] == "A-PAYEE-INELIGIBLE", "detail"].iloc[0]


def test_ineligible_not_for_measures_open_to_non_registered():
    w = add_payment(
        world(),
        payment_id="F900",
        household_id="H15",
        payee_name="卫一",
        payee_id_number=pid(15),
        amount=10000.0,
        pay_date=D("2017-05-01"),
        measure="危房改造",
        purpose="危房改造补助",
        stage="一次性",
    )
    assert "A-PAYEE-INELIGIBLE" not in codes(run(w))


def test_ineligible_exited_without_policy_only_after_exit_year():
    w = add_payment(
        world(),
        payment_id="F900",
        household_id="H16",
        payee_name="蒋一",
        payee_id_number=pid(16),
        amount=1000.0,
        pay_date=D("2017-05-01"),
        measure="产业扶贫",
        purpose="产业奖补",
        stage="一次性",
    )
    assert keys(run(w), "A-PAYEE-INELIGIBLE") == ["F900"]
    w["households"] = set_cell(w["households"], "household_id", "H16", "exit_year", 2017)
    assert "A-PAYEE-INELIGIBLE" not in codes(run(w))


def test_ineligible_excluded_by_identification():
    elig = pd.DataFrame({"household_id": ["H09"], "result": ["excluded"]})
    assert keys(run(eligibility=elig), "A-PAYEE-INELIGIBLE") == ["F010"]
    elig = pd.DataFrame({"household_id": ["H09"], "result": ["poor"]})
    assert "A-PAYEE-INELIGIBLE" not in codes(run(eligibility=elig))


def test_duplicate_same_payee_same_measure_same_year():
    w = add_payment(
        world(),
        payment_id="F900",
        project_id="P2",
        household_id="H09",
        payee_name="韩一",
        payee_id_number=pid(9),
        bank_account="6217000000000009",
        amount=3000.0,
        pay_date=D("2017-08-01"),
        measure="产业扶贫",
        purpose="产业奖补",
        stage="一次性",
    )
    r = run(w)
    assert keys(r, "A-DUPLICATE-PAYMENT") == ["F900"]
    assert r.findings.loc[r.findings["code"] == "A-DUPLICATE-PAYMENT", "detail"].iloc[0] == "F010"


def test_duplicate_not_for_recurring_measures_or_instalments():
    r = run()  # F021/F022 公益岗位 twice, F001–F003 three stages of one project
    assert "A-DUPLICATE-PAYMENT" not in codes(r)
    # a second 进度款 of the same project is an instalment, not a duplicate
    w = add_payment(
        world(),
        payment_id="F900",
        project_id="P1",
        payee_name="团风县路桥公司",
        bank_account="6222000011112222",
        amount=5000.0,
        pay_date=D("2017-07-01"),
        purpose="进度款",
        stage="进度款",
    )
    assert "A-DUPLICATE-PAYMENT" not in codes(run(w))


def test_duplicate_same_project_stage_twice():
    w = add_payment(
        world(),
        payment_id="F900",
        project_id="P1",
        payee_name="团风县路桥公司",
        bank_account="6222000011112222",
        amount=50000.0,
        pay_date=D("2017-11-01"),
        purpose="尾款",
        stage="尾款",
    )
    assert keys(run(w), "A-DUPLICATE-PAYMENT") == ["F900"]


def test_duplicate_across_households_same_account():
    # H10's spouse gets 雨露计划 into H03's account: same measure, same account, another household
    w = add_payment(
        world(),
        payment_id="F900",
        project_id="P3",
        household_id="H10",
        payee_name="褚二",
        payee_id_number=pid(10, "19720202"),
        bank_account="6217000000000003",
        amount=3000.0,
        pay_date=D("2017-09-05"),
        measure="雨露计划",
        purpose="雨露计划职业教育补助",
        stage="一次性",
    )
    assert keys(run(w), "A-DUPLICATE-PAYMENT") == ["F900"]


def test_duplicate_across_households_same_id():
    w = add_payment(
        world(),
        payment_id="F900",
        project_id="P3",
        household_id="H10",
        payee_name="孙一",
        payee_id_number=pid(3),
        bank_account="6217000000000010",
        amount=3000.0,
        pay_date=D("2017-09-05"),
        measure="雨露计划",
        purpose="雨露计划职业教育补助",
        stage="一次性",
    )
    assert "F900" in keys(run(w), "A-DUPLICATE-PAYMENT")


def test_shared_account_unrelated_households():
    w = world()
    w["payments"] = set_cell(w["payments"], "payment_id", "F011", "bank_account", "6217000000000009")
    w["payments"] = set_cell(w["payments"], "payment_id", "F012", "bank_account", "6217000000000009")
    w = add_payment(
        w,
        payment_id="F900",
        project_id="P3",
        household_id="H09",
        payee_name="韩一",
        payee_id_number=pid(9),
        bank_account="6217000000000009",
        amount=100.0,
        pay_date=D("2017-09-05"),
        measure="教育扶贫",
        purpose="助学",
        stage="一次性",
    )
    r = run(w)
    assert keys(r, "A-SHARED-ACCOUNT") == ["F011", "F012"]


def test_shared_account_not_for_one_family():
    w = world()
    # H10 is a split-off household of H09's family: same village, same surname
    w["households"] = set_cell(w["households"], "household_id", "H10", "head_name", "冯三")
    w["payments"] = set_cell(w["payments"], "payment_id", "F011", "bank_account", "6217000000000009")
    assert "A-SHARED-ACCOUNT" not in codes(run(w))


def test_over_cap_cumulative_per_household_measure_year():
    w = add_payment(
        world(),
        payment_id="F900",
        project_id="P2",
        household_id="H09",
        payee_name="韩一",
        payee_id_number=pid(9),
        bank_account="6217000000000009",
        amount=8000.0,
        pay_date=D("2017-08-01"),
        measure="产业扶贫",
        purpose="产业奖补",
        stage="尾款",
    )
    r = run(w)
    f = r.findings[r.findings["code"] == "A-OVER-CAP"]
    assert f["key"].tolist() == ["F900"]
    assert float(f["amount"].iloc[0]) == pytest.approx(1000.0)  # 3000 + 8000 − 10000


def test_over_cap_not_at_the_cap():
    w = add_payment(
        world(),
        payment_id="F900",
        project_id="P2",
        household_id="H09",
        payee_name="韩一",
        payee_id_number=pid(9),
        bank_account="6217000000000009",
        amount=7000.0,
        pay_date=D("2017-08-01"),
        measure="产业扶贫",
        purpose="产业奖补",
        stage="尾款",
    )
    assert "A-OVER-CAP" not in codes(run(w))


def test_kin_of_cadre_and_not_also_ineligible():
    w = world()
    w["crosscheck"] = table_frame(
        "crosscheck", id_number=[pid(9, "19720202")], name=["韩二"], source=["村干部"], detail=["村委委员"]
    )
    elig = pd.DataFrame({"household_id": ["H09"], "result": ["excluded"]})
    r = run(w, eligibility=elig)
    assert keys(r, "A-KIN-OF-CADRE") == ["F010"]
    assert "A-PAYEE-INELIGIBLE" not in codes(r)


def test_kin_of_cadre_ignores_other_sources():
    w = world()
    w["crosscheck"] = table_frame("crosscheck", id_number=[pid(9)], name=["韩一"], source=["车辆"], detail=["小型轿车"])
    assert "A-KIN-OF-CADRE" not in codes(run(w))


def test_paid_after_death_by_id_and_by_name():
    w = world()
    m = w["members"]
    m = set_cell(m, "id_number", pid(9), "change_reason", "死亡")
    m = set_cell(m, "id_number", pid(9), "change_date", D("2017-03-01"))
    w["members"] = m
    assert keys(run(w), "A-PAID-AFTER-DEATH") == ["F010"]
    w["payments"] = set_cell(w["payments"], "payment_id", "F010", "payee_id_number", pd.NA)
    assert keys(run(w), "A-PAID-AFTER-DEATH") == ["F010"]


def test_paid_before_death_is_fine():
    w = world()
    w["members"] = set_cell(w["members"], "id_number", pid(9), "change_reason", "死亡")
    w["members"] = set_cell(w["members"], "id_number", pid(9), "change_date", D("2017-06-01"))
    assert "A-PAID-AFTER-DEATH" not in codes(run(w))


# ---- the project systems -------------------------------------------------------------------


def test_project_unapproved_and_paid_before_approval():
    w = world()
    w["projects"] = set_cell(w["projects"], "project_id", "P3", "approved_date", pd.NaT)
    assert keys(run(w), "A-PROJECT-UNAPPROVED") == ["F020"]
    w = world()
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "approved_date", D("2017-03-10"))
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "publicity_start", D("2017-01-01"))
    r = run(w)
    assert keys(r, "A-PAID-BEFORE-APPROVAL") == ["F001"]
    assert "A-PROJECT-UNAPPROVED" not in codes(r)


def test_unknown_project_and_no_project():
    w = world()
    w["payments"] = set_cell(w["payments"], "payment_id", "F002", "project_id", "P404")
    assert keys(run(w), "A-UNKNOWN-PROJECT") == ["F002"]
    w = world()
    w["payments"] = set_cell(w["payments"], "payment_id", "F002", "project_id", pd.NA)
    r = run(w)
    assert keys(r, "A-PAYMENT-NO-PROJECT") == ["F002"]
    assert "A-UNKNOWN-PROJECT" not in codes(r)


def test_no_contract_over_threshold():
    w = world()
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "contract_id", pd.NA)
    assert keys(run(w, audit__contract_threshold=100000.0), "A-NO-CONTRACT") == ["P1"]
    # below the threshold (parameter) nothing is required
    assert "A-NO-CONTRACT" not in codes(run(w, audit__contract_threshold=300000.0))


def test_not_publicised_only_when_active():
    w = world()
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "publicity_start", pd.NaT)
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "publicity_end", pd.NaT)
    assert keys(run(w), "A-NOT-PUBLICISED") == ["P1"]
    # a planned project, not started and not paid, need not be publicised yet
    w = world()
    w["payments"] = w["payments"][w["payments"]["project_id"] != "P3"]
    w["projects"] = set_cell(w["projects"], "project_id", "P3", "publicity_start", pd.NaT)
    assert "A-NOT-PUBLICISED" not in codes(run(w))


def test_publicity_short_and_exactly_enough():
    w = world()
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "publicity_end", pd.NaT)
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "publicity_start", D("2017-02-20"))
    r = run(w)
    assert keys(r, "A-PUBLICITY-SHORT") == ["P1"]
    assert r.findings.loc[r.findings["code"] == "A-PUBLICITY-SHORT", "value"].iloc[0] == "9"
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "publicity_start", D("2017-02-19"))
    assert "A-PUBLICITY-SHORT" not in codes(run(w))  # ten full days before work on 1 March


def test_publicity_end_too_early():
    w = world()
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "publicity_end", D("2017-02-10"))
    assert keys(run(w), "A-PUBLICITY-SHORT") == ["P1"]


def test_final_payment_before_acceptance():
    w = world()
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "acceptance_date", D("2017-11-01"))
    assert keys(run(w), "A-PAID-BEFORE-ACCEPTANCE") == ["F003"]
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "acceptance_date", pd.NaT)
    assert keys(run(w), "A-PAID-BEFORE-ACCEPTANCE") == ["F003"]
    w["payments"] = set_cell(w["payments"], "payment_id", "F003", "stage", "进度款")
    assert "A-PAID-BEFORE-ACCEPTANCE" not in codes(run(w))


def test_over_budget_amount_is_excess():
    w = world()
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "budget", 180000.0)
    r = run(w)
    f = r.findings[r.findings["code"] == "A-OVER-BUDGET"]
    assert f["key"].tolist() == ["P1"] and float(f["amount"].iloc[0]) == pytest.approx(10000.0)
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "budget", 190000.0)
    assert "A-OVER-BUDGET" not in codes(run(w))


def test_idle_funds_uses_the_audit_date():
    # P3: approved 2017-03-01, 3000 of 20000 paid (15%)
    r = run(as_of=D("2018-06-30"))
    f = r.findings[r.findings["code"] == "A-IDLE-FUNDS"]
    assert f["key"].tolist() == ["P3"] and float(f["amount"].iloc[0]) == pytest.approx(17000.0)
    assert "A-IDLE-FUNDS" not in codes(run(as_of=D("2017-12-31")))  # under a year
    assert "A-IDLE-FUNDS" not in codes(run(as_of=D("2018-06-30"), audit__idle_share=0.1))


def test_negative_list_in_purpose_and_project_name():
    w = world()
    w["payments"] = set_cell(w["payments"], "payment_id", "F002", "purpose", "乡政府办公楼维修")
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "name", "县城景观大道")
    r = run(w)
    f = r.findings[r.findings["code"] == "A-NEGATIVE-LIST"].set_index("key")
    assert sorted(f.index) == ["F002", "P1"]
    assert f.loc["F002", "detail"].startswith("修建楼堂馆所") and ": 办公楼 (" in f.loc["F002", "detail"]
    assert f.loc["P1", "detail"].startswith("城市基础设施建设") and "第十条" in f.loc["P1", "detail"]


def test_negative_list_on_repeated_purposes_without_blanks():
    """Each distinct purpose is matched once and spread to every payment that carries it."""
    w = world()
    w["payments"]["purpose"] = w["payments"]["purpose"].fillna("产业奖补")
    for payment in ("F002", "F010"):
        w["payments"] = set_cell(w["payments"], "payment_id", payment, "purpose", "乡政府办公楼维修")
    r = run(w)
    f = r.findings[(r.findings["code"] == "A-NEGATIVE-LIST") & (r.findings["table"] == "payments")]
    assert sorted(f["key"]) == ["F002", "F010"] and f["detail"].str.contains(": 办公楼 (", regex=False).all()


def test_negative_list_allows_public_welfare_jobs():
    r = run()  # F021/F022 purpose 公益岗位工资 contains 工资 but is a household measure
    assert "A-NEGATIVE-LIST" not in codes(r)


def _equal_world(amounts: list[float]) -> dict:
    w = world()
    pay = w["payments"]
    for i, a in zip(range(10, 16), amounts, strict=True):
        pay = set_cell(pay, "payment_id", f"F0{i}", "amount", a)
    w["payments"] = pay
    return w


def test_equal_split():
    r = run(_equal_world([2000.0] * 6), audit__equal_split_min_households=5)
    f = r.findings[r.findings["code"] == "A-EQUAL-SPLIT"]
    assert f["key"].tolist() == ["P2"] and float(f["amount"].iloc[0]) == pytest.approx(12000.0)
    # different amounts by need are fine, and too few households are not a pattern
    assert "A-EQUAL-SPLIT" not in codes(run(audit__equal_split_min_households=5))
    assert "A-EQUAL-SPLIT" not in codes(run(_equal_world([2000.0] * 6), audit__equal_split_min_households=10))


# ---- 重复享受 of recurring measures (issue 15 item 2) ------------------------------------


def _wage(w: dict, payment_id: str, date: str, purpose: str, stage=None, household="H04", measure="公益岗位") -> dict:
    n = int(household[1:])
    return add_payment(
        w,
        payment_id=payment_id,
        household_id=household,
        payee_name=SURN[n - 1] + "一",
        payee_id_number=pid(n),
        bank_account=f"62170000000000{n:02d}",
        amount=500.0,
        pay_date=D(date),
        measure=measure,
        purpose=purpose,
        stage=stage,
    )


SURN = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"


def test_duplicate_recurring_measure_twice_one_off_in_a_year():
    w = _wage(
        _wage(world(), "F900", "2017-03-10", "健康扶贫医疗救助", "一次性", "H05", "健康扶贫"),
        "F901",
        "2017-11-20",
        "健康扶贫医疗救助",
        "一次性",
        "H05",
        "健康扶贫",
    )
    r = run(w)
    assert keys(r, "A-DUPLICATE-PAYMENT") == ["F901"]
    assert r.findings.loc[r.findings["code"] == "A-DUPLICATE-PAYMENT", "detail"].iloc[0] == "F900"
    # one of the two not marked one-off, in different months: regular recurring payments
    w = _wage(
        _wage(world(), "F900", "2017-03-10", "健康扶贫医疗救助", "一次性", "H05", "健康扶贫"),
        "F901",
        "2017-11-20",
        "健康扶贫医疗救助",
        None,
        "H05",
        "健康扶贫",
    )
    assert "A-DUPLICATE-PAYMENT" not in codes(run(w))


def test_duplicate_recurring_measure_same_month_by_date_or_purpose():
    # a second wage for June paid in July (the purpose names the period): duplicate of F022
    w = _wage(world(), "F900", "2017-07-03", "公益岗位工资6月")
    assert keys(run(w), "A-DUPLICATE-PAYMENT") == ["F900"]
    # two payments in the same month without a named period
    w = _wage(world(), "F900", "2017-06-20", "公益岗位工资")
    assert keys(run(w), "A-DUPLICATE-PAYMENT") == ["F900"]
    # a quarter named twice
    w = _wage(
        _wage(world(), "F900", "2017-04-02", "公益岗位工资第一季度", household="H06"),
        "F901",
        "2017-04-20",
        "公益岗位工资(第一季度)补发",
        household="H06",
    )
    assert keys(run(w), "A-DUPLICATE-PAYMENT") == ["F901"]


def test_recurring_measure_in_other_periods_is_not_a_duplicate():
    # July's wage paid in June is another period than F022's June wage; 七月份 in Chinese numerals too
    w = _wage(_wage(world(), "F900", "2017-06-28", "公益岗位工资7月"), "F901", "2017-08-01", "公益岗位工资八月份")
    assert "A-DUPLICATE-PAYMENT" not in codes(run(w))
    # another household in the same month
    w = _wage(world(), "F900", "2017-06-01", "公益岗位工资6月", household="H06")
    assert "A-DUPLICATE-PAYMENT" not in codes(run(w))


def test_pay_period_parsing():
    from jingzhun.audit.payee_checks import pay_period

    purposes = pd.Series(
        ["工资3月", "2017年12月工资", "第二季度", "三季度补助", "十一月份", "一次性补助", pd.NA], dtype="str"
    )
    dates = pd.Series(pd.to_datetime(["2017-05-01"] * 7))
    assert pay_period(purposes, dates).tolist() == ["M03", "M12", "Q2", "Q3", "M11", "M05", "M05"]


# ---- 超标准 beside the caps: amount outliers (issue 15 item 1) ------------------------------


def _health(n: int, amount_of=lambda i: 800.0 + 10 * i, measure="健康扶贫") -> dict:
    """One payment of a measure to each of the households H01…H<n> (n ≤ 14)."""
    w = world()
    for i in range(n):
        h = i + 1
        w = add_payment(
            w,
            payment_id=f"G{i:03d}",
            household_id=f"H{h:02d}",
            payee_name=SURN[h - 1] + "一",
            payee_id_number=pid(h),
            bank_account=f"62170000000000{h:02d}",
            amount=amount_of(i),
            pay_date=D("2017-01-10"),
            measure=measure,
            purpose="医疗救助",
        )
    return w


MIN10 = {"audit__outlier_min_households": 10}


def test_outlier_far_above_the_measures_median():
    w = _health(14, lambda i: 68000.0 if i == 5 else 800.0 + 10 * i)
    r = run(w, **MIN10)
    assert keys(r, "A-AMOUNT-OUTLIER") == ["G005"]
    f = r.findings[r.findings["code"] == "A-AMOUNT-OUTLIER"].iloc[0]
    assert "中位数" in f["detail"] and "第5–95百分位" in f["detail"]
    assert r.rendered().query("code == 'A-AMOUNT-OUTLIER'")["severity"].iloc[0] == "warning"
    assert 0 < f["amount"] < 68000.0


def test_outlier_counts_the_households_yearly_total():
    # H01: 800 plus twelve monthly payments of 500 against single 800 yearly ones: 6,800 is 8.5 × the median
    w = _health(14, lambda i: 800.0)
    for m in range(1, 13):
        w = add_payment(
            w,
            payment_id=f"M{m:02d}",
            household_id="H01",
            payee_name="赵一",
            payee_id_number=pid(1),
            bank_account="6217000000000001",
            amount=500.0,
            pay_date=D(f"2017-{m:02d}-20"),
            measure="健康扶贫",
            purpose=f"医疗救助{m}月",
        )
    assert "A-AMOUNT-OUTLIER" not in codes(run(w, **MIN10))
    # at 5 × (4,000) the payment crossing it (800 + 7 × 500) and the later ones
    assert keys(run(w, audit__outlier_factor=5.0, **MIN10), "A-AMOUNT-OUTLIER") == [f"M{m:02d}" for m in range(7, 13)]


def test_no_outlier_below_the_factor_or_with_few_households():
    # 5 × the median is under the default factor
    assert "A-AMOUNT-OUTLIER" not in codes(run(_health(14, lambda i: 4000.0 if i == 5 else 800.0), **MIN10))
    # too few households with the measure for a typical range (default minimum 20)
    assert "A-AMOUNT-OUTLIER" not in codes(run(_health(14, lambda i: 68000.0 if i == 5 else 800.0)))
    # a smaller factor parameter flags it
    assert keys(
        run(_health(14, lambda i: 6000.0 if i == 5 else 800.0), audit__outlier_factor=5.0, **MIN10), "A-AMOUNT-OUTLIER"
    ) == ["G005"]


def test_outlier_not_repeated_for_a_payment_over_its_cap():
    # 产业扶贫 has a cap (10,000): 90,000 is an A-OVER-CAP error, not also an outlier warning
    w = _health(14, lambda i: 90000.0 if i == 5 else 800.0, measure="产业扶贫")
    r = run(w, **MIN10)
    assert "G005" in keys(r, "A-OVER-CAP")
    assert "A-AMOUNT-OUTLIER" not in codes(r)
