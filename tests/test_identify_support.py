"""Hand-made typed frames for the identification and diff tests (no tests here)."""

from __future__ import annotations

import pandas as pd

from jingzhun import ids

V1 = "421121101201"
V2 = "421121101202"
V3 = "421121200201"


def make_id(birth: str, seq: int = 1) -> str:
    """A valid 18-digit ID for a birth date ``YYYYMMDD``."""
    body = f"421121{birth}{seq:03d}"
    return body + ids.check_char_one(body)


def households(rows: list[dict]) -> pd.DataFrame:
    """Typed households frame; every row defaults to a safe, complete, not-registered household."""
    base = {
        "household_id": None,
        "village_code": V1,
        "village_name": "红旗村",
        "township_name": "淋山河镇",
        "head_name": "户主",
        "head_id_number": None,
        "household_size": 1,
        "registered": False,
        "category": None,
        "status": None,
        "wage_income": 0.0,
        "business_income": 0.0,
        "property_income": 0.0,
        "business_expense": 0.0,
        "dangerous_house": False,
        "drinking_water_safe": True,
    }
    recs = [{**base, **r} for r in rows]
    df = pd.DataFrame(recs)
    types = {
        "household_size": "Int64",
        "registered": "boolean",
        "dangerous_house": "boolean",
        "drinking_water_safe": "boolean",
    }
    for c in df.columns:
        if c in types:
            df[c] = df[c].astype(types[c])
        elif c.endswith(("_income", "_expense", "_benefit", "_transfer", "_compensation")):
            df[c] = df[c].astype("Float64")
        else:
            df[c] = df[c].astype("str")
    df["_row"] = pd.array(range(1, len(df) + 1), dtype="Int64")
    return df


def members(rows: list[dict]) -> pd.DataFrame:
    base = {
        "household_id": None,
        "id_number": None,
        "name": "成员",
        "relation": "户主",
        "school_status": None,
        "education": "初中",
        "health": "健康",
        "medical_insurance": True,
        "change_reason": None,
    }
    df = pd.DataFrame([{**base, **r} for r in rows])
    for c in df.columns:
        if c == "medical_insurance":
            df[c] = df[c].astype("boolean")
        elif c in ("birth_date", "change_date"):
            df[c] = pd.to_datetime(df[c])
        else:
            df[c] = df[c].astype("str")
    df["_row"] = pd.array(range(1, len(df) + 1), dtype="Int64")
    return df


def villages(rows: list[dict]) -> pd.DataFrame:
    base = {
        "village_code": V1,
        "village_name": "红旗村",
        "township_name": "淋山河镇",
        "total_households": 100,
        "total_population": 400,
        "agricultural_population": None,
        "per_capita_income": 8000.0,
        "collective_income": 1.0,
        "household_quota": None,
    }
    df = pd.DataFrame([{**base, **r} for r in rows])
    for c in ("total_households", "total_population", "agricultural_population", "household_quota"):
        df[c] = df[c].astype("Int64")
    for c in ("per_capita_income", "collective_income"):
        df[c] = df[c].astype("Float64")
    for c in ("village_code", "village_name", "township_name"):
        df[c] = df[c].astype("str")
    return df


def crosscheck(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id_number": pd.Series([r[0] for r in rows], dtype="str"),
            "source": pd.Series([r[1] for r in rows], dtype="str"),
            "detail": pd.Series([r[2] for r in rows], dtype="str"),
        }
    )
