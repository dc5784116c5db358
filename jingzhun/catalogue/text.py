"""Findings about the characters of text cells, raised while reading (prefix ``V-TEXT-``)."""

from __future__ import annotations

from jingzhun.catalogue import Rule

RULES = [
    Rule(
        "V-TEXT-CONTROL-CHAR",
        "warning",
        "{table} 第 {row} 行 {column}: 含不可见的控制字符或文字方向控制符, 已删除 (原值 {value})",
        "{table} row {row}, {column}: invisible control or text-direction characters were removed (raw value {value})",
        "jingzhun 数据格式约定 (docs/data-contract.md) 第 1 部分 读取文件: 文本去除首尾空白; 控制字符 "
        "(U+0000–U+001F、U+007F–U+009F) 与双向文本覆盖符 (U+202A–U+202E, U+2066–U+2069) 不是姓名、"
        "代码等内容的一部分, 且会使公示内容显示错乱",
        "jingzhun data contract (docs/data-contract.md), part 1, reading files: text is trimmed; control "
        "characters (U+0000–U+001F, U+007F–U+009F) and bidirectional overrides "
        "(U+202A–U+202E, U+2066–U+2069) are no part of a name or code and make posted text display falsely",
    ),
]
