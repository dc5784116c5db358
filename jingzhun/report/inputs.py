"""The report's inputs computed from typed frames by the other areas' library functions.

``jingzhun report`` calls these; ``jingzhun run``, which already has the results of its
steps, passes them to :func:`jingzhun.report.model.build_report` directly and may use
:func:`trend_years` for the other year folders. An optional step that cannot run (its
table is absent or broken, or it fails) is skipped with a note; its indicators stay empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import JingzhunError
from jingzhun.i18n import t
from jingzhun.identify.cache import cached
from jingzhun.identify.core import IdentifyResult, identify
from jingzhun.params import Params
from jingzhun.tablespec import provided

# Tables read for the other years of the trend (identification only).
TREND_TABLES = ("households", "members", "villages", "crosscheck")
MAIN_TABLES = ("households", "members", "villages", "crosscheck", "dibao", "cadres", "projects", "payments")


@dataclass
class StepInputs:
    match_result: Any = None
    pairing: Any = None  # jingzhun.plan.pairing.Pairing
    funds: Any = None  # jingzhun.funds.summary.FundSummaries
    audit_report: Any = None  # jingzhun.audit.report.AuditReport
    notes: dict[str, str] = field(default_factory=dict)


def slim_households(households: pd.DataFrame | None) -> pd.DataFrame | None:
    """Only what the report reads from the households table besides identify: exit_year."""
    if households is None or not provided(households, "household_id"):
        return None
    cols = [c for c in ("household_id", "exit_year") if provided(households, c)]
    return households[cols].copy()


def _failed(e: BaseException) -> str:
    if isinstance(e, JingzhunError):
        return e.message
    return t(f"步骤出错: {type(e).__name__}: {e}", f"step failed: {type(e).__name__}: {e}")


def step_inputs(frames: dict[str, pd.DataFrame], params: Params, data_year: int, ident: IdentifyResult) -> StepInputs:
    """Run match, cadre pairing, fund summaries and the audit where their tables exist."""
    out = StepInputs()
    # Each optional step is independent: one failing must not stop the others or the report.
    if frames.get("dibao") is not None:
        try:
            from jingzhun.match.core import match

            out.match_result = match(frames, params, data_year)
        except Exception as e:  # noqa: BLE001 - a failing optional step is reported, not fatal
            out.notes["match"] = _failed(e)
    else:
        out.notes["match"] = t("没有低保名册 (dibao)", "no 低保 roster (dibao)")

    hh = frames["households"]
    if frames.get("cadres") is not None or provided(hh, "cadre_id"):
        try:
            from jingzhun.plan.core import plan_households
            from jingzhun.plan.pairing import pair

            caps = {k: int(v) for k, v in params.settings.cadre_caps.items()}
            out.pairing = pair(plan_households(hh), frames.get("cadres"), caps)
            if frames.get("cadres") is None:
                out.notes["pairing"] = t(
                    "没有帮扶责任人表 (cadres): 按户表中的帮扶责任人编号计算",
                    "no cadres table: the households' cadre_id is taken as is",
                )
        except Exception as e:  # noqa: BLE001 - a failing optional step is reported, not fatal
            out.notes["pairing"] = _failed(e)
    else:
        out.notes["pairing"] = t(
            "没有帮扶责任人表 (cadres) 和户表帮扶责任人列", "no cadres table and no cadre_id column"
        )

    if frames.get("projects") is not None or frames.get("payments") is not None:
        try:
            from jingzhun.funds.summary import fund_summaries

            out.funds = fund_summaries(frames, data_year)
        except Exception as e:  # noqa: BLE001 - a failing optional step is reported, not fatal
            out.notes["funds"] = _failed(e)
        try:
            out.audit_report = _audit(frames, params, data_year, ident)
        except Exception as e:  # noqa: BLE001 - a failing optional step is reported, not fatal
            out.notes["audit"] = _failed(e)
    else:
        msg = t("没有项目库 (projects) 和资金拨付 (payments) 表", "no projects or payments table")
        out.notes["funds"] = msg
        out.notes["audit"] = msg
    return out


def _audit(frames: dict[str, pd.DataFrame], params: Params, data_year: int, ident: IdentifyResult) -> Any:
    """The audit with the identification at hand (identify does not run a second time)."""
    from jingzhun.audit.api import compute

    return compute(frames, params, data_year, identified=ident.households)


def trend_years(
    dataset: Dataset,
    params: Params,
    data_year: int,
    skip: tuple[int, ...] = (),
    earlier: Sequence[Path] = (),
) -> tuple[dict[int, IdentifyResult], dict[int, pd.DataFrame | None], dict[str, str]]:
    """Identify every other year folder up to ``data_year`` (except ``skip``) for the trend.

    A year whose identification an earlier run in one of the folders ``earlier`` wrote with
    the same inputs, parameters and version is read from there (:mod:`jingzhun.identify.cache`);
    only its households table is read then (for the exit years).
    Returns identify results and slim households frames by year, and notes for the years
    that could not be read (a broken year is left out of the trend, never fatal).
    """
    results: dict[int, IdentifyResult] = {}
    households: dict[int, pd.DataFrame | None] = {}
    notes: list[str] = []
    for y in dataset.years:
        if y > data_year or y in skip:
            continue
        try:
            done = cached(earlier, dataset, y, params)
            yd = load_year(dataset, y, ("households",) if done is not None else TREND_TABLES)
            results[y] = done if done is not None else identify(yd.frames, params, y)
            households[y] = slim_households(yd.frames.get("households"))
        except JingzhunError as e:
            notes.append(f"{y}: {e.message}")
    return results, households, ({"trend": "; ".join(notes)} if notes else {})
