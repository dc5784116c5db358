"""The report's public API: :func:`report_with_findings` (``jingzhun report``: every input
computed here) and, for ``jingzhun run`` (:mod:`jingzhun.steps`), :func:`step_compute`,
which takes the results the run's earlier steps computed and reads each earlier year's
identification from that year's run output when it is still valid
(:mod:`jingzhun.identify.cache`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from jingzhun.county import settle
from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import JingzhunError
from jingzhun.findings import Findings
from jingzhun.identify.cache import cached, earlier_runs
from jingzhun.identify.core import IdentifyResult, identify
from jingzhun.params import Params
from jingzhun.progress import Reporter, no_step
from jingzhun.render import Templates
from jingzhun.report.inputs import MAIN_TABLES, slim_households, step_inputs, trend_years
from jingzhun.report.model import ReportModel, build_report
from jingzhun.report.write import existing_links, write_report
from jingzhun.steps import Context, Outcome

# The run's findings page, written beside the report when every step is done.
FINDINGS_PAGE = "report/findings.html"


def run_report(dataset: Path, year: int | None, config: Path | None) -> ReportModel:
    """Load the year (and the earlier years for the trend), run the steps, build the model."""
    return report_with_findings(dataset, year, config)[0]


def report_with_findings(
    dataset: Path,
    year: int | None,
    config: Path | None,
    progress: Reporter | None = None,
    earlier: Sequence[Path] = (),
) -> tuple[ReportModel, pd.DataFrame]:
    """The model and the findings met on the way (reading, identify, 低保 match, audit): the
    indicators rest on that data, so ``--fail-on`` sets the exit code from them."""
    step = progress.step if progress is not None else no_step
    ds = Dataset.open(dataset)
    data_year = ds.resolve_year(year)
    params = Params.load(ds.root, config)
    params.poverty_line(data_year - 1)  # a missing line stops before any reading
    with step("read"):
        yd = load_year(ds, data_year, MAIN_TABLES)
    settle(params, yd.frames)
    with step("report"):
        ident = identify(yd.frames, params, data_year)
        steps = step_inputs(yd.frames, params, data_year, ident)
        by_year, households, trend_notes = trend_years(ds, params, data_year, skip=(data_year,), earlier=earlier)
        by_year[data_year] = ident
        households[data_year] = slim_households(yd.frames.get("households"))
        model = build_report(
            params=params,
            data_year=data_year,
            identify_by_year=by_year,
            households_by_year=households,
            match_result=steps.match_result,
            plan_result=steps.pairing,
            funds=steps.funds,
            audit_report=steps.audit_report,
            notes={**steps.notes, **trend_notes},
            payments=yd.frames.get("payments"),
        )
    findings = Findings()
    findings.extend([yd.findings, ident.findings] + ([steps.match_result.findings] if steps.match_result else []))
    if model.monitoring is not None:
        findings.extend([model.monitoring.findings])
    frames = [findings.render()] + ([steps.audit_report.findings] if steps.audit_report is not None else [])
    return model, pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)


def write(
    model: ReportModel,
    folder: Path,
    xlsx: bool = False,
    templates: Templates = None,
    links: dict[str, str] | None = None,
) -> None:
    """The report of ``model`` into ``folder``; ``links``: the other outputs it links to."""
    write_report(model, folder, xlsx=xlsx, links=links or {}, templates=templates)


@dataclass
class PreviousYear:
    """The year before's identification for the trend (an earlier run's, else computed) and the
    columns the report reads from its households; ``note``: why there is none (shown in the
    report); ``failure``: an unexpected error, which fails the report step as it would have there."""

    ident: IdentifyResult | None = None
    households: pd.DataFrame | None = None
    note: str = ""
    failure: str = ""


def previous_year(c: Context) -> PreviousYear | None:
    """:class:`PreviousYear` from ``c.previous`` (None without the year before). ``run`` computes
    it in its worker process, which holds the year before's frames for diff anyway, so that the
    run process can let those frames go (``Context.previous_year``)."""
    if c.previous is None:
        return None
    try:
        done = cached(earlier_runs(c.out), c.ds, c.year - 1, c.params)
        ident = done if done is not None else identify(c.previous.frames, c.params, c.year - 1)
        return PreviousYear(ident, slim_households(c.previous.frames.get("households")))
    except JingzhunError as e:
        return PreviousYear(note=f"{c.year - 1}: {e.message}")
    except Exception as e:  # noqa: BLE001 - raised again in the report step, whose failure it is
        return PreviousYear(failure=f"{type(e).__name__}: {e}")


def step_compute(c: Context) -> Outcome:
    earlier = earlier_runs(c.out)
    by_year, households, notes = trend_years(c.ds, c.params, c.year, skip=(c.year, c.year - 1), earlier=earlier)
    by_year[c.year] = c.results["identify"]
    households[c.year] = slim_households(c.frames.get("households"))
    before = c.previous_year() if c.previous_year is not None else previous_year(c)
    if before is not None:
        if before.failure:
            raise JingzhunError(before.failure)
        if before.ident is not None:
            by_year[c.year - 1] = before.ident
            households[c.year - 1] = before.households
        elif before.note:
            notes["trend"] = before.note
    planned = c.results.get("plan")
    # Why a step's indicators are empty: the step's note (a table unreadable, not applicable, failed).
    for name, step in (("match", "match"), ("pairing", "plan"), ("audit", "audit"), ("funds", "audit")):
        if c.results.get(step) is None and c.results.get(f"{step}:note"):
            notes.setdefault(name, c.results[f"{step}:note"])
    model = build_report(
        params=c.params,
        data_year=c.year,
        identify_by_year=by_year,
        households_by_year=households,
        match_result=c.results.get("match"),
        plan_result=planned.result if planned is not None else None,
        funds=None,
        audit_report=c.results.get("audit"),
        notes=notes,
        payments=c.frames.get("payments"),
    )
    return Outcome(model, model.monitoring.findings if model.monitoring is not None else Findings(), model.summary())


def step_write(outcome: Outcome, d: Path, c: Context) -> None:
    d.mkdir()
    links = {FINDINGS_PAGE: "", **existing_links(c.tmp)}  # the findings page is written when every step is done
    write(outcome.value, d, xlsx=c.options.xlsx, templates=c.folders.templates, links=links)
