"""Area codes for synthetic data: 团风县 and its townships, more Hubei counties when N is large."""

from __future__ import annotations

import numpy as np
import pandas as pd

# 团风县 townships (统计用区划代码, domain.md §9).
TUANFENG = (
    ("421121100", "团风镇"),
    ("421121101", "淋山河镇"),
    ("421121102", "方高坪镇"),
    ("421121103", "回龙山镇"),
    ("421121104", "马曹庙镇"),
    ("421121105", "上巴河镇"),
    ("421121106", "总路咀镇"),
    ("421121107", "但店镇"),
    ("421121200", "贾庙乡"),
    ("421121201", "杜皮乡"),
)
# Further Hubei counties (GB/T 2260) used only when the requested size needs them.
COUNTIES = (
    ("421121", "团风县"),
    ("421122", "红安县"),
    ("421123", "罗田县"),
    ("421124", "英山县"),
    ("421125", "浠水县"),
    ("421126", "蕲春县"),
    ("421127", "黄梅县"),
    ("421181", "麻城市"),
    ("421182", "武穴市"),
    ("420222", "阳新县"),
    ("420322", "郧西县"),
    ("420323", "竹山县"),
    ("420324", "竹溪县"),
    ("420325", "房县"),
    ("420381", "丹江口市"),
    ("420525", "远安县"),
    ("420526", "兴山县"),
    ("420527", "秭归县"),
    ("420528", "长阳土家族自治县"),
    ("420529", "五峰土家族自治县"),
    ("420624", "南漳县"),
    ("420625", "谷城县"),
    ("420626", "保康县"),
    ("420683", "枣阳市"),
    ("420821", "京山县"),
    ("420822", "沙洋县"),
    ("420881", "钟祥市"),
    ("420921", "孝昌县"),
    ("420922", "大悟县"),
    ("420923", "云梦县"),
    ("420981", "应城市"),
    ("420982", "安陆市"),
    ("421022", "公安县"),
    ("421023", "监利县"),
    ("421024", "江陵县"),
    ("421081", "石首市"),
    ("421083", "洪湖市"),
    ("421087", "松滋市"),
    ("421221", "嘉鱼县"),
    ("421222", "通城县"),
    ("421223", "崇阳县"),
    ("421224", "通山县"),
    ("421281", "赤壁市"),
    ("421321", "随县"),
    ("421381", "广水市"),
    ("422801", "恩施市"),
    ("422802", "利川市"),
    ("422822", "建始县"),
    ("422823", "巴东县"),
    ("422825", "宣恩县"),
    ("422826", "咸丰县"),
    ("422827", "来凤县"),
    ("422828", "鹤峰县"),
)
# Older address codes a person's ID may carry (Tuanfeng was carved out of 黄冈县/黄州 in 1995–96).
OLD_PREFIXES = ("421100", "421102", "422101")

_PLACE = "王李张刘陈杨黄胡周徐熊余汪程夏喻童柯桂晏朱何罗高林石马方"
_PLACE2 = "家畈湾岗冲河山垸铺桥坳咀寨店坪港塘庙岭"
_TOWN1 = "新长安永兴龙凤白石黄金双河三里桃花柳杨青松南北东西"


def _names(rng: np.random.Generator, n: int, parts1: str, parts2: str, suffix: str) -> np.ndarray:
    a = np.array(list(parts1))[rng.integers(0, len(parts1), n)]
    b = np.array(list(parts2))[rng.integers(0, len(parts2), n)]
    c = np.array(list(_PLACE2))[rng.integers(0, len(_PLACE2), n)]
    three = rng.random(n) < 0.5
    return np.where(
        three, np.char.add(np.char.add(np.char.add(a, b), c), suffix), np.char.add(np.char.add(a, c), suffix)
    ).astype(object)


TOWNSHIP_CAPACITY = len(TUANFENG) + 12 * (len(COUNTIES) - 1)
DEFAULT_PREFECTURE = "4211"  # 黄冈市, the prefecture of 团风县


def prefecture_counties(n: int, county: str | None = None) -> list[str]:
    """``n`` county codes (GB/T 2260, 县 and 县级市 still listed) of one prefecture, in code order.

    The prefecture of ``county`` (which comes first), else 黄冈市 (团风县 first) when it has ``n``,
    else the first prefecture in code order that has ``n``; for more counties than any prefecture has
    (a province-scale sample), one province: 湖北省 when it has ``n``, else the first that has.
    Raises ``ValueError`` when none has that many.
    """
    listed = _listed_counties()
    if county is not None:
        pools = [[county] + [c for c in listed if c[:4] == county[:4] and c != county]]
        pools.append([county] + [c for c in listed if c[:2] == county[:2] and c != county])
    else:
        pools = [[c for c, _ in COUNTIES if c.startswith(DEFAULT_PREFECTURE)]]
        pools += _grouped(listed, 4)
        pools += [[c for c in listed if c.startswith(DEFAULT_PREFECTURE[:2])]] + _grouped(listed, 2)
    pool = next((p for p in pools if len(p) >= n), None)
    if pool is None:
        raise ValueError(n)
    return pool[:n]


def _grouped(codes: list[str], digits: int) -> list[list[str]]:
    """Codes grouped by their first ``digits`` digits, groups in code order."""
    groups: dict[str, list[str]] = {}
    for c in codes:
        groups.setdefault(c[:digits], []).append(c)
    return [groups[k] for k in sorted(groups)]


def _listed_counties() -> list[str]:
    """County-level codes of ``gb2260.csv`` still listed in its latest revision (县 and 县级市, no 区)."""
    import csv

    from jingzhun.county import TABLE_FILE

    with TABLE_FILE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(line for line in f if not line.startswith("#")))[1:]
    return sorted(
        r[0]
        for r in rows
        if len(r) >= 2 and not r[0].endswith("00") and not r[1].endswith("区") and (len(r) < 3 or not r[2])
    )


def _county_townships(rng: np.random.Generator, code: str, k: int) -> tuple[list[str], list[str]]:
    """``k`` township codes and names of one county (团风县's real ones first)."""
    codes = [c for c, _ in TUANFENG][:k] if code == "421121" else []
    tnames = [nm for _, nm in TUANFENG][:k] if code == "421121" else []
    rest = k - len(codes)
    gen = _names(rng, rest, _TOWN1, _TOWN1, "") if rest > 0 else np.array([], dtype=object)
    for j in range(rest):
        codes.append(f"{code}{110 + j:03d}" if code == "421121" else f"{code}{100 + j:03d}")
        tnames.append(str(gen[j])[:2] + "镇")
    return codes, tnames


def province_villages(rng: np.random.Generator, n_villages: int, counties: list[str]) -> pd.DataFrame:
    """``n_villages`` villages spread evenly over the townships of ``counties`` (each county at least one
    township, each township at least one village). Same columns as :func:`build_villages`."""
    per_county = max(1, -(-n_villages // (4 * len(counties))))  # about 4 villages per township
    codes: list[str] = []
    tnames: list[str] = []
    for code in counties:
        c, nm = _county_townships(rng, code, per_county)
        codes += c
        tnames += nm
    n_town = len(codes)
    town_idx = (np.arange(n_villages) * n_town) // n_villages
    within = pd.Series(town_idx).groupby(town_idx).cumcount().to_numpy()
    tcode = np.array(codes, dtype=object)[town_idx]
    vcode = tcode + np.char.mod("%03d", 200 + within).astype(object)
    vname = _names(rng, n_villages, _PLACE, "家新大小上下", "村")
    return pd.DataFrame(
        {
            "village_code": vcode.astype(str),
            "village_name": vname.astype(str),
            "township_code": tcode.astype(str),
            "township_name": np.array(tnames, dtype=object)[town_idx].astype(str),
        }
    )


def build_villages(
    rng: np.random.Generator, n_villages: int, per_township: int, county: str | None = None
) -> pd.DataFrame:
    """``n_villages`` villages, ``per_township`` each, in ``county`` (default Tuanfeng) first, then further counties.

    Village codes are 12-digit: township (9) + 200–399 (村委会 block).
    """
    per_township = int(min(max(per_township, 1), 200))
    n_town = -(-n_villages // per_township)
    codes: list[str] = []
    tnames: list[str] = []
    first = (county or COUNTIES[0][0],)
    for code in first + tuple(c for c, _ in COUNTIES if c not in first):
        if code == "421121":
            for c, name in TUANFENG:
                codes.append(c)
                tnames.append(name)
        else:
            k = 12
            gen = _names(rng, k, _TOWN1, _TOWN1, "")
            for j in range(k):
                is_xiang = j >= 9
                codes.append(f"{code}{(200 + j - 9) if is_xiang else (100 + j):03d}")
                tnames.append(str(gen[j])[:2] + ("乡" if is_xiang else "镇"))
        if len(codes) >= n_town:
            break
    codes, tnames = codes[:n_town], tnames[:n_town]
    town_idx = np.repeat(np.arange(n_town), per_township)[:n_villages]
    within = np.concatenate([np.arange(per_township)] * n_town)[:n_villages]
    tcode = np.array(codes, dtype=object)[town_idx]
    step = max(1, min(5, 199 // per_township))
    vcode = tcode + np.char.mod("%03d", 200 + within * step).astype(object)
    vname = _names(rng, n_villages, _PLACE, "家新大小上下", "村")
    return pd.DataFrame(
        {
            "village_code": vcode.astype(str),
            "village_name": vname.astype(str),
            "township_code": tcode.astype(str),
            "township_name": np.array(tnames, dtype=object)[town_idx].astype(str),
        }
    )
