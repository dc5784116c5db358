"""``jingzhun params``: the policy parameters in force and where each came from."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from jingzhun.cli_common import (
    ConfigOpt,
    DatasetArg,
    JsonOpt,
    LangOpt,
    QuietOpt,
    YearOpt,
    guarded,
    make_run,
    print_json,
)
from jingzhun.county import settle
from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import JingzhunError
from jingzhun.i18n import t
from jingzhun.params import Params


@guarded
def command(
    ctx: typer.Context,
    dataset: DatasetArg,
    year: YearOpt = None,
    json_out: JsonOpt = False,
    config: ConfigOpt = None,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """显示生效的政策参数及其来源 / show the policy parameters in force and their origin."""
    run = make_run(ctx, lang=lang, config=config, quiet=quiet)
    ds = Dataset.open(dataset)
    data_year = ds.resolve_year(year)
    params = Params.load(ds.root, run.config)
    if "villages" in ds.table_files(data_year):  # the county the other commands derive (a small table)
        try:
            settle(params, load_year(ds, data_year, ["villages"]).frames)
        except JingzhunError:
            pass  # an unreadable villages table is reported by validate; here the county stays as the files say
    income_year = data_year - 1
    summary: dict[str, Any] = {
        "data_year": data_year,
        "income_year": income_year,
        "poverty_line": params.poverty_line(income_year),
        "exit_line": params.exit_line(income_year),
        "parameters": params.records(),
    }
    if json_out:
        print_json(summary)
        return
    table = Table(
        title=t(
            f"{data_year} 年度 (收入年度 {income_year}) 的参数",
            f"parameters for data year {data_year} (income year {income_year})",
        )
    )
    table.add_column(t("参数", "parameter"))
    table.add_column(t("值", "value"))
    table.add_column(t("来源", "origin"))
    for r in summary["parameters"]:
        table.add_row(r["name"], str(r["value"]), r["origin"])
    out = run.err.__class__(highlight=False)
    out.print(table)
    out.print(
        t(
            f"扶贫标准 {summary['poverty_line']:.0f} 元, 退出标准 {summary['exit_line']:.0f} 元",
            f"poverty line {summary['poverty_line']:.0f}, exit line {summary['exit_line']:.0f}",
        )
    )
