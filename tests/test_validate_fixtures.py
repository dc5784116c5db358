"""Typed frames for the validation tests: a small, fully consistent data year (2016).

Built by hand with the dtypes of docs/DEVELOPING.md "Typed frames"; each rule test
breaks one thing in a copy and checks the rule's code appears (and not on the clean
year). The two tests here prove the clean year is clean.
"""

from __future__ import annotations

import pandas as pd
from tuanfeng import tuanfeng

from jingzhun.ids import check_char_one
from jingzhun.params import Params

YEAR = 2016
COUNTY = "421121"
V1, V2 = "421121100201", "421121101202"


def make_id(birth: str, seq: int, prefix: str = COUNTY) -> str:
    """A valid 18-digit ID: ``seq`` odd = male, even = female."""
    body = f"{prefix}{birth}{seq:03d}"
    return body + check_char_one(body)


def _s(values: list) -> pd.Series:
    return pd.Series(values, dtype="str")


def _i(values: list) -> pd.Series:
    return pd.Series(pd.array(values, dtype="Int64"))


def _f(values: list) -> pd.Series:
    return pd.Series(pd.array(values, dtype="Float64"))


def _b(values: list) -> pd.Series:
    return pd.Series(pd.array(values, dtype="boolean"))


def _d(values: list) -> pd.Series:
    return pd.Series(pd.to_datetime(values))


def _rows(n: int) -> pd.Series:
    return _i(list(range(1, n + 1)))


HEAD1, WIFE1, KID1 = make_id("19700305", 11), make_id("19720612", 22), make_id("20080901", 31)
HEAD2 = make_id("19501120", 41)
HEAD3, WIFE3 = make_id("19850101", 51), make_id("19860202", 62)


def households() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": _rows(3),
            "household_id": _s(["H1", "H2", "H3"]),
            "village_code": _s([V1, V1, V2]),
            "head_name": _s(["张三", "李四", "王五"]),
            "head_id_number": _s([HEAD1, HEAD2, HEAD3]),
            "household_size": _i([3, 1, 2]),
            "phone": _s(["13800000001", None, "13900000003"]),
            "registered": _b([True, True, False]),
            "category": _s(["一般贫困户", "特困供养贫困户", None]),
            "status": _s(["未脱贫", "未脱贫", None]),
            "main_cause": _s(["因病", "缺劳力", None]),
            "other_causes": _s(["缺技术", None, None]),
            "wage_income": _f([3000.0, 0.0, 20000.0]),
            "business_income": _f([0.0, 500.0, 0.0]),
            "property_income": _f([0.0, 0.0, 0.0]),
            "business_expense": _f([0.0, 0.0, 0.0]),
            "per_capita_net_income": _f([1000.0, 500.0, 10000.0]),
            "dangerous_house": _b([False, True, False]),
            "drinking_water_safe": _b([True, True, True]),
            "cadre_id": _s(["C1", "C1", None]),
        }
    )


def members() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": _rows(6),
            "household_id": _s(["H1", "H1", "H1", "H2", "H3", "H3"]),
            "id_number": _s([HEAD1, WIFE1, KID1, HEAD2, HEAD3, WIFE3]),
            "id_type": _s(["居民身份证"] * 6),
            "name": _s(["张三", "刘芳", "张小", "李四", "王五", "赵丽"]),
            "sex": _s(["男", "女", "男", "男", "男", "女"]),
            "birth_date": _d(["1970-03-05", "1972-06-12", "2008-09-01", "1950-11-20", "1985-01-01", "1986-02-02"]),
            "relation": _s(["户主", "配偶", "之子", "户主", "户主", "配偶"]),
            "education": _s(["初中", "小学", None, "文盲或半文盲", "高中", "高中"]),
            "school_status": _s([None, "非在校生", "小学", None, None, None]),
            "health": _s(["长期慢性病", "健康", "健康", "残疾", "健康", "健康"]),
            "labor": _s(["普通劳动力", "普通劳动力", "无劳动力", "丧失劳动力", "技能劳动力", "普通劳动力"]),
            "work_status": _s(["省外务工", "未外出务工", None, None, "县外省内务工", "未外出务工"]),
            "work_months": _i([8, 0, None, None, 10, 0]),
            "change_reason": _s([None] * 6),
        }
    )


def villages() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": _rows(2),
            "village_code": _s([V1, V2]),
            "village_name": _s(["甲村", "乙村"]),
            "township_code": _s([V1[:9], V2[:9]]),
            "township_name": _s(["团风镇", "淋山河镇"]),
            "total_households": _i([300, 250]),
            "total_population": _i([1100, 900]),
            "per_capita_income": _f([8000.0, 8500.0]),
            "collective_income": _f([2.5, 0.0]),
        }
    )


def cadres() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": _rows(1),
            "cadre_id": _s(["C1"]),
            "name": _s(["陈干部"]),
            "id_number": _s([make_id("19780808", 71)]),
            "unit": _s(["县扶贫办"]),
            "rank": _s(["一般干部"]),
            "phone": _s(["13700000000"]),
        }
    )


def dibao() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": _rows(2),
            "record_id": _s(["D1", "D2"]),
            "id_number": _s([HEAD2, None]),
            "name": _s(["李四", "孙七"]),
            "village_code": _s([V1, V2]),
            "program": _s(["特困供养", "农村低保"]),
            "dibao_class": _s([None, "二类"]),
            "monthly_amount": _f([400.0, 250.0]),
            "start_date": _d(["2015-01-01", "2015-06-01"]),
            "end_date": _d([None, "2016-06-01"]),
        }
    )


def projects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": _rows(1),
            "project_id": _s(["P1"]),
            "name": _s(["甲村道路硬化"]),
            "village_code": _s([V1]),
            "category": _s(["基础设施"]),
            "fund_source": _s(["中央财政专项扶贫资金"]),
            "budget": _f([500000.0]),
            "implementer": _s(["团风镇政府"]),
            "approved_date": _d(["2016-01-10"]),
            "publicity_start": _d(["2016-01-12"]),
            "publicity_end": _d(["2016-01-22"]),
            "start_date": _d(["2016-03-01"]),
            "completion_date": _d(["2016-08-01"]),
            "acceptance_date": _d(["2016-09-01"]),
        }
    )


def payments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": _rows(2),
            "payment_id": _s(["F1", "F2"]),
            "project_id": _s(["P1", None]),
            "household_id": _s([None, "H1"]),
            "payee_name": _s(["某建筑公司", "张三"]),
            "payee_id_number": _s([None, HEAD1]),
            "amount": _f([200000.0, 2000.0]),
            "pay_date": _d(["2016-04-01", "2016-05-01"]),
            "purpose": _s(["道路硬化进度款", "产业奖补"]),
        }
    )


def crosscheck() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": _rows(1),
            "id_number": _s([HEAD3]),
            "name": _s(["王五"]),
            "source": _s(["车辆"]),
            "detail": _s(["小型轿车"]),
        }
    )


def year_frames() -> dict[str, pd.DataFrame]:
    return {
        "households": households(),
        "members": members(),
        "villages": villages(),
        "cadres": cadres(),
        "dibao": dibao(),
        "projects": projects(),
        "payments": payments(),
        "crosscheck": crosscheck(),
    }


def params() -> Params:
    return tuanfeng()


def codes_of(result) -> set[str]:
    return result.findings.codes()


def test_clean_year_has_no_findings():
    from jingzhun.schema.validate import validate_frames

    result = validate_frames(year_frames(), params(), data_year=YEAR)
    assert result.findings.render().to_dict("records") == []
    assert result.tables["members"] == 6


def test_fixture_ids_are_valid():
    from jingzhun import ids

    s = pd.Series([HEAD1, WIFE1, KID1, HEAD2, HEAD3, WIFE3], dtype="str")
    assert set(ids.classify(s)["status"]) == {"valid"}
    assert list(ids.sex(s)) == ["男", "女", "男", "男", "男", "女"]
