"""A small, clean audit world of typed frames (docs/DEVELOPING.md "Typed frames").

``world()`` returns frames on which the audit finds nothing; each test breaks one rule.
Imported by the other ``test_audit*`` modules; the one test here guards that premise.
"""

from __future__ import annotations

import pandas as pd

from jingzhun.audit.core import audit
from jingzhun.ids import check_char_one
from jingzhun.params import Params

V1, V2 = "421121100201", "421121101202"


def pid(n: int, birth: str = "19700101") -> str:
    body = f"421121{birth}{n:03d}"
    return body + check_char_one(body)


def _s(values: list) -> pd.Series:
    return pd.Series(values, dtype="str")


def _d(values: list) -> pd.Series:
    return pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")


def _m(values: list) -> pd.Series:
    return pd.Series(values, dtype="Float64")


def _rows(n: int) -> pd.Series:
    return pd.Series(range(1, n + 1), dtype="Int64")


SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"


def households() -> pd.DataFrame:
    n = 16
    hid = [f"H{i:02d}" for i in range(1, n + 1)]
    return pd.DataFrame(
        {
            "_row": _rows(n),
            "household_id": _s(hid),
            "village_code": _s([V1 if i <= 8 else V2 for i in range(1, n + 1)]),
            "township_name": _s(["上巴河镇" if i <= 8 else "方高坪镇" for i in range(1, n + 1)]),
            "head_name": _s([SURNAMES[i - 1] + "一" for i in range(1, n + 1)]),
            "registered": pd.Series([True] * 14 + [False, True], dtype="boolean"),
            "status": _s(["未脱贫"] * 14 + [pd.NA, "已脱贫(不再享受政策)"]),
            "exit_year": pd.Series([pd.NA] * 15 + [2016], dtype="Int64"),
        }
    )


def members() -> pd.DataFrame:
    hh = households()
    n = len(hh)
    heads = pd.DataFrame(
        {
            "household_id": hh["household_id"],
            "id_number": _s([pid(i) for i in range(1, n + 1)]),
            "name": hh["head_name"],
            "relation": _s(["户主"] * n),
            "change_reason": _s([pd.NA] * n),
            "change_date": _d([pd.NaT] * n),
        }
    )
    spouses = pd.DataFrame(
        {
            "household_id": hh["household_id"],
            "id_number": _s([pid(i, "19720202") for i in range(1, n + 1)]),
            "name": _s([SURNAMES[i - 1] + "二" for i in range(1, n + 1)]),
            "relation": _s(["配偶"] * n),
            "change_reason": _s([pd.NA] * n),
            "change_date": _d([pd.NaT] * n),
        }
    )
    out = pd.concat([heads, spouses], ignore_index=True)
    out.insert(0, "_row", _rows(len(out)))
    return out


def crosscheck() -> pd.DataFrame:
    return pd.DataFrame({"_row": _rows(0), "id_number": _s([]), "name": _s([]), "source": _s([]), "detail": _s([])})


def projects() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row": _rows(3),
            "project_id": _s(["P1", "P2", "P3"]),
            "name": _s(["上巴河村通组公路硬化", "方高坪村产业奖补", "雨露计划补助"]),
            "village_code": _s([V1, V2, pd.NA]),
            "category": _s(["基础设施", "产业发展", "教育扶贫"]),
            "fund_source": _s(["中央财政专项扶贫资金", "统筹整合涉农资金", "省级财政专项扶贫资金"]),
            "budget": _m([200000.0, 30000.0, 20000.0]),
            "implementer": _s(["县交通局", "方高坪镇", "县扶贫办"]),
            "approved_date": _d(["2017-02-01", "2017-03-01", "2017-03-01"]),
            "contract_id": _s(["HT-2017-001", pd.NA, pd.NA]),
            "publicity_start": _d(["2017-02-05", "2017-03-02", "2017-03-02"]),
            "publicity_end": _d(["2017-02-15", "2017-03-12", "2017-03-12"]),
            "start_date": _d(["2017-03-01", "2017-04-01", pd.NaT]),
            "completion_date": _d(["2017-09-01", "2017-05-01", pd.NaT]),
            "acceptance_date": _d(["2017-10-01", "2017-05-10", pd.NaT]),
            "beneficiary_households": pd.Series([300, 6, 2], dtype="Int64"),
        }
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
    df = pd.DataFrame(rows, columns=cols)
    out = pd.DataFrame({c: _s(df[c].tolist()) for c in cols if c not in ("amount", "pay_date")})
    out["amount"] = _m(df["amount"].tolist())
    out["pay_date"] = _d(df["pay_date"].tolist())
    out.insert(0, "_row", _rows(len(out)))
    return out[["_row", *cols]]


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
