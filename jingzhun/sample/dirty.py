"""``--dirty RATE``: realistic defects of every kind the validator reports, with their truth.

Tables are turned into export text first (so a money cell can hold ``12O0``); each defect
kind hits its own rows (households touched once), and every defect is one truth row:
kind, table, row (1-based data row), column, key, expected finding code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jingzhun import ids
from jingzhun.sample.numtext import zfill
from jingzhun.sample.write import to_text

# kind -> (table, column, expected finding code in jingzhun/catalogue)
KINDS: dict[str, tuple[str, str, str]] = {
    "bad_checksum": ("members", "id_number", "V-ID-CHECKSUM"),
    "excel_sci": ("members", "id_number", "V-ID-EXCEL-DAMAGED"),
    "excel_000": ("members", "id_number", "V-ID-EXCEL-DAMAGED"),
    "id15": ("members", "id_number", "V-ID-15"),
    "id_sex_mismatch": ("members", "sex", "V-ID-SEX-MISMATCH"),
    "birth_mismatch": ("members", "birth_date", "V-ID-BIRTH-MISMATCH"),
    "orphan_member": ("members", "household_id", "V-MEMBER-NO-HOUSEHOLD"),
    "two_heads": ("members", "relation", "V-HEAD-MULTIPLE"),
    "no_head": ("households", "household_id", "V-HEAD-MISSING"),
    "same_sex_couple": ("members", "sex", "V-COUPLE-SAME-SEX"),
    "id_two_households": ("members", "id_number", "V-ID-MULTI-HOUSEHOLD"),
    "edu_and_school": ("members", "education", "V-EDU-SCHOOL-BOTH"),
    "healthy_no_labor": ("members", "labor", "V-LABOR-AGE"),
    "months_without_work": ("members", "work_months", "V-WORK-MONTHS-NO-STATUS"),
    "unknown_enum": ("members", "relation", "V-ENUM-UNKNOWN"),
    "mixed_dates": ("members", "birth_date", ""),
    "formula_name": ("members", "name", ""),
    "duplicate_household_id": ("households", "household_id", "V-DUPLICATE-KEY"),
    "size_mismatch": ("households", "household_size", "V-SIZE-MISMATCH"),
    "income_mismatch": ("households", "per_capita_net_income", "V-INCOME-MISMATCH"),
    "missing_main_cause": ("households", "main_cause", "V-REGISTERED-MISSING"),
    "other_causes_main": ("households", "other_causes", "V-OTHER-CAUSES-MAIN"),
    "bad_money": ("households", "wage_income", "V-VALUE-NOT-NUMBER"),
    "title_row": ("households", "", "V-READ-TITLE-ROWS"),
    "total_row": ("households", "", "V-READ-TOTAL-ROW"),
    "gbk_file": ("villages", "", ""),
}


class _Injector:
    def __init__(self, rng: np.random.Generator, hh: pd.DataFrame, m: pd.DataFrame, rate: float) -> None:
        self.rng = rng
        self.hh = to_text(hh)
        self.m = to_text(m)
        self.rate = rate
        self.used: set[str] = set()
        self.rows: list[dict[str, object]] = []
        self.n_m = max(1, round(rate * len(m) / 17))
        self.n_h = max(1, round(rate * len(hh) / 6))
        self.age = (pd.Timestamp(f"{m['birth_date'].dt.year.max()}-12-31") - m["birth_date"]).dt.days.to_numpy() // 365

    def pick(self, table: str, cand: np.ndarray, k: int | None = None, per_household: bool = True) -> np.ndarray:
        df = self.m if table == "members" else self.hh
        hid = df["household_id"].to_numpy()
        free = cand & ~np.isin(hid, list(self.used))
        idx = np.flatnonzero(free)
        if per_household:
            idx = idx[~pd.Series(hid[idx]).duplicated().to_numpy()]
        k = self.n_m if table == "members" else self.n_h if k is None else k
        chosen = np.sort(self.rng.permutation(idx)[:k])
        self.used.update(hid[chosen].tolist())
        return chosen

    def record(self, kind: str, rows: np.ndarray, keys: np.ndarray | None = None) -> None:
        table, column, code = KINDS[kind]
        df = self.m if table == "members" else self.hh
        keys = df["household_id"].to_numpy()[rows] if keys is None else keys
        for r, k in zip(rows.tolist(), list(keys), strict=True):
            self.rows.append(
                {"kind": kind, "table": table, "row": r + 1, "column": column, "key": k, "expected_code": code}
            )

    def members(self) -> None:
        m = self.m
        rel = m["relation"].to_numpy()
        idn = m["id_number"].to_numpy()
        current = (m["change_reason"] == "").to_numpy() | m["change_reason"].isin(["嫁入", "新生儿"]).to_numpy()
        nonhead = current & (rel != "户主")
        v = self.pick("members", nonhead)
        m.loc[v, "id_number"] = [x[:17] + ("0" if x[17] != "0" else "1") for x in idn[v]]
        self.record("bad_checksum", v)
        v = self.pick("members", nonhead)
        m.loc[v, "id_number"] = [f"{int(x[:17]) * 10:.5E}".replace("E+", "E+") for x in idn[v]]
        self.record("excel_sci", v)
        zeros = pd.Series(idn, dtype="str").str.slice(0, 15) + "000"
        v = self.pick("members", nonhead & ~ids.checksum_ok(zeros).to_numpy())
        m.loc[v, "id_number"] = [x[:15] + "000" for x in idn[v]]
        self.record("excel_000", v)
        v = self.pick("members", nonhead & (pd.Series(idn).str.slice(6, 8).to_numpy() == "19"))
        m.loc[v, "id_number"] = [x[:6] + x[8:17] for x in idn[v]]
        self.record("id15", v)
        v = self.pick("members", nonhead)
        m.loc[v, "sex"] = np.where(m["sex"].to_numpy()[v] == "男", "女", "男")
        self.record("id_sex_mismatch", v)
        v = self.pick("members", nonhead)
        bd = pd.to_datetime(m["birth_date"].to_numpy()[v]) + pd.to_timedelta(self.rng.integers(40, 400, len(v)), "D")
        m.loc[v, "birth_date"] = bd.strftime("%Y-%m-%d")
        self.record("birth_mismatch", v)
        v = self.pick("members", current & (rel == "配偶"))
        m.loc[v, "relation"] = "户主"
        self.record("two_heads", v)
        v = self.pick("members", current & (rel == "户主"))
        m.loc[v, "relation"] = "其他"
        pos = pd.Series(np.arange(len(self.hh)), index=self.hh["household_id"].to_numpy())
        self.record("no_head", pos.reindex(m["household_id"].to_numpy()[v]).to_numpy())
        v = self.pick("members", current & (rel == "配偶") & (self.age < 90))
        male = m["sex"].to_numpy()[v] == "女"  # flip: the spouse takes the head's sex
        ymd = pd.to_datetime(m["birth_date"].to_numpy()[v]).strftime("%Y%m%d").astype(int).to_numpy()
        new_ids = ids.compose(
            pd.Series(idn[v], dtype="str").str.slice(0, 6).to_numpy().astype(str),
            ymd,
            2 * self.rng.integers(0, 500, len(v)) + male,
        )
        m.loc[v, "id_number"] = new_ids
        m.loc[v, "sex"] = np.where(male, "男", "女")
        self.record("same_sex_couple", v)
        v = self.pick("members", nonhead & (self.age >= 20))
        donors = self.pick("members", nonhead & (self.age >= 20), k=len(v))
        k = min(len(v), len(donors))
        v, donors = v[:k], donors[:k]
        for col in ("id_number", "sex", "birth_date"):
            m.loc[v, col] = m[col].to_numpy()[donors]
        self.record("id_two_households", v)
        school = m["school_status"].to_numpy()
        v = self.pick("members", current & (school == "小学"))
        m.loc[v, "education"] = "小学"
        self.record("edu_and_school", v)
        healthy = (m["health"] == "健康").to_numpy() & (school == "")
        v = self.pick(
            "members",
            current & healthy & (self.age >= 20) & (self.age <= 55) & (m["work_status"].to_numpy() == "未外出务工"),
        )
        m.loc[v, "labor"] = "无劳动力"
        m.loc[v, "work_status"] = ""
        m.loc[v, "work_months"] = ""
        self.record("healthy_no_labor", v)
        v = self.pick("members", current & (m["work_status"].to_numpy() == "未外出务工"))
        m.loc[v, "work_months"] = "6"
        self.record("months_without_work", v)
        v = self.pick("members", nonhead & np.isin(rel, ["之子", "之女"]))
        m.loc[v, "relation"] = "干儿子"
        self.record("unknown_enum", v)
        v = self.pick("members", current, per_household=False)
        forms = ["%Y/%-m/%-d", "%Y年%-m月%-d日", "%Y%m%d"]
        d = pd.to_datetime(m["birth_date"].to_numpy()[v])
        m.loc[v, "birth_date"] = [x.strftime(forms[i % 3]) for i, x in enumerate(d)]
        self.record("mixed_dates", v)
        v = self.pick("members", nonhead)
        m.loc[v, "name"] = [f'=HYPERLINK("http://x","{x}")' for x in m["name"].to_numpy()[v]]
        self.record("formula_name", v)
        # A member whose household is missing: a new row, appended.
        src = self.pick("members", nonhead, k=self.n_m)
        extra = m.iloc[src].copy()
        fake = np.char.add("9", zfill(np.arange(1, len(src) + 1).astype(str), 13)).astype(object)
        extra["household_id"] = fake
        extra["relation"] = "户主"
        born = pd.to_datetime(extra["birth_date"], format="mixed", errors="coerce")
        extra["id_number"] = ids.compose(
            np.full(len(src), "421121"),
            born.dt.strftime("%Y%m%d").astype(int).to_numpy(),
            900 + 2 * np.arange(len(src)) % 100 + (extra["sex"].to_numpy() == "男"),
        )
        start = len(m)
        self.m = pd.concat([m, extra], ignore_index=True)
        self.record("orphan_member", np.arange(start, start + len(src)), fake)

    def households(self) -> None:
        h = self.hh
        reg = (h["registered"] == "是").to_numpy()
        everyone = np.ones(len(h), dtype=bool)
        v = self.pick("households", everyone)
        h.loc[v, "household_size"] = (h["household_size"].to_numpy()[v].astype(int) + 1).astype(str)
        self.record("size_mismatch", v)
        v = self.pick("households", everyone)
        h.loc[v, "per_capita_net_income"] = np.char.mod(
            "%.2f", h["per_capita_net_income"].to_numpy()[v].astype(float) + self.rng.integers(50, 500, len(v))
        ).astype(object)
        self.record("income_mismatch", v)
        v = self.pick("households", reg)
        h.loc[v, "main_cause"] = ""
        self.record("missing_main_cause", v)
        v = self.pick("households", reg & (h["main_cause"].to_numpy() != ""))
        h.loc[v, "other_causes"] = h["main_cause"].to_numpy()[v]
        self.record("other_causes_main", v)
        v = self.pick("households", (h["wage_income"].astype(float).to_numpy() >= 1000))
        h.loc[v, "wage_income"] = [
            x.replace("0", "O", 1) if "0" in x[1:] else "12O0" for x in h["wage_income"].to_numpy()[v]
        ]
        self.record("bad_money", v)
        src = self.pick("households", everyone)
        start = len(h)
        self.hh = pd.concat([h, h.iloc[src]], ignore_index=True)
        self.record("duplicate_household_id", np.arange(start, start + len(src)), h["household_id"].to_numpy()[src])


def inject(
    rng: np.random.Generator,
    tables: dict[str, pd.DataFrame],
    rate: float,
    fmt: str,
    encoding: str,
    county_name: str,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict[str, dict[str, object]]]:
    """Defective copies of households and members, the defects truth and per-file options
    (the households file's title row names ``county_name``, as an export of that county would)."""
    inj = _Injector(rng, tables["households"], tables["members"], rate)
    inj.members()
    inj.households()
    out = dict(tables)
    out["households"] = inj.hh
    out["members"] = inj.m
    files: dict[str, dict[str, object]] = {}
    rows = inj.rows
    if fmt in ("csv", "xlsx"):
        files["households"] = {"title": f"{county_name}建档立卡贫困户花名册", "total_row": True}
        rows.append(
            {
                "kind": "title_row",
                "table": "households",
                "row": 0,
                "column": "",
                "key": "",
                "expected_code": KINDS["title_row"][2],
            }
        )
        rows.append(
            {
                "kind": "total_row",
                "table": "households",
                "row": len(inj.hh) + 1,
                "column": "",
                "key": "",
                "expected_code": KINDS["total_row"][2],
            }
        )
    if fmt == "csv" and encoding == "utf-8":
        files["villages"] = {"encoding": "gbk"}
        rows.append({"kind": "gbk_file", "table": "villages", "row": 0, "column": "", "key": "", "expected_code": ""})
    truth = pd.DataFrame(rows, columns=["kind", "table", "row", "column", "key", "expected_code"])
    truth = truth.sort_values(["table", "row", "kind"], kind="stable").reset_index(drop=True)
    return out, truth, files
