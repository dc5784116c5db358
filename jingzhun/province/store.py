"""The store: dataset rows partitioned by data year and county, as Parquet (scale-out design).

```
STORE/<table>/year=YYYY/county=CCCCCC/part-0.parquet
STORE/_unplaced/<table>/year=YYYY/part-0.parquet      rows whose county cannot be derived
STORE/_findings/year=YYYY/county=CCCCCC/part-0.parquet reading findings of those rows
STORE/params/county=CCCCCC.toml                        county settings (each source's jingzhun.toml)
STORE/manifest.json                                    what ``jingzhun ingest`` wrote (no times)
```

Every row keeps ``_row`` (its 1-based data row in the user's file) and ``_source_file`` (that
file), so a finding from a store still points at the user's own file and row. Files are
written with fixed options (timestamps in microseconds, no statistics that vary) so the same
input gives the same bytes; partitions are read back file by file, never through dataset
discovery, so partition values stay text and never become categories.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from jingzhun.tables import TABLES

SOURCE_FILE = "_source_file"
REFERENCE = "_reference"  # a cadre's row copied into another county whose households they are paired with
UNPLACED = "_unplaced"
FINDINGS = "_findings"
PARAMS = "params"
PART = "part-0.parquet"
STORE_COMMAND = "ingest"
_COUNTY = re.compile(r"^county=(\d{6})$")
_YEAR = re.compile(r"^year=(\d{4})$")


def partition_path(store: Path, table: str, year: int, county: str) -> Path:
    """``STORE/<table>/year=Y/county=C/part-0.parquet`` (``county`` "": the unplaced rows)."""
    if not county:
        return store / UNPLACED / table / f"year={year}" / PART
    return store / table / f"year={year}" / f"county={county}" / PART


def findings_path(store: Path, year: int, county: str) -> Path:
    if not county:
        return store / UNPLACED / FINDINGS / f"year={year}" / PART
    return store / FINDINGS / f"year={year}" / f"county={county}" / PART


def params_path(store: Path, county: str) -> Path:
    return store / PARAMS / f"county={county}.toml"


def is_store(path: Path) -> bool:
    """True for a folder ``jingzhun ingest`` wrote (its manifest names the command)."""
    m = path / "manifest.json"
    if not m.is_file():
        return False
    try:
        return json.loads(m.read_text(encoding="utf-8")).get("command") == STORE_COMMAND
    except (OSError, ValueError, AttributeError):
        return False


def _microseconds(df: pd.DataFrame) -> pd.DataFrame:
    """Timestamps in microseconds (the unit pandas picked when reading may differ)."""
    out = df.copy(deep=False)
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(out[c].dtype):
            out[c] = out[c].astype("datetime64[us]")
    return out


def write_partition(df: pd.DataFrame, path: Path) -> None:
    """One partition file with fixed writer options (the same frame gives the same bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(_microseconds(df).reset_index(drop=True), preserve_index=False)
    pq.write_table(table, path, compression="zstd", write_statistics=False, store_schema=True)


def read_partition(path: Path) -> pd.DataFrame:
    """A partition file as the typed frame it was written from (pandas dtypes from its metadata)."""
    return pq.read_table(path).to_pandas()


def counties(store: Path, year: int) -> dict[str, int]:
    """County code → bytes of its partitions of ``year`` (the size that orders the tasks)."""
    sizes: dict[str, int] = {}
    for table in TABLES:
        folder = store / table / f"year={year}"
        if not folder.is_dir():
            continue
        for d in folder.iterdir():
            m = _COUNTY.match(d.name)
            if m and (d / PART).is_file():
                sizes[m[1]] = sizes.get(m[1], 0) + (d / PART).stat().st_size
    return dict(sorted(sizes.items()))


def years(store: Path) -> list[int]:
    """The data years with a households partition."""
    folder = store / "households"
    if not folder.is_dir():
        return []
    return sorted(int(m[1]) for d in folder.iterdir() if (m := _YEAR.match(d.name)))
