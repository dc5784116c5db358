"""Per-capita net income as the national form computes it (domain.md §1.4).

    年收入 = 工资性 + 生产经营性 + 财产性 + 转移性 (counted components)
    纯收入 = 年收入 − 生产经营性支出
    人均纯收入 = 纯收入 / 家庭人口数

Which transfer components count is the parameter ``identify.counted_transfers``
(default: all but ``pension_benefit``, 国办发〔2016〕70号). When a household has no
component filled, its ``transfer_income`` total is used as it is; when the total exceeds
the filled components, the part not itemised counts too. A required component
left empty makes the household's income incomplete: it is never taken as zero.

An input outside its range rule in ``schemas/households.yaml`` (household size 1–20,
income components 0 to 1亿元, never inf/nan) makes the household's income
undeterminable too: an absurd number never decides a public result (issue 17 item 3).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import pandas as pd

from jingzhun.errors import InputError
from jingzhun.i18n import t
from jingzhun.ids import code_labels
from jingzhun.params import Params
from jingzhun.resources import resource_dir
from jingzhun.tablespec import conform

REQUIRED_COMPONENTS: tuple[str, ...] = ("wage_income", "business_income", "property_income", "business_expense")
TRANSFER_COMPONENTS: tuple[str, ...] = (
    "family_planning_benefit",
    "dibao_benefit",
    "tekun_benefit",
    "pension_benefit",
    "eco_compensation",
    "other_transfer",
)

INCOME_COLUMNS: tuple[str, ...] = (
    "gross_income",
    "transfer_counted",
    "transfer_all",
    "transfer_source",
    "net_income",
    "per_capita_net_income",
    "income_complete",
    "missing_components",
    "size_ok",
    "reported_per_capita_income",
    "income_difference",
    "income_mismatch",
)


# The inputs of the income computation whose range rules decide whether it can be made.
RANGE_COLUMNS: tuple[str, ...] = (*REQUIRED_COMPONENTS, "transfer_income", *TRANSFER_COMPONENTS, "household_size")


def _households_schema() -> dict[str, Any]:
    """``schemas/households.yaml`` as plain data, read as ``jingzhun.schema.loader.read_yaml`` reads it
    but without importing that module: it imports pandera, about a second of CPU that identify,
    match and audit never use otherwise."""
    import yaml

    path = resource_dir("schemas") / "households.yaml"
    try:
        with path.open(encoding="utf-8") as f:
            data = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError) as e:
        raise InputError(
            t(f"无法读取校验规则文件 {path}: {e}", f"cannot read schema file {path}: {e}"),
            t("请重新安装 jingzhun 或检查 schemas/ 文件夹", "reinstall jingzhun or check the schemas/ folder"),
        ) from None
    if not isinstance(data, dict):
        raise InputError(t(f"校验规则文件 {path} 不是 YAML 映射", f"schema file {path} is not a YAML mapping"))
    return data


@functools.cache
def input_ranges() -> dict[str, tuple[float, float]]:
    """``column -> (min, max)`` of the range checks in ``schemas/households.yaml``."""
    columns = _households_schema().get("columns") or {}
    out: dict[str, tuple[float, float]] = {}
    for col in RANGE_COLUMNS:
        checks = (columns.get(col) or {}).get("checks") or {}
        lo, hi = -math.inf, math.inf
        for name, spec in checks.items():
            spec = spec or {}
            if name in ("in_range", "greater_than_or_equal_to", "greater_than") and "min_value" in spec:
                lo = max(lo, float(spec["min_value"]))
            if name in ("in_range", "less_than_or_equal_to", "less_than") and "max_value" in spec:
                hi = min(hi, float(spec["max_value"]))
        out[col] = (lo, hi)
    return out


def out_of_range(households: pd.DataFrame) -> pd.Series:
    """Per household, the ``;``-joined inputs outside their range rule (or not finite);
    empty text when every input present is sane. Empty inputs are not range failures."""
    households = conform("households", households)
    failing: dict[str, np.ndarray] = {}
    for col, (lo, hi) in input_ranges().items():
        v = pd.to_numeric(households[col], errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            failing[col] = ~np.isnan(v) & (~np.isfinite(v) | (v < lo) | (v > hi))
    return names_where(failing, households.index)


def names_where(flags: dict[str, np.ndarray], index: pd.Index) -> pd.Series:
    """Per row, the names whose flag is true, ``;``-joined in the order given ("" when none). One
    text per distinct combination, taken in Arrow: no string is built per row."""
    names = list(flags)
    code = np.zeros(len(index), dtype=np.int64)
    for bit, name in enumerate(names):
        code |= np.asarray(flags[name], dtype=bool).astype(np.int64) << bit
    present = np.flatnonzero(np.bincount(code, minlength=1))
    slot = np.zeros(int(present[-1]) + 1 if len(present) else 1, dtype=np.int64)
    slot[present] = np.arange(len(present))
    labels = tuple(";".join(n for b, n in enumerate(names) if combo >> b & 1) for combo in present.tolist())
    return code_labels(slot[code], labels, index)


def _money(df: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(df[col], errors="coerce").astype("Float64")


def counted_transfers(params: Params) -> list[str]:
    names = list(params.settings.identify.counted_transfers)
    return [n for n in names if n in TRANSFER_COMPONENTS]


def per_capita_income(households: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Recomputed income per household, aligned to ``households`` (same index).

    Columns: ``gross_income``, ``transfer_counted``, ``transfer_all`` (every component,
    or the reported total), ``transfer_source`` (``components`` / ``total`` / ``none``),
    ``net_income``, ``per_capita_net_income`` (2 decimals; NA when incomplete or the
    household size is not a positive number), ``income_complete`` (bool),
    ``missing_components`` (names of required components left empty, ``;``-joined),
    ``size_ok`` (household_size ≥ 1), ``reported_per_capita_income``,
    ``income_difference`` (reported − recomputed) and ``income_mismatch``
    (|difference| > ``identify.income_tolerance``); not written out: ``out_of_range``
    (inputs failing their range rule, :func:`out_of_range`) and ``in_range`` (none fails;
    otherwise per-capita income is NA and the household undetermined).
    """
    households = conform("households", households)
    idx = households.index
    counted = counted_transfers(params)
    tolerance = float(params.settings.identify.income_tolerance)

    required = {c: _money(households, c) for c in REQUIRED_COMPONENTS}
    missing = names_where({c: s.isna().to_numpy(dtype=bool) for c, s in required.items()}, idx)
    complete = (missing == "").astype(bool)

    comps = {c: _money(households, c) for c in TRANSFER_COMPONENTS}
    comp_frame = pd.DataFrame(comps, index=idx)
    has_components = comp_frame.notna().any(axis=1).astype(bool)
    comp_counted = (
        comp_frame[counted].fillna(0).sum(axis=1).astype("Float64")
        if counted
        else pd.Series(0.0, index=idx, dtype="Float64")
    )
    comp_all = comp_frame.fillna(0).sum(axis=1).astype("Float64")
    total = _money(households, "transfer_income")
    has_total = total.notna().astype(bool)

    # A reported total larger than its filled components holds transfers not itemised:
    # they count (nothing reported is dropped, nothing is counted twice).
    remainder = (total.fillna(0) - comp_all).clip(lower=0)
    transfer_counted = comp_counted + remainder
    transfer_all = comp_all + remainder
    source = pd.Series("none", index=idx, dtype="str")
    source[has_total & ~has_components] = "total"
    source[has_components] = "components"
    source[has_components & (remainder > 0).fillna(False).astype(bool)] = "components+total"

    gross = required["wage_income"] + required["business_income"] + required["property_income"] + transfer_counted
    net = gross - required["business_expense"]

    size = pd.to_numeric(households["household_size"], errors="coerce").astype("Float64")
    size_ok = (size >= 1).fillna(False).astype(bool)
    ranged = out_of_range(households)
    in_range = (ranged == "").astype(bool)
    usable = complete & size_ok & in_range
    with np.errstate(over="ignore", invalid="ignore"):  # masked-out absurd values still pass through numpy
        per_capita = (net.where(usable) / size.where(usable)).round(2)
    per_capita = per_capita.where(np.isfinite(per_capita.to_numpy(dtype=float, na_value=np.nan)))

    reported = _money(households, "per_capita_net_income")
    diff = (reported - per_capita).round(2)
    mismatch = (diff.abs() > tolerance).fillna(False).astype(bool)

    return pd.DataFrame(
        {
            "gross_income": gross.where(complete),
            "transfer_counted": transfer_counted,
            "transfer_all": transfer_all,
            "transfer_source": source,
            "net_income": net.where(complete),
            "per_capita_net_income": per_capita,
            "income_complete": complete,
            "missing_components": missing.astype("str"),
            "size_ok": size_ok,
            "reported_per_capita_income": reported,
            "income_difference": diff,
            "income_mismatch": mismatch,
            "out_of_range": ranged,
            "in_range": in_range,
        },
        index=idx,
    )
