"""Name material for synthetic people: surnames by frequency, given-name characters, variants."""

from __future__ import annotations

import numpy as np

# Common surnames with rough national weights (per mille), Hubei favourites (熊 余 汪 程 夏 喻 童) lifted.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "万钱严覃武戴莫孔向汤喻童柯鲁桂晏操詹"
)
_W = np.concatenate(
    [
        np.array([72, 71, 70, 54, 46, 31, 23, 22, 21, 20, 18, 16, 14, 13, 12, 11, 11, 9, 9, 8], dtype=float),
        np.linspace(8, 4, 30),
        np.linspace(4, 2, 40),
        np.linspace(2, 1, len(SURNAMES) - 90),
    ]
)
_W[SURNAMES.index("熊")] = 9
_W[SURNAMES.index("余")] = 8
_W[SURNAMES.index("汪")] = 7
_W[SURNAMES.index("程")] = 6
_W[SURNAMES.index("夏")] = 6
SURNAME_P = _W / _W.sum()

MALE_CHARS = "伟强军华明国平建志勇杰涛斌辉刚鹏超海波峰磊林文德春生松宏亮俊浩东兵成新金龙祥胜利福贵荣正永清云"
FEMALE_CHARS = "芳英秀兰丽娟敏静霞红玲梅燕桂珍凤萍琴云莉娥艳翠美娇巧慧婷雪琳洁丹菊香月春玉荣淑"
# Characters outside GB2312 (still in GBK) and one outside GBK (䶮), as real rosters have.
RARE_GBK = "堃喆昇赟燚珺玥"
RARE_NON_GBK = "䶮"
# Substitutes when a file must be GBK: what a GBK export system shows instead.
GBK_SUBSTITUTES = {"䶮": "岩"}

MINORITY_NAMES = (
    ("买买提·艾力", "男", "维吾尔族"),
    ("阿依古丽·吐尔逊", "女", "维吾尔族"),
    ("艾尔肯·阿不都", "男", "维吾尔族"),
    ("古丽娜尔·库尔班", "女", "维吾尔族"),
    ("努尔兰·别克", "男", "哈萨克族"),
    ("阿娜尔·赛力克", "女", "哈萨克族"),
)

# Same pinyin, different character (张伟/张玮): what a clerk types from hearing a name.
HOMOPHONES = {
    "伟": "玮",
    "华": "化",
    "明": "鸣",
    "英": "瑛",
    "芳": "方",
    "军": "君",
    "平": "萍",
    "红": "虹",
    "兰": "岚",
    "丽": "莉",
    "敏": "闽",
    "杰": "洁",
    "娟": "涓",
    "云": "芸",
    "霞": "侠",
    "林": "琳",
    "国": "帼",
    "梅": "玫",
    "秀": "绣",
    "玲": "铃",
    "春": "椿",
    "强": "墙",
    "勇": "永",
    "涛": "滔",
    "斌": "彬",
    "辉": "晖",
    "刚": "钢",
    "峰": "锋",
    "文": "雯",
    "德": "得",
    "生": "升",
    "宏": "红",
    "亮": "量",
    "俊": "骏",
    "浩": "昊",
    "东": "冬",
    "成": "诚",
    "新": "欣",
    "金": "今",
    "龙": "隆",
    "祥": "翔",
    "胜": "盛",
    "福": "富",
    "贵": "桂",
    "荣": "蓉",
    "正": "政",
    "清": "青",
    "志": "智",
    "超": "潮",
    "海": "亥",
    "波": "博",
    "磊": "垒",
    "珍": "贞",
    "凤": "风",
    "琴": "芹",
    "娥": "鹅",
    "艳": "燕",
    "翠": "萃",
    "美": "梅",
    "婷": "亭",
    "雪": "雷",
    "洁": "杰",
    "丹": "单",
    "菊": "局",
    "香": "湘",
    "月": "悦",
    "玉": "钰",
    "淑": "叔",
    "慧": "惠",
}


def given_names(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    """One- or two-character given names (about 30% one character), by sex; vectorised."""
    n = len(male)
    mc = np.array(list(MALE_CHARS))
    fc = np.array(list(FEMALE_CHARS))
    a = np.where(male, mc[rng.integers(0, len(mc), n)], fc[rng.integers(0, len(fc), n)])
    b = np.where(male, mc[rng.integers(0, len(mc), n)], fc[rng.integers(0, len(fc), n)])
    two = rng.random(n) < 0.7
    out = np.where(two, np.char.add(a, b), a)
    rare = rng.random(n) < 0.004
    if rare.any():
        pool = np.array(list(RARE_GBK + RARE_NON_GBK))
        out[rare] = np.char.add(out[rare].astype("U1"), pool[rng.integers(0, len(pool), int(rare.sum()))])
    return out.astype(object)


def surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.array(list(SURNAMES), dtype=object)[rng.choice(len(SURNAMES), size=n, p=SURNAME_P)]
