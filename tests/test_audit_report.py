"""Bad input never crashes and never drops money; the report model and its renderings agree."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from frames import as_file
from test_audit_helpers import add_payment, codes, keys, run, set_cell, world
from typer.testing import CliRunner

from jingzhun.audit.report import build_report
from jingzhun.audit.truth import score
from jingzhun.cli import app
from jingzhun.funds.summary import fund_summaries, summarize

D = pd.Timestamp


def _text_amounts(w: dict) -> dict:
    """The payments ledger as an export would give it: amounts as text, one unreadable."""
    pay = w["payments"].copy()
    txt = pay["amount"].map(lambda v: f"{v:,.2f}元").astype("str")
    txt[pay["payment_id"] == "F011"] = "四千元"
    txt[pay["payment_id"] == "F012"] = "-500"
    txt[pay["payment_id"] == "F013"] = "0"
    pay["amount"] = txt
    w = dict(w)
    w["payments"] = pay
    return w


def test_bad_amounts_are_findings_and_totals_match_the_ledger():
    w = _text_amounts(world())
    r = run(w)
    assert keys(r, "A-AMOUNT-UNPARSED") == ["F011"]
    assert r.findings.loc[r.findings["code"] == "A-AMOUNT-UNPARSED", "value"].tolist() == ["四千元"]
    assert keys(r, "A-AMOUNT-NONPOSITIVE") == ["F012", "F013"]
    # the ledger's sum: every readable amount (the negative one too), the unreadable one counted apart
    expected = 60000 + 80000 + 50000 + 3000 - 500 + 0 + 6000 + 3500 + 3000 + 500 + 500
    assert r.ledger.total == pytest.approx(expected)
    funds = summarize(r.ledger, w["households"], None, r.as_of)
    rep = build_report(r, funds)
    s = rep.summary
    assert s["ledger"]["payments"] == len(w["payments"])
    assert s["ledger"]["amount_total"] == pytest.approx(expected)
    assert s["ledger"]["amount_unparsed_rows"] == 1
    assert s["ledger"]["nonpositive_rows"] == 2
    for frame in (funds.by_source, funds.by_category, funds.by_township, funds.by_village):
        assert float(frame["paid"].sum()) == pytest.approx(expected)
        assert int(frame["payments"].sum()) == len(w["payments"])
        assert int(frame["unparsed"].sum()) == 1


def test_unknown_project_zero_budget_future_dates_do_not_crash():
    w = world()
    w["payments"] = set_cell(w["payments"], "payment_id", "F002", "project_id", "P404")
    w["payments"] = set_cell(w["payments"], "payment_id", "F020", "pay_date", D("2018-03-01"))
    w["payments"] = set_cell(w["payments"], "payment_id", "F021", "pay_date", pd.NaT)
    w["projects"] = set_cell(w["projects"], "project_id", "P3", "budget", 0.0)
    w["projects"] = set_cell(w["projects"], "project_id", "P2", "budget", pd.NA)
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "acceptance_date", D("2018-02-01"))
    r = run(w)
    assert keys(r, "A-UNKNOWN-PROJECT") == ["F002"]
    assert keys(r, "A-BUDGET-INVALID") == ["P2", "P3"]
    assert "A-OVER-BUDGET" not in codes(r) and "A-IDLE-FUNDS" not in codes(r)
    fut = r.findings[r.findings["code"] == "A-FUTURE-DATE"]
    assert sorted(zip(fut["table"], fut["key"], fut["column"], strict=True)) == [
        ("payments", "F020", "pay_date"),
        ("projects", "P1", "acceptance_date"),
    ]
    assert keys(r, "A-PAY-DATE-MISSING") == ["F021"]
    funds = summarize(r.ledger, w["households"], None, r.as_of)
    assert float(funds.by_source["paid"].sum()) == pytest.approx(r.ledger.total)
    assert "(项目库中无此项目)" in set(funds.by_source["fund_source"])


def test_empty_and_missing_tables():
    w = world()
    w["payments"] = w["payments"].iloc[0:0]
    r = run(w)
    assert r.ledger.total == 0 and set(r.findings["code"]) <= {"A-NOT-PUBLICISED"}
    r = run({"households": world()["households"]})
    assert r.findings.empty


def test_rendered_findings_keep_amounts_aligned():
    w = world()
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "budget", 180000.0)
    w = add_payment(
        w,
        payment_id="F900",
        household_id="H99",
        payee_name="某",
        amount=777.0,
        pay_date=D("2017-05-01"),
        measure="产业扶贫",
        purpose="产业",
        stage="一次性",
    )
    f = run(w).rendered()
    assert list(f.columns[:10]) == [
        "code",
        "severity",
        "table",
        "row",
        "column",
        "value",
        "key",
        "message",
        "basis",
        "detail",
    ]
    by_key = dict(zip(f["key"], f["amount"], strict=True))
    assert by_key["F900"] == pytest.approx(777.0) and by_key["P1"] == pytest.approx(10000.0)
    assert f.loc[f["key"] == "F900", "message"].iloc[0].startswith("拨付 F900")


def test_truth_scores_recall_and_precision():
    findings = pd.DataFrame(
        {
            "code": ["A-OVER-CAP", "A-OVER-CAP", "A-OVER-CAP", "A-NO-CONTRACT"],
            "table": ["payments", "payments", "payments", "projects"],
            "key": ["F1", "F2", "F9", "P1"],
        }
    )
    truth = pd.DataFrame(
        {
            "kind": ["over_cap", "over_cap", "duplicate", "no_contract"],
            "payment_id": ["F1", "F3", "F2", ""],
            "project_id": ["", "", "", "P1"],
            "expected_code": ["A-OVER-CAP", "A-OVER-CAP", "A-DUPLICATE-PAYMENT", "A-NO-CONTRACT"],
        }
    )
    s = score(findings, truth).set_index("expected_code")
    assert s.loc["A-OVER-CAP", "recall"] == 0.5  # F1 found, F3 missed
    assert s.loc["A-OVER-CAP", "other_injected"] == 1  # F2 was injected as a duplicate
    assert s.loc["A-OVER-CAP", "false_positive"] == 1  # F9 was never injected
    assert s.loc["A-OVER-CAP", "precision"] == 0.5
    assert s.loc["A-NO-CONTRACT", "recall"] == 1.0 and s.loc["A-DUPLICATE-PAYMENT", "recall"] == 0.0


def test_fund_summaries_api_and_completion():
    s = fund_summaries(world(), 2017)
    comp = s.completion.set_index("status")
    assert comp.loc["已验收", "projects"] == 2 and comp.loc["已审批未开工", "projects"] == 1
    tw = s.by_township.set_index("township_code")
    assert tw.loc["421121101", "registered_households"] == 7  # H09–H14 and H16 (H15 is not registered)
    assert tw.loc["421121101", "household_paid"] == pytest.approx(23500.0)
    assert set(s.frames()) == {
        "funds_by_source.csv",
        "funds_by_category.csv",
        "funds_by_township.csv",
        "funds_by_village.csv",
        "funds_completion.csv",
    }


def _write_dataset(root, frames: dict) -> None:
    y = root / "2017"
    y.mkdir(parents=True)
    for name, df in frames.items():
        out = as_file(df).copy()
        for c in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[c].dtype):
                out[c] = out[c].dt.strftime("%Y-%m-%d")
        out.to_csv(y / f"{name}.csv", index=False, encoding="utf-8-sig")


def test_cli_writes_outputs_and_json_equals_the_model(tmp_path):
    w = _text_amounts(world())
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "contract_id", pd.NA)
    _write_dataset(tmp_path / "ds", w)
    res = CliRunner().invoke(
        app,
        [
            "audit",
            str(tmp_path / "ds"),
            "--out",
            str(tmp_path / "out"),
            "--json",
            "--xlsx",
            "--config",
            str(_config(tmp_path)),
        ],
    )
    assert res.exit_code == 1, res.output  # error findings (an unreadable amount)
    d = tmp_path / "out" / "audit"
    for name in (
        "findings.csv",
        "report.html",
        "summary.json",
        "audit.xlsx",
        "funds_by_source.csv",
        "funds_by_township.csv",
        "funds_by_village.csv",
        "funds_by_category.csv",
        "funds_completion.csv",
    ):
        assert (d / name).is_file(), name
    printed = json.loads(res.stdout)
    assert printed == json.loads((d / "summary.json").read_text(encoding="utf-8"))
    assert printed["ledger"]["amount_unparsed_rows"] == 1
    f = pd.read_csv(d / "findings.csv", dtype="str", encoding="utf-8-sig")
    assert {"amount", "code", "severity", "message", "basis"} <= set(f.columns)
    assert "四千元" in set(f.loc[f["code"] == "A-AMOUNT-UNPARSED", "value"])
    assert "P1" in set(f.loc[f["code"] == "A-NO-CONTRACT", "key"])
    html = (d / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<script" not in html and "A-NO-CONTRACT" in html


def test_cli_without_a_payments_table_says_paid_is_unknown(tmp_path):
    w = world()
    del w["payments"]
    _write_dataset(tmp_path / "ds", w)
    res = CliRunner().invoke(app, ["audit", str(tmp_path / "ds"), "--out", str(tmp_path / "out")])
    assert res.exit_code in (0, 1), res.output
    warning = "没有资金拨付表 (payments): 只审计了项目库"
    assert warning in res.stderr.replace("\n", "")
    assert warning in (tmp_path / "out" / "audit" / "report.html").read_text(encoding="utf-8")
    _write_dataset(tmp_path / "ds2", world())  # with payments: no such warning
    res = CliRunner().invoke(app, ["audit", str(tmp_path / "ds2"), "--out", str(tmp_path / "out2")])
    assert warning not in res.stderr.replace("\n", "")
    assert warning not in (tmp_path / "out2" / "audit" / "report.html").read_text(encoding="utf-8")


def _config(tmp_path):
    p = tmp_path / "run.toml"
    p.write_text("[audit]\ncontract_threshold = 100000.0\n", encoding="utf-8")
    return p


def test_cli_as_of_and_bad_as_of(tmp_path):
    _write_dataset(tmp_path / "ds", world())
    runner = CliRunner()
    res = runner.invoke(
        app, ["audit", str(tmp_path / "ds"), "--out", str(tmp_path / "o"), "--as-of", "2018-06-30", "--json"]
    )
    assert res.exit_code == 0, res.output
    s = json.loads(res.stdout)
    assert s["as_of"] == "2018-06-30"
    assert {c["code"]: c["findings"] for c in s["by_check"]}["A-IDLE-FUNDS"] == 1
    res = runner.invoke(app, ["audit", str(tmp_path / "ds"), "--out", str(tmp_path / "o"), "--as-of", "明年"])
    assert res.exit_code == 2 and "--as-of" in res.stderr


@pytest.mark.parametrize(
    ("args", "threshold", "expected"),
    [([], None, 1), ([], 5, None), (["--jobs", "2"], None, 2), (["--jobs", "1"], 5, 1)],
)
def test_audit_runs_in_one_process_below_a_province_ledger_unless_jobs_asks(
    tmp_path, monkeypatch, args, threshold, expected
):
    """Spawned workers cost more than a county's audit saves: without --jobs a ledger below
    WORKERS_FROM_ROWS payment and project rows is audited here; a larger one keeps the default workers."""
    import jingzhun.audit.api as audit_api
    from jingzhun.executors import SerialExecutor

    asked: list[int | None] = []

    def fake(jobs: int | None) -> SerialExecutor:
        asked.append(jobs)
        return SerialExecutor()

    monkeypatch.setattr(audit_api, "make_executor", fake)
    if threshold is not None:
        monkeypatch.setattr(audit_api, "WORKERS_FROM_ROWS", threshold)
    _write_dataset(tmp_path / "ds", world())
    res = CliRunner().invoke(app, ["audit", str(tmp_path / "ds"), "--out", str(tmp_path / "o"), *args])
    assert res.exit_code in (0, 1), res.output
    assert asked == [expected]


# ---- issue 15: amounts at risk add up, the per-measure distribution chart --------------------


def _outlier_world() -> dict:
    from test_audit_checks import _health

    return _health(14, lambda i: 68000.0 if i == 5 else 800.0 + 10 * i)


def _report(w: dict, **over):
    r = run(w, **over)
    return build_report(r, summarize(r.ledger, w["households"], None, r.as_of), county="团风县")


def test_total_at_risk_counts_each_payment_once():
    # F900 repeats F010 (duplicate) and its project P2 loses approval: two checks flag F900, one
    # amount at risk for it
    from test_audit_helpers import pid

    w = add_payment(
        world(),
        payment_id="F900",
        project_id="P2",
        household_id="H09",
        payee_name="韩一",
        payee_id_number=pid(9),
        bank_account="6217000000000009",
        amount=3000.0,
        pay_date=D("2017-08-01"),
        measure="产业扶贫",
        purpose="产业奖补",
        stage="一次性",
    )
    w["projects"] = set_cell(w["projects"], "project_id", "P2", "approved_date", pd.NaT)
    rep = _report(w)
    f = rep.findings[rep.findings["severity"].isin(["error", "warning"])]
    assert (f["key"] == "F900").sum() >= 2  # several checks on one payment
    per_record = f.groupby(["table", "key"])["amount"].max().sum()
    assert rep.summary["at_risk"]["amount"] == pytest.approx(per_record)
    assert rep.summary["at_risk"]["amount"] < f["amount"].sum()
    html = __import__("jingzhun.render", fromlist=["render"]).render("audit/report.html", rep.context())
    assert "每笔拨付或每个项目只计一次" in html


def test_measure_distribution_chart_renders_in_the_report():
    from jingzhun.render import render

    rep = _report(_outlier_world(), audit__outlier_min_households=10)
    items = {b["label"]: b for b in rep.charts["by_measure"]}
    h = items["健康扶贫"]
    assert h["n"] == 14 and h["outliers"] == 1 and h["max"] == 68000.0
    assert 0 <= h["x_p5"] <= h["x_median"] <= h["x_p95"] < h["x_max"] <= 420
    html = render("audit/report.html", rep.context())
    svg = html[html.index('<svg class="chart ranges"') :]
    svg = svg[: svg.index("</svg>")]
    assert "健康扶贫" in svg and 'class="max out"' in svg and svg.count("<rect") == len(items)
    # a clean world: no filled (outlier) dot
    clean = render("audit/report.html", _report(world()).context())
    assert 'class="max out"' not in clean


# ---- issue 15 item 5: every finding links the payments it is about -------------------------


def _evidence_world() -> dict:
    from test_audit_helpers import pid

    w = world()
    # shared account: H10 and H11 paid into H09's account (F010 and F900 are H09's)
    w["payments"] = set_cell(w["payments"], "payment_id", "F011", "bank_account", "6217000000000009")
    w["payments"] = set_cell(w["payments"], "payment_id", "F012", "bank_account", "6217000000000009")
    w = add_payment(
        w,
        payment_id="F900",
        project_id="P3",
        household_id="H09",
        payee_name="韩一",
        payee_id_number=pid(9),
        bank_account="6217000000000009",
        amount=100.0,
        pay_date=D("2017-09-05"),
        measure="教育扶贫",
        purpose="助学",
        stage="一次性",
    )
    # duplicate: F901 repeats H03's 雨露计划 payment F020
    w = add_payment(
        w,
        payment_id="F901",
        project_id="P3",
        household_id="H03",
        payee_name="孙一",
        payee_id_number=pid(3),
        bank_account="6217000000000003",
        amount=3000.0,
        pay_date=D("2017-12-01"),
        measure="雨露计划",
        purpose="雨露计划职业教育补助",
        stage="一次性",
    )
    w["projects"] = set_cell(w["projects"], "project_id", "P1", "publicity_start", pd.NaT)  # a project finding
    return w


def test_evidence_sheet_links_each_finding_to_its_payments():
    rep = _report(_evidence_world())
    ev = next(v for k, v in rep.sheets.items() if k in ("证据", "evidence"))
    rows = {(r.code, r.key, r.payment_id): r for r in ev.itertuples()}
    # the duplicate and the payment it repeats, with dates and amounts
    assert ("A-DUPLICATE-PAYMENT", "F901", "F901") in rows and ("A-DUPLICATE-PAYMENT", "F901", "F020") in rows
    first = rows[("A-DUPLICATE-PAYMENT", "F901", "F020")]
    assert first.pay_date == "2017-09-01" and first.pay_amount == 3000.0 and first.household_id == "H03"
    # the shared account: the flagged payment, the other (main) household and its payments into the account
    own = rows[("A-SHARED-ACCOUNT", "F011", "F011")]
    assert own.other_household == "H09" and own.household_id == "H10"
    assert {("A-SHARED-ACCOUNT", "F011", "F010"), ("A-SHARED-ACCOUNT", "F011", "F900")} <= set(rows)
    # a project finding lists the project's payments
    assert {("A-NOT-PUBLICISED", "P1", p) for p in ("F001", "F002", "F003")} <= set(rows)
    # every payment finding has its own payment row
    f = rep.findings[rep.findings["table"] == "payments"]
    assert set(zip(f["code"], f["key"], f["key"], strict=True)) <= set(rows)


def test_evidence_sheet_is_written_to_the_workbook(tmp_path):
    from jingzhun.audit.pipeline import write_report

    rep = _report(_evidence_world())
    write_report(rep, tmp_path, xlsx=True)
    sheets = pd.read_excel(tmp_path / "audit.xlsx", sheet_name=None, dtype="str", engine="openpyxl")
    ev = sheets.get("证据", sheets.get("evidence"))
    assert ev is not None and len(ev) >= 6
    assert "F020" in set(ev.iloc[:, 3])
