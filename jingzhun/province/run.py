"""``jingzhun run STORE``: one task per county through an executor, then the global passes, then
province outputs (the scale-out design's map and reduce).

Output folder:

```
OUT/manifest.json                 top manifest: the county manifests, the province files, timings
OUT/counties/<C>/…                each county's own run output with its manifest.json
OUT/province/findings.csv         every county's findings and the global passes', county-code order
OUT/province/<step>/<file>.csv    the county CSVs concatenated in county-code order, with ``county``
OUT/province/global/<table>.csv   the tables of the global passes (moves, roster places, roll-up …)
```
The driver fixes the date, language, version and settings, orders tasks largest county first,
takes results in county-code order (never completion order), and renames the folder into place
when everything is written (``outputs.output_dir``).
"""

from __future__ import annotations

import functools
import io
import shutil
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from jingzhun import __version__
from jingzhun.executors import Executor
from jingzhun.findings import Findings, worst_exit_code
from jingzhun.i18n import get_lang
from jingzhun.io.write import csv_bytes, write_csv, write_json
from jingzhun.manifest import MANIFEST, output_files, sha256_file, write_manifest
from jingzhun.outputs import RUN_LOG, check_replaceable, output_dir
from jingzhun.params import Params, sources_for
from jingzhun.pipeline import KEPT, RunOptions, check_out, check_own_schemas
from jingzhun.profile import Folders
from jingzhun.province import store as st
from jingzhun.province.passes import GlobalResult, Slim, flagged_rows, global_passes, slim_frames
from jingzhun.province.store import read_partition
from jingzhun.province.tasks import (
    COUNTIES,
    STAGED_FINDINGS,
    STAGED_SLIMS,
    TaskResult,
    TaskSpec,
    read_county,
    run_county,
)
from jingzhun.runlock import locked

PROVINCE = "province"
PASSES_SCRATCH = "_duckdb"  # where the global passes may spill (removed after them)
FINDINGS = "findings.csv"
# County files not concatenated into province files (documents and per-unit folders).
_NOT_MERGED = ("notice/", "notice-internal/", "plan/books/")


@dataclass
class ProvinceResult:
    out: Path
    year: int
    tasks: list[TaskResult]
    passes: GlobalResult
    counts: dict[str, int]  # findings per code
    exit_code: int
    timings: dict[str, float] = field(default_factory=dict)

    @functools.cached_property
    def findings(self) -> pd.DataFrame:
        """``province/findings.csv`` as text columns (read on first use: a province has millions)."""
        return pd.read_csv(self.out / PROVINCE / FINDINGS, dtype=str, keep_default_na=False, encoding="utf-8-sig")

    def summary(self) -> dict[str, Any]:
        return {
            "version": __version__,
            "year": self.year,
            "out": str(self.out),
            "exit_code": self.exit_code,
            "counties": [{"county": r.county, "ok": r.ok, "error": r.error} for r in self.tasks],
            "by_code": self.counts,
        }


def _notice_date(options: RunOptions, year: int) -> str:
    from jingzhun.plan.notice_api import default_notice_date

    return (options.notice_date or default_notice_date(year)).isoformat()


def task_specs(
    store: Path, year: int, stage: Path, options: RunOptions, folders: Folders | None = None
) -> list[TaskSpec]:
    """One spec per county of ``year``, largest county first (the critical path starts at once);
    ``folders``: the run's template and schema folders (None: the packaged ones)."""
    folders = folders or Folders()
    sizes = st.counties(store, year)
    specs = []
    for county, size in sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        p = st.params_path(store, county)
        specs.append(
            TaskSpec(
                store=str(store),
                county=county,
                year=year,
                stage=str(stage),
                settings=p.read_text(encoding="utf-8-sig") if p.is_file() else "",
                settings_origin=p.relative_to(store).as_posix(),
                notice_date=_notice_date(options, year),
                as_of=options.as_of.date().isoformat() if options.as_of is not None else None,
                lang=get_lang(),
                version=__version__,
                xlsx=options.xlsx,
                docx=options.docx,
                books=options.books,
                fail_on=options.fail_on,
                size=size,
                templates=tuple(str(p) for p in folders.templates),
                schemas=tuple(str(p) for p in folders.schemas),
            )
        )
    return specs


def run_tasks(executor: Executor, specs: list[TaskSpec]) -> list[TaskResult]:
    """Every spec through ``executor``; a task whose worker died is a failed result. County-code order."""
    pending = deque((s, executor.submit(run_county, s)) for s in specs)
    results = []
    while pending:
        spec, fut = pending.popleft()
        try:
            results.append(fut.result())
        except Exception as e:  # noqa: BLE001 - a lost worker fails its county only
            results.append(TaskResult(county=spec.county, year=spec.year, ok=False, error=f"{type(e).__name__}: {e}"))
        # A Dask worker keeps a result in its memory while a future refers to it: let it go as soon
        # as the driver has it, or a worker's memory grows with every county it has run.
        getattr(fut, "release", lambda: None)()
        del fut
    return sorted(results, key=lambda r: r.county)


def _unplaced_slims(store: Path, year: int) -> tuple[Slim | None, Slim | None]:
    now, before = read_county(store, "", year), read_county(store, "", year - 1)
    return (slim_frames(now, "", year) if now else None, slim_frames(before, "", year - 1) if before else None)


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """Like every county CSV: UTF-8 with BOM, formula-like text defused (``jingzhun.io.write``)."""
    write_csv(df, path)


_BOM = b"\xef\xbb\xbf"


def _plain_rows(raw: bytes) -> tuple[bytes, bytes] | None:
    """``(header, body)`` of a CSV jingzhun wrote when every line is one whole record, so that
    prefixing each line is what reading and writing it again gives; else None.

    A quoted field holding a line break leaves an odd number of quote characters on the line it
    starts on (inside quotes every ``"`` toggles, an escaped ``""`` twice), so even counts on every
    line mean no record spans lines. Carriage returns and blank lines (which a reader skips) are
    left to the reader."""
    if not raw.startswith(_BOM) or b"\r" in raw or not raw.endswith(b"\n"):
        return None
    header, _, body = raw[len(_BOM) :].partition(b"\n")
    if not header or b"\n\n" in b"\n" + body:
        return None
    if b'"' in raw and any(line.count(b'"') % 2 for line in raw.split(b"\n")):
        return None
    return header, body


def _prefixed(county: str, body: bytes) -> bytes:
    if not body:
        return b""
    lead = county.encode("utf-8") + b","
    return lead + body[:-1].replace(b"\n", b"\n" + lead) + b"\n"


def _merge_one(files: list[tuple[str, Path]], target: Path) -> None:
    """One province CSV from county CSVs: byte concatenation when every file is plain and the headers
    agree, else read and write with pandas (the same bytes either way where both apply)."""
    raws = [(county, f.read_bytes()) for county, f in files]
    plain = [_plain_rows(raw) for _, raw in raws]
    headers = {p[0] for p in plain if p is not None}
    if all(p is not None for p in plain) and len(headers) == 1 and not headers & {b"county"}:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(_BOM + b"county," + headers.pop() + b"\n")
            for (county, _), p in zip(raws, plain, strict=True):
                fh.write(_prefixed(county, p[1] if p is not None else b""))
        return
    parts = []
    for county, raw in raws:
        df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        df.insert(0, "county", county)
        parts.append(df)
    _write_csv(pd.concat(parts, ignore_index=True), target)


def merge_csvs(tmp: Path, tasks: list[TaskResult]) -> int:
    """Province CSVs: each county CSV concatenated in county-code order with a ``county`` column."""
    ok = [r for r in tasks if r.ok]
    names = sorted({p for r in ok for p in r.files if p.endswith(".csv") and not p.startswith(_NOT_MERGED)})
    for name in names:
        files = [(r.county, tmp / COUNTIES / r.county / name) for r in ok]
        _merge_one([(c, f) for c, f in files if f.is_file()], tmp / PROVINCE / name)
    return len(names)


def _unfound_roster(passes: GlobalResult, f: Findings) -> None:
    """Roster rows no county holds (no village code, no member with their ID) that G3 could not
    place either: M-ROSTER-NOT-FOUND, as ``match`` reports them in a whole-folder run."""
    places = passes.tables.get("roster_places")
    if places is None or places.empty:
        return
    lost = places[(places["roster_county"].fillna("") == "") & (places["method"] == "none")]
    if lost.empty:
        return
    text = lost[["record_id", "name", "id_number", "program"]].fillna("").astype("str")
    f.add(
        "M-ROSTER-NOT-FOUND",
        table="dibao",
        row=lost["_row"],
        column="id_number",
        value=text.agg(" ".join, axis=1).str.strip(),
        key=lost["record_id"],
        detail=lost["village_name"].fillna("").astype("str"),
    )


def _failed(tasks: list[TaskResult]) -> Findings:
    f = Findings()
    for r in tasks:
        if not r.ok:
            f.add("R-STEP-FAILED", table="run", key=f"county={r.county}", detail=r.error)
    return f


def _province_columns() -> list[str]:
    """The columns of ``province/findings.csv``: a county's rendered findings, then ``pass``."""
    return ["county", *Findings().render().columns, "source_file", "pass"]


def _finding_parts(tasks: list[TaskResult], passes: GlobalResult, own: Findings) -> Iterator[pd.DataFrame]:
    """Every county's findings (read back one county at a time), then the global passes' and the run's own."""
    for r in tasks:
        if r.ok and r.findings_file:
            yield read_partition(Path(r.findings_file))
    for (county, name), part in passes.findings.groupby(["county", "pass"], sort=True):
        rendered = Findings.from_frame(part).render()
        rendered.insert(0, "county", str(county))
        rendered["source_file"] = ""
        rendered["pass"] = str(name)
        yield rendered
    mine = own.render()
    if len(mine):
        mine.insert(0, "county", "")
        mine["source_file"] = ""
        yield mine


def write_province_findings(
    path: Path, tasks: list[TaskResult], passes: GlobalResult, own: Findings, fail_on: str
) -> tuple[dict[str, int], int]:
    """``province/findings.csv``, written part by part (memory bounded by the largest county, not the
    province); returns the count per code and the exit code the findings give under ``fail_on``."""
    columns = _province_columns()
    header = csv_bytes(pd.DataFrame(columns=columns))
    counts: Counter[str] = Counter()
    exit_code = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(_BOM + header)
        for part in _finding_parts(tasks, passes, own):
            if "pass" not in part.columns:
                part = part.assign(**{"pass": ""})
            part = part[columns]
            fh.write(csv_bytes(part)[len(header) :])
            counts.update({str(k): int(v) for k, v in part["code"].value_counts().items()})
            exit_code = max(exit_code, worst_exit_code(part, fail_on))
    return dict(sorted(counts.items())), exit_code


def _top_outputs(tmp: Path, tasks: list[TaskResult]) -> list[dict[str, Any]]:
    """Province files and each county's manifest (the county files are listed there)."""
    counties = {f"{COUNTIES}/{r.county}/" for r in tasks if r.ok}
    out = []
    for rel in output_files(tmp):
        path = rel.as_posix()
        inside = next((c for c in counties if path.startswith(c)), None)
        if inside is not None and path != inside + MANIFEST:
            continue
        out.append({"path": path, "sha256": sha256_file(tmp / rel), "size": (tmp / rel).stat().st_size})
    return out


def _sweep(stage: Path, tasks: list[TaskResult]) -> None:
    """Remove what a lost or retried attempt left in ``counties/`` (only jingzhun's temporary names)."""
    folder = stage / COUNTIES
    if not folder.is_dir():
        return
    ok = {r.county for r in tasks if r.ok}
    for p in folder.iterdir():
        if p.name not in ok:
            shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def run_store(
    store: Path,
    out: Path,
    options: RunOptions,
    executor: Executor,
    config: Path | None = None,
    engine: str = "local",
) -> ProvinceResult:
    """Run every county of one data year of ``store`` through ``executor``; write ``out``."""
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    store = Path(store).resolve()
    years = st.years(store)
    year = options.year or (years[-1] if years else 0)
    out = Path(out).resolve()
    check_out(out, store)
    sources = sources_for(None, params_file=config, templates_dir=options.templates)  # a store is no dataset
    params = Params.from_sources(sources)
    folders = sources.folders()
    check_own_schemas(folders)
    timings: dict[str, float] = {}
    with locked(out):
        check_replaceable(out, KEPT)
        with output_dir(out.parent, out.name, marker=False, allow=KEPT) as tmp:
            t0 = time.perf_counter()
            specs = task_specs(store, year, tmp, options, folders)
            tasks = run_tasks(executor, specs)
            timings["tasks"] = time.perf_counter() - t0
            _sweep(tmp, tasks)
            t0 = time.perf_counter()
            now, before = _unplaced_slims(store, year)
            slims = [r.slim for r in tasks if r.ok and r.slim is not None] + ([now] if now else [])
            previous = [r.previous for r in tasks if r.ok and r.previous is not None] + ([before] if before else [])
            flagged = flagged_rows([r.flagged for r in tasks if r.ok and r.flagged is not None])
            passes = global_passes(slims, previous, params, flagged=flagged, scratch=tmp / PASSES_SCRATCH)
            for staged in (STAGED_SLIMS, PASSES_SCRATCH):
                shutil.rmtree(tmp / staged, ignore_errors=True)
            timings["passes"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            merged = merge_csvs(tmp, tasks)
            own = _failed(tasks)
            _unfound_roster(passes, own)
            target = tmp / PROVINCE / FINDINGS
            counts, findings_exit = write_province_findings(target, tasks, passes, own, options.fail_on)
            shutil.rmtree(tmp / STAGED_FINDINGS, ignore_errors=True)
            for name, table in sorted(passes.tables.items()):
                _write_csv(table.astype("str"), tmp / PROVINCE / "global" / f"{name}.csv")
            timings["merge"] = time.perf_counter() - t0
            exit_code = max([findings_exit] + [r.exit_code for r in tasks if r.ok])
            result = ProvinceResult(out, year, tasks, passes, counts, exit_code, timings)
            write_json({k: v for k, v in result.summary().items() if k != "out"}, tmp / PROVINCE / "summary.json")
            t0 = time.perf_counter()
            manifest = {
                "jingzhun_version": __version__,
                "command": "run",
                "dataset": str(store),
                "year": year,
                "engine": engine,
                "started": started,
                "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
                "counties": [
                    {"county": r.county, "path": f"{COUNTIES}/{r.county}", "ok": r.ok, "error": r.error} for r in tasks
                ],
                "tasks": [
                    {
                        "county": r.county,
                        "seconds": round(r.seconds, 2),
                        "cpu_seconds": round(r.cpu_seconds, 2),
                        "peak_mb": round(r.peak_mb, 1),
                    }
                    for r in tasks
                ],
                "passes": passes.seconds,
                "parameters": params.records(),
                "merged_files": merged,
                "outputs": _top_outputs(tmp, tasks),
            }
            write_manifest(tmp, manifest)
            timings["manifest"] = time.perf_counter() - t0
    return result


def is_province_manifest(manifest: dict[str, Any]) -> bool:
    return isinstance(manifest.get("counties"), list)


__all__ = ["RUN_LOG", "run_store", "task_specs", "run_tasks", "ProvinceResult"]
