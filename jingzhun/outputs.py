"""Output folders written so that a failed or killed run never looks complete, and so that
nothing jingzhun did not write is ever deleted.

A command writes into a hidden temporary folder next to its final place and renames it
into place only when everything is written (data-contract §5, exit code 3).

What may be replaced: a folder that is absent, empty, or that jingzhun wrote. A folder
is jingzhun's when a jingzhun ``manifest.json`` (in it, or in the one or two folders
above it: the run's output) lists every file it holds. ``jingzhun run`` writes one
``manifest.json`` at the top of its output; every other command writes a small one
(command, version, its files and their hashes) into its own folder. A folder holding
anything else is refused (exit 2), naming the files. Only the litter file managers leave
(``.DS_Store``, ``Thumbs.db``, ``desktop.ini``) and a ``run.log`` at the top of a run's
output (carried into the new output) are not counted.

Temporary folders are named ``.<name>.tmp-<pid>-<random>`` and the previous output is
set aside as ``.<name>.old-<pid>-<random>`` for the moment of the swap; a later command
removes those whose process is dead (and puts back a previous output whose replacement
never arrived). Folders are created with the user's umask, like any other program's.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jingzhun import __version__
from jingzhun.errors import InputError, UsageError
from jingzhun.i18n import t
from jingzhun.runlock import pid_alive

MANIFEST = "manifest.json"
RUN_LOG = "run.log"
OS_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-[0-9a-f]+$")
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_SHOWN = 5  # foreign files named in a message


def disk_full(e: BaseException) -> bool:
    """True for the error of a full disk (or an exhausted quota)."""
    return isinstance(e, OSError) and e.errno in _FULL


def _side_name(name: str, kind: str) -> str:
    return f".{name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def clean_leftovers(parent: Path, name: str) -> None:
    """Remove the temporary and previous-output folders of ``parent/name`` that earlier
    commands left (killed or crashed: their process is gone). A previous output set aside
    whose replacement never arrived is put back in place instead."""
    try:
        entries = sorted(parent.iterdir())
    except OSError:
        return
    for p in entries:
        m = _LEFTOVER.match(p.name)
        if m is None or m["name"] != name or p.is_symlink() or pid_alive(int(m["pid"])):
            continue
        final = parent / name
        if m["kind"] == "old" and p.is_dir() and not final.exists():
            try:
                p.rename(final)
                continue
            except OSError:
                pass
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        elif m["kind"] == "tmp":
            p.unlink(missing_ok=True)


def _listed(manifest: Path) -> set[str] | None:
    """The output paths a jingzhun manifest lists (relative to its folder); None if not one."""
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "jingzhun_version" not in data:
            return None
        folder = str(data.get("folder", "."))  # a marker kept outside the folder it describes
        return {os.path.normpath(os.path.join(folder, str(o["path"]))) for o in data["outputs"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _known(manifests: list[Path]) -> set[Path]:
    """Every file the jingzhun manifests among ``manifests`` say jingzhun wrote."""
    known: set[Path] = set()
    for m in manifests:
        listed = _listed(m)
        if listed is None:
            continue
        known.add(m)
        known.update(Path(os.path.normpath(m.parent / p)) for p in listed)
    return known


def foreign_files(
    folder: Path,
    allow: frozenset[str] = frozenset(),
    *,
    owned: bool = True,
    limit: int = 100,
    marker: Path | None = None,
) -> list[str]:
    """Files under ``folder`` that jingzhun did not write (relative paths, at most ``limit``).

    The folder is walked from the top, so a manifest is read before the files it lists;
    the walk stops at ``limit`` (a huge folder of the user's is refused quickly). A link
    to a folder counts as one foreign file. ``allow``: names at the top of ``folder`` that
    are not counted (a run's ``run.log``). With ``owned=False`` no manifest is consulted:
    every file counts (is the folder empty?). ``marker``: a marker kept outside the folder
    (a posting folder holds nothing but what is posted).
    """
    if not folder.is_dir():
        return []
    candidates = [folder.parent / MANIFEST, folder.parent.parent / MANIFEST] + ([marker] if marker else [])
    known = _known(candidates) if owned else set()
    foreign: list[str] = []
    for top, dirs, names in os.walk(folder):
        here = Path(top)
        dirs.sort()
        if owned and MANIFEST in names:
            known |= _known([here / MANIFEST])
        links = [d for d in dirs if (here / d).is_symlink()]
        for n in sorted(names) + links:
            p = here / n
            if p in known or n in OS_LITTER or (here == folder and n in allow):
                continue
            foreign.append(p.relative_to(folder).as_posix())
            if len(foreign) >= limit:
                return foreign
    return foreign


def check_replaceable(folder: Path, allow: frozenset[str] = frozenset(), marker: Path | None = None) -> None:
    """Raise :class:`UsageError` unless ``folder`` is absent, empty or jingzhun's own."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(
            t(
                f"输出位置 {folder} 是一个文件, 不是文件夹; jingzhun 不会替换它",
                f"the output {folder} is a file, not a folder; jingzhun does not replace it",
            ),
            t("请换一个 --out 文件夹", "choose another --out folder"),
        )
    foreign = foreign_files(folder, allow, marker=marker)
    if foreign:
        count = f"{len(foreign)}+" if len(foreign) >= 100 else str(len(foreign))
        shown = ", ".join(foreign[:_SHOWN]) + (
            t(f" 等 {count} 个", f" and more ({count})") if len(foreign) > _SHOWN else ""
        )
        raise UsageError(
            t(
                f"输出文件夹 {folder} 中有不是 jingzhun 写的文件 ({shown}); jingzhun 只替换空文件夹或自己以前的输出",
                f"the output folder {folder} holds files jingzhun did not write ({shown}); jingzhun replaces "
                f"only an empty folder or its own earlier output",
            ),
            t(
                "请换一个 --out 文件夹, 或先把这些文件移走",
                "choose another --out folder, or move those files away first",
            ),
        )


def write_marker(folder: Path, command: str, at: Path | None = None, relative: str = ".") -> None:
    """The small ``manifest.json`` of a command's folder: what jingzhun wrote there (no times: reproducible).

    ``at``: write it to this file instead, naming the folder by ``relative`` (its path from there).
    """
    from jingzhun.io.write import dumps_json
    from jingzhun.manifest import output_files, sha256_file

    outputs = [
        {"path": rel.as_posix(), "sha256": sha256_file(folder / rel), "size": (folder / rel).stat().st_size}
        for rel in output_files(folder)
    ]
    record = {"jingzhun_version": __version__, "command": command, "outputs": outputs}
    if at is not None:
        record["folder"] = relative
    (at or folder / MANIFEST).write_text(dumps_json(record), encoding="utf-8", newline="\n")


def write_error(e: OSError, what: Path, tmp: Path | None = None, final: Path | None = None) -> InputError:
    """One clear message for a failed write: what could not be written, where, and why."""
    where = Path(e.filename) if e.filename else what
    if tmp is not None and final is not None and where.is_relative_to(tmp):
        where = final / where.relative_to(tmp)  # the temporary name means nothing to the user
    if disk_full(e):
        msg = t(f"磁盘空间不足, 无法写入 {where}", f"no space left on the disk: cannot write {where}")
    else:
        msg = t(f"无法写入 {where}: {e.strerror}", f"cannot write {where}: {e.strerror}")
    return InputError(
        msg,
        t(
            "以前的结果未被改动; 请腾出磁盘空间或检查权限后重试",
            "the previous results are unchanged; free disk space or check permissions and retry",
        ),
    )


@contextmanager
def output_dir(
    out: str | Path,
    name: str,
    *,
    marker: bool = True,
    command: str | None = None,
    allow: frozenset[str] = frozenset(),
    marker_at: tuple[Path, Path] | None = None,
) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``out/name`` in one rename.

    ``out/name`` may be a symbolic link: its target is replaced and the link kept.
    ``marker``: write the folder's ``manifest.json`` naming ``command`` (default ``name``);
    ``jingzhun run`` writes its own.
    ``allow``: top-level files of the old folder that are not counted as foreign and are
    carried into the new one (the run's ``run.log``).
    ``marker_at``: (where to write the marker now, where it will be found later), for a
    folder meant for posting, which holds nothing but what is posted.
    """
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        final = (out / name).resolve()
        clean_leftovers(final.parent, final.name)
        kept = marker_at[1].resolve() if marker_at else None
        check_replaceable(final, allow, kept)
        tmp = final.parent / _side_name(final.name, "tmp")
        tmp.mkdir()
    except OSError as e:
        raise InputError(
            t(f"无法写入输出文件夹 {out}: {e.strerror}", f"cannot write to output folder {out}: {e.strerror}"),
            t("请检查路径、权限和磁盘空间", "check the path, permissions and free disk space"),
        ) from None
    try:
        yield tmp
        if marker_at is not None and kept is not None:
            write_marker(tmp, command or name, marker_at[0], os.path.relpath(final, kept.parent))
        elif marker:
            write_marker(tmp, command or name)
        check_replaceable(final, allow, kept)  # nothing of the user's arrived while we wrote
        _swap(tmp, final, allow)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise write_error(e, final, tmp, final) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap(tmp: Path, final: Path, carry: frozenset[str]) -> None:
    """Put ``tmp`` in the place of ``final`` (the old folder is removed once the new one is in place)."""
    if not final.exists():
        tmp.rename(final)
        return
    for c in sorted(carry):
        if (final / c).is_file() and not (tmp / c).exists():
            os.replace(final / c, tmp / c)
    old = final.parent / _side_name(final.name, "old")
    final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def replaced_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    For files that hold the user's work (``match_decisions.csv``): a full disk or a kill
    leaves the old file whole, never one cut mid-row.
    """
    clean_leftovers(path.parent, path.name)
    tmp = path.parent / _side_name(path.name, "tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise write_error(e, path, tmp, path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
