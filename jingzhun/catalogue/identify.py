"""Identification, exit, villages, scale control and dynamic management (``I-`` codes).

Codes marked "reason" are written in the ``reasons`` column of
``identify/households.csv`` (every rule that fired for the household); the others are
also emitted as findings in ``identify/findings.csv`` or ``diff/findings.csv``.
"""

from __future__ import annotations

from jingzhun.catalogue import Rule

_WP_ZH = "国务院扶贫办《扶贫开发建档立卡工作方案》(国开办发〔2014〕24号, 2014)"
_WP_EN = "State Council Leading Group Office of Poverty Alleviation, 建档立卡 work plan (国开办发〔2014〕24号, 2014)"
_EXITDOC_ZH = "中共中央办公厅 国务院办公厅《关于建立贫困退出机制的意见》(厅字〔2016〕16号, 2016)"
_EXITDOC_EN = (
    "CPC Central Committee and State Council General Offices, opinion on the poverty exit mechanism "
    "(厅字〔2016〕16号, 2016)"
)
_B70_ZH = (
    "国办发〔2016〕70号《关于做好农村最低生活保障制度与扶贫开发政策有效衔接的指导意见》(国务院办公厅转发民政部等部"
    "门, 2016)"
)
_B70_EN = (
    "State Council General Office 国办发〔2016〕70号, guideline linking rural 低保 with poverty alleviation (2016)"
)
_LINE_ZH = _WP_ZH + ": 以上年度农民人均纯收入低于国家扶贫标准为识别标准 (国家统计局公布的各年农村贫困标准)"
_LINE_EN = (
    _WP_EN
    + ": identification by previous-year per-capita net income below the national line (NBS yearly rural poverty line)"
)
_EDGE_ZH = (
    "国务院扶贫开发领导小组《关于建立防止返贫监测和帮扶机制的指导意见》(国开发〔2020〕6号, 2020): "
    "收入低于扶贫标准 1.5 倍左右的边缘易致贫户、脱贫不稳定户"
)
_EDGE_EN = (
    "State Council Leading Group for Poverty Alleviation, guideline on monitoring to prevent a return to poverty "
    "(国开发〔2020〕6号, 2020): edge and unstable households below about 1.5 × the line"
)
_INCOME_ZH = (
    "《扶贫开发建档立卡指标体系》贫困户登记表 收入指标: 人均纯收入 = (工资性+生产经营性+财产性+转移性−生产经营"
    "性支出)/家庭人口数; "
    "基础养老金不计入 (" + _B70_ZH + ")"
)
_INCOME_EN = (
    "建档立卡 indicator system, household form income block: per-capita net income = "
    "(wage+business+property+transfers−business expense)/household size; basic pension not counted (" + _B70_EN + ")"
)
_EXCL_ZH = "各地精准识别实施方案中的不得纳入 / 一票否决规定 (如江西 七清四严); 比对结果为疑点须核实"
_EXCL_EN = (
    "local identification plans' exclusion lists (不得纳入, e.g. Jiangxi 七清四严); a crosscheck hit is a point "
    "to verify, not proof"
)
_EXIT_ZH = _EXITDOC_ZH + ": 人均纯收入稳定超过国家扶贫标准且吃穿不愁, 义务教育、基本医疗、住房安全有保障"
_EXIT_EN = (
    _EXITDOC_EN + ": income steadily above the line and food, clothing, education, health care and housing assured"
)
_QUOTA_ZH = _WP_ZH + ": 县为单位、规模控制, 规模分解到村"
_QUOTA_EN = _WP_EN + ": county unit, scale control, quota decomposed to villages"
_VILLAGE_ZH = _WP_ZH + ": 贫困村识别 一高一低一无; " + _EXITDOC_ZH + ": 贫困村退出 贫困发生率降至2%以下 (西部3%)"
_VILLAGE_EN = (
    _WP_EN + ": poor-village criteria 一高一低一无; " + _EXITDOC_EN + ": village exit below 2% incidence (3% west)"
)
_DIFF_ZH = _WP_ZH + ": 动态管理, 有进有出; 人员变更原因 (全国扶贫开发信息系统代码表)"
_DIFF_EN = _WP_EN + ": dynamic management; member change reasons (national poverty information system code list)"

RULES = [
    # ---- reasons: income against the line ------------------------------------------
    Rule(
        "I-INCOME-BELOW-LINE",
        "info",
        "户 {key}: 人均纯收入 {value} 元低于扶贫标准 ({detail})",
        "household {key}: per-capita net income {value} is below the poverty line ({detail})",
        _LINE_ZH,
        _LINE_EN,
    ),
    Rule(
        "I-INCOME-EDGE",
        "info",
        "户 {key}: 人均纯收入 {value} 元不低于扶贫标准但低于边缘线 ({detail})",
        "household {key}: per-capita net income {value} is at or above the line but below the edge line ({detail})",
        _EDGE_ZH,
        _EDGE_EN,
    ),
    Rule(
        "I-INCOME-ABOVE-EDGE",
        "info",
        "户 {key}: 人均纯收入 {value} 元不低于边缘线 ({detail})",
        "household {key}: per-capita net income {value} is at or above the edge line ({detail})",
        _EDGE_ZH,
        _EDGE_EN,
    ),
    # ---- income problems (findings) ------------------------------------------------
    Rule(
        "I-INCOME-MISSING",
        "warning",
        "户 {key} 收入项为空: {column}; 结果记为无法判定",
        "household {key}: income component(s) empty: {column}; result is undetermined",
        _INCOME_ZH,
        _INCOME_EN,
    ),
    Rule(
        "I-INCOME-COLUMN-MISSING",
        "warning",
        "表 {table} 没有收入列 {column}; 所有户无法判定收入",
        "table {table} has no income column {column}; no household's income can be determined",
        _INCOME_ZH,
        _INCOME_EN,
    ),
    Rule(
        "I-SIZE-INVALID",
        "error",
        "户 {key} 家庭人口数无效 ({value}); 无法计算人均纯收入, 结果记为无法判定",
        "household {key}: household size is not a positive number ({value}); result is undetermined",
        _INCOME_ZH,
        _INCOME_EN,
    ),
    Rule(
        "I-INPUT-RANGE",
        "error",
        "户 {key} 的 {column} 超出合理范围 ({value}); 不据此判定, 结果记为无法判定, 不列为贫困户或拟退出户, 不上公示",
        "household {key}: {column} out of its range ({value}); not used: the result is undetermined, never "
        "poor or exit-ready, never on a notice",
        _INCOME_ZH + "; 合理范围见 schemas/households.yaml (家庭人口数 1–20, 收入各项 0 至 1 亿元)",
        _INCOME_EN + "; ranges in schemas/households.yaml (household size 1–20, income items 0 to 100 million 元)",
    ),
    Rule(
        "I-INCOME-MISMATCH",
        "warning",
        "户 {key} 填报的人均纯收入 {value} 元与重算值不符 ({detail})",
        "household {key}: reported per-capita income {value} differs from the recomputed one ({detail})",
        _INCOME_ZH,
        _INCOME_EN,
    ),
    # ---- exclusion (疑点) ---------------------------------------------------------
    Rule(
        "I-EXCL-PAYROLL",
        "warning",
        "户 {key} 成员 {value} 在比对数据中为财政供养人员 ({detail}); 按收入应纳入, 请核实",
        "household {key}: member {value} is on the public payroll register ({detail}); eligible by income, verify",
        _EXCL_ZH,
        _EXCL_EN,
    ),
    Rule(
        "I-EXCL-VEHICLE",
        "warning",
        "户 {key} 成员 {value} 在比对数据中登记有车辆 ({detail}); 按收入应纳入, 请核实",
        "household {key}: member {value} has a registered vehicle ({detail}); eligible by income, verify",
        _EXCL_ZH,
        _EXCL_EN,
    ),
    Rule(
        "I-EXCL-HOUSE",
        "warning",
        "户 {key} 成员 {value} 在比对数据中购有商品房 ({detail}); 按收入应纳入, 请核实",
        "household {key}: member {value} owns commercial housing ({detail}); eligible by income, verify",
        _EXCL_ZH,
        _EXCL_EN,
    ),
    Rule(
        "I-EXCL-BUSINESS",
        "warning",
        "户 {key} 成员 {value} 在比对数据中有工商注册 ({detail}); 按收入应纳入, 请核实",
        "household {key}: member {value} has a registered business ({detail}); eligible by income, verify",
        _EXCL_ZH,
        _EXCL_EN,
    ),
    Rule(
        "I-EXCL-CADRE",
        "warning",
        "户 {key} 成员 {value} 在比对数据中为村干部 ({detail}); 按收入应纳入, 请核实",
        "household {key}: member {value} is a village cadre ({detail}); eligible by income, verify",
        _EXCL_ZH,
        _EXCL_EN,
    ),
    # ---- 两不愁三保障 and exit (reasons) ---------------------------------------------
    Rule(
        "I-GAP-HOUSING",
        "info",
        "户 {key}: 住房安全无保障 (危房户)",
        "household {key}: housing not safe (dangerous house)",
        _EXIT_ZH,
        _EXIT_EN,
    ),
    Rule(
        "I-GAP-EDUCATION",
        "info",
        "户 {key}: 义务教育无保障, 适龄未在校成员 {detail}",
        "household {key}: compulsory education gap, school-age member(s) not in school {detail}",
        _EXIT_ZH,
        _EXIT_EN,
    ),
    Rule(
        "I-GAP-MEDICAL",
        "info",
        "户 {key}: 基本医疗无保障, 未参加城乡居民基本医疗保险的成员 {detail}",
        "household {key}: basic medical gap, member(s) without basic medical insurance {detail}",
        _EXIT_ZH,
        _EXIT_EN,
    ),
    Rule(
        "I-GAP-WATER",
        "info",
        "户 {key}: 饮水安全无保障",
        "household {key}: drinking water not safe",
        _EXIT_ZH,
        _EXIT_EN,
    ),
    Rule(
        "I-EXIT-INCOME",
        "info",
        "户 {key}: 人均纯收入 {value} 元未超过退出标准 ({detail})",
        "household {key}: per-capita net income {value} is not above the exit line ({detail})",
        _EXIT_ZH,
        _EXIT_EN,
    ),
    Rule(
        "I-EXIT-READY",
        "info",
        "户 {key}: 达到脱贫退出条件 (收入超过退出标准, 两不愁三保障)",
        "household {key}: meets the exit criteria (income above the exit line, all guarantees hold)",
        _EXIT_ZH,
        _EXIT_EN,
    ),
    # ---- scale control ------------------------------------------------------------
    Rule(
        "I-QUOTA-BEYOND",
        "warning",
        "户 {key}: 按收入排序在本村识别规模之外 ({detail})",
        "household {key}: ranked beyond the village quota by income ({detail})",
        _QUOTA_ZH,
        _QUOTA_EN,
    ),
    Rule(
        "I-QUOTA-OVER",
        "warning",
        "村 {key}: 按收入应识别户数 {value} 超过识别规模 ({detail})",
        "village {key}: {value} income-eligible households exceed the quota ({detail})",
        _QUOTA_ZH,
        _QUOTA_EN,
    ),
    Rule(
        "I-QUOTA-UNDER",
        "info",
        "村 {key}: 按收入应识别户数 {value} 少于识别规模 ({detail})",
        "village {key}: {value} income-eligible households are fewer than the quota ({detail})",
        _QUOTA_ZH,
        _QUOTA_EN,
    ),
    # ---- villages -----------------------------------------------------------------
    Rule(
        "I-VILLAGE-UNKNOWN",
        "warning",
        "户 {key} 的行政村代码 {value} 不在村基础信息表中",
        "household {key}: village code {value} is not in the villages table",
        _VILLAGE_ZH,
        _VILLAGE_EN,
    ),
    Rule(
        "I-VILLAGE-NO-POPULATION",
        "warning",
        "村 {key}: 农业人口数和总人口数都为空或为 0, 无法计算贫困发生率",
        "village {key}: neither agricultural nor total population is given, incidence cannot be computed",
        _VILLAGE_ZH,
        _VILLAGE_EN,
    ),
    # ---- dynamic management (diff) ---------------------------------------------------
    Rule(
        "I-DIFF-DISAPPEARED",
        "warning",
        "建档立卡户 {key} 在 {detail} 年度中消失, 没有脱贫或清退记录, 也没有成员变更原因",
        "registered household {key} is missing in {detail} with no exit, removal or member change reason",
        _DIFF_ZH,
        _DIFF_EN,
    ),
    Rule(
        "I-DIFF-MEMBER-NO-ID",
        "info",
        "户 {key} 成员 {value} 没有有效证件号码, 未参与成员变化比对 ({detail})",
        "household {key}: member {value} has no usable ID number and is left out of the member comparison ({detail})",
        _DIFF_ZH,
        _DIFF_EN,
    ),
]
