"""The fast card path (plan/cardtext.py) writes exactly what the packaged card macros render."""

from __future__ import annotations

import pandas as pd
import pytest
from markupsafe import Markup
from plan_frames import V1, V3, cadres, households, members

from jingzhun import render
from jingzhun.params import Params
from jingzhun.plan import cardtext, docs
from jingzhun.plan.api import county_info
from jingzhun.plan.books import packaged
from jingzhun.plan.core import make_plans
from jingzhun.plan.measures import MeasureRule


def _model(tricky: bool):
    h, m, c = households(), members(), cadres()
    if tricky:
        h["head_name"] = h["head_name"].astype(object)
        h.loc[0, "head_name"] = "王<b>&\"'\x07䶮"  # markup, quotes and a control character
        h.loc[1, "group_name"] = None  # no group
        h.loc[2, "other_causes"] = "缺技术,缺资金"
        h.loc[2, "registered"] = False  # listed in the 农户名册 without a card
        m = m[m["household_id"] != "H007"]  # a card without members
        m = m.assign(health=m["health"].astype(object))
        m.loc[m.index[0], "health"] = "患有大病 & <慢病>"
        c = c.iloc[[0]].assign(
            phone=pd.array([None], dtype="str"),  # one cadre, no phone, cap 1:
            max_households=pd.array([1], dtype="Int64"),
        )  # the others stay unpaired
        h = h.assign(head_name=h["head_name"].astype("str"))
        m = m.assign(health=m["health"].astype("str"))
    p = Params.load()
    ident = pd.DataFrame(
        {
            "household_id": ["H001", "H002", "H003", "H006", "H007"],
            "per_capita_net_income": [1166.67, None, 625.0, 750.0, 9500.0],
            "exit_ready": pd.array([False, False, False, False, True], dtype="boolean"),
            "exit_blockers": ["I-EXIT-INCOME;I-GAP-HOUSING", "", "I-EXIT-INCOME", "I-EXIT-INCOME", ""],
            "result": ["poor", "poor", "edge", "not_poor", "not_poor"],
        }
    )
    # H006 gets no measure at all: only 因病 households match this rule table
    rules = [MeasureRule("r1", (("main_cause:因病", True),), "健康扶贫", "医保 <大病> & 救助")] if tricky else None
    result = make_plans(h, m, c, p, 2016, ident, rules)
    return docs.build(result, h, m, c, None, county_info(p), 2016, ident)


@pytest.mark.parametrize("tricky", [False, True])
@pytest.mark.parametrize("village", [V1, V3])
def test_fast_cards_equal_the_macros(tricky, village):
    model = _model(tricky)
    a, b = model.village_bounds[village]
    ra, rb = model.roster_bounds[village]
    slow = model.village_context(village)
    for name, fmt in (("plan/village_book.html", "html"), ("plan/village_book.docx.xml", "docx")):
        cards = getattr(cardtext, f"{fmt}_cards")(model, a, b)
        rows = getattr(cardtext, f"{fmt}_roster")(model, ra, rb)
        fast = render.render(
            name, {**slow, f"cards_{fmt}": Markup("".join(cards)), f"roster_{fmt}": Markup("".join(rows))}
        )
        assert fast == render.render(name, slow)


@pytest.mark.parametrize("tricky", [False, True])
def test_fast_township_register_equals_the_template(tricky):
    model = _model(tricky)
    for tcode in model.township_codes():
        rows = model.township_villages(tcode)
        a, b = model.village_bounds[rows[0]["village_code"]][0], model.village_bounds[rows[-1]["village_code"]][1]
        slow = model.township_context(tcode)
        fast = {**slow, "register_html": Markup("".join(cardtext.html_register(model, a, b)))}
        html = render.render("plan/township_register.html", fast)
        assert html == render.render("plan/township_register.html", slow)
        assert html.count('<td class="measures">') == b - a
    if tricky:  # unpaired households (one cadre with a cap of 1) read 未落实
        every = "".join(cardtext.html_register(model, 0, len(model.cards)))
        assert "<td>未落实</td>" in html and "王&lt;b&gt;&amp;" in every


def test_tricky_values_are_escaped_and_cleaned():
    model = _model(True)
    a, b = model.village_bounds[V1]
    html = "".join(cardtext.html_cards(model, a, b))
    assert "王&lt;b&gt;&amp;&#34;&#39;䶮" in html and "\x07" not in html
    ra, rb = model.roster_bounds[V1]
    rows = cardtext.html_roster(model, ra, rb)
    assert len(rows) == 3 and sum('<a href="#h-' in r for r in rows) == 2 and any("<td>否</td>" in r for r in rows)
    assert "患有大病 &amp; &lt;慢病&gt;" in html
    a, b = model.village_bounds[V3]
    html = "".join(cardtext.html_cards(model, a, b))
    assert "无成员信息" in html and "未匹配到帮扶措施" in html and "暂未落实帮扶责任人" in html and "已达到" in html


def test_user_card_template_turns_the_fast_path_off(tmp_path):
    assert packaged(("plan/_card.html",), None)
    d = tmp_path / "tpl" / "plan"
    d.mkdir(parents=True)
    (d / "_card.html").write_text(
        "{% macro card(c, year, county) %}<p>{{ c.head_name }}</p>{% endmacro %}\n", encoding="utf-8"
    )
    assert not packaged(("plan/village_book.html", "plan/_card.html"), tmp_path / "tpl")
    assert packaged(("plan/village_book.docx.xml", "plan/_card.docx.xml"), tmp_path / "tpl")
