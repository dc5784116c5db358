"""NUL, other control characters and bidi overrides in cells (issue 17 item 16): a finding
when the table is read, and removed, so that no output holds them."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
from plan_frames import V1, write_dataset
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.io.clean import escape
from jingzhun.io.read import read_table

BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _findings(result) -> pd.DataFrame:
    f = result.findings.frame()
    return f[f["code"] == "V-TEXT-CONTROL-CHAR"].reset_index(drop=True)


def test_escape_shows_every_control_character():
    assert escape("张\x00三\u202e\x9b") == "张\\x00三\\u202e\\x9b"
    assert escape("plain\ttab") == "plain\ttab" and escape(None) is None


def test_parquet_cells_are_cleaned_and_reported(tmp_path):
    df = pd.DataFrame(
        {
            "household_id": ["H1", "H\x002", "H3", "H4"],
            "village_code": ["421121100001", "42112110000\u20662", "421121100001", "421121100001"],
            "head_name": ["张\x00三", "李\u202e四", "\x1b\x9b", "王\t五"],
        }
    )
    df.to_parquet(tmp_path / "households.parquet", index=False)
    r = read_table(tmp_path / "households.parquet")
    assert r.frame["household_id"].tolist() == ["H1", "H2", "H3", "H4"]
    assert r.frame["village_code"].tolist()[1] == "421121100002"
    assert r.frame["head_name"].tolist()[:2] == ["张三", "李四"]
    assert pd.isna(r.frame["head_name"].iloc[2])  # nothing left: missing
    assert r.frame["head_name"].iloc[3] == "王\t五"  # a tab is whitespace, not a control character here
    f = _findings(r)
    got = set(zip(f["row"].astype(int), f["column"], f["value"], f["key"], strict=True))
    assert got == {
        (1, "head_name", "张\\x00三", "H1"),
        (2, "household_id", "H\\x002", "H2"),
        (2, "village_code", "42112110000\\u20662", "H2"),
        (2, "head_name", "李\\u202e四", "H2"),
        (3, "head_name", "\\x1b\\x9b", "H3"),
    }
    assert set(f["table"]) == {"households"}


def test_csv_cells_are_cleaned_and_reported(tmp_path):
    p = tmp_path / "households.csv"
    p.write_text(
        "household_id,village_code,head_name,group_name\nH1,421121100001,赵\u202e六,a\x07b\nH2,421121100001,钱七,\n",
        encoding="utf-8",
    )
    r = read_table(p)
    assert r.frame["head_name"].tolist() == ["赵六", "钱七"]
    assert r.frame["group_name"].tolist()[0] == "ab"
    f = _findings(r)
    f = f[f["code"] == "V-TEXT-CONTROL-CHAR"]
    assert set(zip(f["column"], f["value"], strict=True)) == {("head_name", "赵\\u202e六"), ("group_name", "a\\x07b")}


def test_no_output_holds_a_control_character(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    f = ds / "2016" / "households.csv"
    h = pd.read_csv(f, dtype=str, keep_default_na=False)
    h.loc[h["household_id"] == "H001", "head_name"] = "王\u202e䶮\x07"
    h.loc[h["household_id"] == "H003", "group_name"] = "一\x1f\u2066组"
    h.to_csv(f, index=False)
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(ds), "--out", str(out)])
    assert r.exit_code == 0, r.output  # warnings only
    validate = pd.read_csv(out / "validate" / "findings.csv", dtype=str, keep_default_na=False)
    hits = validate[validate["code"] == "V-TEXT-CONTROL-CHAR"]
    assert set(zip(hits["key"], hits["column"], hits["value"], strict=True)) == {
        ("H001", "head_name", "王\\u202e䶮\\x07"),
        ("H003", "group_name", "一\\x1f\\u2066组"),
    }
    ident = pd.read_csv(out / "identify" / "households.csv", dtype=str, keep_default_na=False)
    assert "王䶮" in set(ident["head_name"])
    assert "王䶮" in (out / "notice" / "identification" / f"{V1}.html").read_text(encoding="utf-8")
    for d, _, files in os.walk(out):
        for name in files:
            path = Path(d) / name
            if path.suffix in (".csv", ".html", ".json"):
                assert not BAD.search(path.read_text(encoding="utf-8")), path


def test_the_fast_byte_look_never_misses_a_control_character():
    import pyarrow as pa

    from jingzhun.io.clean import CONTROL, _may_hold_controls

    points = [*range(0x3000), 0xFEFF]
    for cp in points:
        ch = chr(cp)
        if CONTROL.search(ch):
            for v in (ch, "张" + ch + "三", "a" + ch):  # inside and ending the buffer
                assert _may_hold_controls(pa.chunked_array([pa.array(["x", v])])), hex(cp)
    assert not _may_hold_controls(pa.chunked_array([pa.array(["阿卜杜·热合曼", "一—二“三”", "a\tb\r\n", None])]))
