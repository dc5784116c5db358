"""一户一策 measures, 结对帮扶 pairing and the plan command."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from frames import table_frame, with_columns
from plan_frames import T1, T2, V1, V3, cadres, households, members, write_dataset
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.errors import ConfigError
from jingzhun.params import Params
from jingzhun.plan.core import make_plans, plan_households, planned_exit_years
from jingzhun.plan.features import Features
from jingzhun.plan.measures import PACKAGED, evaluate, load_rules
from jingzhun.plan.pairing import pair

YEAR = 2016
EXITED = "已脱贫(不再享受政策)"


@pytest.fixture(scope="module")
def params() -> Params:
    return Params.load()


@pytest.fixture(scope="module")
def result(params):
    return make_plans(households(), members(), cadres(), params, YEAR)


def measures_of(result, hid: str) -> list[str]:
    row = result.plans.loc[result.plans["household_id"] == hid, "measures"].iloc[0]
    return row.split(";") if row else []


# ---- which households get a plan --------------------------------------------------


def test_plan_covers_registered_not_exited_for_good(result):
    assert set(result.plans["household_id"]) == {"H001", "H002", "H003", "H006", "H007"}
    assert "H004" not in set(result.plans["household_id"])  # 已脱贫(不再享受政策)
    assert "H005" not in set(result.plans["household_id"])  # not registered


# ---- measure rules: each with a positive and a negative case ------------------------


@pytest.mark.parametrize(
    ("measure", "yes", "no"),
    [
        ("危房改造", "H001", "H002"),  # dangerous_house
        ("易地扶贫搬迁", "H003", "H001"),  # relocation_willing
        ("教育扶贫", "H001", "H006"),  # child in 小学
        ("雨露计划", "H003", "H001"),  # 中职 student
        ("健康扶贫", "H001", "H006"),  # 患有大病
        ("残疾人帮扶", "H002", "H001"),  # 残疾
        ("综合保障", "H002", "H001"),  # 特困 / no labour
        ("产业扶贫", "H006", "H002"),  # working-age labour
        ("扶贫小额信贷", "H006", "H007"),  # 缺资金 with a member 18–65
        ("公益岗位", "H003", "H006"),  # 弱劳动力
        ("生活条件改善", "H003", "H001"),  # drinking water unsafe
    ],
)
def test_measure_rule(result, measure, yes, no):
    assert measure in measures_of(result, yes)
    assert measure not in measures_of(result, no)


def test_why_names_the_rule_of_each_measure(result):
    why = result.plans.set_index("household_id").loc["H006", "why"]
    assert "扶贫小额信贷:credit" in why.split(";")
    for part in why.split(";"):
        measure, rules = part.split(":")
        assert measure in measures_of(result, "H006") and rules


def test_credit_needs_a_member_aged_18_to_65(params):
    h = households()
    h = h[h["household_id"] == "H006"]
    m = members()
    m = m[m["household_id"] == "H006"].copy()
    m["id_number"] = pd.array([m["id_number"].iloc[0][:6] + "19400101" + m["id_number"].iloc[0][14:]] * 2, dtype="str")
    m["birth_date"] = pd.to_datetime(["1940-01-01", "1942-01-01"])
    r = make_plans(h, m, cadres(), params, YEAR)
    assert "扶贫小额信贷" not in r.plans["measures"].iloc[0]


def test_other_cause_counts_like_main_cause(params):
    h = households()
    h = h[h["household_id"] == "H007"].copy()
    h["other_causes"] = pd.array(["缺资金"], dtype="str")
    r = make_plans(h, members(), cadres(), params, YEAR)
    assert "扶贫小额信贷" in r.plans["measures"].iloc[0]


def test_identify_gaps_and_exit_ready_feed_rules(params):
    ident = pd.DataFrame(
        {
            "household_id": ["H007"],
            "medical_gap": pd.array([True], dtype="boolean"),
            "exit_ready": pd.array([False], dtype="boolean"),
        }
    )
    r = make_plans(households(), members(), cadres(), params, YEAR, identified=ident)
    assert "健康扶贫:gap-medical" in r.plans.set_index("household_id").loc["H007", "why"]
    assert "gap-medical" not in r.plans.set_index("household_id").loc["H006", "why"]


def test_negated_and_combined_terms(tmp_path):
    f = tmp_path / "rules.csv"
    f.write_text("rule_id,when,measure,content\nr1,cause:缺资金 & !dangerous_house,A,x\nr2,all,B,\n", encoding="utf-8")
    rules = load_rules(f)
    h = plan_households(households())
    feats = Features(h, members(), YEAR)
    res, _ = evaluate(feats, rules)
    got = dict(zip(h["household_id"], res.column("measures"), strict=True))
    assert got["H006"] == "A;B" and got["H001"] == "B"


def test_unknown_condition_is_a_config_error_naming_file_and_row(tmp_path):
    f = tmp_path / "rules.csv"
    f.write_text("rule_id,when,measure\nok,all,A\nbad,dangerous_hose,B\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_rules(f)
    assert "rules.csv" in e.value.message and "2" in e.value.message and "dangerous_hose" in e.value.message


def test_packaged_rules_load():
    rules = load_rules(PACKAGED)
    assert len(rules) > 20 and len({r.rule_id for r in rules}) == len(rules)


def test_a_file_without_the_registered_column_holds_registered_households_only():
    """No 是否建档立卡 column: every household not exited for good gets a plan (as match reads it);
    the column there but empty: nobody is known to be registered."""
    h = table_frame("households", household_id=["A", "B", "C"], village_code=[V1] * 3, status=["未脱贫", EXITED, None])
    assert plan_households(h)["household_id"].tolist() == ["A", "C"]
    assert plan_households(with_columns(h, registered=pd.array([None] * 3, dtype="boolean"))).empty


def test_planned_exit_year():
    h = table_frame(
        "households",
        planned_exit_year=[2018, None, None, None],
        status=["未脱贫", "未脱贫", "已脱贫(享受政策)", "未脱贫"],
        exit_year=[None, None, 2015, None],
    )
    got = planned_exit_years(h, np.array([False, False, False, True]), 2016, 2020).tolist()
    assert got == [2018, 2017, 2015, 2016]
    assert planned_exit_years(h.iloc[[1]], np.array([False]), 2020, 2020).tolist() == [2020]


def test_past_planned_exit_year_of_a_household_not_exited_is_a_finding_and_replaced(params):
    """A 2016 plan kept 2015 for households not yet exited; exited households keep their past years."""
    h = households()
    h["planned_exit_year"] = pd.array([2015, 2014, 2016, 2015, None, 2018, None], dtype="Int64")
    h.loc[h["household_id"] == "H003", "status"] = "返贫"
    h.loc[h["household_id"] == "H004", ["status"]] = "已脱贫(享受政策)"
    h["exit_year"] = pd.array([None, None, None, 2015, None, None, None], dtype="Int64")
    ident = pd.DataFrame({"household_id": ["H002"], "exit_ready": pd.array([True], dtype="boolean")})
    r = make_plans(h, members(), cadres(), params, YEAR, identified=ident)
    years = dict(zip(r.plans["household_id"], r.plans["planned_exit_year"].tolist(), strict=True))
    assert years["H001"] == YEAR + 1 and years["H002"] == YEAR  # replaced: next year / exit-ready this year
    assert years["H003"] == YEAR and years["H004"] == 2015 and years["H006"] == 2018
    assert all(y >= YEAR for hid, y in years.items() if hid != "H004")
    f = r.findings.render()
    past = f[f["code"] == "P-EXIT-YEAR-PAST"]
    assert sorted(past["key"]) == ["H001", "H002"]
    assert past.set_index("key").loc["H001", ["value", "detail"]].tolist() == ["2015", str(YEAR + 1)]
    assert (past["severity"] == "warning").all()


# ---- pairing ----------------------------------------------------------------------


def _h(n: int, village: str, cadre=None) -> pd.DataFrame:
    return table_frame(
        "households",
        household_id=[f"{village[-4:]}-{i:04d}" for i in range(n)],
        village_code=[village] * n,
        cadre_id=[cadre] * n,
    )


def _c(ids, towns, ranks=None, maxh=None) -> pd.DataFrame:
    n = len(ids)
    return table_frame(
        "cadres",
        cadre_id=ids,
        name=ids,
        rank=ranks or [None] * n,
        township_code=towns,
        max_households=maxh or [None] * n,
    )


CAPS = {"县处级": 8, "一般干部": 4, "村干部": 3, "default": 5}


def test_existing_pairing_kept_even_over_cap():
    p = pair(_h(4, V1, "A"), _c(["A"], [T1], maxh=[2]), CAPS)
    assert (p.households["cadre_id"] == "A").all() and (p.households["pairing"] == "kept").all()
    assert p.cadres.loc[0, "over_cap"]
    f = p.findings.frame()
    assert list(f["code"]) == ["P-CADRE-OVER-CAP"] and f["value"].iloc[0] == "4" and f["detail"].iloc[0] == "2"


def test_caps_by_rank_and_override_and_unpaired_reported():
    p = pair(
        _h(10, V1), _c(["A", "B", "C"], [T1, T1, T1], ranks=["村干部", "一般干部", None], maxh=[None, None, 1]), CAPS
    )
    loads = p.cadres.set_index("cadre_id")["load"].to_dict()
    assert loads == {"A": 3, "B": 4, "C": 1}
    assert (p.households["pairing"] == "none").sum() == 2
    assert set(p.findings.frame()["code"]) == {"P-UNPAIRED"}


def test_prefers_township_then_county_wide():
    h = pd.concat([_h(3, V1), _h(2, V3)], ignore_index=True)
    p = pair(h, _c(["A", "Z"], [T1, T2], maxh=[2, 5]), CAPS)
    got = p.households.assign(village=h["village_code"])
    assert got.loc[got["village"] == V3, "cadre_id"].tolist() == ["Z", "Z"]
    assert sorted(got.loc[got["village"] == V1, "cadre_id"]) == ["A", "A", "Z"]


def test_load_spread_evenly():
    p = pair(_h(9, V1), _c(["A", "B", "C"], [T1] * 3, maxh=[8, 8, 8]), CAPS)
    assert p.cadres["load"].tolist() == [3, 3, 3]
    q = pair(_h(3, V1, None), _c(["A", "B"], [T1] * 2, maxh=[8, 8]), CAPS)
    assert sorted(q.cadres["load"].tolist()) == [1, 2]


def test_unknown_cadre_is_reported_and_repaired():
    p = pair(_h(1, V1, "NOBODY"), _c(["A"], [T1]), CAPS)
    assert p.households["cadre_id"].iloc[0] == "A" and p.households["pairing"].iloc[0] == "new"
    assert "P-CADRE-UNKNOWN" in set(p.findings.frame()["code"])


def test_pairing_is_deterministic_and_scales():
    rng = np.random.default_rng(1)
    n = 60_000
    villages = np.array([f"421121{t:03d}{v:03d}" for t in range(1, 21) for v in range(1, 51)])
    h = table_frame(
        "households",
        household_id=[f"H{i:07d}" for i in range(n)],
        village_code=rng.choice(villages, n).tolist(),
        cadre_id=[None] * n,
    )
    k = 14_000
    c = _c([f"C{i:05d}" for i in range(k)], [f"421121{t:03d}" for t in rng.integers(1, 21, k)], ranks=["一般干部"] * k)
    a = pair(h, c, CAPS)
    b = pair(h.sample(frac=1, random_state=3).reset_index(drop=True), c, CAPS)
    assert (a.cadres["load"] <= a.cadres["cap"]).all()
    assert a.cadres["load"].max() - a.cadres["load"].min() <= 4
    merged = a.households.merge(b.households, on="household_id")
    assert (merged["cadre_id_x"].fillna("") == merged["cadre_id_y"].fillna("")).all()


# ---- the command ------------------------------------------------------------------


def test_plan_command_writes_books_per_village(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["plan", str(ds), "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    plans = pd.read_csv(out / "plan" / "plans.csv", dtype=str, encoding="utf-8-sig")
    assert {"household_id", "village_code", "measures", "why", "planned_exit_year", "cadre_id", "cadre_name"} <= set(
        plans.columns
    )
    books = out / "plan" / "books"
    files = sorted(p.relative_to(books).as_posix() for p in books.rglob("*") if p.is_file())
    assert files == [
        f"{T1}/{V1}.docx",
        f"{T1}/{V1}.html",
        f"{T1}/index.html",
        f"{T2}/{V3}.docx",
        f"{T2}/{V3}.html",
        f"{T2}/index.html",
        "index.html",
    ]
    book = (books / T1 / f"{V1}.html").read_text(encoding="utf-8")
    assert "王䶮" in book and "李𠀀明" in book
    assert book.count('class="card page"') == 3
    assert not re.search(r"\d{17}[\dX]", book)  # IDs masked even in internal books


def test_household_without_cadre_still_gets_a_card(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    cad = ds / "2016" / "cadres.csv"
    cad.write_text(cad.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    h = ds / "2016" / "households.csv"
    df = pd.read_csv(h, dtype=str)
    df["cadre_id"] = ""
    df.to_csv(h, index=False)
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["plan", str(ds), "--out", str(out)])
    assert r.exit_code == 0, r.output
    findings = pd.read_csv(out / "plan" / "findings.csv", dtype=str, encoding="utf-8-sig")
    assert (findings["code"] == "P-UNPAIRED").sum() == 5
    book = (out / "plan" / "books" / T2 / f"{V3}.html").read_text(encoding="utf-8")
    assert "暂未落实帮扶责任人" in book and "孙六" in book


def test_dataset_measures_file_overrides_packaged(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    (ds / "measures.csv").write_text("rule_id,when,measure,content\nonly,all,统一措施,测试\n", encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["plan", str(ds), "--out", str(out), "--no-books"])
    assert r.exit_code == 0, r.output
    plans = pd.read_csv(out / "plan" / "plans.csv", dtype=str, encoding="utf-8-sig")
    assert set(plans["measures"]) == {"统一措施"} and set(plans["why"]) == {"统一措施:only"}
    assert not (out / "plan" / "books").exists()


def test_plan_outputs_are_byte_identical(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    digests = []
    for k in range(2):  # one process, then two workers: the same bytes
        out = tmp_path / f"out{k}"
        assert CliRunner().invoke(app, ["plan", str(ds), "--out", str(out), "--jobs", str(k + 1)]).exit_code == 0
        digests.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert digests[0] == digests[1]
