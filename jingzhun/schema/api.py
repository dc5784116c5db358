"""Validation's public API: :func:`compute` checks one year's frames, :func:`write` writes
``findings.csv``, ``report.json`` (and ``findings.xlsx``). ``jingzhun validate`` and the
``validate`` step of ``jingzhun run`` (:mod:`jingzhun.steps`) both go through here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from jingzhun import __version__
from jingzhun.county import county_record
from jingzhun.dataset import YearData
from jingzhun.executors import SERIAL, Executor
from jingzhun.findings import worst_exit_code
from jingzhun.io.write import write_csv, write_json, write_xlsx
from jingzhun.manifest import relative_inputs
from jingzhun.params import Params
from jingzhun.schema.loader import Schemas, check_schemas
from jingzhun.schema.validate import ValidationResult, validate_year
from jingzhun.steps import Context, Outcome


def compute(
    data: YearData, params: Params, executor: Executor = SERIAL, schemas_dir: Schemas = None
) -> ValidationResult:
    """Every table of ``data`` against its schema (from the run's ``schemas_dir`` folders), the ID rules and the
    cross-table rules."""
    check_schemas(data.frames, schemas_dir)
    return validate_year(data, params, executor=executor, schemas_dir=schemas_dir)


def write(result: ValidationResult, folder: Path, report: dict[str, Any], xlsx: bool = False) -> None:
    """The outputs of ``result`` (its ``report.json`` content: :func:`validation_report`) into ``folder``."""
    write_files(result.render(), report, folder, xlsx)


def validation_report(
    result: ValidationResult,
    rendered: pd.DataFrame,
    data: YearData,
    params: Params,
    fail_on: str,
    *,
    root: Path,
) -> dict[str, Any]:
    """The content of ``validate/report.json``; its ``summary`` is what ``--json`` prints.

    Source paths are relative to the dataset folder ``root``: moving it changes no byte."""
    summary = result.summary(rendered)
    summary["exit_code"] = worst_exit_code(rendered, fail_on)
    return {
        "command": "validate",
        "version": __version__,
        "summary": summary,
        "sources": relative_inputs(data.manifest_inputs(), root),
        "parameters": params.records(),
        "county": county_record(params),
        "fail_on": fail_on,
    }


def write_files(rendered: pd.DataFrame, report: dict[str, Any], d: Path, xlsx: bool = False) -> None:
    """Every output of validate into folder ``d`` (shared with ``jingzhun run``)."""
    write_csv(rendered, d / "findings.csv")
    write_json(report, d / "report.json")
    if xlsx:
        write_xlsx({"findings": rendered}, d / "findings.xlsx")


def step_compute(c: Context) -> Outcome:
    # In the run, validate is already a unit beside identify and match (its executor is serial there).
    result = compute(c.data, c.params, c.executor, c.folders.schemas)
    return Outcome(result, result.findings, {"tables": result.tables})


def step_write(outcome: Outcome, d: Path, c: Context) -> None:
    result: ValidationResult = outcome.value
    rendered = result.render()
    d.mkdir()
    write_files(
        rendered,
        validation_report(result, rendered, c.data, c.params, c.options.fail_on, root=c.ds.root),
        d,
        c.options.xlsx,
    )
