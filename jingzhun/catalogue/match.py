"""Finding codes of 低保 linkage (``jingzhun match``), prefix ``M-`` (domain.md §5.3).

``value`` holds the roster side (record_id, name, ID …) and ``detail`` the register side
(household_id, name, ID, category …) so that every finding shows both records.
"""

from __future__ import annotations

from jingzhun.catalogue import Rule

_B70_ZH = (
    "国办发〔2016〕70号《关于做好农村最低生活保障制度与扶贫开发政策有效衔接的指导意见》: 县级民政、"
    "扶贫部门信息共享、定期比对, 精准台账"
)
_B70_EN = (
    "State Council General Office 〔2016〕70: county civil-affairs and poverty offices share data and compare it "
    "regularly"
)
_B_ID_ZH = "GB 11643-1999 公民身份号码; 比对以 18 位身份证号为主键 (15 位升为 18 位)"
_B_ID_EN = "GB 11643-1999 citizen ID number; the person-level key of the comparison (15 digits upgraded to 18)"

RULES: list[Rule] = [
    Rule(
        "M-CATEGORY-NOT-UPDATED",
        "warning",
        "低保/特困名册记录 {value} 的人员在建档立卡户 {key} 中, 但该户属性为一般贫困户 (属性未更新): {detail}",
        "roster record {value} is a member of registered household {key}, whose category is 一般贫困户 (not "
        "updated): {detail}",
        "《贫困户登记表》指标说明: 贫困户属性分一般贫困户、低保贫困户、特困供养贫困户; " + _B70_ZH,
        "register form: household category 一般/低保/特困供养贫困户; " + _B70_EN,
    ),
    Rule(
        "M-DIBAO-HH-NOT-ON-ROSTER",
        "warning",
        "贫困户 {key} 属性为低保贫困户, 但没有成员在低保名册上: {detail}",
        "household {key} is of category 低保贫困户 but no member is on the 低保 roster: {detail}",
        _B70_ZH + "; 应保尽保",
        _B70_EN + "; all eligible registered households covered by 低保",
    ),
    Rule(
        "M-TEKUN-HH-NOT-ON-ROSTER",
        "warning",
        "贫困户 {key} 属性为特困供养贫困户, 但没有成员在特困供养名册上: {detail}",
        "household {key} is of category 特困供养贫困户 but no member is on the 特困供养 roster: {detail}",
        _B70_ZH,
        _B70_EN,
    ),
    Rule(
        "M-MISSED-CANDIDATE",
        "warning",
        "低保/特困家庭 {value} 未建档立卡, 调查户 {key} 人均纯收入低于扶贫标准, 疑似漏评: {detail}",
        "roster family {value} is not registered, and surveyed household {key} has per-capita income below "
        "the line (possibly missed): {detail}",
        _B70_ZH + "; 符合扶贫条件的低保家庭纳入建档立卡 (应扶尽扶)",
        _B70_EN + "; 低保 families meeting the poverty criteria enter the register",
    ),
    Rule(
        "M-ROSTER-NOT-FOUND",
        "info",
        "低保/特困名册记录 {value} 在建档立卡和调查农户中都没有找到: {detail}",
        "roster record {value} was found neither in the register nor among surveyed households: {detail}",
        _B70_ZH + "; 不在建档立卡范围的低保家庭、特困人员统筹使用扶贫开发政策",
        _B70_EN,
    ),
    Rule(
        "M-PARTIAL-HOUSEHOLD",
        "warning",
        "户 {key} 只有部分成员在低保名册上 (保人不保户): {detail}",
        "only part of household {key} is on the 低保 roster (person covered, not household): {detail}",
        "地方两项制度衔接方案: 低保以家庭为单位认定, 不得保人不保户; " + _B70_ZH,
        "local linkage rules: 低保 is assessed per household, not per person; " + _B70_EN,
    ),
    Rule(
        "M-BENEFIT-MISMATCH",
        "warning",
        "户 {key} 收入中的{column} 与名册月保障金额×月数不一致: {detail}",
        "household {key}: {column} in the income differs from roster monthly amount × months: {detail}",
        "转移性收入中的低保金、特困供养金按上年度实际领取计算; " + _B70_ZH,
        "低保/特困 benefits in transfer income are the amounts received in the income year; " + _B70_EN,
    ),
    Rule(
        "M-DEAD-ON-ROSTER",
        "error",
        "名册记录 {value} 的人员已死亡 (户 {key}), 仍在低保/特困名册上: {detail}",
        "roster record {value}: the person died (household {key}) but is still on the roster: {detail}",
        _B70_ZH + "; 动态管理, 应退则退",
        _B70_EN + "; dynamic management: those no longer eligible leave",
    ),
    Rule(
        "M-LEFT-ON-ROSTER",
        "warning",
        "名册记录 {value} 的人员已迁出或服刑 (户 {key}), 仍在低保/特困名册上: {detail}",
        "roster record {value}: the person left the household or is imprisoned (household {key}) but is still "
        "on the roster: {detail}",
        _B70_ZH + "; 动态管理, 应退则退",
        _B70_EN + "; dynamic management",
    ),
    Rule(
        "M-DIBAO-AND-TEKUN",
        "error",
        "{key} 同时享受农村低保和特困供养: {detail}",
        "{key} receives both 农村低保 and 特困供养: {detail}",
        "特困人员供养与低保不得重复享受 (五保低保只能享受一个)",
        "特困 support and 低保 are not paid to the same person",
    ),
    Rule(
        "M-ROSTER-ID-INVALID",
        "warning",
        "名册记录 {key} 的身份证号 {value} 无效 ({detail}), 只能按近似号码或姓名+村匹配",
        "roster record {key}: ID number {value} is invalid ({detail}); matched by a near ID or by name and "
        "village only",
        _B_ID_ZH,
        _B_ID_EN,
    ),
    Rule(
        "M-ROSTER-ID-EXCEL",
        "warning",
        "名册记录 {key} 的身份证号 {value} 被 Excel 转成数字, 末位已丢失, 不能修复",
        "roster record {key}: ID number {value} was turned into a number by Excel; its last digits are lost",
        _B_ID_ZH + "; 身份证号列须设为文本格式",
        _B_ID_EN + "; ID columns must be text cells",
    ),
    Rule(
        "M-ROSTER-ID-15",
        "info",
        "名册记录 {key} 的身份证号 {value} 为 15 位旧号码, 已升为 18 位 {detail}",
        "roster record {key}: 15-digit ID {value} upgraded to {detail}",
        _B_ID_ZH,
        _B_ID_EN,
    ),
    Rule(
        "M-ROSTER-DUP-ID",
        "warning",
        "身份证号 {key} 在名册上出现多次 (记录 {value}); 只匹配第一条",
        "ID {key} appears more than once on the roster (records {value}); only the first is linked",
        _B70_ZH,
        _B70_EN,
    ),
    Rule(
        "M-ROSTER-DUP-RECORD",
        "error",
        "名册记录编号 {key} 重复 (第 {row} 行); 只使用第一条",
        "roster record_id {key} is duplicated (row {row}); only the first is used",
        "记录编号须唯一",
        "record_id must be unique",
    ),
    Rule(
        "M-ROSTER-NO-ID-COLUMN",
        "warning",
        "低保名册没有身份证号列, 只能按姓名+村匹配, 结果须人工复核",
        "the roster has no ID number column: matched by name and village only; review the result",
        _B70_ZH,
        _B70_EN,
    ),
    Rule(
        "M-ROSTER-NO-LOCATION",
        "warning",
        "名册记录 {key} ({value}) 既无身份证号也无村, 无法匹配",
        "roster record {key} ({value}) has neither an ID number nor a village and cannot be matched",
        _B70_ZH,
        _B70_EN,
    ),
    Rule(
        "M-NAME-TOO-LONG",
        "warning",
        "{table} 第 {row} 行 ({key}) 的姓名长达 {detail} 个字符, 超过参数 match.name_max_length, 不像姓名; "
        "只用前面部分比对: {value}",
        "{table} row {row} ({key}): the name is {detail} characters long, over parameter "
        "match.name_max_length, not a name; only its start is compared: {value}",
        "姓名列的合理长度见参数 match.name_max_length (含少数民族姓名的间隔号); 超长值多为列错位或粘贴错误",
        "sane name length: parameter match.name_max_length (minority names with their dot included); longer "
        "values are usually shifted columns or paste errors",
    ),
    Rule(
        "M-VILLAGE-UNKNOWN",
        "info",
        "名册记录 {key} 的村名 {value} 对应不到行政村代码",
        "roster record {key}: village name {value} maps to no village code",
        "统计用区划代码 (12 位)",
        "NBS 12-digit village code",
    ),
    Rule(
        "M-LINK-CONFLICT",
        "info",
        "名册记录 {key} 与另一记录争同一人员 {value}, 按得分保留了另一条: {detail}",
        "roster record {key} competed with another record for person {value}; the higher score was kept: {detail}",
        "每人只匹配一次 (一对一)",
        "each person is linked at most once",
    ),
    Rule(
        "M-ID-NAME-DIFFERS",
        "warning",
        "名册记录 {key} 的身份证号与建档立卡人员一致, 但姓名不同: {detail}",
        "roster record {key} has the ID of a registered person but a different name: {detail}",
        _B_ID_ZH,
        _B_ID_EN,
    ),
    Rule(
        "M-DECISION-STALE",
        "warning",
        "人工复核决定 (名册记录 {key}) 与当前数据不符, 未采用: {detail}",
        "review decision for roster record {key} no longer matches the data and was not applied: {detail}",
        "人工复核结果按名册记录编号和身份证号对应",
        "review decisions are keyed by roster record and ID number",
    ),
    Rule(
        "M-DECISION-INVALID",
        "warning",
        "人工复核决定 (名册记录 {key}) 的决定栏 {value} 不是 确认/否认, 未采用",
        "review decision for roster record {key}: {value} is not 确认/否认 and was not applied",
        "决定栏填 确认 或 否认",
        "fill the decision column with 确认 or 否认",
    ),
]
