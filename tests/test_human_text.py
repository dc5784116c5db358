"""What a person reads names things in words: no rule ids, table or column names, ID
classification codes or spec references in cards, messages, terminal tables and bases."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest
from test_render import _model
from test_validate_cli import findings_csv, invoke, write_dataset
from test_validate_fixtures import year_frames

from jingzhun.catalogue import CATALOGUE
from jingzhun.findings import Findings
from jingzhun.findings_view import summary_table
from jingzhun.i18n import set_lang
from jingzhun.match.cli import METHOD_LABELS
from jingzhun.match.core import METHODS
from jingzhun.plan.books import render_card
from jingzhun.plan.measures import PACKAGED


def _rule_ids() -> list[str]:
    with PACKAGED.open(encoding="utf-8") as fh:
        return [r["rule_id"] for r in csv.DictReader(fh)]


def test_card_basis_column_names_reasons_not_rule_ids():
    model, _ = _model()
    html = render_card(model.card(0), 2016, model.county)
    cells = re.findall(r'<td class="muted">([^<]*)</td>', html)
    assert cells, "the card lists measures"
    words = {w for c in cells for w in re.split(r"[、,]", c)}
    assert not words & set(_rule_ids()), words
    assert "危房户" in words


def test_roster_id_message_names_the_roster_and_the_defect_in_words(tmp_path):
    f = year_frames()
    f["dibao"].loc[0, "id_number"] = f["dibao"].loc[0, "id_number"][:17] + (
        "0" if f["dibao"].loc[0, "id_number"][17] != "0" else "1"
    )
    ds = write_dataset(tmp_path / "ds", f)
    invoke("validate", str(ds), "--out", str(tmp_path / "out"))
    df = findings_csv(tmp_path / "out")
    row = df[df["code"] == "V-ROSTER-ID-INVALID"].iloc[0]
    assert row["table"] == "dibao" and row["column"] == "id_number"  # machine columns stay canonical
    assert row["message"].startswith("低保名册 第 1 行")
    assert "dibao" not in row["message"] and "bad_checksum" not in row["message"]
    assert "校验码错误" in row["message"]


def test_column_names_in_messages_are_chinese_headers_and_english_stays_english():
    f = Findings()
    f.add("M-BENEFIT-MISMATCH", table="households", key="H1", column="dibao_benefit", detail="x")
    zh = f.render("zh")["message"].iloc[0]
    assert "低保金" in zh and "dibao_benefit" not in zh
    assert "dibao_benefit" in f.render("en")["message"].iloc[0]


def _table_text(table) -> str:
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(table)
    return console.export_text()


def test_terminal_summary_shows_titles_with_the_code_in_brackets():
    set_lang("zh")
    f = Findings()
    f.add("I-INCOME-ABOVE-EDGE", key=["H1", "H2"], value=["9000", "9100"], detail="边缘线 4282.5 元")
    text = _table_text(summary_table(f.render("zh")))
    assert "收入超过边缘线 (I-INCOME-ABOVE-EDGE)" in text


def test_match_passes_have_chinese_labels():
    set_lang("zh")
    from jingzhun.i18n import t

    labels = {m: t(*METHOD_LABELS[m]) for m in METHODS}
    assert labels["id_exact"] == "身份证号一致" and labels["name_village"] == "姓名+村一致"
    assert not any(re.search(r"[a-z]+_[a-z]+", v) for v in labels.values())


def test_every_code_has_a_chinese_title():
    for code, r in CATALOGUE.items():
        title = r.title_for("zh")
        assert title and "{" not in title and not re.search(r"[a-z]+_[a-z]+", title), code


@pytest.mark.parametrize(("lang", "longest"), [("zh", 30), ("en", 80)])
def test_every_title_reads_as_a_title(lang: str, longest: int):
    """A summary line names the finding, not a message with its fields taken out ("= is duplicated",
    "'' is not one of the listed labels", a whole sentence with {key} left in)."""
    for code, r in CATALOGUE.items():
        title = r.title_for(lang)
        assert "{" not in title and re.match(r"[A-Za-z0-9\u4e00-\u9fff]", title), (code, title)
        assert len(title) <= longest, (code, title)
        # a field taken out of the middle leaves empty quotes or a gap before punctuation
        assert not re.search(r"「」|''|\"\"|\s[,:;)]|\s{2}|\(\s*\)", title), (code, title)


def test_displayed_table_names_leave_the_stored_frame_alone():
    f = Findings()
    f.add("V-REQUIRED-EMPTY", table="members", row=3, column="name")
    r = f.render("zh")
    assert r["table"].iloc[0] == "members" and r["column"].iloc[0] == "name"
    assert r["message"].iloc[0] == "家庭成员 第 3 行: 必填项 姓名 为空"
    assert isinstance(r, pd.DataFrame)


_SPEC_REF = re.compile(r"domain\.md|data-contract §|§\s*\d|\[[SC]\d+\]|\b[SC]\d{1,2}\b")


def test_no_basis_cites_the_developer_specs():
    for code, r in CATALOGUE.items():
        for text in (r.basis_zh, r.basis_en):
            assert text, code
            assert not _SPEC_REF.search(text), (code, text)
    toml = (PACKAGED.parent.parent / "params_default.toml").read_text(encoding="utf-8")
    assert "domain.md" not in toml


def test_cited_documents_are_listed_in_docs_sources():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sources = (root / "docs" / "sources.md").read_text(encoding="utf-8")
    assert "docs/sources.md" in (root / "README.md").read_text(encoding="utf-8")
    numbers = {n for r in CATALOGUE.values() for n in re.findall(r"[^\s(（;]+〔\d{4}〕\d+号", r.basis_zh)}
    assert numbers, "bases cite documents by number"
    for n in numbers:
        assert n in sources, n
    titles = {t for r in CATALOGUE.values() for t in re.findall(r"《[^》]+》", r.basis_zh)}
    for title in titles:
        assert title.strip("《》") in sources, title


def _notes(n: int) -> Findings:
    f = Findings()
    f.add(
        "V-ID-REGION",
        table="members",
        row=list(range(1, n + 1)),
        column="id_number",
        value=[f"4211001990010{i:05d}" for i in range(n)],
        detail="421100",
    )
    f.add("V-HEAD-MISSING", table="members", key="H1")
    return f


def test_terminal_summary_of_500_identical_notes_is_one_line_with_a_count():
    set_lang("zh")
    text = _table_text(summary_table(_notes(500).render("zh")))
    lines = [ln for ln in text.splitlines() if "V-ID-REGION" in ln]
    assert len(lines) == 1 and "500" in lines[0]
    assert text.count("4211001990010") == 1  # one example for a note; every row is in the findings file


def test_run_findings_page_has_one_line_per_code_and_names_the_file():
    from jingzhun.findings_view import findings_page

    set_lang("zh")
    html = findings_page(_notes(500).render("zh"), {"V-ID-REGION": "validate/findings.csv"}, "2016 年度问题汇总")
    rows = [r for r in html.split("<tr>") if "V-ID-REGION" in r]
    assert len(rows) == 1
    assert '<td class="num">500</td>' in rows[0] and "等 497 条" in rows[0]
    assert 'href="../validate/findings.csv"' in rows[0]
    assert html.count("4211001990010") == 3
    assert html.index("户没有户主") < html.index("证件号码地址码不属于本县")  # errors before notes


def test_identify_and_match_terminal_tables_print_titles_not_bare_codes(tmp_path):
    from pathlib import Path

    from typer.testing import CliRunner

    from jingzhun.cli import app

    sample = Path(__file__).resolve().parent.parent / "data-sample"
    runner = CliRunner()
    env = {"COLUMNS": "220"}
    r = runner.invoke(app, ["identify", str(sample), "--out", str(tmp_path / "i"), "--lang", "zh"], env=env)
    assert r.exit_code in (0, 1), r.stderr
    assert "(I-INCOME-" in r.stderr
    assert not re.search(r"│ [IVMPAR]-[A-Z0-9-]+ ", r.stderr), r.stderr
    m = runner.invoke(app, ["match", str(sample), "--out", str(tmp_path / "m"), "--lang", "zh"], env=env)
    assert m.exit_code in (0, 1), m.stderr
    assert "身份证号一致" in m.stderr and "姓名+村一致" in m.stderr
    assert not re.search(r"│ (id_exact|name_village|id_fuzzy|[IVMPAR]-[A-Z0-9-]+) ", m.stderr), m.stderr
