"""防止返贫动态监测 (``I-MON-`` reasons and findings, ``R-MON-`` report findings).

The documents are listed in docs/monitoring.md. Codes marked "reason" are written in the
``reasons`` or ``blockers`` column of ``identify/monitoring.csv``.
"""

from __future__ import annotations

from jingzhun.catalogue import Rule

G2020_ZH = "国务院扶贫开发领导小组《关于建立防止返贫监测和帮扶机制的指导意见》(国开发〔2020〕6号, 2020年3月20日)"
G2020_EN = (
    "State Council Leading Group for Poverty Alleviation, guideline establishing monitoring and support to prevent "
    "a return to poverty (国开发〔2020〕6号, 20 March 2020)"
)
G2021_ZH = "中央农村工作领导小组《关于健全防止返贫动态监测和帮扶机制的指导意见》(中农组发〔2021〕7号, 2021年5月)"
G2021_EN = (
    "Central Rural Work Leading Group, guideline improving dynamic monitoring and support to prevent a return "
    "to poverty (中农组发〔2021〕7号, May 2021)"
)
_RANGE_ZH = (
    G2021_ZH + ": 监测对象为脱贫不稳定户、边缘易致贫户、突发严重困难户; 收入低于“当地监测范围” "
    "(地方材料的写法, 数值由省份确定; 参数 monitoring_range)"
)
_RANGE_EN = (
    G2021_EN + ": objects are unstable, edge and sudden-hardship households; income below the local monitoring "
    "range (as local material puts it; provinces set the figure; parameter monitoring_range)"
)
_RIGID_ZH = G2020_ZH + ": 因病、因残、因灾、因新冠肺炎疫情影响等引发的刚性支出明显超过上年度收入和收入大幅缩减的家庭"
_RIGID_EN = (
    G2020_EN + ": households whose rigid expenses clearly exceed last year's income, or whose income fell sharply"
)
_CLEAR_ZH = (
    G2021_ZH + ": 收入持续稳定、“两不愁三保障”及饮水安全持续巩固、返贫致贫风险已经稳定消除或自然消除的, 标注风险消除; "
    "县级细则如枞阳县: 收入持续稳定 (原则上不得低于半年)"
)
_CLEAR_EN = (
    G2021_EN
    + ": 风险消除 once income is stable, food, clothing, education, health care, housing and water assured and "
    "the risk removed; county rules e.g. Zongyang: income stable for at least about six months"
)
_LABOUR_ZH = (
    "海南省人民政府 政策问答 (2021年12月): 对无劳动能力的监测对象, 落实社会保障措施后, 暂不标注“风险消除”, 持续跟踪监测"
)
_LABOUR_EN = (
    "Hainan Provincial Government Q&A (December 2021): objects without labour capacity keep being monitored after "
    "social protection is in place; 风险消除 is not marked yet"
)
_DEV_ZH = (
    G2020_ZH
    + ": 对有劳动能力的监测对象, 主要采取开发式帮扶措施, 支持发展产业、转移就业; 无劳动能力的强化综合性社会保障"
)
_DEV_EN = (
    G2020_EN + ": objects with labour capacity get development support (industry, employment); those without, "
    "social protection"
)

RULES = [
    # ---- reasons (identify/monitoring.csv) -----------------------------------------
    Rule(
        "I-MON-BELOW-RANGE",
        "info",
        "户 {key}: 人均纯收入 {value} 元低于当年监测范围 ({detail})",
        "household {key}: per-capita net income {value} is below the year's monitoring range ({detail})",
        _RANGE_ZH,
        _RANGE_EN,
        "收入低于监测范围",
        "income below the monitoring range",
    ),
    Rule(
        "I-MON-RISK",
        "info",
        "户 {key}: 记录的返贫致贫风险 {value}",
        "household {key}: recorded risk {value}",
        _RANGE_ZH,
        _RANGE_EN,
        "有返贫致贫风险",
        "recorded risk",
    ),
    Rule(
        "I-MON-RIGID-EXPENSE",
        "info",
        "户 {key}: 刚性支出 {value} 元超过家庭纯收入 × monitoring.rigid_expense_ratio ({detail})",
        "household {key}: rigid expenses {value} exceed household net income × "
        "monitoring.rigid_expense_ratio ({detail})",
        _RIGID_ZH,
        _RIGID_EN,
        "刚性支出超过收入",
        "rigid expenses above income",
    ),
    Rule(
        "I-MON-INCOME-DROP",
        "info",
        "户 {key}: 人均纯收入比上年减少 {value}, 达到 monitoring.income_drop_share",
        "household {key}: per-capita income fell by {value}, at least monitoring.income_drop_share",
        _RIGID_ZH,
        _RIGID_EN,
        "收入大幅缩减",
        "sharp income drop",
    ),
    Rule(
        "I-MON-LOW-NO-RISK",
        "info",
        "户 {key}: 收入低于监测范围, 但没有记录风险类型, 未列为监测对象 (请入户核实)",
        "household {key}: income below the monitoring range but no risk recorded; not an object (verify at home)",
        _RANGE_ZH,
        _RANGE_EN,
        "低于监测范围但无风险记录",
        "below the range, no risk recorded",
    ),
    Rule(
        "I-MON-RECORDED",
        "info",
        "户 {key}: 已纳入监测且未标注风险消除, 按记录的类型 {value} 继续监测",
        "household {key}: recorded object not marked 风险消除, kept with its recorded type {value}",
        _CLEAR_ZH,
        _CLEAR_EN,
        "已纳入监测未消除风险",
        "recorded object, risk not cleared",
    ),
    Rule(
        "I-MON-NO-DATE",
        "info",
        "户 {key}: 没有纳入监测时间, 无法判断观察时间",
        "household {key}: no monitoring_date, the observation time cannot be checked",
        _CLEAR_ZH,
        _CLEAR_EN,
        "缺纳入监测时间",
        "no date of inclusion",
    ),
    Rule(
        "I-MON-OBSERVATION",
        "info",
        "户 {key}: 纳入监测 {value} 个月, 不足 monitoring.observation_months",
        "household {key}: monitored for {value} months, less than monitoring.observation_months",
        _CLEAR_ZH,
        _CLEAR_EN,
        "观察时间不足",
        "observation time too short",
    ),
    Rule(
        "I-MON-NO-LABOUR",
        "info",
        "户 {key}: 无劳动能力, 落实社会保障后暂不标注风险消除",
        "household {key}: no labour capacity; 风险消除 is not marked yet after social protection",
        _LABOUR_ZH,
        _LABOUR_EN,
        "无劳动能力暂不消除",
        "no labour: keep monitoring",
    ),
    # ---- findings ------------------------------------------------------------------
    Rule(
        "I-MON-NOT-RECORDED",
        "warning",
        "户 {key} 符合 {value} 条件 ({detail}), 但未纳入监测 (应纳尽纳)",
        "household {key} meets the {value} rules ({detail}) but is not recorded as a monitoring object",
        _RANGE_ZH,
        _RANGE_EN,
        "符合条件未纳入监测",
        "meets the rules, not monitored",
    ),
    Rule(
        "I-MON-CLEARED-BLOCKED",
        "warning",
        "户 {key} 已标注风险消除, 但仍有未满足的条件: {value}",
        "household {key} is marked 风险消除 but conditions are unmet: {value}",
        _CLEAR_ZH,
        _CLEAR_EN,
        "风险消除条件未满足",
        "风险消除 with unmet conditions",
    ),
    Rule(
        "R-MON-NO-DEV-MEASURE",
        "warning",
        "监测对象 {key} 有劳动能力且有风险 ({value}), 但本年没有产业、就业、公益岗位或小额信贷帮扶 ({detail})",
        "monitoring object {key} has labour and a risk ({value}) but no industry, employment, public-welfare job "
        "or credit support this year ({detail})",
        _DEV_ZH,
        _DEV_EN,
        "有劳动能力缺开发式帮扶",
        "labour but no development measure",
    ),
]
