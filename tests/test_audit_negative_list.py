"""The negative list of the 2017 fund rules as patterns (issue 15 item 3): every phrasing taken
from a published audit finding matches its item; household measures that pay people do not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jingzhun.audit.negative_list import ARTICLE, ITEMS, item_keys, match_texts

DATA = pd.read_csv(Path(__file__).parent / "data" / "negative_list_phrasings.csv", dtype="str", keep_default_na=False)
POS = DATA[DATA["item"] != ""]
NEG = DATA[DATA["item"] == ""]


def test_the_data_has_enough_cited_phrasings():
    findings = POS[~POS["source"].str.contains("负面清单原文")]
    assert len(findings) >= 30 and (findings["source"].str.contains("http")).all()
    assert set(POS["item"]) == {i.key for i in ITEMS}
    assert len(NEG) >= 20


@pytest.mark.parametrize("phrase,item", list(zip(POS["phrase"], POS["item"], strict=True)))
def test_published_phrasing_matches_its_item(phrase, item):
    assert item in item_keys(phrase)


@pytest.mark.parametrize("phrase", NEG["phrase"].tolist())
def test_household_measures_do_not_match(phrase):
    assert item_keys(phrase) == []


def test_match_texts_detail_cites_the_article_and_keywords_stay_configurable():
    texts = pd.Series(
        ["弥补镇财政支出缺口", "公益岗位工资", "自定义禁用词", "产业奖补", pd.NA, "弥补镇财政支出缺口"], dtype="str"
    )
    hit, detail = match_texts(texts, ["禁用词", "工资"], ["公益岗位"])
    assert hit.tolist() == [True, False, True, False, False, True]
    assert detail[0] == "弥补预算支出缺口和偿还债务: 弥补镇财政支出缺口 (" + ARTICLE + ")"
    # a text naming two items shows both
    both, d = match_texts(pd.Series(["用于购置车辆和公务接待"], dtype="str"), [], [])
    assert both.tolist() == [True] and d[0].startswith("行政事业单位基本支出: 公务接待; 交通工具及通讯设备: 车辆")
    assert detail[2].endswith("禁用词")
    # the old keyword list missed this paraphrase
    old, _ = match_texts(pd.Series(["弥补镇财政支出缺口"], dtype="str"), ["预算缺口"], [])
    assert old.tolist() == [True]


def test_allowed_phrases_exempt_allowances_not_misuse():
    texts = pd.Series(["生态护林员津贴", "护林员补助资金用于偿还村级债务"], dtype="str")
    hit, detail = match_texts(texts, [], ["护林员"])
    assert hit.tolist() == [False, True] and detail[1].startswith("弥补预算支出缺口和偿还债务")
    assert match_texts(texts, [], [])[0].tolist() == [True, True]
