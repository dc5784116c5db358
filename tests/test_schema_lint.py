"""Schema lint: every schemas/*.yaml file in the one explicit style, agreeing with the
column registry, loadable by pandera, and passing on data-sample/."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from jingzhun.schema.columns import COLUMNS
from jingzhun.schema.lint import lint_schema
from jingzhun.schema.loader import load_schema, read_yaml
from jingzhun.tables import TABLES


@pytest.mark.parametrize("table", TABLES)
def test_schema_file_is_clean(table):
    assert lint_schema(table, read_yaml(table)) == []


@pytest.mark.parametrize("table", TABLES)
def test_schema_loads_with_every_registry_column(table):
    schema = load_schema(table)
    assert set(schema.columns) == set(COLUMNS[table])
    assert schema.name == table


def _households() -> dict:
    return copy.deepcopy(read_yaml("households"))


def test_lint_rejects_flat_check_next_to_checks_mapping():
    data = _households()
    data["columns"]["household_size"]["greater_than_or_equal_to"] = 1  # pandera would drop one of them silently
    problems = lint_schema("households", data)
    assert any("flat check key 'greater_than_or_equal_to'" in p for p in problems)


def test_lint_rejects_unknown_column_key_and_top_key():
    data = _households()
    data["columns"]["household_size"]["nulable"] = True
    data["stict"] = True
    problems = lint_schema("households", data)
    assert any("unknown key 'nulable'" in p for p in problems)
    assert any("unknown top-level key 'stict'" in p for p in problems)


def test_lint_rejects_column_outside_registry_and_wrong_type():
    data = _households()
    data["columns"]["household_sise"] = {"dtype": "Int64", "required": False, "nullable": True}
    data["columns"]["household_size"]["dtype"] = "int64"
    data["columns"]["village_name"]["dtype"] = "object"  # pandas 3 reads text as str: object fails every row
    problems = lint_schema("households", data)
    assert any("household_sise: not a column of the registry" in p for p in problems)
    assert any("household_size: dtype 'int64'" in p for p in problems)
    assert any("village_name: dtype 'object'" in p for p in problems)


def test_lint_rejects_missing_registry_column_and_required_mismatch():
    data = _households()
    del data["columns"]["head_name"]
    data["columns"]["household_id"]["nullable"] = True
    problems = lint_schema("households", data)
    assert any("registry column 'head_name' missing" in p for p in problems)
    assert any("household_id: nullable must be false" in p for p in problems)


def test_lint_rejects_checks_without_catalogued_code():
    data = _households()
    data["columns"]["household_size"]["checks"]["in_range"]["options"]["error"] = "V-NOT-A-CODE"
    data["columns"]["wage_income"]["checks"]["greater_than_or_equal_to"].pop("options")
    data["columns"]["phone"]["checks"]["str_matches"]["options"]["raise_warning"] = True
    problems = lint_schema("households", data)
    assert any("'V-NOT-A-CODE' is not in the catalogue" in p for p in problems)
    assert any("wage_income.greater_than_or_equal_to: options.error" in p for p in problems)
    assert any("unknown option 'raise_warning'" in p for p in problems)


def test_lint_rejects_unknown_check_and_enum_without_registry_check():
    data = _households()
    data["columns"]["household_size"]["checks"]["in_ranges"] = {"min_value": 1, "options": {"error": "V-RANGE"}}
    data["columns"]["category"]["checks"] = {}
    problems = lint_schema("households", data)
    assert any("unknown check 'in_ranges'" in p for p in problems)
    assert any("category: enum column needs isin_enum" in p for p in problems)


def _sample_years(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit()) if root.is_dir() else []


def test_data_sample_passes_the_schemas(data_sample):
    """data-sample/ (made by ``jingzhun sample``) has no schema finding in any year."""
    years = _sample_years(data_sample)
    assert years, "data-sample/ has no year folder"
    from jingzhun.dataset import Dataset, load_year
    from jingzhun.schema.run import run_schema

    ds = Dataset.open(data_sample)
    for year_dir in years:
        data = load_year(ds, int(year_dir.name))
        for table, frame in data.frames.items():
            found = run_schema(table, frame).render()
            assert found.empty, f"{year_dir.name}/{table}: {found['message'].head(5).tolist()}"
