"""The linking passes and the one-to-one resolution.

Each pass takes the roster rows and register persons still unlinked and returns
candidate pairs ``(_r, _p, method, score, name_sim)``; :func:`resolve` keeps at most one
pair per roster row and per person, best score first, and names the losers. Blocking
keeps every pass far from all-pairs: integer ID joins, the edit neighbourhood of a
damaged ID generated arithmetically, known-prefix + pinyin joins, village + pinyin joins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from jingzhun.executors import ThreadExecutor
from jingzhun.ids import WEIGHTS
from jingzhun.match import names
from jingzhun.match.frames import joint_codes
from jingzhun.match.prepare import POW10, RESIDUE_TO_CHECK, digits17

CAND_COLUMNS = ["_r", "_p", "method", "score", "name_sim"]

BASE_EXACT = 1.0
BASE_NORMALIZED = 0.99
BASE_FUZZY_EDIT = 0.96
AMBIGUITY_FACTOR = 0.8


@dataclass(frozen=True)
class Thresholds:
    review: float = 0.9
    name_confirm: float = 0.6
    name_village_min: float = 0.85
    unconfirmed: float = 0.85
    relation_confirmed: float = 0.96


def empty_candidates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_r": pd.Series(dtype="int64"),
            "_p": pd.Series(dtype="int64"),
            "method": pd.Series(dtype="str"),
            "score": pd.Series(dtype="float64"),
            "name_sim": pd.Series(dtype="float64"),
        }
    )


ROSTER_LINK_COLUMNS = ["_r", "id_status", "id_norm", "code17", "id_prefix", "name_norm", "name_py", "name_loose"]
PERSON_LINK_COLUMNS = ["_p", "id_norm", "code17", "name_norm", "name_py", "name_loose"]


def link_frames(ros: pd.DataFrame, per: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The columns the passes read, with the text keys they join on as shared int64 codes.

    ``id_code`` (full normalised ID), ``v_code`` (village), ``py_code`` / ``loose_code``
    (pinyin keys), ``birth_code`` and ``rel_code``: equal text gives the same code on both
    sides, a missing value gives -1.
    """
    r = ros[ROSTER_LINK_COLUMNS].copy()
    p = per[PERSON_LINK_COLUMNS].copy()
    r["id_exact"] = (ros["id_exact_key"] == ros["id_norm"]).fillna(False).to_numpy(dtype=bool)
    keys = (
        ("id_code", "id_norm"),
        ("v_code", "village_code"),
        ("py_code", "name_py"),
        ("loose_code", "name_loose"),
        ("birth_code", "birth"),
        ("rel_code", "relation"),
    )
    with ThreadExecutor(2) as pool:  # hashing text in Arrow: the GIL is released
        codes = pool.map(lambda col: joint_codes(ros[col], per[col]), [col for _, col in keys])
    for (code, _), (r_codes, p_codes) in zip(keys, codes, strict=True):
        r[code], p[code] = r_codes, p_codes
    return r, p


def person_keys(lper: pd.DataFrame) -> np.ndarray:
    """For each register row, the first row with the same full ID (its own row without an ID)."""
    key = np.arange(len(lper), dtype=np.int64)
    code = lper["id_code"].to_numpy()
    has = code >= 0
    if has.any():
        key[has] = pd.Series(key[has]).groupby(code[has]).transform("min").to_numpy()
    return key


def _name_sim(pairs: pd.DataFrame, ros: pd.DataFrame, per: pd.DataFrame) -> np.ndarray:
    cols = ["name_norm", "name_py", "name_loose"]
    a = ros[cols].take(pairs["_r"].to_numpy()).reset_index(drop=True)
    b = per[cols].take(pairs["_p"].to_numpy()).reset_index(drop=True)
    return names.similarity(a, b)


def _id_score(base: float, sim: np.ndarray) -> np.ndarray:
    return base * (0.5 + 0.5 * sim)


def _frame(r: np.ndarray, p: np.ndarray, method: str, score: np.ndarray, sim: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_r": r.astype("int64"),
            "_p": p.astype("int64"),
            "method": pd.Series([method] * len(r), dtype="str"),
            "score": score.astype("float64"),
            "name_sim": sim.astype("float64"),
        }
    )


def _join_codes(left_r: np.ndarray, left_code: np.ndarray, pf: pd.DataFrame) -> pd.DataFrame:
    """(_r, _p) where a roster code equals a free register person's code17 (int64 join)."""
    right = pf.loc[pf["code17"].to_numpy() >= 0, ["_p", "code17"]]
    left = pd.DataFrame({"_r": left_r, "code17": left_code})
    return left.merge(right, on="code17", how="inner")[["_r", "_p"]]


def pass_id_exact(rf: pd.DataFrame, pf: pd.DataFrame, ros: pd.DataFrame, per: pd.DataFrame) -> pd.DataFrame:
    """The roster ID as written equals a register ID (after the register's own clean-up)."""
    rr = rf[(rf["id_status"] == "valid").to_numpy() & rf["id_exact"].to_numpy()]
    pairs = _join_codes(rr["_r"].to_numpy(), rr["code17"].to_numpy(), pf)
    pairs = _same_check(pairs, ros, per)
    sim = _name_sim(pairs, ros, per)
    return _frame(pairs["_r"].to_numpy(), pairs["_p"].to_numpy(), "id_exact", _id_score(BASE_EXACT, sim), sim)


def pass_id_normalized(rf: pd.DataFrame, pf: pd.DataFrame, ros: pd.DataFrame, per: pd.DataFrame) -> pd.DataFrame:
    """Equal after full-width → half-width, lower-case x, spaces, 15 → 18 digits."""
    rr = rf[rf["id_status"].isin(["valid", "upgraded15"]).to_numpy() & (rf["code17"].to_numpy() >= 0)]
    pairs = _join_codes(rr["_r"].to_numpy(), rr["code17"].to_numpy(), pf)
    pairs = _same_check(pairs, ros, per)
    sim = _name_sim(pairs, ros, per)
    return _frame(pairs["_r"].to_numpy(), pairs["_p"].to_numpy(), "id_normalized", _id_score(BASE_NORMALIZED, sim), sim)


def _same_check(pairs: pd.DataFrame, ros: pd.DataFrame, per: pd.DataFrame) -> pd.DataFrame:
    """The full IDs agree (the join was on the first 17 digits): compared as shared codes."""
    a = ros["id_code"].to_numpy()[pairs["_r"].to_numpy()]
    b = per["id_code"].to_numpy()[pairs["_p"].to_numpy()]
    return pairs[(a == b) & (a >= 0)].reset_index(drop=True)


def edit_neighbours(d: np.ndarray, check: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """IDs one substitution or one adjacent transposition away, as (row index, code17).

    ``d`` is the (n, 17) digit array of the first 17 digits. With ``check`` (the written
    check value, 0–10) the neighbour must carry that check value, or the check
    character itself is the wrong one (neighbour = same 17 digits). Without ``check``
    (a 15-digit number upgraded), the inserted ``19`` is never edited.
    """
    n = len(d)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    base = d @ POW10
    wsum = d @ WEIGHTS
    rows_out: list[np.ndarray] = []
    codes_out: list[np.ndarray] = []
    # substitutions: (n, 17, 10)
    values = np.arange(10, dtype=np.int64)
    delta = values[None, None, :] - d[:, :, None]
    code = base[:, None, None] + delta * POW10[None, :, None]
    s = wsum[:, None, None] + delta * WEIGHTS[None, :, None]
    keep = delta != 0
    if check is None:
        keep &= ~np.isin(np.arange(17), [6, 7])[None, :, None]
    else:
        keep &= RESIDUE_TO_CHECK[s % 11] == check[:, None, None]
    idx = np.broadcast_to(np.arange(n)[:, None, None], code.shape)
    rows_out.append(idx[keep])
    codes_out.append(code[keep])
    # adjacent transpositions: (n, 16)
    a, b = d[:, :-1], d[:, 1:]
    tcode = base[:, None] + (b - a) * POW10[None, :-1] + (a - b) * POW10[None, 1:]
    ts = wsum[:, None] + (b - a) * WEIGHTS[None, :-1] + (a - b) * WEIGHTS[None, 1:]
    tkeep = a != b
    if check is None:
        tkeep &= ~np.isin(np.arange(16), [5, 6, 7])[None, :]
    else:
        tkeep &= RESIDUE_TO_CHECK[ts % 11] == check[:, None]
    tidx = np.broadcast_to(np.arange(n)[:, None], tcode.shape)
    rows_out.append(tidx[tkeep])
    codes_out.append(tcode[tkeep])
    if check is not None:
        # the check character is the typo, or it was swapped with the 17th digit
        rows_out.append(np.arange(n))
        codes_out.append(base)
        swapped = check <= 9
        sw_d17 = check
        sw_code = base - d[:, 16] + sw_d17
        sw_sum = wsum + (sw_d17 - d[:, 16]) * WEIGHTS[16]
        ok = swapped & (RESIDUE_TO_CHECK[sw_sum % 11] == d[:, 16])
        rows_out.append(np.arange(n)[ok])
        codes_out.append(sw_code[ok])
    return np.concatenate(rows_out), np.concatenate(codes_out)


def pass_id_fuzzy_edit(
    rf: pd.DataFrame, pf: pd.DataFrame, ros: pd.DataFrame, per: pd.DataFrame, th: Thresholds, chunk: int = 20_000
) -> pd.DataFrame:
    """A bad-checksum ID (or an unmatched 15-digit one) one edit from a register ID, name-confirmed."""
    parts = []
    bad = rf[rf["id_status"].isin(["bad_checksum", "bad_date"]) & rf["id_norm"].notna()]
    old15 = rf[rf["id_status"] == "upgraded15"]
    for frame, with_check in ((bad, True), (old15, False)):
        if frame.empty:
            continue
        ok, d = digits17(frame["id_norm"])
        rids = frame["_r"].to_numpy()[ok]
        checks = frame["id_norm"].str.slice(17, 18).to_numpy(dtype=object)[ok]
        cv = np.array([10 if c == "X" else int(c) for c in checks], dtype=np.int64) if with_check else None
        for start in range(0, len(d), chunk):
            sl = slice(start, start + chunk)
            rows, codes = edit_neighbours(d[sl], cv[sl] if cv is not None else None)
            pairs = _join_codes(rids[sl][rows], codes, pf)
            if not pairs.empty:
                parts.append(pairs)
    if not parts:
        return empty_candidates()
    pairs = pd.concat(parts, ignore_index=True).drop_duplicates()
    sim = _name_sim(pairs, ros, per)
    keep = sim >= th.name_confirm
    pairs, sim = pairs[keep].reset_index(drop=True), sim[keep]
    n_cand = pairs.groupby("_r")["_p"].transform("size").to_numpy()
    score = _id_score(BASE_FUZZY_EDIT, sim) * np.where(n_cand > 1, AMBIGUITY_FACTOR, 1.0)
    return _frame(pairs["_r"].to_numpy(), pairs["_p"].to_numpy(), "id_fuzzy", score, sim)


def _prefix_confidence(k: np.ndarray) -> np.ndarray:
    return np.select([k >= 15, k >= 14, k >= 12], [1.0, 0.97, 0.92], 0.85)


def pass_id_fuzzy_excel(
    rf: pd.DataFrame, pf: pd.DataFrame, ros: pd.DataFrame, per: pd.DataFrame, th: Thresholds
) -> pd.DataFrame:
    """An Excel-damaged ID: its known leading digits + the same pinyin name (+ village)."""
    dam = rf[rf["id_prefix"].notna().to_numpy() & (rf["py_code"].to_numpy() >= 0)]
    dam = dam[dam["id_prefix"].str.len() >= 1]
    if dam.empty:
        return empty_candidates()
    k_all = dam["id_prefix"].str.len().to_numpy()
    pcodes = pf["code17"].to_numpy()
    has = pcodes >= 0
    parts = []
    for k in np.unique(k_all):
        k = int(min(k, 17))
        sub = dam[np.minimum(k_all, 17) == k]
        prefix = pd.to_numeric(sub["id_prefix"].str.slice(0, k), errors="coerce").to_numpy()
        div = np.int64(10 ** (17 - k))
        reg_prefix = np.where(has, pcodes // div, -1)
        cand_mask = has & np.isin(reg_prefix, prefix)
        right = pd.DataFrame(
            {
                "_p": pf["_p"].to_numpy()[cand_mask],
                "pref": reg_prefix[cand_mask],
                "py_code": pf["py_code"].to_numpy()[cand_mask],
            }
        )
        right = right[right["py_code"].to_numpy() >= 0]
        left = pd.DataFrame(
            {"_r": sub["_r"].to_numpy(), "pref": prefix.astype("int64"), "py_code": sub["py_code"].to_numpy()}
        )
        pairs = left.merge(right, on=["pref", "py_code"], how="inner")[["_r", "_p"]]
        pairs["k"] = k
        parts.append(pairs)
    pairs = pd.concat(parts, ignore_index=True)
    if pairs.empty:
        return empty_candidates()
    rv = ros["v_code"].to_numpy()[pairs["_r"].to_numpy()]
    pv = per["v_code"].to_numpy()[pairs["_p"].to_numpy()]
    rv_known = rv >= 0
    same_village = rv_known & (rv == pv)
    # A known village that differs rules the candidate out.
    keep = ~rv_known | same_village
    pairs = pairs[keep].reset_index(drop=True)
    same_village = same_village[keep]
    sim = _name_sim(pairs, ros, per)
    conf = _prefix_confidence(pairs["k"].to_numpy())
    conf = np.minimum(1.0, conf + np.where(same_village, 0.05, 0.0))
    n_cand = pairs.groupby("_r")["_p"].transform("size").to_numpy()
    score = conf * (0.5 + 0.5 * sim) * np.where(n_cand > 1, AMBIGUITY_FACTOR, 1.0)
    return _frame(pairs["_r"].to_numpy(), pairs["_p"].to_numpy(), "id_fuzzy", score, sim)


def pass_name_village(
    rf: pd.DataFrame, pf: pd.DataFrame, ros: pd.DataFrame, per: pd.DataFrame, th: Thresholds
) -> pd.DataFrame:
    """Same village, similar name, confirmed by birth date (from a partial ID) or relation."""
    rr = rf[(rf["v_code"].to_numpy() >= 0) & (rf["loose_code"].to_numpy() >= 0)]
    if rr.empty:
        return empty_candidates()
    pv = pf["v_code"].to_numpy()
    pp = pf[np.isin(pv, rr["v_code"].unique()) & (pv >= 0) & (pf["loose_code"].to_numpy() >= 0)]
    by_name = rr[["_r", "v_code", "loose_code"]].merge(
        pp[["_p", "v_code", "loose_code"]], on=["v_code", "loose_code"], how="inner"
    )[["_r", "_p"]]
    # A name typed wrong beyond sound: the birth date known from a partial ID still blocks.
    rb = rr[rr["birth_code"].to_numpy() >= 0]
    pb = pp[pp["birth_code"].to_numpy() >= 0]
    by_birth = rb[["_r", "v_code", "birth_code"]].merge(
        pb[["_p", "v_code", "birth_code"]], on=["v_code", "birth_code"], how="inner"
    )[["_r", "_p"]]
    pairs = pd.concat([by_name, by_birth], ignore_index=True).drop_duplicates().reset_index(drop=True)
    if pairs.empty:
        return empty_candidates()
    sim = _name_sim(pairs, ros, per)
    r_idx, p_idx = pairs["_r"].to_numpy(), pairs["_p"].to_numpy()
    rb_ = ros["birth_code"].to_numpy()[r_idx]
    pb_ = per["birth_code"].to_numpy()[p_idx]
    birth_known = (rb_ >= 0) & (pb_ >= 0)
    birth_eq = birth_known & (rb_ == pb_)
    rrel = ros["rel_code"].to_numpy()[r_idx]
    prel = per["rel_code"].to_numpy()[p_idx]
    rel_known = (rrel >= 0) & (prel >= 0)
    rel_eq = rel_known & (rrel == prel)
    id_ok = _known_digits_agree(ros.take(r_idx), per.take(p_idx))
    conf = np.select([birth_eq, rel_eq], [1.0, th.relation_confirmed], th.unconfirmed)
    conf = np.where(rel_known & ~rel_eq & ~birth_eq, th.unconfirmed * 0.95, conf)
    min_sim = np.where(birth_eq, 0.5, th.name_village_min)
    keep = (sim >= min_sim) & ~(birth_known & ~birth_eq) & id_ok
    pairs, sim, conf = pairs[keep].reset_index(drop=True), sim[keep], conf[keep]
    score = sim * conf
    # Two equally good people for one roster row: keep the pair for review, not certainty.
    top = pd.Series(score).groupby(pairs["_r"].to_numpy()).transform("max").to_numpy()
    n_top = pd.Series(np.isclose(score, top)).groupby(pairs["_r"].to_numpy()).transform("sum").to_numpy()
    score = np.where(n_top > 1, score * AMBIGUITY_FACTOR, score)
    return _frame(pairs["_r"].to_numpy(), pairs["_p"].to_numpy(), "name_village", score, sim)


MAX_DIGIT_MISMATCH = 2


def _known_digits_agree(r: pd.DataFrame, p: pd.DataFrame) -> np.ndarray:
    """False where the roster's known ID digits disagree with the register ID in > 2 places.

    Known digits: the first 17 of an 18-character roster ID (valid or not), or the leading
    digits an Excel-damaged ID kept. A register person without an ID is not ruled out.
    """
    digits = r["id_norm"].str.slice(0, 17).where(r["id_norm"].str.len() == 18, r["id_prefix"].str.slice(0, 17))
    known = digits.astype("str").fillna("").to_numpy(dtype=object)
    reg = p["id_norm"].astype("str").fillna("").to_numpy(dtype=object)
    n = len(known)
    if n == 0:
        return np.zeros(0, dtype=bool)
    ka = np.frombuffer("".join(k.ljust(17, "?")[:17] for k in known).encode("utf-8", "replace"), dtype=np.uint8)
    ra = np.frombuffer("".join(x.ljust(17, "?")[:17] for x in reg).encode("utf-8", "replace"), dtype=np.uint8)
    if len(ka) != 17 * n or len(ra) != 17 * n:
        return np.ones(n, dtype=bool)
    ka, ra = ka.reshape(n, 17), ra.reshape(n, 17)
    compared = (ka != ord("?")) & (ra != ord("?"))
    mismatches = ((ka != ra) & compared).sum(axis=1)
    reg_known = np.array([len(x) == 18 for x in reg], dtype=bool)
    return ~reg_known | (mismatches <= MAX_DIGIT_MISMATCH)


def resolve(
    cands: pd.DataFrame, current: np.ndarray | None = None, person: np.ndarray | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """At most one pair per roster row and per person, best score first.

    Repeatedly accepts the pairs that are the best remaining for both their roster row
    and their person (the greedy matching, computed in rounds). The same person can be
    on the register twice (the year a marriage moves them: the row they left and the row
    they joined); ``person`` (indexed by ``_p``: the first row of that ID) groups those
    rows, and between equal scores on one person the current member row (``current``)
    wins. Returns the accepted pairs and the conflicts: roster rows whose best candidate
    went to another row.
    """
    if cands.empty:
        return cands.copy(), pd.DataFrame({"_r": [], "_p": [], "winner_r": [], "score": [], "winner_score": []})
    c = cands.copy()
    p = c["_p"].to_numpy()
    c["_person"] = person[p] if person is not None else p
    c["_gone"] = ~current[p] if current is not None else False
    c = c.sort_values(
        ["score", "_r", "_person", "_gone", "_p"], ascending=[False, True, True, True, True], kind="stable"
    )
    c = c.drop(columns=["_person", "_gone"]).reset_index(drop=True)
    c["rank"] = np.arange(len(c))
    best_first = c.drop_duplicates("_r")[["_r", "_p", "score"]]
    accepted = []
    live = c
    while not live.empty:
        br = live.groupby("_r")["rank"].transform("min") == live["rank"]
        bp = live.groupby("_p")["rank"].transform("min") == live["rank"]
        take = live[br & bp]
        accepted.append(take)
        live = live[~live["_r"].isin(take["_r"]) & ~live["_p"].isin(take["_p"])]
    acc = pd.concat(accepted, ignore_index=True).drop(columns="rank")
    winner = acc.set_index("_p")[["_r", "score"]].rename(columns={"_r": "winner_r", "score": "winner_score"})
    lost = best_first.merge(winner, left_on="_p", right_index=True, how="inner")
    lost = lost[lost["winner_r"] != lost["_r"]].reset_index(drop=True)
    return acc.sort_values(["_r"]).reset_index(drop=True), lost
