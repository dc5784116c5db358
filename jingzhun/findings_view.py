"""How every command shows findings: a summary dict for JSON and a rich table for stderr.

Both take rendered findings (``Findings.render(lang)``), so the terminal, the JSON
summary and the findings file show the same thing.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.table import Table
from rich.text import Text

from jingzhun.catalogue import CATALOGUE
from jingzhun.findings import SEVERITIES, SEVERITY_RANK, severity_counts
from jingzhun.i18n import get_lang, t

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def summarize(rendered: pd.DataFrame) -> dict[str, Any]:
    """Counts by severity and by code (JSON-ready, deterministic key order)."""
    by_code: dict[str, int] = {}
    if not rendered.empty:
        counts = rendered["code"].value_counts()
        by_code = {str(code): int(counts[code]) for code in sorted(counts.index)}
    return {"total": len(rendered), "by_severity": severity_counts(rendered), "by_code": by_code}


def severity_label(severity: str) -> str:
    return {
        "error": t("错误", "error"),
        "warning": t("警告", "warning"),
        "info": t("提示", "info"),
    }.get(severity, severity)


def code_label(code: str, lang: str | None = None) -> str:
    """A finding code as a person reads it: its title, the code in brackets for lookup."""
    r = CATALOGUE.get(code)
    return r.label_for(lang or get_lang()) if r is not None else code


def code_groups(rendered: pd.DataFrame, examples: int = 3) -> list[dict[str, Any]]:
    """One entry per code: severity, count and the first ``examples`` messages, worst first."""
    if rendered.empty:
        return []
    groups: list[dict[str, Any]] = []
    for code, part in rendered.groupby("code", sort=False):
        groups.append(
            {
                "code": str(code),
                "label": code_label(str(code)),
                "severity": str(part["severity"].iloc[0]),
                "count": len(part),
                "examples": [str(m) for m in part["message"].head(examples)],
            }
        )
    groups.sort(key=lambda g: (SEVERITY_RANK.get(g["severity"], 9), -g["count"], g["code"]))
    return groups


def summary_table(rendered: pd.DataFrame, title: str | None = None, examples: int = 3) -> Table:
    """Rich table of findings grouped by code: severity, count and a few examples (one for a
    note: notes repeat per row, the findings file has them all)."""
    table = Table(title=title or t("问题汇总", "findings summary"), show_lines=False, expand=False)
    table.add_column(t("问题", "finding"))
    table.add_column(t("级别", "severity"), no_wrap=True)
    table.add_column(t("数量", "count"), justify="right")
    table.add_column(t("示例", "examples"))
    for g in code_groups(rendered, examples):
        style = SEVERITY_STYLE.get(g["severity"], "")
        # Text cells: messages may hold "[" (ranges, codes) that rich must not read as markup.
        table.add_row(
            Text(g["label"]),
            Text(severity_label(g["severity"]), style=style),
            Text(str(g["count"])),
            Text("\n".join(g["examples"][:1] if g["severity"] == "info" else g["examples"])),
        )
    return table


def totals_line(rendered: pd.DataFrame) -> str:
    counts = severity_counts(rendered)
    parts = [f"{severity_label(s)} {counts[s]}" for s in SEVERITIES]
    return t("共 {n} 条问题: ", "{n} findings: ").format(n=len(rendered)) + ", ".join(parts)


def findings_page(
    rendered: pd.DataFrame, files: dict[str, str], title: str, templates: Any = None, base: str = "../"
) -> str:
    """The findings summary page (HTML): one line per code, by severity; ``files`` maps a code
    to the findings file (relative to the output folder) holding its rows."""
    from jingzhun.render import render

    counts = severity_counts(rendered)
    groups = code_groups(rendered, examples=3)
    for g in groups:
        g["file"] = files.get(g["code"], "")
        g["href"] = base + g["file"] if g["file"] else ""
    levels = [
        {"label": severity_label(s), "count": counts[s], "groups": [g for g in groups if g["severity"] == s]}
        for s in SEVERITIES
    ]
    context = {"title": title, "lang": get_lang(), "totals": totals_line(rendered), "levels": levels}
    return render("report/findings.html", context, templates)
