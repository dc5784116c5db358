"""The county (or wider area) a dataset is about, and its names from GB/T 2260.

The packaged parameters name no county. When the dataset's ``jingzhun.toml`` (or the run's
``--config``) sets no ``[county] code``, :func:`settle` takes it from the data: the most
common first 6 digits of the year's village codes. Data spread over several counties (no
county holds ``DOMINANT_SHARE`` of the villages) is one area: the counties' common 4-digit
(prefecture) or 2-digit (province) prefix. Names come from ``gb2260.csv`` (its header names
the source) unless the parameter files set them. Derived values carry the origin
``data: …`` so that manifests and ``report.json`` say where they came from.
"""

from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from jingzhun.errors import ConfigError
from jingzhun.i18n import t
from jingzhun.params import Params

TABLE_FILE = Path(__file__).with_name("gb2260.csv")
DERIVED = "data"  # origin of values derived here ("data: …")


_COUNTY_CODE = re.compile(r"^(\d{6})")


def county_prefix(s: pd.Series) -> pd.Series:
    """The county code (first six digits, after strip) of each code in ``s``; "" where there is none.

    A code that starts with six ASCII digits is cut in Arrow; only the others (blank-led,
    full-width digits, names …) go through the regular expression, which runs in Python."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(s.astype("str"), type=pa.large_string())
    fast = pc.fill_null(pc.match_substring_regex(arr, "^[0-9]{6}"), False)
    out = pd.Series(pd.array(pc.if_else(fast, pc.utf8_slice_codeunits(arr, 0, 6), ""), dtype="str"), index=s.index)
    rest = (~np.asarray(fast.to_numpy(zero_copy_only=False), dtype=bool)) & s.notna().to_numpy(dtype=bool)
    if rest.any():
        slow = s[rest].astype("str").str.strip().str.extract(_COUNTY_CODE, expand=False).fillna("").astype("str")
        out[rest] = slow.to_numpy()  # by position: the caller's index may repeat labels
    return out


def derived(origin: str) -> bool:
    """True for the origin of a value derived from the data (not a file path such as ``data-2017/jingzhun.toml``)."""
    return origin.startswith(f"{DERIVED}: ")


DOMINANT_SHARE = 0.9  # one county holding this share of the villages is the county


@functools.cache
def divisions() -> dict[str, str]:
    """GB/T 2260 code → name (provinces, prefectures, counties; codes of 2014–2019)."""
    with TABLE_FILE.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(line for line in f if not line.startswith("#"))
        next(rows)  # header: code,name,until
        return {row[0]: row[1] for row in rows if len(row) >= 2}


def names_of(code: str) -> dict[str, str]:
    """``name`` (of the code itself), ``prefecture`` and ``province`` of a 2-, 4- or 6-digit code; '' where unknown."""
    d = divisions()
    province = d.get(code[:2] + "0000", "") if len(code) >= 2 else ""
    prefecture = d.get(code[:4] + "00", "") if len(code) >= 4 else ""
    own = {6: d.get(code, ""), 4: prefecture or province, 2: province}.get(len(code), "")
    return {"name": own, "prefecture": prefecture, "province": province}


@dataclass(frozen=True)
class Area:
    """The area derived from the data: its code (6, 4, 2 digits or '') and the villages per county."""

    code: str
    counties: dict[str, int]

    @property
    def villages(self) -> int:
        return sum(self.counties.values())

    def origin(self) -> str:
        top = max(self.counties.values())
        if len(self.code) == 6:
            return f"{DERIVED}: village_code {top}/{self.villages}"
        return f"{DERIVED}: village_code, {len(self.counties)} counties, {self.villages} villages"


def village_codes(frames: dict[str, pd.DataFrame]) -> list[str]:
    """The distinct well-formed (12-digit) village codes of the villages table, else of the households."""
    for table in ("villages", "households"):
        df = frames.get(table)
        if df is None:
            continue
        codes = df["village_code"].dropna().astype(str).str.strip()
        codes = codes[codes.str.fullmatch(r"\d{12}").fillna(False).astype(bool)]
        if len(codes):
            return sorted(set(codes.tolist()))
    return []


def common_prefix(codes: list[str]) -> str:
    """The longest common whole-level prefix (2 or 4 digits, or '') of several county codes."""
    prefix = codes[0]
    for c in codes[1:]:
        while not c.startswith(prefix):
            prefix = prefix[:-1]
    prefix = prefix[: min(len(prefix), 4)]
    return prefix[: len(prefix) - len(prefix) % 2]


def derive(frames: dict[str, pd.DataFrame]) -> Area | None:
    """The county of the data (the dominant first 6 digits of the village codes), or the common area."""
    codes = village_codes(frames)
    if not codes:
        return None
    counties = Counter(c[:6] for c in codes)
    top, n = counties.most_common(1)[0]
    code = top if n >= DOMINANT_SHARE * len(codes) else common_prefix(sorted(counties))
    return Area(code, dict(sorted(counties.items())))


def is_area(code: str) -> bool:
    """True when ``code`` names an area of several counties (a 4-digit prefecture, a 2-digit province)
    rather than one county: the rules of one county are then judged per county (:func:`row_counties`).
    An empty code (no county known, as in the packaged parameters) is not an area."""
    return len(code) in (2, 4)


def row_counties(frames: dict[str, pd.DataFrame]) -> dict[str, pd.Series] | None:
    """The county of every row of every table of a multi-county folder ("" where none), placed as
    ``jingzhun ingest`` places rows into a store's county partitions (village code; members by their
    household; payments by household, else project; cadres by township, else their households), so a
    whole-folder run judges each row against the same county as the county task of a partitioned run.
    ``None`` without a households table."""
    if "households" not in frames:
        return None
    from jingzhun.province.ingest import place
    from jingzhun.tablespec import conform_frames

    return place(conform_frames(frames))


def _configured(params: Params, key: str) -> bool:
    origin = params.origin_of(f"county.{key}")
    return origin not in ("", "default") and not derived(origin)


def settle(params: Params, frames: dict[str, pd.DataFrame]) -> str:
    """Fill ``county.code`` from the data and the names from GB/T 2260 where the files left them empty.

    Returns one line for the command's summary saying what was derived ('' when nothing was).
    """
    if not _configured(params, "code"):
        area = derive(frames)
        code, origin = (area.code, area.origin()) if area is not None else ("", "default")
        params.values["county.code"], params.origins["county.code"] = code, origin
    code = str(params.settings.county.code)
    for key, value in names_of(code).items():
        if not _configured(params, key) and (value or derived(params.origin_of(f"county.{key}"))):
            params.values[f"county.{key}"] = value
            params.origins[f"county.{key}"] = f"{DERIVED}: GB/T 2260 {code}"
    if not str(params.settings.county.name) and code:
        params.values["county.name"] = code  # a code missing from the table still heads the documents
        params.origins["county.name"] = f"{DERIVED}: not in GB/T 2260"
    return note(params)


def say_county(console: Any, params: Params) -> None:
    """Print on the command's console where the county came from, when it came from the data."""
    line = note(params)
    if line:
        console.print(line, markup=False)


def note(params: Params) -> str:
    """The summary line of :func:`settle` from the recorded origins ('' when the files set the county)."""
    origin = params.origin_of("county.code")
    if not derived(origin):
        return ""
    code, name = str(params.settings.county.code), str(params.settings.county.name)
    nums = [int(x) for x in re.findall(r"\d+", origin.removeprefix(f"{DERIVED}: "))]
    if len(code) == 6 and len(nums) == 2:
        how = t(f"{nums[0]}/{nums[1]} 个行政村的代码前 6 位", f"first 6 digits of {nums[0]} of {nums[1]} village codes")
    elif len(nums) == 2:
        how = t(
            f"行政村代码分属 {nums[0]} 个县, 共 {nums[1]} 个行政村",
            f"village codes of {nums[0]} counties, {nums[1]} villages",
        )
    else:
        how = origin
    hint = t(
        "如需更改, 请在数据集的 jingzhun.toml 中设置 [county] code、name、issuer",
        "to change it, set [county] code, name and issuer in the dataset's jingzhun.toml",
    )
    what = t("县", "county") if len(code) == 6 else t("地区", "area")
    return t(
        f"{what}: {name or '-'} ({code or '-'}), 由数据推断 ({how}); {hint}",
        f"{what}: {name or '-'} ({code or '-'}), derived from the data ({how}); {hint}",
    )


def county_info(params: Params) -> dict[str, str]:
    """The ``county`` dict of the documents: code, name, prefecture, province, issuer."""
    return {k: str(getattr(params.settings.county, k)) for k in ("code", "name", "prefecture", "province", "issuer")}


def county_record(params: Params) -> dict[str, str]:
    """The county with where its code came from (``report.json``, the run summary)."""
    return {
        "code": str(params.settings.county.code),
        "name": str(params.settings.county.name),
        "origin": params.origin_of("county.code"),
    }


def posting_gaps(params: Params) -> list[str]:
    """Finding codes for what a posted notice lacks: the issuer (``county.issuer``), any supervision phone."""
    gaps = []
    if not str(params.settings.county.issuer).strip():
        gaps.append("P-NOTICE-ISSUER")
    if not any(str(v).strip() for v in asdict(params.settings.supervision_phones).values()):
        gaps.append("P-NOTICE-PHONE")
    return gaps


def require_posting(params: Params) -> None:
    """ConfigError (exit 3) when a notice would lack its issuer or every supervision phone."""
    gaps = posting_gaps(params)
    if "P-NOTICE-ISSUER" in gaps:
        raise ConfigError(
            t(
                "没有发布单位 (参数 county.issuer): 公示必须署名发布单位, 未生成公示",
                "no issuer (parameter county.issuer): a notice must name its issuer; no notice was written",
            ),
            t(
                '请在数据集的 jingzhun.toml 中加入 [county] issuer = "XX县扶贫开发领导小组办公室"',
                'add [county] issuer = "…县扶贫开发领导小组办公室" to the dataset\'s jingzhun.toml',
            ),
        )
    if gaps:
        raise ConfigError(
            t(
                "没有监督举报电话 (参数表 supervision_phones), 未生成公示",
                "no supervision phone (parameter table supervision_phones); no notice was written",
            ),
            t(
                '请在 jingzhun.toml 中加入 [supervision_phones] county = "电话号码"',
                'add [supervision_phones] county = "number" to jingzhun.toml',
            ),
        )
