"""The one Jinja2 environment: strictness, escaping, user overrides, DOCX, golden documents."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import docx
import pandas as pd
import pytest
from conftest import regen_requested
from plan_frames import T1, V1, cadres, households, members, projects, write_dataset
from tuanfeng import tuanfeng
from typer.testing import CliRunner

from jingzhun import render
from jingzhun.cli import app
from jingzhun.errors import TemplateError
from jingzhun.plan import docs
from jingzhun.plan.api import county_info
from jingzhun.plan.core import make_plans
from jingzhun.plan.notices import common, household_notices, project_notices

GOLDEN = Path(__file__).resolve().parent / "golden"


def compare_golden(path: Path, text: str, regen: bool) -> None:
    """``text`` must equal the golden file ``path``; with ``regen`` the file is rewritten first."""
    if regen:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.is_file(), f"golden file {path.name} missing; regenerate: pytest tests/test_render.py --regen-golden"
    assert text.encode("utf-8") == path.read_bytes(), (
        f"{path.name} differs from its golden file (pytest tests/test_render.py --regen-golden to accept)"
    )


@pytest.fixture
def check_golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare with ``tests/golden/<name>`` (``--regen-golden`` or JINGZHUN_REGEN_GOLDEN=1 rewrites it)."""
    regen = regen_requested(request.config)
    return lambda name, text: compare_golden(GOLDEN / name, text, regen)


def test_regen_golden_option_rewrites_and_default_compares(tmp_path, request):
    assert request.config.getoption("--regen-golden") in (False, True)  # the option exists
    target = tmp_path / "golden" / "x.html"
    compare_golden(target, "新", regen=True)
    assert target.read_text(encoding="utf-8") == "新"
    compare_golden(target, "新", regen=False)
    with pytest.raises(AssertionError, match="--regen-golden"):
        compare_golden(target, "旧", regen=False)


def user_templates(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / "tpl" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return tmp_path / "tpl"


# ---- the environment --------------------------------------------------------------


def test_missing_field_names_template_line_and_field(tmp_path):
    d = user_templates(tmp_path, "x/t.html", "<p>ok</p>\n<p>{{ household.head_nmae }}</p>\n")
    with pytest.raises(TemplateError) as e:
        render.render("x/t.html", {"household": {"head_name": "张三"}}, d)
    msg = e.value.message
    assert "t.html" in msg and "2" in msg and "head_nmae" in msg


def test_syntax_error_names_file_and_line(tmp_path):
    d = user_templates(tmp_path, "x/s.html", "a\nb\n{% for x in y %}\n")
    with pytest.raises(TemplateError) as e:
        render.get_template("x/s.html", d)
    assert "s.html" in e.value.message and "第 3 行" in e.value.message


def test_user_folder_overrides_packaged_template(tmp_path):
    d = user_templates(tmp_path, "plan/card.html", "自定义 {{ household.head_name }}\n")
    assert render.render("plan/card.html", {"household": {"head_name": "䶮"}}, d) == "自定义 䶮\n"
    assert "自定义" not in render.render("plan/card.html", {"household": _card(), "year": 2016, "county": _county()})


def test_html_is_escaped_and_missing_values_blank(tmp_path):
    d = user_templates(tmp_path, "x/e.html", "{{ a }}|{{ b }}|{{ c | money }}|{{ d | cn_date }}")
    out = render.render("x/e.html", {"a": "<script>", "b": None, "c": 1234.5, "d": date(2016, 3, 1)}, d)
    assert out == "&lt;script&gt;||1,234.50|2016年3月1日"


def test_mask_filters():
    assert render.mask_id("421121199001011234") == "421121********1234"
    assert render.mask_phone("13812345678") == "138****5678"


def test_docx_is_valid_escaped_and_deterministic(tmp_path):
    d = user_templates(
        tmp_path,
        "x/d.docx.xml",
        '{% extends "base/document.docx.xml" %}'
        '{% block body %}{{ w.p(t, "Title") }}{{ w.table(["名", "值"], rows, (3000, 3000)) }}{% endblock %}',
    )
    ctx = {"t": "A&B <标题>", "rows": [["李𠀀明", "王䶮"], ["x\x01y", None]]}
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    render.render_docx("x/d.docx.xml", ctx, a, d)
    render.render_docx("x/d.docx.xml", ctx, b, d)
    assert a.read_bytes() == b.read_bytes()
    doc = docx.Document(io.BytesIO(a.read_bytes()))
    assert doc.paragraphs[0].text == "A&B <标题>"
    assert doc.tables[0].cell(1, 0).text == "李𠀀明" and doc.tables[0].cell(2, 0).text == "xy"


def test_cli_exits_3_naming_the_broken_user_template(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    d = user_templates(tmp_path, "plan/township_register.html", "{{ township.nmae }}\n")
    r = CliRunner().invoke(app, ["plan", str(ds), "--out", str(tmp_path / "out"), "--templates", str(d)])
    assert r.exit_code == 3
    assert "township_register.html" in r.output and "nmae" in r.output
    assert not (tmp_path / "out" / "plan").exists()  # nothing half-written left looking complete
    d2 = user_templates(tmp_path, "notice/notice.html", "{% if %}\n")
    r = CliRunner().invoke(
        app, ["notice", str(ds), "--date", "2016-03-01", "--out", str(tmp_path / "out"), "--templates", str(d2)]
    )
    assert r.exit_code == 3 and "notice.html" in r.output and "第 1 行" in r.output


# ---- golden documents (fixed inputs, identification not involved) -----------------


def _county() -> dict:
    return county_info(tuanfeng())


def _model():
    p = tuanfeng()
    ident = pd.DataFrame(
        {
            "household_id": ["H001", "H002", "H003", "H006", "H007"],
            "per_capita_net_income": [1166.67, 500.0, 625.0, 750.0, 9500.0],
            "exit_ready": pd.array([False, False, False, False, True], dtype="boolean"),
            "exit_blockers": ["I-EXIT-INCOME;I-GAP-HOUSING", "I-EXIT-INCOME", "I-EXIT-INCOME", "I-EXIT-INCOME", ""],
        }
    )
    result = make_plans(households(), members(), cadres(), p, 2016, ident)
    return docs.build(result, households(), members(), cadres(), None, _county(), 2016, ident), ident


def _card() -> dict:
    model, _ = _model()
    return model.card(0)


def test_golden_card(check_golden):
    model, _ = _model()
    from jingzhun.plan.books import render_card

    check_golden("card_H001.html", render_card(model.card(0), 2016, model.county))


def test_golden_village_book(check_golden):
    model, _ = _model()
    ctx = model.village_context(V1)
    check_golden(f"book_{V1}.html", render.render("plan/village_book.html", ctx))
    check_golden(f"book_{V1}.docx.xml", render.render("plan/village_book.docx.xml", ctx))


@pytest.mark.parametrize("kind", ["identification", "exit", "projects"])
def test_golden_notice(kind, check_golden):
    p = tuanfeng()
    model, ident = _model()
    nc = common(kind, p, 2016, date(2016, 3, 1))
    if kind == "projects":
        ns = project_notices(projects(), households(), None, nc.county)
        unit_code, place = T1, "团风县回龙山镇"
    else:
        ns = household_notices(kind, households(), None, 2016, identified=ident)
        unit_code = V1 if kind == "identification" else "421121200001"
        place = "团风县回龙山镇回龙村" if kind == "identification" else "团风县杜皮乡杜皮村"
    rows = ns.rows[ns.rows["unit"] == unit_code].to_dict("records")
    unit = {
        "code": unit_code,
        "name": "",
        "place": place,
        "township_code": unit_code[:9],
        "township_name": "",
        "total": f"{sum(r.get('budget_value', 0) for r in rows):,.2f}" if kind == "projects" else "",
    }
    html = render.render("notice/notice.html", {"n": nc.context(), "unit": unit, "rows": rows})
    check_golden(f"notice_{kind}.html", html)
    body = render.render("notice/notice.docx.xml", {"n": nc.context(), "items": [{"unit": unit, "rows": rows}]})
    check_golden(f"notice_{kind}.docx.xml", body)
    with zipfile.ZipFile(io.BytesIO(_docx_bytes(body))) as z:
        assert "word/document.xml" in z.namelist()


def _docx_bytes(body: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in render.docx_bytes_parts(body):
            z.writestr(name, text)
    docx.Document(io.BytesIO(buf.getvalue()))  # opens: the XML is well-formed
    return buf.getvalue()
