"""jingzhun sample: determinism, contract columns, consistency, year-to-year changes, roster noise, defects."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from jingzhun import ids
from jingzhun.cli import app
from jingzhun.errors import UsageError
from jingzhun.sample import build, parse_years
from jingzhun.sample.dirty import KINDS
from jingzhun.schema.columns import MONITORING_HOUSEHOLD_COLUMNS, columns
from jingzhun.tables import TABLES

N = 300


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    build(out, N, [2015, 2016], 2016)
    return out


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dirty")
    build(out, N, [2015, 2016], 7, dirty_rate=0.05)
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_arguments_give_identical_bytes_and_other_seed_differs(clean, tmp_path):
    build(tmp_path / "a", N, [2015, 2016], 2016)
    assert _digest(tmp_path / "a") == _digest(clean)
    build(tmp_path / "b", N, [2015, 2016], 2017)
    assert _digest(tmp_path / "b")["2016/members.csv"] != _digest(clean)["2016/members.csv"]


def test_every_table_present_with_contract_columns(clean):
    for year in (2015, 2016):
        for table in TABLES:
            df = _read(clean / str(year) / f"{table}.csv")
            want = [c for c in columns(table) if table != "households" or c not in MONITORING_HOUSEHOLD_COLUMNS]
            assert list(df.columns) == want, table  # monitoring columns only from 2021 (tests/test_monitoring.py)
            assert len(df) > 0, table


def test_utf8_bom(clean):
    assert (clean / "2016" / "households.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_ids_valid_and_consistent_with_sex_and_birth(clean):
    m = _read(clean / "2016" / "members.csv")
    s = pd.Series(m["id_number"], dtype="str")
    c = ids.classify(s, pd.Timestamp("2016-12-31"))
    assert (c["status"] == "valid").all()
    assert (ids.sex(s).to_numpy() == m["sex"].to_numpy()).all()
    assert (ids.birth_date(s).dt.strftime("%Y-%m-%d").to_numpy() == m["birth_date"].to_numpy()).all()
    cur = m[~m["change_reason"].isin(["死亡", "嫁出"])]
    assert not cur["id_number"].duplicated().any()
    assert (s.str.slice(0, 6) == "421121").mean() > 0.85


def test_household_consistency(clean):
    h = _read(clean / "2016" / "households.csv")
    m = _read(clean / "2016" / "members.csv")
    cur = m[~m["change_reason"].isin(["死亡", "嫁出"])]
    size = cur.groupby("household_id").size()
    assert (
        h.set_index("household_id")["household_size"].astype(int) == size.reindex(h["household_id"]).to_numpy()
    ).all()
    heads = cur[cur["relation"] == "户主"]
    assert heads["household_id"].is_unique and set(heads["household_id"]) == set(h["household_id"])
    assert (h.set_index("household_id")["head_id_number"] == heads.set_index("household_id")["id_number"]).all()
    sp = cur[cur["relation"] == "配偶"].set_index("household_id")["sex"]
    assert (sp != heads.set_index("household_id")["sex"].reindex(sp.index)).all()
    assert not ((m["education"] != "") & (m["school_status"] != "")).any()
    assert not ((m["education"] == "") & (m["school_status"] == "")).any()
    wm = pd.to_numeric(m["work_months"]).fillna(0)
    assert ((wm > 0) == m["work_status"].str.contains("务工") & ~m["work_status"].eq("未外出务工")).all()
    reg = h[h["registered"] == "是"]
    assert (reg["main_cause"] != "").all()
    assert not (
        reg["other_causes"].str.split(",").explode()
        == reg["main_cause"].reindex(reg["other_causes"].str.split(",").explode().index)
    ).any()


def test_income_formula_and_poverty_share(clean):
    for year, line in ((2015, 2800), (2016, 2855)):
        h = _read(clean / str(year) / "households.csv")

        def f(c: str, h: pd.DataFrame = h) -> pd.Series:
            return h[c].astype(float)

        counted = (
            f("family_planning_benefit")
            + f("dibao_benefit")
            + f("tekun_benefit")
            + f("eco_compensation")
            + f("other_transfer")
        )
        pc = (f("wage_income") + f("business_income") + f("property_income") + counted - f("business_expense")) / h[
            "household_size"
        ].astype(int)
        assert (abs(pc - f("per_capita_net_income")) <= 0.01).all()
        share = (f("per_capita_net_income") < line).mean()
        assert 0.15 <= share <= 0.4, (year, share)
        assert ((f("per_capita_net_income") >= line) & (f("per_capita_net_income") < 1.5 * line)).any()


def test_villages_totals_match_households(clean):
    h = _read(clean / "2016" / "households.csv")
    v = _read(clean / "2016" / "villages.csv")
    assert v["village_code"].str.fullmatch(r"421121(1\d\d|2\d\d)(2\d\d|3\d\d)").all()
    assert (
        v.set_index("village_code")["total_households"].astype(int)
        == h.groupby("village_code").size().reindex(v["village_code"]).to_numpy()
    ).all()
    assert 3 <= v["village_code"].str.slice(0, 9).nunique() <= 4
    assert (v["collective_income"].astype(float) == 0).any()


def test_year_to_year_changes(clean):
    ch = _read(clean / "_truth" / "2016" / "changes.csv")
    assert {"exited", "returned", "new", "removed", "死亡", "嫁出", "嫁入", "新生儿"} <= set(ch["kind"])
    h15 = _read(clean / "2015" / "households.csv").set_index("household_id")
    h16 = _read(clean / "2016" / "households.csv").set_index("household_id")
    assert set(h15.index) == set(h16.index)
    exited = ch.loc[ch["kind"] == "exited", "household_id"]
    assert (h16.loc[exited, "status"] == "已脱贫(享受政策)").all() and (h16.loc[exited, "exit_year"] == "2015").all()
    assert (h16.loc[ch.loc[ch["kind"] == "removed", "household_id"], "registered"] == "否").all()
    new = ch.loc[ch["kind"] == "new", "household_id"]
    assert (h15.loc[new, "registered"] == "否").all() and (h16.loc[new, "registered"] == "是").all()
    m16 = _read(clean / "2016" / "members.csv")
    born = m16[m16["change_reason"] == "新生儿"]
    assert (born["birth_date"].str.startswith("2015")).all()
    out = m16[m16["change_reason"] == "嫁出"]
    into = m16[m16["change_reason"] == "嫁入"]
    assert set(out["id_number"]) == set(into["id_number"]) and (into["relation"] == "之儿媳").all()
    inc = h16["per_capita_net_income"].astype(float).median() / h15["per_capita_net_income"].astype(float).median()
    assert inc > 1.0


@pytest.fixture(scope="module")
def noisy_roster(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("noisy")
    build(out, N, [2015, 2016], 2016, roster_noise=0.15)
    return out


def test_roster_noise_rates_and_truth(noisy_roster):
    clean = noisy_roster
    d = _read(clean / "2016" / "dibao.csv")
    t = _read(clean / "_truth" / "2016" / "dibao_pairs.csv")
    assert d["record_id"].is_unique and list(t["record_id"]) == list(d["record_id"])
    noisy = t["id_noise"] != ""
    assert 0.08 <= noisy.mean() <= 0.24
    assert {"missing", "id15", "digit", "swap"} <= set(t["id_noise"])
    assert (
        d.loc[~noisy.to_numpy(), "id_number"].to_numpy()
        == t.loc[~noisy, "id_number"]
        .where(t.loc[~noisy, "id_number"] != "", d.loc[~noisy.to_numpy(), "id_number"])
        .to_numpy()
    ).all()
    assert 0.03 <= (t["name_noise"] != "").mean() <= 0.17
    assert (t["household_id"] == "").any()  # 民政-only people
    m = _read(clean / "2016" / "members.csv")
    reg_ids = set(m["id_number"])
    paired = t[t["household_id"] != ""]
    assert paired["id_number"].isin(reg_ids).all()
    cases = _read(clean / "_truth" / "2016" / "dibao_cases.csv")
    assert {"general_household_on_roster", "dibao_household_not_on_roster", "dead_on_roster", "dibao_and_tekun"} <= set(
        cases["kind"]
    )


def test_clean_roster_ids_are_undamaged_but_names_vary(clean):
    t = _read(clean / "_truth" / "2016" / "dibao_pairs.csv")
    assert (t["id_noise"] == "").all()
    assert (t["name_noise"] != "").any()


@pytest.mark.parametrize(
    ("households", "seed", "years"),
    [(10, 1, [2016]), (30, 2016, [2015, 2016]), (50, 7, [2016]), (70, 3, [2016]), (90, 11, [2016])],
)
def test_sample_without_dirty_passes_validate_without_warnings(tmp_path, households, seed, years):
    """Small sizes used to crash (empty crosscheck hits); the data itself raised roster-ID warnings."""
    from jingzhun.dataset import Dataset, load_year
    from jingzhun.params import Params
    from jingzhun.schema.validate import validate_year

    build(tmp_path, households, years, seed)
    ds = Dataset.open(tmp_path)
    for year in years:
        found = validate_year(load_year(ds, year), Params.load(tmp_path)).render()
        bad = found[found["severity"] != "info"]
        assert bad.empty, f"{households}/{seed}/{year}: {bad['code'].value_counts().to_dict()}"


def test_optional_tables_are_plausible(clean):
    p = _read(clean / "2016" / "projects.csv")
    assert ((pd.to_datetime(p["publicity_end"]) - pd.to_datetime(p["publicity_start"])).dt.days >= 10).all()
    assert (p.loc[p["budget"].astype(float) >= 300000, "contract_id"] != "").all()
    pay = _read(clean / "2016" / "payments.csv")
    assert pay["payment_id"].is_unique and (pay["amount"].astype(float) > 0).all()
    h = _read(clean / "2016" / "households.csv")
    hh_pay = pay[pay["household_id"] != ""]
    assert hh_pay["household_id"].isin(h.loc[h["registered"] == "是", "household_id"]).all()
    c = _read(clean / "2016" / "cadres.csv")
    reg = h[h["registered"] == "是"]
    assert 0.8 <= (reg["cadre_id"] != "").mean() < 1.0
    assert reg.loc[reg["cadre_id"] != "", "cadre_id"].isin(c["cadre_id"]).all()
    x = _read(clean / "2016" / "crosscheck.csv")
    assert (
        x["id_number"]
        .isin(
            reg.set_index("household_id")
            .index.to_series()
            .pipe(lambda s: _read(clean / "2016" / "members.csv").query("household_id in @s")["id_number"])
        )
        .any()
    )


def test_dirty_writes_every_kind_with_truth(dirty):
    d = _read(dirty / "_truth" / "2016" / "defects.csv")
    assert set(d["kind"]) == set(KINDS)
    m = _read(dirty / "2016" / "members.csv")
    rows = d[d["kind"] == "bad_checksum"]["row"].astype(int)
    assert not ids.checksum_ok(pd.Series(m["id_number"].to_numpy()[rows - 1], dtype="str")).any()
    rows = d[d["kind"] == "excel_sci"]["row"].astype(int)
    assert ids.excel_damaged(pd.Series(m["id_number"].to_numpy()[rows - 1], dtype="str")).all()
    rows = d[d["kind"] == "formula_name"]["row"].astype(int)
    assert m["name"].to_numpy()[rows - 1][0].startswith("=HYPERLINK(")
    raw = (dirty / "2016" / "households.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert raw[0].startswith("团风县") and raw[-1].startswith("合计")
    with pytest.raises(UnicodeDecodeError):
        (dirty / "2016" / "villages.csv").read_bytes().decode("utf-8")
    clean_ids = _read(dirty / "2015" / "households.csv")  # title row: header is the second line
    assert "household_id" in clean_ids.iloc[0].tolist()


def test_formats_and_cli(tmp_path):
    r = CliRunner().invoke(
        app, ["sample", str(tmp_path / "pq"), "--households", "60", "--years", "2016", "--format", "parquet", "-q"]
    )
    assert r.exit_code == 0, r.output
    df = pd.read_parquet(tmp_path / "pq" / "2016" / "members.parquet")
    assert df["id_number"].map(type).eq(str).all() and str(df["birth_date"].dtype).startswith("datetime64")
    r = CliRunner().invoke(
        app, ["sample", str(tmp_path / "gbk"), "--households", "60", "--years", "2016", "--encoding", "gbk", "-q"]
    )
    assert r.exit_code == 0
    text = (tmp_path / "gbk" / "2016" / "members.csv").read_bytes().decode("gbk")
    assert text.startswith("household_id")
    r = CliRunner().invoke(
        app, ["sample", str(tmp_path / "x"), "--households", "40", "--years", "2016", "--format", "xlsx", "-q"]
    )
    assert r.exit_code == 0
    x = pd.read_excel(tmp_path / "x" / "2016" / "members.xlsx", dtype=str, engine="calamine")
    assert x["id_number"].str.fullmatch(r"\d{17}[\dX]").all()
    r = CliRunner().invoke(app, ["sample", str(tmp_path / "bad"), "--format", "doc"])
    assert r.exit_code == 2 and not (tmp_path / "bad").exists()


def test_parse_years():
    assert parse_years("2015-2016") == [2015, 2016] and parse_years("2016") == [2016]
    with pytest.raises(UsageError):
        parse_years("16-15")


def test_large_n_adds_townships_with_realistic_village_size():
    from jingzhun.sample.geo import build_villages

    v = build_villages(np.random.default_rng(0), 25000, 40)
    assert v["village_code"].is_unique and len(v) == 25000
    assert v["village_code"].str.slice(9).astype(int).between(200, 399).all()
    assert v["village_code"].str.startswith("421121").sum() == 400


def test_dirty_title_row_names_the_county_of_the_sample(tmp_path, dirty):
    """An export's title row names its own county: 三台县 for --county 510722, 团风县 by default."""
    out = tmp_path / "santai"
    out.mkdir()
    build(out, 40, [2016], 7, dirty_rate=0.05, county="510722")
    first = (out / "2016" / "households.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert first.split(",")[0] == "三台县建档立卡贫困户花名册"
    default = (dirty / "2016" / "households.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert default.split(",")[0] == "团风县建档立卡贫困户花名册"
