"""Hand-made inputs for the report tests, with every indicator worked out by hand.

Data year 2016 (income 2015, line 2855, edge line 4282.5). Per-capita income is
wage / size (the other components are 0).

village V1 (township T1): agricultural population 10
  A1  2 people, registered 一般贫困户 未脱贫, 2000/person → poor, 危房, cadre kept
  A2  3 people, registered 低保贫困户 已脱贫(享受政策), exit_year 2015 → exit this year, on the roster
  A3  1 person, registered 特困供养贫困户 返贫, 1000 → poor, water unsafe, no cadre
  A4  4 people, not registered, 3000 → edge (边缘易致贫户), 危房 (not counted: not registered), on the roster
village V2 (township T2): no agricultural population, total population 8
  B1  2 people, registered 一般贫困户 已脱贫(享受政策), exit_year 2014, 3500 → edge (脱贫不稳定户)
  B2  1 person, registered 低保贫困户 未脱贫, 2500 → poor, new cadre from the plan
village V3 (township T2): no population figures
  C1  5 people, not registered, 10000 → not poor
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
from frames import table_frame

T1, T2 = "421121101", "421121102"
V1, V2, V3 = T1 + "201", T2 + "201", T2 + "202"

HOUSEHOLDS = [
    # id, village, size, registered, category, status, exit_year, wage, danger, water_safe
    ("A1", V1, 2, True, "一般贫困户", "未脱贫", None, 4000.0, True, True),
    ("A2", V1, 3, True, "低保贫困户", "已脱贫(享受政策)", 2015, 18000.0, False, True),
    ("A3", V1, 1, True, "特困供养贫困户", "返贫", 2014, 1000.0, False, False),
    ("A4", V1, 4, False, None, None, None, 12000.0, True, True),
    ("B1", V2, 2, True, "一般贫困户", "已脱贫(享受政策)", 2014, 7000.0, False, True),
    ("B2", V2, 1, True, "低保贫困户", "未脱贫", None, 2500.0, False, True),
    ("C1", V3, 5, False, None, None, None, 50000.0, False, True),
]
NAMES = {V1: ("红旗村", "淋山河镇"), V2: ("长岭村", "方高坪镇"), V3: ("杜皮村", "方高坪镇")}


def _s(values) -> pd.Series:
    return pd.Series(pd.array(list(values), dtype="str"))


def households(rows=HOUSEHOLDS) -> pd.DataFrame:
    cols = [
        "household_id",
        "village_code",
        "household_size",
        "registered",
        "category",
        "status",
        "exit_year",
        "wage_income",
        "dangerous_house",
        "drinking_water_safe",
    ]
    given = {c: [r[k] for r in rows] for k, c in enumerate(cols)}
    n = len(rows)
    return table_frame(
        "households",
        **given,
        village_name=[NAMES[v][0] for v in given["village_code"]],
        township_name=[NAMES[v][1] for v in given["village_code"]],
        head_name=["户主" + h for h in given["household_id"]],
        business_income=[0.0] * n,
        property_income=[0.0] * n,
        business_expense=[0.0] * n,
    )


def villages() -> pd.DataFrame:
    return table_frame(
        "villages",
        village_code=[V1, V2, V3],
        village_name=[NAMES[V1][0], NAMES[V2][0], NAMES[V3][0]],
        township_name=[NAMES[V1][1], NAMES[V2][1], NAMES[V3][1]],
        total_households=[4, 2, 1],
        total_population=[20, 8, None],
        agricultural_population=[10, None, None],
        per_capita_income=[5000.0, 5000.0, 5000.0],
        collective_income=[1.0, 1.0, 1.0],
    )


def frames() -> dict[str, pd.DataFrame]:
    return {"households": households(), "villages": villages()}


def match_result() -> SimpleNamespace:
    """A4 is linked too, but it is not registered: it does not count for coverage."""
    return SimpleNamespace(
        pairs=pd.DataFrame({"record_id": _s(["R1", "R2", "R3"]), "household_id": _s(["A2", "A2", "A4"])})
    )


def pairing() -> pd.DataFrame:
    return pd.DataFrame(
        {"household_id": _s(["A1", "A2", "A3", "B1", "B2"]), "pairing": _s(["kept", "kept", "none", "kept", "new"])}
    )


def funds() -> SimpleNamespace:
    """V1 1000, V2 500 and 500 paid at county level (2000 in all)."""
    return SimpleNamespace(
        by_village=pd.DataFrame({"village_code": _s([V1, V2, "(未知)"]), "paid": [1000.0, 500.0, 500.0]}),
        by_township=pd.DataFrame({"township_code": _s([T1, T2, "(未知)"]), "paid": [1000.0, 500.0, 500.0]}),
        total_paid=2000.0,
    )


def audit_report() -> SimpleNamespace:
    """Payment row 1 flagged twice (300 and 500: counted once, 500), project row 2 (200),
    an info finding (not at risk)."""
    findings = pd.DataFrame(
        {
            "code": _s(["A-X", "A-Y", "A-Z", "A-I"]),
            "severity": _s(["warning", "error", "warning", "info"]),
            "table": _s(["payments", "payments", "projects", "payments"]),
            "row": pd.array([1, 1, 2, 3], dtype="Int64"),
            "amount": pd.array([300.0, 500.0, 200.0, 999.0], dtype="Float64"),
            "township_code": _s([T1, T1, T2, T1]),
        }
    )
    sheets = {
        "A-X": pd.DataFrame({"table": _s(["payments"]), "row": pd.array([1], dtype="Int64"), "village_code": _s([V1])}),
        "A-Z": pd.DataFrame({"table": _s(["projects"]), "row": pd.array([2], dtype="Int64"), "village_code": _s([V2])}),
        "overview": pd.DataFrame({"check": _s(["x"])}),
    }
    return SimpleNamespace(findings=findings, sheets=sheets, funds=funds())
