"""Province CSVs from county CSVs: the byte concatenation gives what reading and writing with pandas gives."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from jingzhun.province.run import _merge_one, _plain_rows, _write_csv


def _by_pandas(files: list[tuple[str, Path]]) -> bytes:
    parts = []
    for county, f in files:
        df = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        df.insert(0, "county", county)
        parts.append(df)
    buf = io.StringIO()
    pd.concat(parts, ignore_index=True).to_csv(buf, index=False, lineterminator="\n")
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


FRAMES = {
    "plain": [
        pd.DataFrame({"household_id": ["H1", "H2"], "name": ["张三", "李四"], "n": ["1", ""]}),
        pd.DataFrame({"household_id": ["H9"], "name": ["王五"], "n": ["3"]}),
    ],
    "an empty county": [
        pd.DataFrame({"a": ["1"], "b": ["2"]}),
        pd.DataFrame({"a": pd.Series(dtype="str"), "b": pd.Series(dtype="str")}),
        pd.DataFrame({"a": ["3"], "b": [""]}),
    ],
    "quotes, commas and line breaks": [
        pd.DataFrame({"a": ["x,y", 'say "hi"'], "b": ["line\nbreak", "ok"]}),
        pd.DataFrame({"a": ["plain"], "b": ["row"]}),
    ],
    "different columns": [
        pd.DataFrame({"a": ["1"], "b": ["2"]}),
        pd.DataFrame({"a": ["3"], "c": ["4"]}),
    ],
    "one column with an empty value": [
        pd.DataFrame({"a": ["1", ""]}),
        pd.DataFrame({"a": ["2"]}),
    ],
}


@pytest.mark.parametrize("case", sorted(FRAMES))
def test_merged_bytes_are_what_pandas_writes(case, tmp_path):
    files = []
    for i, df in enumerate(FRAMES[case]):
        f = tmp_path / f"c{i}" / "x.csv"
        _write_csv(df, f)
        files.append((f"42112{i}", f))
    _merge_one(files, tmp_path / "out" / "x.csv")
    assert (tmp_path / "out" / "x.csv").read_bytes() == _by_pandas(files)


def test_only_files_of_one_record_per_line_take_the_byte_path():
    assert _plain_rows(b"\xef\xbb\xbfa,b\n1,2\n") == (b"a,b", b"1,2\n")
    assert _plain_rows(b'\xef\xbb\xbfa,b\n"x\ny",2\n') is None  # a quoted line break
    assert _plain_rows(b"\xef\xbb\xbfa,b\r\n1,2\r\n") is None
    assert _plain_rows(b"\xef\xbb\xbfa,b\n\n1,2\n") is None  # a blank line pandas would skip
    assert _plain_rows(b"a,b\n1,2\n") is None  # not written by jingzhun (no BOM)
