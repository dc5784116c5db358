"""``jingzhun diff DATASET --from Y1 --to Y2``: dynamic management between two data years."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

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
    check_fail_on,
    findings_written,
    guarded,
    make_run,
    print_json,
)
from jingzhun.county import county_record, say_county
from jingzhun.findings import severity_counts, worst_exit_code
from jingzhun.i18n import t
from jingzhun.identify.diff import HOUSEHOLD_CHANGES, MEMBER_CHANGES, DiffResult
from jingzhun.identify.diff_api import run_diff, write_files
from jingzhun.identify.monitoring_diff import CHANGE_LABELS, MONITORING_CHANGES
from jingzhun.outputs import output_dir

FromOpt = Annotated[
    int | None, typer.Option("--from", help="起始数据年度, 默认倒数第二个 / first data year (default: second latest)")
]
ToOpt = Annotated[int | None, typer.Option("--to", help="对比数据年度, 默认最新 / second data year (default: latest)")]

HH_LABELS = {
    "new": ("新识别", "new"),
    "exited": ("脱贫", "exited"),
    "returned": ("返贫", "returned"),
    "removed": ("清退/剔除", "removed"),
    "changed": ("信息变更", "changed"),
    "appeared": ("新进调查", "appeared"),
    "disappeared": ("退出调查", "disappeared"),
}
MEM_LABELS = {
    "added": ("增加", "added"),
    "removed": ("减少", "removed"),
    "moved": ("分户/合户", "moved"),
    "changed": ("变更", "changed"),
}


@guarded
def command(
    ctx: typer.Context,
    dataset: DatasetArg,
    from_year: FromOpt = None,
    to_year: ToOpt = None,
    out: OutOpt = Path("out"),
    xlsx: XlsxOpt = True,
    json_out: JsonOpt = False,
    fail_on: FailOnOpt = "error",
    config: ConfigOpt = None,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """两个年度之间的变化: 新识别、脱贫、返贫、清退, 成员增减 / what changed between two data years."""
    run = make_run(ctx, lang=lang, config=config, quiet=quiet)
    fail_on = check_fail_on(fail_on)
    progress = run.progress()
    result, findings, params = run_diff(dataset, from_year, to_year, run.config, progress)
    say_county(run.err, params)
    rendered = findings.render()
    with progress.step("write"), output_dir(out, "diff") as d:
        write_files(result, rendered, d, xlsx, county_record(params))
    counts = severity_counts(rendered)
    if json_out:
        print_json({**result.summary(), "findings": counts, "out": str(Path(out) / "diff")})
    _summary(run.err, result, counts, Path(out) / "diff")
    raise typer.Exit(worst_exit_code(rendered, fail_on))


def _summary(console: Any, result: DiffResult, counts: dict[str, int], where: Path) -> None:
    s = result.summary()
    console.print(
        t(f"{result.from_year} → {result.to_year} 年度动态变化", f"changes {result.from_year} → {result.to_year}")
    )
    table = Table(title=t("各乡镇变化 (户 / 人)", "changes by township (households / members)"))
    table.add_column(t("乡镇代码", "township"))
    for c in HOUSEHOLD_CHANGES:
        table.add_column(t(*HH_LABELS[c]), justify="right")
    for c in MEMBER_CHANGES:
        table.add_column(t("人", "m.") + t(*MEM_LABELS[c]), justify="right")
    for d in result.townships.to_dict("records"):
        table.add_row(
            str(d["township_code"]),
            *(str(d.get(f"households_{c}", 0)) for c in HOUSEHOLD_CHANGES),
            *(str(d.get(f"members_{c}", 0)) for c in MEMBER_CHANGES),
        )
    table.add_row(
        t("合计", "total"),
        *(str(s["households"][c]) for c in HOUSEHOLD_CHANGES),
        *(str(s["members"][c]) for c in MEMBER_CHANGES),
        style="bold",
    )
    console.print(table)
    if "monitoring" in s:
        parts = [f"{t(*CHANGE_LABELS[c])} {s['monitoring'][c]}" for c in MONITORING_CHANGES]
        console.print(t("防止返贫监测: ", "monitoring: ") + t("、", ", ").join(parts) + t(" 户", " households"))
    console.print(findings_written(counts, where), markup=False)
