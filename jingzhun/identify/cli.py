"""``jingzhun identify DATASET [--year Y]``: who is poor, why, who may exit, which villages qualify."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from jingzhun.cli_common import (
    ConfigOpt,
    DatasetArg,
    FailOnOpt,
    JsonOpt,
    LangOpt,
    OutOpt,
    QuietOpt,
    XlsxOpt,
    YearOpt,
    check_fail_on,
    findings_written,
    guarded,
    make_run,
    print_json,
)
from jingzhun.county import say_county
from jingzhun.findings import Findings, severity_counts, worst_exit_code
from jingzhun.findings_view import code_label
from jingzhun.i18n import t
from jingzhun.identify.api import run_identify, write_files
from jingzhun.identify.core import IdentifyResult
from jingzhun.outputs import output_dir
from jingzhun.progress import Reporter, no_step

RESULT_LABELS = {
    "poor": ("贫困", "poor"),
    "edge": ("边缘", "edge"),
    "not_poor": ("非贫困", "not poor"),
    "excluded": ("排除(疑点)", "excluded"),
    "undetermined": ("无法判定", "undetermined"),
}


def write_outputs(
    result: IdentifyResult, findings: Findings, out: Path, xlsx: bool, progress: Reporter | None = None
) -> dict[str, Any]:
    rendered = findings.render()
    with (progress.step if progress is not None else no_step)("write"), output_dir(out, "identify") as d:
        write_files(result, rendered, d, xlsx)
    return {"rendered": rendered}


@guarded
def command(
    ctx: typer.Context,
    dataset: DatasetArg,
    year: YearOpt = None,
    out: OutOpt = Path("out"),
    xlsx: XlsxOpt = True,
    json_out: JsonOpt = False,
    fail_on: FailOnOpt = "error",
    config: ConfigOpt = None,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """识别贫困户、边缘户、排除疑点、退出条件和贫困村 / identify poor, edge, excluded households, exits, villages."""
    run = make_run(ctx, lang=lang, config=config, quiet=quiet)
    fail_on = check_fail_on(fail_on)
    progress = run.progress()
    result, findings, params = run_identify(dataset, year, run.config, progress)
    say_county(run.err, params)
    rendered = write_outputs(result, findings, out, xlsx, progress)["rendered"]
    counts = severity_counts(rendered)
    if json_out:
        print_json(
            {
                **result.county,
                "findings": counts,
                "out": str(Path(out) / "identify"),
                "top_reasons": {k: int(v) for k, v in result.top_reasons().items()},
            }
        )
    if not run.err.quiet:  # rich lays the township table out even for a quiet console
        _summary(run.err, result, counts, Path(out) / "identify")
    raise typer.Exit(worst_exit_code(rendered, fail_on))


def _summary(console: Any, result: IdentifyResult, counts: dict[str, int], where: Path) -> None:
    c = result.county
    console.print(
        t(
            f"{c['data_year']} 年度识别 (收入年度 {c['income_year']}, 扶贫标准 {c['line']:.0f} 元, "
            f"边缘线 {c['edge_line']:.0f} 元, 退出标准 {c['exit_line']:.0f} 元)",
            f"identification {c['data_year']} (income year {c['income_year']}, line {c['line']:.0f}, "
            f"edge {c['edge_line']:.0f}, exit {c['exit_line']:.0f})",
        )
    )
    table = Table(title=t("各乡镇识别结果 (户)", "results by township (households)"))
    table.add_column(t("乡镇", "township"))
    for r in RESULT_LABELS.values():
        table.add_column(t(*r), justify="right")
    for row in result.townships().itertuples(index=False):
        table.add_row(
            f"{str(row.township_name or '')} {str(row.township_code)}".strip(),
            *(str(getattr(row, r)) for r in RESULT_LABELS),
        )
    table.add_row(t("合计", "total"), *(str(c["results"][r]) for r in RESULT_LABELS), style="bold")
    console.print(table)
    top = result.top_reasons()
    if len(top):
        rt = Table(title=t("主要原因", "top reasons"))
        rt.add_column(t("原因", "reason"))
        rt.add_column(t("户数", "households"), justify="right")
        for code, n in top.items():
            rt.add_row(code_label(str(code)), str(int(n)))
        console.print(rt)
    inc = "—" if c["incidence"] is None else f"{c['incidence']:.2%}"
    console.print(
        t(
            f"建档立卡 {c['registered_households']} 户, 其中未脱贫 {c['registered_active_households']} 户 "
            f"(达到退出标准 {c['exit_ready_households']} 户); "
            f"贫困人口 {c['poor_population']} 人 (识别为贫困及未脱贫且未达退出标准) ÷ "
            f"发生率分母 {c['denominator']} 人 = 贫困发生率 {inc}; "
            f"贫困村候选 {c['poor_village_candidates']} 个, 可退出村 {c['villages_exit_ready']} 个",
            f"registered {c['registered_households']} households, of them not "
            f"exited {c['registered_active_households']} "
            f"(meeting the exit standard {c['exit_ready_households']}); poor people {c['poor_population']} "
            f"(identified poor and "
            f"not exited below the exit standard) ÷ denominator {c['denominator']} = incidence {inc}; "
            f"poor-village candidates {c['poor_village_candidates']}, villages exit-ready {c['villages_exit_ready']}",
        )
    )
    if "monitoring" in c:
        m = c["monitoring"]
        console.print(
            t(
                f"防止返贫监测 (监测范围 {m['monitoring_range']:.0f} 元): 监测对象 {m['objects']} 户 — "
                f"脱贫不稳定户 {m['unstable']}, "
                f"边缘易致贫户 {m['edge']}, 突发严重困难户 {m['sudden']}; 可标注风险消除 {m['risk_cleared_ready']} 户 "
                f"(见 monitoring.csv)",
                f"monitoring (range {m['monitoring_range']:.0f}): {m['objects']} objects — unstable {m['unstable']}, "
                f"edge {m['edge']}, sudden {m['sudden']}; "
                f"ready for 风险消除 {m['risk_cleared_ready']} (see monitoring.csv)",
            )
        )
    console.print(findings_written(counts, where), markup=False)
