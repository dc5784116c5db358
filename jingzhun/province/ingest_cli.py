"""``jingzhun ingest SRC… --store STORE``: dataset folders into a store partitioned by year and county."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jingzhun.cli_common import JsonOpt, LangOpt, QuietOpt, guarded, make_run, print_json
from jingzhun.i18n import t

SourcesArg = Annotated[list[Path], typer.Argument(help="数据集文件夹 (一个或多个) / dataset folders", metavar="SRC...")]
StoreOpt = Annotated[Path, typer.Option("--store", help="写入的分区存储文件夹 / the store folder to write")]


@guarded
def command(
    ctx: typer.Context,
    sources: SourcesArg,
    store: StoreOpt,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """把数据集按年度和县分区写入存储 / write dataset folders into a store partitioned by year and county."""
    from jingzhun.province.ingest import ingest

    run = make_run(ctx, lang=lang, quiet=quiet)
    result = ingest(sources, store)
    if json_out:
        print_json(result.summary())
    if not run.quiet:
        rows = sum(result.rows.values())
        run.err.print(
            t(
                f"已写入 {result.store}: {len(result.counties)} 个县, {result.partitions} 个分区, {rows} 行",
                f"wrote {result.store}: {len(result.counties)} counties, {result.partitions} partitions, {rows} rows",
            ),
            markup=False,
        )
        for where, n in sorted(result.unplaced.items()):
            run.err.print(
                t(
                    f"无法确定所属县的行: {where} {n} 行 (在 _unplaced/ 中, 由全省核查处理)",
                    f"rows with no county: {where} {n} (kept in _unplaced/, handled by the province passes)",
                ),
                markup=False,
            )
