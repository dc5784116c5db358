"""``jingzhun ingest``: dataset folders (any of today's formats) into a store partitioned by year and county.

Each table is read with today's reader (:func:`jingzhun.dataset.load_year`), so the store
holds the same typed frames a county run works on, with the reading findings beside them.
The county of a row is the first six digits of its village code; rows without one follow
the row they belong to:

- households, villages, projects: ``village_code``;
- 低保 roster: ``village_code``, unless its ID is no member of that county but of another one
  (or it has no village code): the county of the member with that ID;
- members: their household; payments: their household, else their project;
- cross-check rows: the household of a current member with that ID;
- cadres: ``township_code``, else the county of the households they are paired with.

Rows that none of these place go to ``_unplaced/`` and are counted in the result (the
province run hands them to the global passes: roster rows by ID and name, G3).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jingzhun.county import county_prefix
from jingzhun.dataset import Dataset, load_year
from jingzhun.errors import ConfigError
from jingzhun.i18n import t
from jingzhun.identify.members import current_mask, first_positions
from jingzhun.ids import code_labels, normalize
from jingzhun.outputs import output_dir
from jingzhun.params import DATASET_FILE
from jingzhun.province.store import (
    REFERENCE,
    SOURCE_FILE,
    STORE_COMMAND,
    findings_path,
    params_path,
    partition_path,
    write_partition,
)
from jingzhun.tables import TABLES

Parts = dict[tuple[str, int, str], list[pd.DataFrame]]  # (table, year, county) → frames in source order


@dataclass
class IngestResult:
    store: Path
    sources: list[str]
    partitions: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # table → rows placed in a county
    unplaced: dict[str, int] = field(default_factory=dict)  # "table/year" → rows placed in no county
    counties: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "store": str(self.store),
            "sources": self.sources,
            "partitions": self.partitions,
            "counties": self.counties,
            "rows": dict(sorted(self.rows.items())),
            "unplaced": dict(sorted(self.unplaced.items())),
        }


def _arrow_text(s: pd.Series) -> pa.Array:
    return pa.array(s.astype("str"), type=pa.large_string())


def _take_county(keys: pd.Series, values: pd.Series, counties: pd.Series) -> pa.Array:
    """Per key, ``counties`` at the first position where ``values`` holds it (null where none; a
    null key finds a null value), in Arrow: no pandas hash index over a province's IDs."""
    at = first_positions(_arrow_text(keys), _arrow_text(values), skip_nulls=False)
    return pc.take(_arrow_text(counties), pa.array(at, mask=at < 0))


def _lookup(keys: pd.Series, table: pd.DataFrame, key: str) -> pd.Series:
    """The county of each key in ``keys`` by the first row of ``table`` having it ("" when none)."""
    placed = table[(table["county"] != "").to_numpy(dtype=bool)]
    found = _take_county(keys.astype("str").str.strip(), placed[key], placed["county"])
    return pd.Series(pd.array(found.fill_null(""), dtype="str"), index=keys.index)


def _first_nonempty(*parts: pd.Series) -> pd.Series:
    out = parts[0]
    for p in parts[1:]:
        out = out.where(out != "", p)
    return out


def place(frames: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    """The county code of every row of every table ("" for a row no rule places)."""
    out: dict[str, pd.Series] = {}
    for tb in ("households", "villages", "projects", "dibao"):
        if tb in frames:
            df = frames[tb]
            out[tb] = county_prefix(df["village_code"])
    empty = pd.DataFrame({"county": pd.Series(dtype="str"), "household_id": pd.Series(dtype="str")})
    h = frames.get("households")
    homes = pd.DataFrame({"county": out["households"], "household_id": h["household_id"]}) if h is not None else empty
    if "members" in frames:
        m = frames["members"]
        out["members"] = _lookup(m["household_id"], homes, "household_id")
    if "payments" in frames:
        p = frames["payments"]
        by_home = _lookup(p["household_id"], homes, "household_id")
        by_proj = None
        if "projects" in frames:
            pj = frames["projects"]
            by_proj = _lookup(
                p["project_id"], pd.DataFrame({"county": out["projects"], "project_id": pj["project_id"]}), "project_id"
            )
        out["payments"] = _first_nonempty(by_home, by_proj) if by_proj is not None else by_home
    member_ids = None
    if "members" in frames and ("crosscheck" in frames or "dibao" in frames):
        m = frames["members"]
        member_ids = pd.DataFrame(
            {
                "county": out["members"],
                "id_number": normalize(m["id_number"]).astype("str"),
                "current": current_mask(m).to_numpy(dtype=bool),
            }
        )
    if "crosscheck" in frames and member_ids is not None:
        # a current member first: a bride married into another county (嫁出 here, 嫁入 there) is checked there
        placed = member_ids[(member_ids["county"] != "").to_numpy(dtype=bool)]
        cc = frames["crosscheck"]
        keys = _arrow_text(normalize(cc["id_number"]).astype("str").str.strip())
        same, hit, key = _holders(keys, _arrow_text(placed["id_number"]), skip_nulls=False)
        codes, counties = pd.factorize(placed["county"].iloc[hit])
        found = _first_holder(same, hit, key, placed["current"].to_numpy(dtype=bool), codes)
        out["crosscheck"] = _county_labels(found, counties, cc.index)
    if "dibao" in frames and member_ids is not None:
        out["dibao"] = _roster_county(out["dibao"], frames["dibao"], member_ids)
    if "cadres" in frames:
        c = frames["cadres"]
        own = county_prefix(c["township_code"])
        if h is not None:
            paired = pd.DataFrame({"county": out["households"], "cadre_id": h["cadre_id"]}).sort_values("county")
            own = _first_nonempty(own, _lookup(c["cadre_id"], paired, "cadre_id"))
        out["cadres"] = own
    for tb, df in frames.items():
        out.setdefault(tb, pd.Series("", index=df.index, dtype="str"))
    return out


def _holders(keys: pa.Array, ids: pa.Array, *, skip_nulls: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who holds each key, with one hash of the keys (a roster or the cross-check, against a province's
    members): ``same``, per key the position of its first occurrence among the keys (-1 for a null
    key with ``skip_nulls``); ``hit``, the positions in ``ids`` equal to a key; ``key``, for each of
    those, that key's first position."""
    slot = first_positions(ids, keys, skip_nulls=skip_nulls)
    hit = np.flatnonzero(slot >= 0)
    return first_positions(keys, keys, skip_nulls=skip_nulls), hit, slot[hit]


def _first_holder(
    same: np.ndarray, hit: np.ndarray, key: np.ndarray, current: np.ndarray, county: np.ndarray
) -> np.ndarray:
    """Per key (see :func:`_holders`), the ``county`` code (aligned to ``hit``) of the first holder in
    row order, a current member before any other; -1 where nobody holds it."""
    order = np.lexsort((hit, ~current[hit], key))
    ranked = key[order]
    first = np.r_[True, ranked[1:] != ranked[:-1]] if len(ranked) else np.zeros(0, dtype=bool)
    of_key = np.full(len(same), -1, dtype=np.int64)
    of_key[ranked[first]] = county[order][first]
    return np.where(same >= 0, of_key[np.maximum(same, 0)], -1)


def _county_labels(codes: np.ndarray, counties: pd.Index, index: pd.Index) -> pd.Series:
    """``counties[codes]`` as text, "" where the code is -1."""
    return pd.Series(code_labels(codes, tuple(counties), index).fillna("").array, index=index)


def _roster_county(village: pd.Series, d: pd.DataFrame, member_ids: pd.DataFrame) -> pd.Series:
    """The county of each roster row: its village's, unless its ID is no member there but a member of
    another county (or it has no village code): then that member's county (a current member first).

    ``match`` links a roster row to the member with its ID wherever the member lives; a whole-folder
    run of several counties does so across counties. A row placed by its village alone would be
    "not found" by its county's task (M-ROSTER-NOT-FOUND) while the household it names, in another
    county, misses its coverage (M-PARTIAL-HOUSEHOLD, M-BENEFIT-MISMATCH): placed with the member,
    the county task that holds the household links it, as the whole folder does. ``member_ids``: each
    member's county, normalised ID and whether current."""
    ids = member_ids[(member_ids["county"] != "") & member_ids["id_number"].notna()]
    rid = _arrow_text(normalize(d["id_number"]).astype("str"))
    same, hit, key = _holders(rid, _arrow_text(ids["id_number"]), skip_nulls=True)
    codes, counties = pd.factorize(pd.concat([ids["county"].iloc[hit], village], ignore_index=True))
    member_county, village_code = codes[: len(hit)], codes[len(hit) :]
    width = len(counties) + 1
    # here: a member with this ID lives in the row's own county
    here = (same >= 0) & np.isin(same * width + village_code, key * width + member_county)
    found = _first_holder(same, hit, key, ids["current"].to_numpy(dtype=bool), member_county)
    elsewhere = _county_labels(found, counties, village.index)
    return village.where(here | (elsewhere == "").to_numpy(dtype=bool), elsewhere)


def _cadre_copies(
    cadres: pd.DataFrame, home: pd.Series, households: pd.DataFrame | None, where: pd.Series | None
) -> list[tuple[str, pd.DataFrame]]:
    """A cadre paired with households of other counties than their own: a reference copy of their row
    in each of those counties (``_reference`` true), so that county's plan knows them; their own
    county's row is the one checked (the task leaves the copies' findings out)."""
    if households is None or where is None:
        return []
    pairs = pd.DataFrame({"county": where.to_numpy(), "cadre_id": households["cadre_id"].astype("str").to_numpy()})
    pairs = pairs[(pairs["county"] != "") & pairs["cadre_id"].notna()].drop_duplicates()
    rows = cadres.assign(_home=home.to_numpy(), _key=cadres["cadre_id"].astype("str").str.strip())
    joined = rows.merge(pairs, left_on="_key", right_on="cadre_id", how="inner", suffixes=("", "_h"))
    joined = joined[joined["county"] != joined["_home"]]
    out = []
    for county, part in joined.groupby("county", sort=True):
        copy = part[cadres.columns].copy()
        copy[REFERENCE] = True
        out.append((str(county), copy.sort_values("_row", kind="stable").reset_index(drop=True)))
    return out


def _county_toml(raw: bytes, county: str) -> bytes:
    """The source's ``jingzhun.toml`` for one of its counties: as it is when it names that county;
    otherwise without the ``[county]`` code and names (they are derived from the village codes)."""
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return raw  # the county task reports it, naming the file, as a county run does
    if str(data.get("county", {}).get("code", county)) == county:
        return raw
    lines, section, kept = raw.decode("utf-8-sig").splitlines(keepends=True), "", []
    for line in lines:
        head = re.match(r"^\s*\[([^\]]+)\]", line)
        if head:
            section = head[1].strip()
        if section == "county" and re.match(r"^\s*(code|name|prefecture|province)\s*=", line):
            continue
        kept.append(line)
    return "".join(kept).encode("utf-8")


def _add_year(ds: Dataset, year: int, parts: Parts, findings: Parts, params: dict[str, bytes]) -> None:
    toml = ds.root / DATASET_FILE
    raw = toml.read_bytes() if toml.is_file() else b""
    data = load_year(ds, year, TABLES, tolerant=True)
    counties = place(data.frames)
    where: dict[str, pd.Series] = {}
    for tb in sorted(data.frames):
        df = data.frames[tb].copy()
        df[SOURCE_FILE] = pd.Series(Path(data.sources[tb].path).resolve().as_posix(), index=df.index, dtype="str")
        c = counties[tb]
        where[tb] = pd.Series(c.to_numpy(), index=df["_row"].astype("int64").to_numpy())
        if tb == "cadres":
            df[REFERENCE] = pd.Series(False, index=df.index, dtype="bool")
        for county, part in df.groupby(c.to_numpy(), sort=True):
            parts.setdefault((tb, year, str(county)), []).append(part)
        if tb == "cadres":
            for code, copy in _cadre_copies(df, c, data.frames.get("households"), counties.get("households")):
                parts.setdefault((tb, year, code), []).append(copy)
    _add_findings(data.findings.frame(), where, data, year, findings)
    placed: set[str] = {str(x) for s in counties.values() for x in s.unique()} - {""}
    for code in sorted(placed):
        params.setdefault(code, _county_toml(raw, code) if raw else b"")


def _add_findings(frame: pd.DataFrame, where: dict[str, pd.Series], data: object, year: int, out: Parts) -> None:
    """Reading findings with the county of the row they name (a file's own finding: its first county)."""
    if frame.empty:
        return
    county = pd.Series("", index=frame.index, dtype="str")
    sources = getattr(data, "sources", {})
    files = pd.Series("", index=frame.index, dtype="str")
    for tb, rows in where.items():
        sel = frame["table"].astype("str") == tb
        if not sel.any():
            continue
        r = pd.to_numeric(frame.loc[sel, "row"], errors="coerce")
        unique_rows = rows[~rows.index.duplicated()]
        got = r.map(unique_rows).astype("str").fillna("")  # an empty table maps to no county
        first = min((x for x in rows.unique() if x), default="")
        county[sel] = got.where(r.notna(), first)
        if tb in sources:
            files[sel] = Path(sources[tb].path).resolve().as_posix()
    frame = frame.assign(**{SOURCE_FILE: files})
    for c, part in frame.groupby(county.to_numpy(), sort=True):
        out.setdefault(("", year, str(c)), []).append(part)


def _write_year(tmp: Path, parts: Parts, found: Parts, result: IngestResult) -> None:
    """Write one year's partitions and reading findings (then the caller drops them from memory)."""
    for (tb, year, county), frames in sorted(parts.items()):
        df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
        write_partition(df, partition_path(tmp, tb, year, county))
        result.partitions += 1
        if county:
            result.rows[tb] = result.rows.get(tb, 0) + len(df)
        else:
            result.unplaced[f"{tb}/{year}"] = len(df)
    for (_, year, county), frames in sorted(found.items()):
        write_partition(pd.concat(frames, ignore_index=True), findings_path(tmp, year, county))


def _member_counties(parts: Parts, year: int) -> tuple[pd.MultiIndex, pd.Series]:
    """Every (county, member ID) of ``year``, and each ID's county (a current member's first)."""
    rows = []
    for (tb, y, county), frames in sorted(parts.items()):
        if tb == "members" and y == year and county:
            for f in frames:
                ids = normalize(f["id_number"]).astype("str")
                rows.append(pd.DataFrame({"county": county, "id_number": ids, "current": current_mask(f).to_numpy()}))
    if not rows:
        return pd.MultiIndex.from_arrays([[], []]), pd.Series(dtype="str")
    m = pd.concat(rows, ignore_index=True)
    m = m[m["id_number"].notna()]
    first = m.sort_values("current", ascending=False, kind="stable").drop_duplicates("id_number")
    return (
        pd.MultiIndex.from_arrays([m["county"], m["id_number"]]),
        pd.Series(first["county"].to_numpy(), index=first["id_number"].to_numpy(), dtype="str"),
    )


def _roster_across_sources(parts: Parts) -> None:
    """Roster rows whose ID is no member of their county but of a county of another source folder:
    moved to that county, as :func:`place` does within one folder (``_roster_county``)."""
    for year in sorted({y for tb, y, _ in parts if tb == "dibao"}):
        here, elsewhere = _member_counties(parts, year)
        if elsewhere.empty:
            continue
        moved: Parts = {}
        for (tb, y, county), frames in sorted(parts.items()):
            if tb != "dibao" or y != year:
                continue
            kept = []
            for f in frames:
                rid = normalize(f["id_number"]).astype("str")
                target = rid.map(elsewhere).astype("str").fillna("")
                known = pd.MultiIndex.from_arrays([pd.Series(county, index=f.index), rid]).isin(here)
                go = ((target != "") & (target != county)).to_numpy(dtype=bool) & ~known
                kept.append(f[~go])
                for c, part in f[go].groupby(target[go].to_numpy(), sort=True):
                    moved.setdefault(("dibao", year, str(c)), []).append(part)
            left = [k for k in kept if len(k)]
            if left:
                parts[(tb, y, county)] = left
            else:
                del parts[(tb, y, county)]
        for key, frames in sorted(moved.items()):
            parts.setdefault(key, []).extend(frames)


def ingest(sources: Iterable[Path], store: Path) -> IngestResult:
    """Read every dataset folder in ``sources`` and write the store (replacing a store jingzhun wrote).

    One data year at a time (every source's files of that year, then its partitions written), so
    memory is bounded by a year of the input, not by all of it."""
    roots = [Dataset.open(s) for s in sources]
    result = IngestResult(store=Path(store), sources=[r.root.resolve().as_posix() for r in roots])
    params: dict[str, bytes] = {}
    placed_households = False
    store = Path(store).resolve()
    with output_dir(store.parent, store.name, command=STORE_COMMAND) as tmp:
        for year in sorted({y for ds in roots for y in ds.years}):
            parts: Parts = {}
            found: Parts = {}
            for ds in roots:
                if year in ds.years:
                    _add_year(ds, year, parts, found, params)
            _roster_across_sources(parts)
            placed_households |= any(tb == "households" and county for tb, _, county in parts)
            _write_year(tmp, parts, found, result)
            del parts, found
        if not placed_households:
            raise ConfigError(
                t("输入中没有能确定所属县的农户", "no household in the input could be placed in a county"),
                t("请检查农户表的行政村代码 (12 位)", "check the households' village codes (12 digits)"),
            )
        for county, raw in sorted(params.items()):
            p = params_path(tmp, county)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(raw)
        result.counties = sorted(params)
    return result
