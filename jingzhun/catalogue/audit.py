"""Fund and project audit findings (``A-``): 报账制、审批制、合同制、公示制、验收制 and the
audit office's recurring findings (domain.md §8).

Every audit finding also carries an ``amount`` (元 at risk) in the audit outputs; what
the amount means for each code is in ``AMOUNT_MEANING``.
"""

from __future__ import annotations

from jingzhun.catalogue import Rule

_FUND_RULES = "《中央财政专项扶贫资金管理办法》(财农〔2017〕8号, 财政部等六部门, 2017)"
_FUND_RULES_EN = (
    "Measures for the Administration of Central Special Poverty Alleviation Funds (财农〔2017〕8号, Ministry of "
    "Finance and five other departments, 2017)"
)
_NAO = "审计署扶贫审计结果 (审计署2017年第6号公告《158个贫困县扶贫审计结果》; 2016、2018年中央预算执行审计工作报告)"
_NAO_EN = (
    "National Audit Office poverty audits (NAO announcement 2017 No. 6, audit of 158 poor counties; 2016 and 2018 "
    "audit work reports)"
)
_PUBLICITY = (
    "扶贫资金项目公告公示: 乡镇、村、实施单位公开栏原则上不少于10天 (国务院扶贫办、"
    "财政部《关于完善扶贫资金项目公告公示制度的指导意见》(2017)); 参数 notice_days.projects"
)
_PUBLICITY_EN = (
    "Fund/project publicity at least 10 days (State Council Leading Group Office of Poverty Alleviation and "
    "Ministry of Finance, guideline on fund and project publicity (2017)); parameter notice_days.projects"
)
_LEDGER = "报账制: 专账核算、专款专用, 每笔拨付须有金额和日期; " + _FUND_RULES
_LEDGER_EN = "Reimbursement system: every disbursement needs an amount and a date (" + _FUND_RULES_EN + ")"

RULES = [
    # ---- the ledger itself (bad input) --------------------------------------------------
    Rule(
        "A-AMOUNT-UNPARSED",
        "error",
        "拨付 {key} 的金额为空或无法识别 ({value}), 未计入合计金额, 计入无法识别笔数",
        "payment {key}: amount empty or not a number ({value}); counted as unparsed, not in the sum",
        _LEDGER,
        _LEDGER_EN,
    ),
    Rule(
        "A-AMOUNT-NONPOSITIVE",
        "error",
        "拨付 {key} 的金额为 {value} 元 (应大于 0)",
        "payment {key}: amount {value} is not positive",
        _LEDGER + "; 数据约定: 金额 > 0",
        _LEDGER_EN + "; data contract: amount > 0",
    ),
    Rule(
        "A-PAY-DATE-MISSING",
        "warning",
        "拨付 {key} 没有拨付日期, 与日期有关的检查无法进行",
        "payment {key} has no payment date; date checks cannot run on it",
        _LEDGER,
        _LEDGER_EN,
    ),
    Rule(
        "A-FUTURE-DATE",
        "warning",
        "{table} {key} 的 {column} 为 {value}, 晚于审计基准日 {detail}",
        "{table} {key}: {column} {value} is after the audit date {detail}",
        "审计基准日 = --as-of (默认数据年度 12 月 31 日)",
        "audit date = --as-of (default 31 December of the data year)",
    ),
    Rule(
        "A-UNKNOWN-PROJECT",
        "error",
        "拨付 {key} 引用的项目 {value} 不在项目库中",
        "payment {key} refers to project {value}, which is not in the project library",
        "项目审批制: 资金跟项目走, 无入库项目不得拨付; " + _FUND_RULES,
        "approval system: money follows an approved project (" + _FUND_RULES_EN + ")",
    ),
    Rule(
        "A-BUDGET-INVALID",
        "warning",
        "项目 {key} 的资金规模为空或为 {value} 元, 无法核对拨付进度和超预算",
        "project {key}: budget empty or {value}; progress and over-budget checks cannot run",
        "年度扶贫资金项目计划须列资金来源及规模 (国务院扶贫办、财政部《关于完善扶贫资金项目公告公示制度的指导"
        "意见》(2017))",
        "the yearly project plan states each project's funds (State Council Leading Group Office of Poverty "
        "Alleviation and Ministry of Finance, guideline on fund and project publicity (2017))",
    ),
    Rule(
        "A-PAYMENT-NO-PROJECT",
        "error",
        "拨付 {key} 既无项目编号也不是到户补助 (收款人 {value})",
        "payment {key} has neither a project nor a household payee ({value})",
        "项目审批制: 仅直接到户补助可无项目编号; " + _FUND_RULES,
        "approval system: only direct household subsidies may lack a project (" + _FUND_RULES_EN + ")",
    ),
    # ---- who was paid -------------------------------------------------------------------
    Rule(
        "A-PAYEE-NOT-REGISTERED",
        "error",
        "拨付 {key} 的收款户或收款人不在本年度农户名册中 ({value})",
        "payment {key}: the payee household or person is not in this year's register ({value})",
        _NAO + ": 虚报冒领、编造到户补贴发放表",
        _NAO_EN + ": fake claims, invented household lists",
    ),
    Rule(
        "A-PAYEE-NOT-MEMBER",
        "warning",
        "拨付 {key} 的收款人 {value} 不是所记农户的家庭成员",
        "payment {key}: payee {value} is not a member of the household it is booked to",
        _NAO + ": 冒领",
        _NAO_EN + ": false claims",
    ),
    Rule(
        "A-PAYEE-INELIGIBLE",
        "warning",
        "拨付 {key} 的收款户不符合享受条件: {detail}",
        "payment {key}: the payee household is not eligible: {detail}",
        _NAO + ": 向不符合条件人员发放; 已脱贫(不再享受政策)户不再享受到户扶持 (中共中央办公厅 "
        "国务院办公厅《关于建立贫困退出机制的意见》(厅字〔2016〕16号, 2016): 脱贫不脱政策的过渡期)",
        _NAO_EN + ": paid to ineligible people",
    ),
    Rule(
        "A-DUPLICATE-PAYMENT",
        "error",
        "重复享受: 拨付 {key} 与 {detail} 为同一收款人同年同一措施或同一项目阶段",
        "duplicate benefit: payment {key} repeats {detail} (same payee, measure or project stage, year)",
        _NAO + ": 重复申报、重复享受 (2016年 虚报冒领5573.13万)",
        _NAO_EN + ": duplicate claims",
    ),
    Rule(
        "A-SHARED-ACCOUNT",
        "warning",
        "冒领疑点: 账号 {value} 为多个无亲属关系的农户收款 ({detail})",
        "false-claim signal: account {value} receives for several unrelated households ({detail})",
        _NAO + ": 个人账户管理扶贫资金、虚报冒领",
        _NAO_EN + ": private accounts, false claims",
    ),
    Rule(
        "A-OVER-CAP",
        "error",
        "超标准: {key} 的 {detail}",
        "over the standard: {key}: {detail}",
        "补助标准 (参数 subsidy_caps, 元/户·年; 扶贫小额信贷 5万元以下, "
        "国开办发〔2014〕78号《关于创新发展扶贫小额信贷的指导意见》(国务院扶贫办等, 2014)); " + _NAO,
        "subsidy caps (parameter subsidy_caps; micro-credit ≤ 50,000, 国开办发〔2014〕78号, guideline on "
        "poverty-alleviation micro-credit (2014)); " + _NAO_EN,
    ),
    Rule(
        "A-AMOUNT-OUTLIER",
        "warning",
        "金额异常偏高: 拨付 {key} 金额 {value} 元, 远高于同一措施本年度的一般水平 ({detail})",
        "unusually large amount: payment {key} of {value} is far above what this measure usually pays this year "
        "({detail})",
        "超标准发放疑点 (无标准的措施亦查): 该户本年度该措施累计金额高于本县本年度该措施每户中位数的 k 倍 "
        "(参数 audit.outlier_factor, 享受户数不少于 audit.outlier_min_households; 已超 subsidy_caps 标准的不重复提示); "
        + _NAO,
        "over-standard signal for measures with or without a cap: the household's total for the measure in the year "
        "above k × the median household total in the county and year (parameters audit.outlier_factor, "
        "audit.outlier_min_households; not repeated for a payment already over its cap); " + _NAO_EN,
    ),
    Rule(
        "A-KIN-OF-CADRE",
        "warning",
        "优亲厚友疑点: 拨付 {key} 的收款户有成员在比对中为 {detail}",
        "favouritism signal: payment {key} goes to a household with a member flagged as {detail}",
        "国务院扶贫办《扶贫开发建档立卡工作方案》(国开办发〔2014〕24号, 2014)及各地实施方案: 严禁优亲厚友; "
        "审计署2017年第6号公告《158个贫困县扶贫审计结果》(2017): 村干部分户拆户纳入亲属",
        "State Council Leading Group Office of Poverty Alleviation, 建档立卡 work plan (国开办发〔2014〕24号, "
        "2014) and local plans: no favouritism; NAO announcement 2017 No. 6 (158 poor counties): cadres' "
        "relatives registered",
    ),
    Rule(
        "A-PAID-AFTER-DEATH",
        "error",
        "拨付 {key} 在收款人 {value} 死亡 ({detail}) 之后发放",
        "payment {key} was made after the payee {value} died ({detail})",
        _NAO + ": 虚报冒领; 成员变更原因 死亡 + 变更日期",
        _NAO_EN + ": false claims; member change reason 死亡",
    ),
    # ---- the five systems: 审批制、合同制、公示制、验收制、报账制 ---------------------------------
    Rule(
        "A-PROJECT-UNAPPROVED",
        "error",
        "拨付 {key} 所属项目 {value} 没有审批日期 (未审批即拨付)",
        "payment {key}: project {value} has no approval date (paid without approval)",
        "项目审批制: 项目审批权限下放到县; " + _FUND_RULES,
        "approval system (" + _FUND_RULES_EN + ")",
    ),
    Rule(
        "A-PAID-BEFORE-APPROVAL",
        "error",
        "拨付 {key} ({detail}) 早于项目 {value} 的审批日期",
        "payment {key} ({detail}) precedes the approval of project {value}",
        "项目审批制; " + _FUND_RULES,
        "approval system (" + _FUND_RULES_EN + ")",
    ),
    Rule(
        "A-NO-CONTRACT",
        "warning",
        "项目 {key} 资金规模 {value} 元超过合同限额 {detail} 元, 但没有合同编号",
        "project {key}: budget {value} above the contract threshold {detail} but no contract number",
        "项目合同制: 招投标/政府采购; " + _FUND_RULES + "; 参数 audit.contract_threshold",
        "contract system (" + _FUND_RULES_EN + "); parameter audit.contract_threshold",
    ),
    Rule(
        "A-NOT-PUBLICISED",
        "warning",
        "项目 {key} 已开工或已拨付, 但没有公示记录",
        "project {key} started or was paid but was never publicised",
        _PUBLICITY + "; 审计署2017年第6号公告《158个贫困县扶贫审计结果》(2017): 568个项目未按规定公开公示",
        _PUBLICITY_EN + "; NAO 2017 No. 6: 568 projects not publicised",
    ),
    Rule(
        "A-PUBLICITY-SHORT",
        "warning",
        "项目 {key} 公示 {value} 天后即开工或拨付 ({detail}), 不足规定天数",
        "project {key}: work or payment began {value} days after publicity started ({detail}), too short",
        _PUBLICITY,
        _PUBLICITY_EN,
    ),
    Rule(
        "A-PAID-BEFORE-ACCEPTANCE",
        "error",
        "拨付 {key} 为尾款, 但项目 {value} {detail}",
        "payment {key} is a final payment but project {value} {detail}",
        "项目竣工验收制: 验收后方可拨付尾款; " + _FUND_RULES,
        "acceptance system: final payment after acceptance (" + _FUND_RULES_EN + ")",
    ),
    Rule(
        "A-OVER-BUDGET",
        "error",
        "项目 {key} 已拨付 {value} 元, 超过资金规模 {detail} 元",
        "project {key}: paid {value}, more than its budget {detail}",
        "资金跟项目、拨款按进度; " + _FUND_RULES,
        "money follows the project and its progress (" + _FUND_RULES_EN + ")",
    ),
    Rule(
        "A-IDLE-FUNDS",
        "warning",
        "资金闲置: 项目 {key} 审批已 {detail} 天, 拨付比例仅 {value}",
        "idle funds: project {key} approved {detail} days ago, only {value} paid",
        _NAO + ": 闲置1年以上 (2017: 84县19.54亿); 参数 audit.idle_share, audit.idle_days",
        _NAO_EN + ": idle over a year; parameters audit.idle_share, audit.idle_days",
    ),
    Rule(
        "A-NEGATIVE-LIST",
        "warning",
        '挤占挪用疑点: {table} {key} 的 {column} "{value}" 含负面清单关键词 {detail}',
        'misuse signal: {table} {key} {column} "{value}" matches negative-list keyword {detail}',
        _FUND_RULES + " 负面清单九项; 参数 audit.negative_list",
        _FUND_RULES_EN + ", negative list; parameter audit.negative_list",
    ),
    Rule(
        "A-EQUAL-SPLIT",
        "warning",
        "平均主义: 项目 {key} 向 {value} 户发放相同金额 ({detail})",
        "equal split: project {key} paid {value} households the same amount ({detail})",
        _NAO + ": 平均分配、产业资金直接发钱 (2017: 32县1.33亿)",
        _NAO_EN + ": equal split, cash hand-outs",
    ),
]

# Short titles for charts, sheets and the report (zh, en), in report order.
TITLES: dict[str, tuple[str, str]] = {
    "A-PAYEE-NOT-REGISTERED": ("收款人不在名册", "payee not in register"),
    "A-PAYEE-NOT-MEMBER": ("收款人非该户成员", "payee not a member"),
    "A-PAYEE-INELIGIBLE": ("不符合享受条件", "payee not eligible"),
    "A-DUPLICATE-PAYMENT": ("重复享受", "duplicate benefit"),
    "A-SHARED-ACCOUNT": ("一卡多户(冒领)", "shared account"),
    "A-ACCOUNT-MULTI-COUNTY": ("一卡多县", "account in several counties"),
    "A-OVER-CAP": ("超标准发放", "over the cap"),
    "A-AMOUNT-OUTLIER": ("金额异常偏高", "unusually large amount"),
    "A-KIN-OF-CADRE": ("优亲厚友", "cadre's relatives"),
    "A-PAID-AFTER-DEATH": ("死亡后发放", "paid after death"),
    "A-PROJECT-UNAPPROVED": ("项目未审批", "project not approved"),
    "A-PAID-BEFORE-APPROVAL": ("审批前拨付", "paid before approval"),
    "A-NO-CONTRACT": ("无合同", "no contract"),
    "A-NOT-PUBLICISED": ("未公示", "not publicised"),
    "A-PUBLICITY-SHORT": ("公示不足天数", "publicity too short"),
    "A-PAID-BEFORE-ACCEPTANCE": ("验收前付尾款", "final payment before acceptance"),
    "A-OVER-BUDGET": ("超预算拨付", "over budget"),
    "A-IDLE-FUNDS": ("资金闲置", "idle funds"),
    "A-NEGATIVE-LIST": ("负面清单(挤占挪用)", "negative list"),
    "A-EQUAL-SPLIT": ("平均主义", "equal split"),
    "A-UNKNOWN-PROJECT": ("项目不在项目库", "unknown project"),
    "A-PAYMENT-NO-PROJECT": ("无项目非到户", "no project"),
    "A-BUDGET-INVALID": ("资金规模无效", "invalid budget"),
    "A-AMOUNT-UNPARSED": ("金额无法识别", "unparsed amount"),
    "A-AMOUNT-NONPOSITIVE": ("金额不大于0", "non-positive amount"),
    "A-PAY-DATE-MISSING": ("无拨付日期", "no payment date"),
    "A-FUTURE-DATE": ("日期晚于基准日", "date after audit date"),
}

# What the numeric ``amount`` of each finding is (元).
AMOUNT_MEANING: dict[str, tuple[str, str]] = {
    "A-OVER-CAP": ("超出标准的部分", "the part above the cap"),
    "A-AMOUNT-OUTLIER": ("该户累计高于每户第95百分位的部分", "the household's total above the 95th percentile"),
    "A-OVER-BUDGET": ("超出资金规模的部分", "the part above the budget"),
    "A-IDLE-FUNDS": ("未拨付的资金规模", "the unpaid budget"),
    "A-NO-CONTRACT": ("项目资金规模", "the project budget"),
    "A-NOT-PUBLICISED": ("项目资金规模", "the project budget"),
    "A-PUBLICITY-SHORT": ("项目资金规模", "the project budget"),
    "A-BUDGET-INVALID": ("已拨付金额", "the amount paid"),
    "A-EQUAL-SPLIT": ("平均发放到户的金额", "the amount split evenly"),
    "A-AMOUNT-UNPARSED": ("无法计算 (0)", "not computable (0)"),
}
DEFAULT_AMOUNT_MEANING = ("该笔拨付金额", "the payment's amount")
