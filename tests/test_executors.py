"""Executors run units of work in order, serially without any child process."""

from __future__ import annotations

import multiprocessing
import sys

import pytest

from jingzhun.executors import ProcessExecutor, SerialExecutor, make_executor


def _square(x: int) -> int:
    return x * x


def _fail(x: int) -> int:
    raise ValueError(f"bad {x}")


def test_serial_runs_in_order_and_starts_no_process() -> None:
    started: list[str] = []

    def hook(event: str, args: object) -> None:
        if event in ("os.fork", "os.posix_spawn", "subprocess.Popen", "os.exec"):
            started.append(event)

    sys.addaudithook(hook)
    ex = make_executor(1)
    assert isinstance(ex, SerialExecutor)
    assert ex.map(_square, [3, 1, 2]) == [9, 1, 4]
    assert ex.submit(_square, 5).result() == 25
    with pytest.raises(ValueError, match="bad 7"):
        ex.submit(_fail, 7).result()
    assert started == []


def test_process_executor_keeps_unit_order() -> None:
    with ProcessExecutor(2) as ex:
        assert ex.map(_square, list(range(10))) == [x * x for x in range(10)]
        assert ex.submit(_square, 4).result() == 16


def _executor_kind(_: object) -> str:
    return type(make_executor(4)).__name__


def test_daemonic_process_gets_a_serial_executor() -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:  # pool workers are daemonic
        assert pool.map(_executor_kind, [0]) == ["SerialExecutor"]
    assert isinstance(make_executor(2), ProcessExecutor)
