"""Lint of ``schemas/*.yaml`` (architecture.md habit 7 and its "Known traps").

Pandera silently drops a check written flat next to a ``checks:`` mapping and ignores a
misspelt flat key, so the schema files are held to one explicit style: known keys only,
every check inside a ``checks:`` mapping, every check naming a catalogued finding code,
and every column agreeing with the table specification (``jingzhun.tablespec``: name, type,
required, title).
"""

from __future__ import annotations

from typing import Any

from pandera.api.checks import Check

from jingzhun.catalogue import CATALOGUE
from jingzhun.tablespec import COLUMNS
from jingzhun.tablespec import DTYPES as SPEC_DTYPES

TOP_KEYS = frozenset({"schema_type", "version", "name", "title", "description", "coerce", "strict", "columns"})
COLUMN_KEYS = frozenset({"title", "description", "dtype", "required", "nullable", "unique", "checks"})
OPTION_KEYS = frozenset({"error"})
# Contract type → the one dtype a schema column of that type must declare.
DTYPES = SPEC_DTYPES
ENUM_CHECK = {"enum": "isin_enum", "multi": "multi_isin_enum"}


def lint_schema(table: str, data: Any) -> list[str]:
    """Problems of one schema file's content (an empty list when it is clean)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return [f"{table}: the file is not a mapping"]
    problems += [f"{table}: unknown top-level key {k!r}" for k in sorted(set(data) - TOP_KEYS)]
    if data.get("schema_type") != "dataframe":
        problems.append(f"{table}: schema_type must be 'dataframe'")
    if data.get("name") != table:
        problems.append(f"{table}: name must be {table!r}")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        return [*problems, f"{table}: no columns mapping"]
    registry = COLUMNS.get(table, {})
    problems += [f"{table}: registry column {c!r} missing from the schema" for c in registry if c not in columns]
    for name, spec in columns.items():
        problems += _lint_column(table, name, spec, registry)
    return problems


def _lint_column(table: str, name: str, spec: Any, registry: dict) -> list[str]:
    where = f"{table}.{name}"
    if not isinstance(spec, dict):
        return [f"{where}: column spec is not a mapping"]
    problems = []
    for k in sorted(set(spec) - COLUMN_KEYS):
        if callable(getattr(Check, k, None)):
            problems.append(f"{where}: flat check key {k!r} (put it under checks:)")
        else:
            problems.append(f"{where}: unknown key {k!r}")
    col = registry.get(name)
    if col is None:
        return [*problems, f"{where}: not a column of the registry (jingzhun.tablespec)"]
    if spec.get("dtype") != DTYPES[col.type]:
        problems.append(
            f"{where}: dtype {spec.get('dtype')!r} does not fit contract type {col.type} ({DTYPES[col.type]})"
        )
    title = col.aliases[0] if col.aliases else col.name
    if spec.get("title") != title:
        problems.append(f"{where}: title {spec.get('title')!r} must be the column's first header alias {title!r}")
    if spec.get("required") is not col.required:
        problems.append(f"{where}: required must be {str(col.required).lower()} as in the registry")
    if spec.get("nullable") is not (not col.required):
        problems.append(f"{where}: nullable must be {str(not col.required).lower()} (required columns are non-empty)")
    checks = spec.get("checks", {})
    if not isinstance(checks, dict):
        return [*problems, f"{where}: checks must be a mapping of check name → parameters"]
    for check_name, params in checks.items():
        problems += _lint_check(where, check_name, params)
    wanted = ENUM_CHECK.get(col.type)
    if wanted is not None:
        stats = checks.get(wanted)
        if not isinstance(stats, dict) or stats.get("table") != table or stats.get("column") != name:
            problems.append(f"{where}: {col.type} column needs {wanted}: {{table: {table}, column: {name}}}")
    return problems


def _lint_check(where: str, check_name: str, params: Any) -> list[str]:
    if not callable(getattr(Check, check_name, None)):
        return [f"{where}: unknown check {check_name!r} (not built in, not registered in jingzhun.schema.checks)"]
    if not isinstance(params, dict):
        return [f"{where}.{check_name}: parameters must be a mapping with options.error"]
    options = params.get("options")
    if not isinstance(options, dict):
        return [f"{where}.{check_name}: options.error (the finding code) is missing"]
    problems = [f"{where}.{check_name}: unknown option {k!r}" for k in sorted(set(options) - OPTION_KEYS)]
    code = options.get("error")
    if code not in CATALOGUE:
        problems.append(f"{where}.{check_name}: finding code {code!r} is not in the catalogue")
    return problems
