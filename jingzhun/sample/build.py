"""Build a whole sample dataset folder: year folders, table files and ``_truth/``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from jingzhun.county import common_prefix, names_of
from jingzhun.errors import UsageError
from jingzhun.i18n import t
from jingzhun.params import Params
from jingzhun.sample import anomalies, dirty, geo, province
from jingzhun.sample import monitoring as smon
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


def build(
    out: Path,
    households: int,
    years: list[int],
    seed: int,
    fmt: str = "csv",
    encoding: str = "utf-8",
    dirty_rate: float = 0.0,
    villages_per_township: int | None = None,
    name: str = "OUT",
    anomaly_rate: float = 0.0,
    county: str | None = None,
    roster_noise: float = 0.0,
    counties: int | None = None,
) -> dict[int, dict[str, int]]:
    """Write the dataset into ``out`` (an existing, empty folder). Returns row counts per year and table.

    ``county`` (a GB/T 2260 county code, default 团风县 421121) holds the villages; the dataset's
    ``jingzhun.toml`` names it with a sample issuer, so that notices can be made.
    Without ``dirty_rate`` and ``roster_noise`` the data passes ``validate`` without a warning.
    ``counties``: a province sample over that many counties of one prefecture (of ``county`` when
    given), with cases across counties (:mod:`jingzhun.sample.province`, truth in ``_truth/province.csv``).
    """
    if fmt not in FORMATS:
        raise UsageError(t(f"--format 只能是 {'/'.join(FORMATS)}", f"--format must be one of {', '.join(FORMATS)}"))
    if encoding not in ENCODINGS:
        raise UsageError(t("--encoding 只能是 utf-8 或 gbk", "--encoding must be utf-8 or gbk"))
    if households < 10:
        raise UsageError(t("--households 至少为 10", "--households must be at least 10"))
    if not 0.0 <= dirty_rate <= 0.5:
        raise UsageError(t("--dirty 应在 0 到 0.5 之间", "--dirty must be between 0 and 0.5"))
    if not 0.0 <= roster_noise <= 0.5:
        raise UsageError(t("--roster-noise 应在 0 到 0.5 之间", "--roster-noise must be between 0 and 0.5"))
    if not 0.0 <= anomaly_rate <= 0.1:
        raise UsageError(t("--anomalies 应在 0 到 0.1 之间", "--anomalies must be between 0 and 0.1"))
    if county is not None and (len(county) != 6 or not names_of(county)["name"] or county.endswith("00")):
        raise UsageError(
            t(
                f"--county 应为 GB/T 2260 中的 6 位县级区划代码, 如 421121: {county}",
                f"--county must be a 6-digit county code of GB/T 2260, e.g. 421121: {county}",
            )
        )
    county_list = _province(counties, households, county)
    injector = province.Injector(np.random.default_rng([seed, 3]), Params.load()) if county_list else None
    counts: dict[int, dict[str, int]] = {}
    area: set[str] = set()
    dirty_rng = np.random.default_rng([seed, 1])
    anomaly_rng = np.random.default_rng([seed, 2])
    for ys in generate(
        households, years, seed, villages_per_township, county=county, roster_noise=roster_noise, counties=county_list
    ):
        ydir = out / str(ys.year)
        tables = ys.tables
        if injector is not None:  # cases across counties, truth in _truth/province.csv
            tables = injector.apply(ys.year, tables, last=ys.year == years[-1])
        files: dict[str, dict[str, object]] = {}
        if anomaly_rate > 0:  # audit anomalies (jingzhun.sample.anomalies), truth in _truth/<year>/anomalies.csv
            tables, ys.truth["anomalies"] = anomalies.inject(tables, anomaly_rng, anomaly_rate)
        if dirty_rate > 0:
            tables, defects, files = dirty.inject(
                dirty_rng, tables, dirty_rate, fmt, encoding, names_of(county or "421121")["name"]
            )
            ys.truth["defects"] = defects
        counts[ys.year] = {}
        codes = tables["villages"]["village_code"].dropna().astype(str)
        area.update(codes[codes.str.fullmatch(r"\d{12}")].str.slice(0, 6).unique().tolist())
        for table, df in tables.items():
            opt = files.get(table, {})
            write_table(
                df,
                ydir / f"{table}.{fmt}",
                fmt,
                str(opt.get("encoding", encoding)),
                title=str(opt["title"]) if "title" in opt else None,
                total_row=bool(opt.get("total_row", False)),
            )
            counts[ys.year][table] = len(df)
        for kind, df in ys.truth.items():
            write_truth(df, out / "_truth" / str(ys.year) / f"{kind}.csv")
        del ys, tables, df
    if injector is not None:
        write_truth(injector.truth(), out / "_truth" / "province.csv")
    _county_toml(out, sorted(area))
    if mon_toml := smon.toml_text(years):
        with (out / "jingzhun.toml").open("a", encoding="utf-8") as f:
            f.write(mon_toml)
    _readme(
        out,
        name,
        households,
        years,
        seed,
        fmt,
        encoding,
        dirty_rate,
        villages_per_township,
        anomaly_rate,
        county,
        roster_noise,
        counties,
    )
    return counts


def _province(counties: int | None, households: int, county: str | None) -> list[str] | None:
    """The county codes of a province sample (``--counties N``), None without one."""
    if counties is None:
        return None
    if counties < 2:
        raise UsageError(t("--counties 至少为 2", "--counties must be at least 2"))
    if households < 10 * counties:
        raise UsageError(
            t(
                f"--counties {counties} 需要至少 {10 * counties} 户",
                f"--counties {counties} needs at least {10 * counties} households",
            )
        )
    try:
        return geo.prefecture_counties(counties, county)
    except ValueError:
        raise UsageError(
            t(
                f"GB/T 2260 中没有一个地区或省有 {counties} 个县 (--counties)",
                f"no prefecture or province of GB/T 2260 has {counties} counties (--counties)",
            )
        ) from None


def _county_toml(out: Path, counties: list[str]) -> None:
    """Name the county (or, for data larger than one county, the area of the codes' common prefix).

    The issuer is invented like the data: a real office sets its own before posting notices.
    """
    if not counties:  # no well-formed village code: the county is left to the user
        return
    if len(counties) == 1:
        code = counties[0]
        names = names_of(code)
        head = "# Written by jingzhun sample: the county of the synthetic data and a sample issuer (发布单位).\n"
    else:
        code = common_prefix(counties)  # whole province (2) or city (4) digits
        names = {**names_of(code), "name": f"模拟数据 ({len(counties)} 个县)"}
        head = (
            "# Written by jingzhun sample: the synthetic data spans several counties "
            f"({counties[0]} … {counties[-1]}),\n"
            "# so the area code is their common prefix (county.code accepts a 2-, 4- or 6-digit prefix).\n"
        )
    issuer = f"{names['name'] if len(counties) == 1 else '模拟数据'}扶贫开发领导小组办公室"
    text = (
        f'{head}[county]\ncode = "{code}"\nname = "{names["name"]}"\n'
        f'prefecture = "{names["prefecture"]}"\nprovince = "{names["province"]}"\nissuer = "{issuer}"\n'
    )
    (out / "jingzhun.toml").write_text(text, encoding="utf-8")


def _readme(
    out: Path,
    name: str,
    households: int,
    years: list[int],
    seed: int,
    fmt: str,
    encoding: str,
    dirty_rate: float,
    per_township: int | None,
    anomaly_rate: float = 0.0,
    county: str | None = None,
    roster_noise: float = 0.0,
    counties: int | None = None,
) -> None:
    cmd = (
        f"jingzhun sample {name} --households {households} --years {years[0]}-{years[-1]} --seed {seed} --format {fmt}"
    )
    cmd += f" --encoding {encoding}" if encoding != "utf-8" else ""
    cmd += f" --dirty {dirty_rate}" if dirty_rate else ""
    cmd += f" --roster-noise {roster_noise}" if roster_noise else ""
    cmd += f" --anomalies {anomaly_rate}" if anomaly_rate else ""
    cmd += f" --villages-per-township {per_township}" if per_township else ""
    cmd += f" --county {county}" if county else ""
    cmd += f" --counties {counties}" if counties else ""
    province_note = (
        "\n- `_truth/province.csv`: 跨县的情形 (跨县迁移、一人多县、一卡多县、跨县重复等) "
        "及应发现它们的全局检查和问题代码 /\n"
        "  cases across counties (moves, one person or account in two counties, duplicates across counties) with\n"
        "  the global pass and finding code that should find each."
        if counties
        else ""
    )
    text = f"""# 模拟数据集 / synthetic dataset

本文件夹由 `jingzhun sample` 生成, 全部为虚构数据 (姓名、身份证号均为合成), 同样的参数总是生成逐字节相同的文件。
This folder was made by `jingzhun sample`; every record is invented. \
The same arguments always give byte-identical files.

```
{cmd}
```

- `<年度>/<表>.{fmt}`: 数据契约 §2 的各表 / the contract tables of each data year.
- `_truth/<年度>/`: 答案文件, 不是数据表 / truth files, not tables:
  `dibao_pairs.csv` (低保名册记录 ↔ 户编号、真实身份证号 / roster record ↔ household and true ID; \
含噪声类型 / with the noise kind),
  `dibao_cases.csv` (有意设置的不一致 / deliberate mismatches), `changes.csv` (年度变化 / year-to-year changes),
  `defects.csv` (仅 `--dirty`: 注入的缺陷及应报的问题代码 / injected defects and the expected finding code).
- 低保名册姓名带有现实噪声 (约 10% 同音字、繁体或缺少 ·); `--roster-noise` 给出身份证号缺失/15 位/错录/被 Excel
  损坏的比例 (默认 0: 不加 `--dirty`、`--roster-noise` 的数据在 `validate` 中没有警告或错误)。
  The 低保 roster's names carry realistic variants (about 10%); `--roster-noise` is the share of missing, 15-digit,
  mistyped or Excel-damaged IDs (default 0: without `--dirty` and `--roster-noise` the data passes `validate` without
  a warning or an error).{province_note}
"""
    (out / "README.md").write_text(text, encoding="utf-8")
