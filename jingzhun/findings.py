"""Findings: one shape for every check (data-contract §3).

A step collects findings in a :class:`Findings` object, vectorised: one ``add`` call
records every failing row of a rule at once. Severity, message and policy basis are
not stored per row; they come from the catalogue (``jingzhun.catalogue``) when the
findings are rendered, so a code always means the same thing.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from jingzhun.catalogue import CATALOGUE, Rule
from jingzhun.i18n import get_lang
from jingzhun.tablespec import COLUMNS as SPEC_COLUMNS
from jingzhun.tablespec import TABLE_LABELS

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}

# Stored columns; "message", "severity" and "basis" are added by render().
BASE_COLUMNS = ["code", "table", "row", "column", "value", "key", "detail"]
COLUMNS = ["code", "severity", "table", "row", "column", "value", "key", "message", "basis", "detail"]


def rule(code: str) -> Rule:
    try:
        return CATALOGUE[code]
    except KeyError:
        raise KeyError(f"finding code {code!r} is not in the catalogue") from None


def _as_text(values: Any, n: int) -> pd.Series:
    """Broadcast a scalar or align an array-like to n text values (NA stays NA)."""
    if values is None:
        return pd.Series(pd.NA, index=range(n), dtype="str")
    if np.isscalar(values):
        return repeat_text(str(values), n)
    s = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(list(values), dtype="object")
    if len(s) != n:
        raise ValueError(f"finding field has {len(s)} values, expected {n}")
    if s.dtype == "str":
        return s
    out = s.astype("str")
    return out.where(s.notna(), pd.NA)


def _length(*fields: Any) -> int:
    n = None
    for f in fields:
        if f is None or np.isscalar(f):
            continue
        m = len(f)
        if n is None:
            n = m
        elif m != n:
            raise ValueError("finding fields of different lengths")
    return 1 if n is None else n


class Findings:
    """An append-only collection of findings."""

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []

    def add(
        self,
        code: str,
        *,
        table: Any = None,
        row: Any = None,
        column: Any = None,
        value: Any = None,
        key: Any = None,
        detail: Any = None,
    ) -> None:
        """Record one finding, or one per element when fields are array-like.

        Scalars broadcast; array-likes (Series, list, ndarray) must share one length.
        An empty array adds nothing.
        """
        rule(code)  # fail early on an uncatalogued code
        n = _length(table, row, column, value, key, detail)
        if n == 0:
            return
        part = pd.DataFrame(
            {
                "code": repeat_text(code, n),
                "table": _as_text(table, n),
                "row": _as_row(row, n),
                "column": _as_text(column, n),
                "value": _as_text(value, n),
                "key": _as_text(key, n),
                "detail": _as_text(detail, n),
            }
        )
        self._parts.append(part)

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> Findings:
        """Findings from a frame with the stored columns (e.g. a rendered findings file)."""
        f = cls()
        for code, part in df.groupby("code", sort=True):
            rule(str(code))
            f._parts.append(part[BASE_COLUMNS].reset_index(drop=True))
        return f

    def extend(self, other: Findings | Iterable[Findings]) -> None:
        others = [other] if isinstance(other, Findings) else list(other)
        for o in others:
            self._parts.extend(o._parts)

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts)

    def frame(self) -> pd.DataFrame:
        """All findings, stored columns only, in insertion order."""
        if not self._parts:
            return empty_frame(BASE_COLUMNS)
        return pd.concat(self._parts, ignore_index=True)

    def codes(self) -> set[str]:
        return {c for p in self._parts for c in p["code"].unique()}

    def render(self, lang: str | None = None) -> pd.DataFrame:
        """Findings with severity, message and basis, sorted for reproducible output."""
        return _render_parts(self._parts, lang)


def repeat_text(text: str, n: int) -> pd.Series:
    """``text`` ``n`` times as a ``str`` Series (index 0..n-1), built in Arrow: no Python list of n items."""
    return pd.Series(pd.array([text], dtype="str").take(np.zeros(n, dtype=np.intp)))


def _as_row(row: Any, n: int) -> pd.Series:
    if row is None or np.isscalar(row):
        return pd.Series(row, index=range(n), dtype="Int64")
    s = row.reset_index(drop=True) if isinstance(row, pd.Series) else pd.Series(list(row))
    return pd.to_numeric(s, errors="coerce").astype("Int64")


def empty_frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else "str") for c in columns})


def render_frame(df: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Add severity, message and basis from the catalogue; sort deterministically."""
    if df.empty:
        return empty_frame(COLUMNS)
    return _render_parts([part for _, part in df.groupby("code", sort=False)], lang)


def _render_parts(parts: list[pd.DataFrame], lang: str | None) -> pd.DataFrame:
    """Render parts that each hold one code: order by severity and code, then by place.

    Working part by part keeps every step a column operation without re-indexing the
    whole frame (the findings of a province-scale run can number in the millions).
    """
    lang = lang or get_lang()
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_frame(COLUMNS)
    by_code: dict[str, list[pd.DataFrame]] = {}
    for p in parts:
        by_code.setdefault(str(p["code"].iloc[0]), []).append(p)
    order = sorted(by_code, key=lambda c: (SEVERITY_RANK[CATALOGUE[c].severity], c))
    pieces = []
    for code in order:
        r = CATALOGUE[code]
        part = _in_order(
            [
                p.assign(column=word_details(p["column"], lang), detail=word_details(p["detail"], lang))
                for p in by_code[code]
            ]
        )
        part = part.reset_index(drop=True)
        part["severity"] = repeat_text(r.severity, len(part))
        part["basis"] = repeat_text(r.basis_for(lang), len(part))
        part["message"] = _format_messages(r.message_for(lang), _displayed(part, lang))
        pieces.append(part[COLUMNS])
    return pd.concat(pieces, ignore_index=True)


def _in_order(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """The parts of one code as one frame sorted by table, row, column, key and value.

    Parts that each cover one table and column in row order, one part per table (a rule run
    table by table, such as V-ID-REGION), only need ordering by table: sorting a million
    findings by five text columns took seconds."""
    if len(parts) > 1 and all(_in_place_order(p) for p in parts):
        tables = [p["table"].iloc[0] for p in parts]
        if len(set(tables)) == len(tables) and all(isinstance(tb, str) for tb in tables):
            return pd.concat([parts[i] for i in sorted(range(len(parts)), key=lambda i: tables[i])], ignore_index=True)
    part = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    if not _in_place_order(part):
        part = part.sort_values(["table", "row", "column", "key", "value"], na_position="first", kind="stable")
    return part


def _in_place_order(part: pd.DataFrame) -> bool:
    """True when sorting would not change the order: one table and column, rows ascending
    and distinct (a vectorised check over a frame already yields its findings so)."""
    if part["table"].nunique(dropna=False) > 1 or part["column"].nunique(dropna=False) > 1:
        return False
    row = part["row"]
    return bool(row.notna().all() and row.is_monotonic_increasing and row.is_unique)


_FIELDS = ("table", "row", "column", "value", "key", "detail")

# What a person reads for a table name in a message (the stored ``table`` stays canonical).
TABLE_TITLES: dict[str, tuple[str, str]] = TABLE_LABELS
# ID classifications (jingzhun.ids.classify) as words, for ``detail``/``value`` cells holding one.
ID_STATUS_WORDS: dict[str, tuple[str, str]] = {
    "bad_checksum": ("校验码错误", "wrong check character"),
    "bad_date": ("出生日期无效", "invalid birth date"),
    "bad_format": ("格式错误", "malformed"),
    "excel_damaged": ("被 Excel 损坏", "damaged by Excel"),
    "upgraded15": ("15 位已升为 18 位", "15 digits, upgraded to 18"),
    "empty": ("为空", "empty"),
}


# Language-free details: a finding stores ``detail_text(key, *args)`` (a key and its
# arguments, no words of either language) and rendering words it in the reader's language.
_NEUTRAL = "\x1e"
_SEP = "\x1f"
DETAIL_TEXTS: dict[str, tuple[str, str]] = {
    "duplicate_header": ("第 {0} 列「{1}」和第 {2} 列「{3}」", "column {0} '{1}' and column {2} '{3}'"),
    "header_example": ("表头可写作「{0}」", "header e.g. '{0}'"),
    "quota": ("规模 {0}", "quota {0}"),
    "rank_quota": ("排名 {0} / 规模 {1}", "rank {0} / quota {1}"),
    "private_every_notice": ("{0}; 全部公示", "{0}; every notice"),
    "private_notice_unit": ("{0}; 公示单位 {1}", "{0}; notice unit {1}"),
}
# Words an argument may name as ``@word`` (private data kinds of a notice).
DETAIL_WORDS: dict[str, tuple[str, str]] = {
    "id": ("身份证号", "ID number"),
    "mobile": ("手机号", "mobile number"),
    "account": ("银行卡号/账号", "account number"),
    "health": ("健康信息", "health detail"),
}
# A column the file has no header for: stored ``column_N`` (1-based), shown 列N / columnN.
_UNNAMED = re.compile(r"^column_([0-9]+)$")


def unnamed_column(j: int) -> str:
    """The language-free name of the file's ``j``-th (0-based) column when it has no header."""
    return f"column_{j + 1}"


def detail_text(key: str, *args: Any) -> Any:
    """A language-free ``detail`` (one value, or a Series when an argument is one; NA in → NA out)."""
    if key not in DETAIL_TEXTS:
        raise KeyError(f"detail text {key!r} is not in findings.DETAIL_TEXTS")
    out: Any = _NEUTRAL + key
    for a in args:
        out = out + _SEP + (a.astype("str") if isinstance(a, pd.Series) else str(a))
    return out


def word_details(values: pd.Series, lang: str | None = None) -> pd.Series:
    """Stored details and column names worded in ``lang``; every other value unchanged."""
    lang = lang or get_lang()
    text = values.astype("str")
    hit = text.str.startswith(_NEUTRAL, na=False) | text.str.match(_UNNAMED.pattern, na=False)
    if not hit.any():
        return values
    words = {v: _word(v, lang) for v in text[hit].unique()}
    return text.where(~hit, text.map(words)).astype("str")


def _word(value: str, lang: str) -> str:
    m = _UNNAMED.match(value)
    if m:
        return f"column{m.group(1)}" if lang == "en" else f"列{m.group(1)}"
    key, *args = value[len(_NEUTRAL) :].split(_SEP)
    zh, en = DETAIL_TEXTS[key]
    shown = [_arg_word(a, lang) for a in args]
    return (en if lang == "en" else zh).format(*shown)


def _arg_word(arg: str, lang: str) -> str:
    words = DETAIL_WORDS.get(arg[1:]) if arg.startswith("@") else None
    if words is None:
        return arg
    return words[1] if lang == "en" else words[0]


def table_title(table: str, lang: str | None = None) -> str:
    """The name a person reads for a canonical table name (unknown names unchanged)."""
    names = TABLE_TITLES.get(table)
    if names is None:
        return table
    return names[1] if (lang or get_lang()) == "en" else names[0]


def column_title(table: str | None, column: str, lang: str | None = None) -> str:
    """A column's Chinese header (its first alias in the registry) in Chinese, the name in English.

    ``column`` may list several columns joined by ``,``; a name outside the registry is kept."""
    if (lang or get_lang()) == "en":
        return column
    return "、".join(_column_zh(table, c.strip()) for c in column.split(","))


def _column_zh(table: str | None, name: str) -> str:
    cols = SPEC_COLUMNS.get(table or "", {})
    col = cols.get(name) or next((c[name] for c in SPEC_COLUMNS.values() if name in c), None)
    return col.aliases[0] if col is not None and col.aliases else name


def _displayed(part: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The fields as a message shows them: table and column names as people call them, ID
    classification codes as words. Mapped once per distinct value, never per row."""
    out = part.copy(deep=False)
    tables = part["table"]
    out["table"] = _map_unique(tables, lambda v: table_title(v, lang))
    column = part["column"]
    if column.notna().any():
        pair = tables.fillna("") + "\x1f" + column
        out["column"] = _map_unique(pair, lambda v: column_title(v.split("\x1f")[0] or None, v.split("\x1f")[1], lang))
    words = {k: (zh if lang != "en" else en) for k, (zh, en) in ID_STATUS_WORDS.items()}
    hit = part["detail"].isin(list(words))
    if hit.any():
        out["detail"] = part["detail"].where(~hit, part["detail"].map(words))
    return out


def _map_unique(col: pd.Series, fn: Any) -> pd.Series:
    """``fn`` of each distinct value, spread back over ``col`` (NA stays NA) without a Python call per row."""
    codes, uniques = pd.factorize(col)
    if not len(uniques):
        return col
    mapped = pd.array([str(fn(v)) for v in uniques], dtype="str")
    return pd.Series(mapped.take(codes, allow_fill=True), index=col.index)


def _format_messages(template: str, rows: pd.DataFrame) -> pd.Series:
    """``template.format(**row)`` for every row, vectorised by concatenating columns."""
    result = pd.Series("", index=rows.index, dtype="str")
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        if literal:
            result = result + literal
        if field is None:
            continue
        if field not in _FIELDS:
            raise KeyError(f"message template field {{{field}}} is not a finding field")
        col = rows[field]
        text = col.astype("Int64").astype("str") if field == "row" else col.astype("str")
        result = result + text.fillna("")
    return result


def severity_counts(rendered: pd.DataFrame) -> dict[str, int]:
    counts = rendered["severity"].value_counts() if not rendered.empty else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in SEVERITIES}


def worst_exit_code(rendered: pd.DataFrame, fail_on: str = "error") -> int:
    """0 when nothing at or above ``fail_on`` severity, else 1 (data-contract §5)."""
    counts = severity_counts(rendered)
    if counts["error"]:
        return 1
    if fail_on == "warning" and counts["warning"]:
        return 1
    return 0
