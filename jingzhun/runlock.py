"""A lock so that two runs on one output folder never collide (cron use)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jingzhun.errors import InputError
from jingzhun.i18n import t


def lock_path(out: Path) -> Path:
    """The lock of an output folder sits beside it, so replacing the folder keeps it."""
    return out.parent / f".{out.name}.lock"


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking lock on the output folder ``out`` for the duration."""
    path = lock_path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise InputError(
            t(f"无法写入输出文件夹 {out}: {e.strerror}", f"cannot write to output folder {out}: {e.strerror}"),
            t("请检查路径、权限和磁盘空间", "check the path, permissions and free disk space"),
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
            raise InputError(
                t(
                    f"另一个 jingzhun 运行正在使用输出文件夹 {out} (进程 {holder or '?'})",
                    f"another jingzhun run holds the output folder {out} (process {holder or '?'})",
                ),
                t("等它结束后再运行, 或换一个 --out 文件夹", "wait for it to finish or use another --out folder"),
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
