"""``jingzhun diff DATASET --from Y1 --to Y2``: dynamic management between two data years."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
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
from jingzhun.county import county_record, say_county, settle
from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import UsageError
from jingzhun.findings import Findings, severity_counts, worst_exit_code
from jingzhun.i18n import t
from jingzhun.identify.diff import HOUSEHOLD_CHANGES, MEMBER_CHANGES, DiffResult, diff_years
from jingzhun.identify.monitoring import is_monitoring_year, monitoring_range
from jingzhun.identify.monitoring_diff import CHANGE_LABELS, MONITORING_CHANGES, monitoring_changes
from jingzhun.io.write import write_csv, write_json, write_xlsx
from jingzhun.outputs import output_dir
from jingzhun.params import Params
from jingzhun.progress import Reporter, no_step

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


def resolve_years(ds: Dataset, from_year: int | None, to_year: int | None) -> tuple[int, int]:
    years = ds.years
    if to_year is None:
        to_year = ds.resolve_year(None)
    if from_year is None:
        earlier = [y for y in years if y < to_year]
        if not earlier:
            raise UsageError(
                t(f"{to_year} 年度之前没有可对比的年度", f"there is no data year before {to_year} to compare with"),
                t("用 --from 和 --to 指定两个不同的年度", "give two different years with --from and --to"),
            )
        from_year = earlier[-1]
    ds.resolve_year(from_year)
    ds.resolve_year(to_year)
    if from_year > to_year:
        raise UsageError(
            t(f"--from {from_year} 晚于 --to {to_year}", f"--from {from_year} is later than --to {to_year}"),
            t(
                f"--from 是较早的年度, 如 --from {to_year} --to {from_year}",
                f"--from is the earlier year, e.g. --from {to_year} --to {from_year}",
            ),
        )
    if from_year == to_year:
        raise UsageError(
            t(f"--from 和 --to 是同一个年度 {from_year}", f"--from and --to are the same year {from_year}"),
            t("请指定两个不同的年度", "give two different years"),
        )
    return from_year, to_year


def run_diff(
    dataset: Path,
    from_year: int | None,
    to_year: int | None,
    config: Path | None = None,
    progress: Reporter | None = None,
) -> tuple[DiffResult, Findings, Params]:
    """Both years read and compared; the parameters (dataset ``jingzhun.toml`` and ``--config``)
    are checked like in every command and name the county in ``summary.json``."""
    step = progress.step if progress is not None else no_step
    ds = Dataset.open(dataset)
    y1, y2 = resolve_years(ds, from_year, to_year)
    params = Params.load(ds.root, config)
    if is_monitoring_year(params, y2):  # the lines and the range stop before any reading
        params.poverty_line(y1 - 1), params.poverty_line(y2 - 1), monitoring_range(params, y2)
    with step("read"):
        old = load_year(ds, y1, ("households", "members"))
        new = load_year(ds, y2, ("households", "members"))
    settle(params, new.frames)
    with step("diff"):
        result = diff_years(old.frames, new.frames, y1, y2)
        result.monitoring = monitoring_changes(old.frames["households"], new.frames["households"], params, y1, y2)
    findings = Findings()
    findings.extend([old.findings, new.findings, result.findings])
    return result, findings, params


def write_files(
    result: DiffResult, rendered: pd.DataFrame, d: Path, xlsx: bool, county: dict[str, Any] | None = None
) -> None:
    """Every output of diff into folder ``d`` (shared with ``jingzhun run``)."""
    write_csv(result.households, d / "households.csv")
    write_csv(result.members, d / "members.csv")
    write_csv(result.townships, d / "townships.csv")
    if result.monitoring is not None:
        write_csv(result.monitoring, d / "monitoring.csv")
    write_csv(rendered, d / "findings.csv")
    write_json(result.summary() | ({"county": county} if county is not None else {}), d / "summary.json")
    if xlsx:
        write_xlsx(
            {
                "households": result.households,
                "members": result.members,
                "townships": result.townships,
                "findings": rendered,
            },
            d / "diff.xlsx",
        )


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
    for row in result.townships.itertuples(index=False):
        d = row._asdict()
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
