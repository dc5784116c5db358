"""Executors run units of work in order, serially without any child process."""

from __future__ import annotations

import multiprocessing
import sys

import pytest

from jingzhun.executors import ProcessExecutor, SerialExecutor, ThreadExecutor, make_executor


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


def _slow_lang(x: int) -> tuple[int, str, str]:
    import threading
    import time

    from jingzhun.i18n import get_lang

    time.sleep(0.01 * (5 - x))  # later units finish first
    return x, get_lang(), threading.current_thread().name


def test_thread_executor_keeps_order_carries_the_language_and_uses_its_threads() -> None:
    from jingzhun.i18n import get_lang, set_lang

    before = get_lang()
    set_lang("en")
    try:
        with ThreadExecutor(2) as ex:
            out = ex.map(_slow_lang, [1, 2, 3, 4])
            assert [x for x, _, _ in out] == [1, 2, 3, 4]
            assert {lang for _, lang, _ in out} == {"en"}  # a new thread would have the default "zh"
            assert all(name.startswith("jingzhun-unit") for _, _, name in out)
            with pytest.raises(ValueError, match="bad 3"):
                ex.submit(_fail, 3).result()
    finally:
        set_lang(before)


def _executor_kind(_: object) -> str:
    return type(make_executor(4)).__name__


def test_daemonic_process_gets_a_serial_executor() -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:  # pool workers are daemonic
        assert pool.map(_executor_kind, [0]) == ["SerialExecutor"]
    assert isinstance(make_executor(2), ProcessExecutor)


def _lang_of(_: object) -> str:
    from jingzhun.i18n import get_lang

    return get_lang()


def _die(_: object) -> None:
    import os

    os._exit(7)


def test_process_executor_carries_the_language_and_recovers_from_a_dead_worker() -> None:
    from concurrent.futures.process import BrokenProcessPool

    from jingzhun.i18n import set_lang

    set_lang("en")
    with ProcessExecutor(2) as ex:
        assert ex.map(_lang_of, [0, 1]) == ["en", "en"]  # a spawned worker does not inherit it
        with pytest.raises(BrokenProcessPool):
            ex.submit(_die, 0).result()
        assert ex.map(_square, [2, 3]) == [4, 9]  # later units get a new pool


def test_chunks_deal_round_robin_one_unit_per_job() -> None:
    from jingzhun.executors import chunks

    items = list(range(7))
    assert chunks(items, 1) == [items]
    assert chunks(items, 2) == [[0, 2, 4, 6], [1, 3, 5]]
    assert chunks(items[:1], 4) == [[0]] and chunks([], 3) == []


def test_audit_in_two_processes_equals_one(tmp_path) -> None:
    import pandas as pd

    from jingzhun.audit.core import CHECKS, HEAVY
    from jingzhun.audit.pipeline import TABLES, audit_year
    from jingzhun.dataset import Dataset, load_year
    from jingzhun.params import Params
    from jingzhun.sample.build import build

    assert set(HEAVY) < set(CHECKS)  # the split is declared by name
    build(tmp_path, households=200, years=[2016], seed=4, anomaly_rate=0.05)
    frames = load_year(Dataset.open(tmp_path), 2016, TABLES).frames
    params = Params.load(tmp_path)
    one = audit_year(frames, params, 2016)
    with ProcessExecutor(2) as ex:
        two = audit_year(frames, params, 2016, executor=ex)
    assert len(one.findings) > 5 and "A-PAYEE-INELIGIBLE" in set(one.findings["code"])
    pd.testing.assert_frame_equal(one.findings, two.findings)
    assert one.summary == two.summary
