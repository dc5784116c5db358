"""Output folders written so that a failed or killed run never looks complete.

A command writes into a hidden temporary folder next to its final place and renames it
into place only when everything is written (data-contract §5, exit code 3).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jingzhun.errors import InputError
from jingzhun.i18n import t


@contextmanager
def output_dir(out: str | Path, name: str) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``out/name`` in one rename."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=out))
    except OSError as e:
        raise InputError(
            t(f"无法写入输出文件夹 {out}: {e.strerror}", f"cannot write to output folder {out}: {e.strerror}"),
            t("请检查路径、权限和磁盘空间", "check the path, permissions and free disk space"),
        ) from None
    try:
        yield tmp
        final = out / name
        old = None
        if final.exists():
            old = out / f".{name}.old-{os.getpid()}"
            final.rename(old)
        tmp.rename(final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(
            t(f"写输出失败 {out}: {e.strerror}", f"writing outputs to {out} failed: {e.strerror}"),
            t("请检查磁盘空间和权限; 未留下不完整的结果", "check disk space and permissions; no partial result was left"),
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
