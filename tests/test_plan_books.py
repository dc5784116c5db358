"""Who gets a card and who is on the village household list (户有卡、村有册)."""

from __future__ import annotations

import re

import pandas as pd
from plan_frames import T1, V1, write_dataset
from typer.testing import CliRunner

from jingzhun.cli import app


def _book(tmp_path, change=None) -> str:
    ds = write_dataset(tmp_path / "ds", previous=False)
    if change is not None:
        f = ds / "2016" / "households.csv"
        df = pd.read_csv(f, dtype=str)
        change(df)
        df.to_csv(f, index=False)
    r = CliRunner().invoke(app, ["plan", str(ds), "--out", str(tmp_path / "out"), "--no-docx"])
    assert r.exit_code == 0, r.output
    return (tmp_path / "out" / "plan" / "books" / T1 / f"{V1}.html").read_text(encoding="utf-8")


def _roster(book: str) -> list[list[str]]:
    body = book.split("三、农户名册", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body)[1:]
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)] for r in rows]


def test_every_registered_household_has_a_card_and_a_line(tmp_path):
    book = _book(tmp_path)
    assert re.findall(r'class="card page" id="h-(\w+)"', book) == ["H001", "H002", "H003"]
    names = [r[2] for r in _roster(book)]
    assert sorted(names) == sorted(["张三", "李𠀀明", "王䶮"])
    assert '<a href="#h-H001">王䶮</a>' in book


def test_unregistered_and_exited_households_are_listed_without_a_card(tmp_path):
    def change(df):
        df.loc[df["household_id"] == "H003", ["registered", "category", "status"]] = ["否", None, None]
        df.loc[df["household_id"] == "H002", "status"] = "已脱贫(不再享受政策)"

    book = _book(tmp_path, change)
    assert re.findall(r'class="card page" id="h-(\w+)"', book) == ["H001"]
    rows = {r[2]: r for r in _roster(book)}
    assert set(rows) == {"王䶮", "李𠀀明", "张三"}  # the list keeps every surveyed household
    assert rows["张三"][4] == "否" and rows["王䶮"][4] == "是"
    assert rows["李𠀀明"][6] == "已脱贫(不再享受政策)"
    assert '<a href="#h-H003">' not in book and '<a href="#h-H001">' in book
    assert "<th>调查农户数</th><td>3</td><th>建档立卡户数（有卡）</th><td>1</td>" in book


def _card_of(book: str, hid: str) -> str:
    return book.split(f'id="h-{hid}"', 1)[1].split("</section>", 1)[0]


def test_exited_household_card_says_exited_with_its_year_not_the_income_test(tmp_path):
    """张胜 in data-sample: 已脱贫(享受政策) in 2015 — the card said 退出标准 未达到."""

    def change(df):
        df.loc[df["household_id"] == "H002", ["status", "exit_year"]] = ["已脱贫(享受政策)", "2015"]
        df.loc[df["household_id"] == "H003", "status"] = "已脱贫(享受政策)"  # no exit year given

    book = _book(tmp_path, change)
    exited = _card_of(book, "H002")
    assert "<th>退出情况</th><td>已脱贫（2015年）</td>" in exited and "未达到" not in exited
    assert "<th>退出情况</th><td>已脱贫</td>" in _card_of(book, "H003")
    assert "<th>退出情况</th><td>未达到退出标准" in _card_of(book, "H001")


def test_word_card_says_the_same_as_the_html_card():
    from plan_frames import cadres, households, members

    from jingzhun.params import Params
    from jingzhun.plan import cardtext, docs
    from jingzhun.plan.api import county_info
    from jingzhun.plan.core import make_plans

    h = households()
    h.loc[h["household_id"] == "H002", "status"] = "已脱贫(享受政策)"
    h["exit_year"] = pd.array([None, 2015, None, None, None, None, None], dtype="Int64")
    p = Params.load()
    model = docs.build(make_plans(h, members(), cadres(), p, 2016), h, members(), cadres(), None, county_info(p), 2016)
    i = model.cards["household_id"].tolist().index("H002")
    word = cardtext.docx_cards(model, i, i + 1)[0]
    assert "退出情况" in word and "已脱贫（2015年）" in word and "未达到" not in word


def test_a_file_without_the_registered_column_lists_every_household_as_registered():
    """No 是否建档立卡 column: every household is a 建档立卡户 on the list and gets a card (as ``match`` reads it)."""
    from plan_frames import cadres, households, members

    from jingzhun.params import Params
    from jingzhun.plan import docs
    from jingzhun.plan.api import county_info
    from jingzhun.plan.core import make_plans
    from jingzhun.tablespec import conform

    h = conform("households", households().drop(columns="registered"))
    p = Params.load()
    model = docs.build(make_plans(h, members(), cadres(), p, 2016), h, members(), cadres(), None, county_info(p), 2016)
    assert set(model.roster["registered"]) == {"是"}
    assert "H005" in set(model.cards["household_id"])  # not registered by the column: a card without it
