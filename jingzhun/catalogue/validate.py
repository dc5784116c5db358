"""Validation codes (``V-``): schema checks, ID numbers and cross-table rules.

Reading-time codes (unparseable values, unknown labels, Excel-damaged IDs, missing
columns) belong to the IO layer's own catalogue module. Each schema check in
``schemas/*.yaml`` names one of the codes below in its ``options.error``; pandera's
structural checks (nullable, unique, dtype, column presence) map to codes in
``jingzhun.schema.run``.
"""

from __future__ import annotations

from jingzhun.catalogue import Rule

_C2 = (
    "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 {t}",
    "jingzhun data contract (docs/data-contract.md), part 2 {t}",
)
_C3 = (
    "jingzhun 数据格式约定 (docs/data-contract.md) 第 3 部分",
    "jingzhun data contract (docs/data-contract.md), part 3",
)
_D16 = (
    "全国扶贫开发信息系统县级数据质量核查规则",
    "county data-quality checks on national poverty information system exports",
)
_D101 = (
    "GB 11643-1999《公民身份号码》(国家质量技术监督局, 1999)",
    "GB 11643-1999 Citizen identification number (State Bureau of Quality and Technical Supervision, 1999)",
)


def _c2(table: str) -> tuple[str, str]:
    return _C2[0].format(t=table), _C2[1].format(t=table)


RULES: list[Rule] = [
    # ---- schema checks (schemas/*.yaml) ---------------------------------------------
    Rule(
        "V-REQUIRED-EMPTY",
        "error",
        "{table} 第 {row} 行: 必填项 {column} 为空",
        "{table} row {row}: required value {column} is empty",
        *_c2("必填列 (req)"),
    ),
    Rule(
        "V-SCHEMA-COLUMN-MISSING",
        "error",
        "{table} 缺少必填列 {column}",
        "{table} lacks the required column {column}",
        *_c2("必填列 (req)"),
    ),
    Rule(
        "V-SCHEMA-DTYPE",
        "error",
        "{table} 列 {column} 的类型不对: {value} (应为 {detail})",
        "{table} column {column} has type {value}, expected {detail}",
        *_c2("列类型"),
    ),
    Rule(
        "V-DUPLICATE-KEY",
        "error",
        "{table} 第 {row} 行: {column} = {value} 重复 (应唯一)",
        "{table} row {row}: {column} = {value} is duplicated (must be unique)",
        *_c2("唯一键 (unique)"),
    ),
    Rule(
        "V-RANGE",
        "error",
        "{table} 第 {row} 行: {column} = {value} 超出允许范围 {detail}",
        "{table} row {row}: {column} = {value} is outside the allowed range {detail}",
        *_c2("取值范围"),
    ),
    Rule(
        "V-CODE-FORMAT",
        "error",
        "{table} 第 {row} 行: {column} = {value} 不是规范的统计用区划代码 (应匹配 {detail})",
        "{table} row {row}: {column} = {value} is not a well-formed statistical area code (expected {detail})",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分; 国家统计局 统计用区划代码 (12 位: 县 6 位、"
        "乡镇 3 位、村 3 位); GB/T 10114-2003《县级以下行政区划代码编制规则》",
        "jingzhun data contract (docs/data-contract.md), part 2; NBS statistical area codes (12 digits: "
        "county 6, township 3, village 3); GB/T 10114-2003 coding rules below county level",
    ),
    Rule(
        "V-PHONE-FORMAT",
        "warning",
        "{table} 第 {row} 行: 联系电话 {value} 不是 11 位手机号",
        "{table} row {row}: phone {value} is not an 11-digit mobile number",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分; 户联系电话长度≠11 "
        "(全国扶贫开发信息系统县级数据质量核查规则)",
        "jingzhun data contract (docs/data-contract.md), part 2; phone length ≠ 11 (county data-quality "
        "checks on national poverty information system exports)",
    ),
    Rule(
        "V-SCHEMA-ENUM",
        "error",
        "{table} 第 {row} 行: {column} = {value} 不在代码表中",
        "{table} row {row}: {column} = {value} is not a listed label",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 枚举值; 代码表外取值 "
        "(全国扶贫开发信息系统县级数据质量核查规则)",
        "jingzhun data contract (docs/data-contract.md), part 2 enum labels; value out of list (county "
        "data-quality checks on national poverty information system exports)",
    ),
    Rule(
        "V-SCHEMA-OTHER",
        "error",
        "{table} 第 {row} 行: {column} 未通过校验 {detail} (值 {value})",
        "{table} row {row}: {column} fails check {detail} (value {value})",
        *_C3,
    ),
    # ---- ID numbers (GB 11643) --------------------------------------------------------
    Rule(
        "V-ID-CHECKSUM",
        "error",
        "{table} 第 {row} 行: 证件号码 {value} 校验码错误",
        "{table} row {row}: ID number {value} has a wrong check character",
        *_D101,
    ),
    Rule(
        "V-ID-DATE",
        "error",
        "{table} 第 {row} 行: 证件号码 {value} 中的出生日期无效 (不存在、晚于今天或早于 1900 年)",
        "{table} row {row}: ID number {value} holds an invalid birth date (impossible, in the future or before 1900)",
        *_D101,
    ),
    Rule(
        "V-ID-FORMAT",
        "error",
        "{table} 第 {row} 行: 证件号码 {value} 格式错误 (应为 18 位, 末位可为 X)",
        "{table} row {row}: ID number {value} is malformed (18 characters expected, the last may be X)",
        *_D101,
    ),
    Rule(
        "V-ID-15",
        "warning",
        "{table} 第 {row} 行: 证件号码 {value} 为 15 位一代证号码, 已按规则升为 {detail}",
        "{table} row {row}: ID number {value} is a 15-digit first-generation number, upgraded to {detail}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 (15 位接受并升位, 给出警告); GB "
        "11643-1999《公民身份号码》(国家质量技术监督局, 1999)",
        "jingzhun data contract (docs/data-contract.md), part 2 (15-digit accepted and upgraded, with a "
        "warning); GB 11643-1999 Citizen identification number (State Bureau of Quality and Technical "
        "Supervision, 1999)",
    ),
    Rule(
        "V-ID-REGION",
        "info",
        "{table} 第 {row} 行: 证件号码 {value} 的地址码 {detail} 不属于本县 (可能为迁入或区划调整, 仅提示)",
        "{table} row {row}: ID number {value} has address code {detail} outside the county "
        "(moved in or reorganised area; for information)",
        "GB 11643-1999《公民身份号码》(国家质量技术监督局, 1999): 地址码为发证时常住户口所在县的代码 (GB/T "
        "2260《中华人民共和国行政区划代码》), 区划调整或迁入后不必等于现县代码, 故只提示不拒绝",
        "GB 11643-1999 Citizen identification number (State Bureau of Quality and Technical Supervision, 1999)"
        ": the address code is the county of residence at issue (GB/T 2260), so it need not equal the current "
        "county; a note, not an error",
    ),
    Rule(
        "V-ID-DISABILITY-FORMAT",
        "error",
        "{table} 第 {row} 行: 残疾人证号 {value} 格式错误 (应为 18 位身份证号加 2 或 4 位残疾类别等级)",
        "{table} row {row}: disability certificate number {value} is malformed "
        "(18-digit ID plus 2 or 4 category/grade characters expected)",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分; 第二代残疾人证号 = 身份证号 + 残疾类别、等级",
        "jingzhun data contract (docs/data-contract.md), part 2; 2nd-generation disability certificate number "
        "= ID number + category and grade",
    ),
    Rule(
        "V-ROSTER-ID-INVALID",
        "warning",
        "{table} 第 {row} 行: 民政名册中的身份证号 {value} 无效 ({detail}), 比对时将按姓名和村匹配",
        "{table} row {row}: roster ID number {value} is invalid ({detail}); matching will use name and village",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 低保名册 身份证号 (可能缺失、15 位、录错或被 "
        "Excel 损坏: 比对因此存在); 国办发〔2016〕70号《关于做好农村最低生活保障制度与扶贫开发政策有效衔接的指"
        "导意见》(国务院办公厅转发民政部等部门, 2016): 民政、扶贫部门定期比对",
        "jingzhun data contract (docs/data-contract.md), part 2, roster ID number (may be missing, 15-digit, "
        "mistyped or Excel-damaged: that is why "
        "matching exists); State Council General Office 国办发〔2016〕70号, guideline linking rural 低保 with "
        "poverty alleviation (2016): regular comparison",
    ),
    # ---- cross-table rules: members ↔ households ---------------------------------------
    Rule(
        "V-MEMBER-NO-HOUSEHOLD",
        "error",
        "{table} 第 {row} 行: 成员的户编号 {value} 在本年度农户表中不存在",
        "{table} row {row}: the member's household {value} is not in this year's households",
        *_c2("members.household_id"),
    ),
    Rule(
        "V-HOUSEHOLD-NO-MEMBERS",
        "error",
        "{table} 第 {row} 行: 户 {key} 在家庭成员表中没有成员",
        "{table} row {row}: household {key} has no members in the members table",
        *_c2("members.household_id"),
    ),
    Rule(
        "V-HEAD-MISSING",
        "error",
        "{table} 第 {row} 行: 户 {key} 没有户主",
        "{table} row {row}: household {key} has no 户主 (head)",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 成员跨行规则; 无户主 "
        "(全国扶贫开发信息系统县级数据质量核查规则)",
        "jingzhun data contract (docs/data-contract.md), part 2 cross-row rules; no head (county data-quality "
        "checks on national poverty information system exports)",
    ),
    Rule(
        "V-HEAD-MULTIPLE",
        "error",
        "{table} 第 {row} 行: 户 {key} 有 {detail} 个户主",
        "{table} row {row}: household {key} has {detail} heads (户主)",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 成员跨行规则; 同一户编号户主多于 1 人 "
        "(全国扶贫开发信息系统县级数据质量核查规则)",
        "jingzhun data contract (docs/data-contract.md), part 2 cross-row rules; more than one head (county "
        "data-quality checks on national poverty information system exports)",
    ),
    Rule(
        "V-SPOUSE-MULTIPLE",
        "error",
        "{table} 第 {row} 行: 户 {key} 有 {detail} 个配偶",
        "{table} row {row}: household {key} has {detail} spouses (配偶)",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 成员跨行规则; 配偶多于 1 人 "
        "(全国扶贫开发信息系统县级数据质量核查规则)",
        "jingzhun data contract (docs/data-contract.md), part 2 cross-row rules; more than one spouse (county "
        "data-quality checks on national poverty information system exports)",
    ),
    Rule(
        "V-COUPLE-SAME-SEX",
        "error",
        "{table} 第 {row} 行: 户 {key} 的户主和配偶同为{value}性",
        "{table} row {row}: the head and spouse of household {key} are both {value}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 成员跨行规则; 户主与配偶同性别 (按身份证第 "
        "17 位) (全国扶贫开发信息系统县级数据质量核查规则)",
        "jingzhun data contract (docs/data-contract.md), part 2 cross-row rules; head and spouse of the same "
        "sex (ID digit 17) (county data-quality checks on national poverty information system exports)",
    ),
    Rule(
        "V-SIZE-MISMATCH",
        "error",
        "{table} 第 {row} 行: 户 {key} 家庭人口数为 {value}, 成员表中在册成员 {detail} 人",
        "{table} row {row}: household {key} reports {value} persons, the members table has {detail} current members",
        *_c2("households.household_size (在册成员 = 无减少类变更原因)"),
    ),
    Rule(
        "V-ID-MULTI-HOUSEHOLD",
        "error",
        "{table} 第 {row} 行: 证件号码 {value} 同时出现在多个户: {detail}",
        "{table} row {row}: ID number {value} appears in several households: {detail}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 成员跨行规则 (一人只在一户); 身份证重复 "
        "(全国扶贫开发信息系统县级数据质量核查规则)",
        "jingzhun data contract (docs/data-contract.md), part 2 cross-row rules (an ID in one household only);"
        " duplicate ID (county data-quality checks on national poverty information system exports)",
    ),
    Rule(
        "V-ID-DUPLICATE",
        "error",
        "{table} 第 {row} 行: 证件号码 {value} 在户 {key} 中重复出现",
        "{table} row {row}: ID number {value} appears twice in household {key}",
        "身份证重复 (全国扶贫开发信息系统县级数据质量核查规则)",
        "duplicate ID (county data-quality checks on national poverty information system exports)",
    ),
    Rule(
        "V-HEAD-ID-MISMATCH",
        "error",
        "{table} 第 {row} 行: 户 {key} 的户主证件号码 {value} 与成员表中户主的证件号码 {detail} 不一致",
        "{table} row {row}: household {key} head ID {value} differs from the 户主 member's ID {detail}",
        *_c2("households.head_id_number"),
    ),
    Rule(
        "V-ID-SEX-MISMATCH",
        "error",
        "{table} 第 {row} 行: 性别 {value} 与证件号码第 17 位 ({detail}) 不符",
        "{table} row {row}: sex {value} disagrees with ID digit 17 ({detail})",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 家庭成员 性别; GB 11643-1999《公民身份号码》:"
        " 顺序码奇数为男",
        "jingzhun data contract (docs/data-contract.md), part 2, members sex; GB 11643-1999: an odd sequence "
        "digit means male",
    ),
    Rule(
        "V-ID-BIRTH-MISMATCH",
        "error",
        "{table} 第 {row} 行: 出生日期 {value} 与证件号码中的日期 {detail} 不符",
        "{table} row {row}: birth date {value} disagrees with the ID's date {detail}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 家庭成员 出生日期; GB "
        "11643-1999《公民身份号码》出生日期码",
        "jingzhun data contract (docs/data-contract.md), part 2, members birth date; GB 11643-1999 birth-date digits",
    ),
    Rule(
        "V-EDU-SCHOOL-BOTH",
        "warning",
        "{table} 第 {row} 行: 在校生 ({detail}) 不应填写文化程度 {value}",
        "{table} row {row}: a current student ({detail}) should have no education level ({value})",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 家庭成员 文化程度 (在校生为空); "
        "文化程度与在校生状况同时填写 (全国扶贫开发信息系统县级数据质量核查规则)",
        "jingzhun data contract (docs/data-contract.md), part 2, members education (empty for students); both "
        "filled (county data-quality checks on national poverty information system exports)",
    ),
    Rule(
        "V-EDU-SCHOOL-NONE",
        "warning",
        "{table} 第 {row} 行: 文化程度和在校生状况都为空",
        "{table} row {row}: neither education nor school status is filled",
        "文化程度与在校生状况同时为空 (全国扶贫开发信息系统县级数据质量核查规则)",
        "education and school status both empty (county data-quality checks on national poverty information "
        "system exports)",
    ),
    Rule(
        "V-LABOR-AGE",
        "warning",
        "{table} 第 {row} 行: {detail} 岁、健康、非在校生, 劳动技能却为 {value}",
        "{table} row {row}: aged {detail}, healthy and not a student, yet labour is {value}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 成员跨行规则; 16–59 "
        "岁健康非在校生标为无劳动力 (全国扶贫开发信息系统县级数据质量核查规则; 劳动年龄: 男 16–60 岁、女 "
        "16–55 岁)",
        "jingzhun data contract (docs/data-contract.md), part 2 cross-row rules; healthy non-student aged "
        "16–59 marked without labour "
        "(county data-quality checks on national poverty information system exports; labour age: men 16–60, "
        "women 16–55)",
    ),
    Rule(
        "V-LABOR-WORK",
        "warning",
        "{table} 第 {row} 行: 劳动技能为 {value}, 却有 {detail} 个月务工",
        "{table} row {row}: labour is {value} but {detail} months of work are recorded",
        "无/丧失劳动力但有务工记录 (全国扶贫开发信息系统县级数据质量核查规则)",
        "no labour capacity but work recorded (county data-quality checks on national poverty information "
        "system exports)",
    ),
    Rule(
        "V-WORK-MONTHS-NO-STATUS",
        "warning",
        "{table} 第 {row} 行: 务工时间 {value} 个月, 务工状况却为 {detail}",
        "{table} row {row}: {value} months of work, but work status is {detail}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 (务工时间 > 0 当且仅当务工); "
        "务工时间与务工地不符 (全国扶贫开发信息系统县级数据质量核查规则)",
        "jingzhun data contract (docs/data-contract.md), part 2 (work months > 0 iff working away); months vs "
        "place (county data-quality checks on national poverty information system exports)",
    ),
    Rule(
        "V-WORK-STATUS-NO-MONTHS",
        "warning",
        "{table} 第 {row} 行: 务工状况为 {value}, 务工时间却为 {detail}",
        "{table} row {row}: work status is {value} but work months are {detail}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 (务工时间 > 0 当且仅当务工); "
        "务工时间与务工地不符 (全国扶贫开发信息系统县级数据质量核查规则)",
        "jingzhun data contract (docs/data-contract.md), part 2 (work months > 0 iff working away); months vs "
        "place (county data-quality checks on national poverty information system exports)",
    ),
    # ---- households -------------------------------------------------------------------
    Rule(
        "V-REGISTERED-MISSING",
        "error",
        "{table} 第 {row} 行: 建档立卡户 {key} 未填写 {column}",
        "{table} row {row}: registered household {key} has no {column}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 农户 (贫困户属性、脱贫状态、主要致贫原因)",
        "jingzhun data contract (docs/data-contract.md), part 2 households (category, status, main cause)",
    ),
    Rule(
        "V-NONREGISTERED-FILLED",
        "warning",
        "{table} 第 {row} 行: 非建档立卡户 {key} 填写了 {column} = {value}",
        "{table} row {row}: non-registered household {key} has {column} = {value}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 农户 (非建档立卡户为空)",
        "jingzhun data contract (docs/data-contract.md), part 2 households (empty for non-registered)",
    ),
    Rule(
        "V-OTHER-CAUSES-MANY",
        "error",
        "{table} 第 {row} 行: 其他致贫原因 {value} 多于 2 项",
        "{table} row {row}: other causes {value} lists more than 2",
        *_c2("households.other_causes"),
    ),
    Rule(
        "V-OTHER-CAUSES-MAIN",
        "error",
        "{table} 第 {row} 行: 其他致贫原因 {value} 包含主要致贫原因 {detail}",
        "{table} row {row}: other causes {value} repeat the main cause {detail}",
        *_c2("households.other_causes"),
    ),
    Rule(
        "V-INCOME-MISMATCH",
        "warning",
        "{table} 第 {row} 行: 户 {key} 填报人均纯收入 {value} 元, 按收入构成重算为 {detail} 元",
        "{table} row {row}: household {key} reports per-capita net income {value}, recomputed {detail}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 农户 人均纯收入; 人均纯收入 = (各项收入 − "
        "生产经营性支出) / 家庭人口数, 见"
        "《扶贫开发建档立卡指标体系》贫困户登记表 收入指标; 参数 identify.income_tolerance, identify.counted_transfers",
        "jingzhun data contract (docs/data-contract.md), part 2; per-capita net income = (incomes − business "
        "expense) / household size "
        "(建档立卡 indicator system, household form income block); parameters identify.income_tolerance, "
        "identify.counted_transfers",
    ),
    Rule(
        "V-VILLAGE-UNKNOWN",
        "error",
        "{table} 第 {row} 行: 行政村代码 {value} 不在本年度行政村表中",
        "{table} row {row}: village code {value} is not in this year's villages table",
        *_c2("village_code → villages"),
    ),
    Rule(
        "V-VILLAGE-OUTSIDE-COUNTY",
        "warning",
        "{table} 第 {row} 行: 行政村代码 {value} 不属于本县 ({detail})",
        "{table} row {row}: village code {value} lies outside the county ({detail})",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 (区划代码前 6 位为县); 参数 county.code "
        "(未设置时为多数行政村代码的前 6 位, 跨县数据为共同的市/省代码)",
        "jingzhun data contract (docs/data-contract.md), part 2 (first 6 digits of the area code = county); "
        "parameter county.code (when unset: the first "
        "6 digits of most village codes, or the common prefecture/province prefix of multi-county data)",
    ),
    Rule(
        "V-TOWNSHIP-CODE",
        "error",
        "{table} 第 {row} 行: 乡镇代码 {value} 与行政村代码前 9 位 {detail} 不一致",
        "{table} row {row}: township code {value} differs from the first 9 digits of the village code {detail}",
        *_c2("villages.township_code"),
    ),
    Rule(
        "V-CADRE-UNKNOWN",
        "error",
        "{table} 第 {row} 行: 帮扶责任人编号 {value} 不在帮扶责任人表中",
        "{table} row {row}: cadre {value} is not in the cadres table",
        *_c2("households.cadre_id → cadres"),
    ),
    # ---- dibao, projects, payments (structural) --------------------------------------
    Rule(
        "V-DIBAO-DATES",
        "error",
        "{table} 第 {row} 行: 终止日期 {value} 早于起始日期 {detail}",
        "{table} row {row}: end date {value} is before start date {detail}",
        *_c2("dibao"),
    ),
    Rule(
        "V-DIBAO-CLASS",
        "warning",
        "{table} 第 {row} 行: 特困供养对象填写了低保类别 {value}",
        "{table} row {row}: a 特困供养 record has a 低保 class {value}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 低保名册 (低保类别只适用于农村低保); "
        "国办发〔2016〕70号《关于做好农村最低生活保障制度与扶贫开发政策有效衔接的指导意见》(国务院办公厅转发民"
        "政部等部门, 2016)",
        "jingzhun data contract (docs/data-contract.md), part 2, 低保 roster (classes apply to 农村低保 only);"
        " State Council General Office 国办发〔2016〕70号, guideline linking rural 低保 with poverty "
        "alleviation (2016)",
    ),
    Rule(
        "V-PROJECT-DATE-ORDER",
        "error",
        "{table} 第 {row} 行: 项目 {key} 的 {column} {value} 早于 {detail}",
        "{table} row {row}: project {key} {column} {value} is before {detail}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 项目库 (审批 ≤ 开工 ≤ 完工 ≤ 验收; 公示开始 "
        "≤ 公示结束); 《中央财政专项扶贫资金管理办法》(财农〔2017〕8号, 财政部等六部门, 2017)",
        "jingzhun data contract (docs/data-contract.md), part 2 projects (approval ≤ start ≤ completion ≤ "
        "acceptance; publicity start ≤ end); "
        "Measures for the Administration of Central Special Poverty Alleviation Funds (财农〔2017〕8号, "
        "Ministry of Finance and five other departments, 2017)",
    ),
    Rule(
        "V-PAYMENT-PROJECT-UNKNOWN",
        "error",
        "{table} 第 {row} 行: 拨付 {key} 的项目编号 {value} 不在项目库中",
        "{table} row {row}: payment {key} names project {value}, which is not in the projects table",
        *_c2("payments.project_id → projects"),
    ),
    Rule(
        "V-PAYMENT-HOUSEHOLD-UNKNOWN",
        "error",
        "{table} 第 {row} 行: 拨付 {key} 的户编号 {value} 不在本年度农户表中",
        "{table} row {row}: payment {key} names household {value}, which is not in this year's households",
        *_c2("payments.household_id → households"),
    ),
]
