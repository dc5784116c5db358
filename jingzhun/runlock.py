"""A lock so that two runs on one output folder never collide (cron use).

The lock is a small file beside the output folder, created with ``O_CREAT | O_EXCL`` and
holding the pid of the run. Nothing POSIX-only is used, so it works on Windows too, and
no file descriptor is inherited by worker processes. A lock whose process is gone (a run
killed with ``kill -9`` or by the OOM killer) is taken over; :func:`locked` yields that
dead pid so the run can say so.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jingzhun.errors import InputError
from jingzhun.i18n import t

# A lock file with no pid yet may be one another run has just created.
_FRESH_SECONDS = 5.0


def lock_path(out: Path) -> Path:
    """The lock of an output folder sits beside it, so replacing the folder keeps it."""
    return out.parent / f".{out.name}.lock"


def pid_alive(pid: int) -> bool:
    """True while process ``pid`` exists (never signals it: ``os.kill`` on Windows would end it)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return _pid_alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _pid_alive_windows(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return bool(ok) and code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _holder(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _busy(out: Path, holder: int | None) -> InputError:
    return InputError(
        t(
            f"另一个 jingzhun 运行正在使用输出文件夹 {out} (进程 {holder or '?'})",
            f"another jingzhun run holds the output folder {out} (process {holder or '?'})",
        ),
        t(
            f"等它结束后再运行, 或换一个 --out 文件夹; 若确定没有 jingzhun 在运行, 可删除 {lock_path(out)}",
            f"wait for it to finish or use another --out folder; if no jingzhun is running, delete {lock_path(out)}",
        ),
    )


def _try_create(path: Path) -> bool:
    """Create the lock file holding this pid; False when it exists already."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(str(os.getpid()))
    return True


@contextmanager
def locked(out: Path) -> Iterator[int | None]:
    """Hold the lock of output folder ``out``; yield the pid of a dead holder taken over, or None."""
    path = lock_path(out)
    stale: int | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(5):
            if _try_create(path):
                break
            holder = _holder(path)
            if holder is not None and pid_alive(holder):
                raise _busy(out, holder)
            if holder is None and _age(path) < _FRESH_SECONDS:
                raise _busy(out, holder)
            stale = holder if holder is not None else stale
            path.unlink(missing_ok=True)
        else:
            raise _busy(out, _holder(path))
    except OSError as e:
        raise InputError(
            t(f"无法写入输出文件夹 {out}: {e.strerror}", f"cannot write to output folder {out}: {e.strerror}"),
            t("请检查路径、权限和磁盘空间", "check the path, permissions and free disk space"),
        ) from None
    try:
        yield stale
    finally:
        if _holder(path) == os.getpid():
            path.unlink(missing_ok=True)


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return _FRESH_SECONDS
