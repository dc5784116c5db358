"""A spreadsheet application reads the Arrow-written rows of a large workbook as it reads the
cell-by-cell ones: LibreOffice Calc (headless) turns both workbooks into CSV, sheet by sheet,
and the CSVs are the same bytes (displayed values: text, numbers, dates, booleans, formula-like
text kept as text, escapes decoded)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import jingzhun.io.write as w
from jingzhun.io.write import write_xlsx

SOFFICE = shutil.which("soffice")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        SOFFICE is None,
        reason="needs LibreOffice Calc (apt-get install libreoffice-calc-nogui; .ci/run does)",
    ),
]

# Text CSV, UTF-8 (76), every sheet (the last -1): LibreOffice 7.2 and later.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def _sheets_as_csv(xlsx: Path, out: Path) -> dict[str, bytes]:
    out.mkdir()
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--headless",
            "--convert-to",
            CSV_FILTER,
            "--outdir",
            str(out),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return {p.stem.removeprefix(xlsx.stem + "-"): p.read_bytes() for p in out.glob("*.csv")}


def test_libreoffice_reads_the_streamed_workbook_as_the_held_one(tmp_path, monkeypatch):
    from jingzhun.sample.build import build

    ds = tmp_path / "ds"
    ds.mkdir()
    build(ds, households=400, years=[2016], seed=3, dirty_rate=0.05)
    members = pd.read_csv(next((ds / "2016").glob("members*")), dtype="str", encoding="utf-8-sig")
    awkward = pd.DataFrame(
        {
            "text": pd.Series(
                ["a&b<c>d", " lead", "trail ", "\u3000全角", "ctl\x01x", "_x0041_", "=1+1", "-5", None, "@x"],
                dtype="str",
            ),
            "when": pd.to_datetime(["1950-01-01", "2016-03-01 12:30:00", None] + ["2017-01-01"] * 7, format="ISO8601"),
            "x": pd.array([float("inf"), float("nan"), 1e20, 0.1, -2.5, None, 3.0, 7.25, -0.5, 12.0], dtype="Float64"),
            "n": pd.array([1, None, -3, 4, 5, 6, 7, 8, 9, 10], dtype="Int64"),
            "ok": pd.array([True, None, False] * 3 + [True], dtype="boolean"),
        }
    )
    sheets = {"members": members, "awkward": awkward}
    held = write_xlsx(sheets, tmp_path / "held.xlsx", labels=False)
    monkeypatch.setattr(w, "XLSX_STREAM_CELLS", 10)
    streamed = write_xlsx(sheets, tmp_path / "streamed.xlsx", labels=False)
    assert held.read_bytes() != streamed.read_bytes()

    a = _sheets_as_csv(held, tmp_path / "a")
    b = _sheets_as_csv(streamed, tmp_path / "b")
    assert sorted(a) == ["awkward", "members"]
    assert a == b
    rows = b["awkward"].decode("utf-8").splitlines()
    assert rows[1].startswith("a&b<c>d,") and rows[5].startswith("ctl\x01x,") and rows[7].startswith("=1+1,")
    assert len(b["members"].decode("utf-8").splitlines()) == len(members) + 1
