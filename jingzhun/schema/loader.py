"""Load the pandera schemas of ``schemas/*.yaml`` (one file per table).

The custom checks module is imported first: pandera resolves a check named in YAML only
when it is already registered. Schemas are found through ``jingzhun.resources`` so the
same code works from a wheel and from a checkout.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pandera.pandas as pa
import yaml

import jingzhun.schema.checks  # noqa: F401  (registers the custom checks before any YAML is read)
from jingzhun.errors import InputError
from jingzhun.i18n import t
from jingzhun.resources import resource_dir
from jingzhun.tablespec import TABLES

# libyaml's safe loader when PyYAML was built with it (the same data, several times faster).
_SAFE_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def schema_path(table: str, schemas_dir: str | Path | None = None) -> Path:
    if table not in TABLES:
        raise InputError(
            t(f"未知的表名 {table}", f"unknown table {table}"),
            t(f"可用的表: {', '.join(TABLES)}", f"tables: {', '.join(TABLES)}"),
        )
    return resource_dir("schemas", schemas_dir) / f"{table}.yaml"


def read_yaml(table: str, schemas_dir: str | Path | None = None) -> dict[str, Any]:
    """The schema file of ``table`` as plain data (for the lint and for check parameters)."""
    path = schema_path(table, schemas_dir)
    try:
        with path.open(encoding="utf-8") as f:
            data = yaml.load(f, Loader=_SAFE_LOADER)
    except (OSError, yaml.YAMLError) as e:
        raise InputError(
            t(f"无法读取校验规则文件 {path}: {e}", f"cannot read schema file {path}: {e}"),
            t("请重新安装 jingzhun 或检查 schemas/ 文件夹", "reinstall jingzhun or check the schemas/ folder"),
        ) from None
    if not isinstance(data, dict):
        raise InputError(t(f"校验规则文件 {path} 不是 YAML 映射", f"schema file {path} is not a YAML mapping"))
    return data


@functools.cache
def _load_cached(table: str, schemas_dir: str | None) -> pa.DataFrameSchema:
    data = read_yaml(table, schemas_dir)
    from pandera.io.pandas_io import deserialize_schema

    try:
        return deserialize_schema(data)
    except Exception as e:  # noqa: BLE001 - any pandera error in a packaged file is an install problem
        raise InputError(
            t(f"校验规则文件 {table}.yaml 无效: {e}", f"schema file {table}.yaml is invalid: {e}"),
            t("请重新安装 jingzhun 或检查 schemas/ 文件夹", "reinstall jingzhun or check the schemas/ folder"),
        ) from None


def load_schema(table: str, schemas_dir: str | Path | None = None) -> pa.DataFrameSchema:
    """The pandera schema of ``table`` (cached per folder)."""
    return _load_cached(table, str(schemas_dir) if schemas_dir is not None else None)
