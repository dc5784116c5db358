"""An earlier year's identification taken from that year's ``jingzhun run`` output.

The report's trend needs the identification of every earlier year. A run of an earlier
year has written it (``identify/households.csv``, ``identify/villages.csv``) and its
``manifest.json`` says what produced it: the jingzhun version, the parameters and the
sha256 of every input file. When all of these match now (same version, same parameters,
the same files of that year folder with the same hashes, the identify files unchanged
since they were written), the identification is read back instead of computed again;
otherwise it is computed as before. Only the columns the report reads are read back, with
the types ``identify`` gives them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from jingzhun import __version__
from jingzhun.dataset import Dataset
from jingzhun.findings import Findings
from jingzhun.identify.core import IdentifyResult
from jingzhun.manifest import MANIFEST, sha256_file
from jingzhun.params import Params

# The tables the identification of a year reads (its inputs in the earlier run's manifest).
IDENTIFY_TABLES = ("households", "members", "villages", "crosscheck")
# What the report reads of an identification, with the types identify gives.
HOUSEHOLD_TYPES = {
    "household_id": "str",
    "township_code": "str",
    "township_name": "str",
    "village_code": "str",
    "village_name": "str",
    "population": "Int64",
    "registered": "bool",
    "category": "str",
    "status": "str",
    "result": "str",
    "edge_kind": "str",
    "housing_gap": "boolean",
    "education_gap": "boolean",
    "medical_gap": "boolean",
    "water_gap": "boolean",
    "active": "bool",
    "exited": "bool",
    "remaining_poor": "bool",
}
VILLAGE_TYPES = {
    "village_code": "str",
    "village_name": "str",
    "township_code": "str",
    "township_name": "str",
    "denominator": "Int64",
    "in_villages_table": "bool",
}
FILES = {"households": "identify/households.csv", "villages": "identify/villages.csv"}


def earlier_runs(out: Path | None) -> list[Path]:
    """Where earlier runs may be: the output folder itself (before the run replaces it) and
    the folders beside it that hold a ``manifest.json`` (sorted by name)."""
    if out is None:
        return []
    found = [out] if (out / MANIFEST).is_file() else []
    try:
        siblings = sorted(p for p in out.parent.iterdir() if p != out and p.is_dir())
    except OSError:
        return found
    for p in siblings:
        try:
            if (p / MANIFEST).is_file():
                found.append(p)
        except OSError:
            continue
    return found


def _normal(value: Any) -> Any:
    """A value as ``manifest.json`` holds it (JSON, ``str`` for what JSON has no type for)."""
    return json.loads(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def _values(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Parameter name → value (where a value came from does not change the identification)."""
    return {r["name"]: r["value"] for r in records}


def _inputs_now(ds: Dataset, year: int) -> dict[str, tuple[str, str]]:
    root = ds.root.resolve()
    files = ds.table_files(year)
    return {
        tb: (p.resolve().relative_to(root).as_posix(), sha256_file(p))
        for tb, p in files.items()
        if tb in IDENTIFY_TABLES
    }


def _inputs_then(manifest: dict[str, Any], year: int) -> dict[str, tuple[str, str]]:
    return {
        rec["table"]: (rec["path"], rec["sha256"])
        for rec in manifest.get("inputs", [])
        if rec.get("table") in IDENTIFY_TABLES and str(rec.get("path", "")).startswith(f"{year}/")
    }


def usable(folder: Path, ds: Dataset, year: int, params: Params) -> bool:
    """Whether ``folder`` holds a run of ``year`` whose identification is what computing it now gives."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("command") != "run" or manifest.get("year") != year:
            return False
        if manifest.get("jingzhun_version") != __version__:
            return False
        if not any(s.get("name") == "identify" and s.get("status") == "ok" for s in manifest.get("steps", [])):
            return False
        outputs = {o["path"]: o["sha256"] for o in manifest.get("outputs", [])}
        for rel in FILES.values():
            if rel not in outputs or sha256_file(folder / rel) != outputs[rel]:
                return False
        if _values(manifest.get("parameters", [])) != _values(_normal(params.records())):
            return False
        return _inputs_then(manifest, year) == _inputs_now(ds, year)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def _read(path: Path, types: dict[str, str]) -> pd.DataFrame:
    raw = pd.read_csv(
        path, dtype="str", keep_default_na=False, na_values=[""], usecols=lambda c: c in types, encoding="utf-8-sig"
    )
    out = {}
    for col, dtype in types.items():
        s = raw[col]
        if dtype in ("bool", "boolean"):
            s = s.map({"true": True, "false": False}).astype("boolean")
            out[col] = s.astype("bool") if dtype == "bool" else s
        else:
            out[col] = s.astype(pd.api.types.pandas_dtype(dtype))
    return pd.DataFrame(out)


def read_identification(folder: Path, year: int) -> IdentifyResult:
    """The identification written by the run in ``folder`` (the columns the report reads)."""
    return IdentifyResult(
        households=_read(folder / FILES["households"], HOUSEHOLD_TYPES),
        villages=_read(folder / FILES["villages"], VILLAGE_TYPES),
        county={},
        findings=Findings(),
        hits=pd.DataFrame(),
        data_year=year,
    )


def cached(candidates: Iterable[Path], ds: Dataset, year: int, params: Params) -> IdentifyResult | None:
    """The identification of ``year`` from the first usable earlier run, None when there is none."""
    for folder in candidates:
        if usable(folder, ds, year, params):
            try:
                return read_identification(folder, year)
            except (OSError, ValueError, KeyError, TypeError):
                continue  # unreadable after all: the next one, or computed
    return None
