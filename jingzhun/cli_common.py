"""What every command shares: options, the run context, the error boundary, finishing.

Commands are thin: parse options, call one library function, render its result.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from typer.core import TyperGroup

try:  # typer >= 0.29 carries its own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - an older typer on plain click
    from click import exceptions as click_errors  # type: ignore[no-redef]

from jingzhun.errors import EXIT_INPUT, EXIT_USAGE, JingzhunError
from jingzhun.i18n import get_lang, set_lang, t
from jingzhun.progress import Reporter

if TYPE_CHECKING:
    from jingzhun.profile import Folders


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
    typer.Argument(
        help="数据集文件夹 (含年度子文件夹, 如 2016/); 单个表文件请用 validate / dataset folder (with year "
        "sub-folders); for one table file use validate",
        show_default=False,
    ),
]
# validate alone reads one table file as well as a dataset folder.
TableFileArg = Annotated[
    Path,
    typer.Argument(
        help="数据集文件夹 (含年度子文件夹), 或单个表文件 / dataset folder or one table file", show_default=False
    ),
]
YearOpt = Annotated[int | None, typer.Option("--year", help="数据年度, 默认最新 / data year (default: latest)")]
OutOpt = Annotated[Path, typer.Option("--out", help="输出文件夹 / output folder")]
JsonOpt = Annotated[bool, typer.Option("--json", help="在标准输出打印 JSON 摘要 / print a JSON summary on stdout")]
XlsxOpt = Annotated[
    bool,
    typer.Option(
        "--xlsx/--no-xlsx",
        help="同时写 Excel 工作簿 (中文表头, 身份证号为文本; 默认写) / also write the .xlsx workbook (default: on)",
    ),
]
FailOnOpt = Annotated[
    str,
    typer.Option("--fail-on", help="error 或 warning: 哪一级问题使退出码为 1 / severity that makes the exit code 1"),
]
LangOpt = Annotated[str | None, typer.Option("--lang", help="zh 或 en / message language")]
ConfigOpt = Annotated[Path | None, typer.Option("--config", help="本次运行的参数文件 (TOML) / run parameter file")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度和摘要 / no progress or summary")]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="并行进程数 (默认 CPU 核数, 至多 4; 1 = 只用一个进程, 结果相同) / worker processes "
        "(default: cores, at most 4; 1 = one process, same results)",
    ),
]
SheetOpt = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        help="读取 Excel 文件的这个工作表 (名称或从 0 起的序号; 默认: 表头相符的第一个非隐藏工作表) / "
        "the sheet of an Excel file to read (name or 0-based index; default: the first visible sheet whose "
        "header fits)",
    ),
]
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

    def progress(self) -> Reporter:
        """The command's progress display (a status line on a terminal, timestamped lines otherwise)."""
        return Reporter(self.err, self.quiet)

    def folders(self, dataset: Path | None, templates: Path | None = None) -> Folders:
        """The run's template and schema folders (``--templates`` < dataset < profile < packaged, most specific
        first; :mod:`jingzhun.profile`), resolved once here and passed down to the renderer and the schema loader."""
        from jingzhun.params import sources_for

        return sources_for(dataset, params_file=self.config, templates_dir=templates).folders()


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
            label = t("用法错误: ", "usage error: ") if e.exit_code == EXIT_USAGE else t("错误: ", "Error: ")
            console.print(label + e.message, markup=False, style="bold red")
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


# ---- usage errors in the user's language --------------------------------------------

_VALUE_PROBLEMS: list[tuple[str, tuple[str, str]]] = [
    (r"greater than or equal to (\S+?)\.?$", ("至少为 {0}", "must be at least {0}")),
    (r"greater than (\S+?)\.?$", ("应大于 {0}", "must be greater than {0}")),
    (r"less than or equal to (\S+?)\.?$", ("至多为 {0}", "must be at most {0}")),
    (r"less than (\S+?)\.?$", ("应小于 {0}", "must be less than {0}")),
    (r"valid integer|not a valid int", ("应为整数", "must be a whole number")),
    (r"valid number|valid float|not a valid float", ("应为数字", "must be a number")),
    (r"valid boolean|not a valid bool", ("应为 true 或 false", "must be true or false")),
]


def _param_name(e: click_errors.BadParameter) -> str | None:
    """``--jobs`` for an option (its long name), the argument's name for an argument, None when unknown."""
    param = e.param
    if param is None:
        return None
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")] or list(getattr(param, "opts", []))
    if getattr(param, "param_type_name", "") == "option" and opts:
        return max(opts, key=len)
    return str(param.name)


def _value_problem(message: str) -> str:
    for pattern, (zh, en) in _VALUE_PROBLEMS:
        m = re.search(pattern, message)
        if m:
            return t(zh, en).format(*m.groups())
    return t(f"的值无效: {message}", f"is not valid: {message}")


def usage_text(e: click_errors.UsageError) -> str:
    """One line saying what was wrong with the command line, in the user's language.

    Messages our own code raises (``typer.BadParameter(t(...))``) are already translated."""
    if get_lang() == "en":
        return e.format_message()
    if isinstance(e, click_errors.NoSuchOption):
        near = f" (相近的选项: {', '.join(sorted(e.possibilities))})" if e.possibilities else ""
        return f"没有选项 {e.option_name}{near}"
    if isinstance(e, click_errors.MissingParameter):
        name = _param_name(e) or ""
        what = "参数" if getattr(e.param, "param_type_name", "") == "argument" else "选项"
        return f"缺少{what} {name}".rstrip()
    if isinstance(e, click_errors.BadParameter):
        param = _param_name(e)
        return e.message if param is None else f"{param} {_value_problem(e.message)}"
    if isinstance(e, click_errors.BadOptionUsage):
        if "does not take a value" in e.message:
            return f"选项 {e.option_name} 不带值"
        return f"选项 {e.option_name} 需要一个值"
    patterns = [
        (r"No such command '(.*)'", "没有命令 {0}"),
        (r"Got unexpected extra argument\S* \((.*)\)", "多余的参数: {0}"),
        (r"Missing command", "缺少命令"),
    ]
    for pattern, zh in patterns:
        m = re.search(pattern, e.message)
        if m:
            return zh.format(*m.groups())
    return e.format_message()


class LocalUsageError(click_errors.UsageError):
    """A usage error shown as ``用法错误: …`` with a hint, on stderr; exit code 2."""

    def __init__(self, original: click_errors.UsageError) -> None:
        super().__init__(usage_text(original), original.ctx)

    def show(self, file: Any = None) -> None:
        console = stderr_console()
        console.print(t("用法错误: ", "usage error: ") + self.message, markup=False, style="bold red")
        path = self.ctx.command_path if self.ctx is not None else "jingzhun"
        console.print(
            t(f"提示: 运行 {path} --help 查看全部选项", f"Hint: run {path} --help for every option"), markup=False
        )


def _lang_in(args: list[str]) -> str | None:
    """``--lang`` given anywhere on the command line (a usage error may come before it is applied)."""
    for i, a in enumerate(args):
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
        if a == "--lang" and i + 1 < len(args):
            return args[i + 1]
    return None


class LocalizedGroup(TyperGroup):
    """The root command: click's usage errors (bad option, bad value, missing argument) are
    said in the user's language (``--lang``), as ``用法错误: …`` with a hint, exit code 2."""

    arg_lang: str | None = None

    def main(self, args: Any = None, *a: Any, **kw: Any) -> Any:
        self.arg_lang = _lang_in(list(sys.argv[1:] if args is None else args))
        return super().main(args, *a, **kw)  # None: click expands wildcards on Windows as before

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click_errors.NoArgsIsHelpError:
            raise
        except click_errors.UsageError as e:
            raise self._local(e) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (click_errors.NoArgsIsHelpError, LocalUsageError):
            raise
        except click_errors.UsageError as e:
            raise self._local(e) from None

    def _local(self, e: click_errors.UsageError) -> LocalUsageError:
        set_lang(self.arg_lang if self.arg_lang in ("zh", "en") else get_lang())
        return LocalUsageError(e)
