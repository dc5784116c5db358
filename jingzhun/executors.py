"""Executors: how independent units of work are run, chosen by the command layer.

Domain code never starts a process. It splits its work into units: a module-level
(picklable) function and plain arguments, and hands them to the :class:`Executor` it
was given. The executor decides where they run:

- :class:`SerialExecutor`: here, one after the other (``--jobs 1``, and always inside a
  daemonic process such as a Dask, Celery or ``multiprocessing`` pool worker, which may
  not start children);
- :class:`ThreadExecutor`: threads of this process, sharing its frames (no copy): for units
  that spend their time in pandas, Arrow and numpy, which run without the GIL for much of it;
- :class:`ProcessExecutor`: local worker processes (``concurrent.futures`` with an
  explicit start method, so it behaves the same on Windows);
- a Dask executor for county tasks on a cluster (``jingzhun.province``).

Every executor returns results in the order of the units, so outputs never depend on
which worker finished first.
"""

from __future__ import annotations

import contextvars
import functools
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

from jingzhun.i18n import get_lang, set_lang

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs units of work; results come back in the order of the units."""

    jobs: int
    # True when the units run in this process and read the caller's frames as they are (no
    # pickling): the caller may then cut its work finer.
    shares_memory: bool

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]: ...

    def submit(self, fn: Callable[..., R], /, *args: Any) -> Future[R]: ...

    def close(self) -> None: ...

    def terminate(self) -> None:
        """Stop every running unit now (the caller gave up on their results: the run failed)."""
        ...


class SerialExecutor:
    """Runs every unit in this process, at once, in order. Starts no process."""

    jobs = 1
    shares_memory = True

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return [fn(item) for item in items]

    def submit(self, fn: Callable[..., R], /, *args: Any) -> Future[R]:
        future: Future[R] = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as e:  # noqa: BLE001 - kept for .result(), like a pool does
            future.set_exception(e)
        return future

    def close(self) -> None:
        return None

    def terminate(self) -> None:
        return None

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ThreadExecutor:
    """Runs units on up to ``jobs`` threads of this process, each in a copy of the caller's context
    (the message language is a context variable). The units share the caller's frames and must
    only read them; the pool is created on first use and reused until :meth:`close`."""

    shares_memory = True

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _get_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.jobs, thread_name_prefix="jingzhun-unit")
            return self._pool

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        units = list(items)
        if len(units) <= 1:
            return [fn(u) for u in units]
        futures = [self.submit(fn, u) for u in units]
        return [f.result() for f in futures]

    def submit(self, fn: Callable[..., R], /, *args: Any) -> Future[R]:
        return self._get_pool().submit(contextvars.copy_context().run, fn, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def terminate(self) -> None:
        if self._pool is not None:  # a running thread cannot be stopped: the ones not started are dropped
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> ThreadExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProcessExecutor:
    """Runs units in up to ``jobs`` local worker processes, started with ``start_method``.

    The pool is created on first use and reused until :meth:`close`.
    """

    shares_memory = False

    def __init__(self, jobs: int, start_method: str | None = None) -> None:
        self.jobs = max(1, jobs)
        self.start_method = start_method or default_start_method()
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()  # threads sharing this executor share one pool

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            return self._pool_locked()

    def _pool_locked(self) -> ProcessPoolExecutor:
        if self._pool is not None and getattr(self._pool, "_broken", False):
            # A worker died (killed, out of memory): its unit failed; later units get a new pool.
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        if self._pool is None:
            ctx = multiprocessing.get_context(self.start_method)
            self._pool = ProcessPoolExecutor(
                self.jobs, mp_context=ctx, initializer=watch_parent, initargs=(os.getpid(),)
            )
            for _ in range(self.jobs):  # start every worker now: their start-up overlaps the caller's work
                self._pool.submit(_ready)
        return self._pool

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        units = list(items)
        if len(units) <= 1:
            return [fn(u) for u in units]
        return list(self._get_pool().map(functools.partial(_in_lang, get_lang(), fn), units))

    def submit(self, fn: Callable[..., R], /, *args: Any) -> Future[R]:
        return self._get_pool().submit(_in_lang, get_lang(), fn, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def terminate(self) -> None:
        if self._pool is None:
            return
        workers = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for p in workers:
            p.terminate()
        for p in workers:
            p.join()
        self._pool = None

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _ready() -> None:
    return None


def _in_lang(lang: str, fn: Callable[..., R], *args: Any) -> R:
    """In a worker: ``fn(*args)`` in the caller's message language (a worker does not inherit it)."""
    set_lang(lang)
    return fn(*args)


def watch_parent(parent: int) -> None:
    """In a worker: end this process as soon as ``parent`` is gone, so no worker outlives the run.

    A thread polls the parent pid (portable). Linux's ``PR_SET_PDEATHSIG`` is not used: it
    fires when the *thread* that started the worker ends, which kills the workers a
    short-lived thread happened to start while other threads still use the pool.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(70)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def chunks(items: Sequence[T], n: int) -> list[list[T]]:
    """``items`` dealt round-robin into up to ``n`` units (even load, order kept inside each).

    Callers split by ``executor.jobs``: one unit per worker, so data shared by every unit
    is sent to each worker once; with one job, one unit and no copy at all."""
    n = min(len(items), max(1, n))
    return [list(items[i::n]) for i in range(n)]


SERIAL = SerialExecutor()  # the default of every domain function: here, in order, no process


def default_start_method() -> str:
    """``spawn`` everywhere: the same behaviour on Windows, macOS and Linux, and safe with
    the threads pyarrow and pandas keep running (``fork`` with threads can deadlock)."""
    return "spawn"


def in_daemon() -> bool:
    """True inside a daemonic process (a pool or cluster worker), which may not start children."""
    return bool(multiprocessing.current_process().daemon)


def default_jobs() -> int:
    """Worker processes when the user does not say: every core, at most 4 (memory grows with each)."""
    return max(1, min(4, os.cpu_count() or 1))


def make_executor(jobs: int | None) -> SerialExecutor | ProcessExecutor:
    """The executor for ``--jobs``: serial for one job or inside a daemonic process."""
    n = default_jobs() if jobs is None else jobs
    if n <= 1 or in_daemon():
        return SerialExecutor()
    return ProcessExecutor(n)
