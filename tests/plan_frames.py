"""Hand-made inputs for the plan, notice and render tests (typed frames from the table spec and a dataset folder)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from frames import as_file, table_frame
from tuanfeng import TOML

from jingzhun.ids import check_char_one

T1, T2 = "421121100", "421121200"
V1, V2, V3 = T1 + "001", T1 + "002", T2 + "001"


def pid(region: str, birth: str, seq: int) -> str:
    body = f"{region}{birth}{seq:03d}"
    return body + check_char_one(body)


def households() -> pd.DataFrame:
    rows = [
        # id, village, group, head, size, registered, category, status, identified, cause, other, danger, reloc,
        # water, cadre, mobile, bank
        (
            "H001",
            V1,
            "一组",
            "王䶮",
            3,
            True,
            "一般贫困户",
            "未脱贫",
            2016,
            "因病",
            "缺资金",
            True,
            False,
            True,
            "C01",
            "13812345678",
            "6228480012345678901",
        ),
        (
            "H002",
            V1,
            "二组",
            "李𠀀明",
            1,
            True,
            "特困供养贫困户",
            "未脱贫",
            2015,
            "缺劳力",
            None,
            False,
            False,
            True,
            None,
            None,
            None,
        ),
        (
            "H003",
            V1,
            "一组",
            "张三",
            4,
            True,
            "低保贫困户",
            "未脱贫",
            2016,
            "因学",
            "缺技术",
            False,
            True,
            False,
            None,
            "13900001111",
            None,
        ),
        (
            "H004",
            V2,
            "三组",
            "赵四",
            2,
            True,
            "一般贫困户",
            "已脱贫(不再享受政策)",
            2014,
            "缺资金",
            None,
            False,
            False,
            True,
            "C02",
            None,
            None,
        ),
        ("H005", V2, "三组", "钱五", 2, False, None, None, None, None, None, False, False, True, None, None, None),
        (
            "H006",
            V3,
            "五组",
            "孙六",
            2,
            True,
            "一般贫困户",
            "未脱贫",
            2015,
            "缺资金",
            None,
            False,
            False,
            True,
            None,
            None,
            None,
        ),
        (
            "H007",
            V3,
            "五组",
            "周七",
            1,
            True,
            "一般贫困户",
            "未脱贫",
            2016,
            "缺技术",
            None,
            False,
            False,
            True,
            None,
            None,
            None,
        ),
    ]
    cols = [
        "household_id",
        "village_code",
        "group_name",
        "head_name",
        "household_size",
        "registered",
        "category",
        "status",
        "identified_year",
        "main_cause",
        "other_causes",
        "dangerous_house",
        "relocation_willing",
        "drinking_water_safe",
        "cadre_id",
        "phone",
        "bank_account",
    ]
    given = {c: [r[k] for r in rows] for k, c in enumerate(cols)}
    heads = members()
    heads = heads[heads["relation"] == "户主"].set_index("household_id")["id_number"]
    return table_frame(
        "households",
        **given,
        village_name=[{V1: "回龙村", V2: "长岭村", V3: "杜皮村"}[v] for v in given["village_code"]],
        township_name=[{T1: "回龙山镇", T2: "杜皮乡"}[v[:9]] for v in given["village_code"]],
        wage_income=[3000.0, 0.0, 2000.0, 20000.0, 30000.0, 1000.0, 9000.0],
        business_income=[1000.0] * 7,
        property_income=[0.0] * 7,
        business_expense=[500.0] * 7,
        head_id_number=[heads[h] for h in given["household_id"]],
    )


def members() -> pd.DataFrame:
    r = "421121"
    rows = [
        ("H001", pid(r, "19700101", 11), "王䶮", "男", "户主", None, "患有大病", "普通劳动力", None),
        ("H001", pid(r, "19720202", 22), "陈红", "女", "配偶", None, "健康", "普通劳动力", None),
        ("H001", pid(r, "20080303", 31), "王小", "男", "之子", "小学", "健康", "无劳动力", None),
        ("H002", pid(r, "19400404", 41), "李𠀀明", "男", "户主", None, "残疾", "丧失劳动力", None),
        ("H003", pid(r, "19750505", 51), "张三", "男", "户主", None, "健康", "普通劳动力", None),
        ("H003", pid(r, "19760606", 62), "刘英", "女", "配偶", None, "长期慢性病", "弱劳动力或半劳动力", None),
        ("H003", pid(r, "19990707", 71), "张大", "男", "之子", "中职二年级", "健康", "普通劳动力", None),
        ("H003", pid(r, "20050808", 82), "张二", "女", "之女", "七年级", "健康", "无劳动力", None),
        ("H003", pid(r, "19450909", 91), "张老", "男", "之父", None, "健康", "无劳动力", "死亡"),
        ("H004", pid(r, "19800101", 13), "赵四", "男", "户主", None, "健康", "普通劳动力", None),
        ("H004", pid(r, "19820101", 24), "吴妹", "女", "配偶", None, "健康", "普通劳动力", None),
        ("H005", pid(r, "19800201", 15), "钱五", "男", "户主", None, "健康", "普通劳动力", None),
        ("H005", pid(r, "19800301", 26), "郑女", "女", "配偶", None, "健康", "普通劳动力", None),
        ("H006", pid(r, "19600101", 17), "孙六", "男", "户主", None, "健康", "普通劳动力", None),
        ("H006", pid(r, "19620101", 28), "冯女", "女", "配偶", None, "健康", "普通劳动力", None),
        ("H007", pid(r, "19880101", 19), "周七", "男", "户主", None, "健康", "技能劳动力", None),
    ]
    cols = ["household_id", "id_number", "name", "sex", "relation", "school_status", "health", "labor", "change_reason"]
    given = {c: [r[k] for r in rows] for k, c in enumerate(cols)}
    return table_frame("members", **given, medical_insurance=[True] * len(rows))


def cadres() -> pd.DataFrame:
    return table_frame(
        "cadres",
        cadre_id=["C01", "C02", "C03"],
        name=["黄干部", "马干部", "林干部"],
        unit=["县扶贫办", "县教育局", "杜皮乡政府"],
        rank=["一般干部", "乡科级副职", "村干部"],
        township_code=[T1, T1, T2],
        max_households=[2, None, 1],
        phone=["13700001234", "13700005678", "13700009999"],
    )


def projects() -> pd.DataFrame:
    return table_frame(
        "projects",
        project_id=["P1", "P2", "P3"],
        name=["回龙村产业路硬化", "全县雨露计划补助", "杜皮乡安全饮水工程"],
        village_code=[V1, None, V3],
        category=["基础设施", "教育扶贫", "基础设施"],
        fund_source=["中央财政专项扶贫资金", "省级财政专项扶贫资金", "统筹整合涉农资金"],
        budget=[300000.0, 150000.0, 520000.5],
        implementer=["回龙山镇人民政府", "县扶贫办", "杜皮乡人民政府"],
        start_date=["2016-04-01", None, "2016-05-01"],
        completion_date=["2016-10-31", None, "2016-12-31"],
        beneficiary_households=[120, 80, 300],
        beneficiary_poor_households=[30, 80, 45],
        performance_target=["硬化道路 3 公里", "补助 80 名中职学生", "解决 300 户饮水"],
    )


def write_dataset(root: Path, year: int = 2016, previous: bool = True) -> Path:
    """A dataset folder with households, members, cadres and projects (CSV, canonical headers)."""
    d = root / str(year)
    d.mkdir(parents=True)
    shutil.copyfile(TOML, root / "jingzhun.toml")  # 团风县 with its issuer
    for name, df in (
        ("households", households()),
        ("members", members()),
        ("cadres", cadres()),
        ("projects", projects()),
    ):
        as_file(df).to_csv(d / f"{name}.csv", index=False, encoding="utf-8")
    if previous:
        p = root / str(year - 1)
        p.mkdir()
        h = households()
        h = h[h["household_id"].isin(["H002", "H004", "H005", "H006"])]
        as_file(h).to_csv(p / "households.csv", index=False, encoding="utf-8")
        m = members()
        as_file(m[m["household_id"].isin(h["household_id"])]).to_csv(p / "members.csv", index=False, encoding="utf-8")
    return root
