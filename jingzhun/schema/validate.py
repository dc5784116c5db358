"""Validation of one data year (or one table file): the library behind ``jingzhun validate``.

Steps, all collected (never stopping at the first finding): the reader's findings, each
table against its pandera schema, every ID column (GB 11643), then the cross-table
rules. A cell the reader already reported as broken (unparseable, unknown label,
Excel-damaged, a missing column) is not reported again by the later steps.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from jingzhun.catalogue import CATALOGUE
from jingzhun.county import is_area, row_counties
from jingzhun.dataset import YearData
from jingzhun.executors import SERIAL, Executor
from jingzhun.findings import Findings
from jingzhun.findings_view import summarize
from jingzhun.params import Params
from jingzhun.schema.crosstable import ID_RULES, RULES, check_crosstable
from jingzhun.schema.idcheck import classify_ids, id_findings
from jingzhun.schema.loader import Schemas
from jingzhun.schema.run import run_schema
from jingzhun.tablespec import TABLES

STEPS = ("schema", "ids", "crosstable")


@dataclass
class ValidationResult:
    """Everything ``validate`` found, with what it looked at."""

    year: int | None
    tables: dict[str, int]  # table → rows validated
    findings: Findings  # reading + schema + ID + cross-table, in that order
    sources: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # time per step (for benchmarks)

    def render(self, lang: str | None = None) -> pd.DataFrame:
        """Findings with severity, message and basis, sorted (data-contract §3 columns)."""
        return self.findings.render(lang)

    def summary(self, rendered: pd.DataFrame | None = None) -> dict[str, Any]:
        """The JSON summary: data year, rows per table, counts by severity and by code."""
        rendered = self.render() if rendered is None else rendered
        return {"data_year": self.year, "tables": dict(sorted(self.tables.items())), **summarize(rendered)}


def _broken_cells(reading: pd.DataFrame) -> tuple[pd.MultiIndex, pd.MultiIndex]:
    """Cells and whole columns the reader reported with an error."""
    if reading.empty:
        empty = pd.MultiIndex.from_tuples([], names=["table", "row", "column"])
        return empty, pd.MultiIndex.from_tuples([], names=["table", "column"])
    severe = reading[reading["code"].map(lambda c: CATALOGUE[c].severity) == "error"]
    cells = severe[severe["row"].notna() & severe["column"].notna()]
    columns = severe[severe["row"].isna() & severe["column"].notna()]
    return (
        pd.MultiIndex.from_arrays([cells["table"], cells["row"].astype("int64"), cells["column"]]),
        pd.MultiIndex.from_arrays([columns["table"], columns["column"]]),
    )


def _without_reported(found: Findings, reading: pd.DataFrame) -> Findings:
    """Drop findings on cells (or columns) that the reader already reported as broken."""
    cells, columns = _broken_cells(reading)
    if len(cells) == 0 and len(columns) == 0:
        return found
    df = found.frame()
    if df.empty:
        return found
    in_column = pd.MultiIndex.from_arrays([df["table"], df["column"]]).isin(columns)
    has_row = df["row"].notna().to_numpy()
    row_key = df["row"].fillna(-1).astype("int64")
    in_cell = pd.MultiIndex.from_arrays([df["table"], row_key, df["column"]]).isin(cells) & has_row
    keep = df[~(in_column | in_cell)]
    out = Findings()
    for code, part in keep.groupby("code", sort=False):
        out.add(
            str(code),
            table=part["table"],
            row=part["row"],
            column=part["column"],
            value=part["value"],
            key=part["key"],
            detail=part["detail"],
        )
    return out


def _part(
    which: tuple[str, ...],
    *,
    frames: dict[str, pd.DataFrame],
    params: Params,
    data_year: int | None,
    absent: set[tuple[str, str]],
    county: str,
    today: pd.Timestamp | None,
    schemas_dir: Schemas = None,
) -> dict[str, Any]:
    """Some of the checks, what each made by name, and ``seconds`` per step:

    - ``schema``: every table against its schema (``schema``);
    - ``ids``: the ID classification (``id_columns``) and the rules that use it (``crosstable_ids``);
    - ``plain``: the county of each row of a multi-county folder (``own``, else None) and the
      rules without IDs (``crosstable``).

    The ID findings need both ``id_columns`` and ``own``: the caller makes them."""
    made: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for part in which:
        start = time.perf_counter()
        if part == "schema":
            found = Findings()
            for table, df in frames.items():
                found.extend(run_schema(table, df, schemas_dir=schemas_dir))
            made["schema"] = found
            seconds["schema"] = time.perf_counter() - start
        elif part == "ids":
            made["id_columns"] = id_columns = classify_ids(frames, today=today)
            seconds["ids"] = time.perf_counter() - start
            start = time.perf_counter()
            made["crosstable_ids"] = check_crosstable(
                frames, params, data_year=data_year, id_columns=id_columns, absent=absent, rules=ID_RULES
            )
            seconds["crosstable_ids"] = time.perf_counter() - start
        else:
            # a multi-county folder: each row's IDs against its own county (the county task's view)
            made["own"] = row_counties(frames) if is_area(county) else None
            seconds["counties"] = time.perf_counter() - start
            start = time.perf_counter()
            made["crosstable"] = check_crosstable(
                frames, params, data_year=data_year, absent=absent, rules=[r for r in RULES if r not in ID_RULES]
            )
            seconds["crosstable"] = time.perf_counter() - start
    made["seconds"] = seconds
    return made


# How the checks are cut into units. Units that share the caller's memory are cheap: three, so
# that two threads stay busy whether placing rows (a multi-county folder) or classifying IDs is
# the larger piece. Worker processes each get a pickled copy of the frames: two units there.
SHARED_UNITS = (("ids",), ("plain",), ("schema",))
PROCESS_UNITS = (("schema", "ids"), ("plain",))


def validate_frames(
    frames: dict[str, pd.DataFrame],
    params: Params,
    *,
    data_year: int | None = None,
    reading: Findings | None = None,
    sources: dict[str, Any] | None = None,
    today: pd.Timestamp | None = None,
    executor: Executor = SERIAL,
    schemas_dir: Schemas = None,
) -> ValidationResult:
    """Validate typed frames (``docs/DEVELOPING.md`` "Typed frames") of one data year.

    ``reading`` holds the reader's findings: they come first in the result and keep the
    later steps from reporting the same broken cell twice. The checks are units for
    ``executor`` (:func:`_part`, :data:`SHARED_UNITS`, :data:`PROCESS_UNITS`), then the ID
    findings here; the findings are the same wherever and however cut they run.
    ``schemas_dir``: the run's schema folders (:attr:`jingzhun.profile.Folders.schemas`), None
    for the packaged schemas.
    """
    reading = reading or Findings()
    reading_frame = reading.frame()
    ordered = {tb: frames[tb] for tb in TABLES if tb in frames}
    _, broken_columns = _broken_cells(reading_frame)
    absent = set(broken_columns.tolist())
    county = str(params.settings.county.code or "")
    unit = functools.partial(
        _part,
        frames=ordered,
        params=params,
        data_year=data_year,
        absent=absent,
        county=county,
        today=today,
        schemas_dir=schemas_dir,
    )
    made: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for done in executor.map(unit, SHARED_UNITS if executor.shares_memory else PROCESS_UNITS):
        seconds.update(done.pop("seconds"))
        made.update(done)
    start = time.perf_counter()
    found_ids = id_findings(ordered, made["id_columns"], county, row_county=made["own"])
    seconds["ids"] += time.perf_counter() - start
    cross = Findings()
    cross.extend([made["crosstable"], made["crosstable_ids"]])

    findings = Findings()
    findings.extend(reading)
    for part in (made["schema"], found_ids, cross):
        findings.extend(_without_reported(part, reading_frame))
    return ValidationResult(
        year=data_year,
        tables={tb: len(df) for tb, df in ordered.items()},
        findings=findings,
        sources=dict(sources or {}),
        seconds=seconds,
    )


def validate_year(
    year_data: YearData,
    params: Params,
    *,
    today: pd.Timestamp | None = None,
    executor: Executor = SERIAL,
    schemas_dir: Schemas = None,
) -> ValidationResult:
    """Validate everything ``load_year``/``load_file`` read: the one call commands make."""
    return validate_frames(
        year_data.frames,
        params,
        data_year=year_data.year,
        reading=year_data.findings,
        sources=year_data.sources,
        today=today,
        executor=executor,
        schemas_dir=schemas_dir,
    )
