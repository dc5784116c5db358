"""Build a whole sample dataset folder: year folders, table files and ``_truth/``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jingzhun.errors import UsageError
from jingzhun.i18n import t
from jingzhun.sample import dirty
from jingzhun.sample.generate import generate
from jingzhun.sample.write import write_table, write_truth

FORMATS = ("csv", "parquet", "xlsx")
ENCODINGS = ("utf-8", "gbk")


def parse_years(text: str) -> list[int]:
    """``2015-2016`` → [2015, 2016]; ``2016`` → [2016]."""
    try:
        parts = [int(x) for x in text.replace("–", "-").split("-")]
    except ValueError:
        parts = []
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or not (2000 <= parts[0] <= parts[1] <= 2100):
        raise UsageError(t(f"--years 应为 YYYY 或 YYYY-YYYY: {text}", f"--years must be YYYY or YYYY-YYYY: {text}"))
    return list(range(parts[0], parts[1] + 1))


def build(out: Path, households: int, years: list[int], seed: int, fmt: str = "csv", encoding: str = "utf-8",
          dirty_rate: float = 0.0, villages_per_township: int | None = None) -> dict[int, dict[str, int]]:
    """Write the dataset into ``out`` (an existing, empty folder). Returns row counts per year and table."""
    if fmt not in FORMATS:
        raise UsageError(t(f"--format 只能是 {'/'.join(FORMATS)}", f"--format must be one of {', '.join(FORMATS)}"))
    if encoding not in ENCODINGS:
        raise UsageError(t("--encoding 只能是 utf-8 或 gbk", "--encoding must be utf-8 or gbk"))
    if households < 10:
        raise UsageError(t("--households 至少为 10", "--households must be at least 10"))
    if not 0.0 <= dirty_rate <= 0.5:
        raise UsageError(t("--dirty 应在 0 到 0.5 之间", "--dirty must be between 0 and 0.5"))
    counts: dict[int, dict[str, int]] = {}
    dirty_rng = np.random.default_rng([seed, 1])
    for ys in generate(households, years, seed, villages_per_township):
        ydir = out / str(ys.year)
        tables = ys.tables
        files: dict[str, dict[str, object]] = {}
        if dirty_rate > 0:
            tables, defects, files = dirty.inject(dirty_rng, tables, dirty_rate, fmt, encoding)
            ys.truth["defects"] = defects
        counts[ys.year] = {}
        for name, df in tables.items():
            opt = files.get(name, {})
            write_table(df, ydir / f"{name}.{fmt}", fmt, str(opt.get("encoding", encoding)),
                        title=opt.get("title"), total_row=bool(opt.get("total_row", False)))  # type: ignore[arg-type]
            counts[ys.year][name] = len(df)
        for name, df in ys.truth.items():
            write_truth(df, out / "_truth" / str(ys.year) / f"{name}.csv")
    return counts
