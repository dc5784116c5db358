"""The yearly pipeline behind ``jingzhun run``.

validate → identify → diff → match → plan → notice → audit → report, in one process,
reading each table once. Every step writes into one temporary folder that replaces the
output folder only when all is written, then ``manifest.json`` records what produced it.
A step that fails is reported as a finding (``R-STEP-FAILED``) and the steps that
depend on it are skipped (``R-STEP-SKIPPED``); the others still run.

The steps whose results no later step needs (validate, diff: ``Step.background``) are one
unit submitted to the run's executor (:mod:`jingzhun.executors`), which runs it in a worker
process while this process goes on with identify and match, so both cores work. With a
serial executor (``--jobs 1``, or inside a daemonic process) everything runs here, one
step after the other, and no process is started. The unit writes its steps' folders and
returns their records and findings; the outputs are the same either way. A local worker
process reads the data files itself (:class:`Reread`: the same files, checked by their
hashes) rather than receiving this process's frames, which would be copied in memory twice
on the way.

Like every domain step this module never prints: it reports progress through the
``progress`` callback the command gives it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import pandas as pd

from jingzhun import __version__
from jingzhun.county import county_record, settle
from jingzhun.dataset import Dataset, YearData, load_year
from jingzhun.errors import JingzhunError, UsageError
from jingzhun.executors import SERIAL, Executor, ProcessExecutor, make_executor
from jingzhun.findings import Findings, severity_counts, worst_exit_code
from jingzhun.i18n import t
from jingzhun.io.read import input_moved
from jingzhun.manifest import build_manifest, relative_inputs, write_manifest
from jingzhun.match.core import one_per_defect
from jingzhun.memory import peak_mb
from jingzhun.outputs import RUN_LOG, check_replaceable, disk_full, output_dir
from jingzhun.params import Params, sources_for
from jingzhun.profile import Folders
from jingzhun.runlock import locked
from jingzhun.steps import STEPS, Context, RunOptions, Skip, StepSpec
from jingzhun.tables import TABLES

# Files at the top of a run's output that are carried into the new output (not results).
KEPT = frozenset({RUN_LOG})
# Tables of the previous year folder: diff, the identification notice and the trend.
PREVIOUS_TABLES = ("households", "members", "villages", "crosscheck")


@dataclass
class StepRecord:
    name: str
    status: str  # ok | failed | skipped | not_applicable
    seconds: float = 0.0
    peak_mb: float = 0.0
    note: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "seconds": round(self.seconds, 2),
            "peak_mb": round(self.peak_mb, 1),
            "note": self.note,
            "counts": self.counts,
        }


@dataclass
class RunResult:
    out: Path
    year: int
    steps: list[StepRecord]
    findings: pd.DataFrame  # rendered, every step's findings
    exit_code: int
    summary: dict[str, Any]


# The steps are declared once, in jingzhun.steps (name, label, tables, dependencies,
# compute and write functions of the area's public API); they run in that order.
Step = StepSpec

Progress = Callable[[str, str, StepRecord | None], None]


def _no_progress(step: str, event: str, record: StepRecord | None) -> None:
    return None


def _failure_text(e: BaseException) -> str:
    if isinstance(e, JingzhunError):
        return e.message
    return f"{type(e).__name__}: {e}"


def run_pipeline(
    dataset: Path,
    out: Path,
    options: RunOptions,
    config: Path | None = None,
    progress: Progress = _no_progress,
    executor: Executor | None = None,
    *,
    params: Params | None = None,
    loader: Callable[..., YearData] = load_year,
    folders: Folders | None = None,
) -> RunResult:
    """Run every step for one data year into ``out``; return what ran and the findings.

    ``executor``: where the steps' units of work run; without one, the run makes one for
    ``options.jobs`` (:func:`~jingzhun.executors.make_executor`) and closes it at the end.
    ``params`` and ``loader`` (``load_year``'s signature) replace the dataset's ``jingzhun.toml`` and
    its year folders: a county task of a province run gives its county's settings and store partitions.
    ``folders`` replaces the template and schema folders resolved here (the dataset's
    :class:`~jingzhun.profile.Sources`): a county task gets its driver's."""
    if executor is None:
        with make_executor(options.jobs) as own_executor:
            return run_pipeline(
                dataset, out, options, config, progress, own_executor, params=params, loader=loader, folders=folders
            )
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    ds = Dataset.open(dataset)
    year = ds.resolve_year(options.year)
    params, folders = _settings(ds, config, options, params, folders)
    check_own_schemas(folders)
    out = Path(out).resolve()  # a symbolic link: its target is locked and replaced, the link stays
    check_out(out, ds.root)
    with locked(out) as stale_lock:
        check_replaceable(out, KEPT)
        progress("read", "start", None)
        t0 = time.perf_counter()
        data = loader(ds, year, TABLES, tolerant=True)
        settle(params, data.frames)
        previous, previous_error = None, ""
        if year - 1 in ds.years:
            try:
                previous = loader(ds, year - 1, PREVIOUS_TABLES, tolerant=True)
            except JingzhunError as e:
                previous_error = e.message
        read = StepRecord(
            "read",
            "ok",
            time.perf_counter() - t0,
            peak_mb(),
            counts={tb: len(df) for tb, df in sorted(data.frames.items())},
        )
        progress("read", "end", read)
        records = [read]
        own = Findings()
        if stale_lock is not None:
            own.add("R-LOCK-STALE", table="run", key=str(stale_lock), value=str(stale_lock))
        for tb, msg in sorted(data.broken.items()):
            own.add("R-TABLE-UNREADABLE", table=tb, key=tb, detail=msg)
        with output_dir(out.parent, out.name, marker=False, allow=KEPT) as tmp:
            c = Context(
                ds,
                year,
                params,
                options,
                data,
                tmp,
                previous,
                previous_error,
                out=out,
                executor=executor,
                folders=folders,
            )
            status: dict[str, str] = {}
            behind = [s for s in STEPS if s.background] if executor.jobs > 1 else []
            worker = _Worker(behind, c, loader) if behind else None
            if worker is not None and previous is not None:
                # The worker holds the year before's frames for diff: it identifies that year for the
                # report too, on the other core, and this process keeps only what notice reads.
                previous = c.previous = _slim_previous(previous)
                c.previous_year = worker.previous_year
            done: dict[str, StepRecord] = {}
            try:
                for step in STEPS:
                    if step not in behind:
                        done[step.name] = _run_step(step, c, status, own, progress)
                if worker is not None:
                    done.update(worker.join(c, status, own, progress))
            except BaseException:
                if worker is not None:
                    worker.pending.cancel()
                    c.executor.terminate()  # the unit may be running: its folders are being removed
                raise
            records.extend(done[s.name] for s in STEPS)
            rendered = _all_findings(c, own)
            _findings_page(c, rendered)
            exit_code = worst_exit_code(rendered, options.fail_on)
            summary = _summary(out, year, records, rendered, exit_code)
            summary["county"] = county_record(params)
            summary["notice_date"] = _notice_date(options, year)
            manifest = build_manifest(
                tmp,
                command="run",
                dataset=ds.root,
                year=year,
                inputs=relative_inputs(
                    data.manifest_inputs() + (previous.manifest_inputs() if previous else []), ds.root
                ),
                parameters=params.records(),
                started=started,
                finished=datetime.now().astimezone().isoformat(timespec="seconds"),
                steps=[r.to_dict() for r in records],
            )
            manifest["summary"] = {k: v for k, v in summary.items() if k != "steps"}
            write_manifest(tmp, manifest)
    return RunResult(out=out, year=year, steps=records, findings=rendered, exit_code=exit_code, summary=summary)


def _settings(
    ds: Dataset, config: Path | None, options: RunOptions, params: Params | None, folders: Folders | None
) -> tuple[Params, Folders]:
    """The run's parameters and folders: those given, else from the dataset's sources (resolved once for both)."""
    if params is not None and folders is not None:
        return params, folders
    sources = sources_for(ds.root, params_file=config, templates_dir=options.templates)
    return params or Params.from_sources(sources), folders or sources.folders()


def check_own_schemas(folders: Folders) -> None:
    """A dataset's or profile's schema file that is broken stops the run here (exit 3), as a broken
    parameter file does, instead of failing the validate step in a worker."""
    if folders.schemas[:-1]:
        from jingzhun.schema.loader import check_schemas

        check_schemas(TABLES, folders.schemas)


def check_out(out: Path, dataset: Path) -> None:
    """``--out`` must be neither the dataset, nor inside it, nor hold it: the run replaces it."""
    root = dataset.resolve()
    if out == root:
        why = t("就是数据集文件夹", "is the dataset folder")
    elif out.is_relative_to(root):
        why = t(f"在数据集 {root} 里面", f"is inside the dataset {root}")
    elif root.is_relative_to(out):
        why = t(f"包含数据集 {root}", f"contains the dataset {root}")
    else:
        return
    raise UsageError(
        t(
            f"输出文件夹 {out} {why}; 运行会替换整个输出文件夹, 所以不能这样用",
            f"the output folder {out} {why}; a run replaces its whole output folder, so this is refused",
        ),
        t(
            f"请用数据集之外的文件夹, 如 --out {root.parent / (root.name + '-out')}",
            f"use a folder outside the dataset, e.g. --out {root.parent / (root.name + '-out')}",
        ),
    )


def _run_step(step: Step, c: Context, status: dict[str, str], own: Findings, progress: Progress) -> StepRecord:
    failed_before = [a for a in step.after if status.get(a) != "ok"]
    if failed_before:
        note = t(
            f"依赖的步骤未完成: {', '.join(failed_before)}",
            f"depends on unfinished step(s): {', '.join(failed_before)}",
        )
        own.add("R-STEP-SKIPPED", table="run", key=step.name, detail=note)
        rec = StepRecord(step.name, "skipped", note=note)
        status[step.name] = rec.status
        progress(step.name, "end", rec)
        return rec
    progress(step.name, "start", None)
    t0 = time.perf_counter()
    try:
        outcome = step.run(c)
        c.results[f"{step.name}:findings"] = outcome.findings
        rec = StepRecord(step.name, "ok", counts=_counts(outcome.findings))
        c.results[f"{step.name}:summary"] = outcome.summary
    except OSError as e:
        if disk_full(e):
            raise  # the whole run stops: nothing half-written replaces the previous output
        own.add("R-STEP-FAILED", table="run", key=step.name, detail=_failure_text(e))
        rec = StepRecord(step.name, "failed", note=_failure_text(e))
    except Skip as e:
        own.add("R-STEP-NOT-APPLICABLE", table="run", key=step.name, detail=str(e))
        rec = StepRecord(step.name, "not_applicable", note=str(e))
    except Exception as e:  # noqa: BLE001 - a failing step is reported; the independent ones still run
        own.add("R-STEP-FAILED", table="run", key=step.name, detail=_failure_text(e))
        rec = StepRecord(step.name, "failed", note=_failure_text(e))
    rec.seconds = time.perf_counter() - t0
    rec.peak_mb = peak_mb()
    if rec.status != "ok":
        c.results[f"{step.name}:note"] = rec.note  # why it has no result (the report says so)
    status[step.name] = rec.status
    progress(step.name, "end", rec)
    return rec


@dataclass(frozen=True)
class Reread:
    """How a local worker reads the run's data itself instead of receiving it: pickling both years'
    frames to the worker doubled them in this process while it was sent (a transient copy of
    gigabytes at a province's size) and held two copies in the worker. ``inputs``: what this
    process read (path, sha256, size … per table); the worker's reading must be the same."""

    loader: Callable[..., YearData]
    inputs: list[dict]
    previous_inputs: list[dict] | None

    def into(self, c: Context) -> Context:
        data = self.loader(c.ds, c.year, TABLES, tolerant=True)
        previous = None
        if self.previous_inputs is not None:
            previous = self.loader(c.ds, c.year - 1, PREVIOUS_TABLES, tolerant=True)
        _same_reading(data, self.inputs)
        if previous is not None and self.previous_inputs is not None:
            _same_reading(previous, self.previous_inputs)
        return replace(c, data=data, previous=previous)


def _same_reading(read: YearData, inputs: list[dict]) -> None:
    """Raise the reader's "changed during the run" error, naming the file, unless ``read`` is of the
    same files, bytes for bytes, as ``inputs``."""
    now = read.manifest_inputs()
    if now != inputs:
        changed = next((a for a, b in zip(now, inputs, strict=False) if a != b), (now or inputs)[0])
        raise input_moved(Path(changed["path"]), t("在运行中被修改", "was changed during the run"))


# What notice reads from the year before's households (jingzhun.plan.notices.newly_identified).
PREVIOUS_KEPT = ("household_id", "registered")


def _slim_previous(previous: YearData) -> YearData:
    """The year before with only the households columns notice reads (its sources stay, for the manifest)."""
    hh = previous.frames.get("households")
    frames = {} if hh is None else {"households": hh[[c for c in PREVIOUS_KEPT if c in hh.columns]]}
    return replace(previous, frames=frames)


Background = tuple[list[tuple[StepRecord, Any, Any]], Findings, Any]


def _background(steps: list[Step], c: Context, reread: Reread | None = None) -> Background:
    """One unit (in a worker): run ``steps``; their records, findings and summaries go back to the run,
    with the year before's identification for the report (:func:`jingzhun.report.api.previous_year`).
    With ``reread`` the unit first reads the data (``c`` comes without it)."""
    from jingzhun.report.api import PreviousYear, previous_year

    own = Findings()
    status: dict[str, str] = {}
    out = []
    if reread is not None:
        try:
            c = reread.into(c)
        except JingzhunError as e:
            for step in steps:
                own.add("R-STEP-FAILED", table="run", key=step.name, detail=e.message)
            failed = [(StepRecord(s.name, "failed", note=e.message), None, None) for s in steps]
            return failed, own, PreviousYear(note=f"{c.year - 1}: {e.message}")
    for step in steps:
        rec = _run_step(step, c, status, own, _no_progress)
        out.append((rec, c.results.get(f"{step.name}:findings"), c.results.get(f"{step.name}:summary")))
    c.results.clear()  # the steps' results are written: free them before identifying the year before
    return out, own, previous_year(c)


class _Worker:
    """The background steps as one unit of the run's executor (submitted at once, joined at the end).

    The unit gets a copy of the context with a serial executor: a worker starts no process."""

    def __init__(self, steps: list[Step], c: Context, loader: Callable[..., YearData]) -> None:
        self.steps = steps
        unit = replace(c, executor=SERIAL, results={})
        reread = None
        if isinstance(c.executor, ProcessExecutor):  # a local process reads the same files itself
            previous = c.previous.manifest_inputs() if c.previous is not None else None
            reread = Reread(loader, c.data.manifest_inputs(), previous)
            unit = replace(unit, data=YearData(c.year, {}, Findings()), previous=None)
        self.pending: Future[Background] = c.executor.submit(_background, steps, unit, reread)
        self.year = c.year

    def _result(self) -> Background:
        from jingzhun.report.api import PreviousYear

        try:
            return self.pending.result()
        except BrokenProcessPool as e:
            note = t(f"后台进程意外结束 ({e})", f"the worker process ended unexpectedly ({e})")
            out, theirs = [(StepRecord(s.name, "failed", note=note), None, None) for s in self.steps], Findings()
            for s in self.steps:
                theirs.add("R-STEP-FAILED", table="run", key=s.name, detail=note)
            return out, theirs, PreviousYear(note=f"{self.year - 1}: {note}")

    def previous_year(self) -> Any:
        """The year before's identification (jingzhun.report.api.PreviousYear): waits for the unit."""
        return self._result()[2]

    def join(self, c: Context, status: dict[str, str], own: Findings, progress: Progress) -> dict[str, StepRecord]:
        out, theirs, _ = self._result()
        own.extend(theirs)
        records = {}
        for rec, findings, info in out:
            if findings is not None:
                c.results[f"{rec.name}:findings"] = findings
            if info is not None:
                c.results[f"{rec.name}:summary"] = info
            status[rec.name] = rec.status
            progress(rec.name, "end", rec)
            records[rec.name] = rec
        return records


def _counts(findings: Findings) -> dict[str, int]:
    return {"findings": len(findings)}


def _notice_date(options: RunOptions, year: int) -> str:
    """The notices' start and issue date of this run: ``--date``, else 1 December of the data year."""
    from jingzhun.plan.notice_api import default_notice_date

    return (options.notice_date or default_notice_date(year)).isoformat()


def _all_findings(c: Context, own: Findings) -> pd.DataFrame:
    everything = Findings()
    for step in STEPS:
        f = c.results.get(f"{step.name}:findings")
        if f is not None:
            everything.extend(f)
    everything.extend(own)
    # plan and each notice kind report the same rows left out of documents: count them once
    return one_per_defect(everything.render().drop_duplicates(ignore_index=True))


def _findings_page(c: Context, rendered: pd.DataFrame) -> None:
    """Beside the report: the run's findings one line per code, each naming its findings file
    (a note repeated on every row is one line there, its rows only in the file)."""
    from jingzhun.findings_view import findings_page
    from jingzhun.render import write_text
    from jingzhun.report.api import FINDINGS_PAGE

    if not (c.tmp / "report").is_dir():
        return
    files: dict[str, str] = {}
    for step in STEPS:
        f = c.results.get(f"{step.name}:findings")
        path = f"{step.name}/findings.csv"
        if f is not None and (c.tmp / path).is_file():
            files.update({code: path for code in sorted(f.codes()) if code not in files})
    title = t(f"{c.year} 年度问题汇总", f"findings {c.year}")
    write_text(c.tmp / FINDINGS_PAGE, findings_page(rendered, files, title, c.folders.templates))


def _summary(out: Path, year: int, records: list[StepRecord], rendered: pd.DataFrame, exit_code: int) -> dict[str, Any]:
    by_code = rendered.groupby(["severity", "code"]).size() if len(rendered) else pd.Series(dtype=int)
    return {
        "version": __version__,
        "year": year,
        "out": str(out),
        "exit_code": exit_code,
        "findings": severity_counts(rendered),
        "by_code": {f"{s}:{c}": int(n) for (s, c), n in cast(Iterable[tuple[tuple[str, str], int]], by_code.items())},
        "steps": [{"name": r.name, "status": r.status, "note": r.note} for r in records],
    }
