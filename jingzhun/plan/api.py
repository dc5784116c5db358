"""The plan's public API: :func:`plan_frames` (一户一策, 结对帮扶 and the document model),
:func:`write` (plans, cadres, findings and the 户卡村册乡簿县档); ``jingzhun plan`` and the
``plan`` step of ``jingzhun run`` (:mod:`jingzhun.steps`) both go through here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from jingzhun import county
from jingzhun.county import is_area, settle
from jingzhun.dataset import Dataset, load_year
from jingzhun.executors import SERIAL, Executor
from jingzhun.findings import Findings
from jingzhun.identify.core import identify
from jingzhun.io.write import write_csv, write_xlsx
from jingzhun.params import Params
from jingzhun.plan import docs
from jingzhun.plan.books import write_books
from jingzhun.plan.core import PlanResult, make_plans, summary
from jingzhun.plan.measures import load_rules, rules_file
from jingzhun.plan.usable import for_documents
from jingzhun.progress import Reporter, no_step
from jingzhun.render import Templates
from jingzhun.steps import Context, Outcome

TABLES = ("households", "members", "villages", "cadres", "crosscheck")


def county_info(params: Params) -> dict[str, Any]:
    return dict(county.county_info(params))


def run_plan(
    dataset: Path, year: int | None, config: Path | None, measures: Path | None, progress: Reporter | None = None
) -> tuple[PlanResult, Findings, docs.DocModel, Params]:
    step = progress.step if progress is not None else no_step
    ds = Dataset.open(dataset)
    data_year = ds.resolve_year(year)
    params = Params.load(ds.root, config)
    rules = load_rules(rules_file(ds.root, measures))
    with step("read"):
        yd = load_year(ds, data_year, TABLES)
    settle(params, yd.frames)
    with step("identify"):
        ident = identify(yd.frames, params, data_year)
    with step("plan"):
        result, own, model = plan_frames(yd.frames, params, data_year, ident.households, rules)
    findings = Findings()
    findings.extend([yd.findings, own])
    return result, findings, model, params


def plan_frames(
    frames: dict[str, pd.DataFrame], params: Params, data_year: int, identified: pd.DataFrame, rules: list
) -> tuple[PlanResult, Findings, docs.DocModel]:
    """Plans, pairing and the document model from typed frames and the identify households.

    Households and villages that cannot go into a document (duplicate or missing key, bad
    village code) are left out first, with findings (:mod:`jingzhun.plan.usable`)."""
    frames, left_out = for_documents(frames, ("households", "villages"))
    result = make_plans(
        frames["households"], frames.get("members"), frames.get("cadres"), params, data_year, identified, rules
    )
    findings = Findings()
    findings.extend(left_out)
    if "cadres" not in frames and not is_area(str(params.settings.county.code)):  # else per county (pairing)
        findings.add("P-NO-CADRES", table="cadres", detail=str(data_year))
    findings.extend(result.findings)
    model = docs.build(
        result,
        frames["households"],
        frames.get("members"),
        frames.get("cadres"),
        frames.get("villages"),
        county_info(params),
        data_year,
        identified,
    )
    return result, findings, model


def write_files(
    result: PlanResult,
    rendered: pd.DataFrame,
    model: docs.DocModel,
    d: Path,
    *,
    xlsx: bool,
    books: bool,
    templates: Templates,
    docx: bool,
    executor: Executor = SERIAL,
) -> list[Path]:
    """Every output of plan into folder ``d`` (shared with ``jingzhun run``); returns the documents."""
    write_csv(result.plans, d / "plans.csv")
    write_csv(result.cadres, d / "cadres.csv")
    write_csv(rendered, d / "findings.csv")
    if xlsx:
        write_xlsx({"plans": result.plans, "cadres": result.cadres, "findings": rendered}, d / "plan.xlsx")
    return write_books(model, d / "books", templates, docx, executor) if books else []


@dataclass
class Planned:
    """What :func:`compute` returns: the plans, every finding of planning, the document model."""

    result: PlanResult
    findings: Findings
    model: docs.DocModel


def compute(
    frames: dict[str, pd.DataFrame], params: Params, data_year: int, identified: pd.DataFrame, rules: list
) -> Planned:
    """:func:`plan_frames` as one typed result."""
    return Planned(*plan_frames(frames, params, data_year, identified, rules))


def write(
    planned: Planned,
    folder: Path,
    *,
    xlsx: bool = False,
    books: bool = True,
    templates: Templates = None,
    docx: bool = True,
    executor: Executor = SERIAL,
) -> list[Path]:
    """Every output of ``planned`` into ``folder``; returns the documents written."""
    return write_files(
        planned.result,
        planned.findings.render(),
        planned.model,
        folder,
        xlsx=xlsx,
        books=books,
        templates=templates,
        docx=docx,
        executor=executor,
    )


def step_compute(c: Context) -> Outcome:
    rules = load_rules(rules_file(c.ds.root, None))
    planned = compute(c.frames, c.params, c.year, c.results["identify"].households, rules)
    return Outcome(planned, planned.findings, summary(planned.result))


def step_write(outcome: Outcome, d: Path, c: Context) -> None:
    d.mkdir()
    o = c.options
    files = write(
        outcome.value, d, xlsx=o.xlsx, books=o.books, templates=c.folders.templates, docx=o.docx, executor=c.executor
    )
    outcome.summary["documents"] = len(files)
