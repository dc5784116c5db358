"""Finding codes of plans, cadre pairing, documents and notices (prefix ``P-``)."""

from __future__ import annotations

from jingzhun.catalogue import Rule

_PAIRING_ZH = "中共中央办公厅 国务院办公厅《关于创新机制扎实推进农村扶贫开发工作的意见》(2013): 建立精准扶贫工作机制, 每户有帮扶责任人; 不脱贫不脱钩"
_PAIRING_EN = "CPC/State Council General Offices, innovating mechanisms for rural poverty alleviation (2013): every poor household has a responsible cadre; pairing stays until exit"
_NOTICE_ZH = "《扶贫领域基层政务公开标准目录》(2019): 识别结果、退出结果公示公告; 国办《2018年政务公开工作要点》: 涉及个人隐私的信息去标识化"
_NOTICE_EN = "Standard catalogue of grassroots openness in poverty alleviation (2019); 2018 government openness key points: de-identify personal data"

RULES: list[Rule] = [
    Rule(
        "P-UNPAIRED",
        "warning",
        "户 {key} 没有可用的帮扶责任人 (所有帮扶干部已达帮扶户数上限), 帮扶手册仍已生成",
        "household {key} has no responsible cadre available (every cadre is at its cap); documents were still made",
        _PAIRING_ZH + "; 帮扶户数上限见参数 cadre_caps",
        _PAIRING_EN + "; caps: parameter cadre_caps",
    ),
    Rule(
        "P-CADRE-OVER-CAP",
        "warning",
        "帮扶责任人 {key} 结对 {value} 户, 超过上限 {detail} 户 (保留原结对: 不脱贫不脱钩)",
        "cadre {key} is paired with {value} households, over the cap of {detail} (pairings kept until exit)",
        _PAIRING_ZH + "; 帮扶户数上限见参数 cadre_caps 或帮扶责任人表 max_households",
        _PAIRING_EN + "; caps: parameter cadre_caps or the cadres column max_households",
    ),
    Rule(
        "P-CADRE-UNKNOWN",
        "warning",
        "户 {key} 的帮扶责任人编号 {value} 不在帮扶责任人表中, 已重新结对",
        "household {key} names cadre {value}, who is not in the cadres table; paired anew",
        _PAIRING_ZH,
        _PAIRING_EN,
    ),
    Rule(
        "P-NO-CADRES",
        "warning",
        "{detail} 年度没有帮扶责任人表 (cadres), 只保留农户表中已有的结对",
        "no cadres table in {detail}; only the pairings already in the households table are kept",
        _PAIRING_ZH,
        _PAIRING_EN,
    ),
    Rule(
        "P-NO-MEASURE",
        "warning",
        "户 {key} 没有匹配到任何帮扶措施规则, 请人工制定措施",
        "no measure rule applies to household {key}; set its measures by hand",
        "一户一策: 《建档立卡贫困户帮扶措施明白卡》; 规则表见 measures.csv",
        "one plan per household (help-measure card); rules in measures.csv",
    ),
    Rule(
        "P-EXIT-YEAR-PAST",
        "warning",
        "户 {key} 尚未脱贫, 但计划脱贫年度 {value} 已经过去; 帮扶计划改为 {detail} 年, 请核实后更新农户表",
        "household {key} has not exited but its planned exit year {value} is past; the plan proposes {detail} — "
        "check and update the households table",
        "中办 国办《关于建立贫困退出机制的意见》(厅字〔2016〕16号): 贫困户退出以户为单位, 按年度计划有序退出; "
        "计划脱贫年度不早于本年度, 不晚于参数 plan.final_exit_year",
        "CPC/State Council General Offices, opinions on a poverty exit mechanism (2016): households exit by yearly plan; "
        "a planned exit year is not before the data year nor after parameter plan.final_exit_year",
    ),
    Rule(
        "P-MEASURE-INPUT-MISSING",
        "info",
        "帮扶措施规则 {key} 所需的字段 {column} 在数据中没有, 该条件按“否”处理",
        "measure rule {key} needs column {column}, which the data lacks; the condition counts as false",
        "规则表见 measures.csv",
        "rules in measures.csv",
    ),
    Rule(
        "P-NOTICE-EMPTY",
        "info",
        "{key} 没有需要公示的{detail}, 未生成公示文件",
        "{key} has nothing to announce ({detail}); no notice file was made",
        _NOTICE_ZH,
        _NOTICE_EN,
    ),
    Rule(
        "P-NOTICE-NO-PREVIOUS",
        "info",
        "没有上一年度数据, 新识别户仅按首次识别年度 = {detail} 判断",
        "no previous year folder; newly identified households are those with identified_year = {detail}",
        _NOTICE_ZH,
        _NOTICE_EN,
    ),
]
