"""A dataset folder: year sub-folders, each holding one file per table (data-contract §1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jingzhun.errors import InputError, UsageError
from jingzhun.i18n import t
from jingzhun.tables import FILE_EXTENSIONS, table_for_stem

YEAR_RE = re.compile(r"^(19|20)\d{2}$")


@dataclass(frozen=True)
class Dataset:
    root: Path

    @classmethod
    def open(cls, path: str | Path) -> Dataset:
        p = Path(path)
        if not p.exists():
            raise InputError(t(f"找不到数据集 {p}", f"dataset {p} does not exist"), t("请检查路径", "check the path"))
        if not p.is_dir():
            raise InputError(t(f"{p} 不是文件夹", f"{p} is not a folder"))
        return cls(p)

    @property
    def years(self) -> list[int]:
        return sorted(int(d.name) for d in self.root.iterdir() if d.is_dir() and YEAR_RE.match(d.name))

    def resolve_year(self, year: int | None) -> int:
        years = self.years
        if not years:
            raise InputError(
                t(f"数据集 {self.root} 中没有年度文件夹 (如 2016/)", f"dataset {self.root} has no year folder (e.g. 2016/)"),
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
