"""Dask distributed as an :class:`jingzhun.executors.Executor` for county tasks (``--engine dask``).

``--cluster local:N`` starts a ``distributed.LocalCluster`` of N worker processes with one
thread each; ``--scheduler tcp://HOST:PORT`` connects to a running scheduler whose workers
have the same jingzhun wheel installed. Results come back in the order of the submissions
(``map``), never in completion order. ``distributed`` is the optional extra ``jingzhun[dask]``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from jingzhun.errors import UsageError
from jingzhun.i18n import t

T = TypeVar("T")
R = TypeVar("R")


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise UsageError(
            t("--engine dask 需要安装 dask 扩展", "--engine dask needs the dask extra"),
            t("请运行 pip install 'jingzhun[dask]'", "run pip install 'jingzhun[dask]'"),
        ) from None
    return distributed


def parse_cluster(value: str) -> int:
    """``local:N`` → N (worker processes)."""
    kind, _, n = value.partition(":")
    if kind != "local" or not n.isdigit() or int(n) < 1:
        raise UsageError(
            t(f"--cluster 格式错误: {value}", f"--cluster is not valid: {value}"),
            t("请写成 local:N, 如 local:4", "write local:N, e.g. local:4"),
        )
    return int(n)


class DaskExecutor:
    """County tasks on a Dask cluster: a local one (``workers``) or a running scheduler (``scheduler``)."""

    shares_memory = False

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None, memory_limit: str = "0") -> None:
        distributed = _distributed()
        t0 = time.perf_counter()
        self._cluster = None
        if scheduler:
            self.client = distributed.Client(scheduler, set_as_default=False)
        else:
            self._cluster = distributed.LocalCluster(
                n_workers=workers or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # no fixed port: two runs on one machine must not collide (8787)
                memory_limit=memory_limit,
                silence_logs=40,
            )
            self.client = distributed.Client(self._cluster, set_as_default=False)
        self.jobs = max(1, len(self.client.scheduler_info().get("workers", {})) or (workers or 1))
        self.startup_seconds = time.perf_counter() - t0

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        futures = [self.client.submit(fn, item, pure=False) for item in items]
        return list(self.client.gather(futures))

    def submit(self, fn: Callable[..., R], /, *args: Any) -> Any:
        return self.client.submit(fn, *args, pure=False)

    def terminate(self) -> None:
        """End the work at once (a run stopped early): the cluster is closed, pending tasks dropped."""
        self.close()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
