"""The person's labels of an output table: sheet names, column titles and coded values.

CSV files keep the canonical names and codes (scripts rely on them, data contract §5);
every xlsx is the person's file: :func:`for_person` gives a labelled copy of a frame
(Chinese with ``--lang zh``, English with ``--lang en``), applied by
:func:`jingzhun.io.write.write_xlsx`. The frames the CSVs are written from are never
changed.

Column titles: a workbook's own titles first (``titles=``), then the output-only
titles below, then the table specification (the first Chinese header alias of the
column in ``jingzhun.tablespec``), else the canonical name itself (in English
with the underscores as spaces).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from jingzhun.i18n import get_lang
from jingzhun.tablespec import COLUMNS as SPEC

Title = tuple[str, str]  # (zh, en)
Titles = Mapping[str, Title | str]

TABLE_TITLES: dict[str, Title] = {
    "households": ("农户信息", "households"),
    "members": ("家庭成员", "members"),
    "villages": ("行政村", "villages"),
    "dibao": ("低保名册", "低保 roster"),
    "cadres": ("帮扶责任人", "cadres"),
    "crosscheck": ("比对数据", "cross-check data"),
    "projects": ("项目库", "projects"),
    "payments": ("资金拨付", "payments"),
    "decisions": ("复核决定", "review decisions"),
}

# Sheet key (as the writers name them) → sheet title.
SHEETS: dict[str, Title] = {
    **TABLE_TITLES,
    "households": ("农户", "households"),
    "townships": ("乡镇", "townships"),
    "findings": ("问题清单", "findings"),
    "plans": ("帮扶计划", "plans"),
    "funds_by_source": ("按资金来源", "funds by source"),
    "funds_by_category": ("按项目类别", "funds by category"),
    "funds_by_township": ("按乡镇", "funds by township"),
    "funds_by_village": ("按行政村", "funds by village"),
    "funds_completion": ("项目进度", "project completion"),
    "review": ("复核", "review"),
}

# Sheet key → the table whose specification names its columns.
SHEET_TABLES: dict[str, str] = {
    "households": "households",
    "members": "members",
    "villages": "villages",
    "plans": "households",
    "cadres": "cadres",
}

# Output-only columns (and input columns whose output meaning differs).
COLUMNS: dict[str, Title] = {
    # findings (contract §3)
    "code": ("问题代码", "code"),
    "severity": ("级别", "severity"),
    "table": ("表", "table"),
    "row": ("行号", "row"),
    "column": ("字段", "column"),
    "value": ("值", "value"),
    "key": ("编号", "key"),
    "message": ("问题描述", "message"),
    "basis": ("依据", "basis"),
    "detail": ("说明", "detail"),
    # identify: households
    "township_code": ("乡镇代码", "township code"),
    "township_name": ("乡镇", "township"),
    "village_name": ("行政村", "village"),
    "population": ("人口数", "population"),
    "line": ("扶贫标准(元)", "poverty line"),
    "edge_line": ("边缘线(元)", "edge line"),
    "exit_line": ("退出标准(元)", "exit line"),
    "result": ("识别结果", "result"),
    "income_result": ("按收入结果", "result by income"),
    "edge_kind": ("监测类型", "monitoring kind"),
    "reasons": ("原因代码", "reason codes"),
    "exit_ready": ("达到退出标准", "exit ready"),
    "exit_blockers": ("未达退出原因代码", "exit blockers"),
    "housing_gap": ("住房未保障", "housing gap"),
    "education_gap": ("义务教育未保障", "education gap"),
    "medical_gap": ("基本医疗未保障", "medical gap"),
    "water_gap": ("饮水未保障", "water gap"),
    "education_gap_members": ("义务教育未保障成员", "education gap members"),
    "medical_gap_members": ("基本医疗未保障成员", "medical gap members"),
    "exclusion_sources": ("比对命中类别", "exclusion sources"),
    "exclusion_members": ("比对命中成员", "exclusion members"),
    "quota_rank": ("规模内排序", "quota rank"),
    "village_quota": ("村规模(户)", "village quota"),
    "beyond_quota": ("超出村规模", "beyond quota"),
    "active": ("在册未脱贫", "active"),
    "exited": ("已脱贫", "exited"),
    "remaining_poor": ("仍为贫困", "remaining poor"),
    "gross_income": ("家庭总收入(元)", "gross income"),
    "transfer_counted": ("计入的转移性收入(元)", "transfer counted"),
    "transfer_all": ("转移性收入合计(元)", "transfer total"),
    "transfer_source": ("转移性收入来源", "transfer source"),
    "net_income": ("家庭纯收入(元)", "net income"),
    "income_complete": ("收入完整", "income complete"),
    "missing_components": ("缺少的收入项", "missing components"),
    "size_ok": ("人口数一致", "size consistent"),
    "reported_per_capita_income": ("填报人均纯收入(元)", "reported per-capita income"),
    "income_difference": ("人均纯收入差额(元)", "income difference"),
    "income_mismatch": ("人均纯收入不一致", "income mismatch"),
    # identify: villages and townships
    "poor_population": ("贫困人口", "poor population"),
    "incidence": ("贫困发生率", "incidence"),
    "criterion_incidence": ("符合发生率标准", "meets incidence criterion"),
    "criterion_income": ("符合收入标准", "meets income criterion"),
    "criterion_collective": ("无集体经济收入", "meets collective-income criterion"),
    "poor_village_candidate": ("贫困村候选", "poor-village candidate"),
    "is_poor_village": ("贫困村", "poor village"),
    "households": ("户数", "households"),
    "poor_households": ("建档立卡户数", "registered poor households"),
    "identified_poor_households": ("识别为贫困户数", "identified poor households"),
    "edge_households": ("边缘户数", "edge households"),
    "excluded_households": ("排除户数", "excluded households"),
    "undetermined_households": ("无法判定户数", "undetermined households"),
    "registered_active_households": ("建档立卡未脱贫户数", "registered households not exited"),
    "exit_ready_households": ("达到退出标准户数", "exit-ready households"),
    "denominator": ("发生率分母(人)", "denominator"),
    "denominator_source": ("分母口径", "denominator source"),
    "exit_threshold": ("退出发生率标准", "exit threshold"),
    "eligible_households": ("符合条件户数", "eligible households"),
    "household_quota": ("规模(户)", "household quota"),
    "quota_status": ("规模对比", "quota status"),
    "in_villages_table": ("在村基础信息表中", "in villages table"),
    "poor": ("贫困户数", "poor"),
    "edge": ("边缘户数", "edge"),
    "not_poor": ("非贫困户数", "not poor"),
    "excluded": ("排除(疑点)户数", "excluded"),
    "undetermined": ("无法判定户数", "undetermined"),
    # diff
    "change": ("变化", "change"),
    "fields": ("变更字段", "changed fields"),
    "reason": ("原因", "reason"),
    "reason_code": ("原因代码", "reason code"),
    "status_from": ("上年脱贫状态", "status before"),
    "status_to": ("本年脱贫状态", "status after"),
    "registered_from": ("上年建档立卡", "registered before"),
    "registered_to": ("本年建档立卡", "registered after"),
    "in_from": ("上年在调查中", "surveyed before"),
    "in_to": ("本年在调查中", "surveyed after"),
    "reason_source": ("原因来源", "reason source"),
    "from_household_id": ("原户编号", "household before"),
    "to_household_id": ("现户编号", "household after"),
    "households_new": ("新识别户", "new households"),
    "households_exited": ("脱贫户", "exited households"),
    "households_returned": ("返贫户", "returned households"),
    "households_removed": ("清退户", "removed households"),
    "households_changed": ("信息变更户", "changed households"),
    "households_appeared": ("新进调查户", "households appeared"),
    "households_disappeared": ("退出调查户", "households disappeared"),
    "members_added": ("增加人口", "members added"),
    "members_removed": ("减少人口", "members removed"),
    "members_moved": ("分户/合户人口", "members moved"),
    "members_changed": ("信息变更人口", "members changed"),
    # plan
    "measures": ("帮扶措施", "measures"),
    "why": ("措施依据", "why"),
    "cadre_name": ("帮扶责任人", "cadre"),
    "cadre_unit": ("帮扶单位", "cadre unit"),
    "pairing": ("结对情况", "pairing"),
    "cap": ("帮扶户数上限", "cap"),
    "kept": ("保持结对户数", "kept"),
    "new": ("新结对户数", "new"),
    "load": ("帮扶户数", "load"),
    "over_cap": ("超出上限", "over cap"),
    # match review
    "roster_name": ("名册姓名", "roster name"),
    "roster_id_number": ("名册身份证号", "roster ID number"),
    "roster_village": ("名册村", "roster village"),
    "roster_relation": ("名册与户主关系", "roster relation"),
    "register_name": ("建档立卡姓名", "register name"),
    "register_village": ("建档立卡村代码", "register village code"),
    "register_relation": ("建档立卡与户主关系", "register relation"),
    "method": ("匹配方法", "method"),
    "score": ("得分", "score"),
    "decision": ("决定（确认/否认）", "decision (confirm/reject)"),
}

# Columns whose own title differs on one sheet (sheet key → column → title).
SHEET_COLUMNS: dict[str, dict[str, Title]] = {
    "review": {
        "record_id": ("名册记录编号", "roster record ID"),
        "household_id": ("户编号", "household ID"),
        "id_number": ("建档立卡身份证号", "register ID number"),
        "category": ("贫困户属性", "category"),
        "program": ("保障类型", "program"),
    },
    "members": {"name": ("姓名", "name")},
    "cadres": {"name": ("姓名", "name"), "unit": ("工作单位", "unit")},
}

_RESULTS: dict[str, Title] = {
    "poor": ("贫困户", "poor"),
    "edge": ("边缘户", "edge"),
    "not_poor": ("非贫困户", "not poor"),
    "excluded": ("排除(疑点)", "excluded"),
    "undetermined": ("无法判定", "undetermined"),
}
_CHANGES: dict[str, Title] = {
    "new": ("新识别", "new"),
    "exited": ("脱贫", "exited"),
    "returned": ("返贫", "returned"),
    "removed": ("清退/减少", "removed"),
    "changed": ("信息变更", "changed"),
    "appeared": ("新进调查", "appeared"),
    "disappeared": ("退出调查", "disappeared"),
    "added": ("增加", "added"),
    "moved": ("分户/合户", "moved"),
}
# Coded columns: column → code → label.
VALUES: dict[str, dict[str, Title]] = {
    "severity": {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")},
    "result": _RESULTS,
    "income_result": _RESULTS,
    "change": _CHANGES,
    "quota_status": {"over": ("超出规模", "over"), "under": ("低于规模", "under"), "within": ("等于规模", "within")},
    "pairing": {"kept": ("保持原结对", "kept"), "new": ("新结对", "new"), "none": ("未结对", "none")},
    "method": {
        "manual": ("人工确认", "manual"),
        "id_exact": ("身份证号一致", "ID exact"),
        "id_normalized": ("身份证号规范后一致", "ID normalised"),
        "id_fuzzy": ("身份证号近似", "ID fuzzy"),
        "name_village": ("姓名+村", "name + village"),
    },
    "reason_source": {"export": ("导出数据", "export"), "inferred": ("推断", "inferred")},
    "transfer_source": {"components": ("按收入项", "components"), "total": ("按合计", "total")},
    "denominator_source": {
        "agricultural_population": ("农业人口", "agricultural population"),
        "total_population": ("总人口", "total population"),
        "population": ("调查人口", "population"),
    },
    "level": {"county": ("县", "county"), "township": ("乡镇", "township"), "village": ("行政村", "village")},
    "table": TABLE_TITLES,
}
# Columns holding canonical column names joined by ";".
COLUMN_LISTS = ("fields", "missing_components")
BOOL: dict[bool, Title] = {True: ("是", "yes"), False: ("否", "no")}


def _pick(title: Title) -> str:
    return title[1] if get_lang() == "en" else title[0]


def _spec_title(name: str, table: str | None) -> str | None:
    """The first Chinese header alias of ``name`` in ``table`` (or in any table)."""
    tables = [table] if table in SPEC else []
    tables += [t for t in SPEC if t != table]
    for tb in tables:
        col = SPEC[tb].get(name)
        if col is not None and col.aliases:
            return col.aliases[0]
    return None


def column_title(name: str, sheet: str | None = None, titles: Titles | None = None, table: str | None = None) -> str:
    """The title of column ``name`` on ``sheet`` in the current language."""
    for source in ((titles or {}), SHEET_COLUMNS.get(sheet or "", {}), COLUMNS):
        if name in source:
            found = source[name]
            if isinstance(found, str):  # a Chinese title only: English is the name itself
                return name.replace("_", " ") if get_lang() == "en" else found
            return _pick(found)
    if get_lang() == "en":
        return name.replace("_", " ")
    return _spec_title(name, table or SHEET_TABLES.get(sheet or "")) or name


def sheet_title(sheet: str) -> str:
    found = SHEETS.get(sheet)
    return _pick(found) if found else sheet


def _per_value(s: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``fn`` of each value of ``s`` as text (missing stays missing), called once per distinct value:
    a province's columns repeat a handful of codes over a million rows."""
    codes, uniques = pd.factorize(s)
    table = np.array([fn(v) for v in uniques] + [None], dtype=object)  # code -1 (missing) → None
    return pd.Series(table[codes], index=s.index, dtype=object).astype("str")


def _labelled(s: pd.Series, name: str, frame: pd.DataFrame) -> pd.Series:
    """One column with its coded values as labels (other values as they are)."""
    if isinstance(s.dtype, pd.BooleanDtype) or s.dtype == bool:
        return _per_value(s, lambda v: _pick(BOOL[bool(v)]))
    if name in VALUES and (s.dtype == "str" or s.dtype == object):
        m = {k: _pick(v) for k, v in VALUES[name].items()}
        return _per_value(s, lambda v: m.get(v, v) if isinstance(v, str) else v)
    if name == "column" and "table" in frame.columns:
        pairs = pd.DataFrame({"t": frame["table"].astype("str"), "c": s.astype("str")}).drop_duplicates()
        titles = {(a, b): column_title(b, table=a) for a, b in pairs.itertuples(index=False) if isinstance(b, str)}
        return pd.Series(
            [titles.get((a, b), b) for a, b in zip(frame["table"].astype("str"), s.astype("str"), strict=True)],
            index=s.index,
            dtype="str",
        )
    if name in COLUMN_LISTS and (s.dtype == "str" or s.dtype == object):
        sep = "; " if get_lang() == "en" else "、"
        return _per_value(
            s, lambda v: sep.join(column_title(c) for c in v.split(";") if c) if isinstance(v, str) else v
        )
    return s


def for_person(df: pd.DataFrame, sheet: str | None = None, titles: Titles | None = None) -> pd.DataFrame:
    """A labelled copy of ``df``: coded values as labels, columns under their titles."""
    out = pd.DataFrame({name: _labelled(df[name], str(name), df) for name in df.columns}, index=df.index)
    out.columns = [column_title(str(c), sheet, titles) for c in df.columns]
    return out


def canonical_headers(sheet: str | None = None) -> dict[str, str]:
    """Every title (Chinese and English) of the columns → canonical name, for reading a labelled file back."""
    out: dict[str, str] = {}
    for source in (COLUMNS, SHEET_COLUMNS.get(sheet or "", {})):
        for name, (zh, en) in source.items():
            out[zh] = name
            out[en] = name
    return out
