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

import io
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from jingzhun import __version__
from jingzhun.executors import Executor
from jingzhun.findings import Findings, worst_exit_code
from jingzhun.i18n import get_lang
from jingzhun.io.write import write_json
from jingzhun.manifest import MANIFEST, output_files, sha256_file, write_manifest
from jingzhun.outputs import RUN_LOG, check_replaceable, output_dir
from jingzhun.params import Params
from jingzhun.pipeline import KEPT, RunOptions, check_out
from jingzhun.province import store as st
from jingzhun.province.passes import GlobalResult, Slim, flagged_rows, global_passes, slim_frames
from jingzhun.province.tasks import COUNTIES, TaskResult, TaskSpec, read_county, run_county
from jingzhun.runlock import locked

PROVINCE = "province"
# County files not concatenated into province files (documents and per-unit folders).
_NOT_MERGED = ("notice/", "notice-internal/", "plan/books/")


@dataclass
class ProvinceResult:
    out: Path
    year: int
    tasks: list[TaskResult]
    passes: GlobalResult
    findings: pd.DataFrame
    exit_code: int
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        by_code = self.findings["code"].value_counts().sort_index() if len(self.findings) else pd.Series(dtype=int)
        return {
            "version": __version__,
            "year": self.year,
            "out": str(self.out),
            "exit_code": self.exit_code,
            "counties": [{"county": r.county, "ok": r.ok, "error": r.error} for r in self.tasks],
            "by_code": {str(k): int(v) for k, v in by_code.items()},
        }


def _notice_date(options: RunOptions, year: int) -> str:
    from jingzhun.plan.notice_api import default_notice_date

    return (options.notice_date or default_notice_date(year)).isoformat()


def task_specs(store: Path, year: int, stage: Path, options: RunOptions) -> list[TaskSpec]:
    """One spec per county of ``year``, largest county first (the critical path starts at once)."""
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
            )
        )
    return specs


def run_tasks(executor: Executor, specs: list[TaskSpec]) -> list[TaskResult]:
    """Every spec through ``executor``; a task whose worker died is a failed result. County-code order."""
    futures = [(s, executor.submit(run_county, s)) for s in specs]
    results = []
    for spec, fut in futures:
        try:
            results.append(fut.result())
        except Exception as e:  # noqa: BLE001 - a lost worker fails its county only
            results.append(TaskResult(county=spec.county, year=spec.year, ok=False, error=f"{type(e).__name__}: {e}"))
    return sorted(results, key=lambda r: r.county)


def _unplaced_slims(store: Path, year: int) -> tuple[Slim | None, Slim | None]:
    now, before = read_county(store, "", year), read_county(store, "", year - 1)
    return (slim_frames(now, "", year) if now else None, slim_frames(before, "", year - 1) if before else None)


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def merge_csvs(tmp: Path, tasks: list[TaskResult]) -> int:
    """Province CSVs: each county CSV concatenated in county-code order with a ``county`` column."""
    ok = [r for r in tasks if r.ok]
    names = sorted({p for r in ok for p in r.files if p.endswith(".csv") and not p.startswith(_NOT_MERGED)})
    for name in names:
        parts = []
        for r in ok:
            f = tmp / COUNTIES / r.county / name
            if f.is_file():
                df = _read_csv(f)
                df.insert(0, "county", r.county)
                parts.append(df)
        _write_csv(pd.concat(parts, ignore_index=True), tmp / PROVINCE / name)
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


def province_findings(tasks: list[TaskResult], passes: GlobalResult, own: Findings) -> pd.DataFrame:
    """Every county's findings, then the global passes' and the run's own, with ``county``."""
    parts = [r.findings for r in tasks if r.ok and r.findings is not None]
    g = passes.findings
    for (county, name), part in g.groupby(["county", "pass"], sort=True):
        rendered = Findings.from_frame(part).render()
        rendered.insert(0, "county", str(county))
        rendered["source_file"] = ""
        rendered["pass"] = str(name)
        parts.append(rendered)
    mine = own.render()
    if len(mine):
        mine.insert(0, "county", "")
        mine["source_file"] = ""
        parts.append(mine)
    return pd.concat(parts, ignore_index=True) if parts else own.render()


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
    params = Params.load(None, config)
    timings: dict[str, float] = {}
    with locked(out):
        check_replaceable(out, KEPT)
        with output_dir(out.parent, out.name, marker=False, allow=KEPT) as tmp:
            t0 = time.perf_counter()
            specs = task_specs(store, year, tmp, options)
            tasks = run_tasks(executor, specs)
            timings["tasks"] = time.perf_counter() - t0
            _sweep(tmp, tasks)
            t0 = time.perf_counter()
            now, before = _unplaced_slims(store, year)
            slims = [r.slim for r in tasks if r.ok and r.slim is not None] + ([now] if now else [])
            previous = [r.previous for r in tasks if r.ok and r.previous is not None] + ([before] if before else [])
            flagged = flagged_rows([r.findings for r in tasks if r.ok and r.findings is not None])
            passes = global_passes(slims, previous, params, flagged=flagged)
            timings["passes"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            merged = merge_csvs(tmp, tasks)
            own = _failed(tasks)
            _unfound_roster(passes, own)
            findings = province_findings(tasks, passes, own)
            _write_csv(findings, tmp / PROVINCE / "findings.csv")
            for name, table in sorted(passes.tables.items()):
                _write_csv(table.astype("str"), tmp / PROVINCE / "global" / f"{name}.csv")
            timings["merge"] = time.perf_counter() - t0
            exit_code = max([worst_exit_code(findings, options.fail_on)] + [r.exit_code for r in tasks if r.ok])
            result = ProvinceResult(out, year, tasks, passes, findings, exit_code, timings)
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
