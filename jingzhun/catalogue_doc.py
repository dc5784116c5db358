"""The finding catalogue as a Markdown page (``docs/findings.md``).

``python -m jingzhun.catalogue_doc > docs/findings.md`` regenerates it; a test keeps the
page equal to the catalogue.
"""

from __future__ import annotations

from jingzhun.catalogue import CATALOGUE

AREAS = {
    "V-": ("校验 (读取、表结构、跨表规则)", "validation (reading, schema, cross-table rules)"),
    "I-": ("识别、退出与年度变化", "identification, exit and year-to-year changes"),
    "M-": ("低保比对", "低保 linkage"),
    "P-": ("帮扶计划、文档与公示", "plans, documents and notices"),
    "A-": ("资金与项目审计", "fund and project audit"),
    "R-": ("全流程、报告与核对", "pipeline, report and verify"),
}
SEVERITY = {"error": "错误 error", "warning": "警告 warning", "info": "提示 info"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    lines = [
        "# 问题代码目录 / Finding catalogue",
        "",
        "每条问题 (finding) 都有稳定的代码、级别、中英文说明和政策依据; 依据所引文件见 [sources.md](sources.md)。",
        "`error` 阻止上报 (退出码 1), `warning` 需核实 (`--fail-on warning` 时也使退出码为 1), `info` 仅提示。",
        "Every finding has a stable code, a severity, a zh/en message and its policy basis.",
        "This page is generated from `jingzhun/catalogue/` (`python -m jingzhun.catalogue_doc`).",
        "",
    ]
    for prefix, (zh, en) in AREAS.items():
        codes = sorted(c for c in CATALOGUE if c.startswith(prefix))
        if not codes:
            continue
        lines += [
            f"## {prefix} {zh} / {en}",
            "",
            "| 代码 code | 级别 severity | 说明 message | 依据 basis |",
            "|---|---|---|---|",
        ]
        for c in codes:
            r = CATALOGUE[c]
            lines.append(f"| `{c}` | {SEVERITY[r.severity]} | {_cell(r.zh)}<br>{_cell(r.en)} | {_cell(r.basis_zh)} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())
