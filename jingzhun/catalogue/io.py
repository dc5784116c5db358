"""Findings raised while reading table files (data-contract §1 "Reading files")."""

from __future__ import annotations

from jingzhun.catalogue import Rule

_READ_ZH = "jingzhun 数据格式约定 (docs/data-contract.md) 第 1 部分 读取文件"
_READ_EN = "jingzhun data contract (docs/data-contract.md), part 1, reading files"
_COLS_ZH = "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 表与列"
_COLS_EN = "jingzhun data contract (docs/data-contract.md), part 2, tables and columns"
_ID_ZH = (
    "jingzhun 数据格式约定 (docs/data-contract.md) 第 1 部分: 身份证号等标识列按文本读取; GB 11643-1999 "
    "公民身份号码 18 位"
)
_ID_EN = (
    "jingzhun data contract (docs/data-contract.md), part 1: identifiers are read as text; GB 11643-1999 citizen "
    "ID numbers have 18 characters"
)

RULES = [
    Rule(
        "V-READ-TITLE-ROWS",
        "warning",
        "表 {table}: 表头上方的标题行已跳过 (第 {detail} 行): {value}",
        "table {table}: title row(s) above the header skipped (file row {detail}): {value}",
        _READ_ZH,
        _READ_EN,
    ),
    Rule(
        "V-READ-TWO-ROW-HEADER",
        "info",
        "表 {table}: 两行表头已合并 (第 {detail} 行)",
        "table {table}: a two-row header was combined (file rows {detail})",
        _READ_ZH,
        _READ_EN,
    ),
    Rule(
        "V-READ-TOTAL-ROW",
        "warning",
        "表 {table} 第 {row} 行是合计行, 已跳过: {value}",
        "table {table} row {row} is a total row and was skipped: {value}",
        _READ_ZH,
        _READ_EN,
    ),
    Rule(
        "V-READ-EMPTY-FILE",
        "error",
        "表 {table} 的文件是空的: {detail}",
        "the file of table {table} is empty: {detail}",
        _READ_ZH,
        _READ_EN,
    ),
    Rule(
        "V-READ-NO-ROWS",
        "warning",
        "表 {table} 只有表头, 没有数据行: {detail}",
        "table {table} has a header but no data rows: {detail}",
        _READ_ZH,
        _READ_EN,
    ),
    Rule(
        "V-READ-BAD-LINE",
        "error",
        "表 {table} 第 {row} 行的列数与表头不符, 该行未读入: {value}",
        "table {table} row {row} has a different number of fields than the header and was not read: {value}",
        _READ_ZH,
        _READ_EN,
    ),
    Rule(
        "V-READ-HIDDEN-SHEET",
        "warning",
        "表 {table}: 隐藏的工作表「{value}」未读 ({detail}); 如要读它, 请用 --sheet 指定",
        "table {table}: the hidden sheet '{value}' was not read ({detail}); name it with --sheet to read it",
        _READ_ZH + "; 隐藏的工作表常是旧数据或草稿",
        _READ_EN + "; hidden sheets usually hold old data or drafts",
    ),
    Rule(
        "V-READ-CELL-TOO-LONG",
        "error",
        "表 {table} 第 {row} 行 {column} 的内容过长 (超过 {detail} 字), 未读入: {value}",
        "table {table} row {row} {column} is too long (over {detail} characters) and was not read: {value}",
        "Excel 单元格最多 32767 个字符; 参数 [limits] max_cell_chars",
        "an Excel cell holds at most 32,767 characters; parameter [limits] max_cell_chars",
    ),
    Rule(
        "V-READ-COLUMN-TYPE",
        "error",
        "表 {table} 的列 {column} 是嵌套类型 ({value}), 无法按表格读取, 该列未读入",
        "table {table} column {column} has a nested type ({value}) that is not a table column; it was not read",
        _READ_ZH + "; 每列每行一个值",
        _READ_EN + "; one value per column and row",
    ),
    Rule(
        "V-READ-BAD-TEXT",
        "error",
        "表 {table} 的列 {column} 有 {value} 个值不是有效的 UTF-8 文字, 无法识别的字节已替换为 �",
        "table {table} column {column} has {value} value(s) that are not valid UTF-8; the bad bytes became �",
        _READ_ZH + "; Parquet 文本列应为 UTF-8",
        _READ_EN + "; Parquet text columns are UTF-8",
    ),
    Rule(
        "V-COLUMN-UNKNOWN",
        "warning",
        "表 {table} 有数据契约之外的列「{column}」, 未读入",
        "table {table} has a column '{column}' that is not in the data contract; it was not read",
        _COLS_ZH + "; 只读契约中的列 (宽表也不占内存)",
        _COLS_EN + "; only the contract's columns are read",
    ),
    Rule(
        "V-COLUMN-DUPLICATE",
        "warning",
        "表 {table} 的列 {column} 出现多次 ({detail}), 只使用第一列",
        "table {table} has column {column} more than once ({detail}); only the first is used",
        _COLS_ZH,
        _COLS_EN,
    ),
    Rule(
        "V-COLUMN-MISSING",
        "error",
        "表 {table} 缺少必填列 {column} ({detail})",
        "table {table} lacks the required column {column} ({detail})",
        _COLS_ZH,
        _COLS_EN,
    ),
    Rule(
        "V-VALUE-NOT-INT",
        "error",
        "表 {table} 第 {row} 行 {column} 不是整数: {value}",
        "table {table} row {row} {column} is not a whole number: {value}",
        _READ_ZH,
        _READ_EN,
    ),
    Rule(
        "V-VALUE-NOT-NUMBER",
        "error",
        "表 {table} 第 {row} 行 {column} 不是数值: {value}",
        "table {table} row {row} {column} is not a number: {value}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 1 部分: 金额接受 1,234.50 和 1234.5元",
        "jingzhun data contract (docs/data-contract.md), part 1: amounts accept 1,234.50 and 1234.5元",
    ),
    Rule(
        "V-VALUE-NOT-BOOL",
        "error",
        "表 {table} 第 {row} 行 {column} 不是 是/否: {value}",
        "table {table} row {row} {column} is not yes/no: {value}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 1 部分: 是否类字段接受 是/否、有/无、Y/N、1/0、true/false",
        "jingzhun data contract (docs/data-contract.md), part 1: yes/no fields accept 是/否, 有/无, Y/N, 1/0, "
        "true/false",
    ),
    Rule(
        "V-VALUE-NOT-DATE",
        "error",
        "表 {table} 第 {row} 行 {column} 不是日期: {value}",
        "table {table} row {row} {column} is not a date: {value}",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 1 部分: 日期接受 2016-03-01、2016/3/1、"
        "2016年3月1日、20160301 和 Excel 日期序号",
        "jingzhun data contract (docs/data-contract.md), part 1: dates accept 2016-03-01, 2016/3/1, "
        "2016年3月1日, 20160301 and Excel serial dates",
    ),
    Rule(
        "V-VALUE-NOT-YEAR",
        "error",
        "表 {table} 第 {row} 行 {column} 不是年份: {value}",
        "table {table} row {row} {column} is not a year: {value}",
        _READ_ZH,
        _READ_EN,
    ),
    Rule(
        "V-ENUM-UNKNOWN",
        "error",
        "表 {table} 第 {row} 行 {column} 的值「{value}」不在代码表中",
        "table {table} row {row} {column}: '{value}' is not one of the listed labels",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 2 部分 代码表 (全国扶贫开发信息系统指标体系)",
        "jingzhun data contract (docs/data-contract.md), part 2 label lists (national poverty-alleviation "
        "information system indicators)",
    ),
    Rule(
        "V-ID-EXCEL-DAMAGED",
        "error",
        "表 {table} 第 {row} 行 {column} 被 Excel 当作数字保存, 末位数字已丢失, 无法修复: {value}",
        "table {table} row {row} {column} was stored as a number by Excel and lost its last digits; "
        "it cannot be repaired: {value}",
        _ID_ZH + "; Excel 数字只保留 15 位有效数字",
        _ID_EN + "; Excel numbers keep only 15 significant digits",
    ),
    Rule(
        "V-ROSTER-ID-EXCEL-DAMAGED",
        "warning",
        "表 {table} 第 {row} 行 {column} 被 Excel 当作数字保存, 末位数字已丢失 (外部名册, 比对时按姓名等匹配): {value}",
        "table {table} row {row} {column} was stored as a number by Excel and lost its last digits "
        "(another department's roster; matched by other means): {value}",
        _ID_ZH + "; 国办发〔2016〕70号 两项制度衔接: 民政名册由民政部门核实更正",
        _ID_EN + "; 国办发〔2016〕70号: the civil-affairs roster is corrected by civil affairs",
    ),
    Rule(
        "V-ID-DOT0-REPAIRED",
        "info",
        "表 {table} 第 {row} 行 {column} 带有 Excel 数字格式的「.0」, 已去除: {value}",
        "table {table} row {row} {column} had an Excel number '.0' suffix, removed: {value}",
        _ID_ZH,
        _ID_EN,
    ),
]
