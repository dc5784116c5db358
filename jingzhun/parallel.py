"""Work in forked worker processes: :func:`fork_map` over parts (townships of the books and
notices, validate's two halves, the audit's two groups of checks) and :class:`Background`
for one call beside this process (the run's validate and diff, the audit's eligibility).

The shared state (frames, the document model) is inherited by ``fork``, never pickled;
only the parts and the workers' results cross the process boundary. Where ``fork`` is
not available, or with one job, the work runs in this process. Results come back in
part order, so the outputs are the same whatever the number of jobs.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_SHARED: dict[str, Any] = {}  # set in the parent right before forking workers


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def default_jobs() -> int:
    """Worker processes: every core, at most 4 (memory grows with each)."""
    return max(1, min(4, (os.cpu_count() or 1)))


def chunks(items: Sequence[T], jobs: int) -> list[list[T]]:
    """``items`` dealt round-robin into up to ``4 × jobs`` chunks (even load, order kept inside)."""
    n = min(len(items), max(1, jobs) * 4)
    return [list(items[i::n]) for i in range(n)]


def watch_parent(parent: int) -> None:
    """In a worker: end this process as soon as ``parent`` is gone, so no worker outlives the run.

    A thread polls the parent pid (portable); on Linux the kernel is also asked to kill
    this process when its parent dies (``PR_SET_PDEATHSIG``).
    """
    if sys.platform.startswith("linux"):
        _set_pdeathsig()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(70)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def _set_pdeathsig() -> None:
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _call(task: tuple[Callable[..., Any], Any]) -> Any:
    fn, chunk = task
    return fn(chunk, **_SHARED)


def fork_map(fn: Callable[..., R], parts: list[Any], jobs: int | None, **shared: Any) -> list[R]:
    """``[fn(part, **shared) for part in parts]``, in up to ``jobs`` forked workers."""
    jobs = default_jobs() if jobs is None else jobs
    if jobs > 1 and len(parts) > 1 and can_fork():
        _SHARED.update(shared)
        gc.collect()
        gc.freeze()  # the workers' garbage collector leaves the inherited objects alone: no copy-on-write of them
        try:
            with ProcessPoolExecutor(
                min(jobs, len(parts)),
                mp_context=multiprocessing.get_context("fork"),
                initializer=watch_parent,
                initargs=(os.getpid(),),
            ) as pool:
                return list(pool.map(_call, [(fn, p) for p in parts]))
        finally:
            gc.unfreeze()
            _SHARED.clear()
    return [fn(p, **shared) for p in parts]


def _send(fn: Callable[..., Any], args: tuple[Any, ...], conn: Any, parent: int, theirs: Any) -> None:
    # The parent's end of the pipe was inherited by fork: closed here, or a dead parent would
    # leave this process blocked on a pipe it is itself the reader of.
    theirs.close()
    watch_parent(parent)
    try:
        value: tuple[bool, Any] = (True, fn(*args))
    except BaseException as e:  # noqa: BLE001 - handed to the parent, which raises it
        value = (False, e)
    try:
        conn.send(value)
    except Exception as e:  # noqa: BLE001 - an unpicklable result or exception
        conn.send((False, RuntimeError(f"{type(e).__name__}: {e}")))
    conn.close()


class Background:
    """``fn(*args)`` in one forked process while this one goes on; :meth:`get` waits for it.

    The result is taken by a thread as soon as it is sent, so the worker ends and frees
    its memory while this process is still busy. With ``enabled=False``, or without
    ``fork``, ``fn`` runs here at once. An exception in the worker is raised again by
    :meth:`get`; a worker that dies raises ``RuntimeError`` (its code in :attr:`exitcode`).
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, enabled: bool = True) -> None:
        self.process: Any = None
        self.value: Any = None
        self.received: tuple[bool, Any] | None = None
        if enabled and can_fork():
            ctx = multiprocessing.get_context("fork")
            self.conn, child = ctx.Pipe(duplex=False)
            self.process = ctx.Process(target=_send, args=(fn, args, child, os.getpid(), self.conn))
            self.process.start()
            child.close()
            self.receiver = threading.Thread(target=self._receive, daemon=True)
            self.receiver.start()
        else:
            self.value = fn(*args)

    def _receive(self) -> None:
        try:
            self.received = self.conn.recv()
        except (EOFError, OSError):
            self.received = None
        self.process.join()

    def cancel(self) -> None:
        """End the worker (the run stopped early: its result is no longer wanted)."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()

    @property
    def exitcode(self) -> int | None:
        return None if self.process is None else self.process.exitcode

    def get(self) -> Any:
        if self.process is None:
            return self.value
        self.receiver.join()
        if self.received is None:
            raise RuntimeError(f"worker process ended with exit code {self.exitcode}")
        ok, value = self.received
        if not ok:
            raise value
        return value
