"""Whole commands against the floor of reading their input (issue 14).

    python benchmarks/bench_commands.py [--data /tmp/bench-200k] [--households 200000]
        [--commands validate,identify,match,audit] [--frictionless-python PYTHON]

Builds (or reuses) ``jingzhun sample DATA --households 200000 --years 2016-2017 --seed 7
--format parquet``, measures the floor (every 2017 table file read once with
``pyarrow.parquet.read_table``, in this run), then runs each command as a whole process
(start-up included) and prints its wall time, CPU time (user+sys of the process and its
children), the ratio of wall time to the floor, the largest process's peak RSS and the peak
PSS of the process tree (sampled). Then ``jingzhun --help``, and the comparison with
frictionless-py 5 on the members table written as UTF-8 CSV: the same checks in both
(required fields, the ID number pattern, enums, an integer range), jingzhun doing more.

frictionless is an optional benchmark dependency; keep it out of jingzhun's venv (it pins
its own typer). For example:

    python3 -m venv /tmp/fl-venv && /tmp/fl-venv/bin/pip install 'frictionless>=5,<6'
    python benchmarks/bench_commands.py --frictionless-python /tmp/fl-venv/bin/python

The commands run with ``--no-xlsx`` unless ``--xlsx`` is given: the targets are about the
work, not the Excel copy of its results (a workbook above a million cells is written by Arrow,
about 0.5 µs a cell; 4 s of identify's 7.9 s at this size). ``--profile N`` runs each command
once more under cProfile, serially (``--jobs 1`` where the command has it, and its threaded
pieces inline: cProfile sees one thread), and prints its N functions of the largest cumulative
time (the command-line wrappers left out). Byte code is cached in a
PYTHONPYCACHEPREFIX folder beside the data and every command runs once on a small sample
first, as an installed wheel has its byte code compiled (the developer venv may set
PYTHONDONTWRITEBYTECODE, which would add a second of compiling to every process).

Timings on a shared machine are noisy: compare CPU time as well as wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import PROFILE_COMMAND, print_top, tree_pss_mb

YEAR = "2017"
COMMANDS = ("validate", "identify", "match", "audit")
TARGETS = {"validate": 4.0, "identify": 4.0, "match": 6.0, "audit": 4.0}

FRICTIONLESS_SCRIPT = r"""
import collections, pathlib, sys, time
from frictionless import Resource, Schema, Checklist
t0 = time.perf_counter()
schema = Schema.from_descriptor({"fields": [
    {"name": "household_id", "type": "string", "constraints": {"required": True, "pattern": "[0-9]{14}"}},
    {"name": "id_number", "type": "string", "constraints": {"required": True, "pattern": "[0-9]{17}[0-9X]"}},
    {"name": "id_type", "type": "string"},
    {"name": "name", "type": "string", "constraints": {"required": True}},
    {"name": "sex", "type": "string", "constraints": {"required": True, "enum": ["男", "女"]}},
    {"name": "birth_date", "type": "date"},
    {"name": "ethnicity", "type": "string"},
    {"name": "relation", "type": "string", "constraints": {"required": True, "enum": [
        "户主", "配偶", "之子", "之女", "之父", "之母", "之儿媳", "之孙子", "之孙女", "之兄弟姐妹", "之女婿", "其他"]}},
    {"name": "education", "type": "string"},
    {"name": "school_status", "type": "string"},
    {
        "name": "health",
        "type": "string",
        "constraints": {"enum": ["健康", "长期慢性病", "患有大病", "残疾", "长期慢性病,残疾", "患有大病,残疾"]},
    },
    {"name": "labor", "type": "string"},
    {"name": "work_status", "type": "string"},
    {"name": "work_months", "type": "integer", "constraints": {"minimum": 0, "maximum": 12}},
    {"name": "medical_insurance", "type": "string", "constraints": {"enum": ["是", "否"]}},
    {"name": "critical_illness_insurance", "type": "string", "constraints": {"enum": ["是", "否"]}},
    {"name": "pension_insurance", "type": "string", "constraints": {"enum": ["是", "否"]}},
    {"name": "on_dibao", "type": "string", "constraints": {"enum": ["是", "否"]}},
    {"name": "on_tekun", "type": "string", "constraints": {"enum": ["是", "否"]}},
    {"name": "change_reason", "type": "string"},
    {"name": "change_date", "type": "date"},
]})
path = pathlib.Path(sys.argv[1])
resource = Resource(path=path.name, basepath=str(path.parent), schema=schema, encoding="utf-8-sig")
report = resource.validate(limit_errors=10**9)
errors = report.flatten(["rowNumber", "type", "message"])
kinds = collections.Counter(e[1] for e in errors)
print(f"frictionless: valid={report.valid} errors={len(errors)} {dict(kinds)} "
      f"in {time.perf_counter() - t0:.1f} s; first: {errors[:2]}")
"""


@dataclass
class Run:
    """One whole process: wall and CPU seconds, largest RSS, peak PSS of the tree, exit code."""

    wall: float
    cpu: float
    rss_mb: float
    pss_mb: float
    rc: int
    stdout: str = ""


def child_env(pycache: Path) -> dict[str, str]:
    """This environment with byte code written to (and read from) ``pycache``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


ENV: dict[str, str] | None = None


def run_process(argv: list[str], cwd: Path | None = None) -> Run:
    """Run ``argv`` to the end, sampling the PSS of its process tree; rusage from wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, env=ENV)
        peak = [0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.25):
                peak[0] = max(peak[0], tree_pss_mb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        if Path("/proc").is_dir():
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        if proc.returncode not in (0, 1):
            sys.stderr.write(err.read().decode(errors="replace")[-2000:])
    rss = usage.ru_maxrss / 1024 if sys.platform != "darwin" else usage.ru_maxrss / 1024 / 1024
    return Run(wall, usage.ru_utime + usage.ru_stime, rss, peak[0], proc.returncode, stdout)


def jingzhun_argv(*args: str) -> list[str]:
    """The jingzhun console command of this interpreter's environment."""
    exe = Path(sys.executable).with_name("jingzhun")
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "jingzhun.cli", *args]


def ensure_data(data: Path, households: int) -> None:
    """Make the Parquet dataset unless ``data`` already holds it."""
    if (data / YEAR / "members.parquet").exists():
        return
    argv = jingzhun_argv("sample", str(data), "--households", str(households))
    argv += ["--years", "2016-2017", "--seed", "7", "--format", "parquet", "-q"]
    print("making the dataset: " + " ".join(argv), flush=True)
    subprocess.run(argv, check=True)


def warm_up(work: Path, commands: list[str]) -> None:
    """Run every command once on a small sample so that its byte code is cached."""
    small = work / "warm"
    argv = jingzhun_argv("sample", str(small), "--households", "300", "--years", "2016-2017")
    run_process([*argv, "--format", "parquet", "-q"])
    for cmd in commands:
        run_process(jingzhun_argv(cmd, str(small), "--year", YEAR, "--out", str(work / "warm-out" / cmd), "-q"))


def floor_seconds(data: Path, repeat: int = 3) -> tuple[float, float, int]:
    """Wall and CPU time of reading every table file of the year once with pyarrow (best of
    ``repeat``: the first pass may find a cold page cache); total rows."""
    import pyarrow.parquet as pq

    best_wall, best_cpu, rows = float("inf"), float("inf"), 0
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        rows = sum(pq.read_table(p).num_rows for p in sorted((data / YEAR).glob("*.parquet")))
        best_wall = min(best_wall, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu, rows


FLOOR_SCRIPT = (
    "import sys, pathlib, pyarrow.parquet as pq; "
    "[pq.read_table(p) for p in sorted(pathlib.Path(sys.argv[1]).glob('*.parquet'))]"
)


def floor_process(data: Path, repeat: int = 3) -> Run:
    """The floor as a whole process, as the commands are measured: start Python, import pyarrow,
    read every table file of the year once (best of ``repeat`` by wall time)."""
    runs = [run_process([sys.executable, "-c", FLOOR_SCRIPT, str(data / YEAR)]) for _ in range(repeat)]
    return min(runs, key=lambda r: r.wall)


def members_csv(data: Path, out: Path) -> Path:
    """The members table as UTF-8 CSV the way ``jingzhun sample --format csv`` writes it."""
    import pandas as pd

    from jingzhun.sample.write import write_table

    path = out / "members.csv"
    if not path.exists():
        write_table(pd.read_parquet(data / YEAR / "members.parquet"), path, "csv", "utf-8")
    return path


def compare_frictionless(py: str, work: Path, csv: Path, ours: Run) -> None:
    """frictionless-py validating ``csv`` (same checks) as a whole process, against ``ours``."""
    # Not "frictionless_*.py": frictionless imports every module of that name on sys.path as a
    # plugin, which ran this script (and the whole validation) a second time inside the first.
    script = work / "fl_members_check.py"
    script.write_text(FRICTIONLESS_SCRIPT, encoding="utf-8")
    check = subprocess.run([py, "-c", "import frictionless"], capture_output=True)
    if check.returncode != 0:
        print(f"frictionless not importable by {py}: skipped (see the docstring to install it)")
        return
    theirs = run_process([py, str(script), str(csv)])
    line("frictionless validate members.csv", theirs)
    print("  " + theirs.stdout.strip())
    print(f"frictionless / jingzhun: wall {theirs.wall / ours.wall:.1f}x, cpu {theirs.cpu / ours.cpu:.1f}x")


# Commands with a --jobs option (profiled with --jobs 1, all their work in the profiled thread).
JOBS_OPTION = ("validate", "audit")


def profile_top(argv: list[str], work: Path, n: int) -> None:
    """Run ``argv`` (a jingzhun command) under cProfile, its threaded pieces inline
    (:func:`benchlib.run_serially`); print its ``n`` functions of the largest cumulative time
    below the command-line wrappers. pandas and pyarrow are imported before profiling starts."""
    import pstats

    prof = work / "command.prof"
    here = str(Path(__file__).resolve().parent)
    run_process([sys.executable, "-c", PROFILE_COMMAND, here, str(prof), *argv])
    print_top(pstats.Stats(str(prof)), n, " ".join(argv[:2]))


def line(
    name: str, r: Run, floor: float | None = None, target: float | None = None, floor_cpu: float | None = None
) -> None:
    """One result row: the ratio is wall time over the floor's; ``cpu/floor`` CPU time over the floor's."""
    ratio = f"{r.wall / floor:6.1f}x" if floor else " " * 7
    if floor_cpu:
        ratio += f" (cpu/floor {r.cpu / floor_cpu:5.1f}x)"
    goal = f"(target <= {target:g}x)" if target else ""
    print(
        f"{name:<34} wall {r.wall:7.2f} s  cpu {r.cpu:7.2f} s  {ratio}  "
        f"rss {r.rss_mb:6.0f} MB  tree pss {r.pss_mb:6.0f} MB  rc {r.rc} {goal}",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "jingzhun-bench-200k")
    ap.add_argument("--households", type=int, default=200_000)
    ap.add_argument("--commands", default=",".join(COMMANDS))
    ap.add_argument("--frictionless-python", default=None, help="a Python with frictionless 5 installed")
    ap.add_argument("--no-frictionless", action="store_true", help="skip frictionless (jingzhun on the CSV still runs)")
    ap.add_argument("--xlsx", action="store_true", help="also write the Excel workbooks (default: --no-xlsx)")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="list each command's N costliest functions")
    args = ap.parse_args()
    global ENV
    ENV = child_env(args.data.parent / (args.data.name + "-pycache"))
    commands = [c for c in args.commands.split(",") if c]
    xlsx = "--xlsx" if args.xlsx else "--no-xlsx"

    ensure_data(args.data, args.households)
    floor, floor_cpu, rows = floor_seconds(args.data)
    print(
        f"dataset {args.data} year {YEAR}: {rows:,} rows; "
        f"floor (pyarrow.parquet.read_table, best of 3) wall {floor:.2f} s, cpu {floor_cpu:.2f} s"
    )
    work = Path(tempfile.mkdtemp(prefix="jingzhun-bench-"))
    try:
        warm_up(work, commands)
        whole = floor_process(args.data)
        line("floor as a whole process", whole)
        results = {}
        for cmd in commands:
            out = work / cmd
            r = run_process(jingzhun_argv(cmd, str(args.data), "--year", YEAR, "--out", str(out), xlsx, "-q"))
            line(cmd, r, floor, TARGETS.get(cmd), floor_cpu)
            results[cmd] = r
        for cmd, r in results.items():
            ratio, goal = r.wall / whole.wall, TARGETS.get(cmd, 0)
            print(f"  {cmd:<10} wall / whole-process floor: {ratio:5.1f}x (target <= {goal:g}x)")
        if args.profile:
            for cmd in commands:
                argv = [cmd, str(args.data), "--year", YEAR, "--out", str(work / f"{cmd}-prof"), xlsx, "-q"]
                # cProfile sees only the main thread: the units of validate and audit run there with --jobs 1,
                # the other threaded pieces through benchlib.run_serially
                profile_top(argv + (["--jobs", "1"] if cmd in JOBS_OPTION else []), work, args.profile)
        line("jingzhun --help", run_process(jingzhun_argv("--help")))
        csv = members_csv(args.data, work)
        ours = run_process(
            jingzhun_argv("validate", str(csv), "--table", "members", "--out", str(work / "v"), xlsx, "-q")
        )
        line("jingzhun validate members.csv", ours)
        if not args.no_frictionless:
            compare_frictionless(args.frictionless_python or sys.executable, work, csv, ours)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
