"""Progress of a command on stderr: one shared reporter for ``run`` and every single command.

On a terminal a live status line shows the step in progress and a line is kept when it ends;
otherwise (cron, a pipe, a log) each finished step is one plain line with a timestamp.
``--quiet`` shows nothing. Domain code never prints: it reports through a callback
(``jingzhun.pipeline.Progress``) or the command wraps its stages in :meth:`Reporter.step`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jingzhun.i18n import t
from jingzhun.steps import STEPS

STEP_LABELS = {
    "read": ("读取", "read"),
    **{s.name: s.label for s in STEPS},  # the run's steps: their labels are declared with them
    "write": ("写出", "write"),
    "books": ("户卡村册", "books"),
    "sample": ("生成模拟数据", "generate"),
}
STATUS_LABELS = {
    "ok": ("完成", "done"),
    "failed": ("失败", "failed"),
    "skipped": ("跳过", "skipped"),
    "not_applicable": ("不适用", "not applicable"),
}


@dataclass
class StepDone:
    """A finished step as the reporter shows it (``jingzhun.pipeline.StepRecord`` has the same fields)."""

    name: str
    status: str
    seconds: float = 0.0
    peak_mb: float = 0.0
    note: str = ""


@contextmanager
def no_step(name: str) -> Iterator[None]:
    """:meth:`Reporter.step` when nobody watches (library callers, ``jingzhun run`` workers)."""
    yield


def step_label(step: str) -> str:
    return t(*STEP_LABELS.get(step, (step, step)))


class Reporter:
    """Progress: a live status line on a terminal, timestamped plain lines otherwise (cron).

    Log lines are appended to ``log`` one at a time (opened and closed each time), so a
    log inside the output folder (``<out>/run.log``) is never held open while the folder
    is swapped, and it moves into the new output with it.
    """

    def __init__(self, console: Any, quiet: bool, log: Path | None = None) -> None:
        self.console = console
        self.quiet = quiet
        self.log = log
        self.live = console.is_terminal and not quiet
        self.status: Any = None

    def line(self, text: str) -> None:
        stamped = f"{datetime.now().isoformat(sep=' ', timespec='seconds')} {text}"
        if self.log is not None:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            with self.log.open("a", encoding="utf-8") as f:
                f.write(stamped + "\n")
        if self.quiet:
            return
        self.console.print(text if self.live else stamped, markup=False, highlight=False)

    def __call__(self, step: str, event: str, record: Any | None) -> None:
        """The ``progress`` callback: ``(step, "start" | "end", record)``."""
        label = step_label(step)
        if event == "start":
            if self.live:
                self._stop()
                self.status = self.console.status(f"{label} …")
                self.status.start()
            elif self.log is not None:
                self.line(t(f"开始 {label}", f"start {label}"))
            return
        self._stop()
        assert record is not None
        state = t(*STATUS_LABELS.get(record.status, (record.status, record.status)))
        memory = f", {record.peak_mb:.0f} MB" if record.peak_mb else ""
        note = f" ({record.note})" if record.note else ""
        self.line(f"{label}: {state} {record.seconds:.1f} s{memory}{note}")

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """One stage of a command (读取 → 校验 → 写出): shown while it runs, one line when done.

        A stage that raises only clears the status line: the error boundary says what failed."""
        self(name, "start", None)
        started = time.perf_counter()
        try:
            yield
        except BaseException:
            self._stop()
            raise
        self(name, "end", StepDone(name, "ok", time.perf_counter() - started))

    def _stop(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None
