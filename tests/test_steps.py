"""The step registry (jingzhun.steps): run, the progress labels and the docs read it; the
report takes an earlier year's identification from that year's run when still valid."""

from __future__ import annotations

import ast
import importlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jingzhun import steps

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "jingzhun"


# ---- the registry and the pipeline agree ---------------------------------------------


def test_the_pipeline_runs_the_registry_steps_in_order():
    from jingzhun import pipeline

    assert pipeline.STEPS is steps.STEPS


def test_dependencies_name_known_earlier_steps_and_there_is_no_cycle():
    assert steps.check() == []
    names = [s.name for s in steps.STEPS]
    assert len(set(names)) == len(names)
    a = steps.StepSpec("a", ("甲", "a"), (), "x:y", "x:y", after=("b",))
    b = steps.StepSpec("b", ("乙", "b"), (), "x:y", "x:y", after=("a",))
    assert any("runs later" in p for p in steps.check((a, b)))  # a cycle
    assert any("unknown" in p for p in steps.check((steps.StepSpec("c", ("丙", "c"), (), "x:y", "x:y", after=("z",)),)))


def test_every_compute_and_writer_resolves():
    for s in steps.STEPS:
        assert callable(steps.resolve(s.compute)) and callable(steps.resolve(s.write)), s.name


def test_every_registry_step_runs_in_run(tmp_path):
    from jingzhun.pipeline import RunOptions, run_pipeline
    from jingzhun.sample.build import build

    ds = tmp_path / "ds"
    ds.mkdir()
    build(ds, households=30, years=[2015, 2016], seed=3)
    r = run_pipeline(ds, tmp_path / "out", RunOptions(jobs=1, xlsx=False, books=False, docx=False))
    ran = [rec.name for rec in r.steps if rec.name != "read"]
    assert ran == [s.name for s in steps.STEPS]
    assert {rec.name: rec.status for rec in r.steps}["report"] == "ok"


def test_progress_labels_come_from_the_registry():
    from jingzhun.progress import STEP_LABELS

    for s in steps.STEPS:
        assert STEP_LABELS[s.name] == s.label


def test_importing_the_registry_imports_no_pandas_and_no_area():
    code = (
        "import sys, jingzhun.steps; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('pandas', 'numpy', 'pyarrow') "
        "or m.endswith('.api') or m.endswith('.cli')]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_developer_docs_list_the_registry_steps():
    text = (ROOT / "docs" / "DEVELOPING.md").read_text(encoding="utf-8")
    assert steps.markdown_table() in text, "regenerate with: python -m jingzhun.steps"


# ---- nothing below the command layer imports a command module ------------------------


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_command(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    # ``python -m jingzhun`` (__main__) is the command line itself
    return name in ("jingzhun.cli", "jingzhun.__main__") or last == "cli" or last.endswith("_cli")


def _imports(path: Path, name: str) -> set[str]:
    """Every module ``path`` imports, at any depth of the file (absolute names)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)  # from jingzhun.match import cli
    return found


def _domain_modules() -> list[tuple[str, Path]]:
    mods = [(_module_name(p), p) for p in sorted(PACKAGE.rglob("*.py"))]
    return [(n, p) for n, p in mods if not _is_command(n)]


def test_no_module_below_the_command_layer_imports_a_command_module():
    wrong = {
        name: sorted(m for m in _imports(path, name) if m.startswith("jingzhun") and _is_command(m))
        for name, path in _domain_modules()
    }
    assert {k: v for k, v in wrong.items() if v} == {}


def test_every_module_below_the_command_layer_imports():
    for name, _ in _domain_modules():
        if name.endswith("__main__"):
            continue
        importlib.import_module(name)


def test_the_import_scan_sees_a_command_import(tmp_path):
    p = tmp_path / "x.py"
    p.write_text(
        "def f():\n    from jingzhun.plan.notice_cli import build_notices\n    from jingzhun.match import cli\n"
    )
    found = _imports(p, "jingzhun.x")
    assert "jingzhun.plan.notice_cli" in found and "jingzhun.match.cli" in found


# ---- an earlier year's identification from that year's run ---------------------------


@pytest.fixture(scope="module")
def years(tmp_path_factory) -> Path:
    """A three-year dataset and, beside where the tests write, the runs of 2015 and 2016."""
    from jingzhun.sample.build import build

    base = tmp_path_factory.mktemp("cache")
    ds = base / "ds"
    ds.mkdir()
    build(ds, households=40, years=[2015, 2016, 2017], seed=11)
    return ds


def _run(ds: Path, out: Path, year: int, config: Path | None = None):
    from jingzhun.pipeline import RunOptions, run_pipeline

    return run_pipeline(ds, out, RunOptions(year=year, jobs=1, xlsx=False, books=False, docx=False), config)


@pytest.fixture
def counted(monkeypatch) -> dict[str, list[int]]:
    """Which years the report identified and which it read from an earlier run."""
    import jingzhun.identify.cache as cache
    import jingzhun.report.api as report_api
    import jingzhun.report.inputs as inputs

    seen: dict[str, list[int]] = {"identified": [], "read": []}

    def wrap(fn, key):
        def inner(*args):
            seen[key].append(args[-1] if key == "identified" else args[1])
            return fn(*args)

        return inner

    monkeypatch.setattr(report_api, "identify", wrap(report_api.identify, "identified"))
    monkeypatch.setattr(inputs, "identify", wrap(inputs.identify, "identified"))
    monkeypatch.setattr(cache, "read_identification", wrap(cache.read_identification, "read"))
    return seen


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def runs(years: Path, tmp_path_factory) -> Path:
    """The runs of 2015 and 2016 (made once; each test copies them beside its own run)."""
    where = tmp_path_factory.mktemp("runs")
    _run(years, where / "run-2015", 2015)
    _run(years, where / "run-2016", 2016)
    return where


def _earlier_runs(runs: Path, where: Path) -> None:
    for name in ("run-2015", "run-2016"):
        shutil.copytree(runs / name, where / name)


def _reset(counted: dict[str, list[int]]) -> None:
    counted["identified"].clear()
    counted["read"].clear()


def test_the_report_reads_earlier_years_from_their_runs_and_writes_the_same_bytes(years, runs, tmp_path, counted):
    alone = tmp_path / "alone" / "run-2017"
    _reset(counted)
    _run(years, alone, 2017)  # nothing beside it: every earlier year identified
    assert sorted(counted["identified"]) == [2015, 2016] and counted["read"] == []
    _earlier_runs(runs, tmp_path / "runs")
    _reset(counted)
    r = _run(years, tmp_path / "runs" / "run-2017", 2017)
    assert counted["identified"] == [] and sorted(counted["read"]) == [2015, 2016]
    assert {s.name: s.status for s in r.steps}["report"] == "ok"
    assert _files(r.out / "report") == _files(alone / "report")


def test_changed_parameters_identify_again(years, runs, tmp_path, counted):
    _earlier_runs(runs, tmp_path)
    config = tmp_path / "other.toml"
    config.write_text("[report]\nhtml_village_rows = 7\n", encoding="utf-8")
    _reset(counted)
    _run(years, tmp_path / "run-2017", 2017, config)
    assert counted["read"] == [] and sorted(counted["identified"]) == [2015, 2016]


def test_changed_inputs_identify_that_year_again(years, runs, tmp_path, counted):
    ds = tmp_path / "ds"
    shutil.copytree(years, ds)
    _earlier_runs(runs, tmp_path / "runs")  # their manifests name the inputs relative to the dataset
    members = next((ds / "2015").glob("members.*"))
    members.write_bytes(members.read_bytes() + b"\n")  # same rows, other bytes: another input
    _reset(counted)
    _run(ds, tmp_path / "runs" / "run-2017", 2017)
    assert counted["identified"] == [2015] and counted["read"] == [2016]


def test_another_version_identifies_again(years, runs, tmp_path, counted, monkeypatch):
    import jingzhun.identify.cache as cache

    _earlier_runs(runs, tmp_path)
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    _reset(counted)
    _run(years, tmp_path / "run-2017", 2017)
    assert counted["read"] == [] and sorted(counted["identified"]) == [2015, 2016]


def test_a_changed_identify_file_is_not_read(years, runs, tmp_path, counted):
    _earlier_runs(runs, tmp_path)
    hh = tmp_path / "run-2016" / "identify" / "households.csv"
    hh.write_bytes(hh.read_bytes() + b"\n")  # no longer what its manifest lists
    _reset(counted)
    _run(years, tmp_path / "run-2017", 2017)
    assert counted["read"] == [2015] and counted["identified"] == [2016]
    manifest = json.loads((tmp_path / "run-2017" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["year"] == 2017
