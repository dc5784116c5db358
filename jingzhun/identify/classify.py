"""Household result from income against the line, exclusion hits and exit readiness.

Boundaries (data-contract §5, issue 3):
``poor``       income < line
``edge``       line ≤ income < edge_multiplier × line (边缘易致贫户; 脱贫不稳定户 when
               registered and exited)
``not_poor``   the rest
``excluded``   poor or edge by income, but a current member hits an enabled exclusion source
``undetermined`` income incomplete, household size not a positive number, or an input
               outside its range rule (``I-INPUT-RANGE``: never poor, edge or exit-ready)
Exit (registered, status 未脱贫 or 返贫): income > exit line and every guarantee holds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jingzhun.identify.exclusion import SOURCE_CODES
from jingzhun.identify.members import map_keys
from jingzhun.tablespec import conform

EXITED_PREFIX = "已脱贫"
EDGE_NEW = "边缘易致贫户"
EDGE_UNSTABLE = "脱贫不稳定户"
GAP_CODES: dict[str, str] = {
    "housing_gap": "I-GAP-HOUSING",
    "education_gap": "I-GAP-EDUCATION",
    "medical_gap": "I-GAP-MEDICAL",
    "water_gap": "I-GAP-WATER",
}


def join_codes(index: pd.Index, parts: Sequence[tuple[pd.Series | np.ndarray, str]]) -> pd.Series:
    """Vectorised ``;``-join of the codes whose mask is True, in the given order.

    Rows are grouped by their pattern of true masks (few distinct patterns), the text
    is built once per pattern and mapped back.
    """
    n = len(index)
    if not parts or n == 0:
        return pd.Series("", index=index, dtype="str")
    m = np.column_stack([np.asarray(pd.Series(mask, index=index).fillna(False), dtype=bool) for mask, _ in parts])
    packed = np.packbits(m, axis=1)
    if packed.shape[1] <= 8:  # the pattern fits one 64-bit key: hash it instead of sorting rows
        wide = np.zeros((n, 8), dtype=np.uint8)
        wide[:, : packed.shape[1]] = packed
        inverse, uniq = pd.factorize(wide.view(np.uint64).ravel())
        patterns = uniq.view(np.uint8).reshape(-1, 8)[:, : packed.shape[1]]
    else:
        patterns, inverse = np.unique(packed, axis=0, return_inverse=True)
    unpacked = np.unpackbits(patterns, axis=1, count=len(parts)).astype(bool)
    codes = [code for _, code in parts]
    texts = np.array([";".join(c for c, on in zip(codes, row, strict=True) if on) for row in unpacked], dtype=object)
    return pd.Series(texts[inverse.ravel()], index=index, dtype="str")


def register_state(households: pd.DataFrame) -> pd.DataFrame:
    """``registered`` (bool), ``exited`` (status 已脱贫…), ``active`` (registered, not exited)."""
    households = conform("households", households)
    idx = households.index
    registered = households["registered"].astype("boolean").fillna(False).astype(bool)
    status = households["status"].astype("str").str.strip()
    exited = status.str.startswith(EXITED_PREFIX).fillna(False).astype(bool)
    return pd.DataFrame(
        {"registered": registered, "exited": registered & exited, "active": registered & ~exited}, index=idx
    )


def determinable(income: pd.DataFrame) -> pd.Series:
    """Income complete, household size positive and every input within its range rule."""
    ok = income["income_complete"] & income["size_ok"]
    if "in_range" in income.columns:
        ok = ok & income["in_range"]
    return ok.astype(bool)


def income_results(
    households: pd.DataFrame, income: pd.DataFrame, hit_sources: pd.Series, lines: dict[str, float]
) -> dict[str, pd.Series]:
    """The income bands (``below``, ``edge``, ``above``), ``sources`` hit, ``excluded``,
    ``income_result`` and ``result`` per household: the part of :func:`classify` that
    decides the result (the audit's eligibility needs only this)."""
    idx = households.index
    hid = households["household_id"].astype("str")
    pc = income["per_capita_net_income"]
    sure = determinable(income)
    line, edge_line = lines["line"], lines["edge_line"]

    below = (sure & (pc < line)).fillna(False).astype(bool)
    edge = (sure & (pc >= line) & (pc < edge_line)).fillna(False).astype(bool)
    above = (sure & (pc >= edge_line)).fillna(False).astype(bool)
    sources = map_keys(hid, hit_sources).astype("str")
    has_hit = sources.notna() & (sources != "")
    excluded = (below | edge) & has_hit

    income_result = pd.Series("undetermined", index=idx, dtype="str")
    income_result[below] = "poor"
    income_result[edge] = "edge"
    income_result[above] = "not_poor"
    result = income_result.copy()
    result[excluded] = "excluded"
    return {
        "below": below,
        "edge": edge,
        "above": above,
        "sources": sources,
        "excluded": excluded,
        "income_result": income_result,
        "result": result,
    }


def classify(
    households: pd.DataFrame,
    income: pd.DataFrame,
    gaps: pd.DataFrame,
    hit_sources: pd.Series,
    lines: dict[str, float],
) -> pd.DataFrame:
    """Result, income_result, edge_kind, exit_ready, exit_blockers and reasons per household.

    ``hit_sources`` maps household_id → ``;``-joined enabled exclusion sources hit.
    ``lines`` holds ``line``, ``edge_line`` and ``exit_line`` of the income year.
    """
    idx = households.index
    state = register_state(households)
    pc = income["per_capita_net_income"]
    sure = determinable(income)
    exit_line = lines["exit_line"]
    r = income_results(households, income, hit_sources, lines)
    below, edge, above, sources, excluded = r["below"], r["edge"], r["above"], r["sources"], r["excluded"]
    income_result, result = r["income_result"], r["result"]

    edge_kind = pd.Series(pd.NA, index=idx, dtype="str")
    edge_kind[edge & ~excluded] = EDGE_NEW
    edge_kind[edge & ~excluded & state["exited"]] = EDGE_UNSTABLE

    gap_true = {c: gaps[c].fillna(True).astype(bool) for c in GAP_CODES}  # unknown ≠ shown to hold
    guarantees_hold = ~(
        gap_true["housing_gap"] | gap_true["education_gap"] | gap_true["medical_gap"] | gap_true["water_gap"]
    )
    income_ok = (sure & (pc > exit_line)).fillna(False).astype(bool)
    active = state["active"]
    ready = active & income_ok & guarantees_hold
    exit_ready = pd.Series(pd.NA, index=idx, dtype="boolean")
    exit_ready[active] = ready[active]

    size_bad = ~income["size_ok"]
    missing = ~income["income_complete"]
    ranged = ~income["in_range"] if "in_range" in income.columns else pd.Series(False, index=idx)
    blocker_parts: list[tuple[pd.Series, str]] = [
        (active & missing, "I-INCOME-MISSING"),
        (active & size_bad, "I-SIZE-INVALID"),
        (active & ranged, "I-INPUT-RANGE"),
        (active & sure & ~income_ok, "I-EXIT-INCOME"),
    ]
    blocker_parts += [(active & gap_true[c], code) for c, code in GAP_CODES.items()]
    exit_blockers = join_codes(idx, blocker_parts)

    reason_parts: list[tuple[pd.Series, str]] = [
        (missing, "I-INCOME-MISSING"),
        (size_bad, "I-SIZE-INVALID"),
        (ranged, "I-INPUT-RANGE"),
        (below, "I-INCOME-BELOW-LINE"),
        (edge, "I-INCOME-EDGE"),
        (above, "I-INCOME-ABOVE-EDGE"),
        (income["income_mismatch"], "I-INCOME-MISMATCH"),
    ]
    for source, code in SOURCE_CODES.items():
        reason_parts.append((excluded & sources.str.contains(source, regex=False).fillna(False).astype(bool), code))
    reason_parts += [(gaps[c].fillna(False).astype(bool), code) for c, code in GAP_CODES.items()]
    reason_parts += [(active & sure & ~income_ok, "I-EXIT-INCOME"), (ready, "I-EXIT-READY")]
    reasons = join_codes(idx, reason_parts)

    return pd.DataFrame(
        {
            "registered": state["registered"],
            "exited": state["exited"],
            "active": active,
            "result": result,
            "income_result": income_result,
            "edge_kind": edge_kind,
            "exit_ready": exit_ready,
            "exit_blockers": exit_blockers,
            "reasons": reasons,
        },
        index=idx,
    )
