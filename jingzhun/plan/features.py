"""Household conditions that measure rules test (``when`` column of measures.csv).

Every feature is a boolean array aligned to the households frame. Names:

- ``all``: every household;
- ``cause:<label>``: main or other cause; ``main_cause:<label>``; ``category:<label>``;
  ``status:<label>``;
- household conditions: ``dangerous_house``, ``relocation_willing``, ``water_unsafe``,
  ``water_difficult``, ``no_electricity``, ``no_toilet``, ``dirt_road``, ``no_house``,
  ``not_in_coop``;
- from current members: ``student`` (any enrolled), ``student_compulsory``,
  ``student_high``, ``student_vocational``, ``student_higher``, ``dropout``
  (compulsory-school age, not enrolled), ``ill`` (长期慢性病 or 患有大病),
  ``serious_ill``, ``chronic_ill``, ``disabled``, ``labour`` (普通/技能劳动力 of working age,
  not a student), ``weak_labour``, ``no_labour``, ``borrower_age`` (a member aged
  18–65 able to work), ``elderly`` (60+), ``on_dibao``, ``on_tekun``,
  ``no_medical_insurance``;
- from identification: ``exit_ready``, ``gap:<column>`` (a true/false column of the
  identify households frame), ``blocker:<code>`` (a code in ``exit_blockers``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from jingzhun.identify.members import age_on, current_mask
from jingzhun.tablespec import provided, text_column

HOUSEHOLD_FLAGS: dict[str, tuple[str, bool]] = {
    # feature: (column, value that makes it true)
    "dangerous_house": ("dangerous_house", True),
    "relocation_willing": ("relocation_willing", True),
    "water_unsafe": ("drinking_water_safe", False),
    "water_difficult": ("drinking_water_difficult", True),
    "no_electricity": ("has_electricity", False),
    "no_toilet": ("sanitary_toilet", False),
    "not_in_coop": ("joined_coop", False),
}

MEMBER_FEATURES = (
    "student",
    "student_compulsory",
    "student_high",
    "student_vocational",
    "student_higher",
    "dropout",
    "ill",
    "serious_ill",
    "chronic_ill",
    "disabled",
    "labour",
    "weak_labour",
    "no_labour",
    "borrower_age",
    "elderly",
    "on_dibao",
    "on_tekun",
    "no_medical_insurance",
)
OTHER_FEATURES = ("all", "dirt_road", "no_house", "exit_ready")
PREFIXES = ("cause:", "main_cause:", "category:", "status:", "gap:", "blocker:")

NOT_ENROLLED = ("非在校生", "学龄前儿童", "")
WORKING_LABOUR = ("普通劳动力", "技能劳动力")
NO_WORK = ("丧失劳动力", "无劳动力")


def known(name: str) -> bool:
    return name in HOUSEHOLD_FLAGS or name in MEMBER_FEATURES or name in OTHER_FEATURES or name.startswith(PREFIXES)


def _flag(df: pd.DataFrame, col: str, value: bool) -> np.ndarray:
    s = df[col].astype("boolean")
    return (s == value).fillna(False).to_numpy(dtype=bool)


# The members columns member_flags reads (birth_date with id_number as its fallback: age_on).
FLAG_COLUMNS = (
    "household_id",
    "birth_date",
    "id_number",
    "school_status",
    "health",
    "labor",
    "sex",
    "on_dibao",
    "on_tekun",
    "medical_insurance",
)


def member_flags(members: pd.DataFrame, data_year: int, school_age: tuple[int, int] = (7, 15)) -> pd.DataFrame:
    """Per current member booleans, one column per member feature, plus household_id."""
    m = members[[c for c in FLAG_COLUMNS if c in members.columns]][current_mask(members)]  # not every column
    on = pd.Timestamp(year=data_year - 1, month=12, day=31)
    age = age_on(m, on)
    age_f = age.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    school = text_column(m, "school_status").fillna("").str.strip()
    enrolled = ~school.isin(NOT_ENROLLED).to_numpy(dtype=bool)
    compulsory = school.isin(("小学", "七年级", "八年级", "九年级", "初中")).to_numpy(dtype=bool)
    high = school.str.contains("高中", regex=False).to_numpy(dtype=bool)
    vocational = school.str.match(r"^(中职|高职|技师|技工)").to_numpy(dtype=bool)
    higher = school.str.match(r"^(本科|大专|硕士|研究生|大学)").to_numpy(dtype=bool)
    health = text_column(m, "health").fillna("")
    serious = health.str.contains("患有大病", regex=False).to_numpy(dtype=bool)
    chronic = health.str.contains("长期慢性病", regex=False).to_numpy(dtype=bool)
    disabled = health.str.contains("残疾", regex=False).to_numpy(dtype=bool)
    labor = text_column(m, "labor").fillna("")
    sex = text_column(m, "sex").fillna("")
    upper = np.where(sex.to_numpy(dtype=object) == "女", 55, 60)
    age_known = ~np.isnan(age_f)
    working_age = ~age_known | ((age_f >= 16) & (age_f <= upper))
    labour = labor.isin(WORKING_LABOUR).to_numpy(dtype=bool) & working_age & ~enrolled
    smin, smax = school_age
    dropout = age_known & (age_f >= smin) & (age_f <= smax) & ~enrolled
    borrower = age_known & (age_f >= 18) & (age_f <= 65) & ~labor.isin(NO_WORK).to_numpy(dtype=bool)
    out = pd.DataFrame(
        {
            "household_id": m["household_id"].astype("str").to_numpy(dtype=object),
            "student": enrolled,
            "student_compulsory": compulsory,
            "student_high": high,
            "student_vocational": vocational,
            "student_higher": higher,
            "dropout": dropout,
            "ill": serious | chronic,
            "serious_ill": serious,
            "chronic_ill": chronic,
            "disabled": disabled,
            "labour": labour,
            "weak_labour": (labor == "弱劳动力或半劳动力").to_numpy(dtype=bool),
            "borrower_age": borrower,
            "elderly": age_known & (age_f >= 60),
            "on_dibao": _flag(m, "on_dibao", True),
            "on_tekun": _flag(m, "on_tekun", True),
            "no_medical_insurance": _flag(m, "medical_insurance", False),
        }
    )
    return out


class Features:
    """Lazy feature lookup over one households frame (aligned by position)."""

    def __init__(
        self,
        households: pd.DataFrame,
        members: pd.DataFrame | None,
        data_year: int,
        identified: pd.DataFrame | None = None,
        school_age: tuple[int, int] = (7, 15),
    ) -> None:
        self.h = households.reset_index(drop=True)
        self.n = len(self.h)
        self.members = members
        self.data_year = data_year
        self.school_age = school_age
        self.ident = self._align(identified)
        self._cache: dict[str, np.ndarray] = {}
        self._member: pd.DataFrame | None = None
        self.missing: dict[str, str] = {}  # feature -> column the data lacks

    def _align(self, identified: pd.DataFrame | None) -> pd.DataFrame | None:
        if identified is None or "household_id" not in identified.columns:
            return None
        ident = identified.drop_duplicates("household_id").set_index(
            identified["household_id"].drop_duplicates().astype("str")
        )
        return ident.reindex(self.h["household_id"].astype("str").to_numpy(dtype=object)).reset_index(drop=True)

    def _member_frame(self) -> pd.DataFrame:
        if self._member is None:
            hid = self.h["household_id"].astype("str")
            if self.members is None or self.members.empty:
                agg = pd.DataFrame(
                    False, index=hid.to_numpy(dtype=object), columns=[c for c in MEMBER_FEATURES if c != "no_labour"]
                )
                agg["_n"] = 0
            else:
                flags = member_flags(self.members, self.data_year, self.school_age)
                agg = flags.groupby("household_id", sort=False).any()
                agg["_n"] = flags.groupby("household_id", sort=False).size()
                agg = agg.reindex(hid.to_numpy(dtype=object))
                n = agg.pop("_n").fillna(0)  # a household without member rows: no flags, no members
                agg = agg.fillna(False).infer_objects()
                agg["_n"] = n
            agg["no_labour"] = ~agg["labour"].astype(bool) & (agg["_n"].astype(float) > 0)
            self._member = agg.reset_index(drop=True)
        return self._member

    def get(self, name: str) -> np.ndarray:
        if name not in self._cache:
            self._cache[name] = self._compute(name)
        return self._cache[name]

    def _compute(self, name: str) -> np.ndarray:
        h = self.h
        if name == "all":
            return np.ones(self.n, dtype=bool)
        if name in HOUSEHOLD_FLAGS:
            col, true_value = HOUSEHOLD_FLAGS[name]
            if not provided(h, col):
                self.missing[name] = col
            return _flag(h, col, true_value)
        if name == "dirt_road":
            return (text_column(h, "road_type") == "泥土路").fillna(False).to_numpy(dtype=bool)
        if name == "no_house":
            if not provided(h, "housing_area_m2"):
                self.missing[name] = "housing_area_m2"
                return np.zeros(self.n, dtype=bool)
            return (h["housing_area_m2"].astype("Float64") == 0).fillna(False).to_numpy(dtype=bool)
        if name in MEMBER_FEATURES:
            base = self._member_frame()[name].to_numpy(dtype=bool)
            if name == "on_dibao":
                base = base | (text_column(h, "category") == "低保贫困户").fillna(False).to_numpy(dtype=bool)
            if name == "on_tekun":
                base = base | (text_column(h, "category") == "特困供养贫困户").fillna(False).to_numpy(dtype=bool)
            return base
        prefix, _, value = name.partition(":")
        if prefix == "cause":
            main = text_column(h, "main_cause") == value
            other = _multi_has(text_column(h, "other_causes"), value)
            return (main.fillna(False).to_numpy(dtype=bool)) | other
        if prefix in ("main_cause", "category", "status"):
            return (text_column(h, prefix) == value).fillna(False).to_numpy(dtype=bool)
        if name == "exit_ready" or prefix == "gap":
            col = "exit_ready" if name == "exit_ready" else value
            src = (
                self.ident
                if self.ident is not None and col in self.ident.columns
                else (h if col in h.columns else None)
            )
            if src is None:
                self.missing[name] = col
                return np.zeros(self.n, dtype=bool)
            return _flag(src, col, True)
        if prefix == "blocker":
            src = self.ident if self.ident is not None and "exit_blockers" in self.ident.columns else None
            if src is None:
                self.missing[name] = "exit_blockers"
                return np.zeros(self.n, dtype=bool)
            return _multi_has(src["exit_blockers"].astype("str"), value, sep=r"[;,]")
        raise KeyError(name)


def _multi_has(s: pd.Series, value: str, sep: str = r"[,，、;；]") -> np.ndarray:
    """True where a joined multi-label text holds ``value`` as one of its labels.

    Matched once per distinct text (a column of label combinations has few): pandas runs a
    pattern with ``\\s`` through Python's ``re`` row by row, as RE2's ``\\s`` differs."""
    pattern = re.compile(rf"(?:^|{sep})\s*{re.escape(value)}\s*(?:$|{sep})")
    codes, uniques = pd.factorize(s.fillna(""))
    hits = np.fromiter((pattern.search(str(u)) is not None for u in uniques), dtype=bool, count=len(uniques))
    return hits[codes]
