"""The county task of a province run: today's yearly pipeline on one county's store partitions.

:func:`run_county` is a module-level function of one plain, picklable :class:`TaskSpec`, so any
executor can run it (this process, local processes, a Dask worker on another server). Everything
that could differ between machines comes in the spec: data year, notice date, audit date,
language, version, the county's settings as text and the run's template and schema folders
(resolved once by the driver, :mod:`jingzhun.profile`). The task writes its county's files into
``<stage>/counties/<county>``, hashes them itself, stages its findings under ``<stage>/_findings/``
and returns the hashes and the slim frames of the global passes. It never forks (a guard refuses
it while a task runs: Dask workers are daemonic and may not start children), and a retry starts
from an empty folder.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from jingzhun import __version__
from jingzhun.county import county_prefix
from jingzhun.dataset import Dataset, YearData
from jingzhun.errors import InputError, JingzhunError
from jingzhun.findings import Findings
from jingzhun.i18n import set_lang, t
from jingzhun.manifest import MANIFEST, output_files, sha256_file, write_manifest
from jingzhun.memory import peak_mb
from jingzhun.params import Params, _flatten
from jingzhun.profile import Folders
from jingzhun.province.passes import COMPLETED, StagedSlim, slim_frames, stage_slim
from jingzhun.province.store import (
    REFERENCE,
    SOURCE_FILE,
    findings_path,
    partition_path,
    read_partition,
    write_partition,
)
from jingzhun.tables import TABLES

COUNTIES = "counties"
# Audit events of starting a process: refused inside a task.
_SPAWN_EVENTS = frozenset({"os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.system", "subprocess.Popen"})
_guard = {"installed": False, "active": 0}


@dataclass(frozen=True)
class TaskSpec:
    store: str
    county: str
    year: int
    stage: str  # the run's temporary output folder; the task writes counties/<county> in it
    settings: str  # the county's jingzhun.toml as text ("" for none)
    settings_origin: str  # where it came from, as recorded in the outputs (store-relative)
    notice_date: str  # ISO date, fixed by the driver
    as_of: str | None
    lang: str
    version: str
    xlsx: bool = True
    docx: bool = True
    books: bool = True
    fail_on: str = "error"
    size: int = 0  # bytes of the county's partitions (the driver orders tasks by it)
    templates: tuple[str, ...] = ()  # the run's template folders, most specific first (() = packaged only)
    schemas: tuple[str, ...] = ()  # the run's schema folders, likewise

    @property
    def folders(self) -> Folders:
        return Folders(tuple(Path(p) for p in self.templates), tuple(Path(p) for p in self.schemas))


@dataclass
class TaskResult:
    county: str
    year: int
    ok: bool
    error: str = ""
    exit_code: int = 0
    files: dict[str, str] = field(default_factory=dict)  # county-relative path → sha256
    findings_file: str = ""  # the rendered findings (with source_file), staged for the driver to merge
    findings_count: int = 0
    flagged: pd.DataFrame | None = None  # the findings a global pass completes (passes.COMPLETED)
    slim: StagedSlim | None = None  # written under <stage>/_slim/ (the driver's passes read the files)
    previous: StagedSlim | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_mb: float = 0.0


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _guard["active"] and event in _SPAWN_EVENTS:
        raise RuntimeError(f"{event} inside a county task: tasks run in daemonic workers and may not start processes")


@functools.cache
def install_fork_guard() -> None:
    """Refuse starting a process while a county task runs in this process (installed once)."""
    sys.addaudithook(_audit)
    _guard["installed"] = True


class no_fork:
    """While inside: ``os.fork``, ``subprocess`` and friends raise (see :func:`install_fork_guard`)."""

    def __enter__(self) -> None:
        install_fork_guard()
        _guard["active"] += 1

    def __exit__(self, *exc: object) -> None:
        _guard["active"] -= 1


def county_params(settings: str, origin: str) -> Params:
    """The packaged parameters with the county's settings (text) over them, recorded as from ``origin``."""
    p = Params.load()
    if settings.strip():
        try:
            values = tomllib.loads(settings)
        except tomllib.TOMLDecodeError as e:
            raise JingzhunError(
                t(f"参数文件 {origin} 格式错误: {e}", f"parameter file {origin} is not valid TOML: {e}")
            ) from None
        p._merge(_flatten(values), origin, strict=True)
        p._check_order()
    return p


def _load(store: Path, county: str, ds: Dataset, year: int, tables: Any = None, **_: Any) -> YearData:
    """``load_year`` over the store: the county's partitions of ``year`` (the reading findings with them)."""
    frames: dict[str, pd.DataFrame] = {}
    for tb in tables or TABLES:
        p = partition_path(store, tb, year, county)
        if p.is_file():
            frames[tb] = read_partition(p).drop(columns=[SOURCE_FILE, REFERENCE], errors="ignore")
    missing = [tb for tb in ("households", "members") if tb not in frames]
    if missing:
        raise InputError(
            t(
                f"存储中 {county} 县 {year} 年度缺少表: {', '.join(missing)}",
                f"the store lacks {', '.join(missing)} of county {county}, {year}",
            )
        )
    findings = Findings()
    fp = findings_path(store, year, county)
    if fp.is_file():
        findings = Findings.from_frame(read_partition(fp))
    return YearData(year=year, frames=frames, findings=findings)


def read_county(store: Path, county: str, year: int) -> dict[str, pd.DataFrame]:
    """Every partition of one county and year, with ``_source_file`` (county "": the unplaced rows)."""
    out = {}
    for tb in TABLES:
        p = partition_path(store, tb, year, county)
        if p.is_file():
            out[tb] = read_partition(p)
    return out


# A task's findings, handed to the driver through the staging folder rather than in memory: the
# driver merges them one county at a time (a province has millions) and removes the folder.
STAGED_FINDINGS = "_findings"


def staged_findings(stage: Path, county: str) -> Path:
    return stage / STAGED_FINDINGS / f"county={county}.parquet"


STAGED_SLIMS = "_slim"


def staged_slim(stage: Path, county: str, year: int, part: str = "now") -> Path:
    """The folder of the slim frames of one county task (``year``: the task's data year; ``part``:
    ``now`` for that year, ``before`` for the year before). The driver removes ``_slim`` after the passes."""
    return stage / STAGED_SLIMS / f"year={year}" / f"county={county}" / part


def _clear(folder: Path) -> None:
    """Remove an earlier attempt's folder and its temporary siblings (a retried task leaves no trace)."""
    if folder.exists():
        shutil.rmtree(folder)
    if folder.parent.is_dir():
        for p in folder.parent.iterdir():
            if p.name.startswith(f".{folder.name}."):
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def _source_files(findings: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> pd.Series:
    """The user's file of each finding's row (by table and row), "" where it has none."""
    out = pd.Series("", index=findings.index, dtype="str")
    rows = pd.to_numeric(findings["row"], errors="coerce")
    for tb, df in frames.items():
        if SOURCE_FILE not in df.columns:
            continue
        sel = (findings["table"] == tb).to_numpy()
        if not sel.any():
            continue
        files = df.drop_duplicates("_row").set_index(df.drop_duplicates("_row")["_row"].astype("int64"))[SOURCE_FILE]
        out[sel] = rows[sel].map(files).fillna("").astype("str")
    return out


def _on_copies(findings: pd.DataFrame, cadres: pd.DataFrame | None) -> pd.Series:
    """Findings on the rows of cadres copied here from their own county (reported there, not twice)."""
    if cadres is None or REFERENCE not in cadres.columns or not cadres[REFERENCE].any():
        return pd.Series(False, index=findings.index)
    copies = set(cadres.loc[cadres[REFERENCE].astype(bool), "_row"].astype("int64"))
    rows = pd.to_numeric(findings["row"], errors="coerce")
    return (findings["table"] == "cadres") & rows.isin(copies)


# Village findings a roster row placed with a member of this county (``ingest``) would get only here:
# its village is another county's, known there (a whole-folder run knows every county's villages).
_OTHER_VILLAGE = ("V-VILLAGE-OUTSIDE-COUNTY", "V-VILLAGE-UNKNOWN")


def _on_moved_roster(findings: pd.DataFrame, roster: pd.DataFrame | None, county: str) -> pd.Series:
    """Village findings on the roster rows of this county whose village code is another county's."""
    if roster is None:
        return pd.Series(False, index=findings.index)
    prefix = county_prefix(roster["village_code"])
    moved = (prefix != "") & (prefix != county)
    rows = set(roster.loc[moved.to_numpy(dtype=bool), "_row"].astype("int64"))
    at = pd.to_numeric(findings["row"], errors="coerce").isin(rows)
    return (findings["table"] == "dibao") & findings["code"].isin(_OTHER_VILLAGE) & at


def _patch_manifest(out: Path, spec: TaskSpec, store: Path) -> None:
    """The county manifest names the store and its partitions, never this machine's scratch folder."""
    import json

    path = out / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    inputs = []
    for year in (spec.year, spec.year - 1):
        for tb in TABLES:
            p = partition_path(store, tb, year, spec.county)
            if p.is_file():
                rel = p.relative_to(store).as_posix()
                inputs.append({"path": rel, "table": tb, "sha256": sha256_file(p), "size": p.stat().st_size})
    manifest["dataset"] = f"county={spec.county}"
    manifest["inputs"] = inputs
    manifest.setdefault("summary", {})["out"] = f"{COUNTIES}/{spec.county}"
    write_manifest(out, manifest)


def county_task(spec: TaskSpec) -> TaskResult:
    """Run the yearly pipeline on one county (raises on failure; :func:`run_county` reports it)."""
    from jingzhun.pipeline import RunOptions, run_pipeline

    if spec.version != __version__:
        raise JingzhunError(
            t(
                f"工作节点的 jingzhun 版本 {__version__} 与主节点 {spec.version} 不同",
                f"this worker runs jingzhun {__version__}, the driver {spec.version}: "
                "install the same wheel everywhere",
            )
        )
    set_lang(spec.lang)
    store = Path(spec.store)
    out = Path(spec.stage) / COUNTIES / spec.county
    _clear(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    params = county_params(spec.settings, spec.settings_origin)
    options = RunOptions(
        year=spec.year,
        fail_on=spec.fail_on,
        xlsx=spec.xlsx,
        notice_date=date.fromisoformat(spec.notice_date),
        docx=spec.docx,
        books=spec.books,
        jobs=1,
        as_of=pd.Timestamp(spec.as_of) if spec.as_of else None,
    )
    with tempfile.TemporaryDirectory(prefix="jingzhun-county-") as scratch:
        root = Path(scratch)
        for y in (spec.year, spec.year - 1):
            if partition_path(store, "households", y, spec.county).is_file():
                (root / str(y)).mkdir()
        loader = functools.partial(_load, store, spec.county)
        result = run_pipeline(root, out, options, None, params=params, loader=loader, folders=spec.folders)
    _patch_manifest(out, spec, store)
    frames = read_county(store, spec.county, spec.year)
    findings = result.findings.copy()
    findings.insert(0, "county", spec.county)
    findings["source_file"] = _source_files(findings, frames)
    elsewhere = _on_moved_roster(findings, frames.get("dibao"), spec.county)
    findings = findings[~_on_copies(findings, frames.get("cadres")) & ~elsewhere].reset_index(drop=True)
    staged = staged_findings(Path(spec.stage), spec.county)
    write_partition(findings, staged)
    previous = read_county(store, spec.county, spec.year - 1)
    files = {rel.as_posix(): sha256_file(out / rel) for rel in output_files(out)}
    files[MANIFEST] = sha256_file(out / MANIFEST)
    return TaskResult(
        county=spec.county,
        year=spec.year,
        ok=True,
        exit_code=result.exit_code,
        files=dict(sorted(files.items())),
        findings_file=str(staged),
        findings_count=len(findings),
        flagged=findings.loc[findings["code"].isin(COMPLETED), ["county", "code", "row"]].reset_index(drop=True),
        slim=stage_slim(
            slim_frames(frames, spec.county, spec.year), staged_slim(Path(spec.stage), spec.county, spec.year)
        ),
        previous=(
            stage_slim(
                slim_frames(previous, spec.county, spec.year - 1),
                staged_slim(Path(spec.stage), spec.county, spec.year, "before"),
            )
            if "members" in previous
            else None
        ),
    )


def run_county(spec: TaskSpec) -> TaskResult:
    """:func:`county_task` with no process started, timed; a failure is returned, its folder removed."""
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        with no_fork():
            res = county_task(spec)
    except Exception as e:  # noqa: BLE001 - one county failing is reported; the others go on
        _clear(Path(spec.stage) / COUNTIES / spec.county)
        staged_findings(Path(spec.stage), spec.county).unlink(missing_ok=True)
        shutil.rmtree(staged_slim(Path(spec.stage), spec.county, spec.year).parent, ignore_errors=True)
        msg = e.message if isinstance(e, JingzhunError) else f"{type(e).__name__}: {e}"
        res = TaskResult(county=spec.county, year=spec.year, ok=False, error=msg)
    res.seconds = time.perf_counter() - t0
    res.cpu_seconds = time.process_time() - c0
    res.peak_mb = peak_mb()
    return res


def worker_pid() -> int:
    return os.getpid()
