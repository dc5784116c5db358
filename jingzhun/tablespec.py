"""The table specification: every table of data-contract §2 and every column, in one place.

Per table (:class:`TableSpec`, :data:`TABLE_SPECS`): its files (stems and suffixes a dataset
folder and the reader accept), its names for people (zh/en), its key column and its columns.
Per column (:class:`Column`): canonical name, contract type (and so its pandas dtype,
:data:`DTYPES`), required flag, identifier flag, the Chinese header aliases (labels of the
national 全国扶贫开发信息系统 exports and their common variants), the national system's
field codes (domain.md §1.2–§1.5) and, for ``enum``/``multi`` columns, the labels exactly as
the contract lists them plus a map of variants (other spellings and the national numeric
codes) to those labels.

This module sits below ``jingzhun.io`` and ``jingzhun.schema`` and imports no other jingzhun
module (a test checks): ``io`` reads and conforms frames with it (:func:`conform`), ``schema``
validates with it, ``dataset`` discovers files with it, ``sample`` writes tables from it.
``jingzhun.tables`` and ``jingzhun.schema.columns`` re-export it for older imports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, cast

import numpy as np
import pandas as pd

# ---- tables and their files --------------------------------------------------------------

TABLES = ("households", "members", "villages", "dibao", "cadres", "crosscheck", "projects", "payments")
REQUIRED_TABLES = ("households", "members")

# File stems (without extension) that name each table: canonical first, then aliases.
FILE_ALIASES: dict[str, tuple[str, ...]] = {
    "households": ("households", "农户信息", "贫困户", "农户", "贫困户信息", "建档立卡户"),
    "members": ("members", "家庭成员", "成员信息", "贫困人口"),
    "villages": ("villages", "村基础信息", "行政村", "贫困村"),
    "dibao": ("dibao", "低保", "低保特困", "低保名册", "低保特困名册"),
    "cadres": ("cadres", "帮扶责任人", "帮扶干部"),
    "crosscheck": ("crosscheck", "比对数据", "比对结果"),
    "projects": ("projects", "项目库", "扶贫项目库", "扶贫项目"),
    "payments": ("payments", "资金拨付", "报账台账", "资金台账"),
}

# File suffixes, by reader: dataset discovery accepts exactly these (FILE_EXTENSIONS).
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
FILE_EXTENSIONS = (*CSV_SUFFIXES, *PARQUET_SUFFIXES, *EXCEL_SUFFIXES)

# What a person reads for a table name (zh, en): messages, sheet titles.
TABLE_LABELS: dict[str, tuple[str, str]] = {
    "households": ("农户", "households"),
    "members": ("家庭成员", "members"),
    "villages": ("村基础信息", "villages"),
    "dibao": ("低保名册", "低保 roster"),
    "cadres": ("帮扶责任人", "cadres"),
    "crosscheck": ("比对数据", "crosscheck"),
    "projects": ("项目库", "projects"),
    "payments": ("资金拨付", "payments"),
}


def table_for_stem(stem: str) -> str | None:
    s = stem.strip().lower()
    for table, aliases in FILE_ALIASES.items():
        if s in (a.lower() for a in aliases):
            return table
    return None


def table_title(table: str) -> str:
    """The Chinese name people call a table by (its first Chinese file name: households → 农户信息)."""
    aliases = FILE_ALIASES.get(table, ())
    return aliases[1] if len(aliases) > 1 else table


# ---- columns -----------------------------------------------------------------------------

TYPES = ("text", "int", "money", "area", "bool", "date", "year", "enum", "multi")
# Contract type → pandas dtype of the typed frame (and the dtype its pandera schema declares).
DTYPES: dict[str, str] = {
    "text": "str",
    "enum": "str",
    "multi": "str",
    "int": "Int64",
    "year": "Int64",
    "money": "Float64",
    "area": "Float64",
    "bool": "boolean",
    "date": "datetime64[ns]",
}

# Words accepted for bool columns (after key()): contract §1 "Values".
TRUE_WORDS = ("是", "有", "y", "yes", "1", "true", "t", "√", "✓", "✔", "对")
FALSE_WORDS = ("否", "无", "n", "no", "0", "false", "f", "×", "✗", "✘", "没有", "不是")

MULTI_SEPARATORS = r"[,，、;；]"


def key(text: str) -> str:
    """Matching key of a header or label: NFKC (full-/half-width unified), no spaces, lower case."""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s)
    return s.strip("*★").lower()


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    required: bool = False
    required_when: str | None = None  # e.g. "registered": required for 建档立卡户 only
    identifier: bool = False
    labels: tuple[str, ...] = ()
    variants: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @property
    def conditional(self) -> bool:
        return self.required_when is not None


def _c(
    name: str,
    type_: str,
    aliases: str | tuple[str, ...] = (),
    codes: str | tuple[str, ...] = (),
    *,
    req: bool = False,
    when: str | None = None,
    ident: bool = False,
    labels: tuple[str, ...] = (),
    variants: dict[str, str] | None = None,
) -> Column:
    if type_ not in TYPES:
        raise ValueError(f"{name}: unknown type {type_}")
    al = (aliases,) if isinstance(aliases, str) else aliases
    cd = (codes,) if isinstance(codes, str) else codes
    return Column(
        name=name,
        type=type_,
        aliases=al,
        codes=cd,
        required=req,
        required_when=when,
        identifier=ident,
        labels=labels,
        variants=MappingProxyType(dict(variants or {})),
    )


def _numbered(labels: tuple[str, ...], start: int = 1, pad: int = 2) -> dict[str, str]:
    """National numeric codes 1, 01 … for a list in national order."""
    out: dict[str, str] = {}
    for i, label in enumerate(labels, start=start):
        out[str(i)] = label
        out[str(i).zfill(pad)] = label
    return out


# ---- label lists (contract §2; domain.md for codes) ------------------------------------

CATEGORY = ("一般贫困户", "低保贫困户", "特困供养贫困户")
STATUS = ("未脱贫", "已脱贫(享受政策)", "返贫", "已脱贫(不再享受政策)")
CAUSES = (
    "因病",
    "因残",
    "因学",
    "因灾",
    "缺土地",
    "缺水",
    "缺技术",
    "缺劳力",
    "缺资金",
    "交通条件落后",
    "自身发展动力不足",
    "因婚",
    "因丧",
    "其他",
)
CAUSE_VARIANTS = {
    **_numbered(CAUSES[:13]),
    "缺劳动力": "缺劳力",
    "其它": "其他",
    "因学致贫": "因学",
    "因病致贫": "因病",
    "因残致贫": "因残",
    "因灾致贫": "因灾",
    "因婚致贫": "因婚",
    "因丧致贫": "因丧",
    "缺发展资金": "缺资金",
    "交通落后": "交通条件落后",
    "自身发展动力不足(懒)": "自身发展动力不足",
}
HOUSE_GRADE = ("C级", "D级")
ROAD_TYPE = ("泥土路", "砂石路", "水泥路", "沥青路")
ID_TYPE = ("居民身份证", "残疾人证", "户口簿")
SEX = ("男", "女")
# GB 3304 order (01 汉族 … 56 基诺族).
ETHNICITY = (
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
)
RELATION = (
    "户主",
    "配偶",
    "之子",
    "之女",
    "之儿媳",
    "之女婿",
    "之孙子",
    "之孙女",
    "之外孙子",
    "之外孙女",
    "之父",
    "之母",
    "之岳父",
    "之岳母",
    "之公公",
    "之婆婆",
    "之祖父",
    "之祖母",
    "之外祖父",
    "之外祖母",
    "之兄弟姐妹",
    "之曾孙子",
    "之曾孙女",
    "之侄儿",
    "之侄女",
    "之兄弟媳妇",
    "之叔伯",
    "其他",
)
RELATION_VARIANTS = {
    "本人": "户主",
    "户主本人": "户主",
    "本人(户主)": "户主",
    "户主(本人)": "户主",
    "妻": "配偶",
    "夫": "配偶",
    "妻子": "配偶",
    "丈夫": "配偶",
    "儿子": "之子",
    "长子": "之子",
    "次子": "之子",
    "女儿": "之女",
    "长女": "之女",
    "次女": "之女",
    "儿媳": "之儿媳",
    "女婿": "之女婿",
    "孙子": "之孙子",
    "孙女": "之孙女",
    "外孙子": "之外孙子",
    "外孙": "之外孙子",
    "外孙女": "之外孙女",
    "父亲": "之父",
    "母亲": "之母",
    "岳父": "之岳父",
    "岳母": "之岳母",
    "公公": "之公公",
    "婆婆": "之婆婆",
    "祖父": "之祖父",
    "祖母": "之祖母",
    "外祖父": "之外祖父",
    "外祖母": "之外祖母",
    "兄弟姐妹": "之兄弟姐妹",
    "兄弟": "之兄弟姐妹",
    "姐妹": "之兄弟姐妹",
    "曾孙子": "之曾孙子",
    "曾孙女": "之曾孙女",
    "侄儿": "之侄儿",
    "侄子": "之侄儿",
    "侄女": "之侄女",
    "兄弟媳妇": "之兄弟媳妇",
    "弟媳": "之兄弟媳妇",
    "嫂子": "之兄弟媳妇",
    "叔伯": "之叔伯",
    "其它": "其他",
    "99": "其他",
}
EDUCATION = ("文盲或半文盲", "小学", "初中", "高中", "大专", "本科及以上", "学龄前儿童")
SCHOOL_STATUS = (
    "非在校生",
    "学龄前儿童",
    "学前教育",
    "小学",
    "七年级",
    "八年级",
    "九年级",
    "高中一年级",
    "高中二年级",
    "高中三年级",
    "中职一年级",
    "中职二年级",
    "中职三年级",
    "高职一年级",
    "高职二年级",
    "高职三年级",
    "高职高专一年级",
    "高职高专二年级",
    "高职高专三年级",
    "技师学院一年级",
    "技师学院二年级",
    "技师学院三年级",
    "技师学院四年级",
    "本科一年级",
    "本科二年级",
    "本科三年级",
    "本科四年级",
    "本科五年级",
    "大专及以上",
    "硕士研究生及以上",
)
HEALTH = ("健康", "长期慢性病", "患有大病", "残疾")
# 防止返贫监测 (docs/monitoring.md): the three object types and the risk kinds recorded.
MONITORING_TYPE = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
RISK_KINDS = (
    "因病",
    "因残",
    "因学",
    "因灾",
    "因意外事故",
    "因产业项目失败",
    "因务工就业不稳",
    "缺劳动力",
    "住房出现安全问题",
    "饮水安全问题",
    "家庭成员变故",
    "刚性支出较大",
    "收入大幅缩减",
    "其他",
)
# The households columns of monitoring years (absent in earlier years' files).
MONITORING_HOUSEHOLD_COLUMNS = (
    "monitoring_type",
    "monitoring_date",
    "risk_kinds",
    "medical_expense",
    "education_expense",
    "other_rigid_expense",
    "previous_per_capita_income",
    "risk_cleared",
    "risk_cleared_date",
)
RISK_VARIANTS = {
    "病": "因病",
    "残": "因残",
    "学": "因学",
    "灾": "因灾",
    "意外事故": "因意外事故",
    "因意外": "因意外事故",
    "产业失败": "因产业项目失败",
    "产业项目失败": "因产业项目失败",
    "因产业失败": "因产业项目失败",
    "就业不稳": "因务工就业不稳",
    "务工就业不稳": "因务工就业不稳",
    "因就业不稳": "因务工就业不稳",
    "刚性支出": "刚性支出较大",
    "支出骤增": "刚性支出较大",
    "收入骤减": "收入大幅缩减",
    "收入大幅减少": "收入大幅缩减",
    "其它": "其他",
}
LABOR = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力")
WORK_STATUS = ("乡（镇）内务工", "乡（镇）外县内务工", "县外省内务工", "省外务工", "未外出务工", "其他")
CHANGE_REASON = ("死亡", "嫁出", "出国定居", "判刑收监", "嫁入", "新生儿", "其他转入", "其他转出")
PROGRAM = ("农村低保", "特困供养")
DIBAO_CLASS = ("一类", "二类", "三类")
LEVEL = ("中央", "省", "市", "县", "乡镇", "村", "其他")
RANK = ("县处级", "乡科级正职", "乡科级副职", "一般干部", "村干部")
CROSSCHECK_SOURCE = ("财政供养", "车辆", "商品房", "工商注册", "村干部")
PROJECT_CATEGORY = (
    "产业发展",
    "基础设施",
    "易地扶贫搬迁",
    "危房改造",
    "教育扶贫",
    "健康扶贫",
    "金融扶贫",
    "就业扶贫",
    "公益岗位",
    "生态扶贫",
    "综合保障",
    "其他",
)
FUND_SOURCE = (
    "中央财政专项扶贫资金",
    "省级财政专项扶贫资金",
    "市县财政专项扶贫资金",
    "统筹整合涉农资金",
    "东西部协作资金",
    "社会帮扶资金",
    "其他",
)
# Measure catalogue of the 帮扶措施明白卡 and 扶贫手册 (domain.md §6.2).
MEASURE = (
    "产业扶贫",
    "就业扶贫",
    "易地扶贫搬迁",
    "公益岗位",
    "教育扶贫",
    "健康扶贫",
    "危房改造",
    "金融扶贫",
    "生活条件改善",
    "综合保障",
    "生态扶贫",
    "雨露计划",
    "扶贫小额信贷",
    "其他",
)
STAGE = ("预付款", "进度款", "尾款", "一次性")

# ---- tables ----------------------------------------------------------------------------

_MONEY = "money"

HOUSEHOLDS = (
    _c("household_id", "text", ("户编号", "户码", "贫困户编号"), "AAC001", req=True, ident=True),
    _c(
        "village_code",
        "text",
        ("行政村代码", "村代码", "行政村编码", "村编码", "行政区划代码", "区划代码"),
        ("AAD001", "AAR008"),
        req=True,
        ident=True,
    ),
    _c("village_name", "text", ("行政村", "村名", "行政村名称", "村", "村(居)", "村(社区)")),
    _c("township_name", "text", ("乡镇", "乡(镇)", "乡镇名称", "乡(镇)名称", "所在乡镇", "所在乡"), "AAR025"),
    _c("group_name", "text", ("自然村(组)", "村民小组", "自然村", "组", "村民小组(自然村)", "所在组"), "AAR007"),
    _c("head_name", "text", ("户主姓名", "户主"), "AAC029", req=True),
    _c(
        "head_id_number",
        "text",
        ("户主证件号码", "户主身份证号", "户主身份证号码", "户主公民身份号码"),
        "AAC031",
        req=True,
        ident=True,
    ),
    _c("household_size", "int", ("家庭人口数", "家庭人口", "人口数", "户人口数", "家庭人数"), "AAC017", req=True),
    _c("phone", "text", ("联系电话", "电话", "手机号码", "联系方式"), "AAR012", ident=True),
    _c("bank_account", "text", ("银行卡号", "银行账号", "开户账号", "一卡通账号"), "AAC004", ident=True),
    _c(
        "registered",
        "bool",
        ("是否建档立卡", "是否建档立卡户", "建档立卡"),
        req=True,
        variants={
            "建档立卡户": "是",
            "建档立卡贫困户": "是",
            "贫困户": "是",
            "非建档立卡户": "否",
            "一般农户": "否",
            "农户": "否",
            "非贫困户": "否",
        },
    ),
    _c(
        "category",
        "enum",
        ("贫困户属性", "户属性", "贫困户类型"),
        "AAC006",
        labels=CATEGORY,
        variants={
            "五保贫困户": "特困供养贫困户",
            "五保户": "特困供养贫困户",
            "特困户": "特困供养贫困户",
            "特困供养户": "特困供养贫困户",
            "低保户": "低保贫困户",
            "一般户": "一般贫困户",
            "一般脱贫户": "一般贫困户",
            "低保脱贫户": "低保贫困户",
            "特困供养脱贫户": "特困供养贫困户",
            "五保脱贫户": "特困供养贫困户",
        },
    ),
    _c(
        "status",
        "enum",
        ("脱贫状态", "脱贫标志", "脱贫属性"),
        "AAR010",
        labels=STATUS,
        variants={
            "0": "未脱贫",
            "1": "已脱贫(享受政策)",
            "3": "返贫",
            "4": "已脱贫(不再享受政策)",
            "贫困": "未脱贫",
            "已脱贫": "已脱贫(享受政策)",
            "脱贫(享受政策)": "已脱贫(享受政策)",
            "脱贫享受政策": "已脱贫(享受政策)",
            "已脱贫享受政策": "已脱贫(享受政策)",
            "脱贫(不再享受政策)": "已脱贫(不再享受政策)",
            "已脱贫不再享受政策": "已脱贫(不再享受政策)",
            "脱贫不再享受政策": "已脱贫(不再享受政策)",
            "稳定脱贫": "已脱贫(不再享受政策)",
        },
    ),
    _c("identified_year", "year", ("首次识别年度", "识别年度", "新识别年度", "首次识别时间"), "AAR041"),
    _c("exit_year", "year", ("脱贫年度", "脱贫年份", "脱贫时间"), "AAC023"),
    _c("planned_exit_year", "year", ("计划脱贫年度", "计划脱贫年份", "计划脱贫时间")),
    _c(
        "main_cause",
        "enum",
        ("主要致贫原因", "致贫原因", "主要致贫原因(单选)"),
        "AAC007",
        when="registered",
        labels=CAUSES,
        variants=CAUSE_VARIANTS,
    ),
    _c(
        "other_causes",
        "multi",
        ("其他致贫原因", "次要致贫原因", "其它致贫原因"),
        "AAC008",
        labels=CAUSES,
        variants=CAUSE_VARIANTS,
    ),
    _c("wage_income", _MONEY, ("工资性收入",), "AAC073", req=True),
    _c("business_income", _MONEY, ("生产经营性收入", "家庭生产经营性收入", "经营性收入"), "AAC071", req=True),
    _c("property_income", _MONEY, ("财产性收入",), "AAC072", req=True),
    _c("transfer_income", _MONEY, ("转移性收入",), "AAC085"),
    _c("family_planning_benefit", _MONEY, ("计划生育金", "计划生育奖励扶助金"), "AAC076"),
    _c("dibao_benefit", _MONEY, ("低保金", "低保补助金"), "AAC077"),
    _c("tekun_benefit", _MONEY, ("特困供养金", "五保金", "五保供养金"), "AAC086"),
    _c("pension_benefit", _MONEY, ("养老保险金", "养老金"), "AAC087"),
    _c("eco_compensation", _MONEY, ("生态补偿金", "生态补偿"), "AAC078"),
    _c("other_transfer", _MONEY, ("其他转移性收入", "其它转移性收入"), "AAC083"),
    _c("business_expense", _MONEY, ("生产经营性支出", "经营性支出", "家庭生产经营性支出"), "AAC074", req=True),
    _c("per_capita_net_income", _MONEY, ("人均纯收入", "家庭人均纯收入", "人均可支配收入"), "AAC082"),
    _c("cultivated_land_mu", "area", ("耕地面积(亩)", "耕地面积"), "AAC301"),
    _c("housing_area_m2", "area", ("住房面积(平方米)", "住房面积", "住房面积(㎡)"), "AAC317"),
    _c("dangerous_house", "bool", ("是否危房户", "是否危房"), "AAC318", req=True),
    _c(
        "house_grade",
        "enum",
        ("危房级别", "危房等级"),
        "AAC322",
        labels=HOUSE_GRADE,
        variants={
            "c": "C级",
            "d": "D级",
            "c类": "C级",
            "d类": "D级",
            "危房c类": "C级",
            "危房d类": "D级",
            "c级危房": "C级",
            "d级危房": "D级",
        },
    ),
    _c("drinking_water_safe", "bool", ("饮水是否安全", "是否饮水安全"), "AAC312", req=True),
    _c("drinking_water_difficult", "bool", ("饮水是否困难", "是否饮水困难"), "AAC311"),
    _c("has_electricity", "bool", ("是否通生活用电", "是否通电"), "AAC313"),
    _c("road_distance_km", "area", ("与村主干路距离(公里)", "与村主干路距离", "距村主干路距离(公里)"), "AAC315"),
    _c(
        "road_type",
        "enum",
        ("入户路类型",),
        "AAC316",
        labels=ROAD_TYPE,
        variants={
            **_numbered(ROAD_TYPE),
            "土路": "泥土路",
            "砂石": "砂石路",
            "水泥": "水泥路",
            "沥青": "沥青路",
            "柏油路": "沥青路",
        },
    ),
    _c("sanitary_toilet", "bool", ("有无卫生厕所", "是否有卫生厕所"), "AAC319"),
    _c("relocation_willing", "bool", ("是否有搬迁意愿", "搬迁意愿"), "ACR077"),
    _c("joined_coop", "bool", ("是否加入农民专业合作社", "是否加入农民专业合作社(组织)", "是否加入合作社"), "AAC084"),
    _c("cadre_id", "text", ("帮扶责任人编号",), "AAK110", ident=True),
    # 防止返贫监测 (data years from monitoring.first_year; empty or absent in earlier years)
    _c(
        "monitoring_type",
        "enum",
        ("监测对象类型", "监测对象类别", "监测类型", "防返贫监测对象类型"),
        labels=MONITORING_TYPE,
        variants={
            "脱贫不稳定": "脱贫不稳定户",
            "边缘易致贫": "边缘易致贫户",
            "边缘户": "边缘易致贫户",
            "突发严重困难": "突发严重困难户",
            "突发困难户": "突发严重困难户",
        },
    ),
    _c("monitoring_date", "date", ("纳入监测时间", "识别监测时间", "纳入监测日期", "监测识别时间")),
    _c(
        "risk_kinds",
        "multi",
        ("风险类型", "返贫致贫风险", "主要风险类型", "风险类别", "致贫返贫风险"),
        labels=RISK_KINDS,
        variants=RISK_VARIANTS,
    ),
    _c("medical_expense", _MONEY, ("医疗支出", "自付医疗费用", "医疗自付费用", "大病医疗支出")),
    _c("education_expense", _MONEY, ("教育支出", "子女上学支出")),
    _c("other_rigid_expense", _MONEY, ("其他刚性支出", "其它刚性支出")),
    _c("previous_per_capita_income", _MONEY, ("上年人均纯收入", "上年度人均纯收入", "上年家庭人均纯收入")),
    _c("risk_cleared", "bool", ("是否风险消除", "风险是否消除", "风险消除", "是否已消除风险")),
    _c("risk_cleared_date", "date", ("风险消除时间", "风险消除日期", "标注风险消除时间")),
)

MEMBERS = (
    _c("household_id", "text", ("户编号", "户码"), "AAC001", req=True, ident=True),
    _c(
        "id_number",
        "text",
        ("证件号码", "身份证号", "身份证号码", "公民身份号码", "证件号"),
        "AAB004",
        req=True,
        ident=True,
    ),
    _c(
        "id_type",
        "enum",
        ("证件类型",),
        "AAB018",
        labels=ID_TYPE,
        variants={
            "身份证": "居民身份证",
            "二代身份证": "居民身份证",
            "居民身份证(户口簿)": "居民身份证",
            "残疾证": "残疾人证",
            "户口本": "户口簿",
        },
    ),
    _c("name", "text", ("姓名", "成员姓名"), "AAB002", req=True),
    _c(
        "sex",
        "enum",
        ("性别",),
        "AAB003",
        req=True,
        labels=SEX,
        variants={"1": "男", "2": "女", "男性": "男", "女性": "女", "m": "男", "f": "女"},
    ),
    _c("birth_date", "date", ("出生日期", "出生年月日", "出生年月"), "AAB005"),
    _c(
        "ethnicity",
        "enum",
        ("民族",),
        "AAB007",
        labels=ETHNICITY,
        variants={
            **_numbered(ETHNICITY),
            **{e[:-1]: e for e in ETHNICITY if len(e) > 2},
            "汉": "汉族",
            "回": "回族",
            "藏": "藏族",
            "苗": "苗族",
            "彝": "彝族",
            "壮": "壮族",
            "满": "满族",
            "侗": "侗族",
            "瑶": "瑶族",
            "白": "白族",
            "黎": "黎族",
            "佤": "佤族",
            "畲": "畲族",
            "水": "水族",
            "土": "土族",
            "羌": "羌族",
            "怒": "怒族",
            "京": "京族",
            "蒙古": "蒙古族",
        },
    ),
    _c(
        "relation",
        "enum",
        ("与户主关系", "与户主的关系", "家庭关系"),
        "AAB006",
        req=True,
        labels=RELATION,
        variants=RELATION_VARIANTS,
    ),
    _c(
        "education",
        "enum",
        ("文化程度",),
        "AAB008",
        labels=EDUCATION,
        variants={
            "文盲": "文盲或半文盲",
            "半文盲": "文盲或半文盲",
            "文盲半文盲": "文盲或半文盲",
            "本科": "本科及以上",
            "大学本科": "本科及以上",
            "研究生": "本科及以上",
            "大学专科": "大专",
            "专科": "大专",
            "高中(含中专)": "高中",
            "学前儿童": "学龄前儿童",
        },
    ),
    _c(
        "school_status",
        "enum",
        ("在校生状况", "在校生情况", "在校生状态"),
        "AAB009",
        labels=SCHOOL_STATUS,
        variants={
            "普通高中一年级": "高中一年级",
            "普通高中二年级": "高中二年级",
            "普通高中三年级": "高中三年级",
            "初一": "七年级",
            "初二": "八年级",
            "初三": "九年级",
            "高一": "高中一年级",
            "高二": "高中二年级",
            "高三": "高中三年级",
            "非在校学生": "非在校生",
            "不在校": "非在校生",
        },
    ),
    _c(
        "health",
        "multi",
        ("健康状况",),
        "AAB017",
        req=True,
        labels=HEALTH,
        variants={"慢性病": "长期慢性病", "大病": "患有大病", "患大病": "患有大病", "残疾人": "残疾"},
    ),
    _c(
        "labor",
        "enum",
        ("劳动技能", "劳动能力"),
        "AAB010",
        req=True,
        labels=LABOR,
        variants={
            "弱劳动力": "弱劳动力或半劳动力",
            "半劳动力": "弱劳动力或半劳动力",
            "弱劳动力/半劳动力": "弱劳动力或半劳动力",
            "丧失劳动能力": "丧失劳动力",
            "无劳动能力": "无劳动力",
            "技能劳动": "技能劳动力",
            "普通劳动": "普通劳动力",
        },
    ),
    _c(
        "work_status",
        "enum",
        ("务工状况", "务工区域", "务工情况"),
        labels=WORK_STATUS,
        variants={
            "乡镇内务工": "乡（镇）内务工",
            "乡镇外县内务工": "乡（镇）外县内务工",
            "99": "其他",
            "其它": "其他",
            "未务工": "未外出务工",
            "无": "未外出务工",
        },
    ),
    _c("work_months", "int", ("务工时间(月)", "务工时间", "务工月数", "务工时间(个月)"), "AAB012"),
    _c(
        "medical_insurance",
        "bool",
        (
            "是否参加城乡居民基本医疗保险",
            "是否参加新型农村合作医疗",
            "是否参加新农合",
            "是否参加新型农村合作医疗(城乡居民基本医疗保险)",
        ),
        "AAB013",
    ),
    _c("critical_illness_insurance", "bool", ("是否参加大病保险",), "AAB022"),
    _c("pension_insurance", "bool", ("是否参加城乡居民基本养老保险", "是否参加城乡居民养老保险"), "AAB014"),
    _c("on_dibao", "bool", ("是否享受低保", "是否享受农村居民最低生活保障"), "AAB030"),
    _c("on_tekun", "bool", ("是否特困供养人员", "是否特困供养")),
    _c(
        "change_reason",
        "enum",
        ("人员变更原因", "变更原因", "减少原因", "增加原因"),
        labels=CHANGE_REASON,
        variants={
            "去世": "死亡",
            "亡故": "死亡",
            "出嫁": "嫁出",
            "婚出": "嫁出",
            "婚入": "嫁入",
            "出生": "新生儿",
            "新增人口": "新生儿",
            "服刑": "判刑收监",
            "其它转入": "其他转入",
            "其它转出": "其他转出",
        },
    ),
    _c("change_date", "date", ("变更日期", "变更时间")),
)

VILLAGES = (
    _c(
        "village_code",
        "text",
        ("行政村代码", "村代码", "行政村编码", "村编码", "贫困村编号"),
        ("AAD001", "AAR008"),
        req=True,
        ident=True,
    ),
    _c("village_name", "text", ("行政村", "行政村名称", "村名", "村名称"), req=True),
    _c("township_code", "text", ("乡镇代码", "乡(镇)代码", "乡镇编码"), "AAR001", ident=True),
    _c("township_name", "text", ("乡镇", "乡(镇)", "乡镇名称"), "AAR025", req=True),
    _c(
        "is_poor_village",
        "bool",
        ("是否贫困村", "村属性"),
        "AAD004",
        variants={"贫困村": "是", "重点贫困村": "是", "非贫困村": "否", "一般村": "否"},
    ),
    _c("total_households", "int", ("总户数",), "AAD005", req=True),
    _c("total_population", "int", ("总人口数", "总人口"), "AAD010", req=True),
    _c("agricultural_population", "int", ("农业人口数", "农业人口", "农村户籍人口数")),
    _c("per_capita_income", _MONEY, ("农民人均纯收入(元)", "农民人均纯收入", "人均纯收入"), "AAD301", req=True),
    _c(
        "collective_income",
        _MONEY,
        ("村级集体经济收入(万元)", "村级集体经济收入", "村集体经济收入"),
        "AAD302",
        req=True,
    ),
    _c("hardened_road", "bool", ("是否通硬化路", "到乡镇是否通沥青(水泥)路"), "AAD328"),
    _c("has_clinic", "bool", ("是否有标准化卫生室", "是否有卫生室")),
    _c("household_quota", "int", ("识别规模(户)", "识别规模", "规模控制数")),
)

DIBAO = (
    _c("record_id", "text", ("记录编号", "序号编号"), req=True, ident=True),
    _c("id_number", "text", ("身份证号", "身份证号码", "证件号码", "公民身份号码"), "AAB004", ident=True),
    _c("name", "text", ("姓名", "保障对象姓名"), "AAB002", req=True),
    _c("village_code", "text", ("行政村代码", "村代码", "村(居)代码"), ident=True),
    _c("village_name", "text", ("行政村", "村(居)", "村(社区)", "村名")),
    _c("family_ref", "text", ("低保户编号", "低保证号", "户编号"), ident=True),
    _c("relation", "enum", ("与户主关系", "与户主的关系"), "AAB006", labels=RELATION, variants=RELATION_VARIANTS),
    _c(
        "program",
        "enum",
        ("保障类型", "救助类型", "保障类别"),
        req=True,
        labels=PROGRAM,
        variants={
            "低保": "农村低保",
            "农村最低生活保障": "农村低保",
            "五保": "特困供养",
            "农村特困供养": "特困供养",
            "特困人员": "特困供养",
            "特困": "特困供养",
            "农村五保": "特困供养",
            "五保供养": "特困供养",
        },
    ),
    _c(
        "dibao_class",
        "enum",
        ("低保类别", "保障类别(类)"),
        labels=DIBAO_CLASS,
        variants={"1类": "一类", "2类": "二类", "3类": "三类", "a类": "一类", "b类": "二类", "c类": "三类"},
    ),
    _c("monthly_amount", _MONEY, ("月保障金额", "月保障金", "保障金额", "月救助金额"), req=True),
    _c("start_date", "date", ("起始日期", "保障起始日期", "开始日期", "纳入日期"), req=True),
    _c("end_date", "date", ("终止日期", "保障终止日期", "结束日期", "退出日期")),
)

CADRES = (
    _c("cadre_id", "text", ("帮扶责任人编号", "责任人编号", "帮扶人编号"), "AAK110", req=True, ident=True),
    _c("name", "text", ("姓名", "帮扶责任人姓名", "帮扶责任人"), req=True),
    _c("id_number", "text", ("身份证号", "身份证号码", "证件号码"), ident=True),
    _c("unit", "text", ("工作单位", "单位", "单位名称"), req=True),
    _c(
        "level",
        "enum",
        ("单位隶属关系", "单位级别", "隶属关系"),
        labels=LEVEL,
        variants={
            "中直": "中央",
            "中央单位": "中央",
            "省直": "省",
            "省级": "省",
            "市直": "市",
            "市级": "市",
            "县直": "县",
            "县级": "县",
            "县(市、区)": "县",
            "乡镇级": "乡镇",
            "乡(镇)": "乡镇",
            "乡级": "乡镇",
            "村级": "村",
            "其它": "其他",
        },
    ),
    _c(
        "rank",
        "enum",
        ("职级", "职务级别"),
        labels=RANK,
        variants={
            "处级": "县处级",
            "县处级干部": "县处级",
            "正科": "乡科级正职",
            "正科级": "乡科级正职",
            "副科": "乡科级副职",
            "副科级": "乡科级副职",
            "科员": "一般干部",
            "一般": "一般干部",
            "村组干部": "村干部",
        },
    ),
    _c("township_code", "text", ("联系乡镇代码", "乡镇代码"), ident=True),
    _c("max_households", "int", ("最多帮扶户数", "帮扶户数上限")),
    _c("phone", "text", ("联系电话", "电话", "手机号码"), ident=True),
)

CROSSCHECK = (
    _c("id_number", "text", ("身份证号", "身份证号码", "证件号码"), ident=True, req=True),
    _c("name", "text", ("姓名",)),
    _c(
        "source",
        "enum",
        ("比对类别", "比对类型", "数据来源", "比对来源"),
        req=True,
        labels=CROSSCHECK_SOURCE,
        variants={
            "财政供养人员": "财政供养",
            "公职人员": "财政供养",
            "车辆信息": "车辆",
            "机动车": "车辆",
            "机动车辆": "车辆",
            "商品房信息": "商品房",
            "房产": "商品房",
            "购买商品房": "商品房",
            "工商": "工商注册",
            "工商注册信息": "工商注册",
            "工商企业": "工商注册",
            "村干部信息": "村干部",
        },
    ),
    _c("detail", "text", ("比对详情", "详情", "比对结果")),
)

PROJECTS = (
    _c("project_id", "text", ("项目编号", "项目代码"), req=True, ident=True),
    _c("name", "text", ("项目名称",), req=True),
    _c("village_code", "text", ("实施地点(村代码)", "村代码", "行政村代码", "实施地点代码"), ident=True),
    _c(
        "category",
        "enum",
        ("项目类别", "项目类型"),
        req=True,
        labels=PROJECT_CATEGORY,
        variants={
            "产业扶贫": "产业发展",
            "产业项目": "产业发展",
            "基础设施建设": "基础设施",
            "村基础设施": "基础设施",
            "易地搬迁": "易地扶贫搬迁",
            "易迁": "易地扶贫搬迁",
            "其它": "其他",
        },
    ),
    _c(
        "fund_source",
        "enum",
        ("资金来源",),
        req=True,
        labels=FUND_SOURCE,
        variants={
            "中央专项资金": "中央财政专项扶贫资金",
            "中央财政扶贫资金": "中央财政专项扶贫资金",
            "省级专项资金": "省级财政专项扶贫资金",
            "省级财政扶贫资金": "省级财政专项扶贫资金",
            "市县专项资金": "市县财政专项扶贫资金",
            "市县财政扶贫资金": "市县财政专项扶贫资金",
            "整合资金": "统筹整合涉农资金",
            "涉农整合资金": "统筹整合涉农资金",
            "东西部扶贫协作资金": "东西部协作资金",
            "社会扶贫资金": "社会帮扶资金",
            "其它": "其他",
        },
    ),
    _c("budget", _MONEY, ("资金规模(元)", "资金规模", "项目资金", "投资规模(元)", "预算金额"), req=True),
    _c("implementer", "text", ("实施单位", "项目实施单位"), req=True),
    _c("approved_date", "date", ("审批日期", "批复日期")),
    _c("contract_id", "text", ("合同编号",), ident=True),
    _c("publicity_start", "date", ("公示开始日期", "公示起始日期")),
    _c("publicity_end", "date", ("公示结束日期", "公示截止日期")),
    _c("start_date", "date", ("开工日期", "开工时间")),
    _c("completion_date", "date", ("完工日期", "完工时间", "竣工日期")),
    _c("acceptance_date", "date", ("验收日期", "验收时间")),
    _c("beneficiary_households", "int", ("受益户数",)),
    _c("beneficiary_poor_households", "int", ("受益贫困户数", "受益建档立卡户数")),
    _c("performance_target", "text", ("绩效目标",)),
)

PAYMENTS = (
    _c("payment_id", "text", ("拨付编号", "凭证号", "凭证编号", "记账凭证号"), req=True, ident=True),
    _c("project_id", "text", ("项目编号", "项目代码"), ident=True),
    _c("household_id", "text", ("户编号",), "AAC001", ident=True),
    _c("payee_name", "text", ("收款人", "收款单位", "收款人(单位)", "收款人姓名"), req=True),
    _c("payee_id_number", "text", ("收款人身份证号", "收款人身份证号码", "收款人证件号码"), ident=True),
    _c("bank_account", "text", ("收款账号", "收款人账号", "银行账号", "银行卡号"), ident=True),
    _c("amount", _MONEY, ("金额(元)", "金额", "拨付金额", "拨付金额(元)"), req=True),
    _c("pay_date", "date", ("拨付日期", "支付日期", "付款日期"), req=True),
    _c(
        "measure",
        "enum",
        ("帮扶措施", "补助类别", "补助类型"),
        labels=MEASURE,
        variants={
            "产业发展": "产业扶贫",
            "就业帮扶": "就业扶贫",
            "产业帮扶": "产业扶贫",
            "易迁": "易地扶贫搬迁",
            "易地搬迁": "易地扶贫搬迁",
            "公益性岗位": "公益岗位",
            "金融帮扶": "金融扶贫",
            "小额信贷": "扶贫小额信贷",
            "小额信贷贴息": "扶贫小额信贷",
            "兜底保障": "综合保障",
            "危改": "危房改造",
            "其它": "其他",
        },
    ),
    _c("purpose", "text", ("用途摘要", "摘要", "用途"), req=True),
    _c(
        "stage",
        "enum",
        ("拨付阶段", "付款阶段"),
        labels=STAGE,
        variants={
            "预付": "预付款",
            "进度": "进度款",
            "结算款": "尾款",
            "尾款结算": "尾款",
            "一次性拨付": "一次性",
            "一次性付清": "一次性",
            "全额": "一次性",
        },
    ),
)

_ALL = {
    "households": HOUSEHOLDS,
    "members": MEMBERS,
    "villages": VILLAGES,
    "dibao": DIBAO,
    "cadres": CADRES,
    "crosscheck": CROSSCHECK,
    "projects": PROJECTS,
    "payments": PAYMENTS,
}
assert tuple(_ALL) == TABLES

COLUMNS: dict[str, dict[str, Column]] = {t: {c.name: c for c in cols} for t, cols in _ALL.items()}

# The key of a record, used in findings (data-contract §3).
KEY_COLUMNS: dict[str, str] = {
    "households": "household_id",
    "members": "id_number",
    "villages": "village_code",
    "dibao": "record_id",
    "cadres": "cadre_id",
    "crosscheck": "id_number",
    "projects": "project_id",
    "payments": "payment_id",
}


# ---- look-ups --------------------------------------------------------------------------


def columns(table: str) -> dict[str, Column]:
    try:
        return COLUMNS[table]
    except KeyError:
        raise KeyError(f"unknown table {table!r}") from None


def column(table: str, name: str) -> Column:
    return columns(table)[name]


def key_column(table: str) -> str:
    return KEY_COLUMNS[table]


def identifier_columns(table: str) -> list[str]:
    return [c.name for c in columns(table).values() if c.identifier]


def required_columns(table: str) -> list[str]:
    """Columns required on every row (conditional ones, e.g. main_cause, are not included)."""
    return [c.name for c in columns(table).values() if c.required]


def conditional_columns(table: str) -> dict[str, str]:
    """Column → condition (e.g. ``{"main_cause": "registered"}``)."""
    return {c.name: c.required_when for c in columns(table).values() if c.required_when}


def columns_of_type(table: str, *types: str) -> list[str]:
    return [c.name for c in columns(table).values() if c.type in types]


def enum_labels(table: str, name: str) -> tuple[str, ...]:
    c = column(table, name)
    if c.type not in ("enum", "multi"):
        raise ValueError(f"{table}.{name} is a {c.type} column, not enum/multi")
    return c.labels


def _label_map(c: Column) -> dict[str, str]:
    m = {key(v): lab for v, lab in c.variants.items()}
    m.update({key(lab): lab for lab in c.labels})
    return m


_LABEL_MAPS: dict[tuple[str, str], dict[str, str]] = {
    (t, c.name): _label_map(c) for t, cols in COLUMNS.items() for c in cols.values() if c.type in ("enum", "multi")
}


def label_map(table: str, name: str) -> dict[str, str]:
    """key(label or variant) → canonical label, for an enum/multi column."""
    return _LABEL_MAPS[(table, name)]


def normalize_label(table: str, name: str, value: str | None) -> str | None:
    """One raw label → canonical label, or None when unknown or empty."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return label_map(table, name).get(key(value))


def normalize_labels(table: str, name: str, values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalize_label` (unknown and empty → NA), for enum columns."""
    codes, uniques = pd.factorize(values)
    m = label_map(table, name)
    mapped = [m.get(key(u)) for u in uniques]
    out = pd.Series(pd.array(mapped, dtype="str").take(codes, allow_fill=True), index=values.index, dtype="str")
    return out


def _bool_map(c: Column) -> dict[str, bool]:
    m = {key(w): True for w in TRUE_WORDS}
    m.update({key(w): False for w in FALSE_WORDS})
    for v, target in c.variants.items():
        m[key(v)] = key(target) in {key(w) for w in TRUE_WORDS}
    return m


def bool_map(table: str, name: str) -> dict[str, bool]:
    """key(word) → True/False for a bool column (是/否, 有/无, Y/N, 1/0, true/false, √/× and variants)."""
    return _bool_map(column(table, name))


def header_map(table: str) -> dict[str, str]:
    """key(header) → canonical column name: canonical names, Chinese aliases, national codes."""
    m: dict[str, str] = {}
    for c in columns(table).values():
        for h in (c.name, *c.aliases, *c.codes):
            m.setdefault(key(h), c.name)
    return m


def dtype_of(table: str, name: str) -> str:
    """The pandas dtype of a column in a typed frame."""
    return DTYPES[column(table, name).type]


# ---- tables as one record ----------------------------------------------------------------


@dataclass(frozen=True)
class TableSpec:
    """One table: its name, files, names for people, key and columns (registry order)."""

    name: str
    required: bool
    files: tuple[str, ...]
    label_zh: str
    label_en: str
    key: str
    columns: tuple[Column, ...]

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


TABLE_SPECS: dict[str, TableSpec] = {
    t: TableSpec(
        name=t,
        required=t in REQUIRED_TABLES,
        files=FILE_ALIASES[t],
        label_zh=TABLE_LABELS[t][0],
        label_en=TABLE_LABELS[t][1],
        key=KEY_COLUMNS[t],
        columns=tuple(COLUMNS[t].values()),
    )
    for t in TABLES
}


# ---- typed frames ------------------------------------------------------------------------


def na_column(type_: str, n: int) -> pd.Series:
    """A column of ``n`` missing values with the dtype of contract type ``type_``."""
    # one missing value taken n times: a list of n Nones went through Python per row
    one: Any = pd.array([None], dtype=DTYPES[type_])  # type: ignore[call-overload]
    return pd.Series(one.take(np.full(n, -1), allow_fill=True))


# ``frame.attrs`` key: the columns conform() added (the source had no such column).
ABSENT = "jingzhun_absent"


def conform(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every column of the table: an absent column is added typed and all NA.

    Order: ``_row`` (when present), the table's columns in registry order, then any other
    column as it was. Present columns are kept as they are. The names of the added columns
    are kept in ``attrs[ABSENT]``: a rule whose meaning differs between "the file has no
    such column" and "the column is empty" asks :func:`provided`; every other rule reads
    the column without asking.
    """
    cols = columns(table)
    missing = [name for name in cols if name not in frame.columns]
    if not missing:
        return frame
    n = len(frame)
    data: dict[str, pd.Series] = {}
    if "_row" in frame.columns:
        data["_row"] = frame["_row"]
    for name, c in cols.items():
        if name in frame.columns:
            data[name] = frame[name]
        else:
            data[name] = pd.Series(na_column(c.type, n).array, index=frame.index, name=name)
    for name in frame.columns:
        if name not in data:
            data[name] = frame[name]
    out = pd.DataFrame(data, index=frame.index)
    out.attrs.update(frame.attrs)
    out.attrs[ABSENT] = (*frame.attrs.get(ABSENT, ()), *missing)
    return out


def conform_frames(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every frame of a known table conformed (:func:`conform`); other entries as they are."""
    return {t: conform(t, df) if t in COLUMNS and df is not None else df for t, df in frames.items()}


def absent_columns(frame: pd.DataFrame) -> frozenset[str]:
    """The columns :func:`conform` added to ``frame`` (the source had none of them)."""
    return frozenset(frame.attrs.get(ABSENT, ()))


def provided(frame: pd.DataFrame, name: str) -> bool:
    """True when the source had column ``name`` (not added empty by :func:`conform`)."""
    return name in frame.columns and name not in frame.attrs.get(ABSENT, ())


def text_column(
    frame: pd.DataFrame, name: str, *, strip: bool = False, blank_na: bool = False, reset: bool = False
) -> pd.Series:
    """Column ``name`` as text (an absent column: all NA): the one ``_text`` helper of the domain steps.

    ``strip`` trims it; ``blank_na`` also trims and makes an empty cell NA; ``reset`` numbers
    the result 0..n-1 (for building a new frame beside other reset columns).
    """
    if name not in frame.columns:
        return pd.Series(pd.NA, index=pd.RangeIndex(len(frame)) if reset else frame.index, dtype="str")
    s = frame[name]
    if blank_na:
        if s.dtype != "str":
            s = s.astype("str").where(s.notna(), cast(Any, pd.NA))
        s = s.str.strip()
        s = s.where(s != "", cast(Any, pd.NA)).astype("str")
    else:
        s = s.astype("str")
        if strip:
            s = s.str.strip()
    return s.reset_index(drop=True) if reset else s
