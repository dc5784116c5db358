"""Finding codes of plans, cadre pairing, documents and notices (prefix ``P-``)."""

from __future__ import annotations

from jingzhun.catalogue import Rule

_PAIRING_ZH = (
    "中共中央办公厅 国务院办公厅《关于创新机制扎实推进农村扶贫开发工作的意见》(2013): 建立精准扶贫工作机制, "
    "每户有帮扶责任人; 不脱贫不脱钩"
)
_PAIRING_EN = (
    "CPC/State Council General Offices, innovating mechanisms for rural poverty alleviation (2013): every poor "
    "household has a responsible cadre; pairing stays until exit"
)
_NOTICE_ZH = (
    "《扶贫领域基层政务公开标准目录》(2019): 识别结果、退出结果公示公告; 国办《2018年政务公开工作要点》: "
    "涉及个人隐私的信息去标识化"
)
_POSTED_ZH = (
    "《扶贫领域基层政务公开标准目录》(2019): 公示公告由发布单位署名, 并公布监督举报电话; 参数 county.issuer, "
    "supervision_phones"
)
_POSTED_EN = (
    "Standard catalogue of grassroots openness in poverty alleviation (2019): a notice names its issuer and the "
    "supervision phones; parameters county.issuer, supervision_phones"
)
_NOTICE_EN = (
    "Standard catalogue of grassroots openness in poverty alleviation (2019); 2018 government openness key points:"
    " de-identify personal data"
)
_DOC_ZH = (
    "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分: 主键唯一、行政村代码为 12 位统计用区划代码; "
    "文档按户、村、乡镇生成, 无法确定归属的行不写入文档 (校验报告另有 V-DUPLICATE-KEY / V-CODE-FORMAT)"
)
_DOC_EN = (
    "jingzhun data contract (docs/data-contract.md), part 2: keys are unique, village codes are 12-digit "
    "statistical codes; documents are made per household, village and township, and a row that cannot be placed "
    "is left out (validate reports V-DUPLICATE-KEY / V-CODE-FORMAT too)"
)

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
        "CPC/State Council General Offices, opinions on a poverty exit mechanism (2016): households exit by "
        "yearly plan; "
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
        "P-NOTICE-ISSUER",
        "error",
        "没有发布单位 (参数 county.issuer), 未生成{detail}公示; 请在数据集的 jingzhun.toml 的 [county] 中设置 issuer",
        "no issuer (parameter county.issuer): the {detail} notices were not written; set [county] issuer in "
        "the dataset's jingzhun.toml",
        _POSTED_ZH,
        _POSTED_EN,
    ),
    Rule(
        "P-NOTICE-PHONE",
        "error",
        "没有监督举报电话 (参数表 supervision_phones), 未生成{detail}公示; 请在 jingzhun.toml 的 "
        "[supervision_phones] 中设置",
        "no supervision phone (parameter table supervision_phones): the {detail} notices were not written; "
        "set them under [supervision_phones] in jingzhun.toml",
        _POSTED_ZH,
        _POSTED_EN,
    ),
    Rule(
        "P-NOTICE-PRIVATE",
        "error",
        "{key} 的 {column} 要公示的内容含不能公开的信息 ({detail}): {value}; 该单位的公示未生成 (多为列错位), "
        "请更正数据后重新生成",
        "{key}: {column} would post private data ({detail}): {value}; that unit's notice was not written "
        "(often swapped columns); correct the data and rerun",
        _NOTICE_ZH + "; 公示不得出现身份证号、电话、银行卡号、健康状况 (健康用词见参数 notice.health_words)",
        _NOTICE_EN + "; notices never show ID, phone or account numbers or health details (health words: parameter "
        "notice.health_words)",
    ),
    Rule(
        "P-NOTICE-CONTROL-CHAR",
        "warning",
        "{key} 的 {column} 含控制字符或文字方向字符 (公示单位 {detail}), 已从公示中删除: {value}",
        "{key}: {column} holds control or text-direction characters (notice unit {detail}); removed from the "
        "notice: {value}",
        "文字方向字符 (如 U+202E) 可使张贴的文字与数据不同; 控制字符使 Word 文件无法打开",
        "text-direction characters (e.g. U+202E) make posted text read differently from the data; control "
        "characters break Word files",
    ),
    Rule(
        "P-NOTICE-LEFT-OUT",
        "error",
        "户 {key} 的 {column} 超出合理范围, 结果无法判定 (undetermined), 未列入{detail}公示; 请核实数据",
        "household {key}: {column} out of its range, the result is undetermined; left off the {detail} notice;"
        " check the data",
        _NOTICE_ZH + "; 合理范围见 schemas/households.yaml",
        _NOTICE_EN + "; ranges in schemas/households.yaml",
    ),
    Rule(
        "P-NOTICE-NO-PREVIOUS",
        "info",
        "没有上一年度数据, 新识别户仅按首次识别年度 = {detail} 判断",
        "no previous year folder; newly identified households are those with identified_year = {detail}",
        _NOTICE_ZH,
        _NOTICE_EN,
    ),
    Rule(
        "P-DOC-KEY-DUPLICATE",
        "error",
        "{table} 第 {row} 行: {column} = {value} 与其他行重复, 无法确定是哪一户/哪个项目, 该行未写入帮扶文档和公示",
        "{table} row {row}: {column} = {value} is shared with another row; which one is meant is unknown, so "
        "the row was left out of documents and notices",
        _DOC_ZH,
        _DOC_EN,
    ),
    Rule(
        "P-DOC-KEY-MISSING",
        "error",
        "{table} 第 {row} 行: {column} 为空, 该行未写入帮扶文档和公示",
        "{table} row {row}: {column} is empty; the row was left out of documents and notices",
        _DOC_ZH,
        _DOC_EN,
    ),
    Rule(
        "P-DOC-VILLAGE-CODE",
        "error",
        "{table} 第 {row} 行: 行政村代码 {value} 不是 12 位统计用区划代码, 无法归入村、乡镇, 该行未写入帮扶文档和公示",
        "{table} row {row}: village code {value} is not a 12-digit statistical area code; the row cannot be "
        "placed in a village or township and was left out of documents and notices",
        _DOC_ZH + "; 国家统计局 统计用区划代码 (12 位: 县 6 位、乡镇 3 位、村 3 位)",
        _DOC_EN + "; NBS statistical area codes (12 digits: county 6, township 3, village 3)",
    ),
]
