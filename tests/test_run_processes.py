"""Where `run` does its work: `--jobs 1` is one process, a daemonic worker runs serially, spawn
gives the same outputs, threads do not share results, and nothing needs fcntl, resource or fork."""

from __future__ import annotations

import ast
import multiprocessing
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.executors import ProcessExecutor
from jingzhun.pipeline import RunOptions, run_pipeline

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
STARTS = ("os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "os.system", "subprocess.Popen")
_started: list[str] = []
_counting = threading.Event()


def _hook(event: str, args: object) -> None:
    if _counting.is_set() and event in STARTS:
        _started.append(event)


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> Path:
    """30 households over two years: diff and the trend run too."""
    from jingzhun.sample.build import build

    ds = tmp_path_factory.mktemp("procs") / "ds"
    ds.mkdir()
    build(ds, households=30, years=[2015, 2016], seed=5)
    return ds


def _outputs(out: Path) -> dict[str, bytes]:
    """Every file of a run output but the manifest (it holds the times)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }


def _run(ds: Path, out: Path, *args: str) -> None:
    r = runner.invoke(app, ["run", str(ds), "--out", str(out), "--date", "2016-03-01", "--quiet", *args])
    assert r.exit_code in (0, 1), r.stderr


def _counting_starts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Start counting new processes: the audit hook sees fork, posix_spawn and Popen;
    multiprocessing's spawn starts its interpreter without an audit event, so
    ``Process.start`` is counted as well. Counting ends with the test (``_counting``)."""
    sys.addaudithook(_hook)  # stays for the session: it counts only while _counting is set
    real_start = multiprocessing.process.BaseProcess.start

    def start(self: multiprocessing.process.BaseProcess) -> None:
        _started.append("Process.start")
        real_start(self)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", start)
    _started.clear()
    _counting.set()
    return _started


@pytest.fixture(scope="module")
def plain(two_years: Path, tmp_path_factory) -> dict[str, bytes]:
    """A `--jobs 1` run, counting every process it starts."""
    out = tmp_path_factory.mktemp("plain") / "out"
    with pytest.MonkeyPatch.context() as mp:
        started = _counting_starts(mp)
        try:
            _run(two_years, out, "--jobs", "1")
        finally:
            _counting.clear()
    assert started == []  # --jobs 1 is one process
    files = _outputs(out)
    assert "validate/findings.csv" in files and "diff/households.csv" in files and "plan/books/index.html" in files
    return files


def test_jobs_1_starts_no_process_and_spawned_workers_give_the_same_outputs(two_years, tmp_path, monkeypatch, plain):
    started = _counting_starts(monkeypatch)
    try:
        with ProcessExecutor(2, "spawn") as ex:
            result = run_pipeline(two_years, tmp_path / "out", _options(), executor=ex)
    finally:
        _counting.clear()
    assert "Process.start" in started  # the counting does see workers (so it saw none with --jobs 1)
    assert all(r.status == "ok" for r in result.steps), result.steps
    assert _outputs(tmp_path / "out") == plain


def test_a_worker_process_reads_the_data_itself_not_a_pickled_copy(two_years, tmp_path, monkeypatch):
    """The background unit sent to a worker process carries no frames (a province's frames pickled
    to the worker were copied twice in memory); it reads the same files, checked by their hashes."""
    sent: list[tuple] = []
    real_submit = ProcessExecutor.submit

    def submit(self, fn, /, *args):
        sent.append(args)
        return real_submit(self, fn, *args)

    monkeypatch.setattr(ProcessExecutor, "submit", submit)
    with ProcessExecutor(2, "spawn") as ex:
        result = run_pipeline(two_years, tmp_path / "out", _options(), executor=ex)
    steps, unit, reread = next(a for a in sent if len(a) == 3)
    assert [s.name for s in steps] == ["validate", "diff"]
    assert unit.data.frames == {} and unit.previous is None and unit.results == {}
    assert {i["table"] for i in reread.inputs} >= {"households", "members"} and reread.previous_inputs
    assert all(r.status == "ok" for r in result.steps)


def test_an_input_changed_before_the_worker_reads_it_fails_its_steps_not_silently(two_years, tmp_path):
    import shutil

    from jingzhun.dataset import Dataset, load_year
    from jingzhun.errors import JingzhunError
    from jingzhun.pipeline import PREVIOUS_TABLES, Reread, _background
    from jingzhun.steps import STEPS
    from jingzhun.tables import TABLES

    ds_root = tmp_path / "ds"
    shutil.copytree(two_years, ds_root)
    ds = Dataset.open(ds_root)
    data = load_year(ds, 2016, TABLES, tolerant=True)
    before = load_year(ds, 2015, PREVIOUS_TABLES, tolerant=True)
    reread = Reread(load_year, data.manifest_inputs(), before.manifest_inputs())
    from jingzhun.params import Params
    from jingzhun.steps import Context

    c = Context(ds, 2016, Params.load(ds_root), _options(), data, tmp_path / "tmp")
    assert reread.into(c).data.manifest_inputs() == data.manifest_inputs()  # unchanged: the same reading
    households = next(p for p in (ds_root / "2016").iterdir() if p.name.startswith("households"))
    households.write_bytes(households.read_bytes() + households.read_bytes().splitlines(keepends=True)[-1])
    with pytest.raises(JingzhunError, match=f"{households.name}.*(changed during the run|在运行中被修改)"):
        reread.into(c)  # the reader's own error, naming the file
    records, own, before = _background([s for s in STEPS if s.background], c, reread)
    assert [(r.name, r.status) for r, _, _ in records] == [("validate", "failed"), ("diff", "failed")]
    assert set(own.frame()["code"]) == {"R-STEP-FAILED"}
    assert before.ident is None and households.name in before.note  # the report's trend says why


def test_the_run_process_lets_the_year_before_go_and_the_worker_identifies_it(two_years, tmp_path, monkeypatch):
    """With a worker, the year before's frames stay only there (diff needs them): it identifies that
    year for the report's trend, and the run process keeps the two households columns notice reads."""
    from jingzhun import pipeline
    from jingzhun.plan import notice_api
    from jingzhun.report import api as report_api

    seen: dict[str, object] = {}
    real_notice, real_report = notice_api.step_compute, report_api.step_compute

    def notice(c):
        seen["previous"] = {k: list(v.columns) for k, v in c.previous.frames.items()}
        return real_notice(c)

    def report(c):
        seen["from_worker"] = c.previous_year is not None
        out = real_report(c)
        seen["years"] = sorted(out.value.years)
        return out

    monkeypatch.setattr(notice_api, "step_compute", notice)
    monkeypatch.setattr(report_api, "step_compute", report)
    with ProcessExecutor(2, "spawn") as ex:
        result = run_pipeline(two_years, tmp_path / "out", _options(), executor=ex)
    assert all(r.status == "ok" for r in result.steps), result.steps
    assert seen == {
        "previous": {"households": list(pipeline.PREVIOUS_KEPT)},
        "from_worker": True,
        "years": [2015, 2016],
    }


def _options() -> RunOptions:
    from datetime import date

    return RunOptions(notice_date=date(2016, 3, 1))


def _run_in_daemon(ds: Path, out: Path, jobs: int | None) -> None:
    options = _options()
    options.jobs = jobs
    result = run_pipeline(ds, out, options)
    failed = [r.name for r in result.steps if r.status != "ok"]
    if failed:
        raise SystemExit(f"failed: {failed}")


def test_run_inside_a_daemonic_process_is_serial_and_the_same(two_years, tmp_path, plain):
    """How Dask, Celery and multiprocessing pools run tasks: a daemon may not start children
    (the default jobs would want workers: the run is serial there, every step ok)."""
    p = multiprocessing.get_context("spawn").Process(
        target=_run_in_daemon, args=(two_years, tmp_path / "out", None), daemon=True
    )
    p.start()
    p.join(300)
    assert p.exitcode == 0
    assert _outputs(tmp_path / "out") == plain


def test_two_threads_running_steps_get_their_own_results(tmp_path):
    """Nothing is shared through module state: each thread's validate gets its own frames' findings."""
    from jingzhun.dataset import Dataset, load_year
    from jingzhun.params import Params
    from jingzhun.sample.build import build
    from jingzhun.schema.validate import validate_year

    years, params = {}, {}
    for seed in (4, 9):  # two different datasets with different anomalies
        build(tmp_path / str(seed), households=120, years=[2016], seed=seed, anomaly_rate=0.1)
        years[seed] = load_year(Dataset.open(tmp_path / str(seed)), 2016)
        params[seed] = Params.load(tmp_path / str(seed))
    alone = {y: validate_year(d, params[y]).render() for y, d in years.items()}
    got: dict[int, object] = {}
    with ProcessExecutor(2) as ex:  # one executor, used by both threads at once

        def work(y: int) -> None:
            got[y] = validate_year(years[y], params[y], executor=ex).render()

        threads = [threading.Thread(target=work, args=(y,)) for y in years]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert not alone[4].equals(alone[9])
    for y in years:
        assert alone[y].equals(got[y]), y


MASKED = """
import sys
sys.modules["fcntl"] = None
sys.modules["resource"] = None
from jingzhun.cli import app

if __name__ == "__main__":
    sys.argv = ["jingzhun", "run", sys.argv[1], "--out", sys.argv[2], "--no-books", "--quiet", "--json", "-j", "1"]
    app()
"""


def test_import_and_run_without_fcntl_and_resource(two_years, tmp_path):
    import json

    script = tmp_path / "masked.py"
    script.write_text(MASKED, encoding="utf-8")
    r = subprocess.run(
        [sys.executable, str(script), str(two_years), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode in (0, 1), r.stderr
    steps = {s["name"]: s["status"] for s in json.loads(r.stdout)["steps"]}
    assert set(steps.values()) == {"ok"}, steps


def test_no_module_imports_fcntl_or_resource_at_module_level():
    for path in (ROOT / "jingzhun").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only: a lazy import inside a function has a fallback
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not {"fcntl", "resource"} & {n.split(".")[0] for n in names}, path


def test_peak_memory_is_read_without_resource():
    from jingzhun.memory import peak_mb as _peak_mb

    if Path("/proc/self/status").is_file():
        assert _peak_mb() > 10
    else:
        assert _peak_mb() >= 0


def test_help_imports_no_data_library_and_lists_every_command():
    code = (
        "import sys, runpy\n"
        "sys.argv = ['jingzhun', '--help']\n"
        "try:\n    runpy.run_module('jingzhun', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pandas', 'pyarrow', 'pypinyin', 'numpy') if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]"
    from jingzhun.cli import COMMANDS

    for name, _, text in COMMANDS:
        assert f"  {name} " in r.stdout and text.split(" / ")[0][:10] in r.stdout, name


def test_the_help_table_matches_each_commands_docstring():
    import importlib
    import inspect

    from jingzhun.cli import COMMANDS

    for name, module, text in COMMANDS:
        doc = inspect.getdoc(importlib.import_module(module).command) or ""
        assert doc.splitlines()[0] == text, name


def test_a_command_s_own_help_and_usage_errors_still_work():
    r = runner.invoke(app, ["audit", "--help"])
    assert r.exit_code == 0 and "--as-of" in r.stdout
    r = runner.invoke(app, ["run", "x", "--jobs", "0"])
    assert r.exit_code == 2 and "用法错误: --jobs 至少为 1" in r.stderr
    r = runner.invoke(app, ["nosuch"])
    assert r.exit_code == 2 and "没有命令 nosuch" in r.stderr
