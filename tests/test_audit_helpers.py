"""A small, clean audit world of typed frames (docs/DEVELOPING.md "Typed frames").

``world()`` returns frames on which the audit finds nothing; each test breaks one rule.
Imported by the other ``test_audit*`` modules; the one test here guards that premise.
"""

from __future__ import annotations

import pandas as pd
from frames import table_frame

from jingzhun.audit.core import audit
from jingzhun.ids import check_char_one
from jingzhun.params import Params

V1, V2 = "421121100201", "421121101202"


def pid(n: int, birth: str = "19700101") -> str:
    body = f"421121{birth}{n:03d}"
    return body + check_char_one(body)


SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"


def households() -> pd.DataFrame:
    n = 16
    return table_frame(
        "households",
        household_id=[f"H{i:02d}" for i in range(1, n + 1)],
        village_code=[V1 if i <= 8 else V2 for i in range(1, n + 1)],
        township_name=["上巴河镇" if i <= 8 else "方高坪镇" for i in range(1, n + 1)],
        head_name=[SURNAMES[i - 1] + "一" for i in range(1, n + 1)],
        registered=[True] * 14 + [False, True],
        status=["未脱贫"] * 14 + [None, "已脱贫(不再享受政策)"],
        exit_year=[None] * 15 + [2016],
    )


def members() -> pd.DataFrame:
    hh = households()
    n = len(hh)
    return table_frame(
        "members",
        household_id=hh["household_id"].tolist() * 2,
        id_number=[pid(i) for i in range(1, n + 1)] + [pid(i, "19720202") for i in range(1, n + 1)],
        name=hh["head_name"].tolist() + [SURNAMES[i - 1] + "二" for i in range(1, n + 1)],
        relation=["户主"] * n + ["配偶"] * n,
        change_reason=[None] * (2 * n),
        change_date=[None] * (2 * n),
    )


def crosscheck() -> pd.DataFrame:
    return table_frame("crosscheck", id_number=[], name=[], source=[], detail=[])


def projects() -> pd.DataFrame:
    return table_frame(
        "projects",
        project_id=["P1", "P2", "P3"],
        name=["上巴河村通组公路硬化", "方高坪村产业奖补", "雨露计划补助"],
        village_code=[V1, V2, None],
        category=["基础设施", "产业发展", "教育扶贫"],
        fund_source=["中央财政专项扶贫资金", "统筹整合涉农资金", "省级财政专项扶贫资金"],
        budget=[200000.0, 30000.0, 20000.0],
        implementer=["县交通局", "方高坪镇", "县扶贫办"],
        approved_date=["2017-02-01", "2017-03-01", "2017-03-01"],
        contract_id=["HT-2017-001", None, None],
        publicity_start=["2017-02-05", "2017-03-02", "2017-03-02"],
        publicity_end=["2017-02-15", "2017-03-12", "2017-03-12"],
        start_date=["2017-03-01", "2017-04-01", None],
        completion_date=["2017-09-01", "2017-05-01", None],
        acceptance_date=["2017-10-01", "2017-05-10", None],
        beneficiary_households=[300, 6, 2],
    )


def payments() -> pd.DataFrame:
    rows = [
        # payment_id, project, household, payee, payee id, account, amount, date, measure, purpose, stage
        (
            "F001",
            "P1",
            None,
            "团风县路桥公司",
            None,
            "6222000011112222",
            60000.0,
            "2017-03-05",
            None,
            "公路硬化预付款",
            "预付款",
        ),
        (
            "F002",
            "P1",
            None,
            "团风县路桥公司",
            None,
            "6222000011112222",
            80000.0,
            "2017-06-01",
            None,
            "公路硬化进度款",
            "进度款",
        ),
        (
            "F003",
            "P1",
            None,
            "团风县路桥公司",
            None,
            "6222000011112222",
            50000.0,
            "2017-10-15",
            None,
            "公路硬化尾款",
            "尾款",
        ),
    ]
    amounts = [3000.0, 4000.0, 5000.0, 2000.0, 6000.0, 3500.0]
    for i, a in enumerate(amounts, start=9):
        rows.append(
            (
                f"F0{i + 1:02d}",
                "P2",
                f"H{i:02d}",
                SURNAMES[i - 1] + "一",
                pid(i),
                f"62170000000000{i:02d}",
                a,
                "2017-04-15",
                "产业扶贫",
                "产业奖补",
                "一次性",
            )
        )
    rows.append(
        (
            "F020",
            "P3",
            "H03",
            "孙一",
            pid(3),
            "6217000000000003",
            3000.0,
            "2017-09-01",
            "雨露计划",
            "雨露计划职业教育补助",
            "一次性",
        )
    )
    rows.append(
        (
            "F021",
            None,
            "H04",
            "李一",
            pid(4),
            "6217000000000004",
            500.0,
            "2017-05-01",
            "公益岗位",
            "公益岗位工资5月",
            None,
        )
    )  # monthly wages: no 拨付阶段 (一次性 twice would be 重复享受)
    rows.append(
        (
            "F022",
            None,
            "H04",
            "李一",
            pid(4),
            "6217000000000004",
            500.0,
            "2017-06-01",
            "公益岗位",
            "公益岗位工资6月",
            None,
        )
    )
    cols = [
        "payment_id",
        "project_id",
        "household_id",
        "payee_name",
        "payee_id_number",
        "bank_account",
        "amount",
        "pay_date",
        "measure",
        "purpose",
        "stage",
    ]
    return table_frame("payments", **{c: [r[k] for r in rows] for k, c in enumerate(cols)})


def world() -> dict[str, pd.DataFrame]:
    return {
        "households": households(),
        "members": members(),
        "crosscheck": crosscheck(),
        "projects": projects(),
        "payments": payments(),
    }


def params(**overrides) -> Params:
    p = Params.load()
    for k, v in overrides.items():
        p.values[k.replace("__", ".")] = v
    return p


def run(frames: dict[str, pd.DataFrame] | None = None, eligibility: pd.DataFrame | None = None, as_of=None, **over):
    return audit(frames or world(), params(**over), 2017, as_of=as_of, eligibility=eligibility)


def codes(result) -> set[str]:
    return set(result.findings["code"])


def keys(result, code: str) -> list[str]:
    f = result.findings
    return sorted(f.loc[f["code"] == code, "key"].tolist())


def set_cell(df: pd.DataFrame, key_col: str, key: str, col: str, value) -> pd.DataFrame:
    out = df.copy()
    out.loc[out[key_col] == key, col] = value
    return out


def add_payment(frames: dict, **fields) -> dict:
    pay = frames["payments"]
    row = {c: pd.NA for c in pay.columns}
    row.update(fields)
    row["_row"] = len(pay) + 1
    new = pd.DataFrame([row]).astype(pay.dtypes.to_dict())
    frames = dict(frames)
    frames["payments"] = pd.concat([pay, new], ignore_index=True)
    return frames


def test_clean_world_has_no_findings():
    r = run()
    assert r.findings.empty, r.findings[["code", "key", "detail"]].to_string()
