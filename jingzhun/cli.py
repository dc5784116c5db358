"""The ``jingzhun`` command: global options and one command per area, registered here.

A command's module (and with it pandas, pyarrow, pypinyin) is imported only when that
command runs or shows its own help: ``jingzhun --help`` lists every command from the
light table :data:`COMMANDS` and answers at once.
"""

from __future__ import annotations

import importlib
from typing import Annotated, Any

import typer
from typer._click.utils import make_default_short_help
from typer.main import CommandInfo, get_command_from_info

from jingzhun import __version__
from jingzhun.cli_common import AppState, ConfigOpt, DebugOpt, LocalizedGroup, QuietOpt
from jingzhun.i18n import set_lang

# (command name, module with a ``command`` function, help line for ``jingzhun --help``: the
# first line of that function's docstring; a test keeps the two the same). One place registers them all.
COMMANDS: list[tuple[str, str, str]] = [
    (
        "params",
        "jingzhun.params_cli",
        "显示生效的政策参数及其来源 / show the policy parameters in force and their origin.",
    ),
    (
        "validate",
        "jingzhun.schema.cli",
        "校验一个年度的全部表 (或单个表文件) / validate every table of a data year (or one table file).",
    ),
    (
        "identify",
        "jingzhun.identify.cli",
        "识别贫困户、边缘户、排除疑点、退出条件和贫困村 / identify poor, edge, excluded households, exits, villages.",
    ),
    (
        "diff",
        "jingzhun.identify.diff_cli",
        "两个年度之间的变化: 新识别、脱贫、返贫、清退, 成员增减 / what changed between two data years.",
    ),
    (
        "match",
        "jingzhun.match.cli",
        "比对建档立卡与低保/特困名册 / link the register to the 低保/特困 roster and report mismatches.",
    ),
    (
        "run",
        "jingzhun.run_cli",
        "年度全流程: 校验→识别→变化→比对→帮扶→公示→审计→报告, 生成 manifest.json / the whole yearly pipeline.",
    ),
    ("verify", "jingzhun.verify_cli", "核对输出文件与 manifest.json 是否一致 / check outputs against manifest.json."),
    (
        "plan",
        "jingzhun.plan.cli",
        "帮扶计划: 一户一策、结对帮扶、户卡村册乡簿县档 / household plans, cadre pairing and books.",
    ),
    (
        "notice",
        "jingzhun.plan.notice_cli",
        "公示公告: 拟识别、拟退出贫困户公示, 扶贫项目公告 / public notices per village.",
    ),
    ("audit", "jingzhun.audit.cli", "扶贫资金和项目审计 / audit poverty funds and projects against the register."),
    ("sample", "jingzhun.sample.cli", "生成确定性的模拟数据集 / write a deterministic synthetic dataset."),
    (
        "report",
        "jingzhun.report.cli",
        "监测与考核指标报告 / monitoring indicators by village, township and county, trend and assessment.",
    ),
    (
        "ingest",
        "jingzhun.province.ingest_cli",
        "把数据集按年度和县分区写入存储 / write dataset folders into a store partitioned by year and county.",
    ),
]
_MODULES = {name: module for name, module, _ in COMMANDS}


class LazyGroup(LocalizedGroup):
    """The root command: lists every command from :data:`COMMANDS` and imports a command's
    module only when that command is looked up to run (or to show its own help)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [name for name, _, _ in COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in _MODULES:
            fn = importlib.import_module(_MODULES[cmd_name]).command
            self.add_command(
                get_command_from_info(
                    CommandInfo(name=cmd_name, callback=fn), pretty_exceptions_short=True, rich_markup_mode=None
                ),
                cmd_name,
            )
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The command list of ``jingzhun --help``, as click writes it, without importing a command."""
        limit = formatter.width - 6 - max(len(name) for name, _, _ in COMMANDS)
        rows = [(name, make_default_short_help(text, limit)) for name, _, text in COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="jingzhun",
    cls=LazyGroup,
    help="精准扶贫数据工具: 校验、识别、比对、帮扶、公示、审计、报告。\n\n"
    "Targeted poverty-alleviation data toolkit for county offices.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"jingzhun {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    lang: Annotated[str, typer.Option("--lang", help="zh 或 en / message language")] = "zh",
    config: ConfigOpt = None,
    debug: DebugOpt = False,
    quiet: QuietOpt = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本 / show version")
    ] = False,
) -> None:
    """精准扶贫数据工具 / targeted poverty-alleviation data toolkit."""
    if lang not in ("zh", "en"):
        raise typer.BadParameter("--lang 只能是 zh 或 en / --lang must be zh or en")
    set_lang(lang)
    ctx.obj = AppState(lang=lang, config=config, debug=debug, quiet=quiet)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
