"""The ``jingzhun`` command: global options and one command per area, registered here."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from jingzhun import __version__
from jingzhun.cli_common import AppState, ConfigOpt, DebugOpt, LocalizedGroup, QuietOpt
from jingzhun.i18n import set_lang

app = typer.Typer(
    name="jingzhun",
    cls=LocalizedGroup,
    help="精准扶贫数据工具: 校验、识别、比对、帮扶、公示、审计、报告。\n\n"
    "Targeted poverty-alleviation data toolkit for county offices.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# (command name, module with a ``command`` function). One place registers them all.
COMMANDS: list[tuple[str, str]] = [
    ("params", "jingzhun.params_cli"),
    ("validate", "jingzhun.schema.cli"),
    ("identify", "jingzhun.identify.cli"),
    ("diff", "jingzhun.identify.diff_cli"),
    ("match", "jingzhun.match.cli"),
    ("run", "jingzhun.run_cli"),
    ("verify", "jingzhun.verify_cli"),
    ("plan", "jingzhun.plan.cli"),
    ("notice", "jingzhun.plan.notice_cli"),
    ("audit", "jingzhun.audit.cli"),
    ("sample", "jingzhun.sample.cli"),
    ("report", "jingzhun.report.cli"),
    ("ingest", "jingzhun.province.ingest_cli"),
]


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


for _name, _module in COMMANDS:
    app.command(_name)(importlib.import_module(_module).command)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
