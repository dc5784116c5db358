"""Policy parameters: packaged defaults, dataset ``jingzhun.toml``, run ``--config``.

Every value remembers where it came from (``default``, the dataset file or the run
file) so outputs can record the parameters they used (data-contract §4). Code reads
them typed: ``params.settings.audit.idle_days`` (frozen dataclasses, one per section,
built and checked when the files are loaded; see :class:`Settings`).
"""

from __future__ import annotations

import math
import re
import tomllib
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from jingzhun.errors import ConfigError
from jingzhun.i18n import t
from jingzhun.profile import DATASET_PARAMS, PROFILE_KEY, Sources, resolve

DEFAULTS_FILE = Path(__file__).with_name("params_default.toml")
DATASET_FILE = DATASET_PARAMS

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
    """ConfigError (exit 3) naming the key, the value, the allowed values and the file if ``value`` is out of range."""
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


# ---- typed settings -----------------------------------------------------------------------
# One frozen dataclass per section of params_default.toml (tests/test_params.py checks that
# the fields and the file's keys are the same). Lists become tuples, open tables read-only
# mappings, so nothing can change a value after it was loaded.


@dataclass(frozen=True)
class CountySettings:
    code: str
    name: str
    prefecture: str
    province: str
    issuer: str


@dataclass(frozen=True)
class IdentifySettings:
    edge_multiplier: float
    counted_transfers: tuple[str, ...]
    exclusion_sources: tuple[str, ...]
    income_tolerance: float
    school_age_min: int
    school_age_max: int
    exempt_disabled_home_schooling: bool


@dataclass(frozen=True)
class RegionSettings:
    name: str
    exit_incidence: float
    exit_incidence_west: float


@dataclass(frozen=True)
class VillageRuleSettings:
    mode: str
    incidence_multiple: float
    income_share: float
    province_incidence: float
    province_avg_income: float


@dataclass(frozen=True)
class NoticeDaysSettings:
    households: int
    projects: int
    monitoring: int


@dataclass(frozen=True)
class NoticeSettings:
    health_words: tuple[str, ...]


@dataclass(frozen=True)
class SupervisionPhones:
    county: str
    township: str
    village: str
    national: str


@dataclass(frozen=True)
class AuditSettings:
    contract_threshold: float
    contract_exempt_categories: tuple[str, ...]
    idle_share: float
    idle_days: int
    equal_split_tolerance: float
    equal_split_min_households: int
    equal_split_categories: tuple[str, ...]
    shared_account_min_households: int
    kin_sources: tuple[str, ...]
    outlier_factor: float
    outlier_min_households: int
    recurring_measures: tuple[str, ...]
    nonregistered_measures: tuple[str, ...]
    negative_list: tuple[str, ...]
    negative_list_allow: tuple[str, ...]
    top_findings: int


@dataclass(frozen=True)
class PlanSettings:
    final_exit_year: int


@dataclass(frozen=True)
class MatchSettings:
    review_threshold: float
    name_confirm: float
    name_village_min: float
    benefit_tolerance: float
    benefit_tolerance_abs: float
    name_max_length: int


@dataclass(frozen=True)
class ReportSettings:
    exit_year_offset: int
    html_village_rows: int


@dataclass(frozen=True)
class MonitoringSettings:
    first_year: int
    observation_months: int
    rigid_expense_ratio: float
    income_drop_share: float
    hold_without_labour: bool
    development_measures: tuple[str, ...]


@dataclass(frozen=True)
class LimitsSettings:
    max_cell_chars: int
    max_rows: int
    max_excel_cells: int
    max_unpacked_mb: int


@dataclass(frozen=True)
class Settings:
    """All parameters, typed: ``settings.audit.idle_days``; open tables as read-only mappings."""

    county: CountySettings
    identify: IdentifySettings
    region: RegionSettings
    village_rule: VillageRuleSettings
    notice_days: NoticeDaysSettings
    notice: NoticeSettings
    supervision_phones: SupervisionPhones
    audit: AuditSettings
    plan: PlanSettings
    match: MatchSettings
    report: ReportSettings
    monitoring: MonitoringSettings
    limits: LimitsSettings
    poverty_line: Mapping[int, float]  # income year -> 元/人·年
    exit_line: Mapping[int, float]  # income year -> 元 (a year missing here uses poverty_line)
    cadre_caps: Mapping[str, int]  # rank -> households per cadre
    subsidy_caps: Mapping[str, float]  # measure -> 元/户·年
    indicator_weights: Mapping[str, float]  # 考核 indicator -> weight
    monitoring_range: Mapping[int, float]  # data year -> 监测范围 元/人·年 (set per province)

    @classmethod
    def from_values(cls, values: Mapping[str, Any], origins: Mapping[str, str] | None = None) -> Settings:
        """Build from flat ``section.key`` values (every section field must be present)."""
        hints = typing.get_type_hints(cls)
        parts: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in OPEN_TABLES:
                parts[f.name] = _open_table(f.name, values, origins)
            else:
                parts[f.name] = _section(hints[f.name], f.name, values)
        return cls(**parts)


S = TypeVar("S")


def _convert(kind: Any, value: Any) -> Any:
    if kind is bool:
        return bool(value)
    if kind is int:
        return int(value)
    if kind is float:
        return float(value)
    if kind is str:
        return str(value)
    return tuple(str(v) for v in value)  # tuple[str, ...]


def _section(cls: type[S], name: str, values: Mapping[str, Any]) -> S:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    try:
        return cls(**{n: _convert(hints[n], values[f"{name}.{n}"]) for n in names})
    except KeyError as e:
        raise ConfigError(t(f"缺少参数 {e.args[0]}", f"parameter {e.args[0]} is not set")) from None


K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V]):
    """A read-only mapping that pickles (an open table of :class:`Settings`)."""

    def __init__(self, items: Mapping[K, V]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: K) -> V:
        return self._items[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"FrozenMap({self._items!r})"


def _open_table(name: str, values: Mapping[str, Any], origins: Mapping[str, str] | None = None) -> Mapping[Any, Any]:
    want = OPEN_TABLES[name]
    pre = name + "."
    items = {k[len(pre) :]: want(v) for k, v in values.items() if k.startswith(pre)}
    if name in ("poverty_line", "exit_line", "monitoring_range"):
        bad = [k for k in items if not k.isdigit()]
        if bad:
            key = f"{name}.{bad[0]}"
            where = origins.get(key, "") if origins else ""
            raise ConfigError(
                t(f"参数 {key} 的键应为年份 (文件 {where})", f"parameter {key}: the key must be a year (in {where})"),
                t(f"例如 [{name}] 下写 2016 = 2952", f"e.g. 2016 = 2952 under [{name}]"),
            )
        return FrozenMap({int(k): v for k, v in items.items()})
    return FrozenMap(items)


class _Values(dict[str, Any]):
    """The flat values; any change drops the owner's cached :class:`Settings` (pickles as a plain dict)."""

    def __init__(self, items: Mapping[str, Any], on_change: Callable[[], None]) -> None:
        super().__init__(items)
        self.on_change = on_change

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))

    def _changed(self) -> None:
        callback = getattr(self, "on_change", None)
        if callback is not None:
            callback()

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self._changed()

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self._changed()

    def update(self, *args: Any, **kwargs: Any) -> None:
        super().update(*args, **kwargs)
        self._changed()


def _dataset_file(dataset: str | Path | None) -> tuple[Path | None, dict[str, Any]]:
    """The dataset's ``jingzhun.toml`` and its tables, without the top-level ``profile`` line."""
    if dataset is None or not (Path(dataset) / DATASET_FILE).is_file():
        return None, {}
    path = Path(dataset) / DATASET_FILE
    raw = _read_toml(path)
    return path, raw


def _declared_profile(path: Path | None, raw: dict[str, Any]) -> str | None:
    value = raw.pop(PROFILE_KEY, None)
    if value is not None and not isinstance(value, str):
        raise ConfigError(
            t(f"参数 {PROFILE_KEY} 应为文件夹路径文字 (文件 {path})", f"{PROFILE_KEY} must be a folder path ({path})")
        )
    return value


def sources_for(dataset: str | Path | None = None, **run_files: str | Path | None) -> Sources:
    """The run's :class:`~jingzhun.profile.Sources` (profile from the dataset's ``jingzhun.toml``)."""
    path, raw = _dataset_file(dataset)
    return resolve(dataset, declared=_declared_profile(path, raw), **run_files)


@dataclass
class Params:
    """Flat ``dotted.name -> value`` with the origin of each value; typed as :attr:`settings`."""

    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    _settings: Settings | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.values = _Values(self.values, on_change=self._changed)

    def _changed(self) -> None:
        self._settings = None

    def __getstate__(self) -> dict[str, Any]:
        return {"values": dict(self.values), "origins": dict(self.origins)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.origins = state["origins"]
        self._settings = None
        self.values = _Values(state["values"], on_change=self._changed)

    @property
    def settings(self) -> Settings:
        """The values as frozen typed settings (rebuilt after a value changes, e.g. a derived county)."""
        if self._settings is None:
            self._settings = Settings.from_values(self.values, self.origins)
        return self._settings

    @classmethod
    def load(
        cls, dataset: str | Path | None = None, config: str | Path | None = None, *, profile: str | Path | None = None
    ) -> Params:
        """Defaults < province profile < dataset ``jingzhun.toml`` < ``config`` (:mod:`jingzhun.profile`)."""
        ds_file, ds_raw = _dataset_file(dataset)
        sources = resolve(dataset, profile=profile, params_file=config, declared=_declared_profile(ds_file, ds_raw))
        return cls._merged(sources, ds_file, ds_raw)

    @classmethod
    def from_sources(cls, sources: Sources) -> Params:
        """The parameters of a run whose :class:`~jingzhun.profile.Sources` the command layer resolved."""
        ds_file, ds_raw = _dataset_file(sources.dataset)
        _declared_profile(ds_file, ds_raw)  # drops the top-level profile line (not a parameter)
        return cls._merged(sources, ds_file, ds_raw)

    @classmethod
    def _merged(cls, sources: Sources, ds_file: Path | None, ds_raw: dict[str, Any]) -> Params:
        p = cls()
        p._merge(_flatten(_read_toml(DEFAULTS_FILE)), "default", strict=False)
        for path, origin in sources.params_files(DEFAULTS_FILE)[1:]:
            p._merge(_flatten(ds_raw if path == ds_file else _read_toml(path)), origin, strict=True)
        p._check_order()
        p.settings  # noqa: B018 - built now: a value that does not fit its type stops here, at load
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
                            f"parameter {name} has the wrong type (in {origin}): "
                            f"expected {_type_name(self.values[name])}",
                        )
                    )
            check_value(name, value, origin)
            self.values[name] = value
            self.origins[name] = origin

    def get(self, name: str) -> Any:
        """One value by its dotted name. Kept for scripts and plug-ins; package code reads :attr:`settings`."""
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
