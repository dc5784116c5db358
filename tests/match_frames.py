"""Typed frames for the match tests, built from the table spec (tests/frames.py)."""

from __future__ import annotations

import pandas as pd
from frames import table_frame, table_frame_from_rows, with_columns

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
    df = table_frame(
        "households",
        household_id=["H1", "H2", "H3", "H4"],
        village_code=[V1, V1, V2, V2],
        village_name=["东村", "东村", "西村", "西村"],
        head_name=["张伟", "王建国", "陈老汉", "赵大"],
        household_size=[3, 2, 1, 2],
        registered=[True, True, True, False],
        category=["低保贫困户", "一般贫困户", "特困供养贫困户", None],
        wage_income=[1000.0, 5000.0, 0.0, 1000.0],
        business_income=[500.0, 500.0, 0.0, 500.0],
        property_income=[0.0] * 4,
        dibao_benefit=[0.0] * 4,
        tekun_benefit=[0.0] * 4,
        business_expense=[0.0] * 4,
    )
    return with_columns(df, **over)


def members(**over) -> pd.DataFrame:
    df = table_frame(
        "members",
        household_id=["H1", "H1", "H1", "H2", "H2", "H3", "H4", "H4"],
        id_number=[A1, A2, A3, B1, B2, C1, D1, D2],
        name=["张伟", "李芳", "张小明", "王建国", "刘丽", "陈老汉", "赵大", "孙二"],
        relation=["户主", "配偶", "之子", "户主", "配偶", "户主", "户主", "配偶"],
        change_reason=[None] * 8,
        change_date=[None] * 8,
    )
    return with_columns(df, **over)


DIBAO_COLUMNS = (
    "record_id",
    "id_number",
    "name",
    "village_code",
    "village_name",
    "family_ref",
    "relation",
    "program",
    "monthly_amount",
    "start_date",
    "end_date",
)


def dibao(rows: list[dict]) -> pd.DataFrame:
    return table_frame_from_rows("dibao", rows, DIBAO_COLUMNS)


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
