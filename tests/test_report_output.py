"""The report's files and the ``jingzhun report`` command: CSV/XLSX/HTML, determinism, exit codes, --json."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import report_frames as rf
from tuanfeng import tuanfeng
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.identify.core import identify
from jingzhun.params import Params
from jingzhun.report.api import run_report
from jingzhun.report.model import TREND_COLUMNS, build_report
from jingzhun.report.write import existing_links, write_report

runner = CliRunner()


def _model(two_years: bool = True, full: bool = True):
    p = tuanfeng(Params.load(None, None))
    f16 = rf.frames()
    by_year = {2016: identify(f16, p, 2016)}
    hh = {2016: f16["households"]}
    if two_years:
        f15 = {"households": rf.households([r for r in rf.HOUSEHOLDS if r[0] != "B2"]), "villages": rf.villages()}
        by_year[2015] = identify(f15, p, 2015)
        hh[2015] = f15["households"]
    extra = (
        dict(match_result=rf.match_result(), plan_result=rf.pairing(), funds=rf.funds(), audit_report=rf.audit_report())
        if full
        else {}
    )
    return build_report(params=p, data_year=2016, identify_by_year=by_year, households_by_year=hh, **extra)


def read(p):
    return pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_files_and_columns(tmp_path):
    m = _model()
    written = write_report(m, tmp_path / "report", xlsx=True, links=None)
    names = sorted(p.name for p in written)
    assert names == ["assessment.csv", "index.html", "indicators.csv", "indicators.xlsx", "trend.csv"]
    ind = read(tmp_path / "report" / "indicators.csv")
    assert ind["level"].tolist() == ["county", "township", "township", "village", "village", "village"]
    assert ind.loc[0, "incidence"] == str(round(4 / 18, 6)) and ind.loc[0, "dibao_coverage"] == "0.3333"
    trend = read(tmp_path / "report" / "trend.csv")
    assert trend.columns.tolist() == TREND_COLUMNS and trend["year"].tolist()[:2] == ["2015", "2016"]
    a = read(tmp_path / "report" / "assessment.csv")
    assert a.columns[:2].tolist() == ["township_code", "township_name"] and a.columns[-2:].tolist() == ["score", "rank"]
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(tmp_path / "report" / "indicators.xlsx"))
    assert wb.sheet_names == ["县", "乡镇", "行政村", "年度趋势", "乡镇考核"]
    head = wb.get_sheet_by_name("乡镇").to_python()[0]
    assert "贫困发生率" in head and "低保覆盖率" in head


def test_html_has_charts_no_script_and_only_given_links(tmp_path):
    m = _model()
    links = {"identify/households.csv": "", "audit/report.html": "审计"}
    write_report(m, tmp_path, xlsx=False, links=links)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "javascript:" not in html.lower()
    assert html.count("<svg") == 5  # incidence bars, two trend line charts, gaps, assessment scores
    assert "<polyline" in html and 'class="marker"' in html  # trend lines, the exit-line marker
    assert 'href="../identify/households.csv"' in html and "农户识别结果" in html
    assert 'href="../audit/report.html"' in html and ">审计</a>" in html
    assert "plan/books" not in html and "match/pairs.csv" not in html
    assert "团风县2016年度扶贫监测与考核报告" in html and "淋山河镇" in html
    assert "@page { size: A4" in html and "Noto Serif CJK SC" in html


def test_html_one_year_and_missing_inputs(tmp_path):
    m = _model(two_years=False, full=False)
    write_report(m, tmp_path, xlsx=False, links={})
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<polyline" not in html and "只有一个年度" in html
    assert "以下输入缺失" in html and "低保比对" in html and "资金审计" in html
    assert "match (" not in html and "; audit" not in html  # the page names inputs in Chinese
    assert "本次运行的其他结果" not in html  # no links section without links


def test_html_english(tmp_path):
    from jingzhun.i18n import set_lang

    set_lang("en")
    write_report(_model(), tmp_path, xlsx=False, links=None)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "poverty monitoring and assessment, 2016" in html and "Incidence by township" in html


def test_village_rows_limit(tmp_path):
    write_report(_model(), tmp_path, xlsx=False, links=None, village_rows=2)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "仅列出前 2 个村, 全部 3 个村见 indicators.csv" in html
    assert "杜皮村" not in html  # the third village is only in the CSV
    write_report(_model(), tmp_path, xlsx=True, links=None, village_rows=2)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "仅列出前 2 个村, 全部 3 个村见 indicators.xlsx" in html


def test_two_runs_identical_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_report(_model(), a, xlsx=True, links={"identify/households.csv": ""})
    write_report(_model(), b, xlsx=True, links={"identify/households.csv": ""})
    for name in ("indicators.csv", "trend.csv", "assessment.csv", "index.html", "indicators.xlsx"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_existing_links(tmp_path):
    (tmp_path / "identify").mkdir()
    (tmp_path / "identify" / "households.csv").write_text("x", encoding="utf-8")
    (tmp_path / "plan" / "books").mkdir(parents=True)
    (tmp_path / "plan" / "books" / "index.html").write_text("x", encoding="utf-8")
    assert existing_links(tmp_path) == {"identify/households.csv": "", "plan/books/index.html": ""}
    (tmp_path / "identify" / "identify.xlsx").write_text("x", encoding="utf-8")  # the workbook replaces the CSV
    assert existing_links(tmp_path) == {"identify/identify.xlsx": "", "plan/books/index.html": ""}


# ---- the command -------------------------------------------------------------------------

HH = (
    "household_id,village_code,village_name,township_name,head_name,head_id_number,household_size,registered,"
    "category,status,exit_year,wage_income,business_income,property_income,business_expense,dangerous_house,"
    "drinking_water_safe,cadre_id\n"
)
M = "household_id,id_number,name,sex,relation,health,labor,medical_insurance\n"
CADRES = "cadre_id,name,unit,rank\nC1,刘干部,县扶贫办,一般干部\n"
DIBAO = (
    "record_id,id_number,name,village_code,program,monthly_amount,start_date\nR1,{id},户主A2,{v},农村低保,300,"
    "2015-01-01\n"
)


def _id(seq: int) -> str:
    from jingzhun.ids import check_char_one

    body = f"42112119700101{seq:03d}"[:17]
    return body + check_char_one(body)


def write_dataset(root, years=(2015, 2016), dibao: bool = True):
    for year in years:
        d = root / str(year)
        d.mkdir(parents=True)
        rows, mem = [], []
        for i, (hid, v, size, reg, cat, st, ey, wage, danger, water) in enumerate(rf.HOUSEHOLDS, start=1):
            name, tname = rf.NAMES[v]
            rows.append(
                ",".join(
                    str(x)
                    for x in (
                        hid,
                        v,
                        name,
                        tname,
                        "户主" + hid,
                        _id(i),
                        1,
                        "是" if reg else "否",
                        cat or "",
                        st or "",
                        ey or "",
                        wage / size,
                        0,
                        0,
                        0,
                        "是" if danger else "否",
                        "是" if water else "否",
                        "C1" if hid == "A1" else "",
                    )
                )
            )
            mem.append(f"{hid},{_id(i)},户主{hid},男,户主,健康,普通劳动力,是")
        (d / "households.csv").write_text(HH + "\n".join(rows) + "\n", encoding="utf-8")
        (d / "members.csv").write_text(M + "\n".join(mem) + "\n", encoding="utf-8")
        (d / "cadres.csv").write_text(CADRES, encoding="utf-8")
        if dibao:
            (d / "dibao.csv").write_text(DIBAO.format(id=_id(2), v=rf.V1), encoding="utf-8")
        vrows = (
            "village_code,village_name,township_name,total_households,total_population,agricultural_population,"
            "per_capita_income,collective_income\n"
        )
        for v, n, tp, ap in (
            (rf.V1, rf.NAMES[rf.V1], 20, 10),
            (rf.V2, rf.NAMES[rf.V2], 8, ""),
            (rf.V3, rf.NAMES[rf.V3], "", ""),
        ):
            vrows += f"{v},{n[0]},{n[1]},3,{tp},{ap},5000,1\n"
        (d / "villages.csv").write_text(vrows, encoding="utf-8")
    return root


def test_cli_writes_report_and_json_equals_model(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    out = tmp_path / "out"
    r = runner.invoke(app, ["report", str(ds), "--out", str(out), "--json", "--xlsx"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    expected = json.loads(json.dumps(run_report(ds, None, None).summary(), sort_keys=True))
    assert summary == expected
    assert summary["years"] == [2015, 2016] and summary["county"]["households"] == 7
    assert summary["inputs"]["match"]["available"] and summary["inputs"]["pairing"]["available"]
    assert not summary["inputs"]["audit"]["available"] and summary["inputs"]["audit"]["note"]
    assert summary["county"]["dibao_covered_households"] == 1  # R1 links to A2 by ID
    for name in ("indicators.csv", "trend.csv", "assessment.csv", "index.html", "indicators.xlsx"):
        assert (out / "report" / name).is_file(), name
    assert "团风县" in r.stderr and "贫困发生率" in r.stderr


def test_cli_without_optional_tables(tmp_path):
    ds = write_dataset(tmp_path / "ds", years=(2016,), dibao=False)
    for f in ds.glob("2016/cadres.csv"):
        f.unlink()
    r = runner.invoke(app, ["report", str(ds), "--out", str(tmp_path / "out"), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert not s["inputs"]["match"]["available"] and s["county"]["dibao_coverage"] is None
    assert s["inputs"]["pairing"]["available"]  # the households' cadre_id column, taken as is
    assert s["years"] == [2016] and not s["inputs"]["trend"]["available"]


def test_cli_two_runs_identical(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    for out in ("o1", "o2"):
        r = runner.invoke(app, ["report", str(ds), "--out", str(tmp_path / out), "--quiet"])
        assert r.exit_code == 0 and r.stderr == ""
    for name in ("indicators.csv", "trend.csv", "assessment.csv", "index.html"):
        assert (tmp_path / "o1" / "report" / name).read_bytes() == (tmp_path / "o2" / "report" / name).read_bytes()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--year", "2030"], 2),  # no such year folder
        (["--config", "missing.toml"], 3),
    ],
)
def test_cli_exit_codes(tmp_path, args, code):
    ds = write_dataset(tmp_path / "ds", years=(2016,))
    r = runner.invoke(app, ["report", str(ds), "--out", str(tmp_path / "out"), *args])
    assert r.exit_code == code, r.output
    assert not (tmp_path / "out" / "report").exists()


def test_cli_bad_dataset_and_bad_weights(tmp_path):
    r = runner.invoke(app, ["report", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert r.exit_code == 3 and "找不到数据集" in r.stderr
    ds = write_dataset(tmp_path / "ds", years=(2016,))
    (ds / "jingzhun.toml").write_text("[indicator_weights]\nhappiness = 1\n", encoding="utf-8")
    r = runner.invoke(app, ["report", str(ds), "--out", str(tmp_path / "out")])
    assert r.exit_code == 3 and "happiness" in r.stderr


def test_cli_help():
    r = runner.invoke(app, ["report", "--help"])
    assert r.exit_code == 0 and "--xlsx" in r.stdout and "--year" in r.stdout


def test_line_chart_axis_covers_values_and_labels_stay_readable():
    from jingzhun.report import charts

    series = [{"name": "县", "main": True, "values": {2015: 0.4958, 2016: 0.3}}]
    c = charts.lines([2015, 2016], series)
    top_tick = max(float(t["label"].rstrip("%")) for t in c["yticks"])
    assert top_tick >= 49.58  # no line above the plot
    assert all(c["top"] <= d["y"] <= c["bottom_y"] for s in c["series"] for d in s["dots"])
    many = series + [{"name": f"乡{i}", "main": False, "values": {2015: 0.1, 2016: 0.1}} for i in range(20)]
    c = charts.lines([2015, 2016], many)
    assert c["unlabelled"] == 20 and [s["name"] for s in c["series"] if s["labelled"]] == ["县"]
    few = charts.lines([2015, 2016], many[:6])
    ys = sorted(s["label_y"] for s in few["series"])
    assert few["unlabelled"] == 0 and all(b - a >= 12 for a, b in zip(ys, ys[1:], strict=False))
    assert few["height"] >= ys[-1]


def test_bar_chart_scales_to_largest_and_marks_missing():
    from jingzhun.report import charts

    c = charts.bars(["a", "b", "c"], [0.2, 0.1, None], ["20%", "10%", "—"], marker=0.02)
    w = [r["width"] for r in c["rows"]]
    assert w[0] == charts.BAR_W and w[1] == charts.BAR_W / 2 and c["rows"][2]["missing"]
    assert c["marker_x"] == pytest.approx(charts.LABEL_W + 0.1 * charts.BAR_W)


def _overview(html: str) -> dict[str, str]:
    import re

    table = html.split("一、总体情况", 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<th>(.*?)</th><td[^>]*>(?:<b>)?(.*?)(?:</b>)?</td>", table)
    return dict(cells)


def test_every_overview_figure_is_what_its_label_says(tmp_path):
    """Recompute each headline figure from identify's households (and the other steps' inputs)."""
    m = _model()
    write_report(m, tmp_path / "report", xlsx=False, links=None)
    fig = _overview((tmp_path / "report" / "index.html").read_text(encoding="utf-8"))
    p = Params.load(None, None)
    ident = identify(rf.frames(), p, 2016)
    h = ident.households
    pop = h["population"].astype(float).fillna(0)
    reg = h["registered"].astype(bool)
    status = h["status"].astype("str").fillna("")
    not_exited = reg & ~status.str.startswith("已脱贫")
    poor = (h["result"] == "poor") | (
        not_exited & ~h["exit_ready"].fillna(False).astype(bool) & (h["result"] != "excluded")
    )
    poor_pop = int(pop[poor].sum())
    denominator = int(ident.county["denominator"])
    gap = reg & h[["housing_gap", "education_gap", "medical_gap", "water_gap"]].fillna(False).astype(bool).any(axis=1)
    expected = {
        "调查户数": len(h),
        "调查人口": int(pop.sum()),
        "建档立卡户数(含已脱贫)": int(reg.sum()),
        "建档立卡人口(含已脱贫)": int(pop[reg].sum()),
        "建档立卡未脱贫户数": int(not_exited.sum()),
        "建档立卡未脱贫人口": int(pop[not_exited].sum()),
        "返贫户数": int((reg & (status == "返贫")).sum()),
        "贫困人口(发生率分子)": poor_pop,
        "发生率分母(农业人口)": denominator,
        "贫困发生率": f"{poor_pop / denominator * 100:.2f}%",
        "监测户数": int((h["result"] == "edge").sum()),
        "边缘易致贫户": int((h["edge_kind"] == "边缘易致贫户").sum()),
        "脱贫不稳定户": int((h["edge_kind"] == "脱贫不稳定户").sum()),
        "三保障一安全未达标户": int(gap.sum()),
    }
    for name, value in expected.items():
        assert fig.pop(name) == (f"{value:,}" if isinstance(value, int) else value), name
    assert ident.county["incidence"] == round(poor_pop / denominator, 6)
    # The rest come from other steps' inputs: exits (exit_year), roster links, pairing, funds, audit.
    county = m.county()
    from jingzhun.report.write import fmt, label

    for key in (
        "exits_households",
        "exits_population",
        "dibao_coverage",
        "cadre_coverage",
        "cadre_planned_coverage",
        "funds_paid",
        "funds_per_registered_household",
        "audit_amount_at_risk",
    ):
        assert fig.pop(label(key)) == fmt(key, county[key]), key
    assert set(fig) == {"行政村数", "乡镇数"}
