"""Finding codes that only a province or national run can see: rules across counties.

A county run sees one county's files; the global passes (``jingzhun.province.passes``)
join the counties' slim frames and report what no single county can: one person
registered in two counties, one bank account paid for households of several counties.
Rules that already exist for one county (duplicate keys, duplicate payments, roster
duplicates, cadre caps) keep their own codes when found across counties.
"""

from __future__ import annotations

from jingzhun.catalogue import Rule

_WP_ZH = "国务院扶贫办《扶贫开发建档立卡工作方案》(国开办发〔2014〕24号, 2014) 及《扶贫开发建档立卡指标体系》"
_WP_EN = (
    "State Council Leading Group Office of Poverty Alleviation, work plan for registering poor households "
    "(国开办发〔2014〕24号, 2014) and its indicator system"
)
_NAO_ZH = "审计署扶贫审计结果 (审计署2017年第6号公告《158个贫困县扶贫审计结果》; 2016、2018年中央预算执行审计工作报告)"
_NAO_EN = (
    "National Audit Office poverty audits (NAO announcement 2017 No. 6, audit of 158 poor counties; "
    "2016 and 2018 audit work reports)"
)

RULES: list[Rule] = [
    Rule(
        "V-ID-MULTI-COUNTY",
        "error",
        "{table} 第 {row} 行: 证件号码 {value} (户 {key}) 同一年度在多个县登记: {detail}",
        "{table} row {row}: ID number {value} (household {key}) is registered in several counties in one year: "
        "{detail}",
        _WP_ZH + ": 建档立卡以户为单位、一人一档, 全国扶贫开发信息系统中一人只能在一户登记; "
        "身份证重复 (全国扶贫开发信息系统数据质量核查规则)",
        _WP_EN + ": registration is per household and a person has one record in the national poverty "
        "information system; duplicate ID (data-quality checks on national system exports)",
        "一人多县登记",
        "person registered in several counties",
    ),
    Rule(
        "A-ACCOUNT-MULTI-COUNTY",
        "warning",
        "冒领疑点: 账号 {value} 为多个县的农户收款 (拨付 {key}; {detail})",
        "false-claim signal: account {value} receives payments for households of several counties "
        "(payment {key}; {detail})",
        _NAO_ZH + ": 个人账户管理扶贫资金、虚报冒领; 《中央财政专项扶贫资金管理办法》(财农〔2017〕8号): "
        "资金直接支付到户",
        _NAO_EN + ": private accounts, false claims; central poverty fund measures (财农〔2017〕8号): "
        "funds are paid straight to each household",
        "一卡多县",
        "account paid in several counties",
    ),
]
