"""Issue 17 item 14: one huge name does not stall match; it is a finding and compared truncated."""

from __future__ import annotations

import time

import pandas as pd
from match_frames import A1, B1, V1, dibao, households, members, row

from jingzhun.match import match, names
from jingzhun.params import Params


def _frames(n: int, huge: str):
    hh = pd.concat(
        [households()]
        + [households().assign(household_id=lambda d, i=i: d["household_id"] + f"-{i}") for i in range(n // 4)],
        ignore_index=True,
    )
    mem = members()
    mem.loc[4, "name"] = huge  # 刘丽's cell holds a pasted megabyte
    return {
        "households": hh,
        "members": mem,
        "dibao": dibao(
            [row("R1", "张伟", A1), row("R2", "王建国", B1), row("R3", "赵" + "钱孙李" * 300_000, None, village=V1)]
        ),
    }


def test_megabyte_name_is_a_finding_and_matching_stays_fast():
    huge = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(1_000_000))  # 1M characters, many distinct
    frames = _frames(100, huge)
    t0 = time.perf_counter()
    res = match(frames, Params.load(), 2016)
    took = time.perf_counter() - t0
    pairs = dict(zip(res.pairs["record_id"], res.pairs["id_number"], strict=True))
    assert pairs["R1"] == A1 and pairs["R2"] == B1  # the rest is matched as before
    f = res.findings.frame()
    long = f[f["code"] == "M-NAME-TOO-LONG"]
    assert set(long["table"]) == {"members", "dibao"}
    assert (long["detail"].astype(str).isin(["1000000", "900001"])).all()
    assert long["value"].astype(str).str.len().max() <= 51  # the finding quotes the start only
    assert took < 10, took


def test_keys_compare_the_first_characters_only():
    k = names.keys(pd.Series(["张伟" + "x" * 100, "张伟" + "x" * 48], dtype="str"), max_length=50)
    assert k["name_norm"].iloc[0] == k["name_norm"].iloc[1]
    assert names.too_long(pd.Series(["a" * 51, "a" * 50, None], dtype="str"), 50).tolist() == [True, False, False]
