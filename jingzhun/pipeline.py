"""The yearly pipeline behind ``jingzhun run``.

validate → identify → diff → match → plan → notice → audit → report, in one process,
reading each table once. Every step writes into one temporary folder that replaces the
output folder only when all is written, then ``manifest.json`` records what produced it.
A step that fails is reported as a finding (``R-STEP-FAILED``) and the steps that
depend on it are skipped (``R-STEP-SKIPPED``); the others still run.

The steps whose results no later step needs (validate, diff: ``Step.background``) run in
one forked worker process while this process goes on with identify and match, so both
cores work (with ``jobs=1`` everything runs here, one step after the other). The worker
writes its steps' folders and sends back their records and findings; the outputs are
the same either way.

Like every domain step this module never prints: it reports progress through the
``progress`` callback the command gives it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from jingzhun import __version__
from jingzhun.county import county_record, posting_gaps, settle
from jingzhun.dataset import Dataset, YearData, load_year
from jingzhun.errors import JingzhunError, UsageError
from jingzhun.findings import Findings, severity_counts, worst_exit_code
from jingzhun.i18n import t
from jingzhun.manifest import build_manifest, relative_inputs, write_manifest
from jingzhun.match.core import one_per_defect
from jingzhun.outputs import RUN_LOG, check_replaceable, disk_full, output_dir
from jingzhun.parallel import Background, can_fork
from jingzhun.params import Params
from jingzhun.runlock import locked
from jingzhun.tables import TABLES

# Files at the top of a run's output that are carried into the new output (not results).
KEPT = frozenset({RUN_LOG})
# Tables of the previous year folder: diff, the identification notice and the trend.
PREVIOUS_TABLES = ("households", "members", "villages", "crosscheck")


@dataclass
class RunOptions:
    year: int | None = None
    fail_on: str = "error"
    xlsx: bool = True
    notice_date: date | None = None
    templates: Path | None = None
    docx: bool = True
    books: bool = True
    jobs: int | None = None  # None: every core, at most 4 (jingzhun.parallel.default_jobs)
    as_of: pd.Timestamp | None = None


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


class Skip(Exception):
    """A step that does not apply to this dataset (its table is absent)."""


@dataclass
class Context:
    ds: Dataset
    year: int
    params: Params
    options: RunOptions
    data: YearData
    tmp: Path
    previous: YearData | None = None
    previous_error: str = ""
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        return self.data.frames

    def need_table(self, *tables: str) -> None:
        """Skip the step unless at least one of ``tables`` was read."""
        if any(tb in self.frames for tb in tables):
            return
        broken = [f"{tb}: {self.data.broken[tb]}" for tb in tables if tb in self.data.broken]
        if broken:
            raise JingzhunError(t("表无法读取 ", "table unreadable ") + "; ".join(broken))
        raise Skip(t(f"数据集中没有 {' / '.join(tables)} 表", f"the dataset has no {' / '.join(tables)} table"))


def _peak_mb() -> float:
    try:
        import resource  # POSIX only; on Windows the step records no memory figure
    except ImportError:
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- the steps ------------------------------------------------------------------------
# Each returns the step's own findings and a small summary; reading findings belong to
# validate only, so a bad cell is counted once in the run.


def step_validate(c: Context) -> tuple[Findings, dict[str, Any]]:
    from jingzhun.schema.cli import validation_report, write_files
    from jingzhun.schema.validate import validate_year

    # One process here: in the run, validate is already beside identify and match.
    result = validate_year(c.data, c.params, jobs=1)
    rendered = result.render()
    d = c.tmp / "validate"
    d.mkdir()
    write_files(
        rendered,
        validation_report(result, rendered, c.data, c.params, c.options.fail_on, root=c.ds.root),
        d,
        c.options.xlsx,
    )
    return result.findings, {"tables": result.tables}


def step_identify(c: Context) -> tuple[Findings, dict[str, Any]]:
    from jingzhun.identify.cli import write_files
    from jingzhun.identify.core import identify

    result = identify(c.frames, c.params, c.year)
    c.results["identify"] = result
    d = c.tmp / "identify"
    d.mkdir()
    write_files(result, result.findings.render(), d, c.options.xlsx)
    return result.findings, {"results": result.county.get("results", {})}


def step_diff(c: Context) -> tuple[Findings, dict[str, Any]]:
    from jingzhun.identify.diff import diff_years
    from jingzhun.identify.diff_cli import write_files

    if c.previous is None:
        if c.previous_error:
            raise JingzhunError(c.previous_error)
        raise Skip(t(f"没有 {c.year - 1} 年度文件夹", f"no {c.year - 1} year folder"))
    result = diff_years(c.previous.frames, c.frames, c.year - 1, c.year)
    d = c.tmp / "diff"
    d.mkdir()
    write_files(result, result.findings.render(), d, c.options.xlsx, county_record(c.params))
    return result.findings, result.summary()


def step_match(c: Context) -> tuple[Findings, dict[str, Any]]:
    from jingzhun.match.cli import load_decisions, write_files
    from jingzhun.match.core import match

    c.need_table("dibao")
    applied, _ = load_decisions(c.ds.root, None)
    result = match(c.frames, c.params, c.year, decisions=applied if not applied.empty else None)
    c.results["match"] = result
    d = c.tmp / "match"
    d.mkdir()
    write_files(result, result.findings.render(), d, xlsx=c.options.xlsx)
    return result.findings, {"pairs": int(len(result.pairs))}


def step_plan(c: Context) -> tuple[Findings, dict[str, Any]]:
    from jingzhun.plan.cli import plan_frames, write_files
    from jingzhun.plan.core import summary
    from jingzhun.plan.measures import load_rules, rules_file

    ident = c.results["identify"]
    rules = load_rules(rules_file(c.ds.root, None))
    result, findings, model = plan_frames(c.frames, c.params, c.year, ident.households, rules)
    c.results["plan"] = result
    d = c.tmp / "plan"
    d.mkdir()
    o = c.options
    files = write_files(
        result, findings.render(), model, d, xlsx=o.xlsx, books=o.books, templates=o.templates, docx=o.docx, jobs=o.jobs
    )
    return findings, {**summary(result), "documents": len(files)}


def step_notice(c: Context) -> tuple[Findings, dict[str, Any]]:
    from jingzhun.plan.notice_cli import INTERNAL, build_notices, default_notice_date, write_files
    from jingzhun.plan.notices import KIND_TITLES, common

    start = c.options.notice_date or default_notice_date(c.year)
    ident = c.results["identify"]
    previous = c.previous.frames.get("households") if c.previous is not None else None
    findings = Findings()
    made: dict[str, int] = {}
    gaps = posting_gaps(c.params)  # nothing is posted without its issuer and a supervision phone
    for kind in ("identification", "exit", "projects"):
        if kind == "projects" and "projects" not in c.frames:
            continue
        if gaps:
            for code in gaps:
                findings.add(code, table="notice", key=kind, detail=KIND_TITLES[kind])
            continue
        nc = common(kind, c.params, c.year, start)
        nset = build_notices(kind, c.frames, c.year, nc, previous=previous, identified=ident.households)
        d = c.tmp / "notice" / kind
        d.mkdir(parents=True)
        units, _ = write_files(
            nset,
            nc,
            nset.findings.render(),
            d,
            c.tmp / INTERNAL / kind,
            c.options.templates,
            c.options.docx,
            c.options.jobs,
            c.options.xlsx,
        )
        made[kind] = int((units["file"] != "").sum())
        findings.extend(nset.findings)
    return findings, {"notices": made, "date": start.isoformat()}


def step_audit(c: Context) -> tuple[Findings, dict[str, Any]]:
    from jingzhun.audit.pipeline import audit_year, write_report

    c.need_table("payments", "projects")
    report = audit_year(
        c.frames,
        c.params,
        c.year,
        as_of=c.options.as_of,
        reading=c.data.findings,
        identified=c.results["identify"].households,
        jobs=c.options.jobs,  # jobs=1 in a county task (a daemonic worker): no fork
    )
    c.results["audit"] = report
    d = c.tmp / "audit"
    d.mkdir()
    write_report(report, d, c.options.xlsx, c.options.templates)
    return Findings.from_frame(report.findings), {"checked": report.summary.get("payments")}


def step_report(c: Context) -> tuple[Findings, dict[str, Any]]:
    from jingzhun.identify.core import identify
    from jingzhun.report import build_report, write_report
    from jingzhun.report.inputs import slim_households, trend_years
    from jingzhun.report.write import existing_links

    by_year, households, notes = trend_years(c.ds, c.params, c.year, skip=(c.year, c.year - 1))
    by_year[c.year] = c.results["identify"]
    households[c.year] = slim_households(c.frames.get("households"))
    if c.previous is not None:
        try:
            by_year[c.year - 1] = identify(c.previous.frames, c.params, c.year - 1)
            households[c.year - 1] = slim_households(c.previous.frames.get("households"))
        except JingzhunError as e:
            notes["trend"] = f"{c.year - 1}: {e.message}"
    audit = c.results.get("audit")
    model = build_report(
        params=c.params,
        data_year=c.year,
        identify_by_year=by_year,
        households_by_year=households,
        match_result=c.results.get("match"),
        plan_result=c.results.get("plan"),
        funds=None,
        audit_report=audit,
        notes=notes,
    )
    d = c.tmp / "report"
    d.mkdir()
    links = {FINDINGS_PAGE: "", **existing_links(c.tmp)}  # the findings page is written when every step is done
    write_report(model, d, xlsx=c.options.xlsx, links=links, templates=c.options.templates)
    return Findings(), model.summary()


@dataclass(frozen=True)
class Step:
    name: str
    fn: Callable[[Context], tuple[Findings, dict[str, Any]]]
    after: tuple[str, ...] = ()
    background: bool = False  # no later step uses its results: may run in the worker process


STEPS = (
    Step("validate", step_validate, background=True),
    Step("identify", step_identify),
    Step("diff", step_diff, background=True),
    Step("match", step_match),
    Step("plan", step_plan, after=("identify",)),
    Step("notice", step_notice, after=("identify",)),
    Step("audit", step_audit, after=("identify",)),
    Step("report", step_report, after=("identify",)),
)

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
    *,
    params: Params | None = None,
    loader: Callable[..., YearData] = load_year,
) -> RunResult:
    """Run every step for one data year into ``out``; return what ran and the findings.

    ``params`` and ``loader`` (``load_year``'s signature) replace the dataset's ``jingzhun.toml`` and
    its year folders: a county task of a province run gives its county's settings and store partitions.
    """
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    ds = Dataset.open(dataset)
    year = ds.resolve_year(options.year)
    params = params or Params.load(ds.root, config)
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
            _peak_mb(),
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
            c = Context(ds, year, params, options, data, tmp, previous, previous_error)
            status: dict[str, str] = {}
            behind = [s for s in STEPS if s.background] if options.jobs != 1 and can_fork() else []
            worker = _Worker(behind, c) if behind else None
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
        findings, info = step.fn(c)
        c.results[f"{step.name}:findings"] = findings
        rec = StepRecord(step.name, "ok", counts=_counts(findings))
        c.results[f"{step.name}:summary"] = info
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
    rec.peak_mb = _peak_mb()
    status[step.name] = rec.status
    progress(step.name, "end", rec)
    return rec


def _background(steps: list[Step], c: Context) -> tuple[list[tuple[StepRecord, Any, Any]], Findings]:
    """In the worker: run ``steps``; their records, findings and summaries go back to the run."""
    own = Findings()
    status: dict[str, str] = {}
    out = []
    for step in steps:
        rec = _run_step(step, c, status, own, _no_progress)
        out.append((rec, c.results.get(f"{step.name}:findings"), c.results.get(f"{step.name}:summary")))
    return out, own


class _Worker:
    """The background steps in one forked process (started at once, joined at the end)."""

    def __init__(self, steps: list[Step], c: Context) -> None:
        self.steps = steps
        self.pending = Background(_background, steps, c)

    def join(self, c: Context, status: dict[str, str], own: Findings, progress: Progress) -> dict[str, StepRecord]:
        try:
            out, theirs = self.pending.get()
        except RuntimeError:
            code = self.pending.exitcode
            note = t(f"后台进程意外结束 (退出码 {code})", f"the worker process ended unexpectedly (exit code {code})")
            out, theirs = [(StepRecord(s.name, "failed", note=note), None, None) for s in self.steps], Findings()
            for s in self.steps:
                theirs.add("R-STEP-FAILED", table="run", key=s.name, detail=note)
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
    from jingzhun.plan.notice_cli import default_notice_date

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


FINDINGS_PAGE = "report/findings.html"


def _findings_page(c: Context, rendered: pd.DataFrame) -> None:
    """Beside the report: the run's findings one line per code, each naming its findings file
    (a note repeated on every row is one line there, its rows only in the file)."""
    from jingzhun.findings_view import findings_page
    from jingzhun.render import write_text

    if not (c.tmp / "report").is_dir():
        return
    files: dict[str, str] = {}
    for step in STEPS:
        f = c.results.get(f"{step.name}:findings")
        path = f"{step.name}/findings.csv"
        if f is not None and (c.tmp / path).is_file():
            files.update({code: path for code in sorted(f.codes()) if code not in files})
    title = t(f"{c.year} 年度问题汇总", f"findings {c.year}")
    write_text(c.tmp / FINDINGS_PAGE, findings_page(rendered, files, title, c.options.templates))


def _summary(out: Path, year: int, records: list[StepRecord], rendered: pd.DataFrame, exit_code: int) -> dict[str, Any]:
    by_code = rendered.groupby(["severity", "code"]).size() if len(rendered) else pd.Series(dtype=int)
    return {
        "version": __version__,
        "year": year,
        "out": str(out),
        "exit_code": exit_code,
        "findings": severity_counts(rendered),
        "by_code": {f"{s}:{c}": int(n) for (s, c), n in by_code.items()},
        "steps": [{"name": r.name, "status": r.status, "note": r.note} for r in records],
    }
