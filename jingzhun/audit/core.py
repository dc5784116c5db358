"""The fund and project audit: one pure function from typed frames to findings.

``audit(frames, params, data_year)`` runs every check over the ``projects`` and
``payments`` tables against the register and returns an :class:`AuditResult`; the
report model (``jingzhun.audit.report``) and the renderers work from that result.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from jingzhun.audit import payee_checks as pc
from jingzhun.audit import project_checks as jc
from jingzhun.audit.parts import PART_COLUMNS, collect, date_text, part
from jingzhun.audit.register import Register, build_register
from jingzhun.executors import SERIAL, Executor
from jingzhun.findings import BASE_COLUMNS, SEVERITY_RANK, Findings, render_frame
from jingzhun.funds.ledger import Ledger, build_ledger
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


@dataclass(frozen=True)
class CheckInputs:
    """What every check reads: the prepared payments and projects, the register, the audit date."""

    pay: pd.DataFrame
    proj: pd.DataFrame
    reg: Register
    as_of: pd.Timestamp
    params: Params


def _ledger(x: CheckInputs) -> list[pd.DataFrame]:
    return _ledger_checks(x.pay, x.proj, x.as_of)


def _not_registered(x: CheckInputs) -> list[pd.DataFrame]:
    return [pc.not_registered(x.pay)]


def _not_member(x: CheckInputs) -> list[pd.DataFrame]:
    return [pc.not_member(x.pay)]


def _ineligible(x: CheckInputs) -> list[pd.DataFrame]:
    return [pc.ineligible(x.pay, list(x.params.settings.audit.nonregistered_measures))]


def _duplicates(x: CheckInputs) -> list[pd.DataFrame]:
    return [pc.duplicates(x.pay, list(x.params.settings.audit.recurring_measures))]


def _shared_accounts(x: CheckInputs) -> list[pd.DataFrame]:
    return [pc.shared_accounts(x.pay, int(x.params.settings.audit.shared_account_min_households))]


def _over_cap(x: CheckInputs) -> list[pd.DataFrame]:
    return [pc.over_cap(x.pay, x.params.settings.subsidy_caps)]


def _kin_of_cadre(x: CheckInputs) -> list[pd.DataFrame]:
    return [pc.kin_of_cadre(x.pay)]


def _after_death(x: CheckInputs) -> list[pd.DataFrame]:
    return [pc.after_death(x.pay, x.reg)]


def _unknown_project(x: CheckInputs) -> list[pd.DataFrame]:
    return [jc.unknown_project(x.pay)]


def _no_project(x: CheckInputs) -> list[pd.DataFrame]:
    return [jc.no_project(x.pay)]


def _acceptance(x: CheckInputs) -> list[pd.DataFrame]:
    return [jc.acceptance(x.pay)]


def _contracts(x: CheckInputs) -> list[pd.DataFrame]:
    return [
        jc.contracts(
            x.proj,
            float(x.params.settings.audit.contract_threshold),
            list(x.params.settings.audit.contract_exempt_categories),
        )
    ]


def _idle(x: CheckInputs) -> list[pd.DataFrame]:
    return [jc.idle(x.proj, x.as_of, float(x.params.settings.audit.idle_share), int(x.params.settings.audit.idle_days))]


def _equal_split(x: CheckInputs) -> list[pd.DataFrame]:
    return [
        jc.equal_split(
            x.pay,
            x.proj,
            list(x.params.settings.audit.equal_split_categories),
            int(x.params.settings.audit.equal_split_min_households),
            float(x.params.settings.audit.equal_split_tolerance),
        )
    ]


def _approval(x: CheckInputs) -> list[pd.DataFrame]:
    return jc.approval(x.pay)


def _publicity(x: CheckInputs) -> list[pd.DataFrame]:
    return jc.publicity(x.proj, x.params.settings.notice_days.projects)


def _budgets(x: CheckInputs) -> list[pd.DataFrame]:
    return jc.budgets(x.proj)


def _negative_list(x: CheckInputs) -> list[pd.DataFrame]:
    return jc.negative_list(
        x.pay, x.proj, list(x.params.settings.audit.negative_list), list(x.params.settings.audit.negative_list_allow)
    )


def _outliers(x: CheckInputs) -> list[pd.DataFrame]:
    return [
        pc.outliers(
            x.pay, float(x.params.settings.audit.outlier_factor), int(x.params.settings.audit.outlier_min_households)
        )
    ]


def _accounts_across_counties(x: CheckInputs) -> list[pd.DataFrame]:
    return [pc.accounts_across_counties(x.pay)]


# Every check by name, in the order of the findings (module-level functions: units for an executor).
CHECKS: dict[str, Callable[[CheckInputs], list[pd.DataFrame]]] = {
    "ledger": _ledger,
    "not_registered": _not_registered,
    "not_member": _not_member,
    "ineligible": _ineligible,
    "duplicates": _duplicates,
    "shared_accounts": _shared_accounts,
    "over_cap": _over_cap,
    "kin_of_cadre": _kin_of_cadre,
    "after_death": _after_death,
    "unknown_project": _unknown_project,
    "no_project": _no_project,
    "acceptance": _acceptance,
    "contracts": _contracts,
    "idle": _idle,
    "equal_split": _equal_split,
    "approval": _approval,
    "publicity": _publicity,
    "budgets": _budgets,
    "negative_list": _negative_list,
    "outliers": _outliers,
    "accounts_across_counties": _accounts_across_counties,
}
# The checks that take about as long as all the others together: one unit of their own.
HEAVY = ("duplicates", "shared_accounts", "unknown_project", "no_project", "acceptance", "approval", "negative_list")


def _for_checks(reg: Register) -> Register:
    """The register as the checks read it (the deaths and kin; its households and members were
    joined to the payments by :func:`~jingzhun.audit.payee_checks.enrich`): a unit sent to a
    worker process does not carry a copy of every member row."""
    return dataclasses.replace(reg, households=reg.households.iloc[:0], members=reg.members.iloc[:0])


def _run_checks(names: list[str], *, inputs: CheckInputs) -> list[tuple[str, list[pd.DataFrame]]]:
    """One unit: the checks ``names`` (looked up by name, so the unit pickles as plain text)."""
    return [(name, CHECKS[name](inputs)) for name in names]


def audit(
    frames: dict[str, pd.DataFrame],
    params: Params,
    data_year: int,
    as_of: pd.Timestamp | None = None,
    eligibility: pd.DataFrame | None = None,
    ledger: Ledger | None = None,
    executor: Executor = SERIAL,
) -> AuditResult:
    """Audit one data year's projects and payments against its register.

    ``frames``: typed frames by table name (``projects``, ``payments``, ``households``,
    ``members``, ``crosscheck``; any may be absent). ``eligibility``: the identification
    result per household (``household_id``, ``result``); ``excluded`` households are not
    eligible. ``as_of``: the audit date (default 31 December of ``data_year``). ``ledger``: the
    :func:`~jingzhun.funds.ledger.build_ledger` of these frames when the caller has made it.
    The checks are two units for ``executor`` (:data:`HEAVY` and the rest; the same findings).
    """
    as_of = pd.Timestamp(as_of) if as_of is not None else default_as_of(data_year)
    if ledger is None:
        ledger = build_ledger(frames.get("projects"), frames.get("payments"), frames.get("households"))
    reg = build_register(
        frames.get("households"),
        frames.get("members"),
        frames.get("crosscheck"),
        eligibility,
        list(params.settings.audit.kin_sources),
    )
    pay = pc.enrich(ledger.payments, reg)
    proj = jc.project_totals(ledger.projects, pay, as_of)

    inputs = CheckInputs(pay, proj, _for_checks(reg), as_of, params)
    # Two units of about equal time (the duplicate and shared-account checks beside the rest);
    # the parts are put back in the order of CHECKS, so the result is the same wherever they ran.
    groups = [[name for name in CHECKS if name not in HEAVY], list(HEAVY)]
    done = dict(x for part in executor.map(functools.partial(_run_checks, inputs=inputs), groups) for x in part)
    parts = [p for name in CHECKS for p in done[name]]
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
