"""Schema failures become findings: code, source row (``_row``), column, value, key, severity."""

from __future__ import annotations

import pandas as pd
import pytest
from test_validate_fixtures import YEAR, params, year_frames

from jingzhun.findings import Findings
from jingzhun.schema.run import run_schema
from jingzhun.schema.validate import validate_frames


def found(table: str, df: pd.DataFrame) -> pd.DataFrame:
    return run_schema(table, df).render()


def one(rendered: pd.DataFrame, code: str) -> dict:
    part = rendered[rendered["code"] == code]
    assert len(part) == 1, rendered[["code", "row", "column", "value"]].to_string()
    return part.iloc[0].to_dict()


@pytest.mark.parametrize(
    "table", ["households", "members", "villages", "cadres", "dibao", "projects", "payments", "crosscheck"]
)
def test_clean_tables_pass(table):
    assert found(table, year_frames()[table]).empty


def test_row_is_the_source_row_not_the_index():
    h = year_frames()["households"]
    h["_row"] = pd.array([5, 7, 9], dtype="Int64")  # rows 6 and 8 were a total row and a blank line
    h.loc[1, "head_name"] = None
    f = one(found("households", h), "V-REQUIRED-EMPTY")
    assert (f["row"], f["column"], f["key"], f["severity"]) == (7, "head_name", "H2", "error")
    assert "第 7 行" in f["message"]


def test_duplicate_household_id_reports_both_rows():
    h = year_frames()["households"]
    h.loc[2, "household_id"] = "H1"
    dup = found("households", h)
    dup = dup[dup["code"] == "V-DUPLICATE-KEY"]
    assert sorted(dup["row"].astype(int)) == [1, 3]
    assert set(dup["value"]) == {"H1"}


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("villages", "village_code"),
        ("dibao", "record_id"),
        ("cadres", "cadre_id"),
        ("projects", "project_id"),
        ("payments", "payment_id"),
    ],
)
def test_unique_keys(table, column):
    df = year_frames()[table]
    df = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    df["_row"] = pd.array(range(1, len(df) + 1), dtype="Int64")
    rows = found(table, df)
    assert sorted(rows.loc[rows["code"] == "V-DUPLICATE-KEY", "row"].astype(int)) == [1, len(df)]


@pytest.mark.parametrize(
    ("table", "column", "bad", "good", "detail"),
    [
        ("households", "household_size", 21, 20, "[1, 20]"),
        ("households", "household_size", 0, 1, "[1, 20]"),
        ("members", "work_months", 13, 12, "[0, 12]"),
        ("households", "wage_income", -1.0, 0.0, ">= 0"),
        ("dibao", "monthly_amount", -5.0, 0.0, ">= 0"),
        ("projects", "budget", -1.0, 0.0, ">= 0"),
        ("payments", "amount", 0.0, 0.01, "> 0"),
    ],
)
def test_ranges(table, column, bad, good, detail):
    df = year_frames()[table]
    df.loc[0, column] = bad
    f = one(found(table, df), "V-RANGE")
    assert (f["row"], f["column"], f["detail"], f["severity"]) == (1, column, detail, "error")
    df.loc[0, column] = good
    assert found(table, df).empty


@pytest.mark.parametrize(
    ("table", "column", "bad", "good"),
    [
        ("households", "village_code", "42112110020", "421121100201"),
        ("villages", "village_code", "42112110020A", "421121100201"),
        ("villages", "township_code", "4211211000", "421121100000"),
        ("dibao", "village_code", "4211211002011", "421121100201"),
    ],
)
def test_area_code_format(table, column, bad, good):
    df = year_frames()[table]
    df.loc[0, column] = bad
    assert one(found(table, df), "V-CODE-FORMAT")["column"] == column
    df.loc[0, column] = good
    assert found(table, df).empty


def test_phone_is_a_warning():
    h = year_frames()["households"]
    h.loc[0, "phone"] = "0713-1234567"
    f = one(found("households", h), "V-PHONE-FORMAT")
    assert (f["severity"], f["value"], f["key"]) == ("warning", "0713-1234567", "H1")


def test_unknown_enum_label():
    m = year_frames()["members"]
    m.loc[0, "relation"] = "表叔"
    f = one(found("members", m), "V-SCHEMA-ENUM")
    assert (f["row"], f["column"], f["value"]) == (1, "relation", "表叔")
    m.loc[0, "relation"] = None  # an empty cell is the required-field check's, not the label check's
    assert "V-SCHEMA-ENUM" not in set(found("members", m)["code"])


def test_multi_labels_each_checked():
    m = year_frames()["members"]
    m.loc[0, "health"] = "残疾,长期慢性病"
    assert found("members", m).empty
    m.loc[0, "health"] = "残疾,近视"
    f = one(found("members", m), "V-SCHEMA-ENUM")
    assert (f["column"], f["value"]) == ("health", "残疾,近视")


def test_missing_required_column_and_wrong_dtype():
    m = year_frames()["members"].drop(columns=["relation"])
    m["work_months"] = m["work_months"].astype("float64")
    rendered = found("members", m)
    missing = one(rendered, "V-SCHEMA-COLUMN-MISSING")
    assert (missing["column"], pd.isna(missing["row"])) == ("relation", True)
    dtype = one(rendered, "V-SCHEMA-DTYPE")
    assert (dtype["column"], dtype["value"], dtype["detail"]) == ("work_months", "float64", "Int64")


def test_reader_findings_are_not_repeated():
    """A cell or column the reader already reported (unparseable, missing) is not reported again."""
    f = year_frames()
    f["households"].loc[0, "household_size"] = pd.NA  # reader: "三口" is not a number
    f["members"]["relation"] = pd.Series([pd.NA] * len(f["members"]), dtype="str")  # reader: column missing
    reading = Findings()
    reading.add("V-VALUE-NOT-INT", table="households", row=1, column="household_size", value="三口")
    reading.add("V-COLUMN-MISSING", table="members", column="relation")
    result = validate_frames(f, params(), data_year=YEAR, reading=reading)
    frame = result.findings.frame()
    assert sorted(frame["code"]) == ["V-COLUMN-MISSING", "V-VALUE-NOT-INT"]  # no repeat, no cascade
    # without the reader's word, the same frames give schema and cross-table findings
    again = validate_frames(f, params(), data_year=YEAR).findings.codes()
    assert {"V-REQUIRED-EMPTY", "V-HEAD-MISSING"} <= again


def test_reader_info_does_not_hide_a_validation_finding():
    f = year_frames()
    f["households"].loc[0, "household_size"] = 25
    reading = Findings()
    reading.add("V-ID-DOT0-REPAIRED", table="households", row=1, column="household_size", value="25.0")
    result = validate_frames(f, params(), data_year=YEAR, reading=reading)
    assert "V-RANGE" in result.findings.codes()


def test_all_failures_collected_not_the_first_only():
    h = year_frames()["households"]
    h.loc[0, "household_size"] = 30
    h.loc[1, "head_name"] = None
    h.loc[2, "category"] = "贫困"
    h.loc[2, "village_code"] = "123"
    codes = found("households", h)["code"].value_counts().to_dict()
    assert codes == {"V-RANGE": 1, "V-REQUIRED-EMPTY": 1, "V-SCHEMA-ENUM": 1, "V-CODE-FORMAT": 1}
