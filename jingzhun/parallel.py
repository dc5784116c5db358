"""Documents rendered by forked worker processes, one chunk of townships each.

The shared state (the document model, the notice rows) is inherited by ``fork``, never
pickled; only the chunk and the workers' small results cross the process boundary.
Where ``fork`` is not available, or with one job, the chunks run in this process.
The results come back in chunk order, so the files are the same whatever the number of
jobs.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_SHARED: dict[str, Any] = {}  # set in the parent right before forking workers


def default_jobs() -> int:
    """Worker processes for the documents: every core, at most 4 (memory grows with each)."""
    return max(1, min(4, (os.cpu_count() or 1)))


def chunks(items: Sequence[T], jobs: int) -> list[list[T]]:
    """``items`` dealt round-robin into up to ``4 × jobs`` chunks (even load, order kept inside)."""
    n = min(len(items), max(1, jobs) * 4)
    return [list(items[i::n]) for i in range(n)]


def _call(task: tuple[Callable[..., Any], Any]) -> Any:
    fn, chunk = task
    return fn(chunk, **_SHARED)


def fork_map(fn: Callable[..., R], parts: list[Any], jobs: int | None, **shared: Any) -> list[R]:
    """``[fn(part, **shared) for part in parts]``, in up to ``jobs`` forked workers."""
    jobs = default_jobs() if jobs is None else jobs
    if jobs > 1 and len(parts) > 1 and "fork" in multiprocessing.get_all_start_methods():
        _SHARED.update(shared)
        gc.collect()
        gc.freeze()  # the workers' garbage collector leaves the inherited objects alone: no copy-on-write of them
        try:
            with ProcessPoolExecutor(min(jobs, len(parts)), mp_context=multiprocessing.get_context("fork")) as pool:
                return list(pool.map(_call, [(fn, p) for p in parts]))
        finally:
            gc.unfreeze()
            _SHARED.clear()
    return [fn(p, **shared) for p in parts]


def _send(fn: Callable[..., Any], args: tuple[Any, ...], conn: Any) -> None:
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

    With ``enabled=False``, or without ``fork``, ``fn`` runs here at once. An exception in
    the worker is raised again by :meth:`get`; a worker that dies raises ``RuntimeError``.
    """

    def __init__(self, fn: Callable[..., R], *args: Any, enabled: bool = True) -> None:
        self.process: Any = None
        self.value: Any = None
        if enabled and "fork" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("fork")
            self.conn, child = ctx.Pipe(duplex=False)
            self.process = ctx.Process(target=_send, args=(fn, args, child))
            self.process.start()
            child.close()
        else:
            self.value = fn(*args)

    def get(self) -> Any:
        if self.process is None:
            return self.value
        try:
            ok, value = self.conn.recv()
        except (EOFError, OSError):
            self.process.join()
            raise RuntimeError(f"worker process ended with exit code {self.process.exitcode}") from None
        self.process.join()
        if not ok:
            raise value
        return value
