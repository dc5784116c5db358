"""The packaged card templates (and the 农户名册 rows) as column operations (the fast path of the village books).

A village book holds a card for every carded household; rendering each card through a
Jinja macro costs about a millisecond, which at county scale is most of the run. Here
the packaged ``plan/_card.html`` and ``plan/_card.docx.xml`` are written out as
string concatenation over whole columns (pyarrow), member and measure rows included.
The templates stay the reference: tests assert that these functions give byte for byte
what the macros render, and :mod:`jingzhun.plan.books` uses the macros instead whenever
a user's template folder overrides a card template.

Values are escaped the way the Jinja environment does (control characters XML forbids
dropped, then ``& < > ' "`` escaped as markupsafe does).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jingzhun.render import Docx

_BAD = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x{fffe}\\x{ffff}]"
_W = Docx()


def esc(s: pd.Series | pa.Array) -> pa.Array:
    """Escaped text of a string column (missing → empty)."""
    a = s if isinstance(s, pa.Array | pa.ChunkedArray) else pa.array(s.astype("str"), pa.string(), from_pandas=True)
    a = pc.fill_null(a.cast(pa.string()), "")
    if pc.any(
        pc.match_substring_regex(a, "[\\x00-\\x1f&<>'\"\\x{fffe}\\x{ffff}]")
    ).as_py():  # one scan; most text needs nothing
        a = pc.replace_substring_regex(a, _BAD, "")
        for old, new in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("'", "&#39;"), ('"', "&#34;")):
            a = pc.replace_substring(a, old, new)
    return a


def _e(v: Any) -> str:
    return _W._t(v)


def dash(a: pa.Array, empty: str = "—") -> pa.Array:
    """The ``dash`` filter on escaped text (escaping never empties a string)."""
    return pc.if_else(pc.equal(a, ""), empty, a)


def cat(*parts: Any) -> pa.Array:
    """Element-wise concatenation of arrays and literal strings."""
    return pc.binary_join_element_wise(*parts, "")


def _index(n: int, bounds: np.ndarray) -> pa.Array:
    """1-based position of each row within its group (groups given by offsets)."""
    sizes = np.diff(bounds)
    return pa.array((np.arange(n, dtype=np.int64) + 1 - np.repeat(bounds[:-1] - bounds[0], sizes)).astype(str))


def _group_join(rows: list[str], bounds: np.ndarray, empty: str) -> pa.Array:
    base = int(bounds[0])
    b = (bounds - base).tolist()
    return pa.array(["".join(rows[b[i] : b[i + 1]]) or empty for i in range(len(b) - 1)], pa.string())


def _measures(model: Any, combos: np.ndarray, html: bool) -> pa.Array:
    """Measure rows of each card: the rows of every combination code are made once per
    process, as columns over all (combination, measure) pairs."""
    key = "html_measures" if html else "docx_measures"
    if key not in model._cache:
        items = model.items
        sizes = np.array([len(x) for x in items], dtype=np.int64)
        bounds = np.r_[0, np.cumsum(sizes)]
        flat = [m for x in items for m in x]
        f = {k: esc(pa.array([m[k] for m in flat], pa.string())) for k in ("measure", "content", "rules")}
        k = _index(len(flat), bounds)
        if html:
            rows = cat(
                '<tr><td class="num">',
                k,
                "</td><td>",
                f["measure"],
                "</td><td>",
                f["content"],
                '</td><td class="muted">',
                f["rules"],
                "</td></tr>\n",
            )
            empty = '<tr><td colspan="4" class="center">未匹配到帮扶措施，请帮扶责任人入户后制定</td></tr>\n'
        else:
            body, end = _W._BODY, _W._END
            rows = cat(
                "<w:tr><w:trPr><w:cantSplit/></w:trPr>",
                body,
                k,
                end,
                body,
                f["measure"],
                end,
                body,
                f["content"],
                end,
                body,
                f["rules"],
                end,
                "</w:tr>\n",
            )
            empty = str(_W.span_row("未匹配到帮扶措施，请帮扶责任人入户后制定", 4)) + "\n"
        model._cache[key] = np.array(_group_join(rows.to_pylist(), bounds, empty).to_pylist(), dtype=object)
    return pa.array(model._cache[key][combos], pa.string())


def _slice(model: Any, start: int, end: int) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    cards = model.cards.iloc[start:end]
    mb = model.member_bounds[start : end + 1]
    members = model.members.iloc[int(mb[0]) : int(mb[-1])]
    return cards, members, mb, cards["combo"].to_numpy()


def html_cards(model: Any, start: int, end: int) -> list[str]:
    """``card(c, year, county)`` of ``plan/_card.html`` for cards ``start:end``, each followed by a newline
    (what the village book's card loop writes)."""
    if end <= start:
        return []
    cards, members, mb, combos = _slice(model, start, end)
    m = {c: esc(members[c]) for c in members.columns}
    mrows = cat(
        '<tr><td class="num">',
        _index(len(members), mb),
        '</td><td class="nowrap">',
        m["name"],
        "</td><td>",
        m["relation"],
        "</td><td>",
        m["sex"],
        '</td><td class="num">',
        m["age"],
        '</td><td class="nowrap">',
        m["id_masked"],
        "</td><td>",
        m["health"],
        "</td><td>",
        m["labor"],
        "</td><td>",
        m["school_status"],
        "</td><td>",
        m["work_status"],
        "</td></tr>\n",
    )
    mem = _group_join(mrows.to_pylist(), mb, '<tr><td colspan="10" class="center muted">无成员信息</td></tr>\n')
    meas = _measures(model, combos, True)
    c = {
        k: esc(cards[k])
        for k in (
            "household_id",
            "township_name",
            "village_name",
            "group_name",
            "head_name",
            "household_size",
            "category",
            "status",
            "main_cause",
            "other_causes",
            "identified_year",
            "planned_exit_year",
            "income",
            "exit_text",
            "cadre_name",
            "cadre_phone",
            "cadre_unit",
        )
    }
    group = pc.if_else(pc.equal(c["group_name"], ""), "", cat(" ", c["group_name"]))
    cadre = pc.if_else(
        pc.equal(c["cadre_name"], ""),
        '<p class="warn">暂未落实帮扶责任人（帮扶干部已达结对上限），请乡镇尽快安排。</p>\n',
        cat(
            '<table class="kv">\n<tr><th>姓名</th><td>',
            c["cadre_name"],
            "</td><th>联系电话</th><td>",
            dash(c["cadre_phone"]),
            '</td></tr>\n<tr><th>工作单位</th><td colspan="3">',
            dash(c["cadre_unit"]),
            "</td></tr>\n</table>\n",
        ),
    )
    year, county = _e(model.year), _e(model.county["name"])
    out = cat(
        '<section class="card page" id="h-',
        c["household_id"],
        '">\n<h1>',
        year,
        "年 精准扶贫帮扶明白卡</h1>\n",
        '<p class="center muted">',
        county,
        " ",
        c["township_name"],
        " ",
        c["village_name"],
        group,
        "　户编号 ",
        c["household_id"],
        "</p>\n",
        '<h3>一、家庭基本情况</h3>\n<table class="kv">\n',
        "<tr><th>户主姓名</th><td>",
        c["head_name"],
        "</td><th>家庭人口数</th><td>",
        c["household_size"],
        "</td></tr>\n",
        "<tr><th>贫困户属性</th><td>",
        dash(c["category"]),
        "</td><th>脱贫状态</th><td>",
        dash(c["status"]),
        "</td></tr>\n",
        "<tr><th>主要致贫原因</th><td>",
        dash(c["main_cause"]),
        "</td><th>其他致贫原因</th><td>",
        dash(c["other_causes"]),
        "</td></tr>\n",
        "<tr><th>首次识别年度</th><td>",
        dash(c["identified_year"]),
        "</td><th>计划脱贫年度</th><td>",
        dash(c["planned_exit_year"]),
        "</td></tr>\n",
        "<tr><th>人均纯收入（元）</th><td>",
        dash(c["income"]),
        "</td><th>退出情况</th><td>",
        c["exit_text"],
        "</td></tr>\n</table>\n",
        "<h3>二、家庭成员</h3>\n<table>\n<thead><tr><th>序号</th><th>姓名</th><th>与户主关系</th><th>性别</th><th>年龄</th><th>证件号码</th>"
        "<th>健康状况</th><th>劳动技能</th><th>在校生状况</th><th>务工状况</th></tr></thead>\n<tbody>\n",
        mem,
        "</tbody>\n</table>\n<h3>三、帮扶措施（一户一策）</h3>\n<table>\n"
        '<thead><tr><th style="width:8%">序号</th><th style="width:18%">帮扶措施</th><th>措施内容</th><th '
        'style="width:20%">依据（规则）</th></tr></thead>\n<tbody>\n',
        meas,
        "</tbody>\n</table>\n<h3>四、帮扶责任人（结对帮扶）</h3>\n",
        cadre,
        '<div class="sign"><span>帮扶责任人（签字）：</span><span>户主（签字）：</span></div>\n<p '
        'class="right">年　　月　　日</p>\n</section>\n\n',
    )
    return out.to_pylist()


def _kv_rows(pairs: list[tuple[str, Any]]) -> Any:
    """Rows of ``w.kv``: two label/value pairs per row (a last odd value spans the row); labels literal,
    values arrays or literals."""
    head, body, end = _W._HEAD, _W._BODY, _W._END
    parts: list[Any] = []
    for i in range(0, len(pairs), 2):
        chunk = list(pairs[i : i + 2])
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for k, v in chunk:
            parts += [head + _e(k) + end + (body if len(chunk) == 2 else _W._SPAN3), v, end]
        parts.append("</w:tr>")
    return parts


def docx_cards(model: Any, start: int, end: int) -> list[str]:
    """The page break and ``card(c, year, county)`` of ``plan/_card.docx.xml`` for cards ``start:end``
    (what the DOCX village book's card loop writes)."""
    if end <= start:
        return []
    cards, members, mb, combos = _slice(model, start, end)
    body, cend = _W._BODY, _W._END
    m = {c: esc(members[c]) for c in members.columns}
    mrows = cat(
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>",
        body,
        _index(len(members), mb),
        cend,
        *[
            x
            for f in ("name", "relation", "sex", "age", "id_masked", "health", "labor", "school_status", "work_status")
            for x in (body, m[f], cend)
        ],
        "</w:tr>\n",
    )
    mem = _group_join(mrows.to_pylist(), mb, str(_W.span_row("无成员信息", 10)) + "\n")
    meas = _measures(model, combos, False)
    c = {
        k: esc(cards[k])
        for k in (
            "household_id",
            "township_name",
            "village_name",
            "group_name",
            "head_name",
            "household_size",
            "category",
            "status",
            "main_cause",
            "other_causes",
            "identified_year",
            "planned_exit_year",
            "income",
            "exit_text",
            "cadre_name",
            "cadre_phone",
            "cadre_unit",
        )
    }
    kv1 = str(_W.table_start([], (1800, 3246, 1800, 3246)))
    group = pc.if_else(pc.equal(c["group_name"], ""), "", cat(" ", c["group_name"]))
    basics = _kv_rows(
        [
            ("户主姓名", c["head_name"]),
            ("家庭人口数", c["household_size"]),
            ("贫困户属性", dash(c["category"])),
            ("脱贫状态", dash(c["status"])),
            ("主要致贫原因", dash(c["main_cause"])),
            ("其他致贫原因", dash(c["other_causes"])),
            ("首次识别年度", dash(c["identified_year"])),
            ("计划脱贫年度", dash(c["planned_exit_year"])),
            ("人均纯收入（元）", dash(c["income"])),
            ("退出情况", c["exit_text"]),
        ]
    )
    cadre = pc.if_else(
        pc.equal(c["cadre_name"], ""),
        str(_W.p("暂未落实帮扶责任人（帮扶干部已达结对上限），请乡镇尽快安排。")) + "\n",
        cat(
            kv1,
            *_kv_rows(
                [("姓名", c["cadre_name"]), ("联系电话", dash(c["cadre_phone"])), ("工作单位", dash(c["cadre_unit"]))]
            ),
            "</w:tbl><w:p/>\n",
        ),
    )
    county = _e(model.county["name"])
    right = str(_W.p("@@", "Subtitle")).split("@@")
    out = cat(
        str(_W.page_break()) + "\n" + str(_W.p(f"{model.year}年 精准扶贫帮扶明白卡", "Title")) + "\n",
        right[0],
        county,
        " ",
        c["township_name"],
        " ",
        c["village_name"],
        group,
        "　户编号 ",
        c["household_id"],
        right[1],
        "\n",
        str(_W.p("一、家庭基本情况", "Heading2")) + "\n" + kv1,
        *basics,
        "</w:tbl><w:p/>\n",
        str(_W.p("二、家庭成员", "Heading2"))
        + "\n"
        + str(
            _W.table_start(
                [
                    "序号",
                    "姓名",
                    "与户主关系",
                    "性别",
                    "年龄",
                    "证件号码",
                    "健康状况",
                    "劳动技能",
                    "在校生状况",
                    "务工状况",
                ],
                (500, 1000, 1000, 500, 500, 2000, 1200, 1200, 1100, 1092),
            )
        )
        + "\n",
        mem,
        str(_W.table_end())
        + "\n"
        + str(_W.p("三、帮扶措施（一户一策）", "Heading2"))
        + "\n"
        + str(_W.table_start(["序号", "帮扶措施", "措施内容", "依据（规则）"], (700, 1800, 5592, 2000)))
        + "\n",
        meas,
        str(_W.table_end()) + "\n" + str(_W.p("四、帮扶责任人（结对帮扶）", "Heading2")) + "\n",
        cadre,
        str(_W.p("帮扶责任人（签字）：　　　　　　　　　　户主（签字）："))
        + "\n"
        + str(_W.p("年　　月　　日", "Right"))
        + "\n\n",
    )
    return out.to_pylist()


def _roster(model: Any, start: int, end: int) -> dict[str, pa.Array]:
    r = model.roster.iloc[start:end]
    out = {
        k: esc(r[k])
        for k in (
            "household_id",
            "group_name",
            "head_name",
            "household_size",
            "registered",
            "category",
            "status",
            "result",
            "cadre_name",
        )
    }
    out["seq"] = pa.array(r["seq"].astype(str).to_numpy(dtype=object), pa.string())
    out["card"] = pa.array(r["card"].to_numpy(dtype=bool))
    return out


def html_roster(model: Any, start: int, end: int) -> list[str]:
    """The 农户名册 rows of ``plan/village_book.html`` for roster rows ``start:end``."""
    if end <= start:
        return []
    r = _roster(model, start, end)
    name = pc.if_else(r["card"], cat('<a href="#h-', r["household_id"], '">', r["head_name"], "</a>"), r["head_name"])
    return cat(
        '<tr><td class="num">',
        r["seq"],
        "</td><td>",
        r["group_name"],
        '</td><td class="nowrap">',
        name,
        '</td><td class="num">',
        r["household_size"],
        "</td><td>",
        r["registered"],
        "</td><td>",
        r["category"],
        "</td><td>",
        r["status"],
        "</td><td>",
        r["result"],
        "</td><td>",
        r["cadre_name"],
        "</td></tr>\n",
    ).to_pylist()


def html_register(model: Any, start: int, end: int) -> list[str]:
    """The 建档立卡户名册 rows of ``plan/township_register.html`` for cards ``start:end`` (a township)."""
    if end <= start:
        return []
    c = model.cards.iloc[start:end]
    e = {k: esc(c[k]) for k in REGISTER_FIELDS}
    raw = c["cadre_name"].astype("str")
    cadre = pc.if_else(pa.array((raw.isna() | (raw == "")).to_numpy(dtype=bool)), "未落实", e["cadre_name"])
    return cat(
        '<tr><td class="num">',
        pa.array(np.arange(1, end - start + 1).astype(str)),
        "</td><td>",
        e["village_name"],
        "</td><td>",
        e["group_name"],
        '</td><td class="nowrap">',
        e["head_name"],
        '</td><td class="num">',
        e["household_size"],
        "</td><td>",
        e["category"],
        "</td><td>",
        e["status"],
        "</td><td>",
        e["main_cause"],
        '</td><td class="measures">',
        e["measure_text"],
        "</td><td>",
        cadre,
        '</td><td class="num">',
        e["planned_exit_year"],
        "</td></tr>\n",
    ).to_pylist()


REGISTER_FIELDS = (
    "village_name",
    "group_name",
    "head_name",
    "household_size",
    "category",
    "status",
    "main_cause",
    "measure_text",
    "cadre_name",
    "planned_exit_year",
)


def docx_roster(model: Any, start: int, end: int) -> list[str]:
    """The 农户名册 rows of ``plan/village_book.docx.xml`` for roster rows ``start:end``."""
    if end <= start:
        return []
    r = _roster(model, start, end)
    body, end_ = _W._BODY, _W._END
    cells = [
        x
        for f in (
            "seq",
            "group_name",
            "head_name",
            "household_size",
            "registered",
            "category",
            "status",
            "result",
            "cadre_name",
        )
        for x in (body, r[f], end_)
    ]
    return cat("<w:tr><w:trPr><w:cantSplit/></w:trPr>", *cells, "</w:tr>\n").to_pylist()
