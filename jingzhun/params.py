"""Policy parameters: packaged defaults, dataset ``jingzhun.toml``, run ``--config``.

Every value remembers where it came from (``default``, the dataset file or the run
file) so outputs can record the parameters they used (data-contract §4).
"""

from __future__ import annotations

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
}


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
        raise ConfigError(t(f"无法读取参数文件 {path}: {e.strerror or e}", f"cannot read the parameter file {path}: {e.strerror or e}")) from None
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
        return p

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
                            t(f"参数 {name} 的值应为数字, 文件 {origin}", f"parameter {name} must be a number ({origin})")
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
        return {k[len(pre):]: v for k, v in self.values.items() if k.startswith(pre)}

    def poverty_line(self, income_year: int) -> float:
        key = f"poverty_line.{income_year}"
        if key not in self.values:
            raise ConfigError(
                t(f"没有配置 {income_year} 年的扶贫标准 (参数 {key})", f"no poverty line for income year {income_year} (parameter {key})"),
                t(f"请在 jingzhun.toml 的 [poverty_line] 下加入 {income_year} = 金额", f"add {income_year} = amount under [poverty_line] in jingzhun.toml"),
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
        return [
            {"name": k, "value": self.values[k], "origin": self.origins[k]} for k in sorted(self.values)
        ]
