"""Identification's public API: :func:`compute` (who is poor, why, who may exit, which
villages qualify) and :func:`write`; ``jingzhun identify`` and the ``identify`` step of
``jingzhun run`` (:mod:`jingzhun.steps`) both go through here."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jingzhun.county import settle
from jingzhun.dataset import Dataset, load_year
from jingzhun.findings import Findings
from jingzhun.identify.core import IdentifyResult, identify
from jingzhun.identify.monitoring import check_monitoring_params, monitoring_villages
from jingzhun.io.write import write_csv, write_json, write_xlsx
from jingzhun.params import Params
from jingzhun.progress import Reporter, no_step
from jingzhun.steps import Context, Outcome

TABLES = ("households", "members", "villages", "crosscheck")


def run_identify(
    dataset: Path, year: int | None, config: Path | None, progress: Reporter | None = None
) -> tuple[IdentifyResult, Findings, Params]:
    """Load one year and identify; reading findings are kept with the identification ones."""
    step = progress.step if progress is not None else no_step
    ds = Dataset.open(dataset)
    data_year = ds.resolve_year(year)
    params = Params.load(ds.root, config)
    params.poverty_line(data_year - 1)  # a missing line stops before any reading
    check_monitoring_params(params, data_year)  # so does a monitoring range not set
    with step("read"):
        yd = load_year(ds, data_year, TABLES)
    settle(params, yd.frames)
    with step("identify"):
        result = identify(yd.frames, params, data_year)
    findings = Findings()
    findings.extend([yd.findings, result.findings])
    return result, findings, params


def write_files(result: IdentifyResult, rendered: pd.DataFrame, d: Path, xlsx: bool) -> None:
    """Every output of identify into folder ``d`` (shared with ``jingzhun run``)."""
    write_csv(result.households, d / "households.csv")
    write_csv(result.villages, d / "villages.csv")
    if result.monitoring is not None:
        write_csv(result.monitoring, d / "monitoring.csv")
        write_csv(monitoring_villages(result.monitoring), d / "monitoring_villages.csv")
    write_csv(rendered, d / "findings.csv")
    write_json(result.county, d / "county.json")
    write_json(result.params, d / "params.json")
    if xlsx:
        write_xlsx(
            {
                "households": result.households,
                "villages": result.villages,
                "townships": result.townships(),
                "findings": rendered,
            },
            d / "identify.xlsx",
        )


def compute(frames: dict[str, pd.DataFrame], params: Params, data_year: int) -> IdentifyResult:
    """The identification of one year's typed frames."""
    return identify(frames, params, data_year)


def write(result: IdentifyResult, folder: Path, xlsx: bool = False) -> None:
    """Every output of ``result`` (with its own findings) into ``folder``."""
    write_files(result, result.findings.render(), folder, xlsx)


def step_compute(c: Context) -> Outcome:
    result = compute(c.frames, c.params, c.year)
    return Outcome(result, result.findings, {"results": result.county.get("results", {})})


def step_write(outcome: Outcome, d: Path, c: Context) -> None:
    d.mkdir()
    write(outcome.value, d, c.options.xlsx)
