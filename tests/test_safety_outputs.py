"""What ``--out`` may replace, temporary folders, locks, killed runs, full disks, kept decisions.

Issue 10 (items 1-4, 6, the output half of 14) and issue 17 (items 6, 8-11).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.errors import InputError, UsageError
from jingzhun.outputs import output_dir
from jingzhun.runlock import lock_path, locked

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str):
    return runner.invoke(app, list(args))


def _run(ds: Path, out: Path, *more: str):
    return _cli("run", str(ds), "--out", str(out), "--no-books", "--no-docx", "--date", "2016-03-01", "--quiet", *more)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    from jingzhun.sample.build import build

    ds = tmp_path_factory.mktemp("tiny") / "ds"
    ds.mkdir()
    build(ds, households=30, years=[2016], seed=5)
    return ds


@pytest.fixture
def ds(tiny: Path, tmp_path: Path) -> Path:
    d = tmp_path / "ds"
    shutil.copytree(tiny / "2016", d / "2016")
    return d


@pytest.fixture(scope="module")
def earlier(tiny: Path, tmp_path_factory) -> Path:
    """One complete run output, copied by the tests that need a previous output."""
    out = tmp_path_factory.mktemp("earlier") / "out"
    r = _run(tiny, out)
    assert r.exit_code in (0, 1), r.stderr
    return out


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---- 10.1: what --out may replace ------------------------------------------------------


@pytest.mark.parametrize("where", ["same", "inside", "above"])
def test_run_refuses_out_that_is_inside_or_holds_the_dataset(ds, where):
    out = {"same": ds, "inside": ds / "out", "above": ds.parent}[where]
    before = _snapshot(ds)
    r = _run(ds, out)
    assert r.exit_code == 2, r.stderr
    assert str(out.resolve()) in r.stderr and "数据集" in r.stderr
    assert _snapshot(ds) == before
    assert not (ds / "out").exists()


def test_run_refuses_a_folder_holding_the_users_files(ds, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "工作记录.docx").write_bytes(b"my notes")
    r = _run(ds, out)
    assert r.exit_code == 2
    assert "工作记录.docx" in r.stderr and str(out) in r.stderr
    assert [p.name for p in out.iterdir()] == ["工作记录.docx"]


def test_run_refuses_its_earlier_output_once_the_user_put_a_file_in_it(ds, earlier, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(earlier, out)
    (out / "identify" / "我的批注.xlsx").write_bytes(b"mine")
    r = _run(ds, out)
    assert r.exit_code == 2 and "identify/我的批注.xlsx" in r.stderr
    assert (out / "identify" / "我的批注.xlsx").read_bytes() == b"mine"
    (out / "identify" / "我的批注.xlsx").unlink()
    (out / ".DS_Store").write_bytes(b"finder")  # file-manager litter does not block
    assert _run(ds, out).exit_code in (0, 1)


def test_command_folder_is_replaced_only_when_jingzhun_wrote_it(ds, earlier, tmp_path):
    out = tmp_path / "out"
    (out / "validate").mkdir(parents=True)
    (out / "validate" / "notes.txt").write_text("mine", encoding="utf-8")
    r = _cli("validate", str(ds), "--out", str(out), "--quiet")
    assert r.exit_code == 2 and "notes.txt" in r.stderr
    assert (out / "validate" / "notes.txt").read_text(encoding="utf-8") == "mine"

    other = tmp_path / "other"
    r = _cli("validate", str(ds), "--out", str(other), "--quiet")
    assert r.exit_code in (0, 1)
    marker = json.loads((other / "validate" / "manifest.json").read_text(encoding="utf-8"))
    assert marker["command"] == "validate"
    assert {o["path"] for o in marker["outputs"]} == {"findings.csv", "findings.xlsx", "report.json"}
    assert _cli("validate", str(ds), "--out", str(other), "--quiet").exit_code in (0, 1)  # its own: replaced
    assert _cli("verify", str(other / "validate")).exit_code == 0

    run_out = tmp_path / "run"
    shutil.copytree(earlier, run_out)  # a run's step folder is known from the run's manifest
    assert _cli("validate", str(ds), "--out", str(run_out), "--quiet").exit_code in (0, 1)
    assert _run(ds, run_out).exit_code in (0, 1)  # and the run output with a re-validated folder is still its own


def test_output_dir_never_deletes_foreign_files(tmp_path):
    (tmp_path / "plan" / "books").mkdir(parents=True)
    (tmp_path / "plan" / "books" / "x.html").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError) as e:
        with output_dir(tmp_path, "plan") as d:
            (d / "plans.csv").write_text("1", encoding="utf-8")
    assert "books/x.html" in e.value.message
    assert (tmp_path / "plan" / "books" / "x.html").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]  # its temporary folder removed
    if os.name != "nt":
        mine = tmp_path / "mine"
        mine.mkdir()
        (tmp_path / "audit").mkdir()
        (tmp_path / "audit" / "link").symlink_to(mine, target_is_directory=True)
        with pytest.raises(UsageError):
            with output_dir(tmp_path, "audit"):
                pass
        assert (tmp_path / "audit" / "link").is_symlink()


# ---- 10.2: sample ------------------------------------------------------------------------


def test_sample_refuses_a_non_empty_folder_and_force_keeps_foreign_files(tmp_path):
    out = tmp_path / "ds"
    args = ["sample", str(out), "--households", "20", "--years", "2016", "--quiet"]
    assert _cli(*args).exit_code == 0
    (out / "2016" / "households.csv").write_text("changed", encoding="utf-8")
    r = _cli(*args)
    assert r.exit_code == 2 and "--force" in r.stderr
    assert (out / "2016" / "households.csv").read_text(encoding="utf-8") == "changed"
    assert _cli(*args, "--force").exit_code == 0  # jingzhun's own sample: replaced
    assert (out / "2016" / "households.csv").read_text(encoding="utf-8-sig") != "changed"
    (out / "2016" / "说明.txt").write_text("mine", encoding="utf-8")
    r = _cli(*args, "--force")
    assert r.exit_code == 2 and "说明.txt" in r.stderr
    assert (out / "2016" / "说明.txt").read_text(encoding="utf-8") == "mine"


def test_sample_refuses_a_folder_of_the_users(tmp_path):
    out = tmp_path / "docs"
    out.mkdir()
    (out / "a.docx").write_bytes(b"mine")
    for extra in ([], ["--force"]):
        r = _cli("sample", str(out), "--households", "20", "--years", "2016", "--quiet", *extra)
        assert r.exit_code == 2
        assert (out / "a.docx").read_bytes() == b"mine"


# ---- 10.3: leftovers of earlier runs ------------------------------------------------------


def test_leftovers_of_dead_runs_are_removed_and_live_ones_kept(ds, earlier, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(earlier, out)
    dead = _dead_pid()
    stale = [tmp_path / f".out.tmp-{dead}-0a1b2c3d", tmp_path / f".out.old-{dead}-0a1b2c3d"]
    for p in stale:
        (p / "identify").mkdir(parents=True)
    live = tmp_path / f".out.tmp-{os.getppid()}-0a1b2c3d"  # a process that is alive
    live.mkdir()
    users = tmp_path / ".out.tmp-mine"
    users.mkdir()
    r = _run(ds, out)
    assert r.exit_code in (0, 1)
    assert not any(p.exists() for p in stale)
    assert live.is_dir() and users.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")) == sorted([live.name, users.name])


def test_previous_output_set_aside_by_a_killed_swap_is_put_back(tmp_path):
    with output_dir(tmp_path, "validate") as d:
        (d / "findings.csv").write_text("old", encoding="utf-8")
    aside = tmp_path / f".validate.old-{_dead_pid()}-00ff00ff"
    (tmp_path / "validate").rename(aside)  # killed between the two renames of the swap
    with pytest.raises(RuntimeError):
        with output_dir(tmp_path, "validate"):
            raise RuntimeError("stopped")
    assert (tmp_path / "validate" / "findings.csv").read_text(encoding="utf-8") == "old"
    assert not aside.exists()


# ---- 10.4: locks and killed runs --------------------------------------------------------


def test_runlock_is_portable():
    text = (ROOT / "jingzhun" / "runlock.py").read_text(encoding="utf-8")
    assert "import fcntl" not in text and "flock" not in text


def test_a_lock_whose_holder_is_alive_is_refused_and_a_dead_ones_taken_over(tmp_path):
    out = tmp_path / "out"
    lock_path(out).write_text(str(os.getppid()), encoding="ascii")
    with pytest.raises(InputError) as e:
        with locked(out):
            pass
    assert str(os.getppid()) in e.value.message
    dead = _dead_pid()
    lock_path(out).write_text(str(dead), encoding="ascii")
    with locked(out) as stale:
        assert stale == dead
        assert lock_path(out).read_text(encoding="ascii") == str(os.getpid())
    assert not lock_path(out).exists()


def test_a_run_takes_over_a_dead_runs_lock_with_a_notice(ds, tmp_path):
    out = tmp_path / "out"
    dead = _dead_pid()
    lock_path(out).write_text(str(dead), encoding="ascii")
    r = _run(ds, out, "--json")
    assert r.exit_code in (0, 1), r.stderr
    assert "info:R-LOCK-STALE" in json.loads(r.stdout)["by_code"]
    findings = (out / "validate" / "findings.csv").read_text(encoding="utf-8-sig")
    assert "R-LOCK-STALE" not in findings  # a run finding, not validate's
    assert not lock_path(out).exists()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")  # a zombie is dead


# A script file (a spawned worker imports it again, as __mp_main__: the guard keeps it from running).
SLOW_RUN = """
import dataclasses, sys, time
from jingzhun import pipeline

def slow(c):
    time.sleep(300)

if __name__ == "__main__":
    pipeline.STEPS = tuple(dataclasses.replace(s, compute=slow) if s.name == "validate" else s
                           for s in pipeline.STEPS)
    from jingzhun.cli import app
    sys.argv = ["jingzhun", "run", sys.argv[1], "--out", sys.argv[2],
                "--no-books", "--no-docx", "--quiet", "--jobs", "2"]
    app()
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the worker")
def test_kill_9_of_a_run_leaves_no_worker_no_lock_and_the_old_output_verifies(tiny, earlier, tmp_path):
    from jingzhun.runlock import pid_alive

    out = tmp_path / "out"
    shutil.copytree(earlier, out)
    script = tmp_path / "slow_run.py"
    script.write_text(SLOW_RUN, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tiny), str(out)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline and not workers:
            workers = _children(proc.pid) if any(tmp_path.glob(".out.tmp-*")) else []
            time.sleep(0.2)
        assert workers, "the run did not start its worker"
        assert lock_path(out).read_text(encoding="ascii") == str(proc.pid)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(_gone(w) for w in workers):
        time.sleep(0.1)
    assert all(_gone(w) for w in workers), "a worker outlived the killed run"
    assert not pid_alive(proc.pid)
    assert _cli("verify", str(out)).exit_code == 0  # the previous complete output is whole
    r = _run(tiny, out, "--json")
    assert r.exit_code in (0, 1), r.stderr
    assert "info:R-LOCK-STALE" in json.loads(r.stdout)["by_code"]
    assert not list(tmp_path.glob(".out.tmp-*")) and not lock_path(out).exists()
    assert _cli("verify", str(out)).exit_code == 0


# ---- 10.6: permissions follow the umask ---------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_outputs_and_samples_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        with output_dir(tmp_path, "validate") as d:
            (d / "a.csv").write_text("1", encoding="utf-8")
        assert (tmp_path / "validate").stat().st_mode & 0o777 == 0o755
        assert _cli("sample", str(tmp_path / "s"), "--households", "20", "--years", "2016", "--quiet").exit_code == 0
        assert (tmp_path / "s").stat().st_mode & 0o777 == 0o755
    finally:
        os.umask(old)


# ---- 10.14: a full disk ------------------------------------------------------------------


def _full_disk(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/somewhere/.out.tmp-1-ab/validate/report.json")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_disk_stops_the_run_and_keeps_the_previous_output(ds, earlier, tmp_path, monkeypatch, jobs):
    import dataclasses

    from jingzhun import pipeline

    out = tmp_path / "out"
    shutil.copytree(earlier, out)
    before = _snapshot(out)
    # The step itself is replaced (a spawned worker re-imports modules: a patched module would not reach it).
    steps = tuple(dataclasses.replace(s, write=_full_disk) if s.name == "validate" else s for s in pipeline.STEPS)
    monkeypatch.setattr(pipeline, "STEPS", steps)
    r = _run(ds, out, "--jobs", jobs)
    assert r.exit_code == 3, r.stderr
    assert "磁盘空间不足" in r.stderr and "report.json" in r.stderr
    assert "Traceback" not in r.stderr and "内部错误" not in r.stderr
    assert _snapshot(out) == before
    assert not list(tmp_path.glob(".out.*"))


def test_a_full_disk_in_a_command_names_the_file_and_keeps_the_old_folder(ds, tmp_path, monkeypatch):
    from jingzhun.schema import api as schema_api

    out = tmp_path / "out"
    assert _cli("validate", str(ds), "--out", str(out), "--quiet").exit_code in (0, 1)
    before = _snapshot(out)

    def half(obj, path):
        Path(path).write_text('{"cut', encoding="utf-8")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(schema_api, "write_json", half)
    r = _cli("validate", str(ds), "--out", str(out), "--quiet")
    assert r.exit_code == 3
    assert "磁盘空间不足" in r.stderr and str(out / "validate" / "report.json") in r.stderr
    assert _snapshot(out) == before and sorted(p.name for p in out.iterdir()) == ["validate"]


# ---- 17.6: files holding the user's work --------------------------------------------------


def test_replaced_file_keeps_the_old_file_whole_on_a_full_disk(tmp_path):
    from jingzhun.outputs import replaced_file

    kept = tmp_path / "match_decisions.csv"
    kept.write_text("old\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        with replaced_file(kept) as tmp:
            tmp.write_text("new, half", encoding="utf-8")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))
    assert str(kept) in e.value.message
    assert kept.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["match_decisions.csv"]


def test_a_cut_decisions_file_is_an_error_not_fewer_decisions(tmp_path):
    import pandas as pd

    from jingzhun.io.write import write_csv
    from jingzhun.match.api import load_decisions

    rows = pd.DataFrame(
        {
            "record_id": ["R1", "R2"],
            "roster_name": ["张伟", "刘丽"],
            "household_id": ["H1", "H2"],
            "id_number": ["1", "2"],
            "register_name": ["张伟", "刘丽"],
            "decision": ["确认", "否认"],
        }
    )
    kept = tmp_path / "match_decisions.csv"
    write_csv(rows, kept)
    applied, _ = load_decisions(tmp_path, None)
    assert len(applied) == 2
    whole = kept.read_bytes()
    # 否认 cut to 否 (still a word!), a row cut after its name, a cut inside a character
    for cut in (whole[:-4], whole[: whole.rindex(b",H2,")], whole[: whole.index(b"\n") + 5]):
        kept.write_bytes(cut)
        with pytest.raises(InputError) as e:
            load_decisions(tmp_path, None)
        assert "match_decisions.csv" in e.value.message and "损坏" in e.value.message
    kept.write_bytes(whole)
    assert len(load_decisions(tmp_path, None)[0]) == 2


# ---- 17.9: a symlinked --out -------------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_symlinked_out_keeps_the_link_and_shares_the_lock(ds, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    alias = tmp_path / "alias"
    alias.symlink_to(real, target_is_directory=True)
    r = _run(ds, alias)
    assert r.exit_code in (0, 1), r.stderr
    assert alias.is_symlink() and (real / "manifest.json").is_file()
    assert _cli("verify", str(alias)).exit_code == 0
    with locked(real):
        r = _run(ds, alias)
    assert r.exit_code == 3 and "另一个" in r.stderr
    assert alias.is_symlink()


# ---- 17.10: the log inside --out ----------------------------------------------------------


def test_a_log_inside_out_is_carried_into_the_new_output(ds, tmp_path):
    out = tmp_path / "out"
    log = out / "run.log"
    for _ in range(2):
        r = _run(ds, out, "--log", str(log))
        assert r.exit_code in (0, 1), r.stderr
    lines = log.read_text(encoding="utf-8").splitlines()
    assert sum("退出码" in x for x in lines) == 2  # both runs' logs, the first one not lost
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "run.log" not in {o["path"] for o in manifest["outputs"]}
    assert _cli("verify", str(out)).exit_code == 0
    r = _run(ds, out, "--log", str(out / "logs" / "x.log"))
    assert r.exit_code == 2 and "run.log" in r.stderr


# ---- 17.11: paths relative to the dataset -------------------------------------------------


def test_moving_the_dataset_changes_no_output_byte(ds, tmp_path):
    outs = []
    moved = tmp_path / "elsewhere" / "deeper" / "ds"
    shutil.copytree(ds, moved)
    for i, d in enumerate((ds, moved)):
        out = tmp_path / f"out{i}"
        assert _cli("validate", str(d), "--out", str(out), "--quiet").exit_code in (0, 1)
        outs.append(_snapshot(out / "validate"))
    assert outs[0] == outs[1]
    report = json.loads(outs[0]["report.json"])
    assert [s["path"] for s in report["sources"]][:2] == ["2016/cadres.csv", "2016/crosscheck.csv"]
    assert str(tmp_path) not in outs[0]["report.json"].decode("utf-8")
