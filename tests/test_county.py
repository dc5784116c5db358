"""The county comes from the dataset, not from a packaged default (issue 10 item 7)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from frames import table_frame
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.county import derive, names_of, posting_gaps, settle
from jingzhun.params import DATASET_FILE, Params
from jingzhun.schema.crosstable import check_crosstable

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def test_packaged_defaults_name_no_county():
    p = Params.load()
    assert [p.get(f"county.{k}") for k in ("code", "name", "prefecture", "province", "issuer")] == [""] * 5


def test_sample_data_keeps_its_own_tuanfeng_toml():
    p = Params.load(ROOT / "data-sample")
    assert p.get("county.code") == "421121" and p.get("county.name") == "团风县"
    assert p.get("county.province") == "湖北省" and p.get("county.issuer") == "团风县扶贫开发领导小组办公室"


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("421121", {"name": "团风县", "prefecture": "黄冈市", "province": "湖北省"}),
        ("530102", {"name": "五华区", "prefecture": "昆明市", "province": "云南省"}),
        ("610112", {"name": "未央区", "prefecture": "西安市", "province": "陕西省"}),
        ("4211", {"name": "黄冈市", "prefecture": "黄冈市", "province": "湖北省"}),
        ("42", {"name": "湖北省", "prefecture": "", "province": "湖北省"}),
        ("999999", {"name": "", "prefecture": "", "province": ""}),
    ],
)
def test_gb2260_names(code, names):
    assert names_of(code) == names


def _frames(codes: list[str]) -> dict[str, pd.DataFrame]:
    return {"villages": table_frame("villages", village_code=codes, township_code=[c[:9] for c in codes])}


def _outside(frames: dict[str, pd.DataFrame], p: Params) -> list[str]:
    r = check_crosstable(frames, p, data_year=2016).render()
    return r.loc[r["code"] == "V-VILLAGE-OUTSIDE-COUNTY", "value"].tolist()


def test_county_is_the_dominant_first_six_digits_and_a_stray_village_is_outside():
    codes = [f"530102100{200 + i:03d}" for i in range(19)] + ["421121100200"]
    frames = _frames(codes)
    p = Params.load()
    note = settle(p, frames)
    assert (p.get("county.code"), p.get("county.name"), p.get("county.province")) == ("530102", "五华区", "云南省")
    assert p.origin_of("county.code").startswith("data") and "19/20" in p.origin_of("county.code")
    assert "五华区" in note and "jingzhun.toml" in note
    assert _outside(frames, p) == ["421121100200"]


def test_multi_county_data_is_one_area_without_county_mismatch_findings():
    codes = [f"421121100{200 + i:03d}" for i in range(10)] + [f"421122100{200 + i:03d}" for i in range(10)]
    frames = _frames(codes)
    p = Params.load()
    settle(p, frames)
    assert (p.get("county.code"), p.get("county.name")) == ("4211", "黄冈市")
    assert _outside(frames, p) == []
    across = _frames(codes[:10] + [f"530102100{200 + i:03d}" for i in range(10)])  # two provinces
    q = Params.load()
    settle(q, across)
    assert q.get("county.code") == "" and _outside(across, q) == []
    assert derive(across).counties == {"421121": 10, "530102": 10}


def test_configured_county_is_kept_and_only_missing_names_are_filled(tmp_path):
    (tmp_path / "2016").mkdir()
    (tmp_path / DATASET_FILE).write_text('[county]\ncode = "610112"\nissuer = "某办公室"\n', encoding="utf-8")
    p = Params.load(tmp_path)
    assert settle(p, _frames(["530102100200"])) == ""  # nothing derived from the data
    assert (p.get("county.code"), p.get("county.name"), p.get("county.issuer")) == ("610112", "未央区", "某办公室")


def test_a_dataset_folder_named_data_something_keeps_its_configured_county(tmp_path, monkeypatch):
    """A parameter file's origin is its path: "data-2017/jingzhun.toml" is a file, not a value
    derived from the data ("data: …"), so its county code is kept, not replaced by the rows' county."""
    root = tmp_path / "data-2017"
    (root / "2016").mkdir(parents=True)
    (root / DATASET_FILE).write_text('[county]\ncode = "610112"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    p = Params.load(Path("data-2017"))
    assert p.origin_of("county.code").startswith("data-2017")
    assert settle(p, _frames(["530102100200"])) == ""
    assert (p.get("county.code"), p.get("county.name")) == ("610112", "未央区")
    assert not p.origin_of("county.code").startswith("data: ")


def test_posting_needs_issuer_and_a_phone():
    p = Params.load()
    assert posting_gaps(p) == ["P-NOTICE-ISSUER"]
    p.values["supervision_phones.national"] = ""
    assert posting_gaps(p) == ["P-NOTICE-ISSUER", "P-NOTICE-PHONE"]


# ---- another county end to end --------------------------------------------------------------


@pytest.fixture(scope="module")
def other_county(tmp_path_factory) -> tuple[Path, Path, dict]:
    """A 五华区 (530102) xlsx sample without its jingzhun.toml, and a full run over it."""
    base = tmp_path_factory.mktemp("county")
    ds = base / "ds"
    r = runner.invoke(
        app,
        [
            "sample",
            str(ds),
            "--county",
            "530102",
            "--format",
            "xlsx",
            "--households",
            "60",
            "--years",
            "2016",
            "--quiet",
        ],
    )
    assert r.exit_code == 0, r.output
    toml = (ds / DATASET_FILE).read_text(encoding="utf-8")
    assert 'code = "530102"' in toml and 'issuer = "五华区扶贫开发领导小组办公室"' in toml
    (ds / DATASET_FILE).unlink()
    out = base / "out"
    r = runner.invoke(app, ["run", str(ds), "--out", str(out), "--date", "2016-03-01", "--json", "--quiet"])
    assert r.exit_code in (0, 1), r.output
    return ds, out, json.loads(r.stdout)


def _document_texts(out: Path) -> dict[str, str]:
    texts = {}
    for f in sorted(out.rglob("*")):
        if f.suffix in (".html", ".csv", ".json"):
            texts[str(f.relative_to(out))] = f.read_text(encoding="utf-8-sig")
        elif f.suffix == ".docx":
            with zipfile.ZipFile(f) as z:
                texts[str(f.relative_to(out))] = re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))
    return texts


def test_run_on_another_county_names_it_everywhere_and_never_tuanfeng(other_county):
    _, out, summary = other_county
    texts = _document_texts(out)
    assert not [k for k, v in texts.items() if "团风" in v]
    headed = ["report/index.html", "plan/books/index.html", "audit/report.html"]
    headed += [k for k in texts if k.startswith("plan/books/") and k.endswith((".html", ".docx"))][:6]
    assert [k for k in headed if "五华区" not in texts[k]] == []
    assert any(k.endswith(".docx") for k in headed)
    c = summary["county"]
    assert (c["code"], c["name"]) == ("530102", "五华区") and c["origin"].startswith("data: village_code")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    params = {r["name"]: r for r in manifest["parameters"]}
    assert params["county.code"]["value"] == "530102" and params["county.code"]["origin"].startswith("data")
    report = json.loads((out / "validate" / "report.json").read_text(encoding="utf-8"))
    assert report["county"]["name"] == "五华区"


def test_run_on_another_county_raises_no_county_mismatch_and_holds_back_notices(other_county):
    _, out, summary = other_county
    by_code = summary["by_code"]
    assert not [c for c in by_code if "OUTSIDE-COUNTY" in c]
    assert by_code.get("error:P-NOTICE-ISSUER") == 3  # one per kind of notice, none written
    assert not list(out.glob("notice/**/*.html"))


def test_notice_command_without_issuer_is_exit_3_with_a_hint(other_county, tmp_path):
    ds, _, _ = other_county
    r = runner.invoke(
        app, ["notice", str(ds), "--kind", "identification", "--out", str(tmp_path / "o"), "--date", "2016-03-01"]
    )
    assert r.exit_code == 3
    assert "county.issuer" in r.stderr and "[county] issuer" in r.stderr
    assert not (tmp_path / "o" / "notice" / "identification").exists()
    (ds / DATASET_FILE).write_text('[county]\nissuer = "五华区扶贫开发领导小组办公室"\n', encoding="utf-8")
    try:
        r = runner.invoke(
            app,
            [
                "notice",
                str(ds),
                "--kind",
                "projects",
                "--out",
                str(tmp_path / "o"),
                "--date",
                "2016-03-01",
                "--no-docx",
            ],
        )
        assert r.exit_code in (0, 1), r.output
        pages = list((tmp_path / "o" / "notice" / "projects").rglob("*.html"))
        assert pages and all("五华区扶贫开发领导小组办公室" in f.read_text(encoding="utf-8") for f in pages)
    finally:
        (ds / DATASET_FILE).unlink()


def test_sample_refuses_an_unknown_county(tmp_path):
    r = runner.invoke(app, ["sample", str(tmp_path / "x"), "--county", "999999"])
    assert r.exit_code == 2 and "--county" in r.stderr


def test_identify_gives_incidence_per_county_for_multi_county_data():
    import report_frames as rf

    from jingzhun.identify.core import identify

    single = identify(rf.frames(), Params.load(), 2016).county
    assert "by_county" not in single
    fr = rf.frames()
    for table in ("households", "villages"):
        code = fr[table]["village_code"]
        fr[table]["village_code"] = code.where(code != rf.V3, "421122102202")
    p = Params.load()
    settle(p, fr)
    assert p.get("county.code") == "4211"
    county = identify(fr, p, 2016).county
    by = county["by_county"]
    assert sorted(by) == ["421121", "421122"] and by["421122"]["name"] == "红安县"
    assert sum(c["households"] for c in by.values()) == county["households"]
    assert sum(c["poor_population"] for c in by.values()) == county["poor_population"]
    assert all(c["incidence"] == round(c["poor_population"] / c["denominator"], 6) for c in by.values())


def test_params_command_shows_the_derived_county(other_county):
    ds, _, _ = other_county
    r = runner.invoke(app, ["params", str(ds), "--json"])
    assert r.exit_code == 0, r.output
    rec = {x["name"]: x for x in json.loads(r.stdout)["parameters"]}
    assert rec["county.code"]["value"] == "530102" and rec["county.code"]["origin"].startswith("data")
    assert rec["county.name"]["value"] == "五华区" and rec["county.issuer"]["value"] == ""


def test_gb2260_table_names_its_source_and_covers_every_province():
    from jingzhun.county import TABLE_FILE, divisions

    head = TABLE_FILE.read_text(encoding="utf-8").splitlines()[:6]
    assert any("Source" in line and "GB2260" in line for line in head)
    provinces = [c for c in divisions() if c.endswith("0000")]
    assert len(provinces) == 34  # 31 mainland provinces, 台湾, 香港, 澳门
    assert len(divisions()) > 3000
