"""Read a dataset year and print wall time and peak memory per table.

    .venv/bin/python benchmarks/bench_read.py DATASET [--year Y]
    .venv/bin/python benchmarks/bench_read.py --make DIR --households 100000 [--format csv-gbk|csv|parquet|xlsx]

``--make`` writes a quick synthetic households + members year (about 3.5 members per
household, Chinese text, mixed formats) so the reader can be measured before
``jingzhun sample`` exists; it is not realistic data, only realistic shapes.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make(root: Path, households: int, fmt: str, seed: int = 1) -> None:
    from jingzhun import ids

    rng = np.random.default_rng(seed)
    year = root / "2016"
    year.mkdir(parents=True, exist_ok=True)
    n = households
    hid = pd.Series(np.char.add("4211211", np.char.zfill(np.arange(n).astype(str), 7)))
    village = pd.Series(np.char.add("421121100", np.char.zfill((np.arange(n) % 300).astype(str), 3)))
    size = rng.integers(1, 7, n)
    m = int(size.sum())
    mh = np.repeat(np.arange(n), size)
    pos = np.arange(m) - np.repeat(np.cumsum(size) - size, size)
    birth = pd.to_datetime("1940-01-01") + pd.to_timedelta(rng.integers(0, 27000, m), unit="D")
    body = pd.Series("421121" + birth.strftime("%Y%m%d") + pd.Series(rng.integers(100, 999, m).astype(str)))
    id18 = body + ids.check_char(body).astype(str)
    surname = np.array(list("张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗"))
    given = np.array(list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华䶮"))
    names = pd.Series(surname[rng.integers(0, len(surname), m)]) + pd.Series(given[rng.integers(0, len(given), m)])
    relation = np.where(
        pos == 0, "户主", np.where(pos == 1, "配偶", np.array(["之子", "之女", "之孙子", "之母"])[pos % 4])
    )
    members = pd.DataFrame(
        {
            "户编号": hid.to_numpy()[mh],
            "证件号码": id18,
            "姓名": names,
            "性别": np.where(rng.random(m) < 0.5, "男", "女"),
            "出生日期": np.where(rng.random(m) < 0.5, birth.strftime("%Y-%m-%d"), birth.strftime("%Y年%-m月%-d日")),
            "民族": "汉族",
            "与户主关系": relation,
            "文化程度": np.array(["小学", "初中", "高中", "文盲或半文盲"])[rng.integers(0, 4, m)],
            "健康状况": np.array(["健康", "长期慢性病", "残疾、长期慢性病", "患有大病"])[rng.integers(0, 4, m)],
            "劳动技能": np.array(["普通劳动力", "丧失劳动力", "无劳动力", "弱劳动力"])[rng.integers(0, 4, m)],
            "务工状况": np.array(["乡（镇）内务工", "省外务工", "未外出务工"])[rng.integers(0, 3, m)],
            "务工时间（月）": rng.integers(0, 13, m).astype(str),
            "是否参加大病保险": np.array(["是", "否"])[rng.integers(0, 2, m)],
        }
    )
    head_idx = np.cumsum(size) - size
    households_df = pd.DataFrame(
        {
            "户编号": hid,
            "行政村代码": village,
            "户主姓名": names.to_numpy()[head_idx],
            "户主证件号码": id18.to_numpy()[head_idx],
            "家庭人口数": size.astype(str),
            "是否建档立卡": "是",
            "贫困户属性": np.array(["一般贫困户", "低保贫困户", "五保贫困户"])[rng.integers(0, 3, n)],
            "脱贫状态": np.array(["未脱贫", "已脱贫(享受政策)"])[rng.integers(0, 2, n)],
            "主要致贫原因": np.array(["因病", "缺劳动力", "因学", "缺资金"])[rng.integers(0, 4, n)],
            "工资性收入": np.round(rng.gamma(2, 1500, n), 2).astype(str),
            "生产经营性收入": np.round(rng.gamma(2, 800, n), 2).astype(str),
            "财产性收入": np.round(rng.gamma(1, 50, n), 2).astype(str),
            "转移性收入": np.round(rng.gamma(1, 500, n), 2).astype(str),
            "生产经营性支出": np.round(rng.gamma(1, 300, n), 2).astype(str),
            "是否危房户": np.array(["是", "否"])[rng.integers(0, 2, n)],
            "饮水是否安全": np.array(["是", "否"])[rng.integers(0, 2, n)],
            "首次识别年度": "2014",
        }
    )
    for name, df in (("households", households_df), ("members", members)):
        if fmt == "parquet":
            df.to_parquet(year / f"{name}.parquet", index=False)
        elif fmt == "xlsx":
            from jingzhun.io.write import write_xlsx

            write_xlsx({name: df}, year / f"{name}.xlsx", labels=False)  # input data, not a person's output
        else:
            enc = "gbk" if fmt == "csv-gbk" else "utf-8"
            # GBK cannot encode 䶮; such a file is GB18030, which the reader detects the same way.
            df.to_csv(year / f"{name}.csv", index=False, encoding="gb18030" if enc == "gbk" else enc)
    print(f"wrote {n} households, {m} members as {fmt} under {year}", file=sys.stderr)


def bench(root: Path, year: int | None) -> None:
    from jingzhun.dataset import Dataset
    from jingzhun.io.read import read_table

    ds = Dataset.open(root)
    y = ds.resolve_year(year)
    total = time.perf_counter()
    for table, path in sorted(ds.table_files(y).items()):
        t0 = time.perf_counter()
        res = read_table(path, table)
        dt = time.perf_counter() - t0
        print(
            f"{table:12s} {res.info.format:8s} {res.info.encoding or '':10s} rows={len(res.frame):>9,d} "
            f"findings={len(res.findings):>7,d} wall={dt:7.2f}s peak_rss={peak_mb():8.0f} MB"
        )
    print(f"{'total':12s} wall={time.perf_counter() - total:7.2f}s peak_rss={peak_mb():8.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", nargs="?", type=Path)
    ap.add_argument("--year", type=int)
    ap.add_argument("--make", type=Path, help="write a synthetic dataset here first")
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--format", default="csv-gbk", choices=["csv-gbk", "csv", "parquet", "xlsx"])
    args = ap.parse_args()
    if args.make:
        make(args.make, args.households, args.format)
    root = args.dataset or args.make
    if root is None:
        ap.error("give a DATASET or --make DIR")
    bench(root, args.year)


if __name__ == "__main__":
    main()
