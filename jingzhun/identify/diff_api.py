"""The year-to-year diff's public API: :func:`compute` (新识别、脱贫、返贫、清退, members
added and removed) and :func:`write`; ``jingzhun diff`` and the ``diff`` step of ``jingzhun
run`` (:mod:`jingzhun.steps`) both go through here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from jingzhun.county import county_record, settle
from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import JingzhunError, UsageError
from jingzhun.findings import Findings
from jingzhun.i18n import t
from jingzhun.identify.diff import DiffResult, diff_years
from jingzhun.identify.monitoring import is_monitoring_year, monitoring_range
from jingzhun.identify.monitoring_diff import monitoring_changes
from jingzhun.io.write import write_csv, write_json, write_xlsx
from jingzhun.params import Params
from jingzhun.progress import Reporter, no_step
from jingzhun.steps import Context, Outcome, Skip


def resolve_years(ds: Dataset, from_year: int | None, to_year: int | None) -> tuple[int, int]:
    years = ds.years
    if to_year is None:
        to_year = ds.resolve_year(None)
    if from_year is None:
        earlier = [y for y in years if y < to_year]
        if not earlier:
            raise UsageError(
                t(f"{to_year} 年度之前没有可对比的年度", f"there is no data year before {to_year} to compare with"),
                t("用 --from 和 --to 指定两个不同的年度", "give two different years with --from and --to"),
            )
        from_year = earlier[-1]
    ds.resolve_year(from_year)
    ds.resolve_year(to_year)
    if from_year > to_year:
        raise UsageError(
            t(f"--from {from_year} 晚于 --to {to_year}", f"--from {from_year} is later than --to {to_year}"),
            t(
                f"--from 是较早的年度, 如 --from {to_year} --to {from_year}",
                f"--from is the earlier year, e.g. --from {to_year} --to {from_year}",
            ),
        )
    if from_year == to_year:
        raise UsageError(
            t(f"--from 和 --to 是同一个年度 {from_year}", f"--from and --to are the same year {from_year}"),
            t("请指定两个不同的年度", "give two different years"),
        )
    return from_year, to_year


def run_diff(
    dataset: Path,
    from_year: int | None,
    to_year: int | None,
    config: Path | None = None,
    progress: Reporter | None = None,
) -> tuple[DiffResult, Findings, Params]:
    """Both years read and compared; the parameters (dataset ``jingzhun.toml`` and ``--config``)
    are checked like in every command and name the county in ``summary.json``."""
    step = progress.step if progress is not None else no_step
    ds = Dataset.open(dataset)
    y1, y2 = resolve_years(ds, from_year, to_year)
    params = Params.load(ds.root, config)
    if is_monitoring_year(params, y2):  # the lines and the range stop before any reading
        params.poverty_line(y1 - 1), params.poverty_line(y2 - 1), monitoring_range(params, y2)
    with step("read"):
        old = load_year(ds, y1, ("households", "members"))
        new = load_year(ds, y2, ("households", "members"))
    settle(params, new.frames)
    with step("diff"):
        result = compute(old.frames, new.frames, y1, y2, params)
    findings = Findings()
    findings.extend([old.findings, new.findings, result.findings])
    return result, findings, params


def write_files(
    result: DiffResult, rendered: pd.DataFrame, d: Path, xlsx: bool, county: dict[str, Any] | None = None
) -> None:
    """Every output of diff into folder ``d`` (shared with ``jingzhun run``)."""
    write_csv(result.households, d / "households.csv")
    write_csv(result.members, d / "members.csv")
    write_csv(result.townships, d / "townships.csv")
    if result.monitoring is not None:
        write_csv(result.monitoring, d / "monitoring.csv")
    write_csv(rendered, d / "findings.csv")
    write_json(result.summary() | ({"county": county} if county is not None else {}), d / "summary.json")
    if xlsx:
        write_xlsx(
            {
                "households": result.households,
                "members": result.members,
                "townships": result.townships,
                "findings": rendered,
            },
            d / "diff.xlsx",
        )


def compute(
    old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame], y1: int, y2: int, params: Params | None = None
) -> DiffResult:
    """What changed between the frames of year ``y1`` and those of ``y2``; with ``params``, also
    the monitoring changes of monitoring years (新纳入监测, 风险消除, 返贫, 致贫)."""
    result = diff_years(old, new, y1, y2)
    if params is not None:
        result.monitoring = monitoring_changes(old["households"], new["households"], params, y1, y2)
    return result


def write(result: DiffResult, folder: Path, xlsx: bool = False, county: dict[str, Any] | None = None) -> None:
    """Every output of ``result`` (with its own findings) into ``folder``."""
    write_files(result, result.findings.render(), folder, xlsx, county)


def step_compute(c: Context) -> Outcome:
    if c.previous is None:
        if c.previous_error:
            raise JingzhunError(c.previous_error)
        raise Skip(t(f"没有 {c.year - 1} 年度文件夹", f"no {c.year - 1} year folder"))
    result = compute(c.previous.frames, c.frames, c.year - 1, c.year, c.params)
    return Outcome(result, result.findings, result.summary())


def step_write(outcome: Outcome, d: Path, c: Context) -> None:
    d.mkdir()
    write(outcome.value, d, c.options.xlsx, county_record(c.params))
