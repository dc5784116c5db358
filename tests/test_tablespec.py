"""The table specification is the one place a table is defined: the other modules read it,
the pandera YAML agrees with it, readers and discovery accept the same files, and the
import layering (tablespec below io below schema/domain) holds."""

from __future__ import annotations

import ast
import copy
from pathlib import Path

import pandas as pd
import pytest

import jingzhun
from jingzhun import tablespec
from jingzhun.dataset import Dataset
from jingzhun.io.read import read_table
from jingzhun.schema.lint import lint_schema
from jingzhun.schema.loader import read_yaml

PACKAGE = Path(jingzhun.__file__).parent


def _jingzhun_imports(path: Path) -> set[str]:
    """Every ``jingzhun.*`` module a file imports (module level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("jingzhun")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "jingzhun":
                found |= {f"jingzhun.{a.name}" for a in node.names}
            elif node.module.startswith("jingzhun."):
                found.add(node.module)
    return found


def test_tablespec_imports_no_jingzhun_module():
    assert _jingzhun_imports(PACKAGE / "tablespec.py") == set()


# Layers above io: io must import none of them (only tablespec, errors, i18n, findings, ids, …).
ABOVE_IO = ("schema", "identify", "match", "plan", "funds", "audit", "report", "pipeline", "dataset", "sample")


@pytest.mark.parametrize("path", sorted((PACKAGE / "io").glob("*.py")), ids=lambda p: p.name)
def test_io_imports_nothing_above_it(path):
    bad = {m for m in _jingzhun_imports(path) if m.split(".")[1] in ABOVE_IO or m.endswith("_cli")}
    assert bad == set(), f"io/{path.name} imports {sorted(bad)}"


def test_discovery_accepts_exactly_the_reader_suffixes(tmp_path):
    assert set(tablespec.FILE_EXTENSIONS) == {
        *tablespec.CSV_SUFFIXES,
        *tablespec.PARQUET_SUFFIXES,
        *tablespec.EXCEL_SUFFIXES,
    }
    year = tmp_path / "2016"
    year.mkdir()
    (year / "households.tsv").write_text("户编号\t户主姓名\nH1\t张三\n", encoding="utf-8")
    pd.DataFrame({"证件号码": ["1"], "姓名": ["李四"]}).to_parquet(year / "members.pq")
    found = Dataset(tmp_path).table_files(2016)
    assert {t: p.name for t, p in found.items()} == {"households": "households.tsv", "members": "members.pq"}
    assert read_table(found["households"]).frame["head_name"].tolist() == ["张三"]
    assert read_table(found["members"]).frame["name"].tolist() == ["李四"]


def test_table_specs_hold_every_fact_of_a_table():
    hh = tablespec.TABLE_SPECS["households"]
    assert hh.required and hh.key == "household_id" and hh.label_zh == "农户"
    assert "农户信息" in hh.files and hh.column_names()[0] == "household_id"
    assert not tablespec.TABLE_SPECS["payments"].required
    assert all(c.type in tablespec.DTYPES for s in tablespec.TABLE_SPECS.values() for c in s.columns)


def test_schema_yaml_title_must_follow_the_spec():
    data = copy.deepcopy(read_yaml("households"))
    data["columns"]["household_id"]["title"] = "户号"
    problems = lint_schema("households", data)
    assert any("household_id: title '户号' must be the column's first header alias '户编号'" in p for p in problems)


def test_conform_adds_absent_columns_typed_and_empty():
    frame = pd.DataFrame({"_row": pd.array([1, 2], dtype="Int64"), "household_id": ["H1", "H2"]})
    out = tablespec.conform("households", frame)
    assert list(out.columns) == ["_row", *tablespec.TABLE_SPECS["households"].column_names()]
    assert out["household_id"].tolist() == ["H1", "H2"]
    for c in tablespec.TABLE_SPECS["households"].columns[1:]:
        assert str(out[c.name].dtype) == str(pd.Series(dtype=tablespec.DTYPES[c.type]).dtype), c.name
        assert out[c.name].isna().all(), c.name


# ---- language only at the edges ---------------------------------------------------------


def _read_in(lang: str, path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from jingzhun.i18n import get_lang, set_lang

    before = get_lang()
    set_lang(lang)
    try:
        res = read_table(path, "households")
        return res.frame, res.findings.frame()
    finally:
        set_lang(before)


def test_frames_and_stored_findings_do_not_depend_on_the_language(tmp_path):
    # A headerless column with values, a duplicated header and missing required columns.
    path = tmp_path / "households.csv"
    path.write_text("户编号,户主姓名,,户主\nH1,张三,x,张三\nH2,李四,y,李四\n", encoding="utf-8")
    frame_zh, found_zh = _read_in("zh", path)
    frame_en, found_en = _read_in("en", path)
    pd.testing.assert_frame_equal(frame_zh, frame_en)
    pd.testing.assert_frame_equal(found_zh, found_en)
    unknown = found_zh[found_zh["code"] == "V-COLUMN-UNKNOWN"]
    assert unknown["column"].tolist() == ["column_3"]
    # Words are chosen when rendering: the same stored findings read in either language.
    from jingzhun.findings import Findings

    f = Findings.from_frame(found_zh)
    zh, en = f.render("zh"), f.render("en")
    assert zh.loc[zh["code"] == "V-COLUMN-UNKNOWN", "column"].tolist() == ["列3"]
    assert en.loc[en["code"] == "V-COLUMN-UNKNOWN", "column"].tolist() == ["column3"]
    dup_zh = zh.loc[zh["code"] == "V-COLUMN-DUPLICATE", "detail"].tolist()
    dup_en = en.loc[en["code"] == "V-COLUMN-DUPLICATE", "detail"].tolist()
    assert dup_zh == ["第 2 列「户主姓名」和第 4 列「户主」"]
    assert dup_en == ["column 2 '户主姓名' and column 4 '户主'"]
    missing = zh.loc[(zh["code"] == "V-COLUMN-MISSING") & (zh["column"] == "village_code"), "detail"].tolist()
    assert missing == ["表头可写作「行政村代码」"]
    assert "表头可写作「行政村代码」" in zh.loc[zh["code"] == "V-COLUMN-MISSING", "message"].str.cat()


def test_detail_text_words_series_and_keeps_na():
    from jingzhun.findings import detail_text, word_details

    stored = detail_text("quota", pd.Series([3, None], dtype="Int64"))
    assert word_details(stored, "zh").tolist()[0] == "规模 3" and pd.isna(word_details(stored, "en").tolist()[1])
    kinds = detail_text("private_notice_unit", pd.Series(["@id"]), pd.Series(["U1"]))
    assert word_details(kinds, "zh").tolist() == ["身份证号; 公示单位 U1"]
    assert word_details(kinds, "en").tolist() == ["ID number; notice unit U1"]


def test_reader_conforms_frames_and_remembers_what_the_file_lacked(tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("户编号,证件号码,姓名,在校生状况\nH1,1,张三,\n", encoding="utf-8")
    frame = read_table(path).frame
    assert list(frame.columns) == ["_row", *tablespec.TABLE_SPECS["members"].column_names()]
    assert str(frame["birth_date"].dtype).startswith("datetime64") and frame["birth_date"].isna().all()
    assert str(frame["work_months"].dtype) == "Int64"
    # present but empty is not absent: rules whose meaning differs ask provided()
    assert tablespec.provided(frame, "school_status") and not tablespec.provided(frame, "medical_insurance")
    assert tablespec.provided(frame.loc[frame["_row"] > 0], "school_status")  # survives selection


def test_text_column_is_the_one_text_helper():
    df = pd.DataFrame({"a": pd.Series([" x ", "", None], dtype="str"), "n": pd.Series([1, None, 3], dtype="Int64")})
    assert tablespec.text_column(df, "a").tolist()[:2] == [" x ", ""]
    assert tablespec.text_column(df, "a", strip=True).tolist()[:2] == ["x", ""]
    assert tablespec.text_column(df, "a", blank_na=True).isna().tolist() == [False, True, True]
    assert tablespec.text_column(df, "n").tolist()[0] == "1"
    absent = tablespec.text_column(df.set_index(pd.Index([5, 6, 7])), "zz", reset=True)
    assert absent.isna().all() and list(absent.index) == [0, 1, 2]


def test_test_frames_come_from_the_spec():
    from frames import table_frame, with_columns

    df = table_frame("households", household_id=["H1", "H2"], wage_income=[1000, None], registered=[True, False])
    assert list(df.columns) == ["_row", *tablespec.TABLE_SPECS["households"].column_names()]
    assert str(df["wage_income"].dtype) == "Float64" and str(df["registered"].dtype) == "boolean"
    assert df["_row"].tolist() == [1, 2] and df["status"].isna().all()
    assert tablespec.provided(df, "wage_income") and not tablespec.provided(df, "status")
    assert tablespec.provided(with_columns(df, status=["未脱贫", "返贫"]), "status")
    filled = table_frame("members", 1, defaults=True)
    assert filled.loc[0, "sex"] == "男" and filled.loc[0, "work_months"] is pd.NA


def test_diff_compares_a_column_only_when_both_years_files_have_it():
    from frames import table_frame

    from jingzhun.identify.diff import diff_households

    common = {"household_id": ["H1"], "registered": [True], "head_name": ["张三"]}
    old = table_frame("households", **common)  # this year's file has no phone column
    new = table_frame("households", **common, phone=["13800000000"])
    assert diff_households(old, new).empty  # no change: the phone column is new, not a changed phone
    with_phone = table_frame("households", **common, phone=[None])  # the column was there, empty
    assert diff_households(with_phone, new)["fields"].tolist() == ["phone"]


def test_roster_without_id_column_is_still_reported_after_conforming(tmp_path):
    from match_frames import households, members

    from jingzhun.match.core import match
    from jingzhun.params import Params

    path = tmp_path / "dibao.csv"
    path.write_text("记录编号,姓名,保障类别\nR1,张伟,农村低保\n", encoding="utf-8")
    dibao = read_table(path).frame
    assert "id_number" in dibao.columns and dibao["id_number"].isna().all()
    result = match({"households": households(), "members": members(), "dibao": dibao}, Params.load(), 2016)
    assert "M-ROSTER-NO-ID-COLUMN" in result.findings.codes()
