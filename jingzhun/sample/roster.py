"""The 民政 低保/特困 roster with realistic noise, and the truth of who is who."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jingzhun.sample import names
from jingzhun.sample.numtext import zfill
from jingzhun.sample.population import assign_ids

ID_NOISE_RATE = 0.15  # data-sample/: missing, 15-digit, mistyped or Excel-damaged IDs (sample --roster-noise)
NAME_NOISE_RATE = 0.10  # homophone, traditional form or dropped ·
TEKUN_MONTHLY = 350


def _class(monthly: np.ndarray) -> np.ndarray:
    return np.where(monthly >= 240, "一类", np.where(monthly >= 160, "二类", "三类")).astype(object)


def _traditional(s: pd.Series) -> pd.Series:
    import opencc

    conv = opencc.OpenCC("s2t")
    uniq = s.drop_duplicates()
    return s.map(dict(zip(uniq, (conv.convert(x) for x in uniq), strict=True)))


def id_noise(rng: np.random.Generator, ids_: pd.Series, rate: float) -> tuple[pd.Series, np.ndarray]:
    """Damage ``rate`` of the IDs: missing, 15-digit, one digit changed, two swapped, Excel-damaged.

    The draws are those of at least ``ID_NOISE_RATE`` whatever ``rate`` is, so that a lower
    rate (0: none) changes only the roster's IDs, not the random stream of what follows.
    """
    n = len(ids_)
    kind = np.full(n, "", dtype=object)
    u = rng.random(n)
    hit = u < max(rate, ID_NOISE_RATE)
    k = rng.choice(6, n, p=[0.27, 0.23, 0.17, 0.16, 0.09, 0.08])
    s = ids_.astype("str").copy()
    is19 = s.str.slice(6, 8).eq("19").to_numpy()
    # 0 missing, 1 15-digit, 2 one digit, 3 swap, 4 Excel sci, 5 Excel 000
    k = np.where((k == 1) & ~is19, 2, k)
    pos = rng.integers(0, 16, n)
    for code, label in enumerate(("missing", "id15", "digit", "swap", "excel_sci", "excel_000")):
        sel = hit & (k == code)
        if not sel.any():
            continue
        v = s[sel]
        p = pos[sel]
        if label == "missing":
            new = pd.Series(pd.NA, index=v.index, dtype="str")
        elif label == "id15":
            new = v.str.slice(0, 6) + v.str.slice(8, 17)
        elif label == "digit":
            d = v.str.slice(6, 17).to_numpy(dtype=object)
            old = np.array([x[i % 11] for x, i in zip(d, p, strict=True)], dtype=object)
            rep = ((old.astype(int) + rng.integers(1, 10, len(v))) % 10).astype(str)
            new = pd.Series(
                [
                    x[:6] + y[: i % 11] + r + y[i % 11 + 1 :] + x[17:]
                    for x, y, i, r in zip(v.to_numpy(dtype=object), d, p, rep, strict=True)
                ],
                index=v.index,
                dtype="str",
            )
        elif label == "swap":
            vv = v.to_numpy(dtype=object)
            q = 6 + (p % 10)
            sw = [x[:i] + x[i + 1] + x[i] + x[i + 2 :] for x, i in zip(vv, q, strict=True)]
            same = np.array([a == b for a, b in zip(sw, vv, strict=True)])
            sw = [
                x[:6] + x[7] + x[6] + x[8:] if e and x[6] != x[7] else y for x, y, e in zip(vv, sw, same, strict=True)
            ]
            new = pd.Series(sw, index=v.index, dtype="str")
        elif label == "excel_sci":
            new = v.str.slice(0, 1) + "." + v.str.slice(1, 6) + "E+17"
        else:
            new = v.str.slice(0, 15) + "000"
        s[sel] = new
        kind[sel] = label
    spared = hit & (u >= rate)
    s[spared] = ids_.astype("str")[spared]
    kind[spared] = ""
    # A mistype that happens to leave the ID unchanged (swap of equal digits) is no noise.
    unchanged = (s.fillna("") == ids_.astype("str").fillna("")).to_numpy() & (kind != "")
    kind[unchanged] = ""
    return s, kind


def name_noise(rng: np.random.Generator, nm: pd.Series, rate: float) -> tuple[pd.Series, np.ndarray]:
    """Homophone (张伟/张玮), traditional form, or the · dropped from a minority name."""
    n = len(nm)
    kind = np.full(n, "", dtype=object)
    s = nm.astype("str").copy()
    hit = rng.random(n) < rate
    dot = s.str.contains("·", regex=False).to_numpy()
    sel = hit & dot
    s[sel] = s[sel].str.replace("·", "", regex=False)
    kind[sel] = "dropped_dot"
    trad = hit & ~dot & (rng.random(n) < 0.2)
    if trad.any():
        t = _traditional(s[trad])
        changed = (t != s[trad]).to_numpy()
        s[trad] = t
        kind[np.flatnonzero(trad)[changed]] = "traditional"
    homo = hit & ~dot & (kind == "")
    last = s[homo].str.slice(-1).map(names.HOMOPHONES)
    mid = s[homo].str.slice(1, 2).map(names.HOMOPHONES)
    v = s[homo]
    new = (v.str.slice(0, -1) + last).where(
        last.notna(), (v.str.slice(0, 1) + mid + v.str.slice(2)).where(mid.notna() & (v.str.len() > 2))
    )
    ok = new.notna().to_numpy()
    s[homo] = new.where(new.notna(), v)
    kind[np.flatnonzero(homo)[ok]] = "homophone"
    return s, kind


def roster(
    rng: np.random.Generator,
    m: pd.DataFrame,
    P: pd.DataFrame,
    H: pd.DataFrame,
    hh: pd.DataFrame,
    vil: pd.DataFrame,
    outsiders: pd.DataFrame,
    data_year: int,
    id_rate: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(dibao table, dibao_pairs truth, deliberate mismatch cases) for one data year.

    ``id_rate`` of the roster's IDs are damaged (validate warns about them); names always
    carry realistic variants, which no check reports.
    """
    pid = P["pid"].to_numpy()
    hidx = P["hh"].to_numpy()
    cat = H["category"].to_numpy()[hidx]
    monthly = H["dibao_monthly"].to_numpy()[hidx]
    on_d = m["on_dibao"].to_numpy()
    on_t = m["on_tekun"].to_numpy()
    dead = (m["change_reason"] == "死亡").to_numpy()
    cases = []
    # (b) 低保贫困户 with nobody on the roster.
    dib_h = np.unique(hidx[on_d & (cat == "低保贫困户")])
    drop_h = rng.permutation(dib_h)[: max(1, len(dib_h) // 50)]
    dropped = np.isin(hidx, drop_h)
    # (a) a 低保 person in a 一般贫困户; (c) a dead member still on the roster; (d) on both 低保 and 特困.
    gen_heads = np.flatnonzero(
        (cat == "一般贫困户") & (m["relation"].to_numpy() == "户主") & (m["change_reason"].to_numpy() == "")
    )
    in_general = rng.permutation(gen_heads)[: max(1, len(gen_heads) // 100)]
    dead_i = np.flatnonzero(dead)
    dead_i = rng.permutation(dead_i)[: max(1, len(dead_i) // 10)] if len(dead_i) else dead_i
    tek_i = np.flatnonzero(on_t)
    both = rng.permutation(tek_i)[: max(1, len(tek_i) // 30)] if len(tek_i) else tek_i
    d_rows = np.concatenate([np.flatnonzero(on_d & ~dropped), in_general, dead_i, both])
    t_rows = np.flatnonzero(on_t)
    rows = np.concatenate([d_rows, t_rows])
    prog = np.array(["农村低保"] * len(d_rows) + ["特困供养"] * len(t_rows), dtype=object)
    reg = pd.DataFrame(
        {
            "pid": pid[rows],
            "program": prog,
            "hh": hidx[rows],
            "household_id": m["household_id"].to_numpy()[rows],
            "id_true": m["id_number"].to_numpy()[rows],
            "name": m["name"].to_numpy()[rows],
            "relation": m["relation"].to_numpy()[rows],
            "monthly": np.where(prog == "特困供养", TEKUN_MONTHLY, np.where(monthly[rows] > 0, monthly[rows], 160)),
            "village": H["village"].to_numpy()[hidx[rows]],
        }
    )
    reg["record_id"] = np.char.add(
        np.char.add("MZ", zfill(reg["pid"].to_numpy().astype(str), 9)), np.where(prog == "特困供养", "T", "D")
    ).astype(object)
    for kind, idx in (
        ("general_household_on_roster", in_general),
        ("dead_on_roster", dead_i),
        ("dibao_and_tekun", both),
    ):
        r = "MZ" + pd.Series(pid[idx].astype(str)).str.zfill(9) + "D"
        cases.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "record_id": r.to_numpy(dtype=object),
                    "household_id": m["household_id"].to_numpy()[idx],
                    "id_number": m["id_number"].to_numpy()[idx],
                }
            )
        )
    dh = H.iloc[drop_h]
    cases.append(
        pd.DataFrame(
            {
                "kind": "dibao_household_not_on_roster",
                "record_id": "",
                "household_id": dh["household_id"].to_numpy(),
                "id_number": "",
            }
        )
    )
    reg = reg.drop_duplicates("record_id")
    out = outsiders.copy()
    out["record_id"] = np.char.add("MZ", zfill(out["pid"].to_numpy().astype(str), 9)).astype(object)
    out["record_id"] = out["record_id"] + "D"
    allr = pd.concat(
        [reg, out.assign(program="农村低保", household_id="", id_true=out["id_number"], hh=-1)], ignore_index=True
    )
    n = len(allr)
    # Covered since before the income year: the households' 低保金/特困供养金 (tables.py) are
    # members × monthly amount × 12, so a start inside the income year would contradict them.
    start = np.datetime64(f"{data_year - 3}-01-01") + (rng.integers(0, 365 * 3, n) * 2 // 3).astype("timedelta64[D]")
    ended = (rng.random(n) < 0.03) & (start < np.datetime64(f"{data_year - 1}-06-01"))
    end = np.where(ended, np.datetime64(f"{data_year - 1}-12-31"), np.datetime64("NaT", "D"))
    ids_noisy, id_kind = id_noise(rng, pd.Series(allr["id_true"].to_numpy(), dtype="str"), id_rate)
    nm_noisy, nm_kind = name_noise(rng, pd.Series(allr["name"].to_numpy(), dtype="str"), NAME_NOISE_RATE)
    vi = allr["village"].to_numpy()
    has_code = rng.random(n) < 0.8
    table = pd.DataFrame(
        {
            "record_id": allr["record_id"].to_numpy(),
            "id_number": ids_noisy.to_numpy(dtype=object),
            "name": nm_noisy.to_numpy(dtype=object),
            "village_code": np.where(has_code, vil["village_code"].to_numpy()[vi], "").astype(object),
            "village_name": vil["village_name"].to_numpy()[vi],
            "family_ref": np.where(
                allr["hh"].to_numpy() >= 0,
                np.char.add("MZH", zfill(allr["hh"].to_numpy().astype(str), 8)),
                np.char.add("MZX", zfill(allr["pid"].to_numpy().astype(str), 9)),
            ).astype(object),
            "relation": allr["relation"].to_numpy(),
            "program": allr["program"].to_numpy(),
            "dibao_class": np.where(
                allr["program"].to_numpy() == "农村低保", _class(allr["monthly"].to_numpy()), ""
            ).astype(object),
            "monthly_amount": allr["monthly"].to_numpy().astype(float),
            "start_date": start.astype("datetime64[s]"),
            "end_date": end.astype("datetime64[s]"),
        }
    )
    order = np.argsort(table["record_id"].to_numpy(), kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    truth = pd.DataFrame(
        {
            "record_id": allr["record_id"].to_numpy()[order],
            "household_id": allr["household_id"].to_numpy()[order],
            "id_number": np.where(allr["hh"].to_numpy() >= 0, allr["id_true"].to_numpy(), "")[order],
            "id_noise": id_kind[order],
            "name_noise": nm_kind[order],
        }
    )
    return table, truth, pd.concat(cases, ignore_index=True)


def outsiders(
    rng: np.random.Generator, vil: pd.DataFrame, n: int, taken: pd.Index, first_pid: int, data_year: int
) -> pd.DataFrame:
    """民政-only people: on the roster, not in the poverty register."""
    male = rng.random(n) < 0.5
    birth = np.datetime64("1930-01-01") + rng.integers(0, 365 * 80, n).astype("timedelta64[D]")
    vi = rng.integers(0, len(vil), n)
    prefix = vil["village_code"].str.slice(0, 6).to_numpy()[vi].astype(str)
    return pd.DataFrame(
        {
            "pid": first_pid + np.arange(n),
            "id_number": assign_ids(rng, prefix, birth, male, taken),
            "name": names.surnames(rng, n) + names.given_names(rng, male),
            "relation": "户主",
            "monthly": rng.choice([120, 160, 200, 240], n),
            "village": vi,
        }
    )
