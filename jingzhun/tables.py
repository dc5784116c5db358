"""The tables of data-contract §2 and the file names they are found under."""

from __future__ import annotations

TABLES = ("households", "members", "villages", "dibao", "cadres", "crosscheck", "projects", "payments")
REQUIRED_TABLES = ("households", "members")

# File stems (without extension) that name each table: canonical first, then aliases.
FILE_ALIASES: dict[str, tuple[str, ...]] = {
    "households": ("households", "农户信息", "贫困户", "农户", "贫困户信息", "建档立卡户"),
    "members": ("members", "家庭成员", "成员信息", "贫困人口"),
    "villages": ("villages", "村基础信息", "行政村", "贫困村"),
    "dibao": ("dibao", "低保", "低保特困", "低保名册", "低保特困名册"),
    "cadres": ("cadres", "帮扶责任人", "帮扶干部"),
    "crosscheck": ("crosscheck", "比对数据", "比对结果"),
    "projects": ("projects", "项目库", "扶贫项目库", "扶贫项目"),
    "payments": ("payments", "资金拨付", "报账台账", "资金台账"),
}

FILE_EXTENSIONS = (".csv", ".txt", ".tsv", ".parquet", ".pq", ".xlsx", ".xlsm", ".xls")


def table_for_stem(stem: str) -> str | None:
    s = stem.strip().lower()
    for table, aliases in FILE_ALIASES.items():
        if s in (a.lower() for a in aliases):
            return table
    return None


def table_title(table: str) -> str:
    """The Chinese name people call a table by (its first Chinese file name: households → 农户信息)."""
    aliases = FILE_ALIASES.get(table, ())
    return aliases[1] if len(aliases) > 1 else table
