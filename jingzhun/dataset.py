"""A dataset folder: year sub-folders, each holding one file per table (data-contract §1)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from jingzhun.errors import InputError, UsageError
from jingzhun.executors import ThreadExecutor
from jingzhun.findings import Findings
from jingzhun.i18n import t
from jingzhun.io.read import Limits, ReadResult, SourceInfo, default_limits, read_table
from jingzhun.tablespec import FILE_ALIASES, FILE_EXTENSIONS, REQUIRED_TABLES, TABLES, table_for_stem

YEAR_RE = re.compile(r"^(19|20)\d{2}$")
# Tables of one year read at once: the readers spend most of their time in Arrow and pandas
# kernels that release the GIL, and the Python between them (findings, trimming loops) of one
# table overlaps the kernels of another (each reader already converts its columns on threads:
# at 200,000 households the year's eight tables take 1.8 s one by one, 1.5 s on two threads).
# More threads than cores would only add memory: each read holds its file's bytes.
READ_THREADS = 2


@dataclass(frozen=True)
class Dataset:
    root: Path

    @classmethod
    def open(cls, path: str | Path) -> Dataset:
        p = Path(path)
        if not p.exists():
            raise InputError(t(f"找不到数据集 {p}", f"dataset {p} does not exist"), t("请检查路径", "check the path"))
        if not p.is_dir():
            raise UsageError(
                t(f"{p} 是一个文件, 这个命令需要数据集文件夹", f"{p} is a file; this command needs a dataset folder"),
                t(
                    "请给出含年度子文件夹 (如 2016/) 的数据集文件夹; 只有 jingzhun validate 能读取单个表文件",
                    "give the dataset folder with its year sub-folders (e.g. 2016/); only jingzhun validate "
                    "reads one table file",
                ),
            )
        return cls(p)

    @property
    def years(self) -> list[int]:
        return sorted(int(d.name) for d in self.root.iterdir() if d.is_dir() and YEAR_RE.match(d.name))

    def resolve_year(self, year: int | None) -> int:
        years = self.years
        if not years:
            raise InputError(
                t(
                    f"数据集 {self.root} 中没有年度文件夹 (如 2016/)",
                    f"dataset {self.root} has no year folder (e.g. 2016/)",
                ),
                t("每个数据年度放在以四位年份命名的子文件夹中", "put each data year in a sub-folder named by its year"),
            )
        if year is None:
            return years[-1]
        if year not in years:
            raise UsageError(
                t(f"数据集中没有 {year} 年度文件夹", f"the dataset has no {year} year folder"),
                t(f"现有年度: {', '.join(map(str, years))}", f"years present: {', '.join(map(str, years))}"),
            )
        return year

    def year_dir(self, year: int) -> Path:
        return self.root / str(year)

    def table_files(self, year: int) -> dict[str, Path]:
        """Map table name → file in the year folder. Two files for one table is an error."""
        found: dict[str, Path] = {}
        for f in sorted(self.year_dir(year).iterdir()):
            if not f.is_file() or f.name.startswith((".", "~$")):
                continue
            if f.suffix.lower() not in FILE_EXTENSIONS:
                continue
            table = table_for_stem(f.stem)
            if table is None:
                continue
            if table in found:
                raise InputError(
                    t(
                        f"{year} 年度文件夹中表 {table} 有两个文件: {found[table].name} 和 {f.name}",
                        f"two files for table {table} in {year}: {found[table].name} and {f.name}",
                    ),
                    t("请只保留一个", "keep only one of them"),
                )
            found[table] = f
        return found


@dataclass
class YearData:
    """Every table of one data year as typed frames (docs/DEVELOPING.md "Typed frames").

    ``year`` is None for a single file read with :func:`load_file`.
    """

    year: int | None
    frames: dict[str, pd.DataFrame]
    findings: Findings
    sources: dict[str, SourceInfo] = field(default_factory=dict)
    # Optional tables that could not be read at all (tolerant loading): table → message.
    broken: dict[str, str] = field(default_factory=dict)

    def manifest_inputs(self) -> list[dict]:
        """Input files for manifest.json: path, sha256, size, rows, format … per table.

        The hash is of the bytes that were parsed; a file removed or changed since it was
        read is an :class:`InputError` (the outputs would not match the recorded input).
        """
        for tb in sorted(self.sources):
            self.sources[tb].check_unchanged()
        return [self.sources[t].to_dict() for t in sorted(self.sources)]


def dataset_limits(root: Path) -> Limits:
    """The reading limits: ``[limits]`` of the dataset's ``jingzhun.toml`` over the packaged ones."""
    from jingzhun.params import DATASET_FILE, Params

    if not (root / DATASET_FILE).is_file():
        return default_limits()
    return Limits.from_values(Params.load(root).table("limits"))


def load_year(
    dataset: Dataset,
    year: int,
    tables: Iterable[str] | None = None,
    *,
    encoding: str | None = None,
    tolerant: bool = False,
) -> YearData:
    """Read the tables of one year folder (all of contract §2 by default).

    Optional tables that have no file are simply absent from ``frames``; a missing
    required table (households, members) that was asked for raises :class:`InputError`.
    With ``tolerant``, an optional table whose file cannot be read at all is left out
    and its error kept in ``YearData.broken`` (the pipeline skips the steps needing it).
    """
    wanted = list(TABLES) if tables is None else list(tables)
    for tb in wanted:
        if tb not in TABLES:
            raise UsageError(
                t(f"未知的表名 {tb}", f"unknown table {tb}"),
                t(f"可用的表: {', '.join(TABLES)}", f"tables: {', '.join(TABLES)}"),
            )
    if not dataset.year_dir(year).is_dir():
        dataset.resolve_year(year)  # raises with the years present
    files = dataset.table_files(year)
    missing = [tb for tb in wanted if tb in REQUIRED_TABLES and tb not in files]
    if missing:
        names = ", ".join(f"{tb} ({FILE_ALIASES[tb][1]})" for tb in missing)
        raise InputError(
            t(f"{year} 年度文件夹缺少必需的表: {names}", f"the {year} year folder lacks required table(s): {names}"),
            t(
                f"请放入 {missing[0]}.csv / .xlsx / .parquet 或 {FILE_ALIASES[missing[0]][1]}.xlsx",
                f"add {missing[0]}.csv / .xlsx / .parquet or {FILE_ALIASES[missing[0]][1]}.xlsx",
            ),
        )
    findings = Findings()
    frames: dict[str, pd.DataFrame] = {}
    sources: dict[str, SourceInfo] = {}
    broken: dict[str, str] = {}
    limits = dataset_limits(dataset.root)
    present = [tb for tb in wanted if tb in files]

    def read_one(tb: str) -> ReadResult | InputError:
        try:
            return read_table(files[tb], tb, encoding=encoding, limits=limits)
        except InputError as e:
            return e

    # Read concurrently, taken in the order asked for: the findings, the error raised and
    # what is kept are those of reading the tables one after the other.
    threads = min(READ_THREADS, os.cpu_count() or 1, len(present))
    if threads > 1:
        with ThreadExecutor(threads) as pool:
            results = pool.map(read_one, present)
    else:
        results = [read_one(tb) for tb in present]
    for tb, res in zip(present, results, strict=True):
        if isinstance(res, InputError):
            if not tolerant or tb in REQUIRED_TABLES:
                raise res
            broken[tb] = res.message
            continue
        frames[tb] = res.frame
        sources[tb] = res.info
        findings.extend(res.findings)
    return YearData(year=year, frames=frames, findings=findings, sources=sources, broken=broken)


def load_file(
    path: str | Path,
    table: str | None = None,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    limits: Limits | None = None,
) -> YearData:
    """One table file given on the command line (``--table NAME`` when the file name does not say)."""
    res = read_table(path, table, encoding=encoding, sheet=sheet, limits=limits)
    tb = res.info.table
    return YearData(year=None, frames={tb: res.frame}, findings=res.findings, sources={tb: res.info})
