"""``jingzhun identify`` and ``jingzhun diff`` as users run them: files in, files and exit codes out."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from jingzhun.cli import app

runner = CliRunner()

HH_HEAD = (
    "户编号,行政村代码,乡镇,户主姓名,户主证件号码,家庭人口数,是否建档立卡,脱贫状态,工资性收入,生产经营性收入,"
    "财产性收入,转移性收入,养老保险金,生产经营性支出,人均纯收入,是否危房户,饮水是否安全\n"
)
M_HEAD = "户编号,证件号码,姓名,性别,与户主关系,在校生状况,健康状况,劳动技能,是否参加城乡居民基本医疗保险,人员变更原因\n"


def write_dataset(root, households: dict[int, str], members: dict[int, str], toml: str | None = None):
    for year, rows in households.items():
        d = root / str(year)
        d.mkdir(parents=True)
        (d / "households.csv").write_text(HH_HEAD + rows, encoding="utf-8")
        (d / "家庭成员.csv").write_text(M_HEAD + members[year], encoding="gbk")
    (root / "2016" / "比对数据.csv").write_text(
        "身份证号,比对类别,比对详情\n421121197001010015,车辆,小型轿车\n", encoding="utf-8"
    )
    (root / "2016" / "villages.csv").write_text(
        "行政村代码,行政村,乡镇,总户数,总人口数,农业人口数,农民人均纯收入（元）,村级集体经济收入（万元）,识别规模（户）\n"
        "421121101201,红旗村,淋山河镇,50,200,100,6000,0,1\n",
        encoding="utf-8",
    )
    if toml:
        (root / "jingzhun.toml").write_text(toml, encoding="utf-8")
    return root


HH_2016 = (
    "H1,421121101201,淋山河镇,张三,42112119800101001X,2,是,未脱贫,3000,2000,0,800,500,0,2650,否,是\n"
    "H2,421121101201,淋山河镇,李四,421121197001010015,1,否,,2000,0,0,0,,0,2000,否,是\n"
    "H3,421121101201,淋山河镇,王五,421121196001010010,1,是,未脱贫,,100,0,0,,0,,是,是\n"
    "H4,421121101201,淋山河镇,赵六,421121196001010037,1,否,,1000,0,0,0,,0,1000,否,是\n"
)
M_2016 = (
    "H1,42112119800101001X,张三,男,户主,,健康,普通劳动力,是,\n"
    "H1,421121200801010018,张小,男,之子,非在校生,健康,无劳动力,是,\n"
    "H2,421121197001010015,李四,男,户主,,健康,普通劳动力,是,\n"
    "H3,421121196001010010,王五,男,户主,,健康,普通劳动力,否,\n"
    "H4,421121196001010037,赵六,男,户主,,健康,普通劳动力,是,\n"
)
HH_2015 = (
    "H1,421121101201,淋山河镇,张三,42112119800101001X,2,是,未脱贫,3000,2000,0,800,500,0,2650,否,是\n"
    "H9,421121101201,淋山河镇,孙九,421121196001010053,1,是,未脱贫,100,0,0,0,,0,100,否,是\n"
)
M_2015 = "H1,42112119800101001X,张三,男,户主,,健康,普通劳动力,是,\n"


def make(tmp_path, toml=None):
    return write_dataset(tmp_path / "ds", {2015: HH_2015, 2016: HH_2016}, {2015: M_2015, 2016: M_2016}, toml)


def read(p):
    return pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_identify_writes_outputs_and_summary(tmp_path):
    ds = make(tmp_path)
    out = tmp_path / "out"
    r = runner.invoke(app, ["identify", str(ds), "--out", str(out), "--json", "--xlsx"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["data_year"] == 2016 and summary["line"] == 2855
    assert summary["results"] == {"poor": 2, "edge": 0, "not_poor": 0, "excluded": 1, "undetermined": 1}
    h = read(out / "identify" / "households.csv").set_index("household_id")
    assert h.loc["H1", "per_capita_net_income"] == "2650"  # 300 of the 800 transfers count, not the pension
    assert h.loc["H2", "result"] == "excluded" and "车辆" in h.loc["H2", "exclusion_sources"]
    assert h.loc["H3", "result"] == "undetermined"
    assert h.loc["H1", "exit_ready"] == "false" and "I-GAP-EDUCATION" in h.loc["H1", "exit_blockers"]
    # quota 1: H4 (1000) ranks first, H1 (2650) is beyond
    assert h.loc["H4", "beyond_quota"] == "false" and h.loc["H1", "beyond_quota"] == "true"
    v = read(out / "identify" / "villages.csv")
    assert v.loc[0, "village_code"] == "421121101201" and v.loc[0, "criterion_collective"] == "true"
    params = json.loads((out / "identify" / "params.json").read_text(encoding="utf-8"))
    assert {"name": "poverty_line.2015", "value": 2855, "origin": "default"} in params
    county = json.loads((out / "identify" / "county.json").read_text(encoding="utf-8"))
    assert county["results"]["poor"] == 2
    assert (out / "identify" / "identify.xlsx").is_file()
    f = read(out / "identify" / "findings.csv")
    assert {"I-INCOME-MISSING", "I-EXCL-VEHICLE", "I-QUOTA-OVER"} <= set(f["code"])
    assert "淋山河镇" in r.stderr and "I-INCOME-BELOW-LINE" in r.stderr


def test_identify_is_reproducible(tmp_path):
    ds = make(tmp_path)
    for o in ("a", "b"):
        assert runner.invoke(app, ["identify", str(ds), "--out", str(tmp_path / o)]).exit_code == 0
    for name in ("households.csv", "villages.csv", "county.json", "params.json", "findings.csv"):
        assert (tmp_path / "a" / "identify" / name).read_bytes() == (tmp_path / "b" / "identify" / name).read_bytes()


def test_identify_records_overrides(tmp_path):
    ds = make(tmp_path, "[poverty_line]\n2015 = 3000\n")
    out = tmp_path / "out"
    assert runner.invoke(app, ["identify", str(ds), "--out", str(out)]).exit_code == 0
    params = {p["name"]: p for p in json.loads((out / "identify" / "params.json").read_text(encoding="utf-8"))}
    assert params["poverty_line.2015"]["value"] == 3000
    assert params["poverty_line.2015"]["origin"].endswith("jingzhun.toml")
    assert read(out / "identify" / "households.csv")["line"].iloc[0] == "3000"


def test_identify_bad_config_exit_3_naming_key(tmp_path):
    ds = make(tmp_path, '[identify]\nedge_multiplier = "x"\n')
    r = runner.invoke(app, ["identify", str(ds), "--out", str(tmp_path / "o")])
    assert r.exit_code == 3 and "identify.edge_multiplier" in r.stderr
    assert not (tmp_path / "o" / "identify").exists()


def test_identify_invalid_choice_exit_3(tmp_path):
    ds = make(tmp_path, '[identify]\nexclusion_sources = ["飞机"]\n')
    r = runner.invoke(app, ["identify", str(ds), "--out", str(tmp_path / "o")])
    assert r.exit_code == 3 and "identify.exclusion_sources" in r.stderr


def test_identify_year_without_line_exit_3(tmp_path):
    ds = write_dataset(tmp_path / "ds", {2016: HH_2016, 2031: HH_2016}, {2016: M_2016, 2031: M_2016})
    r = runner.invoke(app, ["identify", str(ds), "--year", "2031", "--out", str(tmp_path / "o")])
    assert r.exit_code == 3 and "poverty_line.2030" in r.stderr


def test_identify_household_size_zero_is_error_exit_1(tmp_path):
    bad = HH_2016.replace(
        "H4,421121101201,淋山河镇,赵六,421121196001010037,1,", "H4,421121101201,淋山河镇,赵六,421121196001010037,0,"
    )
    ds = write_dataset(tmp_path / "ds", {2015: HH_2015, 2016: bad}, {2015: M_2015, 2016: M_2016})
    out = tmp_path / "out"
    r = runner.invoke(app, ["identify", str(ds), "--out", str(out)])
    assert r.exit_code == 1
    assert read(out / "identify" / "households.csv").set_index("household_id").loc["H4", "result"] == "undetermined"


def test_diff_command(tmp_path):
    ds = make(tmp_path)
    out = tmp_path / "out"
    r = runner.invoke(app, ["diff", str(ds), "--from", "2015", "--to", "2016", "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["households"]["new"] == 1 and s["households"]["removed"] == 1 and s["households"]["appeared"] == 2
    h = read(out / "diff" / "households.csv").set_index("household_id")
    assert h.loc["H9", "change"] == "removed" and h.loc["H3", "change"] == "new"
    m = read(out / "diff" / "members.csv")
    assert set(m["change"]) == {"added"}
    assert (out / "diff" / "townships.csv").is_file()
    f = read(out / "diff" / "findings.csv")
    assert list(f.loc[f["code"] == "I-DIFF-DISAPPEARED", "key"]) == ["H9"]


def test_diff_defaults_to_the_last_two_years(tmp_path):
    ds = make(tmp_path)
    r = runner.invoke(app, ["diff", str(ds), "--out", str(tmp_path / "o"), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["from_year"] == 2015


def test_diff_same_or_missing_year_is_usage_error(tmp_path):
    ds = make(tmp_path)
    r = runner.invoke(app, ["diff", str(ds), "--from", "2016", "--to", "2016", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "2016" in r.stderr
    r = runner.invoke(app, ["diff", str(ds), "--from", "2012", "--to", "2016", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "2012" in r.stderr
    assert not (tmp_path / "o" / "diff").exists()


def test_help_for_both_commands():
    for cmd in ("identify", "diff"):
        r = runner.invoke(app, [cmd, "--help"])
        assert r.exit_code == 0 and "--out" in r.stdout


def test_summary_line_says_what_each_count_counts(tmp_path):
    """`建档立卡在册 72 户` was the not-exited count (111 registered); the line names both and the incidence's parts."""
    hh = HH_2016 + "H5,421121101201,淋山河镇,钱七,,1,是,已脱贫(享受政策),9000,0,0,0,,0,9000,否,是\n"
    ds = write_dataset(tmp_path / "ds", {2016: hh}, {2016: M_2016})
    out = tmp_path / "out"
    r = runner.invoke(app, ["identify", str(ds), "--out", str(out)])
    h = read(out / "identify" / "households.csv")
    county = json.loads((out / "identify" / "county.json").read_text(encoding="utf-8"))
    registered = int((h["registered"] == "true").sum())
    not_exited = int(((h["registered"] == "true") & ~h["status"].str.startswith("已脱贫")).sum())
    assert (registered, not_exited) == (3, 2)
    text = "".join(r.stderr.split())  # wrapped lines: compare without whitespace
    assert f"建档立卡{registered}户,其中未脱贫{not_exited}户" in text
    assert f"贫困人口{county['poor_population']}人" in text and f"发生率分母{county['denominator']}人" in text
