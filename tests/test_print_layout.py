"""Printed documents as a county office uses them (issue 11, items 9-12), asserted on the
rendered HTML/CSS and WordprocessingML; tests/test_print.py prints them with Chromium."""

from __future__ import annotations

import html
import re
from datetime import date
from html.parser import HTMLParser

import pandas as pd
import pytest
from plan_frames import T1, V1, cadres, households, members, projects

from jingzhun import render
from jingzhun.params import Params
from jingzhun.plan import cardtext, docs
from jingzhun.plan.api import county_info
from jingzhun.plan.core import make_plans
from jingzhun.plan.notices import common, household_notices, project_notices, project_rows
from jingzhun.report import charts


def _model() -> docs.DocModel:
    p = Params.load()
    ident = pd.DataFrame(
        {
            "household_id": ["H001", "H002", "H003", "H006", "H007"],
            "per_capita_net_income": [1166.67, 500.0, 625.0, 750.0, 9500.0],
            "exit_ready": pd.array([False, False, False, False, True], dtype="boolean"),
            "exit_blockers": ["I-EXIT-INCOME;I-GAP-HOUSING", "I-EXIT-INCOME", "I-EXIT-INCOME", "I-EXIT-INCOME", ""],
        }
    )
    result = make_plans(households(), members(), cadres(), p, 2016, ident)
    return docs.build(result, households(), members(), cadres(), None, county_info(p), 2016, ident)


# ---- text content of both formats ----------------------------------------------------


class _Text(HTMLParser):
    """The visible text of an HTML body (style and title left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("style", "title", "head")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("style", "title", "head")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(doc: str) -> str:
    p = _Text()
    p.feed(doc)
    return re.sub(r"\s+", "", "".join(p.parts))


def docx_text(body: str) -> str:
    body = body.replace("<w:noBreakHyphen/>", "<w:t>-</w:t>")
    return re.sub(r"\s+", "", html.unescape("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", body))))


def _card_xml(c: dict, model: docs.DocModel) -> str:
    t = render.environment().from_string('{% from "plan/_card.docx.xml" import card %}{{ card(c, year, county) }}')
    return t.render(c=c, year=model.year, county=model.county)


def _card_html(c: dict, model: docs.DocModel) -> str:
    t = render.environment().from_string('{% from "plan/_card.html" import card %}{{ card(c, year, county) }}')
    return t.render(c=c, year=model.year, county=model.county)


# ---- item 10: the Word card and the notices carry what the HTML carries ------------------


def test_word_card_has_the_html_cards_content():
    model = _model()
    cards = model.card_records(0, len(model.cards))
    bare = {**cards[0], "members": [], "measures": [], "cadre_name": "", "group_name": "", "category": "", "income": ""}
    for c in [*cards, bare]:
        h, x = html_text(_card_html(c, model)), docx_text(_card_xml(c, model))
        assert h == x, c["household_id"]
    book = model.village_context(V1)
    assert html_text(render.render("plan/village_book.html", book)) == docx_text(
        render.render("plan/village_book.docx.xml", book)
    )
    x = _card_xml(cards[0], model)
    assert "务工状况" in x and "与户主关系" in x and "帮扶责任人编号" not in x
    assert "无成员信息" in _card_xml(bare, model) and "—" in _card_xml(bare, model)
    # the fast path of the books writes the same
    fast = "".join(cardtext.docx_cards(model, 0, len(model.cards)))
    assert docx_text(fast) == "".join(docx_text(_card_xml(c, model)) for c in cards)


def _notice(kind: str) -> tuple[str, str]:
    p = Params.load()
    ident = pd.DataFrame({"household_id": ["H007"], "exit_ready": pd.array([True], dtype="boolean")})
    nc = common(kind, p, 2016, date(2016, 3, 1))
    if kind == "projects":
        ns = project_notices(projects(), households(), None, nc.county)
        code, place = T1, "团风县回龙山镇"
    else:
        ns = household_notices(kind, households(), None, 2016, identified=ident)
        code = str(ns.rows["unit"].iloc[0])
        place = "团风县回龙山镇回龙村"
    rows = ns.rows[ns.rows["unit"] == code].to_dict("records")
    unit = {"code": code, "name": "", "place": place, "township_code": code[:9], "township_name": "", "total": "1.00"}
    h = render.render("notice/notice.html", {"n": nc.context(), "unit": unit, "rows": rows})
    x = render.render("notice/notice.docx.xml", {"n": nc.context(), "items": [{"unit": unit, "rows": rows}]})
    return h, x


@pytest.mark.parametrize("kind", ["identification", "exit", "projects"])
def test_notice_html_and_docx_say_the_same_and_titles_break_between_words(kind):
    h, x = _notice(kind)
    assert html_text(h) == docx_text(x)
    place = "团风县回龙山镇" if kind == "projects" else "团风县回龙山镇回龙村"
    # HTML: place and name are unbreakable pieces; DOCX: one line break, between them
    assert re.search(rf'<h1 class="words"><span>{place}</span><span>2016年[^<]+</span></h1>', h)
    assert ".notice h1.words span { display: inline-block; }" in h
    title = re.search(r'<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr>(.*?)</w:p>', x).group(1)
    assert title.count("<w:br/>") == 1 and re.search(rf">{place}</w:t><w:br/><w:t[^>]*>2016年", title)


# ---- item 9: the township register ------------------------------------------------------


def test_township_register_is_landscape_with_a_wide_measures_column():
    model = _model()
    out = render.render("plan/township_register.html", model.township_context(T1))
    assert re.search(r"@page \{ size: A4 landscape;", out)
    assert re.search(r"table\.register \.measures \{ width: (\d+)%; white-space: normal; \}", out)
    assert int(re.search(r"\.measures \{ width: (\d+)%", out).group(1)) >= 35
    assert "table.register th, table.register td { padding: 1pt 3pt; white-space: nowrap; }" in out
    rows = re.findall(r"<tr><td class=\"num\">\d+</td>.*?</tr>", out.split("二、建档立卡户名册")[1])
    assert rows and all(r.count('class="measures"') == 1 for r in rows)


# ---- item 11: headings stay with their text; dates stay whole; no end date said ----------


def test_headings_never_end_a_page():
    css = render.render("base/print.css", {})
    assert re.search(
        r"h1, h2, h3, \.title, \.keep-next, h2 \+ p\.muted, h3 \+ p\.muted \{ break-after: avoid; "
        r"page-break-after: avoid; \}",
        css,
    )
    book = render.render("plan/village_book.html", _model().village_context(V1))
    assert re.search(r'<h2>三、农户名册</h2>\n<p class="muted keep-next">', book)
    # Word: every heading style (and the note under one) keeps with the next paragraph
    for style in ("Title", "Subtitle", "Heading1", "Heading2", "Note"):
        assert re.search(rf'w:styleId="{style}">.*?<w:keepNext/>.*?</w:style>', render._STYLES)
    xml = render.render("plan/village_book.docx.xml", _model().village_context(V1))
    assert '<w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t xml:space="preserve">三、农户名册' in xml
    assert re.search('三、农户名册</w:t></w:r></w:p>\n<w:p><w:pPr><w:pStyle w:val="Note"/>', xml)


def test_project_period_says_a_missing_date_and_dates_never_break_at_the_hyphen():
    p = projects()
    p["completion_date"] = pd.to_datetime(["2016-10-31", None, None])
    p["start_date"] = pd.to_datetime(["2016-04-01", None, "2016-05-01"])
    villages = pd.DataFrame(
        {"village_code": [V1], "village_name": ["回龙村"], "township_code": [T1], "township_name": ["回龙山镇"]}
    )
    rows = project_rows(p, villages, "421121")
    period = dict(zip(rows["project_id"], rows["period"], strict=True))
    assert period == {"P1": "2016-04-01至2016-10-31", "P2": "", "P3": "2016-05-01至（完成日期未定）"}
    h, x = _notice("projects")
    assert '<td><span class="nowrap">2016-04-01</span>至<span class="nowrap">2016-10-31</span></td>' in h
    assert "2016<w:noBreakHyphen/>" in x.replace(
        '</w:t><w:noBreakHyphen/><w:t xml:space="preserve">', "<w:noBreakHyphen/>"
    )
    assert not re.search(r"\d{4}-\d\d-\d\d", "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", x)))


# ---- item 12: the trend chart ------------------------------------------------------------


def _ten_townships() -> list[dict]:
    county = {"name": "团风县", "main": True, "values": {2014: 0.27, 2015: 0.19, 2016: 0.156}}
    towns = [
        {"name": f"第{i}乡镇", "main": False, "values": {2014: 0.25 + i / 100, 2015: 0.18, 2016: 0.15 + i / 1000}}
        for i in range(10)
    ]
    return [towns[0], county, *towns[1:]]


def test_trend_lines_have_distinct_print_safe_styles_and_the_county_is_bold():
    c = charts.lines([2014, 2015, 2016], _ten_townships())
    styles = [(s["stroke"], s["dash"]) for s in c["series"]]
    assert len(set(styles)) == 11
    county = next(s for s in c["series"] if s["main"])
    assert county["dash"] == "" and county["stroke"] == "#000"
    assert all(s["dash"] and s["width"] < county["width"] for s in c["series"] if not s["main"])
    assert all(
        s["stroke"] in ("#000", "#333", "#888") for s in c["series"]
    )  # greys: a black-and-white printer keeps them apart


def test_trend_labels_sit_at_their_line_ends_without_overlap():
    c = charts.lines([2014, 2015, 2016], _ten_townships())
    s = sorted(c["series"], key=lambda s: s["label_y"])
    assert all(b["label_y"] - a["label_y"] >= 12 for a, b in zip(s, s[1:], strict=False))
    # the block of names is centred on the line ends, not pushed below them
    mean_label = sum(x["label_y"] - 4 for x in s) / len(s)
    mean_end = sum(x["end_y"] for x in s) / len(s)
    assert abs(mean_label - mean_end) < 1
    # each name is joined to its own line end
    assert all(
        x["leader"]["x1"] > x["end_x"] and x["leader"]["y1"] == x["end_y"] and x["leader"]["y2"] == x["label_y"] - 4
        for x in s
    )
    assert c["height"] >= max(x["label_y"] for x in s)
    # names keep the order of their line ends
    assert [x["name"] for x in s] == [x["name"] for x in sorted(c["series"], key=lambda x: x["end_y"])]


def test_spread_keeps_apart_labels_in_place():
    assert charts.spread([10.0, 50.0, 90.0]) == [10.0, 50.0, 90.0]
    assert charts.spread([50.0, 50.0]) == [43.5, 56.5]
    assert charts.spread([0.0, 0.0], low=5) == [5.0, 18.0]
