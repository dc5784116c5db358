"""Four county datasets of one prefecture (黄冈市 4211xx) and the same rows as one whole folder.

Until ``jingzhun sample --counties N`` exists this builds the province from four county
samples (``sample.build`` with ``county=``), each with its own seed, settings and files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jingzhun.province.ingest import _county_toml
from jingzhun.sample.build import build

COUNTIES = ("421121", "421122", "421123", "421124")
YEARS = [2015, 2016]


def county_sources(root: Path, households: int = 12) -> list[Path]:
    """One dataset folder per county under ``root``."""
    out = []
    for i, code in enumerate(COUNTIES):
        d = root / f"src-{code}"
        d.mkdir(parents=True)
        build(d, households, YEARS, 2016 + i, county=code, roster_noise=0.15)
        _own_keys(d, code)
        out.append(d)
    return out


# Keys a county sample numbers from 1 (project, payment, roster record, family, cadre): each
# county's get its code in front, as a province's counties' keys are distinct (G6 reports those that are not).
_KEYS = {
    "projects": ("project_id",),
    "payments": ("payment_id", "project_id"),
    "dibao": ("record_id", "family_ref"),
    "cadres": ("cadre_id",),
    "households": ("cadre_id",),
}


def _own_keys(d: Path, code: str) -> None:
    for year in YEARS:
        for table, cols in _KEYS.items():
            f = d / str(year) / f"{table}.csv"
            df = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            for c in cols:
                df[c] = df[c].where(df[c] == "", code + df[c])
            f.write_bytes(b"\xef\xbb\xbf" + df.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def whole_folder(sources: list[Path], dest: Path) -> Path:
    """The sources' rows in one dataset folder (each table's files concatenated, one header)."""
    for year in YEARS:
        (dest / str(year)).mkdir(parents=True)
        for f in sorted((sources[0] / str(year)).glob("*.csv")):
            parts = [
                (s / str(year) / f.name).read_text(encoding="utf-8-sig").splitlines(keepends=True) for s in sources
            ]
            text = parts[0][0] + "".join(line for p in parts for line in p[1:])
            (dest / str(year) / f.name).write_text(text, encoding="utf-8-sig")
    # the county is derived from the village codes (four counties: their prefecture), the issuer kept
    (dest / "jingzhun.toml").write_bytes(_county_toml((sources[0] / "jingzhun.toml").read_bytes(), ""))
    return dest
