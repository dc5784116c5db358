"""The negative list of the 2017 fund rules as patterns: what 财政专项扶贫资金 may not be
spent on, matched in 用途摘要 and 项目名称 the way audit findings phrase it (弥补…支出缺口,
用于…办公经费, 购置车辆和公务接待 …), not only as literal keywords.

《中央财政专项扶贫资金管理办法》(财农〔2017〕8号) 第三章 资金支出范围与下达 lists what the
funds may not be used for (domain.md §8.1 [S33]); each :data:`ITEMS` entry is one item of
that list with its patterns. The article is cited as 第十条: the chapter opens with 第八条
(使用范围) and 第九条 (项目管理费, law-lib.com's copy of the text, page 2), and the list follows;
the copy available here ends at 第九条, so the number is not confirmed against the official text.
The phrasings they are tested against, each with its published
source, are in ``tests/data/negative_list_phrasings.csv``.

Household measures that pay people (公益岗位工资, 护林员补助, 危房改造补助 …) are not
matched: the wage and allowance patterns only fire on cadres' and staff's pay, and the
allowed phrases (``audit.negative_list_allow``: 公益岗位, 护林员 …) exempt that item and the
configured keywords, never the other items (护林员补助 used to repay a debt is still a hit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jingzhun.nulls import NA

ARTICLE = "《中央财政专项扶贫资金管理办法》(财农〔2017〕8号) 第十条"
_SEP = r"[^,，;；。、]"  # within one clause


@dataclass(frozen=True)
class Item:
    key: str
    zh: str
    pattern: str
    allowable: bool = False  # the allowed phrases (audit.negative_list_allow) also exempt this item


ITEMS: tuple[Item, ...] = (
    Item(
        "basic_expenditure",
        "行政事业单位基本支出",
        r"办公(?:经费|费用|费|用品|设备|耗材)|日常(?:公用|运转|办公)?(?:支出|开支|经费|运转)|"
        r"(?:工作|业务|运转|公用|人员|机关)经费|(?:公务|超标准)?接待|招待费?|吃喝|请客送礼|旅游|差旅费?|会议费|"
        r"水电费|物业费|餐费|(?:单位|部门|机关|乡镇|镇政府|乡政府)" + _SEP + r"{0,6}(?:开支|支出|运转)|"
        r"(?:弥补|补充)" + _SEP + r"{0,6}经费",
    ),
    Item(
        "vehicles_telecom",
        "交通工具及通讯设备",
        r"(?<!农用)(?:车辆|汽车|轿车|越野车|公务用?车|工作用?车|面包车|小车)|买车|购车|燃油费|加油费|油费|"
        r"通讯(?:设备|费|工具)|通信(?:设备|费|工具)|手机|电话费|话费|对讲机",
    ),
    Item(
        "bonuses_allowances",
        "各种奖金津贴和福利补助",
        r"奖金|津贴|福利(?!院)|过节费|加班费|值班费|误工(?:费|补贴|补助)|"
        r"(?:干部|工作人员|工作队|驻村队员|公职人员|职工|员工|帮扶责任人)"
        + _SEP
        + r"{0,8}(?:补贴|补助|工资|报酬|奖励|绩效)",
        allowable=True,
    ),
    Item("enterprise_losses", "弥补企业亏损", r"(?:弥补|填补|冲抵|补贴)" + _SEP + r"{0,10}亏损|亏损补贴|扭亏"),
    Item(
        "buildings_housing",
        "修建楼堂馆所及贫困农场、林场棚户改造以外的职工住宅",
        r"楼堂馆所|办公(?:楼|用房|大楼|场所|室|区)|宾馆|酒店|招待所|培训中心|会议中心|礼堂|"
        r"职工(?:住宅|宿舍|住房|周转房)|干部(?:周转房|宿舍|住房)",
    ),
    Item(
        "budget_gap_debt",
        "弥补预算支出缺口和偿还债务",
        r"(?:弥补|填补|平衡|冲抵)" + _SEP + r"{0,10}(?:缺口|赤字|预算)|预算缺口|平衡预算|"
        r"偿还|归还" + _SEP + r"{0,6}(?:贷款|借款|欠款|债)|还债|偿债|债务|欠款|陈欠|"
        r"(?:历史|以前年度|往年)" + _SEP + r"{0,6}(?:工程款|欠款|账款|欠账)",
    ),
    Item(
        "large_construction",
        "大中型基本建设项目",
        r"大中型" + _SEP + r"{0,6}(?:基本建设|基建|建设项目|工程)|高速公路|国道|省道|机场|火车站|高铁",
    ),
    Item(
        "urban",
        "城市基础设施建设和城市扶贫",
        # 易地扶贫搬迁 to 县城/小城镇 安置点 is policy, not 城市建设
        r"城市|市政|(?:城区|县城|小城镇|新区)(?!" + _SEP + r"{0,8}安置)|"
        r"城镇(?:建设|道路|绿化|供水|管网|基础设施)|景观|形象工程|标志(?:牌楼|性建筑)|牌楼|雕塑|"
        r"外墙(?:粉饰|粉刷|装饰|改造)|(?:粉刷|粉饰)" + _SEP + r"{0,8}(?:院墙|围墙|沿线|沿街)|"
        r"街道(?:改造|硬化|绿化|亮化)|(?<!文化)广场",
    ),
    Item(
        "unrelated",
        "其他与脱贫攻坚无关的支出",
        r"个人(?:家庭)?(?:支出|开支|消费|使用|挥霍)|私人|挪作他用|挪用|炒股|购买理财|理财产品|捐赠|赞助|"
        r"罚款|罚没|违约金|滞纳金|礼品|烟酒|征地款|对外出借|出借|借给|文艺演出|戒毒所|看守所",
    ),
)


def _compiled() -> list[tuple[Item, re.Pattern[str]]]:
    return [(i, re.compile(i.pattern)) for i in ITEMS]


_COMPILED = _compiled()


def item_keys(text: str) -> list[str]:
    """The keys of every item a text matches, in list order (for tests and the anomaly truth)."""
    if not isinstance(text, str):
        return []
    return [item.key for item, rx in _COMPILED if rx.search(text)]


def match_texts(texts: pd.Series, keywords: list[str], allow: list[str]) -> tuple[np.ndarray, pd.Series]:
    """Per text: hit or not, and the detail (item, article, matched words).

    A text hits when an item pattern matches, or a configured keyword (``audit.negative_list``)
    occurs outside a text holding an allowed phrase (``audit.negative_list_allow``). Each
    distinct text is matched once (purposes repeat), in vectorised ``str.extract`` calls.
    """
    codes, uniq = pd.factorize(texts)
    u = pd.Series(uniq, dtype="str")
    ok = [w for w in allow if w]
    allowed = (
        u.str.contains("|".join(re.escape(w) for w in ok), regex=True).fillna(False).to_numpy(dtype=bool)
        if ok
        else np.zeros(len(u), dtype=bool)
    )
    detail = pd.Series("", index=u.index, dtype="str")
    for item in ITEMS:  # every item a text matches, each with the words that matched
        word = u.str.extract("(" + item.pattern + ")", expand=False)
        if item.allowable:
            word = word.where(~allowed)
        detail = detail + ("; " + item.zh + ": " + word).fillna("")
    detail = detail.str.removeprefix("; ")
    detail = (detail + " (" + ARTICLE + ")").where(detail != "", NA).astype("str")
    words = [w for w in keywords if w]
    if words:
        pat = "(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"
        todo = detail.isna()
        word = u[todo].str.extract(pat, expand=False).where(~allowed[todo.to_numpy(dtype=bool)])
        found = word.notna()
        detail.loc[word.index[found.to_numpy()]] = "关键词 (参数 audit.negative_list): " + word[found]
    hit_u = detail.notna().to_numpy(dtype=bool)
    hit = np.append(hit_u, False)[codes]  # code -1 (NA) never hits
    d = pd.Series(np.append(detail.to_numpy(dtype=object), [None])[codes], index=texts.index, dtype="str")
    return hit, d
