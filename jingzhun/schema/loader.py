"""Load the pandera schemas of ``schemas/*.yaml`` (one file per table).

The custom checks module is imported first: pandera resolves a check named in YAML only
when it is already registered. Schemas are found through ``jingzhun.resources`` so the
same code works from a wheel and from a checkout.

A run may search more folders before the packaged one (a dataset's or a province
profile's ``schemas/``, :meth:`jingzhun.profile.Sources.folders`): per table, the first
folder holding ``<table>.yaml`` wins. A file that is not the packaged one is held to the
same lint as the packaged files (:mod:`jingzhun.schema.lint`), so a misspelt key is an
exit-3 message naming the file instead of a check pandera silently drops.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandera.pandas as pa
import yaml

import jingzhun.schema.checks  # noqa: F401  (registers the custom checks before any YAML is read)
from jingzhun.errors import InputError
from jingzhun.i18n import t
from jingzhun.profile import FolderList, find_file, with_packaged
from jingzhun.resources import resource_dir
from jingzhun.tablespec import TABLES

# libyaml's safe loader when PyYAML was built with it (the same data, several times faster).
_SAFE_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The schema folders a loader is given: one folder, the run's list
# (:attr:`jingzhun.profile.Folders.schemas`), or None for the packaged schemas only.
Schemas = FolderList


def schema_folders(schemas_dir: Schemas = None) -> tuple[Path, ...]:
    """The folders searched for a table's schema, in order (the packaged one last)."""
    folders = with_packaged(schemas_dir, resource_dir("schemas"))
    for p in folders[:-1]:
        if not p.is_dir():
            raise InputError(
                t(f"找不到校验规则文件夹 {p}", f"schema folder {p} not found"),
                t("请检查路径", "check the path"),
            )
    return folders


def schema_path(table: str, schemas_dir: Schemas = None) -> Path:
    """The schema file of ``table``: the first of the folders that has one."""
    if table not in TABLES:
        raise InputError(
            t(f"未知的表名 {table}", f"unknown table {table}"),
            t(f"可用的表: {', '.join(TABLES)}", f"tables: {', '.join(TABLES)}"),
        )
    folders = schema_folders(schemas_dir)
    return find_file(f"{table}.yaml", folders) or folders[-1] / f"{table}.yaml"


def _is_packaged(path: Path) -> bool:
    return path.parent.resolve() == resource_dir("schemas").resolve()


def _fix_hint(path: Path) -> str:
    if _is_packaged(path):
        return t("请重新安装 jingzhun 或检查 schemas/ 文件夹", "reinstall jingzhun or check the schemas/ folder")
    return t(
        f"请对照内置的 {path.name} 修改 {path} (同样的写法, 只改检查条件), 或删除它以使用内置规则",
        f"edit {path} after the packaged {path.name} (the same form, only the checks changed), or remove it "
        "to use the packaged rules",
    )


def read_yaml(table: str, schemas_dir: Schemas = None) -> dict[str, Any]:
    """The schema file of ``table`` as plain data (for the lint and for check parameters)."""
    path = schema_path(table, schemas_dir)
    try:
        with path.open(encoding="utf-8") as f:
            data = yaml.load(f, Loader=_SAFE_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise InputError(
            t(f"无法读取校验规则文件 {path}: {e}", f"cannot read schema file {path}: {e}"), _fix_hint(path)
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            t(f"校验规则文件 {path} 不是 YAML 映射", f"schema file {path} is not a YAML mapping"), _fix_hint(path)
        )
    return data


def _check_own(table: str, path: Path, data: dict[str, Any]) -> None:
    """A schema file that is not the packaged one passes the lint of the packaged files."""
    from jingzhun.schema.lint import lint_schema

    problems = lint_schema(table, data)
    if problems:
        more = t(f" 等 {len(problems)} 处", f" and {len(problems) - 3} more") if len(problems) > 3 else ""
        raise InputError(
            t(
                f"校验规则文件 {path} 无效: {'; '.join(problems[:3])}{more}",
                f"schema file {path} is invalid: {'; '.join(problems[:3])}{more}",
            ),
            _fix_hint(path),
        )


@functools.cache
def _load_cached(table: str, folders: tuple[Path, ...]) -> pa.DataFrameSchema:
    path = schema_path(table, folders)
    data = read_yaml(table, folders)
    if not _is_packaged(path):
        _check_own(table, path, data)
    from pandera.io.pandas_io import deserialize_schema

    try:
        return deserialize_schema(data)
    except Exception as e:  # noqa: BLE001 - any pandera error is the file's (a packaged one: an install problem)
        raise InputError(
            t(f"校验规则文件 {path} 无效: {e}", f"schema file {path} is invalid: {e}"), _fix_hint(path)
        ) from None


def load_schema(table: str, schemas_dir: Schemas = None) -> pa.DataFrameSchema:
    """The pandera schema of ``table`` (cached per folder list)."""
    return _load_cached(table, schema_folders(schemas_dir))


def check_schemas(tables: Iterable[str], schemas_dir: Schemas = None) -> None:
    """Load now the schemas of ``tables`` that are not the packaged ones: a broken file of a profile or a
    dataset stops the command here, in this process, with its message and hint (before a worker meets it)."""
    folders = schema_folders(schemas_dir)
    for table in tables:
        if len(folders) > 1 and not _is_packaged(schema_path(table, folders)):
            load_schema(table, folders)
