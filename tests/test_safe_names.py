"""File names built from data values stay inside the output folder (issue 10 item 5, issue 17 item 15)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from plan_frames import T1, V1, V3, cadres, households, members, write_dataset
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.params import Params
from jingzhun.plan import docs
from jingzhun.plan.books import write_books
from jingzhun.plan.core import make_plans
from jingzhun.plan.measures import load_rules, rules_file
from jingzhun.plan.notice_docs import write_notices
from jingzhun.plan.notices import common, household_notices
from jingzhun.safename import safe_filename

WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"{p}{n}" for p in ("COM", "LPT") for n in range(10))}


def hostile(root: Path) -> list[str]:
    """Values a careless or hostile export may hold where a code or name belongs."""
    return [
        "../../../../x",
        "..",
        ".",
        "../",
        "/",
        "\\",
        "..\\..\\..\\x",
        "a/b",
        "a\\b",
        str(root / "absolute"),
        "C:\\Windows\\x",
        "c:x",
        "x\x00y",
        "\x00",
        "CON",
        "con",
        "Nul",
        "com1",
        "LPT9",
        "CON.txt",
        "aux.html",
        "x" * 300,
        "团" * 300,
        ".hidden",
        ".",
        "trailing.",
        "trailing ",
        " lead",
        "",
        "index",
        "summary",
        "a:b",
        "a*b?",
        "a|b",
        "<x>",
        "\u202e1.exe",
        "x\ty",
        "421121100/200",
    ]


def _ok_on_windows(name: str) -> bool:
    stem = name.split(".")[0].upper()
    return (
        bool(name)
        and len(name.encode("utf-8")) <= 200
        and not name.startswith(".")
        and not name.endswith((".", " "))
        and stem not in WINDOWS_DEVICES
        and not any(c in name for c in '<>:"/\\|?*')
        and all(ord(c) >= 32 for c in name)
    )


def test_safe_filename_plain_values_are_kept():
    for v in ("421121100001", "421121100", "团风县", "回龙山镇", "abc-12", "𠀀村1"):
        assert safe_filename(v) == v


def test_safe_filename_hostile_values_become_one_safe_component(tmp_path):
    names = {}
    for v in hostile(tmp_path):
        n = safe_filename(v)
        assert _ok_on_windows(n), (v, n)
        assert Path(n).name == n and n not in (".", "..") and os.sep not in n and "/" not in n
        assert (tmp_path / f"{n}.html").resolve().parent == tmp_path.resolve()
        assert safe_filename(v) == n  # deterministic
        names.setdefault(n.lower(), set()).add(v)
    # no two different values meet, even on a case-insensitive file system
    assert {k: vs for k, vs in names.items() if len(vs) > 1} == {}


def test_safe_filename_never_collides_with_plain_or_suffixed_names():
    values = ["x", "X", "x_0", "x-0", "421121100", "421121100_all", "421121100all", "COM1", "com1", "Com1", None, ""]
    got = [safe_filename(v) for v in values[:-1]]
    assert len({g.lower() for g in got}) == len(got)
    assert safe_filename(None) == safe_filename("")
    # a township's combined file never meets a unit's own file
    assert safe_filename("421121100") + "_all" not in {safe_filename(v) for v in values}
    assert safe_filename("index") != "index"  # could meet a file jingzhun names itself


def _files(root: Path) -> list[Path]:
    return [Path(d) / f for d, _, fs in os.walk(root) for f in fs]


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def test_books_name_files_safely_even_for_codes_that_bypass_the_checks(tmp_path):
    """The document writers themselves never build a path from a raw code."""
    h = households()
    bad = "../../../../x"
    h["village_code"] = h["village_code"].astype(object)
    h.loc[h["household_id"] == "H001", "village_code"] = bad
    h.loc[h["household_id"] == "H006", "village_code"] = "CON"
    h["village_code"] = h["village_code"].astype("str")
    p = Params.load()
    result = make_plans(h, members(), cadres(), p, 2016, None, load_rules(rules_file()))
    model = docs.build(
        result,
        h,
        members(),
        cadres(),
        None,
        {"code": "421121", "name": "团风县", "province": "湖北省", "issuer": ""},
        2016,
    )
    books = tmp_path / "a" / "b" / "c" / "d" / "e" / "books"
    written = write_books(model, books)
    assert written and all(_inside(f, books) for f in written)
    assert all(_inside(f, books) for f in _files(tmp_path))
    assert not (tmp_path / "a" / "x.html").exists()
    index = (books / "index.html").read_text(encoding="utf-8")
    for f in written:  # every link of the county index names a file that exists
        rel = f.relative_to(books).as_posix()
        if rel != "index.html" and f.suffix == ".html" and f.name != "index.html":
            assert f'href="{rel}"' in index


def test_notices_name_files_safely_even_for_codes_that_bypass_the_checks(tmp_path):
    h = households()
    h["village_code"] = h["village_code"].astype(object)
    h.loc[h["household_id"] == "H001", "village_code"] = "..\\..\\..\\..\\y"
    h.loc[h["household_id"] == "H003", "village_code"] = "../../../../y"
    h["village_code"] = h["village_code"].astype("str")
    nset = household_notices("identification", h, None, 2016)
    nc = common("identification", Params.load(), 2016, pd.Timestamp("2016-03-01").date())
    folder = tmp_path / "a" / "b" / "c" / "d" / "notice"
    units, written = write_notices(nset, nc, folder)
    assert written and all(_inside(f, folder) for f in written)
    assert all(_inside(f, folder) for f in _files(tmp_path))
    assert set(units.loc[units["file"] != "", "file"]) <= {f.name for f in written}


def _hostile_dataset(root: Path) -> tuple[Path, list[str]]:
    """The plan test dataset plus, per hostile value, a household whose village code, a
    household whose township name and one whose household_id is that value, and a project
    placed in a village of that code."""
    ds = write_dataset(root / "ds")
    values = [v for v in hostile(root) if v.strip()]
    f = ds / "2016" / "households.csv"
    h = pd.read_csv(f, dtype=str, keep_default_na=False)
    base = h[h["household_id"] == "H001"].iloc[0]
    rows = []
    for i, v in enumerate(values):
        rows.append({**base, "household_id": f"B{i:03d}", "village_code": v})
        rows.append({**base, "household_id": f"T{i:03d}", "township_name": v, "village_name": v})
        rows.append({**base, "household_id": v, "head_name": f"户{i}"})
    _parquet(pd.concat([h, pd.DataFrame(rows)], ignore_index=True), f)
    pf = ds / "2016" / "projects.csv"
    p = pd.read_csv(pf, dtype=str, keep_default_na=False)
    extra = [{**p.iloc[0], "project_id": f"PX{i:03d}", "village_code": v} for i, v in enumerate(values)]
    _parquet(pd.concat([p, pd.DataFrame(extra)], ignore_index=True), pf)
    return ds, values


def _parquet(df: pd.DataFrame, csv: Path) -> None:
    """Text columns as Parquet (a CSV with NUL in its first bytes is refused as not a table)."""
    df.replace("", None).to_parquet(csv.with_suffix(".parquet"), index=False)
    csv.unlink()


@pytest.fixture(scope="module")
def hostile_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    ds, values = _hostile_dataset(root)
    out = root / "a" / "b" / "c" / "d" / "e" / "f" / "out"
    runner = CliRunner()
    results = {
        "run": runner.invoke(app, ["run", str(ds), "--out", str(out / "run")]),
        "plan": runner.invoke(app, ["plan", str(ds), "--out", str(out / "cmd")]),
    }
    for kind in ("identification", "exit", "projects"):
        results[kind] = runner.invoke(
            app, ["notice", str(ds), "--kind", kind, "--date", "2016-03-01", "--out", str(out / "cmd")]
        )
    return root, ds, out, results


@pytest.mark.slow  # a full run per hostile dataset
def test_hostile_codes_and_names_write_nothing_outside_out(hostile_runs):
    root, ds, out, results = hostile_runs
    for name, r in results.items():
        assert r.exit_code in (0, 1), (name, r.output)
        assert "内部错误" not in r.output and "Traceback" not in r.output, (name, r.output)
    outside = [f for f in _files(root) if not _inside(f, out) and not _inside(f, ds)]
    assert outside == []
    assert not (root / "absolute").exists() and not (root / "absolute.html").exists()
    for where in (out / "run", out / "cmd"):  # (locks beside an output folder are not named from data)
        for f in _files(where):
            for part in f.relative_to(where).parts:
                assert _ok_on_windows(part), f


@pytest.mark.slow  # a full run per hostile dataset
def test_hostile_rows_are_findings_and_the_rest_is_produced(hostile_runs):
    _, _, out, results = hostile_runs
    manifest = (out / "run" / "manifest.json").read_text(encoding="utf-8")
    assert '"failed"' not in manifest
    for where in (out / "run", out / "cmd"):
        plan = pd.read_csv(where / "plan" / "findings.csv", dtype=str, keep_default_na=False)
        bad = plan[plan["code"] == "P-DOC-VILLAGE-CODE"]
        assert {"../../../../x", "421121100/200", "CON", "x" * 300} <= set(bad["value"])
        # the well-formed rest of the county still has its books and notices
        assert (where / "plan" / "books" / T1 / f"{V1}.html").is_file()
        assert (where / "notice" / "identification" / f"{V1}.html").is_file()
        assert (where / "notice" / "projects" / f"{V3[:9]}.html").is_file()
        proj = pd.read_csv(where / "notice-internal" / "projects" / "findings.csv", dtype=str, keep_default_na=False)
        assert "../../../../x" in set(
            proj.loc[(proj["code"] == "P-DOC-VILLAGE-CODE") & (proj["table"] == "projects"), "value"]
        )
        plans = pd.read_csv(where / "plan" / "plans.csv", dtype=str, keep_default_na=False)
        assert plans["village_code"].str.fullmatch(r"\d{12}").all()
    validate = pd.read_csv(out / "run" / "validate" / "findings.csv", dtype=str, keep_default_na=False)
    assert "421121100/200" in set(validate.loc[validate["code"] == "V-CODE-FORMAT", "value"])
