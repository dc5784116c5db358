"""What is posted stays clean (issue 17, items 1, 2, 3 and 5): notices alone in the posted
folder, one final scan of every value a notice prints, no absurd numbers on public
decisions, and templates that cannot run commands."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from plan_frames import T1, T2, V1, V3, households, write_dataset
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.identify.core import identify
from jingzhun.io.write import csv_bytes, write_xlsx
from jingzhun.params import Params
from jingzhun.plan.posting import Scanner, strip_controls

PAYLOAD = '{{ cycler.__init__.__globals__.os.popen("echo PWNED-$((6*7))").read() }}\n'


def _notice(ds: Path, out: Path, kind: str = "identification", *extra: str):
    return CliRunner().invoke(
        app, ["notice", str(ds), "--kind", kind, "--date", "2016-03-01", "--out", str(out), *extra]
    )


def test_user_template_cannot_run_commands(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    user = tmp_path / "tpl" / "notice"
    user.mkdir(parents=True)
    (user / "notice.html").write_text(PAYLOAD, encoding="utf-8")
    r = _notice(ds, tmp_path / "out", "identification", "--templates", str(tmp_path / "tpl"))
    assert r.exit_code == 3, r.output
    assert "PWNED-42" not in r.output
    assert "notice.html" in r.output and "不安全" in r.output
    assert not list((tmp_path / "out").rglob("*.html"))


# ---- item 1: the posted folder holds notices only ----------------------------------------


def test_notice_folder_holds_only_notices_findings_are_internal(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    hh = ds / "2016" / "households.csv"
    text = hh.read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace("一般贫困户", "干儿子户", 1)  # an unknown enum label: a reading finding quoting the row
    hh.write_text("\n".join(text) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    for kind in ("identification", "exit", "projects"):
        r = _notice(ds, out, kind)
        assert r.exit_code in (0, 1), r.output
        posted = sorted(p.name for p in (out / "notice" / kind).iterdir())
        assert posted and all(p.endswith((".html", ".docx")) for p in posted), posted
        kept = out / "notice-internal" / kind
        assert (kept / "findings.csv").is_file() and (kept / "summary.csv").is_file()
    findings = (out / "notice-internal" / "identification" / "findings.csv").read_text(encoding="utf-8-sig")
    assert "V-ENUM-UNKNOWN" in findings
    assert "notice-internal" in r.output
    # the posting folder's own record is kept internally, so a second run knows the folder as jingzhun's
    assert (out / "notice-internal" / "exit" / "posted-manifest.json").is_file()
    again = _notice(ds, out, "exit")
    assert again.exit_code in (0, 1), again.output
    (out / "notice" / "exit" / "工作记录.docx").write_bytes(b"user")
    refused = _notice(ds, out, "exit")
    assert refused.exit_code == 2 and "工作记录.docx" in refused.output
    assert (out / "notice" / "exit" / "工作记录.docx").read_bytes() == b"user"


def test_run_keeps_the_same_layout(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(ds), "--out", str(out), "--date", "2016-03-01", "--jobs", "1"])
    assert r.exit_code in (0, 1), r.output
    for kind in ("identification", "exit"):
        assert all(p.suffix in (".html", ".docx") for p in (out / "notice" / kind).iterdir())
        assert (out / "notice-internal" / kind / "summary.csv").is_file()


# ---- item 2: one last scan of every value a notice prints -----------------------------------

ID18 = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def _posted_texts(folder: Path) -> str:
    parts = []
    for p in sorted(folder.rglob("*")):
        if p.suffix == ".html":
            parts.append(p.read_text(encoding="utf-8"))
        elif p.suffix == ".docx":
            with zipfile.ZipFile(p) as z:
                parts.append(z.read("word/document.xml").decode("utf-8"))
    return "\n".join(parts)


def _edit(ds: Path, table: str, fn) -> None:
    path = ds / "2016" / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    df.to_csv(path, index=False, encoding="utf-8")


def _summary(out: Path, kind: str) -> pd.DataFrame:
    return pd.read_csv(
        out / "notice-internal" / kind / "summary.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False
    ).set_index("unit_code")


def test_scanner_finds_ids_mobiles_accounts_and_health_words():
    s = Scanner(("患有大病",))
    kinds = lambda v: [h.kind for h in s.hits(v)]  # noqa: E731
    assert kinds("421121199001011234") == ["id"] and kinds("42112119900101123X") == ["id"]
    assert kinds("４２１１２１１９９００１０１１２３４") == ["id"]  # full-width digits
    assert kinds("421121900101123") == ["id"]  # 15-digit
    assert kinds("电话 138 1234 5678") == ["mobile"] and kinds("+8613812345678") == ["mobile"]
    assert kinds("卡号 6222 0212 3456 7890 123") == ["account"]
    assert kinds("户主患有大病") == ["health"]
    assert kinds("因病") == [] and kinds("XM201600001") == [] and kinds("1,234,567,890.00") == []
    assert kinds("2016-03-01至2016-12-31") == [] and kinds("0713-5312345") == []
    assert s.hits("421121199001011234")[0].shown == "421121********1234"
    assert strip_controls("王\u202e二\x00三\t四") == "王二三 四"


def test_swapped_name_and_id_headers_publish_no_id(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    _edit(
        ds, "households", lambda df: df.rename(columns={"head_name": "head_id_number", "head_id_number": "head_name"})
    )
    out = tmp_path / "out"
    r = _notice(ds, out, "identification")
    assert r.exit_code == 3, r.output
    assert "P-NOTICE-PRIVATE" in r.output and V1 in r.output
    assert ID18.findall(_posted_texts(out / "notice")) == []
    assert not (out / "notice" / "identification" / f"{V1}.html").exists()
    summary = _summary(out, "identification")
    assert summary.loc[V1, "file"] == "" and "head_name" in summary.loc[V1, "withheld"]
    findings = (out / "notice-internal" / "identification" / "findings.csv").read_text(encoding="utf-8-sig")
    assert "P-NOTICE-PRIVATE" in findings and "********" in findings


def _phone_in_group(df):
    """A mobile number typed into household H001's group name (a value posted on notices)."""
    df.loc[df["household_id"] == "H001", "group_name"] = "一组 13812345678"
    return df


def test_private_value_withholds_only_its_unit(tmp_path):
    ds = write_dataset(tmp_path / "ds")

    _edit(ds, "households", _phone_in_group)
    out = tmp_path / "out"
    r = _notice(ds, out, "identification")
    assert r.exit_code == 3, r.output
    ident = out / "notice" / "identification"
    assert not (ident / f"{V1}.html").exists() and not (ident / f"{V1}.docx").exists()
    assert (ident / f"{V3}.html").is_file() and (ident / f"{V3}.docx").is_file()  # the rest goes on
    assert "13812345678" not in _posted_texts(out / "notice")
    assert "周七" in _posted_texts(out / "notice")


def test_project_fields_bidi_removed_health_and_card_withheld(tmp_path):
    ds = write_dataset(tmp_path / "ds")

    def hostile(df):
        df.loc[0, "name"] = "回龙村\u202e路硬化"
        df.loc[1, "performance_target"] = "帮扶患有大病的户主"
        df.loc[2, "implementer"] = "6228480012345678901"
        return df

    _edit(ds, "projects", hostile)
    out = tmp_path / "out"
    r = _notice(ds, out, "projects")
    assert r.exit_code == 3, r.output
    text = _posted_texts(out / "notice")
    assert "\u202e" not in text and "患有大病" not in text and "6228480012345678901" not in text
    findings = (out / "notice-internal" / "projects" / "findings.csv").read_text(encoding="utf-8-sig")
    # the bidi override is removed when the table is read (V-TEXT-CONTROL-CHAR); the notice scan is the last guard
    assert "V-TEXT-CONTROL-CHAR" in findings and findings.count("P-NOTICE-PRIVATE") >= 2
    summary = _summary(out, "projects")
    assert summary.loc[T1, "file"] != "" and "回龙村路硬化" in text  # P1: cleaned and posted
    assert summary.loc["421121", "file"] == "" and summary.loc[T2, "file"] == ""  # P2 health word, P3 card


# ---- item 3: absurd numbers never decide a public result -------------------------------------


def test_absurd_inputs_are_undetermined_never_poor_or_exit_ready():
    h = households()
    h.loc[0, "wage_income"] = 1e308  # H001: per-capita income overflowed to inf before
    h.loc[1, "household_size"] = 21  # H002
    h.loc[2, "household_size"] = 10**9  # H003
    h.loc[5, "household_size"] = 10**15  # H006
    clean = identify({"households": households()}, Params.load(), 2016).households.set_index("household_id")
    res = identify({"households": h}, Params.load(), 2016)
    got = res.households.set_index("household_id")
    for hid in ("H001", "H002", "H003", "H006"):
        assert got.loc[hid, "result"] == "undetermined", hid
        assert got.loc[hid, "exit_ready"] is not True and "I-INPUT-RANGE" in got.loc[hid, "reasons"]
        assert pd.isna(got.loc[hid, "per_capita_net_income"])
    assert got.loc["H003", "population"] < 100
    for hid in ("H004", "H005", "H007"):  # untouched households keep their results
        assert (
            got.loc[hid, ["result", "exit_ready", "reasons"]].tolist()
            == clean.loc[hid, ["result", "exit_ready", "reasons"]].tolist()
        )
    assert set(res.findings.frame().query("code == 'I-INPUT-RANGE'")["key"]) == {"H001", "H002", "H003", "H006"}


def test_absurd_inputs_stay_off_the_notices(tmp_path):
    ds = write_dataset(tmp_path / "ds")

    def absurd(df):
        df.loc[df["household_id"] == "H001", "wage_income"] = "1e308"  # would be exit-ready (inf income)
        df.loc[df["household_id"] == "H003", "household_size"] = "1000000000"  # new this year
        return df

    _edit(ds, "households", absurd)
    out = tmp_path / "out"
    assert _notice(ds, out, "exit").exit_code in (0, 1)
    assert not (out / "notice" / "exit" / f"{V1}.html").exists()  # H001 was V1's only exit candidate
    assert (out / "notice" / "exit" / f"{V3}.html").is_file()  # H007 still exits
    r = _notice(ds, out, "identification")
    assert r.exit_code == 1, r.output
    text = _posted_texts(out / "notice" / "identification")
    assert "周七" in text and "王䶮" not in text and "张三" not in text and "1000000000" not in text
    findings = (out / "notice-internal" / "identification" / "findings.csv").read_text(encoding="utf-8-sig")
    assert "P-NOTICE-LEFT-OUT" in findings and "H003" in findings
    r = CliRunner().invoke(app, ["identify", str(ds), "--out", str(out), "--xlsx"])
    assert r.exit_code in (0, 1), r.output
    csv = (out / "identify" / "households.csv").read_text(encoding="utf-8-sig")
    assert "inf" not in csv.lower()


def test_writers_leave_non_finite_numbers_empty(tmp_path):
    df = pd.DataFrame({"x": pd.array([1.5, np.inf, None, -np.inf], dtype="Float64"), "y": [1.0, np.inf, np.nan, 2.0]})
    assert csv_bytes(df) == b"x,y\n1.5,1\n,\n,\n,2\n"
    write_xlsx({"s": df}, tmp_path / "a.xlsx")
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "1/0" not in sheet and "inf" not in sheet.lower() and "<f>" not in sheet


def test_run_withholds_the_same_notice(tmp_path):
    ds = write_dataset(tmp_path / "ds")

    _edit(ds, "households", _phone_in_group)
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(ds), "--out", str(out), "--date", "2016-03-01", "--jobs", "1"])
    assert r.exit_code == 1, r.output  # run: an error finding; the run itself completed
    assert not (out / "notice" / "identification" / f"{V1}.html").exists()
    assert (out / "notice" / "identification" / f"{V3}.html").is_file()
    assert "13812345678" not in _posted_texts(out / "notice")
    assert "P-NOTICE-PRIVATE" in (out / "notice-internal" / "identification" / "findings.csv").read_text(
        encoding="utf-8-sig"
    )
