"""What every command shares: options, the run context, the error boundary, finishing.

Commands are thin: parse options, call one library function, render its result.
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from jingzhun.errors import EXIT_INPUT, JingzhunError
from jingzhun.i18n import set_lang, t


@dataclass
class AppState:
    """Global options given before the command (``jingzhun --lang en validate …``)."""

    lang: str = "zh"
    config: Path | None = None
    debug: bool = False
    quiet: bool = False


def stderr_console(quiet: bool = False) -> Console:
    return Console(stderr=True, quiet=quiet, highlight=False, soft_wrap=True)


# ---- shared options, defined once -------------------------------------------------
DatasetArg = Annotated[
    Path,
    typer.Argument(help="数据集文件夹 (含年度子文件夹), 或单个表文件 / dataset folder or one table file", show_default=False),
]
YearOpt = Annotated[int | None, typer.Option("--year", help="数据年度, 默认最新 / data year (default: latest)")]
OutOpt = Annotated[Path, typer.Option("--out", help="输出文件夹 / output folder")]
JsonOpt = Annotated[bool, typer.Option("--json", help="在标准输出打印 JSON 摘要 / print a JSON summary on stdout")]
XlsxOpt = Annotated[bool, typer.Option(
    "--xlsx/--no-xlsx",
    help="同时写 Excel 工作簿 (中文表头, 身份证号为文本; 默认写) / also write the .xlsx workbook (default: on)")]
FailOnOpt = Annotated[
    str,
    typer.Option("--fail-on", help="error 或 warning: 哪一级问题使退出码为 1 / severity that makes the exit code 1"),
]
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh 或 en / message language")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="本次运行的参数文件 (TOML) / run parameter file")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度和摘要 / no progress or summary")]
JobsOpt = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=1,
    help="并行进程数 (默认 CPU 核数, 至多 4; 1 = 只用一个进程, 结果相同) / worker processes "
         "(default: cores, at most 4; 1 = one process, same results)")]
SheetOpt = Annotated[str | None, typer.Option(
    "--sheet",
    help="读取 Excel 文件的这个工作表 (名称或从 0 起的序号; 默认: 表头相符的第一个非隐藏工作表) / "
         "the sheet of an Excel file to read (name or 0-based index; default: the first visible sheet whose "
         "header fits)")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="出错时显示调用栈 / show tracebacks")]


@dataclass
class Run:
    """One command invocation: merged global and command options."""

    lang: str
    config: Path | None
    quiet: bool
    debug: bool

    @property
    def err(self) -> Console:
        return stderr_console(self.quiet)


def make_run(
    ctx: typer.Context,
    lang: str | None = None,
    config: Path | None = None,
    quiet: bool = False,
    debug: bool = False,
) -> Run:
    state: AppState = ctx.obj if isinstance(ctx.obj, AppState) else AppState()
    run = Run(
        lang=lang or state.lang,
        config=config or state.config,
        quiet=quiet or state.quiet,
        debug=debug or state.debug,
    )
    if run.lang not in ("zh", "en"):
        raise typer.BadParameter(t("--lang 只能是 zh 或 en", "--lang must be zh or en"))
    set_lang(run.lang)
    return run


F = TypeVar("F", bound=Callable[..., Any])


def guarded(fn: F) -> F:
    """The one error boundary: JingzhunError → message + hint on stderr, contract exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = kwargs.get("ctx")
        debug = bool(kwargs.get("debug")) or (
            isinstance(getattr(ctx, "obj", None), AppState) and ctx.obj.debug  # type: ignore[union-attr]
        )
        console = stderr_console()
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.BadParameter):
            raise
        except JingzhunError as e:
            if debug:
                console.print(traceback.format_exc(), markup=False)
            console.print(t("错误: ", "Error: ") + e.message, markup=False, style="bold red")
            if e.hint:
                console.print(t("提示: ", "Hint: ") + e.hint, markup=False)
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            console.print(t("已中断", "interrupted"))
            raise typer.Exit(130) from None
        except Exception as e:  # noqa: BLE001 - the boundary must catch everything
            if debug:
                console.print(traceback.format_exc(), markup=False)
            console.print(
                t(f"内部错误: {type(e).__name__}: {e}", f"internal error: {type(e).__name__}: {e}"),
                markup=False,
                style="bold red",
            )
            console.print(t("提示: 加 --debug 查看详情, 并向维护者报告", "Hint: rerun with --debug and report it"))
            raise typer.Exit(EXIT_INPUT) from None

    return wrapper  # type: ignore[return-value]


def findings_written(counts: dict[str, int], where: Path | str) -> str:
    """The closing line of a command: findings by severity and where the results are."""
    return t(
        f"问题: 错误 {counts['error']}, 警告 {counts['warning']}, 提示 {counts['info']}; 结果已写入 {where}",
        f"findings: {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info; written to {where}",
    )


def check_fail_on(value: str) -> str:
    if value not in ("error", "warning"):
        raise typer.BadParameter(t("--fail-on 只能是 error 或 warning", "--fail-on must be error or warning"))
    return value


def print_json(obj: Any) -> None:
    """The --json summary: one object on stdout, stable key order."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")
