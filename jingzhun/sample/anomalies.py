"""Audit anomalies injected into a generated year's projects and payments, with truth.

``inject(frames, rng, rate)`` returns changed copies of the generator's frames and a
truth frame (``kind``, ``payment_id``, ``project_id``, ``expected_code``): each row is a
record the audit should flag with that code. Targets are disjoint (one household or one
project per anomaly) and taken from households without crosscheck hits, so the injected
anomalies do not blur into each other or into the generator's own defects. Per kind,
``rate`` is the share of household payments (payee kinds) or of projects (project kinds)
touched, at least one when there is a candidate. Vectorised: no loop over data rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from jingzhun import ids
from jingzhun.params import Params


def _isin(values: np.ndarray, members: np.ndarray) -> np.ndarray:
    """``np.isin`` by hash table: numpy compares object arrays (IDs) pairwise or by sorting
    with Python comparisons, minutes at province scale."""
    return (
        pd.Series(np.asarray(values, dtype=object), dtype=object)
        .isin(pd.Series(np.asarray(members, dtype=object), dtype=object))
        .to_numpy(dtype=bool)
    )


PAYEE_KINDS = {
    "not_registered": "A-PAYEE-NOT-REGISTERED",
    "ineligible": "A-PAYEE-INELIGIBLE",
    "duplicate": "A-DUPLICATE-PAYMENT",
    "duplicate_account": "A-DUPLICATE-PAYMENT",
    "duplicate_recurring": "A-DUPLICATE-PAYMENT",
    "outlier": "A-AMOUNT-OUTLIER",
    "shared_account": "A-SHARED-ACCOUNT",
    "over_cap": "A-OVER-CAP",
    "kin_of_cadre": "A-KIN-OF-CADRE",
    "after_death": "A-PAID-AFTER-DEATH",
    "future_date": "A-FUTURE-DATE",
    "amount_text": "A-AMOUNT-UNPARSED",
    "amount_nonpositive": "A-AMOUNT-NONPOSITIVE",
}
PROJECT_KINDS = {
    "unapproved": "A-PROJECT-UNAPPROVED",
    "before_approval": "A-PAID-BEFORE-APPROVAL",
    "no_contract": "A-NO-CONTRACT",
    "not_publicised": "A-NOT-PUBLICISED",
    "publicity_short": "A-PUBLICITY-SHORT",
    "before_acceptance": "A-PAID-BEFORE-ACCEPTANCE",
    "over_budget": "A-OVER-BUDGET",
    "idle": "A-IDLE-FUNDS",
    "negative_list": "A-NEGATIVE-LIST",
    "negative_list_paraphrase": "A-NEGATIVE-LIST",
    "unknown_project": "A-UNKNOWN-PROJECT",
    "zero_budget": "A-BUDGET-INVALID",
    "equal_split": "A-EQUAL-SPLIT",
}
MISUSE = np.array(
    ["乡镇办公经费", "扶贫办公车辆维修费", "扶贫工作接待费", "驻村干部津贴", "偿还村级债务", "城市景观绿化工程款"],
    dtype=object,
)
# The same items as audit findings phrase them, which no literal keyword of the default list names.
MISUSE_PARAPHRASED = np.array(
    [
        "弥补镇财政支出缺口",
        "用于乡镇日常运转",
        "归还村级历史欠款",
        "驻村工作队员误工补贴",
        "购置工作用车",
        "移民新村标志牌楼建设",
        "公务餐费",
        "粉刷公路沿线居民院墙",
    ],
    dtype=object,
)
BAD_AMOUNTS = np.array(["壹仟元", "待定", "1,2OO", "见附件"], dtype=object)
TRUTH_COLUMNS = ["kind", "payment_id", "project_id", "expected_code"]


def _days(rng: np.random.Generator, n: int, lo: int, hi: int) -> pd.TimedeltaIndex:
    return pd.to_timedelta(rng.integers(lo, hi, n), unit="D")


def _truth(kind: str, code: str, payment_ids: Iterable[str] = (), project_ids: Iterable[str] = ()) -> pd.DataFrame:
    p, j = list(payment_ids), list(project_ids)
    return pd.DataFrame(
        {"kind": kind, "payment_id": p + [""] * len(j), "project_id": [""] * len(p) + j, "expected_code": code},
        columns=TRUTH_COLUMNS,
    )


class _Pool:
    """Targets handed out once: households (payee kinds) or projects (project kinds)."""

    def __init__(self, ids_in_order: np.ndarray) -> None:
        self.ids = ids_in_order
        self.used = np.zeros(len(ids_in_order), dtype=bool)

    def take(self, n: int, ok: np.ndarray | None = None) -> np.ndarray:
        cand = ~self.used if ok is None else (~self.used & ok)
        idx = np.flatnonzero(cand)[:n]
        self.used[idx] = True
        return self.ids[idx]


def inject(
    frames: dict[str, pd.DataFrame], rng: np.random.Generator, rate: float, params: Params | None = None
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    params = params or Params.load()
    out = dict(frames)
    pay = frames["payments"].copy().reset_index(drop=True)
    proj = frames["projects"].copy().reset_index(drop=True)
    hh = frames["households"]
    mem = frames["members"].copy()
    cc = frames.get("crosscheck", pd.DataFrame(columns=["id_number", "name", "source", "detail"])).copy()
    year = int(pd.Series(pay["pay_date"]).dt.year.median())
    end = pd.Timestamp(year=year, month=12, day=31)
    truths: list[pd.DataFrame] = []
    new_rows: list[pd.DataFrame] = []
    seq = iter(range(9_000_000, 10_000_000))

    def late(n: int) -> pd.DatetimeIndex:
        """Late in December: a repeat is always the later payment of its pair."""
        return end - _days(rng, n, 1, 6)

    def new_ids(n: int) -> np.ndarray:
        return np.array([f"PZ{year}{next(seq)}" for _ in range(n)], dtype=object)

    recurring = set(params.settings.audit.recurring_measures)
    caps = {k: float(v) for k, v in params.settings.subsidy_caps.items()}

    # ---- the household pool --------------------------------------------------------------
    hit_hh = set(mem.loc[mem["id_number"].isin(set(cc["id_number"])), "household_id"])
    clean = hh[
        hh["registered"].astype(bool)
        & (hh["status"] != "已脱贫(不再享受政策)")
        & ~hh["household_id"].isin(hit_hh)
        & (hh["bank_account"].astype("str") != "")
    ]
    is_hp = (pay["household_id"] != "") & (pay["project_id"] == "") & pay["household_id"].isin(clean["household_id"])
    hp = pay[is_hp].sort_values(["pay_date", "payment_id"], kind="stable")
    first = hp.groupby("household_id").head(1).set_index("household_id")
    n_pay = hp.groupby("household_id").size()
    first_once = hp[~hp["measure"].isin(recurring)].groupby("household_id").head(1).set_index("household_id")
    first_cap = hp[hp["measure"].isin(caps)].groupby("household_id").head(1).set_index("household_id")
    once = hp["stage"] == "一次性"
    first_rec = hp[hp["measure"].isin(recurring) & once].groupby("household_id").head(1).set_index("household_id")
    # uncapped measures with enough payments for a typical range (A-AMOUNT-OUTLIER)
    per_measure = hp.groupby("measure").agg(households=("household_id", "nunique"), median=("amount", "median"))
    uncapped = per_measure[
        ~per_measure.index.isin(list(caps))
        & (per_measure["households"] >= int(params.settings.audit.outlier_min_households))
    ]
    first_unc = hp[hp["measure"].isin(uncapped.index)].groupby("household_id").head(1).set_index("household_id")
    order = rng.permutation(np.sort(hp["household_id"].unique()))
    pool = _Pool(order)
    k_pay = max(1, round(rate * int(is_hp.sum()))) if is_hp.any() else 0
    heads = hh.set_index("household_id")
    village = heads["village_code"]

    def rows_of(hids: np.ndarray, table: pd.DataFrame = first) -> pd.Index:
        return pay.index[pay["payment_id"].isin(table.loc[hids, "payment_id"])]

    # not registered: a household number and ID that are nowhere in the register
    hids = pool.take(k_pay)
    r = rows_of(hids)
    pay.loc[r, "household_id"] = pay.loc[r, "household_id"].astype("str") + "9"
    pay.loc[r, "payee_id_number"] = ids.compose(
        np.full(len(r), "421121"),
        rng.integers(19500101, 19801228, len(r)) // 100 * 100 + 1 + rng.integers(0, 27, len(r)),
        rng.integers(900, 999, len(r)),
    )
    truths.append(_truth("not_registered", PAYEE_KINDS["not_registered"], pay.loc[r, "payment_id"]))

    # ineligible: a payment moved to a non-registered household without crosscheck hits
    nonreg = hh[~hh["registered"].astype(bool) & ~hh["household_id"].isin(hit_hh) & (hh["head_id_number"] != "")]
    nonreg = nonreg.iloc[rng.permutation(len(nonreg))]
    hids = pool.take(min(k_pay, len(nonreg)))
    r = rows_of(hids)
    tgt = nonreg.iloc[: len(r)]
    pay.loc[r, "household_id"] = tgt["household_id"].to_numpy()
    pay.loc[r, "payee_name"] = tgt["head_name"].to_numpy()
    pay.loc[r, "payee_id_number"] = tgt["head_id_number"].to_numpy()
    pay.loc[r, "bank_account"] = tgt["bank_account"].to_numpy()
    pay.loc[r, "measure"] = "产业扶贫"
    pay.loc[r, "purpose"] = "产业扶贫补助"
    pay.loc[r, "amount"] = np.minimum(pay.loc[r, "amount"].astype(float).to_numpy(), 2000.0)
    truths.append(_truth("ineligible", PAYEE_KINDS["ineligible"], pay.loc[r, "payment_id"]))

    # duplicate: the same subsidy paid again later in the year
    has_once = _isin(order, first_once.index.to_numpy())
    hids = pool.take(k_pay, has_once)
    src = pay.loc[rows_of(hids, first_once)].copy()
    src["payment_id"] = new_ids(len(src))
    src["pay_date"] = late(len(src))
    new_rows.append(src)
    truths.append(_truth("duplicate", PAYEE_KINDS["duplicate"], src["payment_id"]))

    # duplicate via one account: the subsidy booked again to another household, into the first one's account
    two = _isin(order, n_pay[n_pay >= 2].index.to_numpy()) & has_once
    a_ids = pool.take(k_pay, two)
    b_ids = pool.take(len(a_ids))
    a_ids = a_ids[: len(b_ids)]
    src = pay.loc[rows_of(a_ids, first_once)].copy()
    src["payment_id"] = new_ids(len(src))
    src["household_id"] = b_ids
    src["payee_name"] = heads.loc[b_ids, "head_name"].to_numpy()
    src["payee_id_number"] = heads.loc[b_ids, "head_id_number"].to_numpy()
    src["pay_date"] = late(len(src))
    new_rows.append(src)
    truths.append(_truth("duplicate_account", PAYEE_KINDS["duplicate_account"], src["payment_id"]))
    # the account now also serves two families: a shared-account finding on the same record
    truths.append(_truth("duplicate_account", "A-SHARED-ACCOUNT", src["payment_id"]))

    # shared account: payments of two other families paid into one household's account
    a_ids = pool.take(k_pay, _isin(order, n_pay[n_pay >= 2].index.to_numpy()))
    b_ids = pool.take(2 * len(a_ids), ~_isin(village.reindex(order).to_numpy(), village.loc[a_ids].to_numpy()))
    a_ids = a_ids[: len(b_ids) // 2]
    b_ids = b_ids[: 2 * len(a_ids)]
    r = rows_of(b_ids)
    acct_of = pd.Series(heads.loc[np.repeat(a_ids, 2), "bank_account"].to_numpy(), index=b_ids)
    pay.loc[r, "bank_account"] = pay.loc[r, "household_id"].map(acct_of).to_numpy()
    # where the moved payment repeats a measure of the account's household, it is the later one
    a_of = pd.Series(np.repeat(a_ids, 2), index=b_ids)
    in_a = pay["household_id"].isin(a_ids)
    a_meas = pay.loc[in_a, "household_id"].astype("str") + "|" + pay.loc[in_a, "measure"].astype("str")
    moved = pay.loc[r, "household_id"].map(a_of).astype("str") + "|" + pay.loc[r, "measure"].astype("str")
    clash = moved.isin(a_meas).to_numpy()
    pay.loc[r[clash], "pay_date"] = late(int(clash.sum()))
    truths.append(_truth("shared_account", PAYEE_KINDS["shared_account"], pay.loc[r, "payment_id"]))

    # a recurring measure paid twice in the year, both marked 一次性 by the ledger
    hids = pool.take(k_pay, _isin(order, first_rec.index.to_numpy()))
    src = pay.loc[rows_of(hids, first_rec)].copy()
    src["payment_id"] = new_ids(len(src))
    src["pay_date"] = late(len(src))
    new_rows.append(src)
    truths.append(_truth("duplicate_recurring", PAYEE_KINDS["duplicate_recurring"], src["payment_id"]))

    # far above what an uncapped measure usually pays (60,000–80,000 元 of 健康扶贫 to one household)
    hids = pool.take(k_pay, _isin(order, first_unc.index.to_numpy()))
    r = rows_of(hids, first_unc)
    usual = pay.loc[r, "measure"].map(uncapped["median"]).to_numpy(dtype=float)
    factor = float(params.settings.audit.outlier_factor)
    pay.loc[r, "amount"] = np.round(np.maximum(rng.uniform(60_000, 80_000, len(r)), usual * factor * 3), -1)
    truths.append(_truth("outlier", PAYEE_KINDS["outlier"], pay.loc[r, "payment_id"]))

    # over the cap of its measure
    hids = pool.take(k_pay, _isin(order, first_cap.index.to_numpy()))
    r = rows_of(hids, first_cap)
    cap = pay.loc[r, "measure"].map(caps).to_numpy(dtype=float)
    pay.loc[r, "amount"] = np.round(cap * rng.uniform(1.2, 2.0, len(r)), -1)
    # the caps count per household, measure and year: that household's later payments of the
    # measure (monthly wages) are over the cap too
    key = pay["household_id"].astype("str") + "|" + pay["measure"].astype("str")
    since = pd.Series(pay.loc[r, "pay_date"].to_numpy(), index=key[r].to_numpy())
    if since.empty:  # a tiny sample: no household with a capped measure was picked
        later = pd.Series(False, index=pay.index)
    else:
        later = key.isin(since.index) & (pay["pay_date"] >= key.map(since)).fillna(False).astype(bool)
    truths.append(_truth("over_cap", PAYEE_KINDS["over_cap"], pay.loc[later, "payment_id"]))

    # 优亲厚友: a member of a paid household is a village cadre or on the public payroll
    hids = pool.take(k_pay)
    who = mem[mem["household_id"].isin(hids) & (mem["id_number"] != "")]
    who = who.assign(_head=who["relation"] == "户主").sort_values(["household_id", "_head"], kind="stable")
    who = who.groupby("household_id").head(1)
    src_label = np.where(rng.random(len(who)) < 0.6, "村干部", "财政供养")
    cc = pd.concat(
        [
            cc,
            pd.DataFrame(
                {
                    "id_number": who["id_number"].to_numpy(),
                    "name": who["name"].to_numpy(),
                    "source": src_label,
                    "detail": np.where(src_label == "村干部", "村民委员会委员", "县直单位在编人员"),
                }
            ),
        ],
        ignore_index=True,
    )
    paid = pay[pay["household_id"].isin(who["household_id"])]
    truths.append(_truth("kin_of_cadre", PAYEE_KINDS["kin_of_cadre"], paid["payment_id"]))

    # paid after the payee's death: the head died before the first payment
    hids = pool.take(k_pay)
    head_ids = heads.loc[hids, "head_id_number"]
    theirs = pay[pay["payee_id_number"].isin(head_ids) & pay["household_id"].isin(hids)]
    died = theirs.groupby("payee_id_number")["pay_date"].min()
    died = died - _days(rng, len(died), 5, 40)
    m = mem["id_number"].isin(died.index) & mem["household_id"].isin(hids)
    if m.any():  # mapping through an empty ``died`` fails in pandas (tiny datasets)
        mem.loc[m, "change_reason"] = "死亡"
        mem.loc[m, "change_date"] = mem.loc[m, "id_number"].map(died).to_numpy()
    truths.append(_truth("after_death", PAYEE_KINDS["after_death"], theirs["payment_id"]))

    # bad input: a date after the audit date, unreadable and non-positive amounts
    r = rows_of(pool.take(k_pay))
    pay.loc[r, "pay_date"] = end + _days(rng, len(r), 5, 120)
    truths.append(_truth("future_date", PAYEE_KINDS["future_date"], pay.loc[r, "payment_id"]))
    r_text = rows_of(pool.take(k_pay))
    r_neg = rows_of(pool.take(k_pay))
    pay.loc[r_neg, "amount"] = np.where(rng.random(len(r_neg)) < 0.5, 0.0, -pay.loc[r_neg, "amount"].astype(float))
    truths.append(_truth("amount_nonpositive", PAYEE_KINDS["amount_nonpositive"], pay.loc[r_neg, "payment_id"]))
    truths.append(_truth("amount_text", PAYEE_KINDS["amount_text"], pay.loc[r_text, "payment_id"]))

    # ---- projects ------------------------------------------------------------------------------
    pay, proj, more = _projects(pay, proj, hh, clean, pool, order, rng, rate, params, year, new_ids)
    truths.extend(more)
    if new_rows:
        pay = pd.concat([pay, *[x.astype(pay.dtypes.to_dict()) for x in new_rows]], ignore_index=True)
    if len(r_text):
        amount = pd.Series(np.char.mod("%.2f", pay["amount"].astype(float).to_numpy()), dtype=object)
        bad_ids = set(pay.loc[r_text, "payment_id"])
        bad = pay["payment_id"].isin(bad_ids).to_numpy()
        amount[bad] = BAD_AMOUNTS[rng.integers(0, len(BAD_AMOUNTS), int(bad.sum()))]
        pay["amount"] = amount.astype("str")
    pay = pay.sort_values(["pay_date", "payment_id"], kind="stable").reset_index(drop=True)
    out.update(payments=pay, projects=proj, members=mem, crosscheck=cc)
    truth = pd.concat(truths, ignore_index=True)
    truth = truth.sort_values(["kind", "expected_code", "payment_id", "project_id"], kind="stable").reset_index(
        drop=True
    )
    return out, truth


def _projects(
    pay: pd.DataFrame,
    proj: pd.DataFrame,
    hh: pd.DataFrame,
    clean: pd.DataFrame,
    pool: _Pool,
    order: np.ndarray,
    rng: np.random.Generator,
    rate: float,
    params: Params,
    year: int,
    new_ids: Callable[[int], np.ndarray],
) -> tuple[pd.DataFrame, pd.DataFrame, list[pd.DataFrame]]:
    end = pd.Timestamp(year=year, month=12, day=31)
    truths: list[pd.DataFrame] = []
    company = pay[(pay["project_id"] != "") & (pay["household_id"] == "")]
    stats = company.groupby("project_id").agg(
        first=("pay_date", "min"), n=("payment_id", "size"), paid=("amount", "sum")
    )
    cand = proj[proj["project_id"].isin(stats.index)]
    jorder = rng.permutation(np.sort(cand["project_id"].to_numpy()))
    jp = _Pool(jorder)
    k = max(1, round(rate * len(proj))) if len(cand) else 0
    J = proj.set_index("project_id")
    st = stats.reindex(jorder)
    has_final = _isin(jorder, company.loc[company["stage"] == "尾款", "project_id"].to_numpy())
    threshold = float(params.settings.audit.contract_threshold)

    def rows(pids: np.ndarray, frame: pd.DataFrame = company) -> pd.Index:
        return frame.index[frame["project_id"].isin(pids)]

    def jrows(pids: np.ndarray) -> pd.Index:
        return proj.index[proj["project_id"].isin(pids)]

    def add(kind: str, pids: Iterable[str] = (), payments: Iterable[str] = ()) -> None:
        truths.append(_truth(kind, PROJECT_KINDS[kind], payment_ids=payments, project_ids=pids))

    pids = jp.take(k)
    proj.loc[jrows(pids), "approved_date"] = pd.NaT
    add("unapproved", payments=pay.loc[rows(pids), "payment_id"])

    pids = jp.take(k, (st["first"] < end - pd.Timedelta(days=30)).to_numpy())
    approved = st.loc[pids, "first"] + _days(rng, len(pids), 1, 20)
    proj.loc[jrows(pids), "approved_date"] = proj.loc[jrows(pids), "project_id"].map(approved).to_numpy()
    early = company[company["project_id"].isin(pids)]
    early = early[early["pay_date"] < early["project_id"].map(approved)]
    add("before_approval", payments=early["payment_id"])

    exempt = list(params.settings.audit.contract_exempt_categories)
    pids = jp.take(k, ((J.loc[jorder, "contract_id"] != "") & ~J.loc[jorder, "category"].isin(exempt)).to_numpy())
    r = jrows(pids)
    proj.loc[r, "contract_id"] = ""
    proj.loc[r, "budget"] = np.maximum(proj.loc[r, "budget"].astype(float), threshold * 1.5)
    add("no_contract", pids=pids)

    pids = jp.take(k)
    proj.loc[jrows(pids), ["publicity_start", "publicity_end"]] = pd.NaT
    add("not_publicised", pids=pids)

    pids = jp.take(k)
    r = jrows(pids)
    first_event = pd.concat([proj.loc[r, "start_date"], proj.loc[r, "project_id"].map(st["first"])], axis=1).min(axis=1)
    short = _days(rng, len(r), 2, int(params.settings.notice_days.projects))
    proj.loc[r, "publicity_start"] = (first_event - short).to_numpy()
    proj.loc[r, "publicity_end"] = (first_event - pd.Timedelta(days=1)).to_numpy()
    add("publicity_short", pids=pids)

    pids = jp.take(k, has_final)
    finals = company[company["project_id"].isin(pids) & (company["stage"] == "尾款")]
    last = finals.groupby("project_id")["pay_date"].max()
    later = np.minimum(last + _days(rng, len(last), 3, 30), end)  # type: ignore[call-overload]  # Series ufunc
    blank = rng.random(len(last)) < 0.5
    acc = later.where(~blank)
    proj.loc[jrows(pids), "acceptance_date"] = proj.loc[jrows(pids), "project_id"].map(acc).to_numpy()
    add("before_acceptance", payments=finals["payment_id"])

    pids = jp.take(k)
    r = jrows(pids)
    proj.loc[r, "budget"] = np.round(
        proj.loc[r, "project_id"].map(st["paid"]).astype(float).to_numpy() * rng.uniform(0.5, 0.9, len(r)), -2
    )
    add("over_budget", pids=pids)

    pids = jp.take(k)
    r = jrows(pids)
    proj.loc[r, "approved_date"] = (
        pd.Timestamp(year=year - 1, month=12, day=31) - _days(rng, len(r), 10, 200)
    ).to_numpy()
    paid = proj.loc[r, "project_id"].map(st["paid"]).astype(float).to_numpy()
    proj.loc[r, "budget"] = np.maximum(
        proj.loc[r, "budget"].astype(float).to_numpy(), np.round(paid / rng.uniform(0.05, 0.25, len(r)), -2)
    )
    no_contract = (proj.loc[r, "contract_id"] == "").to_numpy()
    proj.loc[r[no_contract], "contract_id"] = "HT" + proj.loc[r[no_contract], "project_id"].astype("str")  # big now
    add("idle", pids=pids)

    pids = jp.take(k)
    r = rows(pids)
    pay.loc[r, "purpose"] = MISUSE[rng.integers(0, len(MISUSE), len(r))]
    add("negative_list", payments=pay.loc[r, "payment_id"])

    pids = jp.take(k)
    r = rows(pids)
    pay.loc[r, "purpose"] = MISUSE_PARAPHRASED[rng.integers(0, len(MISUSE_PARAPHRASED), len(r))]
    add("negative_list_paraphrase", payments=pay.loc[r, "payment_id"])

    pids = jp.take(k)
    r = rows(pids)
    pay.loc[r, "project_id"] = "XM" + pay.loc[r, "project_id"].astype("str").str.slice(2) + "9"
    add("unknown_project", payments=pay.loc[r, "payment_id"])

    pids = jp.take(k)
    proj.loc[jrows(pids), "budget"] = 0.0
    add("zero_budget", pids=pids)

    # 平均主义: an industry project pays the same sum to many households regardless of need
    n_hh = max(int(params.settings.audit.equal_split_min_households), 12)
    pids = jp.take(k)
    extra = []
    for pid in pids:  # one block per chosen project (a handful), each vectorised
        hids = pool.take(n_hh)
        if len(hids) < n_hh:
            break
        h = hh.set_index("household_id").loc[hids]
        j = proj.index[proj["project_id"] == pid]
        start = proj.loc[j, "start_date"].iloc[0]
        when = (start if pd.notna(start) else pd.Timestamp(year=year, month=6, day=1)) + pd.Timedelta(days=15)
        amount = 1000.0
        extra.append(
            pd.DataFrame(
                {
                    "payment_id": new_ids(n_hh),
                    "project_id": pid,
                    "household_id": hids,
                    "payee_name": h["head_name"].to_numpy(),
                    "payee_id_number": h["head_id_number"].to_numpy(),
                    "bank_account": h["bank_account"].to_numpy(),
                    "amount": amount,
                    "pay_date": min(when, end - pd.Timedelta(days=1)),
                    "measure": "",
                    "purpose": "产业发展奖补资金",
                    "stage": "一次性",
                }
            )
        )
        proj.loc[j, "category"] = "产业发展"
        proj.loc[j, "budget"] = proj.loc[j, "budget"].astype(float) + n_hh * amount
        add("equal_split", pids=[pid])
    if extra:
        pay = pd.concat([pay, *[e.astype(pay.dtypes.to_dict()) for e in extra]], ignore_index=True)
    return pay, proj, truths
