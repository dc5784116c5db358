"""Hand-made typed frames for the match tests (DEVELOPING.md "Typed frames")."""

from __future__ import annotations

import pandas as pd

from jingzhun.ids import check_char_one

V1 = "421121100201"
V2 = "421121100202"


def pid(body17: str) -> str:
    return body17 + check_char_one(body17)


# Valid register IDs
A1 = pid("42112119700101001")  # 张伟 head of H1
A2 = pid("42112119720202002")  # 李芳 spouse
A3 = pid("42112119950303003")  # 张小明 son
B1 = pid("42112119600404004")  # 王建国 head of H2
B2 = pid("42112119620505005")  # 刘丽 spouse
C1 = pid("42112119500606006")  # 陈老汉 H3
D1 = pid("42112119800707007")  # 赵大 H4 (not registered)
D2 = pid("42112119820808008")  # 孙二 H4


def households(**over) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "household_id": pd.Series(["H1", "H2", "H3", "H4"], dtype="str"),
            "village_code": pd.Series([V1, V1, V2, V2], dtype="str"),
            "village_name": pd.Series(["东村", "东村", "西村", "西村"], dtype="str"),
            "head_name": pd.Series(["张伟", "王建国", "陈老汉", "赵大"], dtype="str"),
            "household_size": pd.array([3, 2, 1, 2], dtype="Int64"),
            "registered": pd.array([True, True, True, False], dtype="boolean"),
            "category": pd.Series(["低保贫困户", "一般贫困户", "特困供养贫困户", None], dtype="str"),
            "wage_income": pd.array([1000.0, 5000.0, 0.0, 1000.0], dtype="Float64"),
            "business_income": pd.array([500.0, 500.0, 0.0, 500.0], dtype="Float64"),
            "property_income": pd.array([0.0, 0.0, 0.0, 0.0], dtype="Float64"),
            "dibao_benefit": pd.array([0.0, 0.0, 0.0, 0.0], dtype="Float64"),
            "tekun_benefit": pd.array([0.0, 0.0, 0.0, 0.0], dtype="Float64"),
            "business_expense": pd.array([0.0, 0.0, 0.0, 0.0], dtype="Float64"),
            "_row": pd.array([1, 2, 3, 4], dtype="Int64"),
        }
    )
    for k, v in over.items():
        df[k] = v
    return df


def members(**over) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "household_id": pd.Series(["H1", "H1", "H1", "H2", "H2", "H3", "H4", "H4"], dtype="str"),
            "id_number": pd.Series([A1, A2, A3, B1, B2, C1, D1, D2], dtype="str"),
            "name": pd.Series(["张伟", "李芳", "张小明", "王建国", "刘丽", "陈老汉", "赵大", "孙二"], dtype="str"),
            "relation": pd.Series(["户主", "配偶", "之子", "户主", "配偶", "户主", "户主", "配偶"], dtype="str"),
            "change_reason": pd.Series([None] * 8, dtype="str"),
            "change_date": pd.Series([pd.NaT] * 8, dtype="datetime64[s]"),
            "_row": pd.array(range(1, 9), dtype="Int64"),
        }
    )
    for k, v in over.items():
        df[k] = v
    return df


def dibao(rows: list[dict]) -> pd.DataFrame:
    cols = {
        "record_id": "str",
        "id_number": "str",
        "name": "str",
        "village_code": "str",
        "village_name": "str",
        "family_ref": "str",
        "relation": "str",
        "program": "str",
        "monthly_amount": "Float64",
        "start_date": "datetime64[s]",
        "end_date": "datetime64[s]",
    }
    data = {}
    for c, dt in cols.items():
        vals = [r.get(c) for r in rows]
        if dt.startswith("datetime"):
            data[c] = pd.to_datetime(pd.Series(vals, dtype="object")).astype(dt)
        else:
            data[c] = pd.Series(vals, dtype="object").astype(dt)
    df = pd.DataFrame(data)
    df["_row"] = pd.array(range(1, len(rows) + 1), dtype="Int64")
    return df


def row(
    rid: str,
    name: str,
    idn: str | None = None,
    village: str | None = V1,
    program: str = "农村低保",
    amount: float = 300.0,
    start: str = "2014-01-01",
    end: str | None = None,
    **kw,
) -> dict:
    d = {
        "record_id": rid,
        "id_number": idn,
        "name": name,
        "village_code": village,
        "program": program,
        "monthly_amount": amount,
        "start_date": start,
        "end_date": end,
    }
    d.update(kw)
    return d
