"""The shared core: findings, catalogue, resources, error boundary, output folders."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from jingzhun import __version__
from jingzhun.catalogue import CATALOGUE
from jingzhun.cli import app
from jingzhun.errors import InputError
from jingzhun.findings import COLUMNS, Findings, worst_exit_code
from jingzhun.outputs import output_dir
from jingzhun.resources import resource_dir, resource_origin

runner = CliRunner()


def _any_code(severity: str) -> str:
    return next(c for c, r in sorted(CATALOGUE.items()) if r.severity == severity)


def test_findings_broadcast_and_render_sorted():
    f = Findings()
    code = _any_code("error")
    f.add(code, table="members", row=pd.Series([3, 1]), column="id_number", value=["b", "a"], key="H1")
    assert len(f) == 2
    out = f.render("zh")
    assert list(out.columns) == COLUMNS
    assert out["row"].tolist() == [1, 3]  # sorted for reproducible files
    assert (out["severity"] == "error").all()
    assert out["key"].tolist() == ["H1", "H1"]


def test_findings_empty_array_adds_nothing():
    f = Findings()
    f.add(_any_code("error"), row=pd.Series([], dtype="Int64"), value=[])
    assert len(f) == 0
    assert list(f.render().columns) == COLUMNS


def test_uncatalogued_code_is_refused():
    with pytest.raises(KeyError):
        Findings().add("V-NO-SUCH-CODE")


def test_exit_code_by_worst_severity():
    f = Findings()
    f.add(_any_code("warning"), value="x")
    rendered = f.render()
    assert worst_exit_code(rendered) == 0
    assert worst_exit_code(rendered, "warning") == 1
    f.add(_any_code("error"), value="y")
    assert worst_exit_code(f.render()) == 1


def test_catalogue_entries_complete():
    for code, r in CATALOGUE.items():
        assert code == r.code
        assert code[:2] in {"V-", "I-", "M-", "P-", "A-", "R-"}, code
        assert r.zh and r.en, code


def test_resources_found_both_ways():
    schemas = resource_dir("schemas")
    templates = resource_dir("templates")
    assert schemas.is_dir() and templates.is_dir()
    expected = os.environ.get("JINGZHUN_EXPECT_INSTALLED")
    if expected:  # CI installs the wheel: the copies inside the package must be used
        assert resource_origin("schemas") == expected
        assert resource_origin("templates") == expected
        assert "_data" in schemas.parts


def test_resource_override(tmp_path: Path):
    assert resource_dir("templates", tmp_path) == tmp_path
    with pytest.raises(InputError):
        resource_dir("templates", tmp_path / "missing")


def test_output_dir_replaces_only_on_success(tmp_path: Path):
    with output_dir(tmp_path, "validate") as d:
        (d / "a.csv").write_text("1")
    assert (tmp_path / "validate" / "a.csv").read_text() == "1"
    with pytest.raises(RuntimeError):
        with output_dir(tmp_path, "validate") as d:
            (d / "a.csv").write_text("2")
            raise RuntimeError("killed")
    assert (tmp_path / "validate" / "a.csv").read_text() == "1"
    assert [p.name for p in tmp_path.iterdir()] == ["validate"]


def test_version_and_help():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and __version__ in r.stdout
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0


def test_every_command_has_help():
    from jingzhun.cli import COMMANDS

    for name, _, _ in COMMANDS:
        r = runner.invoke(app, [name, "--help"])
        assert r.exit_code == 0, name
        assert "--" in r.stdout


def test_error_boundary_missing_dataset(tmp_path: Path):
    r = runner.invoke(app, ["params", str(tmp_path / "nope")])
    assert r.exit_code == 3
    assert "错误" in r.stderr and "Traceback" not in r.stderr
    r = runner.invoke(app, ["--lang", "en", "params", str(tmp_path / "nope")])
    assert r.exit_code == 3 and "Error" in r.stderr


def test_missing_year_is_usage_error(tmp_path: Path):
    (tmp_path / "2015").mkdir()
    r = runner.invoke(app, ["params", str(tmp_path), "--year", "2019"])
    assert r.exit_code == 2
    assert "2019" in r.stderr


def test_findings_doc_is_current():
    from jingzhun.catalogue_doc import markdown

    doc = Path(__file__).resolve().parent.parent / "docs" / "findings.md"
    assert doc.read_text(encoding="utf-8") == markdown(), (
        "regenerate: python -m jingzhun.catalogue_doc > docs/findings.md"
    )


def test_every_code_used_has_a_basis():
    missing = [c for c, r in CATALOGUE.items() if r.severity != "info" and not r.basis_zh]
    assert missing == []


def test_repeated_finding_text_is_built_in_arrow():
    """A code, severity or basis repeated on every finding row is a str column taken from one value."""
    from jingzhun.findings import repeat_text

    s = repeat_text("V-ID-REGION", 3)
    pd.testing.assert_series_equal(s, pd.Series(["V-ID-REGION"] * 3, dtype="str"))
    assert len(repeat_text("x", 0)) == 0 and repeat_text("x", 0).dtype == "str"
    f = Findings()
    f.add("V-ID-REGION", table="members", row=[1, 2], column="id_number", value=["a", None], detail="42")
    out = f.render("en")
    assert out["code"].tolist() == ["V-ID-REGION"] * 2 and out["detail"].tolist() == ["42", "42"]
    assert out["severity"].tolist() == ["info"] * 2 and out["value"].isna().tolist() == [False, True]
