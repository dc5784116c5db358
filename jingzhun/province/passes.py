"""Global passes G1–G8 (scale-out design): rules across counties, over slim frames, in DuckDB.

A county task reads, validates and checks one county; it also returns a :class:`Slim`
(:func:`slim_frames`): the few columns of its rows that a rule across counties needs
(IDs, keys, accounts, amounts, cadre pairings, roster rows, member lists), each row with
its county, its row number (``_row``) and, when the store recorded it, its source file
(``_source_file``), so a finding still points at the user's own file and row.

On the driver, :func:`global_passes` joins the slims of every county in DuckDB:

G1  one person ID registered (current member) in two counties in one year
G2  members who moved between counties (current in both years, another household in
    another county): the whole-folder diff's ``moved``, which a county diff sees as
    ``removed`` in one county and ``added`` in the other
G3  roster rows with no village code: matched by ID across the province, then by name
    within the counties that have a village of the roster row's village name
G4  roster duplicates across counties (the same person, the same record)
G5  one payee paid twice for one measure and year in two counties; one account paid for
    households of several counties
G6  key uniqueness across partitions (household_id, member id_number, payment_id)
G7  roll-ups: sums of counts, and rates computed from the sums (never averages of ratios)
G8  cadres over their pairing cap once their households in every county are counted

Every query orders its result, so the findings and tables do not depend on the order in
which county tasks finished. ``duckdb`` (the ``dask`` extra) is imported when the passes run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jingzhun.audit.payee_checks import ONCE_STAGES_EXCLUDED, pay_period
from jingzhun.findings import BASE_COLUMNS, Findings
from jingzhun.funds.ledger import prepare_payments
from jingzhun.identify.classify import register_state
from jingzhun.identify.members import current_mask, normalized_ids
from jingzhun.match import names
from jingzhun.match.prepare import village_key
from jingzhun.params import Params
from jingzhun.plan.core import EXITED_FOR_GOOD
from jingzhun.plan.pairing import cadre_caps
from jingzhun.schema.run import row_numbers

if TYPE_CHECKING:
    import duckdb

# The column a store writes with each row's source file (the row number is ``_row``).
SOURCE_FILE = "_source_file"
FINDING_COLUMNS = [*BASE_COLUMNS, "county", "pass"]
PASSES = ("G1", "G2", "G3", "G4", "G5", "G6", "G7", "G8")


_MEMBERS = ["county", "_row", SOURCE_FILE, "household_id", "id_number", "name", "name_key", "relation", "current"]
_MEMBERS += ["change_reason"]
_HOUSEHOLDS = ["county", "_row", SOURCE_FILE, "household_id", "village_code", "registered", "exited", "in_plan"]
_HOUSEHOLDS += ["cadre_id"]
_PAYMENTS = ["county", "_row", SOURCE_FILE, "payment_id", "household_id", "payee_id", "payee_name", "account"]
_PAYMENTS += ["bank_account", "amount", "measure", "stage", "pay_date", "pay_year", "period", "family_key"]
_PAYMENTS += ["project_id"]
_ROSTER = ["county", "_row", SOURCE_FILE, "record_id", "id_number", "name", "name_key", "village_code"]
_ROSTER += ["village_name", "village_key", "program"]
_CADRES = ["county", "_row", SOURCE_FILE, "cadre_id", "rank", "max_households", "township_code"]
_VILLAGES = ["county", "village_code", "village_name", "village_key", "agricultural_population"]
COUNTS = ["households", "registered", "poor_households", "exited", "members", "poor_people"]
COUNTS += ["agricultural_population", "roster_rows", "roster_unplaced", "payments", "amount"]


@dataclass
class Slim:
    """What the global passes need of one county and data year: small, picklable pandas frames.

    ``county`` is the partition's county code ("" for rows the store could not place).
    """

    county: str
    year: int
    members: pd.DataFrame
    households: pd.DataFrame
    payments: pd.DataFrame
    roster: pd.DataFrame
    cadres: pd.DataFrame
    villages: pd.DataFrame
    counts: pd.DataFrame  # one row: county, year and the COUNTS


@dataclass
class GlobalResult:
    """Findings (the project's stored columns plus ``county`` and ``pass``), tables and seconds per pass."""

    findings: pd.DataFrame
    tables: dict[str, pd.DataFrame]
    seconds: dict[str, float] = field(default_factory=dict)

    def as_findings(self) -> Findings:
        """The findings as a :class:`Findings` collection (to merge with the county findings)."""
        return Findings.from_frame(self.findings[BASE_COLUMNS])

    def counts(self) -> dict[str, int]:
        """Findings per code."""
        return {str(k): int(v) for k, v in self.findings["code"].value_counts().sort_index().items()}


# ---- slim frames (per county, in the county task) -------------------------------------------


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    """Column ``col`` as stripped text (empty → NA), NA when absent."""
    if col not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="str")
    s = df[col].astype("str").str.strip()
    return s.where(s != "")


def _base(df: pd.DataFrame, county: str) -> dict[str, Any]:
    return {
        "county": pd.Series(county, index=df.index, dtype="str"),
        "_row": row_numbers(df).astype("Int64"),
        SOURCE_FILE: _text(df, SOURCE_FILE),
    }


# Non-text columns of the slims (every other column is ``str``).
_DTYPES = {
    "_row": "Int64",
    "current": "bool",
    "registered": "bool",
    "exited": "bool",
    "in_plan": "bool",
    "amount": "Float64",
    "pay_year": "Int64",
    "pay_date": "datetime64[us]",
    "max_households": "Float64",
    "agricultural_population": "Float64",
}


def _frame(cols: list[str], data: dict[str, Any] | None = None) -> pd.DataFrame:
    """A slim frame of ``cols`` from ``data`` (absent columns NA), each column of its slim dtype."""
    data = data or {}
    out = pd.DataFrame({c: data[c] for c in cols if c in data})
    for c in cols:
        if c not in out.columns:
            out[c] = pd.Series(False if _DTYPES.get(c) == "bool" else pd.NA, index=out.index, dtype="object")
    return out[cols].astype({c: _DTYPES.get(c, "str") for c in cols}).reset_index(drop=True)


def _slim_members(m: pd.DataFrame | None, county: str) -> pd.DataFrame:
    if m is None:
        return _frame(_MEMBERS)
    ids = normalized_ids(m["id_number"])
    name = _text(m, "name")
    data = {
        **_base(m, county),
        "household_id": _text(m, "household_id"),
        "id_number": ids.astype("str"),
        "name": name,
        "name_key": names.normalize(name).astype("str"),
        "relation": _text(m, "relation"),
        "current": current_mask(m).astype(bool),
        "change_reason": _text(m, "change_reason"),
    }
    return _frame(_MEMBERS, data)


def _slim_households(h: pd.DataFrame | None, county: str) -> pd.DataFrame:
    if h is None:
        return _frame(_HOUSEHOLDS)
    state = register_state(h)
    gone = (_text(h, "status") == EXITED_FOR_GOOD).fillna(False).astype(bool)
    data = {
        **_base(h, county),
        "household_id": _text(h, "household_id"),
        "village_code": _text(h, "village_code"),
        "registered": state["registered"],
        "exited": state["exited"],
        "in_plan": state["registered"] & ~gone,
        "cadre_id": _text(h, "cadre_id"),
    }
    return _frame(_HOUSEHOLDS, data)


def _family_keys(h: pd.DataFrame | None) -> pd.Series:
    """household_id → the audit's family (village code | the head's surname), as ``audit.register`` makes it."""
    if h is None:
        return pd.Series(dtype="str")
    hid = _text(h, "household_id")
    key = _text(h, "village_code").fillna("") + "|" + _text(h, "head_name").str.slice(0, 1).fillna(hid)
    out = pd.Series(key.to_numpy(), index=hid.to_numpy(), dtype="str")
    return out[out.index.notna() & ~out.index.duplicated()]


def _slim_payments(p: pd.DataFrame | None, county: str, households: pd.DataFrame | None = None) -> pd.DataFrame:
    if p is None:
        return _frame(_PAYMENTS)
    typed = prepare_payments(p)
    typed["period"] = pay_period(typed["purpose"], typed["pay_date"])
    typed["family_key"] = typed["household_id"].map(_family_keys(households)).astype("str")
    data = {**_base(p, county), **{c: typed[c].to_numpy() for c in _PAYMENTS[3:] if c in typed.columns}}
    data["_row"] = typed["_row"].astype("Int64").to_numpy()
    return _frame(_PAYMENTS, {k: pd.Series(v).reset_index(drop=True) for k, v in data.items()})


def _slim_roster(d: pd.DataFrame | None, county: str) -> pd.DataFrame:
    if d is None:
        return _frame(_ROSTER)
    ids = normalized_ids(d["id_number"])
    name = _text(d, "name")
    data = {
        **_base(d, county),
        "record_id": _text(d, "record_id"),
        "id_number": ids.astype("str"),
        "name": name,
        "name_key": names.normalize(name).astype("str"),
        "village_code": _text(d, "village_code"),
        "village_name": _text(d, "village_name"),
        "village_key": village_key(_text(d, "village_name")).astype("str"),
        "program": _text(d, "program"),
    }
    return _frame(_ROSTER, data)


def _slim_cadres(c: pd.DataFrame | None, county: str) -> pd.DataFrame:
    if c is None:
        return _frame(_CADRES)
    data = {
        **_base(c, county),
        "cadre_id": _text(c, "cadre_id"),
        "rank": _text(c, "rank"),
        "max_households": c["max_households"].astype("Float64"),
        "township_code": _text(c, "township_code"),
    }
    return _frame(_CADRES, data)


def _slim_villages(v: pd.DataFrame | None, county: str) -> pd.DataFrame:
    if v is None:
        return _frame(_VILLAGES)
    agri = pd.to_numeric(v["agricultural_population"], errors="coerce").astype("Float64")
    data = {
        "county": pd.Series(county, index=v.index, dtype="str"),
        "village_code": _text(v, "village_code"),
        "village_name": _text(v, "village_name"),
        "village_key": village_key(_text(v, "village_name")).astype("str"),
        "agricultural_population": agri,
    }
    return _frame(_VILLAGES, data)


def _counts(slim: Slim) -> pd.DataFrame:
    h, m = slim.households, slim.members
    poor = h["registered"] & ~h["exited"]
    poor_ids = h.loc[poor, "household_id"]
    cur = m["current"].astype(bool)
    row: dict[str, Any] = {
        "county": slim.county,
        "year": slim.year,
        "households": len(h),
        "registered": int(h["registered"].sum()),
        "poor_households": int(poor.sum()),
        "exited": int(h["exited"].sum()),
        "members": int(cur.sum()),
        "poor_people": int((cur & m["household_id"].isin(poor_ids)).sum()),
        "agricultural_population": float(slim.villages["agricultural_population"].sum(skipna=True)),
        "roster_rows": len(slim.roster),
        "roster_unplaced": int(slim.roster["village_code"].isna().sum()),
        "payments": len(slim.payments),
        "amount": float(slim.payments["amount"].sum(skipna=True)),
    }
    return pd.DataFrame([row])


def slim_frames(frames: dict[str, pd.DataFrame], county: str, year: int) -> Slim:
    """The slim frames of one county's typed tables (as read and validated; absent tables give empty frames)."""
    get = frames.get
    slim = Slim(
        county=county,
        year=year,
        members=_slim_members(get("members"), county),
        households=_slim_households(get("households"), county),
        payments=_slim_payments(get("payments"), county, get("households")),
        roster=_slim_roster(get("dibao"), county),
        cadres=_slim_cadres(get("cadres"), county),
        villages=_slim_villages(get("villages"), county),
        counts=pd.DataFrame(),
    )
    slim.counts = _counts(slim)
    return slim


# ---- the passes (on the driver) -----------------------------------------------------------


def _concat(slims: list[Slim], attr: str) -> pd.DataFrame:
    """One frame of every slim's ``attr``, in county-code order (never task completion order)."""
    parts = [getattr(s, attr) for s in sorted(slims, key=lambda s: (s.county, s.year))]
    parts = [p for p in parts if len(p)]
    if not parts:
        return getattr(slims[0], attr).iloc[0:0].copy() if slims else pd.DataFrame()
    return pd.concat(parts, ignore_index=True)


def _counts_of(slims: Sequence[Slim | StagedSlim]) -> pd.DataFrame:
    """Every slim's one-row ``counts``, in county-code order."""
    parts = [s.counts for s in sorted(slims, key=lambda s: (s.county, s.year)) if len(s.counts)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


# DuckDB's own memory on the driver: with staged slims it reads the files as a query needs them and
# spills what does not fit to ``scratch``, so the driver stays bounded at any province size.
PASSES_MEMORY_LIMIT = "1500MB"


def _connect(scratch: Path | None = None) -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute("SET preserve_insertion_order = true")
    if scratch is not None:
        scratch.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET memory_limit = {_sql_text(PASSES_MEMORY_LIMIT)}")
        con.execute(f"SET temp_directory = {_sql_text(scratch.as_posix())}")
    return con


def _query(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """A DuckDB result as a pandas frame with text columns as ``str``."""
    df = con.execute(sql).df()
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].astype("str")
    return df


class _Collector:
    """Findings of the passes, each with the county of the row it points at and the pass."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []
        self.current = ""

    def add(self, code: str, county: Any, **fields: Any) -> None:
        f = Findings()
        f.add(code, **fields)
        df = f.frame()
        if df.empty:
            return
        df["county"] = pd.Series(np.asarray(county, dtype=object), dtype="str") if len(df) else ""
        df["pass"] = self.current
        self.parts.append(df)

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            out = Findings().frame()
            out["county"] = pd.Series(dtype="str")
            out["pass"] = pd.Series(dtype="str")
            return out
        return pd.concat(self.parts, ignore_index=True)


def g1_persons(con: duckdb.DuckDBPyConnection, out: _Collector) -> pd.DataFrame:
    """G1: an ID that is a current member in households of two or more counties in one year."""
    rows = _query(
        con,
        """
        WITH cur AS (SELECT * FROM members WHERE current AND id_number IS NOT NULL),
        multi AS (
            SELECT id_number, string_agg(DISTINCT county, ',' ORDER BY county) AS counties,
                   string_agg(DISTINCT household_id, ',' ORDER BY household_id) AS households
            FROM cur GROUP BY id_number HAVING count(DISTINCT county) > 1)
        SELECT cur.county, cur._row, cur.household_id, cur.id_number, cur.name, multi.counties, multi.households
        FROM cur JOIN multi USING (id_number) ORDER BY cur.id_number, cur.county, cur._row
        """,
    )
    fields = {"table": "members", "row": rows["_row"], "column": "id_number", "value": rows["id_number"]}
    out.add("V-ID-MULTI-COUNTY", rows["county"], **fields, key=rows["household_id"], detail=rows["counties"])
    # what validate reports for the whole folder (an ID in several households), the households of every county
    out.add("V-ID-MULTI-HOUSEHOLD", rows["county"], **fields, key=rows["household_id"], detail=rows["households"])
    return rows


def _pick_sql(table: str) -> str:
    """Per ID, the row the whole-folder diff keys a member by: a current row first, then the first row."""
    return f"""
        SELECT * FROM (
            SELECT *, row_number() OVER (PARTITION BY id_number ORDER BY NOT current, county, _row) AS k
            FROM {table} WHERE id_number IS NOT NULL) WHERE k = 1
    """


def g2_moves(con: duckdb.DuckDBPyConnection, has_previous: bool) -> pd.DataFrame:
    """G2: current members in both years whose household changed county (the diff's ``moved``)."""
    if not has_previous:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in _MOVE_COLUMNS})
    return _query(
        con,
        f"""
        WITH a AS ({_pick_sql("previous_members")}), b AS ({_pick_sql("members")})
        SELECT b.id_number, b.name, b.relation, a.county AS from_county, a.household_id AS from_household_id,
               b.county AS to_county, b.household_id AS to_household_id, b.change_reason, b._row
        FROM a JOIN b USING (id_number)
        WHERE a.current AND b.current AND a.household_id <> b.household_id AND a.county <> b.county
        ORDER BY b.id_number
        """,
    )


_MOVE_COLUMNS = ["id_number", "name", "relation", "from_county", "from_household_id", "to_county"]
_MOVE_COLUMNS += ["to_household_id", "change_reason", "_row"]


def g3_roster_places(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """G3: roster rows without a village code, placed by ID across the province, then by name.

    ``method``: ``id`` (a member row with the ID, a current one first, as ``match`` links the dead
    too), ``name`` (exactly one current member of
    that name in the counties having a village of the roster row's village name), ``ambiguous``
    (several such members), ``none``. ``county`` and ``household_id`` are the place found.
    """
    return _query(
        con,
        """
        WITH r AS (SELECT * FROM roster WHERE village_code IS NULL),
        m AS (SELECT * FROM members WHERE current),
        by_id AS (
            SELECT r.record_id, arg_min(a.county, a.o) AS county, arg_min(a.household_id, a.o) AS household_id
            FROM r JOIN (SELECT *, (CASE WHEN current THEN '0' ELSE '1' END) || county
                                   || lpad(CAST(_row AS VARCHAR), 12, '0') AS o FROM members) a
                 ON r.id_number = a.id_number
            GROUP BY r.record_id),
        cand AS (SELECT DISTINCT v.village_key, v.county FROM villages v WHERE v.village_key IS NOT NULL),
        by_name AS (
            SELECT r.record_id, min(m.county) AS county, min(m.household_id) AS household_id,
                   count(DISTINCT m.id_number) AS n
            FROM r JOIN cand ON r.village_key = cand.village_key
                   JOIN m ON m.county = cand.county AND m.name_key = r.name_key
            WHERE r.record_id NOT IN (SELECT record_id FROM by_id) GROUP BY r.record_id)
        SELECT r.county AS roster_county, r._row, r.record_id, r.id_number, r.name, r.village_name, r.program,
               CASE WHEN by_id.record_id IS NOT NULL THEN 'id'
                    WHEN by_name.n = 1 THEN 'name'
                    WHEN by_name.n > 1 THEN 'ambiguous' ELSE 'none' END AS method,
               CASE WHEN by_id.record_id IS NOT NULL THEN by_id.county
                    WHEN by_name.n = 1 THEN by_name.county END AS county,
               CASE WHEN by_id.record_id IS NOT NULL THEN by_id.household_id
                    WHEN by_name.n = 1 THEN by_name.household_id END AS household_id
        FROM r LEFT JOIN by_id USING (record_id) LEFT JOIN by_name USING (record_id)
        ORDER BY r.county, r._row, r.record_id
        """,
    )


def g4_roster_duplicates(con: duckdb.DuckDBPyConnection, out: _Collector) -> pd.DataFrame:
    """G4: one person (ID) on roster rows of two or more counties; one record_id in two counties.

    Reported like ``match`` reports them in one county: M-ROSTER-DUP-ID (or M-DIBAO-AND-TEKUN when
    the rows are of both programs) once per ID at its first row; M-ROSTER-DUP-RECORD at each later row.
    """
    ids = _query(
        con,
        """
        WITH r AS (SELECT * FROM roster WHERE id_number IS NOT NULL),
        multi AS (SELECT id_number FROM r GROUP BY id_number HAVING count(DISTINCT county) > 1)
        SELECT id_number,
               string_agg(record_id, ',' ORDER BY county, _row) AS records,
               string_agg(DISTINCT program, ',' ORDER BY program) AS programs,
               count(DISTINCT program) AS n_prog,
               string_agg(DISTINCT county, ',' ORDER BY county) AS counties,
               arg_min(_row, county || lpad(CAST(_row AS VARCHAR), 12, '0')) AS first_row,
               min(county) AS first_county
        FROM r JOIN multi USING (id_number) GROUP BY id_number ORDER BY id_number
        """,
    )
    both = (ids["n_prog"] > 1) & ids["programs"].str.contains("低保") & ids["programs"].str.contains("特困")
    for code, part in (("M-DIBAO-AND-TEKUN", ids[both]), ("M-ROSTER-DUP-ID", ids[~both])):
        detail = part["programs"] + ": " + part["records"] if code == "M-DIBAO-AND-TEKUN" else None
        column = "program" if code == "M-DIBAO-AND-TEKUN" else "id_number"
        out.add(
            code,
            part["first_county"],
            table="dibao",
            row=part["first_row"],
            column=column,
            value=part["records"],
            key=part["id_number"],
            detail=detail,
        )
    recs = _query(
        con,
        """
        WITH r AS (SELECT *, row_number() OVER (PARTITION BY record_id ORDER BY county, _row) AS k
                   FROM roster WHERE record_id IS NOT NULL),
        multi AS (SELECT record_id FROM r GROUP BY record_id HAVING count(DISTINCT county) > 1)
        SELECT r.county, r._row, r.record_id FROM r JOIN multi USING (record_id) WHERE r.k > 1
        ORDER BY r.record_id, r.county, r._row
        """,
    )
    out.add(
        "M-ROSTER-DUP-RECORD",
        recs["county"],
        table="dibao",
        row=recs["_row"],
        column="record_id",
        value=recs["record_id"],
        key=recs["record_id"],
    )
    return ids


# A payment a county's audit flagged already (``flagged``) is not flagged again by a pass.
_NOT_FLAGGED = (
    "NOT EXISTS (SELECT 1 FROM flagged f "
    "WHERE f.code = 'A-DUPLICATE-PAYMENT' AND f.county = o.county AND f._row = o._row)"
)


def _duplicate_payments(out: _Collector, rows: pd.DataFrame) -> None:
    """A-DUPLICATE-PAYMENT on each payment of ``rows`` (county, _row, payment_id, payee_name, first_payment)."""
    out.add(
        "A-DUPLICATE-PAYMENT",
        rows["county"],
        table="payments",
        row=rows["_row"],
        column="payee_id_number",
        value=rows["payee_name"],
        key=rows["payment_id"],
        detail=rows["first_payment"],
    )


def g5_payments(con: duckdb.DuckDBPyConnection, out: _Collector) -> tuple[pd.DataFrame, pd.DataFrame]:
    """G5: a payee paid for one benefit in two counties; an account paid in two counties.

    A benefit repeats as ``audit`` defines it for one county: same payee (ID), measure and pay
    year, and for a recurring measure (``audit.recurring_measures``, table ``recurring``) the same
    pay period unless paid as 一次性; instalments (预付款, 进度款) never repeat. Of a group spread over
    counties, the first payment of each county but the first payment's own is A-DUPLICATE-PAYMENT
    (a county's later ones its own audit reports), detail: the group's first payment.
    A-ACCOUNT-MULTI-COUNTY marks every payment of an account whose payments lie in two or more counties.
    """
    excluded = ", ".join(f"'{s}'" for s in ONCE_STAGES_EXCLUDED)
    dup = _query(
        con,
        f"""
        WITH p AS (
            SELECT *, CASE WHEN measure IN (SELECT measure FROM recurring) AND coalesce(stage, '') <> '一次性'
                           THEN coalesce(period, '') ELSE '' END AS per
            FROM payments
            WHERE payee_id IS NOT NULL AND measure IS NOT NULL AND pay_year IS NOT NULL AND amount > 0
              AND coalesce(stage, '') NOT IN ({excluded})),
        g AS (SELECT payee_id, measure, pay_year, per FROM p GROUP BY ALL HAVING count(DISTINCT county) > 1),
        o AS (
            SELECT p.*,
                   row_number() OVER (PARTITION BY payee_id, measure, pay_year, per
                                      ORDER BY pay_date NULLS LAST, payment_id, county, _row) AS k_all,
                   row_number() OVER (PARTITION BY payee_id, measure, pay_year, per, county
                                      ORDER BY pay_date NULLS LAST, payment_id, _row) AS k_county,
                   first_value(payment_id) OVER (PARTITION BY payee_id, measure, pay_year, per
                                      ORDER BY pay_date NULLS LAST, payment_id, county, _row) AS first_payment
            FROM p JOIN g USING (payee_id, measure, pay_year, per))
        SELECT county, _row, payment_id, payee_id, payee_name, measure, pay_year, amount, first_payment
        FROM o WHERE k_county = 1 AND k_all > 1
          AND {_NOT_FLAGGED}
        ORDER BY payee_id, measure, pay_year, per, county, _row
        """,
    )
    _duplicate_payments(out, dup)
    acc = _query(
        con,
        """
        WITH p AS (SELECT * FROM payments WHERE account IS NOT NULL),
        g AS (SELECT account, string_agg(DISTINCT county, ',' ORDER BY county) AS counties,
                     count(DISTINCT coalesce(household_id, payee_id, payment_id)) AS households,
                     sum(amount) AS total
              FROM p GROUP BY account HAVING count(DISTINCT county) > 1)
        SELECT p.county, p._row, p.payment_id, p.household_id, p.bank_account, p.account, p.amount,
               g.counties, g.households, g.total
        FROM p JOIN g USING (account) ORDER BY p.account, p.county, p._row
        """,
    )
    detail = acc["counties"].astype("str") + t_households(acc["households"])
    out.add(
        "A-ACCOUNT-MULTI-COUNTY",
        acc["county"],
        table="payments",
        row=acc["_row"],
        column="bank_account",
        value=acc["bank_account"],
        key=acc["payment_id"],
        detail=detail,
    )
    return dup, acc


def g5_account_repeats(con: duckdb.DuckDBPyConnection, payee: pd.DataFrame, out: _Collector) -> pd.DataFrame:
    """G5: ``audit``'s rule "one account paid twice for one measure and year, for another household"
    across counties. Of a (account, measure, pay year) group of a non-recurring benefit paid in two
    or more counties, every payment for a household other than the group's first payment's is
    A-DUPLICATE-PAYMENT, unless its county's audit or the payee rule above (``payee``) flagged it
    already (a county's audit compares with its own first payment only)."""
    excluded = ", ".join(f"'{s}'" for s in ONCE_STAGES_EXCLUDED)
    rows = _query(
        con,
        f"""
        WITH known AS (SELECT DISTINCT household_id AS hid FROM households WHERE household_id IS NOT NULL),
        person AS (SELECT id_number, min(household_id) AS pid FROM members
                   WHERE current AND id_number IS NOT NULL GROUP BY id_number),
        b AS (
            SELECT payments.*, coalesce(hid, pid, payee_id, 'N' || payee_name, 'R' || payment_id) AS hh
            FROM payments LEFT JOIN known ON payments.household_id = known.hid
                          LEFT JOIN person ON payments.payee_id = person.id_number
            WHERE account IS NOT NULL AND amount > 0 AND measure IS NOT NULL AND pay_year IS NOT NULL
              AND coalesce(stage, '') NOT IN ({excluded}) AND measure NOT IN (SELECT measure FROM recurring)
              AND (payments.household_id IS NOT NULL
                   OR (project_id IS NULL AND (payee_id IS NOT NULL OR measure IS NOT NULL)))),
        g AS (SELECT account, measure, pay_year FROM b GROUP BY ALL HAVING count(DISTINCT county) > 1),
        o AS (SELECT b.*, first_value(hh) OVER w AS first_hh, first_value(payment_id) OVER w AS first_payment
              FROM b JOIN g USING (account, measure, pay_year)
              WINDOW w AS (PARTITION BY account, measure, pay_year
                           ORDER BY pay_date NULLS LAST, payment_id, county, _row))
        SELECT county, _row, payment_id, payee_name, account, measure, pay_year, amount, first_payment FROM o
        WHERE hh <> first_hh
          AND {_NOT_FLAGGED}
        ORDER BY account, measure, pay_year, county, _row
        """,
    )
    done = pd.MultiIndex.from_arrays([payee["county"].astype("str"), payee["_row"].astype("int64")])
    rows = rows[~pd.MultiIndex.from_arrays([rows["county"], rows["_row"].astype("int64")]).isin(done)]
    rows = rows.reset_index(drop=True)
    _duplicate_payments(out, rows)
    return rows


def g5_shared_accounts(con: duckdb.DuckDBPyConnection, min_households: int, out: _Collector) -> pd.DataFrame:
    """G5: A-SHARED-ACCOUNT as ``audit`` finds it in one county, for an account paid in two or more:
    unrelated families (village | head's surname), at least ``min_households`` households; every
    payment of a household other than the account's main one (the most payments, then the lowest ID)."""
    rows = _query(
        con,
        f"""
        WITH a AS (SELECT * FROM payments WHERE account IS NOT NULL AND household_id IS NOT NULL),
        g AS (SELECT account, count(DISTINCT household_id) AS households FROM a GROUP BY account
              HAVING count(DISTINCT county) > 1 AND count(DISTINCT coalesce(family_key, household_id)) >= 2
                     AND count(DISTINCT household_id) >= {int(min_households)}),
        n AS (SELECT account, household_id, count(*) AS n FROM a JOIN g USING (account) GROUP BY ALL),
        main AS (SELECT account, household_id AS main FROM (
                    SELECT *, row_number() OVER (PARTITION BY account ORDER BY n DESC, household_id) AS k FROM n)
                 WHERE k = 1)
        SELECT a.county, a._row, a.payment_id, a.household_id, a.bank_account, a.account, a.amount,
               g.households, main.main
        FROM a JOIN g USING (account) JOIN main USING (account)
        WHERE a.household_id <> main.main ORDER BY a.account, a.county, a._row
        """,
    )
    out.add(
        "A-SHARED-ACCOUNT",
        rows["county"],
        table="payments",
        row=rows["_row"],
        column="bank_account",
        value=rows["bank_account"],
        key=rows["payment_id"],
        detail=rows["households"].astype("int64").astype("str") + "户, 主户 " + rows["main"].astype("str"),
    )
    return rows


def t_households(n: pd.Series) -> pd.Series:
    """``; N 户`` (the number of households an account was paid for)."""
    return "; " + n.astype("int64").astype("str") + " 户"


_KEYS = (
    ("households", "household_id", "SELECT county, _row, household_id AS key FROM households"),
    ("payments", "payment_id", "SELECT county, _row, payment_id AS key FROM payments"),
    ("members", "id_number", "SELECT county, _row, id_number AS key FROM members WHERE current"),
)


def g6_keys(con: duckdb.DuckDBPyConnection, out: _Collector) -> pd.DataFrame:
    """G6: a key in two or more partitions; V-DUPLICATE-KEY at every row of it (as validate reports a
    duplicate in one file). Member IDs are listed here and reported by G1 (an ID is not a file key)."""
    parts = []
    for table, column, sql in _KEYS:
        rows = _query(
            con,
            f"""
            WITH k AS ({sql}), multi AS (
                SELECT key, string_agg(DISTINCT county, ',' ORDER BY county) AS counties FROM k
                WHERE key IS NOT NULL GROUP BY key HAVING count(DISTINCT county) > 1)
            SELECT k.county, k._row, k.key, multi.counties FROM k JOIN multi USING (key)
            ORDER BY k.key, k.county, k._row
            """,
        )
        rows.insert(0, "table", table)
        rows.insert(1, "column", column)
        parts.append(rows)
        if table != "members":
            out.add(
                "V-DUPLICATE-KEY",
                rows["county"],
                table=table,
                row=rows["_row"],
                column=column,
                value=rows["key"],
                key=rows["key"],
            )
    return pd.concat(parts, ignore_index=True)


def g7_rollup(counts: pd.DataFrame) -> pd.DataFrame:
    """G7: one row per county and one ``total`` row: sums of counts; rates from the sums."""
    if counts.empty:
        return pd.DataFrame(columns=["county", "year", *COUNTS, "poverty_rate"])
    per = counts.groupby(["county", "year"], as_index=False, sort=True)[COUNTS].sum()
    total = per.groupby("year", as_index=False, sort=True)[COUNTS].sum().assign(county="total")
    out = pd.concat([per, total[per.columns]], ignore_index=True)
    agri = out["agricultural_population"].astype("float64")
    out["poverty_rate"] = np.where(agri > 0, out["poor_people"] / agri.where(agri > 0, 1.0), np.nan)
    return out.reset_index(drop=True)


def g8_cadres(con: duckdb.DuckDBPyConnection, caps: dict[str, int], out: _Collector) -> pd.DataFrame:
    """G8: cadres whose households in the plan span two or more counties, over their cap in total.

    The cap is plan/pairing's (``max_households``, else ``cadre_caps[rank]``, else the default);
    the load counts the pairings in force (households.cadre_id) of households with a plan.
    """
    cad = _query(
        con,
        """
        SELECT * EXCLUDE (k) FROM (
            SELECT *, row_number() OVER (PARTITION BY cadre_id ORDER BY county, _row) AS k
            FROM cadres WHERE cadre_id IS NOT NULL) WHERE k = 1 ORDER BY cadre_id
        """,
    )
    load = _query(
        con,
        """
        SELECT cadre_id, CAST(sum(n) AS BIGINT) AS load, count(*) AS n_counties,
               string_agg(county || ':' || n, ',' ORDER BY county) AS per_county
        FROM (SELECT cadre_id, county, count(*) AS n FROM households
              WHERE in_plan AND cadre_id IS NOT NULL GROUP BY cadre_id, county)
        GROUP BY cadre_id ORDER BY cadre_id
        """,
    )
    cad["cap"] = cadre_caps(cad, caps) if len(cad) else pd.Series([], dtype="int64")
    cad = cad.merge(load, on="cadre_id", how="inner")
    over = cad[(cad["n_counties"] > 1) & (cad["load"] > cad["cap"])].reset_index(drop=True)
    out.add(
        "P-CADRE-OVER-CAP",
        over["county"],
        table="cadres",
        column="cadre_id",
        key=over["cadre_id"],
        value=over["load"],
        detail=over["cap"],
    )
    return over[["county", "cadre_id", "rank", "cap", "load", "n_counties", "per_county"]]


@contextmanager
def _timed(seconds: dict[str, float], name: str, out: _Collector) -> Iterator[None]:
    out.current = name
    start = time.perf_counter()
    yield
    seconds[name] = round(time.perf_counter() - start, 3)


SLIM_TABLES = ("members", "households", "payments", "roster", "cadres", "villages")


@dataclass
class StagedSlim:
    """A :class:`Slim` written to Parquet files (``<folder>/<table>.parquet``), only its one-row
    ``counts`` kept in memory: what a county task returns, so the driver never holds a province's
    slims; DuckDB reads the files as the passes need them."""

    county: str
    year: int
    folder: str
    counts: pd.DataFrame

    def path(self, attr: str) -> Path:
        return Path(self.folder) / f"{attr}.parquet"


def stage_slim(slim: Slim, folder: Path) -> StagedSlim:
    """Write ``slim``'s frames under ``folder`` (replacing what a failed try left there)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    for attr in SLIM_TABLES:
        pq.write_table(pa.Table.from_pandas(getattr(slim, attr), preserve_index=False), folder / f"{attr}.parquet")
    return StagedSlim(county=slim.county, year=slim.year, folder=str(folder), counts=slim.counts)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _register(con: duckdb.DuckDBPyConnection, slims: Sequence[Slim | StagedSlim], prefix: str = "") -> None:
    """One view per slim table over every slim, in county-code order: frames in memory registered,
    staged files read by DuckDB as it goes (consecutive files in one ``read_parquet``)."""
    ordered = sorted(slims, key=lambda s: (s.county, s.year))
    for attr in SLIM_TABLES:
        if not ordered:
            con.register(prefix + attr, _frame(_EMPTY[attr]))
            continue
        if all(isinstance(s, Slim) for s in ordered):
            con.register(prefix + attr, _concat([s for s in ordered if isinstance(s, Slim)], attr))
            continue
        parts: list[str] = []
        files: list[str] = []
        for i, s in enumerate(ordered):
            if isinstance(s, StagedSlim):
                files.append(_sql_text(s.path(attr).as_posix()))
                continue
            if files:
                parts.append(f"SELECT * FROM read_parquet([{', '.join(files)}], union_by_name = true)")
                files = []
            name = f"_{prefix}{attr}_{i}"
            con.register(name, getattr(s, attr))
            parts.append(f"SELECT * FROM {name}")
        if files:
            parts.append(f"SELECT * FROM read_parquet([{', '.join(files)}], union_by_name = true)")
        con.execute(f"CREATE VIEW {prefix}{attr} AS " + " UNION ALL BY NAME ".join(parts))


_EMPTY: dict[str, list[str]] = {
    "members": _MEMBERS,
    "households": _HOUSEHOLDS,
    "payments": _PAYMENTS,
    "roster": _ROSTER,
    "cadres": _CADRES,
    "villages": _VILLAGES,
}


def global_passes(
    slims: Sequence[Slim | StagedSlim],
    previous: Sequence[Slim | StagedSlim] | None = None,
    params: Params | None = None,
    *,
    progress: Callable[[str], None] | None = None,
    flagged: pd.DataFrame | None = None,
    scratch: Path | None = None,
) -> GlobalResult:
    """G1–G8 over the slims of one data year (``previous``: the slims of the year before, for G2).

    ``flagged``: the county tasks' findings a pass completes across counties (``county``, ``code``,
    ``_row``: A-DUPLICATE-PAYMENT for G5; :func:`flagged_rows`).

    ``params`` gives the cadre caps (``cadre_caps``); the default parameters otherwise.
    ``progress`` is called with each pass's name before it runs. ``scratch``: a folder DuckDB may
    spill to; given, DuckDB keeps to :data:`PASSES_MEMORY_LIMIT`.
    """
    settings = params or Params.load()
    caps = {k: int(v) for k, v in settings.table("cadre_caps").items()}
    out = _Collector()
    seconds: dict[str, float] = {}
    tables: dict[str, pd.DataFrame] = {}
    con = _connect(scratch)
    try:
        _register(con, slims)
        _register(con, previous or [], prefix="previous_")
        recurring = [str(x) for x in settings.get("audit.recurring_measures") or []]
        con.register("recurring", pd.DataFrame({"measure": pd.Series(recurring, dtype="str")}))
        con.register("flagged", flagged if flagged is not None else flagged_rows([]))
        steps: list[tuple[str, Callable[[], None]]] = [
            ("G1", lambda: tables.__setitem__("persons", g1_persons(con, out))),
            ("G2", lambda: tables.__setitem__("moves", g2_moves(con, bool(previous)))),
            ("G3", lambda: tables.__setitem__("roster_places", g3_roster_places(con))),
            ("G4", lambda: tables.__setitem__("roster_duplicates", g4_roster_duplicates(con, out))),
            ("G5", lambda: _g5(con, out, tables, settings)),
            ("G6", lambda: tables.__setitem__("keys", g6_keys(con, out))),
            ("G7", lambda: tables.__setitem__("rollup", g7_rollup(_counts_of(slims)))),
            ("G8", lambda: tables.__setitem__("cadres", g8_cadres(con, caps, out))),
        ]
        for name, run in steps:
            if progress is not None:
                progress(name)
            with _timed(seconds, name, out):
                run()
    finally:
        con.close()
    return GlobalResult(findings=out.frame(), tables=tables, seconds=seconds)


# County findings the passes complete across counties (``flagged``).
COMPLETED = ("A-DUPLICATE-PAYMENT",)


def flagged_rows(findings: list[pd.DataFrame]) -> pd.DataFrame:
    """``county``, ``code`` and ``_row`` of the county findings of :data:`COMPLETED` (rendered frames)."""
    parts = [f.loc[f["code"].isin(COMPLETED) & f["row"].notna(), ["county", "code", "row"]] for f in findings]
    both = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["county", "code", "row"])
    return pd.DataFrame(
        {
            "county": both["county"].astype("str"),
            "code": both["code"].astype("str"),
            "_row": pd.to_numeric(both["row"]).astype("Int64"),
        }
    )


def _g5(con: duckdb.DuckDBPyConnection, out: _Collector, tables: dict[str, pd.DataFrame], params: Params) -> None:
    tables["duplicate_payments"], tables["accounts"] = g5_payments(con, out)
    tables["account_repeats"] = g5_account_repeats(con, tables["duplicate_payments"], out)
    tables["shared_accounts"] = g5_shared_accounts(con, int(params.settings.audit.shared_account_min_households), out)
