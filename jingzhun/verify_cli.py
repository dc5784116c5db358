"""``jingzhun verify OUTDIR``: re-check an output folder against its manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jingzhun.cli_common import JsonOpt, LangOpt, QuietOpt, guarded, make_run, print_json
from jingzhun.findings import severity_counts, worst_exit_code
from jingzhun.i18n import t
from jingzhun.manifest import verify


@guarded
def command(
    ctx: typer.Context,
    outdir: Annotated[Path, typer.Argument(help="jingzhun run 的输出文件夹 / output folder of jingzhun run")],
    json_out: JsonOpt = False,
    lang: LangOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """核对输出文件与 manifest.json 是否一致 / check outputs against manifest.json."""
    run = make_run(ctx, lang=lang, quiet=quiet)
    result = verify(outdir)
    rendered = result.findings.render()
    if json_out:
        print_json(
            {
                "checked": result.checked,
                "ok": rendered.empty,
                "counts": severity_counts(rendered),
                "problems": rendered[["code", "value", "message"]].to_dict("records"),
            }
        )
    console = run.err
    for r in rendered.itertuples():
        console.print(f"[{r.code}] {r.message}", markup=False)
    if rendered.empty:
        console.print(
            t(
                f"核对通过: {result.checked} 个文件与 manifest 一致",
                f"verified: {result.checked} files match the manifest",
            )
        )
    else:
        console.print(t(f"核对未通过: {len(rendered)} 个问题", f"verification failed: {len(rendered)} problems"))
    raise typer.Exit(worst_exit_code(rendered))
