"""``match``: link the register to the 低保/特困 roster and report the mismatches.

Pure: typed frames + parameters (+ review decisions) in, a :class:`MatchResult` out.
Passes run in order of confidence, each on what is still unlinked: manual decisions,
``id_exact``, ``id_normalized``, ``id_fuzzy`` (one edit from a register ID, or the known
digits of an Excel-damaged ID), ``name_village``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jingzhun.errors import InputError
from jingzhun.executors import ThreadExecutor
from jingzhun.findings import Findings
from jingzhun.i18n import t
from jingzhun.match import checks, link, names, prepare
from jingzhun.match.decisions import apply_decisions
from jingzhun.params import Params
from jingzhun.tablespec import provided

METHODS = ("manual", "id_exact", "id_normalized", "id_fuzzy", "name_village")
PAIR_COLUMNS = [
    "record_id",
    "household_id",
    "id_number",
    "method",
    "score",
    "review",
    "roster_name",
    "register_name",
    "roster_id_number",
    "village_code",
    "program",
]
REVIEW_COLUMNS = [
    "record_id",
    "roster_name",
    "roster_id_number",
    "roster_village",
    "roster_relation",
    "program",
    "household_id",
    "register_name",
    "id_number",
    "register_village",
    "register_relation",
    "category",
    "method",
    "score",
    "decision",
]


@dataclass
class MatchResult:
    pairs: pd.DataFrame
    findings: Findings
    summary: dict[str, Any]
    review: pd.DataFrame = field(default_factory=pd.DataFrame)


def thresholds(params: Params) -> link.Thresholds:
    return link.Thresholds(
        review=float(params.settings.match.review_threshold),
        name_confirm=float(params.settings.match.name_confirm),
        name_village_min=float(params.settings.match.name_village_min),
    )


def _long_name_findings(f: Findings, per: pd.DataFrame, ros: pd.DataFrame, max_name: int) -> None:
    """Names longer than ``match.name_max_length``: matched on their first characters."""
    for table, df, row, key in (("members", per, "m_row", "household_id"), ("dibao", ros, "d_row", "record_id")):
        m = names.too_long(df["name"], max_name)
        if not m.any():
            continue
        name = df.loc[m, "name"].astype("str")
        f.add(
            "M-NAME-TOO-LONG",
            table=table,
            row=df.loc[m, row],
            column="name",
            key=df.loc[m, key],
            value=name.str.slice(0, max_name) + "…",
            detail=name.str.len().astype("str"),
        )


# The roster's ID defects that validate reports too (match code → validate code).
SAME_AS_VALIDATE = {
    "M-ROSTER-ID-INVALID": "V-ROSTER-ID-INVALID",
    "M-ROSTER-ID-15": "V-ID-15",
    "M-ROSTER-ID-EXCEL": "V-ROSTER-ID-EXCEL-DAMAGED",
}


def one_per_defect(rendered: pd.DataFrame) -> pd.DataFrame:
    """Rendered findings of validate and match together (``jingzhun run``) without the match finding
    on a roster cell that validate reported as the same defect: one finding per defect."""
    if rendered.empty or not rendered["code"].isin(list(SAME_AS_VALIDATE)).any():
        return rendered
    place = (
        rendered["table"].astype("str").fillna("")
        + "|"
        + rendered["row"].astype("str").fillna("")
        + "|"
        + rendered["column"].astype("str").fillna("")
    )
    code = rendered["code"].astype("str")
    validated = code + "|" + place
    as_validate = code.map(SAME_AS_VALIDATE) + "|" + place
    twin = as_validate.notna() & as_validate.isin(set(validated[code.str.startswith("V-")].tolist()))
    return rendered[~twin.to_numpy(dtype=bool)].reset_index(drop=True)


def _roster_input_findings(f: Findings, dibao: pd.DataFrame, ros: pd.DataFrame) -> pd.Series:
    """Findings on the roster itself; returns the mask of rows that take part in linking."""
    usable = pd.Series(True, index=ros.index)
    if not provided(dibao, "id_number"):
        f.add("M-ROSTER-NO-ID-COLUMN", table="dibao", column="id_number")
    dup_rec = ros["record_id"].notna() & ros["record_id"].duplicated(keep="first")
    f.add(
        "M-ROSTER-DUP-RECORD",
        table="dibao",
        row=ros.loc[dup_rec, "d_row"],
        column="record_id",
        value=ros.loc[dup_rec, "record_id"],
        key=ros.loc[dup_rec, "record_id"],
    )
    usable &= ~dup_rec
    st = ros["id_status"]
    bad = st.isin(["bad_checksum", "bad_date", "bad_format"]) & usable
    f.add(
        "M-ROSTER-ID-INVALID",
        table="dibao",
        row=ros.loc[bad, "d_row"],
        column="id_number",
        value=ros.loc[bad, "id_raw"],
        key=ros.loc[bad, "record_id"],
        detail=st[bad],
    )
    exc = (st == "excel_damaged") & usable
    f.add(
        "M-ROSTER-ID-EXCEL",
        table="dibao",
        row=ros.loc[exc, "d_row"],
        column="id_number",
        value=ros.loc[exc, "id_raw"],
        key=ros.loc[exc, "record_id"],
    )
    up = (st == "upgraded15") & usable
    f.add(
        "M-ROSTER-ID-15",
        table="dibao",
        row=ros.loc[up, "d_row"],
        column="id_number",
        value=ros.loc[up, "id_raw"],
        key=ros.loc[up, "record_id"],
        detail=ros.loc[up, "id_norm"],
    )
    unk = ros["village_unknown"] & usable
    f.add(
        "M-VILLAGE-UNKNOWN",
        table="dibao",
        row=ros.loc[unk, "d_row"],
        column="village_name",
        value=ros.loc[unk, "village_name"],
        key=ros.loc[unk, "record_id"],
    )
    no_loc = (st == "empty") & ros["village_code"].isna() & ros["village_name"].isna() & usable
    f.add(
        "M-ROSTER-NO-LOCATION",
        table="dibao",
        row=ros.loc[no_loc, "d_row"],
        column="id_number",
        value=ros.loc[no_loc, "name"],
        key=ros.loc[no_loc, "record_id"],
    )
    usable &= ~no_loc
    # The same person twice: by the full ID once it is known.
    valid = usable & st.isin(["valid", "upgraded15"])
    grp = ros[valid]
    dup = grp["id_norm"].duplicated(keep=False)
    if dup.any():
        d = grp[dup]
        agg = d.groupby("id_norm").agg(
            records=("record_id", lambda s: ",".join(map(str, s))),
            programs=("program", lambda s: ",".join(sorted(set(s.dropna().astype(str))))),
            n_prog=("program", "nunique"),
            first_row=("d_row", "first"),
        )
        both = agg[
            (agg["n_prog"] > 1)
            & agg["programs"].str.contains(checks.DIBAO)
            & agg["programs"].str.contains(checks.TEKUN)
        ]
        f.add(
            "M-DIBAO-AND-TEKUN",
            table="dibao",
            row=both["first_row"],
            column="program",
            value=both["records"],
            key=pd.Series(both.index, dtype="str"),
            detail=both["programs"] + ": " + both["records"],
        )
        same = agg[~agg.index.isin(both.index)]
        f.add(
            "M-ROSTER-DUP-ID",
            table="dibao",
            row=same["first_row"],
            column="id_number",
            value=same["records"],
            key=pd.Series(same.index, dtype="str"),
        )
        later = d["id_norm"].duplicated(keep="first")
        usable.loc[later[later].index] = False
    return usable


def _pairs_frame(links: pd.DataFrame, ros: pd.DataFrame, per: pd.DataFrame, review_at: float) -> pd.DataFrame:
    r = ros[["record_id", "name", "id_raw", "program"]].take(links["_r"].to_numpy()).reset_index(drop=True)
    p = (
        per[["household_id", "id_norm", "id_raw", "name", "village_code"]]
        .take(links["_p"].to_numpy())
        .reset_index(drop=True)
    )
    idn = p["id_norm"].where(p["id_norm"].notna(), p["id_raw"])
    score = links["score"].to_numpy(dtype=float).round(4)
    out = pd.DataFrame(
        {
            "record_id": r["record_id"].astype("str"),
            "household_id": p["household_id"].astype("str"),
            "id_number": idn.astype("str"),
            "method": links["method"].astype("str").to_numpy(),
            "score": score,
            "review": score < review_at,
            "roster_name": r["name"].astype("str"),
            "register_name": p["name"].astype("str"),
            "roster_id_number": r["id_raw"].astype("str"),
            "village_code": p["village_code"].astype("str"),
            "program": r["program"].astype("str"),
        }
    )
    return out.sort_values(["record_id", "household_id", "id_number"], kind="stable").reset_index(drop=True)


def _review_frame(links: pd.DataFrame, ros: pd.DataFrame, per: pd.DataFrame, review_at: float) -> pd.DataFrame:
    low = links[links["score"] < review_at]
    r = (
        ros[["record_id", "name", "id_raw", "village_name", "village_code", "relation", "program"]]
        .take(low["_r"].to_numpy())
        .reset_index(drop=True)
    )
    p = (
        per[["household_id", "name", "id_norm", "id_raw", "village_code", "relation", "category"]]
        .take(low["_p"].to_numpy())
        .reset_index(drop=True)
    )
    out = pd.DataFrame(
        {
            "record_id": r["record_id"].astype("str"),
            "roster_name": r["name"].astype("str"),
            "roster_id_number": r["id_raw"].astype("str"),
            "roster_village": r["village_name"].where(r["village_name"].notna(), r["village_code"]).astype("str"),
            "roster_relation": r["relation"].astype("str"),
            "program": r["program"].astype("str"),
            "household_id": p["household_id"].astype("str"),
            "register_name": p["name"].astype("str"),
            "id_number": p["id_norm"].where(p["id_norm"].notna(), p["id_raw"]).astype("str"),
            "register_village": p["village_code"].astype("str"),
            "register_relation": p["relation"].astype("str"),
            "category": p["category"].astype("str"),
            "method": low["method"].astype("str").to_numpy(),
            "score": low["score"].to_numpy(dtype=float).round(4),
            "decision": pd.Series([pd.NA] * len(low), dtype="str"),
        }
    )
    return out.sort_values(["score", "record_id"], kind="stable").reset_index(drop=True)


def _conflict_findings(f: Findings, lost: pd.DataFrame, ros: pd.DataFrame, per: pd.DataFrame) -> None:
    if lost.empty:
        return
    r = ros[["d_row", "record_id"]].take(lost["_r"].to_numpy().astype(np.int64)).reset_index(drop=True)
    p = per[checks.PERSON_TEXT_COLUMNS].take(lost["_p"].to_numpy().astype(np.int64)).reset_index(drop=True)
    w = ros[["record_id"]].take(lost["winner_r"].to_numpy().astype(np.int64)).reset_index(drop=True)
    detail = (
        "保留 "
        + w["record_id"].astype("str")
        + " ("
        + lost["winner_score"].round(3).astype(str).to_numpy()
        + ") 而非本记录 ("
        + lost["score"].round(3).astype(str).to_numpy()
        + ")"
    )
    f.add(
        "M-LINK-CONFLICT",
        table="dibao",
        row=r["d_row"],
        column="id_number",
        value=checks.person_text(p),
        key=r["record_id"],
        detail=detail,
    )


def _tables(frames: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    missing = [n for n in ("households", "members", "dibao") if n not in frames or frames[n] is None]
    if missing:
        raise InputError(
            t(
                f"比对需要的表缺失: {', '.join(missing)}",
                f"tables needed for matching are missing: {', '.join(missing)}",
            ),
            t(
                "低保名册放在年度文件夹中, 文件名 dibao.csv 或 低保.xlsx",
                "put the roster in the year folder as dibao.csv or 低保.xlsx",
            ),
        )
    for name, cols in (
        ("households", ("household_id",)),
        ("members", ("household_id", "name")),
        ("dibao", ("record_id", "name")),
    ):
        absent = [c for c in cols if c not in frames[name].columns]
        if absent:
            raise InputError(
                t(f"表 {name} 缺少列 {', '.join(absent)}", f"table {name} lacks column(s) {', '.join(absent)}"),
                t("请先运行 jingzhun validate 检查表头", "run jingzhun validate to check the headers"),
            )
    return frames["households"], frames["members"], frames["dibao"], frames.get("villages")


def match(
    frames: dict[str, pd.DataFrame],
    params: Params,
    data_year: int,
    decisions: pd.DataFrame | None = None,
) -> MatchResult:
    """Link roster rows to register persons, one-to-one, and report the mismatches."""
    households, members, dibao, villages = _tables(frames)
    th = thresholds(params)
    f = Findings()
    max_name = int(params.settings.match.name_max_length)
    # The two sides are prepared at once: their ID, date and name kernels release the GIL.
    with ThreadExecutor(2) as pool:
        roster_side = pool.submit(_roster_side, dibao, households, villages, data_year, max_name)
        per = prepare.persons(households, members, max_name)
        ros = roster_side.result()
    _long_name_findings(f, per, ros, max_name)
    usable = _roster_input_findings(f, dibao, ros)

    accepted: list[pd.DataFrame] = []
    manual, forbidden = apply_decisions(f, decisions, ros[usable], per)
    if not manual.empty:
        accepted.append(manual)
    r_free = usable.to_numpy(dtype=bool).copy()
    p_free = np.ones(len(per), dtype=bool)
    r_free[manual["_r"].to_numpy()] = False
    p_free[manual["_p"].to_numpy()] = False

    lros, lper = link.link_frames(ros, per)
    pf_cols = ["_p", "code17", "v_code", "py_code", "loose_code", "birth_code"]
    passes = [
        lambda rf, pf: link.pass_id_exact(rf, pf, lros, lper),
        lambda rf, pf: link.pass_id_normalized(rf, pf, lros, lper),
        lambda rf, pf: pd.concat(
            [link.pass_id_fuzzy_edit(rf, pf, lros, lper, th), link.pass_id_fuzzy_excel(rf, pf, lros, lper, th)],
            ignore_index=True,
        ),
        lambda rf, pf: link.pass_name_village(rf, pf, lros, lper, th),
    ]
    current = per["current"].to_numpy(dtype=bool)
    person = link.person_keys(lper)
    for run_pass in passes:
        if not r_free.any():
            break
        cands = run_pass(lros[r_free], lper[pf_cols][p_free])
        if not forbidden.empty and not cands.empty:
            key = cands[["_r", "_p"]].merge(forbidden.assign(_x=True), on=["_r", "_p"], how="left")["_x"]
            cands = cands[key.isna().to_numpy()]
        acc, lost = link.resolve(cands, current, person)
        _conflict_findings(f, lost, ros, per)
        if acc.empty:
            continue
        accepted.append(acc[link.CAND_COLUMNS])
        r_free[acc["_r"].to_numpy()] = False
        p_free[acc["_p"].to_numpy()] = False

    links = pd.concat(accepted, ignore_index=True) if accepted else link.empty_candidates()
    links = links.sort_values("_r", kind="stable").reset_index(drop=True)

    id_methods = links["method"].isin(["id_exact", "id_normalized"])
    differs = links[id_methods & (links["name_sim"] < th.name_confirm)]
    if not differs.empty:
        r = ros[checks.ROSTER_TEXT_COLUMNS + ["d_row"]].take(differs["_r"].to_numpy()).reset_index(drop=True)
        p = per[checks.PERSON_TEXT_COLUMNS].take(differs["_p"].to_numpy()).reset_index(drop=True)
        f.add(
            "M-ID-NAME-DIFFERS",
            table="dibao",
            row=r["d_row"],
            column="name",
            value=r["name"],
            key=r["record_id"],
            detail=checks.roster_text(r) + " / " + checks.person_text(p),
        )

    unlinked = ros[usable.to_numpy(dtype=bool) & r_free]
    lf = checks.linked_frame(links, ros, per)
    checks.check_all(f, lf, ros, per, households, unlinked, params, data_year)

    pairs = _pairs_frame(links, ros, per, th.review)
    review = _review_frame(links, ros, per, th.review)
    summary = _summary(pairs, f, ros, per, usable, dibao, data_year, th)
    return MatchResult(pairs=pairs, findings=f, summary=summary, review=review)


def _roster_side(
    dibao: pd.DataFrame, households: pd.DataFrame, villages: pd.DataFrame | None, data_year: int, max_name: int
) -> pd.DataFrame:
    lookup = prepare.village_lookup(households, villages)
    return prepare.roster(dibao, lookup, today=pd.Timestamp(data_year, 12, 31), max_name=max_name)


def _summary(
    pairs: pd.DataFrame,
    f: Findings,
    ros: pd.DataFrame,
    per: pd.DataFrame,
    usable: pd.Series,
    dibao: pd.DataFrame,
    data_year: int,
    th: link.Thresholds,
) -> dict[str, Any]:
    by_method = {m: int((pairs["method"] == m).sum()) for m in METHODS}
    codes = f.frame()["code"].value_counts()
    return {
        "data_year": data_year,
        "income_year": data_year - 1,
        "roster_rows": len(ros),
        "roster_rows_linkable": int(usable.sum()),
        "register_persons": len(per),
        "linked": len(pairs),
        "unlinked": int(usable.sum()) - len(pairs),
        "by_method": by_method,
        "review": int(pairs["review"].sum()),
        "review_threshold": th.review,
        "roster_has_id_column": provided(dibao, "id_number"),
        "roster_id_status": {k: int(v) for k, v in ros["id_status"].value_counts().sort_index().items()},
        "findings": {str(k): int(v) for k, v in sorted(codes.items())},
    }
