"""Issue 14 (speed): the fast paths give the same results without the slow per-row work."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pytest
import yaml

from jingzhun.identify.core import IdentifyResult
from jingzhun.io.write import csv_bytes
from jingzhun.schema import loader


def test_validate_import_leaves_pypinyin_and_opencc_unloaded() -> None:
    """pypinyin loads its dictionaries on import (about a second): only matching names needs it."""
    code = (
        "import sys, jingzhun.schema.validate, jingzhun.match.names; "
        "print('pypinyin' in sys.modules, 'opencc' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_names_still_compare_by_pinyin() -> None:
    from jingzhun.match.names import normalize, pinyin_key

    assert pinyin_key(normalize(pd.Series(["張三"], dtype="str"))).tolist() == ["zhangsan"]


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML without libyaml")
def test_schemas_read_with_libyaml() -> None:
    assert loader._SAFE_LOADER is yaml.CSafeLoader
    assert loader.read_yaml("members")["columns"]


def _dates_and_flags() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "d": pd.Series(["2016-01-02", None, "1900-12-31"], dtype="datetime64[ns]"),
            "b": pd.array([True, None, False], dtype="boolean"),
            "bb": [True, False, True],
        }
    )


def test_csv_dates_and_flags_without_python_formatting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dates and booleans become CSV text in Arrow (Series.dt.strftime / Series.map went per cell)."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("formatted in Python")

    from pandas.core.indexes.accessors import DatetimeProperties

    monkeypatch.setattr(DatetimeProperties, "strftime", refuse)
    monkeypatch.setattr(pd.Series, "map", refuse)
    text = csv_bytes(_dates_and_flags()).decode()
    assert text == "d,b,bb\n2016-01-02,true,true\n,,false\n1900-12-31,false,true\n"


def test_top_reasons_counts_codes_without_python_split(monkeypatch: pytest.MonkeyPatch) -> None:
    reasons = pd.Series(["a;b", None, "", "b", "c;a;b", "x;;y"], name="reasons", dtype="str")
    codes = reasons.str.split(";").explode()
    expected = codes[codes.notna() & (codes != "")].value_counts().head(3)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("split in Python")

    from pandas.core.strings.accessor import StringMethods

    monkeypatch.setattr(StringMethods, "split", refuse)
    result = IdentifyResult.__new__(IdentifyResult)
    result.households = pd.DataFrame({"reasons": reasons})
    pd.testing.assert_series_equal(result.top_reasons(3), expected)


def test_village_key_runs_its_regex_once_per_distinct_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from pandas.core.strings.accessor import StringMethods

    from jingzhun.match.prepare import village_key

    seen: list[int] = []
    replace = StringMethods.replace  # type: ignore[attr-defined]

    def counting(self: StringMethods, *args: object, **kwargs: object) -> pd.Series:
        seen.append(len(self._data))  # type: ignore[attr-defined]
        return replace(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(StringMethods, "replace", counting)
    names = pd.Series(["东风村", None, " 东 风村委会", "\u3000", "东风村"] * 1000, dtype="str")
    keys = village_key(names)
    assert keys.iloc[:5].tolist()[0] == "东风" and keys.iloc[2] == "东风"
    assert keys.iloc[:5].isna().tolist() == [False, True, False, True, False]
    assert max(seen) <= 4


def test_other_causes_repeat_judged_once_per_distinct_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parent))
    from test_validate_fixtures import params, year_frames

    from jingzhun.schema import crosstable

    calls: list[str] = []
    split = crosstable.multi_labels

    def counting(value: str) -> list[str]:
        calls.append(value)
        return split(value)

    monkeypatch.setattr(crosstable, "multi_labels", counting)
    f = year_frames()
    h = f["households"]
    h["other_causes"] = pd.Series(["缺技术,因病", "缺技术,因病", "缺资金"] + [None] * (len(h) - 3), dtype="str")
    h["main_cause"] = h["main_cause"].iloc[0]  # every household: the same main cause as the first
    rendered = crosstable.check_crosstable(f, params(), data_year=2016).render()
    found = rendered[rendered["code"] == "V-OTHER-CAUSES-MAIN"]
    main = h["main_cause"].iloc[0]
    expected = [i + 1 for i, v in enumerate(h["other_causes"]) if isinstance(v, str) and main in v.split(",")]
    assert found["row"].astype(int).tolist() == expected
    assert len(calls) == 2  # "缺技术,因病" and "缺资金", not one call per household


def test_repeated_csv_text_is_quoted_once_per_distinct_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """A findings file repeats long policy bases on every row: they are quoted per distinct value."""
    from jingzhun.io import write

    n = 3 * write.DISTINCT_SAMPLE
    basis = pd.Series(['约定 "第 2 部分", 区划', "=1+1", None] * n, dtype="str")
    ids = pd.Series([f"id{i}," for i in range(3 * n)], dtype="str")
    df = pd.DataFrame({"basis": basis, "id": ids})
    expected = (
        "basis,id\n"
        + "".join(
            f'"约定 ""第 2 部分"", 区划","id{3 * i},"\n\'=1+1,"id{3 * i + 1},"\n,"id{3 * i + 2},"\n' for i in range(n)
        )
    ).encode()
    seen: list[int] = []
    quoted = write._quoted

    def counting(text: pa.Array) -> pa.Array:
        seen.append(len(text))
        return quoted(text)

    monkeypatch.setattr(write, "_quoted", counting)
    assert write.csv_bytes(df) == expected
    assert sorted(seen) == [2, 3 * n]  # the repeated column: its 2 values; the distinct one: every row


def test_findings_of_a_rule_run_table_by_table_are_ordered_without_sorting(monkeypatch: pytest.MonkeyPatch) -> None:
    from jingzhun.findings import COLUMNS, Findings

    f = Findings()
    for table, rows in (("members", [1, 5, 9]), ("households", [2, 3]), ("dibao", [4])):
        f.add("V-ID-REGION", table=table, row=rows, column="id_number", value=[f"v{r}" for r in rows], detail="110101")
    reference = f.frame().sort_values(["table", "row", "column", "key", "value"], na_position="first", kind="stable")

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("sorted")

    monkeypatch.setattr(pd.DataFrame, "sort_values", refuse)
    rendered = f.render(lang="zh")
    assert list(rendered.columns) == COLUMNS
    assert list(zip(rendered["table"], rendered["row"], strict=True)) == list(
        zip(reference["table"], reference["row"], strict=True)
    )
    assert rendered["table"].tolist() == ["dibao", "households", "households", "members", "members", "members"]


def test_csv_on_threads_is_the_csv_of_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Row blocks joined on threads; each column still formatted whole: a date column whose only
    time of day is in the last block shows times in every block, as it does on one thread."""
    from jingzhun.io import write

    n = 1001  # odd: the blocks are of unequal length
    stamps = pd.Series(pd.date_range("2016-01-01", periods=n, freq="D"), dtype="datetime64[ns]")
    stamps.iloc[-1] = pd.Timestamp("2019-05-06 07:08:09")
    df = pd.DataFrame(
        {
            "when": stamps,
            "text": pd.Series([f"a,{i}" if i % 3 else "=x" for i in range(n)], dtype="str"),
            "flag": pd.array([True, False, None] * (n // 3) + [True] * (n % 3), dtype="boolean"),
            "money": pd.Series([i / 4 for i in range(n)], dtype="float64"),
        }
    )
    monkeypatch.setattr(write, "CSV_THREAD_CELLS", 10**12)
    one = write.csv_bytes(df)
    monkeypatch.setattr(write, "CSV_THREAD_CELLS", 1)
    monkeypatch.setattr(write, "CSV_THREADS", 3)
    assert write.csv_bytes(df) == one
    assert one.splitlines()[1].startswith(b"2016-01-01 00:00:00,") and one.endswith(b"\n")


def test_county_prefix_cut_in_arrow_is_the_regular_expressions() -> None:
    """Codes starting with six ASCII digits are cut in Arrow; the rest keep the ``^(\\d{6})`` of
    Python (after strip): blank-led codes, full-width and other Unicode digits, short codes, NA."""
    import re

    from jingzhun.county import county_prefix

    values = [
        "420222100001",
        " 420222100002",
        "\u3000421121",
        "\x1c420223111",  # Python's strip takes the file separator too
        "４２０２２２1",
        "\u0664\u0662\u0660\u0662\u0662\u0662x",
        "42022",
        "42022 1",
        "420222",
        "4202221\u3000",
        "abc420222",
        "",
        "  ",
        None,
    ]
    s = pd.Series(values * 3, dtype="str", index=[7] * (3 * len(values)))  # a repeated label: set by position
    pattern = re.compile(r"^(\d{6})")
    expected = [
        "" if v is None or not pattern.match(v.strip()) else pattern.match(v.strip()).group(1) for v in values * 3
    ]
    got = county_prefix(s)
    assert got.tolist() == expected and got.dtype == "str" and got.index.equals(s.index)
    assert expected[:7] == ["420222", "420222", "421121", "420223", "４２０２２２", "٤٢٠٢٢٢", ""]
