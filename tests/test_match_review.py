"""Review round-trip, kept decisions, the command's outputs and the truth metrics."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import typer
from match_frames import A1, A3, B1, B2, dibao, households, members, row
from typer.testing import CliRunner

from jingzhun.io.write import write_csv
from jingzhun.match import cli as match_cli
from jingzhun.match.evaluate import evaluate

app = typer.Typer()
app.command("match")(match_cli.command)
app.command("noop")(lambda: None)  # keeps "match" a sub-command


def make_dataset(root: Path, rows) -> Path:
    y = root / "ds" / "2016"
    y.mkdir(parents=True)
    write_csv(households().drop(columns="_row"), y / "households.csv")
    write_csv(members().drop(columns="_row"), y / "members.csv")
    write_csv(dibao(rows).drop(columns="_row"), y / "dibao.csv")
    return root / "ds"


def invoke(*args: str):
    res = CliRunner().invoke(app, ["match", *args])
    assert res.exit_code in (0, 1), res.output + str(res.exception)
    return res


ROWS = [row("R1", "张伟", A1), row("R2", "刘丽", None, relation=None), row("R3", "王建国", B1)]


def test_command_outputs_and_json(tmp_path):
    ds = make_dataset(tmp_path, ROWS)
    out = tmp_path / "out"
    res = invoke(str(ds), "--out", str(out), "--json")
    summary = json.loads(res.stdout)
    assert summary["linked"] == 3 and summary["by_method"]["name_village"] == 1
    pairs = pd.read_csv(out / "match" / "pairs.csv", dtype=str, encoding="utf-8-sig")
    assert list(pairs.columns[:5]) == ["record_id", "household_id", "id_number", "method", "score"]
    assert pairs.set_index("record_id").loc["R1", "id_number"] == A1  # full 18 digits, as text
    assert (out / "match" / "findings.csv").is_file()


def _fill(path: Path, decisions: dict[str, str]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    header = [c.value for c in ws[1]]
    rec, dec_col = header.index("名册记录编号"), header.index("决定（确认/否认）")
    for r in ws.iter_rows(min_row=2):
        if r[rec].value in decisions:
            r[dec_col].value = decisions[r[rec].value]
    wb.save(path)


def test_review_round_trip_applies_keeps_and_reports_stale(tmp_path):
    ds = make_dataset(tmp_path, ROWS)
    out = tmp_path / "out"
    invoke(str(ds), "--out", str(out))
    review = out / "match" / "review.xlsx"
    wb = openpyxl.load_workbook(review)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[0] == "名册记录编号" and header[-1] == "决定（确认/否认）"
    body = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [b[0] for b in body] == ["R2"]  # name only, no relation: below the threshold
    assert body[0][header.index("建档立卡身份证号")] == B2 and body[0][-1] is None
    rules = ws.data_validations.dataValidation
    assert len(rules) == 1 and rules[0].type == "list" and rules[0].formula1 == '"确认,否认"'
    col = openpyxl.utils.get_column_letter(len(header))
    assert str(rules[0].sqref) == f"{col}2" and rules[0].allow_blank
    filled = tmp_path / "filled.xlsx"
    review.rename(filled)
    _fill(filled, {"R2": "确认"})

    invoke(str(ds), "--out", str(out), "--decisions", str(filled))
    pairs = pd.read_csv(out / "match" / "pairs.csv", dtype=str, encoding="utf-8-sig").set_index("record_id")
    assert pairs.loc["R2", "method"] == "manual" and pairs.loc["R2", "id_number"] == B2
    kept = ds / "match_decisions.csv"
    assert kept.is_file()

    # next year: the kept decision applies by itself
    invoke(str(ds), "--out", str(out))
    pairs = pd.read_csv(out / "match" / "pairs.csv", dtype=str, encoding="utf-8-sig").set_index("record_id")
    assert pairs.loc["R2", "method"] == "manual"

    # a decision whose record is gone is reported, not applied
    stale = pd.read_csv(kept, dtype=str, encoding="utf-8-sig")
    stale.loc[0, "record_id"] = "R-GONE"
    stale_file = tmp_path / "stale.csv"
    write_csv(stale, stale_file)
    invoke(str(ds), "--out", str(out), "--decisions", str(stale_file), "--no-keep-decisions")
    f = pd.read_csv(out / "match" / "findings.csv", dtype=str, encoding="utf-8-sig")
    assert f.loc[f["code"] == "M-DECISION-STALE", "key"].tolist() == ["R-GONE"]


def test_rejection_forbids_the_pair(tmp_path):
    ds = make_dataset(tmp_path, ROWS)
    out = tmp_path / "out"
    decisions = pd.DataFrame({"record_id": ["R2"], "household_id": ["H2"], "id_number": [B2], "decision": ["否认"]})
    write_csv(decisions, tmp_path / "d.csv")
    invoke(str(ds), "--out", str(out), "--decisions", str(tmp_path / "d.csv"))
    pairs = pd.read_csv(out / "match" / "pairs.csv", dtype=str, encoding="utf-8-sig")
    assert "R2" not in pairs["record_id"].tolist()


def test_invalid_decision_value_reported(tmp_path):
    from jingzhun.findings import Findings
    from jingzhun.match.decisions import apply_decisions
    from jingzhun.match.prepare import persons, roster, village_lookup

    per = persons(households(), members())
    ros = roster(dibao(ROWS), village_lookup(households(), None))
    f = Findings()
    d = pd.DataFrame({"record_id": ["R2"], "household_id": ["H2"], "id_number": [B2], "decision": ["也许"]})
    manual, forbidden = apply_decisions(f, d, ros, per)
    assert manual.empty and forbidden.empty
    assert f.frame()["code"].tolist() == ["M-DECISION-INVALID"]


def test_metrics_on_a_tiny_truth_file(tmp_path):
    pairs = pd.DataFrame(
        {
            "record_id": ["R1", "R2", "R3", "R4"],
            "id_number": [A1, B2, A3, B1],
            "method": ["id_exact", "name_village", "name_village", "id_fuzzy"],
            "review": [False, False, True, False],
        }
    )
    truth = pd.DataFrame(
        {
            "record_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
            "household_id": ["H1", "H2", None, "H2", "H1", None],
            "id_number": [A1, B2, None, B1, A3, None],
        }
    )
    roster_ids = pd.DataFrame(
        {
            "record_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
            "id_number": [A1, None, None, "4.21121E+17", A3[:17] + "0", None],
        }
    )
    m = evaluate(pairs, truth, roster_ids)
    o = m["overall"]
    assert (o["pairs"], o["correct"], o["true_pairs"]) == (4, 3, 4)
    assert o["precision"] == pytest.approx(0.75) and o["recall"] == pytest.approx(0.75)
    assert o["f1"] == pytest.approx(0.75)
    nv = m["by_method"]["name_village"]
    assert (nv["pairs"], nv["correct"], nv["precision"]) == (2, 1, 0.5)
    # R5 (not linked, damaged ID) is charged to id_fuzzy together with R4
    fz = m["by_method"]["id_fuzzy"]
    assert fz["true_pairs"] == 2 and fz["recall"] == pytest.approx(0.5)
    assert m["confident"]["pairs"] == 3 and m["confident"]["precision"] == 1.0


def test_truth_option_prints_metrics(tmp_path):
    ds = make_dataset(tmp_path, ROWS)
    truth = pd.DataFrame(
        {"record_id": ["R1", "R2", "R3"], "household_id": ["H1", "H2", "H2"], "id_number": [A1, B2, B1]}
    )
    write_csv(truth, tmp_path / "truth.csv")
    res = invoke(str(ds), "--out", str(tmp_path / "out"), "--truth", str(tmp_path / "truth.csv"), "--json")
    m = json.loads(res.stdout)["metrics"]
    assert m["overall"]["precision"] == 1.0 and m["overall"]["recall"] == 1.0


def test_english_review_file_round_trips(tmp_path):
    """--lang en writes review.xlsx with English titles and values; match --decisions reads them back."""
    ds = make_dataset(tmp_path, ROWS)
    out = tmp_path / "out"
    try:
        invoke(str(ds), "--out", str(out), "--lang", "en")
        review = out / "match" / "review.xlsx"
        wb = openpyxl.load_workbook(review)
        assert wb.sheetnames == ["review"]
        ws = wb.active
        header = [c.value for c in ws[1]]
        assert header[0] == "roster record ID" and header[-1] == "decision (confirm/reject)"
        assert ws.cell(2, header.index("method") + 1).value == "name + village"
        assert ws.data_validations.dataValidation[0].formula1 == '"confirm,reject"'
        ws.cell(2, len(header)).value = "confirm"
        filled = tmp_path / "filled.xlsx"
        wb.save(filled)
        invoke(str(ds), "--out", str(out), "--decisions", str(filled), "--lang", "en")
    finally:
        from jingzhun.i18n import set_lang

        set_lang("zh")
    pairs = pd.read_csv(out / "match" / "pairs.csv", dtype=str, encoding="utf-8-sig").set_index("record_id")
    assert pairs.loc["R2", "method"] == "manual" and pairs.loc["R2", "id_number"] == B2
