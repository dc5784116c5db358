"""Policy parameters: packaged defaults, dataset ``jingzhun.toml``, run ``--config``.

Every value remembers where it came from (``default``, the dataset file or the run
file) so outputs can record the parameters they used (data-contract §4).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jingzhun.errors import ConfigError
from jingzhun.i18n import t

DEFAULTS_FILE = Path(__file__).with_name("params_default.toml")
DATASET_FILE = "jingzhun.toml"

# Tables whose keys are open (a new income year, measure, rank …) with the value type.
OPEN_TABLES: dict[str, type] = {
    "poverty_line": float,
    "exit_line": float,
    "cadre_caps": int,
    "subsidy_caps": float,
    "indicator_weights": float,
    "monitoring_range": float,
}


@dataclass(frozen=True)
class Range:
    """The valid values of a numeric parameter: ``lo ≤ v ≤ hi`` (``lo < v`` when ``lo_open``), finite."""

    lo: float
    hi: float
    lo_open: bool = False

    def ok(self, v: float) -> bool:
        return math.isfinite(v) and (v > self.lo if self.lo_open else v >= self.lo) and v <= self.hi

    def text(self) -> str:
        return f"{'(' if self.lo_open else '['}{self.lo:g}, {self.hi:g}]"


FRACTION = Range(0, 1)  # a share or a similarity
MONEY = Range(0, 1e9)  # 元, 0 allowed (0 = not evaluated / no minimum)
MONEY_POS = Range(0, 1e9, lo_open=True)  # 元, above 0
MULTIPLE = Range(0, 100, lo_open=True)  # a multiplier
DAYS = Range(1, 365)  # a notice period
COUNT = Range(1, 1e7)  # households, rows, findings
YEAR = Range(2000, 2100)

# Valid range of every numeric parameter (``table.*`` covers an open table's keys).
# tests/test_params.py checks that every numeric default has one.
RANGES: dict[str, Range] = {
    "poverty_line.*": MONEY_POS,
    "exit_line.*": MONEY_POS,
    "identify.edge_multiplier": Range(1, 10),
    "identify.income_tolerance": Range(0, 10000),
    "identify.school_age_min": Range(0, 25),
    "identify.school_age_max": Range(0, 25),
    "region.exit_incidence": FRACTION,
    "region.exit_incidence_west": FRACTION,
    "village_rule.incidence_multiple": MULTIPLE,
    "village_rule.income_share": FRACTION,
    "village_rule.province_incidence": FRACTION,
    "village_rule.province_avg_income": MONEY,
    "notice_days.households": DAYS,
    "notice_days.projects": DAYS,
    "notice_days.monitoring": DAYS,
    "cadre_caps.*": Range(1, 1000),
    "audit.contract_threshold": MONEY,
    "audit.idle_share": FRACTION,
    "audit.idle_days": Range(1, 3650),
    "audit.equal_split_tolerance": FRACTION,
    "audit.equal_split_min_households": Range(2, 1e7),
    "audit.shared_account_min_households": Range(2, 1e7),
    "audit.top_findings": Range(0, 1e6),
    "audit.outlier_factor": Range(1.5, 1000),
    "audit.outlier_min_households": Range(3, 1e7),
    "subsidy_caps.*": MONEY_POS,
    "plan.final_exit_year": YEAR,
    "match.review_threshold": FRACTION,
    "match.name_confirm": FRACTION,
    "match.name_village_min": FRACTION,
    "match.benefit_tolerance": Range(0, 10),
    "match.benefit_tolerance_abs": MONEY,
    "match.name_max_length": Range(4, 1000),
    "report.exit_year_offset": Range(0, 10),
    "report.html_village_rows": COUNT,
    "indicator_weights.*": Range(0, 100),
    "monitoring.first_year": YEAR,
    "monitoring.observation_months": Range(0, 120),
    "monitoring.rigid_expense_ratio": MULTIPLE,
    "monitoring.income_drop_share": FRACTION,
    "monitoring_range.*": MONEY_POS,
    "limits.max_cell_chars": Range(1, 1e8),
    "limits.max_rows": Range(1, 1e10),
    "limits.max_excel_cells": Range(1, 1e12),
    "limits.max_unpacked_mb": Range(1, 1e7),
}

# Text parameters with a fixed form or a closed set of values.
PATTERNS: dict[str, tuple[str, str]] = {
    "county.code": (r"(\d\d){0,3}", '"" / 2、4、6 位数字 (2, 4 or 6 digits)'),
    "region.name": (r"东部|中部|西部", "东部 / 中部 / 西部"),
    "village_rule.mode": (r"all|two_of_three", "all / two_of_three"),
}


# Pairs that must be in order (low ≤ high).
ORDERED: tuple[tuple[str, str], ...] = (("identify.school_age_min", "identify.school_age_max"),)


def range_of(name: str) -> Range | None:
    """The declared range of parameter ``name`` (an exact entry, else its open table's ``table.*``)."""
    return RANGES.get(name) or RANGES.get(name.split(".", 1)[0] + ".*")


def check_value(name: str, value: Any, origin: str) -> None:
    """ConfigError (exit 3) naming the key, the value, the allowed values and the file when ``value`` is out of range."""
    allowed = ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        rng = range_of(name)
        if rng is not None and not rng.ok(float(value)):
            allowed = rng.text()
    elif isinstance(value, str) and name in PATTERNS and not re.fullmatch(PATTERNS[name][0], value):
        allowed = PATTERNS[name][1]
    if allowed:
        raise ConfigError(
            t(
                f"参数 {name} = {value!r} 超出允许范围 {allowed} (文件 {origin})",
                f"parameter {name} = {value!r} is outside the allowed values {allowed} (in {origin})",
            ),
            t(f"请在 {origin} 中把 {name} 改为 {allowed} 之内的值", f"set {name} in {origin} to a value in {allowed}"),
        )


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, name + "."))
        else:
            out[name] = v
    return out


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file saved as UTF-8 (with or without BOM), GBK or GB18030 (Windows Notepad)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(t(f"找不到参数文件 {path}", f"parameter file {path} not found")) from None
    except OSError as e:
        raise ConfigError(
            t(
                f"无法读取参数文件 {path}: {e.strerror or e}",
                f"cannot read the parameter file {path}: {e.strerror or e}",
            )
        ) from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ConfigError(
            t(f"参数文件 {path} 的编码无法识别", f"the encoding of parameter file {path} is not recognised"),
            t("请另存为 UTF-8 编码", "save it as UTF-8"),
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(
            t(f"参数文件 {path} 格式错误: {e}", f"parameter file {path} is not valid TOML: {e}"),
            t("请按 TOML 格式书写, 例如 edge_multiplier = 1.5", "write TOML, e.g. edge_multiplier = 1.5"),
        ) from None


def _type_ok(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(expected, bool) and isinstance(value, bool)
    if isinstance(expected, int):
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(expected, float):
        return isinstance(value, (int, float))
    if isinstance(expected, list):
        return isinstance(value, list) and all(isinstance(x, str) for x in value)
    return isinstance(value, type(expected))


def _type_name(v: Any) -> str:
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, int):
        return t("整数", "whole number")
    if isinstance(v, (int, float)):
        return t("数字", "number")
    if isinstance(v, list):
        return t("文字列表", "list of text")
    return t("文字", "text")


@dataclass
class Params:
    """Flat ``dotted.name -> value`` with the origin of each value."""

    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, dataset: str | Path | None = None, config: str | Path | None = None) -> Params:
        p = cls()
        p._merge(_flatten(_read_toml(DEFAULTS_FILE)), "default", strict=False)
        if dataset is not None:
            ds_file = Path(dataset) / DATASET_FILE
            if Path(dataset).is_dir() and ds_file.is_file():
                p._merge(_flatten(_read_toml(ds_file)), str(ds_file), strict=True)
        if config is not None:
            p._merge(_flatten(_read_toml(Path(config))), str(config), strict=True)
        p._check_order()
        return p

    def _check_order(self) -> None:
        for lo, hi in ORDERED:
            if self.values[lo] > self.values[hi]:
                where = ", ".join(sorted({self.origins[lo], self.origins[hi]}))
                raise ConfigError(
                    t(
                        f"参数 {lo} = {self.values[lo]} 大于 {hi} = {self.values[hi]} (文件 {where})",
                        f"parameter {lo} = {self.values[lo]} is above {hi} = {self.values[hi]} (in {where})",
                    ),
                    t(f"{lo} 应不大于 {hi}", f"{lo} must not exceed {hi}"),
                )

    def _merge(self, flat: dict[str, Any], origin: str, strict: bool) -> None:
        for name, value in flat.items():
            table = name.split(".", 1)[0] if "." in name else ""
            if strict:
                if table in OPEN_TABLES:
                    want = OPEN_TABLES[table]
                    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
                    if want is int:
                        ok = ok and float(value).is_integer()
                    if not ok:
                        raise ConfigError(
                            t(
                                f"参数 {name} 的值应为数字, 文件 {origin}",
                                f"parameter {name} must be a number ({origin})",
                            )
                        )
                elif name not in self.values:
                    raise ConfigError(
                        t(f"未知参数 {name} (文件 {origin})", f"unknown parameter {name} (in {origin})"),
                        t("用 jingzhun params 查看可用的参数", "run jingzhun params to list the parameters"),
                    )
                elif not _type_ok(self.values[name], value):
                    raise ConfigError(
                        t(
                            f"参数 {name} 类型错误 (文件 {origin}): 应为{_type_name(self.values[name])}",
                            f"parameter {name} has the wrong type (in {origin}): expected {_type_name(self.values[name])}",
                        )
                    )
            check_value(name, value, origin)
            self.values[name] = value
            self.origins[name] = origin

    def get(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise ConfigError(t(f"缺少参数 {name}", f"parameter {name} is not set")) from None

    def table(self, prefix: str) -> dict[str, Any]:
        """All values under ``prefix.`` as a plain dict (keys without the prefix)."""
        pre = prefix + "."
        return {k[len(pre) :]: v for k, v in self.values.items() if k.startswith(pre)}

    def poverty_line(self, income_year: int) -> float:
        key = f"poverty_line.{income_year}"
        if key not in self.values:
            raise ConfigError(
                t(
                    f"没有配置 {income_year} 年的扶贫标准 (参数 {key})",
                    f"no poverty line for income year {income_year} (parameter {key})",
                ),
                t(
                    f"请在 jingzhun.toml 的 [poverty_line] 下加入 {income_year} = 金额",
                    f"add {income_year} = amount under [poverty_line] in jingzhun.toml",
                ),
            )
        return float(self.values[key])

    def exit_line(self, income_year: int) -> float:
        key = f"exit_line.{income_year}"
        if key in self.values:
            return float(self.values[key])
        return self.poverty_line(income_year)

    def origin_of(self, name: str) -> str:
        return self.origins.get(name, "")

    def records(self) -> list[dict[str, Any]]:
        """Every parameter with its value and origin, sorted (for outputs and manifests)."""
        return [{"name": k, "value": self.values[k], "origin": self.origins[k]} for k in sorted(self.values)]
