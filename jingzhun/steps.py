"""The step registry: every step of ``jingzhun run`` declared once.

A step is a name, its Chinese/English label, the tables it reads, the steps whose results
it needs, and two functions named as ``"module:function"`` (resolved only when the step
runs, so importing this module — the CLI's ``--help``, the progress labels — imports no
pandas and no domain code):

- ``compute(c: Context) -> Outcome``: the step's typed result, findings and summary;
- ``write(outcome: Outcome, folder: Path, c: Context) -> None``: its files into ``folder``
  (``<run output>/<step name>``; a writer may add figures to ``outcome.summary``).

Both live in the area's public API module (``jingzhun/<area>/api.py``). ``pipeline.py``
runs the steps in this order, the progress display takes their labels from here, the
report takes the results other steps computed from ``Context.results`` and
``docs/DEVELOPING.md`` lists them (:func:`markdown_table`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jingzhun.errors import JingzhunError
from jingzhun.executors import SERIAL, Executor
from jingzhun.i18n import t
from jingzhun.profile import Folders

if TYPE_CHECKING:
    import pandas as pd

    from jingzhun.dataset import Dataset, YearData
    from jingzhun.findings import Findings
    from jingzhun.params import Params


class Skip(Exception):
    """A step that does not apply to this dataset (its table is absent)."""


@dataclass
class RunOptions:
    year: int | None = None
    fail_on: str = "error"
    xlsx: bool = True
    notice_date: date | None = None
    templates: Path | None = None
    docx: bool = True
    books: bool = True
    jobs: int | None = None  # None: every core, at most 4 (jingzhun.executors.default_jobs)
    as_of: pd.Timestamp | None = None


@dataclass
class Context:
    """What a step reads: the dataset, this year's (and the year before's) frames, the
    options, and in ``results`` the results of the steps run before it (by step name).
    ``folders``: the run's template and schema folders, resolved once by the command layer
    (:meth:`jingzhun.profile.Sources.folders`); steps pass them to the renderer and the schema loader."""

    ds: Dataset
    year: int
    params: Params
    options: RunOptions
    data: YearData
    tmp: Path
    previous: YearData | None = None
    previous_error: str = ""
    results: dict[str, Any] = field(default_factory=dict)
    out: Path | None = None  # the run's output folder (earlier runs are looked for beside it)
    executor: Executor = SERIAL  # where the steps send their units of work
    folders: Folders = field(default_factory=Folders)
    # The year before's identification for the report, when the run's worker makes it
    # (jingzhun.report.api.PreviousYear; waits for the worker); None: the report makes it.
    previous_year: Callable[[], Any] | None = None

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        return self.data.frames

    def need_table(self, *tables: str) -> None:
        """Skip the step unless at least one of ``tables`` was read."""
        if any(tb in self.frames for tb in tables):
            return
        raise Skip(t(f"数据集中没有 {' / '.join(tables)} 表", f"the dataset has no {' / '.join(tables)} table"))


@dataclass
class Outcome:
    """A step's result: ``value`` (the area's typed result, kept in ``Context.results``
    for the later steps), its findings and a small summary for the manifest."""

    value: Any
    findings: Findings
    summary: dict[str, Any] = field(default_factory=dict)


Ref = str | Callable[..., Any]


def resolve(ref: Ref) -> Callable[..., Any]:
    """``"package.module:function"`` → the function (imported now); a callable as is."""
    if not isinstance(ref, str):
        return ref
    module, _, name = ref.partition(":")
    fn: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return fn


@dataclass(frozen=True)
class StepSpec:
    name: str
    label: tuple[str, str]  # (中文, English)
    tables: tuple[str, ...]  # the tables it reads (of the year folder)
    compute: Ref
    write: Ref
    after: tuple[str, ...] = ()  # steps whose results it needs: skipped when one of them did not finish
    background: bool = False  # no later step uses its results: may run in the worker process
    # Runs although one of its tables could not be read (validate: it reports what was read).
    # Any other step fails then: without a table the user gave, its results would be wrong
    # (identify without crosscheck drops the exclusion rules; audit without payments finds 0 at risk).
    reads_broken: bool = False

    def run(self, c: Context) -> Outcome:
        """Compute the step and write its folder ``<tmp>/<name>``; the result goes into ``c.results``."""
        broken = [f"{tb}: {c.data.broken[tb]}" for tb in self.tables if tb in c.data.broken]
        if broken and not self.reads_broken:
            raise JingzhunError(t("表无法读取 ", "table unreadable ") + "; ".join(broken))
        outcome: Outcome = resolve(self.compute)(c)
        c.results[self.name] = outcome.value
        resolve(self.write)(outcome, c.tmp / self.name, c)
        return outcome


CORE = ("households", "members", "villages", "crosscheck")

STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        "validate",
        ("校验", "validate"),
        ("households", "members", "villages", "crosscheck", "dibao", "cadres", "projects", "payments"),
        "jingzhun.schema.api:step_compute",
        "jingzhun.schema.api:step_write",
        background=True,
        reads_broken=True,
    ),
    StepSpec(
        "identify",
        ("识别", "identify"),
        CORE,
        "jingzhun.identify.api:step_compute",
        "jingzhun.identify.api:step_write",
    ),
    StepSpec(
        "diff",
        ("年度变化", "diff"),
        ("households", "members"),
        "jingzhun.identify.diff_api:step_compute",
        "jingzhun.identify.diff_api:step_write",
        background=True,
    ),
    StepSpec(
        "match",
        ("低保比对", "match"),
        ("households", "members", "villages", "dibao"),
        "jingzhun.match.api:step_compute",
        "jingzhun.match.api:step_write",
    ),
    StepSpec(
        "plan",
        ("帮扶计划", "plan"),
        ("households", "members", "villages", "cadres", "crosscheck"),
        "jingzhun.plan.api:step_compute",
        "jingzhun.plan.api:step_write",
        after=("identify",),
    ),
    StepSpec(
        "notice",
        ("公示", "notice"),
        ("households", "villages", "projects"),
        "jingzhun.plan.notice_api:step_compute",
        "jingzhun.plan.notice_api:step_write",
        after=("identify",),
    ),
    StepSpec(
        "audit",
        ("资金审计", "audit"),
        ("households", "members", "villages", "projects", "payments"),
        "jingzhun.audit.api:step_compute",
        "jingzhun.audit.api:step_write",
        after=("identify",),
    ),
    StepSpec(
        "report",
        ("监测报告", "report"),
        CORE,
        "jingzhun.report.api:step_compute",
        "jingzhun.report.api:step_write",
        after=("identify",),
    ),
)


def by_name() -> dict[str, StepSpec]:
    return {s.name: s for s in STEPS}


def check(steps: tuple[StepSpec, ...] = STEPS) -> list[str]:
    """What is wrong with ``steps`` (empty when nothing): duplicate names, a dependency on an
    unknown step or on one that runs later (which is also how a cycle shows)."""
    problems: list[str] = []
    seen: set[str] = set()
    for s in steps:
        if s.name in seen:
            problems.append(f"{s.name}: declared twice")
        for a in s.after:
            if a not in {x.name for x in steps}:
                problems.append(f"{s.name}: depends on unknown step {a}")
            elif a not in seen:
                problems.append(f"{s.name}: depends on {a}, which runs later (or a cycle)")
        seen.add(s.name)
    return problems


def markdown_table(steps: tuple[StepSpec, ...] = STEPS) -> str:
    """The steps as a Markdown table (docs/DEVELOPING.md)."""
    rows = ["| step | 中文 | reads tables | needs steps | compute | write |", "|---|---|---|---|---|---|"]
    for s in steps:
        rows.append(
            f"| {s.name} | {s.label[0]} | {', '.join(s.tables)} | {', '.join(s.after) or '—'} "
            f"| `{s.compute}` | `{s.write}` |"
        )
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown_table())
