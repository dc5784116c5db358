"""The fund and project audit: one pure function from typed frames to findings.

``audit(frames, params, data_year)`` runs every check over the ``projects`` and
``payments`` tables against the register and returns an :class:`AuditResult`; the
report model (``jingzhun.audit.report``) and the renderers work from that result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from jingzhun.audit import payee_checks as pc
from jingzhun.audit import project_checks as jc
from jingzhun.audit.parts import PART_COLUMNS, collect, date_text, part
from jingzhun.audit.register import Register, build_register
from jingzhun.findings import BASE_COLUMNS, SEVERITY_RANK, Findings, render_frame
from jingzhun.funds.ledger import Ledger, build_ledger
from jingzhun.parallel import fork_map
from jingzhun.params import Params

AUDIT_PARAMS = (
    "audit.contract_threshold",
    "audit.contract_exempt_categories",
    "audit.idle_share",
    "audit.idle_days",
    "audit.equal_split_tolerance",
    "audit.equal_split_min_households",
    "audit.equal_split_categories",
    "audit.shared_account_min_households",
    "audit.kin_sources",
    "audit.recurring_measures",
    "audit.nonregistered_measures",
    "audit.negative_list",
    "audit.negative_list_allow",
    "notice_days.projects",
    "audit.outlier_factor",
    "audit.outlier_min_households",
)


def default_as_of(data_year: int) -> pd.Timestamp:
    """The audit date when none is given: 31 December of the data year (never the clock)."""
    return pd.Timestamp(year=data_year, month=12, day=31)


@dataclass
class AuditResult:
    findings: pd.DataFrame  # PART_COLUMNS: contract §3 stored fields + amount + township_code
    ledger: Ledger
    projects: pd.DataFrame  # prepared projects with paid totals
    payments: pd.DataFrame  # prepared payments with the resolved household
    register: Register
    data_year: int
    as_of: pd.Timestamp
    parameters: list[dict] = field(default_factory=list)

    def rendered(self, lang: str | None = None) -> pd.DataFrame:
        """Findings with severity, message and basis (contract §3) plus amount and township."""
        f = self.findings
        if f.empty:
            out = render_frame(f[BASE_COLUMNS], lang)
            out["amount"] = pd.Series(dtype="Float64")
            out["township_code"] = pd.Series(dtype="str")
            return out
        # Pre-sort with render_frame's own keys: its stable sort then keeps this order,
        # so the extra columns line up with the rendered rows.
        from jingzhun.catalogue import CATALOGUE

        rank = {c: SEVERITY_RANK[CATALOGUE[c].severity] for c in f["code"].unique()}  # per code, not per row
        s = f.assign(_rank=f["code"].map(rank))
        s = s.sort_values(
            ["_rank", "code", "table", "row", "column", "key", "value"], na_position="first", kind="stable"
        ).reset_index(drop=True)
        out = render_frame(s[BASE_COLUMNS], lang)
        out["amount"] = s["amount"].to_numpy()
        out["township_code"] = s["township_code"].to_numpy()
        return out

    def to_findings(self) -> Findings:
        """The findings as a :class:`Findings` collector (for ``jingzhun run``)."""
        out = Findings()
        for code, g in self.findings.groupby("code", sort=True):
            out.add(
                str(code),
                table=g["table"],
                row=g["row"],
                column=g["column"],
                value=g["value"],
                key=g["key"],
                detail=g["detail"],
            )
        return out


def _ledger_checks(p: pd.DataFrame, j: pd.DataFrame, as_of: pd.Timestamp) -> list[pd.DataFrame]:
    f = p[~p["amount_ok"]]
    out = [part("A-AMOUNT-UNPARSED", f, table="payments", key="payment_id", column="amount", value=f["amount_raw"])]
    f = p[p["amount_ok"] & (p["amount"] <= 0).fillna(False).astype(bool)]
    out.append(
        part(
            "A-AMOUNT-NONPOSITIVE",
            f,
            table="payments",
            key="payment_id",
            column="amount",
            value=f["amount_raw"],
            amount=f["amount"].abs(),
        )
    )
    f = p[p["pay_date"].isna()]
    out.append(part("A-PAY-DATE-MISSING", f, table="payments", key="payment_id", column="pay_date", amount=f["amount"]))
    day = date_text(pd.Series([as_of])).iloc[0]
    f = p[(p["pay_date"] > as_of).fillna(False).astype(bool)]
    out.append(
        part(
            "A-FUTURE-DATE",
            f,
            table="payments",
            key="payment_id",
            column="pay_date",
            value=date_text(f["pay_date"]),
            detail=day,
            amount=f["amount"],
        )
    )
    for col in ("approved_date", "publicity_start", "start_date", "completion_date", "acceptance_date"):
        f = j[(j[col] > as_of).fillna(False).astype(bool)]
        out.append(
            part(
                "A-FUTURE-DATE", f, table="projects", key="project_id", column=col, value=date_text(f[col]), detail=day
            )
        )
    return out


def _without_double_flags(f: pd.DataFrame) -> pd.DataFrame:
    """A payment over its cap (A-OVER-CAP, an error) is not flagged again as an outlier."""
    capped = f.loc[f["code"] == "A-OVER-CAP", "key"]
    drop = (f["code"] == "A-AMOUNT-OUTLIER") & f["key"].isin(capped)
    return f[~drop.to_numpy(dtype=bool)].reset_index(drop=True) if drop.any() else f


def _run_checks(
    indices: list[int], *, calls: list[Callable[[], list[pd.DataFrame]]]
) -> list[tuple[int, list[pd.DataFrame]]]:
    return [(i, calls[i]()) for i in indices]


def audit(
    frames: dict[str, pd.DataFrame],
    params: Params,
    data_year: int,
    as_of: pd.Timestamp | None = None,
    eligibility: pd.DataFrame | None = None,
    ledger: Ledger | None = None,
    jobs: int | None = None,
) -> AuditResult:
    """Audit one data year's projects and payments against its register.

    ``frames``: typed frames by table name (``projects``, ``payments``, ``households``,
    ``members``, ``crosscheck``; any may be absent). ``eligibility``: the identification
    result per household (``household_id``, ``result``); ``excluded`` households are not
    eligible. ``as_of``: the audit date (default 31 December of ``data_year``). ``ledger``: the
    :func:`~jingzhun.funds.ledger.build_ledger` of these frames when the caller has made it.
    The checks run in two forked processes unless ``jobs`` is 1 (the same findings).
    """
    as_of = pd.Timestamp(as_of) if as_of is not None else default_as_of(data_year)
    g = params.get
    if ledger is None:
        ledger = build_ledger(frames.get("projects"), frames.get("payments"), frames.get("households"))
    reg = build_register(
        frames.get("households"),
        frames.get("members"),
        frames.get("crosscheck"),
        eligibility,
        list(g("audit.kin_sources")),
    )
    pay = pc.enrich(ledger.payments, reg)
    proj = jc.project_totals(ledger.projects, pay, as_of)

    calls: list[Callable[[], list[pd.DataFrame]]] = [
        lambda: _ledger_checks(pay, proj, as_of),
        lambda: [pc.not_registered(pay)],
        lambda: [pc.not_member(pay)],
        lambda: [pc.ineligible(pay, list(g("audit.nonregistered_measures")))],
        lambda: [pc.duplicates(pay, list(g("audit.recurring_measures")))],
        lambda: [pc.shared_accounts(pay, int(g("audit.shared_account_min_households")))],
        lambda: [pc.over_cap(pay, params.table("subsidy_caps"))],
        lambda: [pc.kin_of_cadre(pay)],
        lambda: [pc.after_death(pay, reg)],
        lambda: [jc.unknown_project(pay)],
        lambda: [jc.no_project(pay)],
        lambda: [jc.acceptance(pay)],
        lambda: [jc.contracts(proj, float(g("audit.contract_threshold")), list(g("audit.contract_exempt_categories")))],
        lambda: [jc.idle(proj, as_of, float(g("audit.idle_share")), int(g("audit.idle_days")))],
        lambda: [
            jc.equal_split(
                pay,
                proj,
                list(g("audit.equal_split_categories")),
                int(g("audit.equal_split_min_households")),
                float(g("audit.equal_split_tolerance")),
            )
        ],
        lambda: jc.approval(pay),
        lambda: jc.publicity(proj, int(g("notice_days.projects"))),
        lambda: jc.budgets(proj),
        lambda: jc.negative_list(pay, proj, list(g("audit.negative_list")), list(g("audit.negative_list_allow"))),
        lambda: [pc.outliers(pay, float(g("audit.outlier_factor")), int(g("audit.outlier_min_households")))],
        lambda: [pc.accounts_across_counties(pay)],  # last: the heavy indices below stay as they are
    ]
    # Two forked processes share the checks (about equal time: the duplicate and shared-account
    # checks beside the rest); the parts are put back in this order, so the result is the same.
    heavy = [4, 5, 9, 10, 11, 15, 18]
    groups = [[i for i in range(len(calls)) if i not in heavy], heavy]
    done = dict(x for part in fork_map(_run_checks, groups, 1 if jobs == 1 else 2, calls=calls) for x in part)
    parts = [p for i in range(len(calls)) for p in done[i]]
    findings = _without_double_flags(collect(parts)[PART_COLUMNS])
    used = [r for r in params.records() if r["name"] in AUDIT_PARAMS or r["name"].startswith("subsidy_caps.")]
    return AuditResult(
        findings=findings,
        ledger=ledger,
        projects=proj,
        payments=pay,
        register=reg,
        data_year=data_year,
        as_of=as_of,
        parameters=used,
    )
