"""``jingzhun sample OUT``: write a deterministic synthetic dataset folder."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from jingzhun.cli_common import JsonOpt, LangOpt, QuietOpt, guarded, make_run, print_json
from jingzhun.errors import UsageError
from jingzhun.i18n import t
from jingzhun.outputs import foreign_files, output_dir
from jingzhun.sample.build import build, parse_years
from jingzhun.tablespec import table_title


@guarded
def command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="输出的数据集文件夹 / dataset folder to write", show_default=False)],
    households: Annotated[int, typer.Option("--households", help="每年农户数 / households per year")] = 300,
    years: Annotated[str, typer.Option("--years", help="数据年度, 如 2015-2016 / data years")] = "2015-2016",
    seed: Annotated[int, typer.Option("--seed", help="随机种子 / random seed")] = 2016,
    fmt: Annotated[str, typer.Option("--format", help="csv | parquet | xlsx")] = "csv",
    encoding: Annotated[
        str, typer.Option("--encoding", help="CSV 编码 utf-8 (带 BOM) 或 gbk / CSV encoding")
    ] = "utf-8",
    dirty_rate: Annotated[
        float, typer.Option("--dirty", help="注入缺陷的比例, 如 0.05 / share of rows given defects")
    ] = 0.0,
    roster_noise: Annotated[
        float,
        typer.Option(
            "--roster-noise",
            help="低保名册中身份证号缺失/15 位/错录/被 Excel 损坏的比例, 如 0.15 / share of damaged IDs in the "
            "低保 roster",
        ),
    ] = 0.0,
    anomaly_rate: Annotated[
        float,
        typer.Option(
            "--anomalies",
            help="注入审计异常的比例, 如 0.01; 真值写入 _truth/<年度>/anomalies.csv / share of payments and "
            "projects given audit anomalies",
        ),
    ] = 0.0,
    villages_per_township: Annotated[
        int | None, typer.Option("--villages-per-township", help="每个乡镇的行政村数 / villages per township")
    ] = None,
    county: Annotated[
        str | None,
        typer.Option(
            "--county",
            help="县级区划代码 (GB/T 2260), 默认 421121 团风县; 写入 jingzhun.toml / county code, default 421121",
        ),
    ] = None,
    counties: Annotated[
        int | None,
        typer.Option(
            "--counties",
            help="省级模拟数据: 同一地区的县数, 含跨县情形, 真值写入 _truth/province.csv / "
            "a province sample over N counties"
            " of one prefecture, with cases across counties (truth in _truth/province.csv)",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="替换以前由 jingzhun sample 生成的文件夹 / replace a folder jingzhun sample wrote before"
        ),
    ] = False,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """生成确定性的模拟数据集 / write a deterministic synthetic dataset."""
    run = make_run(ctx, lang=lang, quiet=quiet)
    year_list = parse_years(years)
    started = time.perf_counter()
    out = out.resolve()
    if not force and foreign_files(out, frozenset(), owned=False):
        raise UsageError(
            t(f"文件夹 {out} 不是空的, 没有替换它", f"the folder {out} is not empty; it was not replaced"),
            t(
                "请换一个文件夹; 若它是以前 jingzhun sample 生成的, 加 --force 替换 (不是 jingzhun 写的文件不会被删除)",
                "choose another folder; if jingzhun sample wrote it, add --force to replace it (files "
                "jingzhun did not write are never deleted)",
            ),
        )
    with run.progress().step("sample"), output_dir(out.parent, out.name, command="sample") as tmp:
        counts = build(
            tmp,
            households,
            year_list,
            seed,
            fmt,
            encoding,
            dirty_rate,
            villages_per_township,
            out.name,
            anomaly_rate=anomaly_rate,
            county=county,
            roster_noise=roster_noise,
            counties=counties,
        )
    elapsed = time.perf_counter() - started
    if json_out:
        print_json({"out": str(out), "years": year_list, "rows": counts, "seconds": round(elapsed, 1)})
        return
    for y, c in counts.items():
        rows = t("、", ", ").join(t(f"{table_title(k)} {v} 行", f"{k} {v}") for k, v in c.items())
        run.err.print(t(f"{y} 年度: {rows}", f"{y}: {rows}"), markup=False)
    run.err.print(t(f"已写入 {out} ({elapsed:.1f} 秒)", f"written to {out} ({elapsed:.1f} s)"), markup=False)
