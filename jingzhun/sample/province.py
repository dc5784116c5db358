"""Cases across counties for a province sample (``jingzhun sample --counties N``).

A province sample's counties are each a clean county; what only a run across counties can
see is added here, year by year, and recorded in ``_truth/province.csv`` (one row per case,
:data:`TRUTH_COLUMNS`), so that every global pass (``jingzhun.province.passes``) has cases:

``member_moved``            G2  current in household A (county a) last year and in household B (county b)
                                this year; injected (a child moved) and natural (a bride married
                                into another county)
``roster_no_village``       G3  a roster row without a village code, its household known (by ID)
``roster_no_village_no_id`` G3  a roster row without village code and ID: placed by name
``roster_duplicate``        G4  the same person on roster rows of two counties (M-ROSTER-DUP-ID)
``payment_two_counties``    G5  a payee paid for one measure and year in two counties (A-DUPLICATE-PAYMENT)
``account_two_counties``    G5  one bank account paid for households of two counties (A-ACCOUNT-MULTI-COUNTY)
``person_two_counties``     G1  one ID a current member in households of two counties (V-ID-MULTI-COUNTY)
``duplicate_payment_id``    G6  one payment_id in two counties (V-DUPLICATE-KEY)
``cadre_two_counties``      G8  a cadre paired in two counties, within the cap in each, over it in total
                                (P-CADRE-OVER-CAP)

The single cases are added to the last data year; moves to every later year. Draws come from
their own generator, so the county data itself is what ``generate`` made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from jingzhun.identify.members import current_mask
from jingzhun.params import Params
from jingzhun.plan.core import EXITED_FOR_GOOD
from jingzhun.plan.pairing import cadre_caps

TRUTH_COLUMNS = [
    "year",
    "kind",
    "pass",
    "code",
    "id_number",
    "household_id",
    "county",
    "other_household_id",
    "other_county",
    "record_id",
    "payment_id",
    "other_payment_id",
    "cadre_id",
    "bank_account",
]
PASS_OF = {
    "member_moved": ("G2", ""),
    "roster_no_village": ("G3", ""),
    "roster_no_village_no_id": ("G3", ""),
    "roster_duplicate": ("G4", "M-ROSTER-DUP-ID"),
    "payment_two_counties": ("G5", "A-DUPLICATE-PAYMENT"),
    "account_two_counties": ("G5", "A-ACCOUNT-MULTI-COUNTY"),
    "person_two_counties": ("G1", "V-ID-MULTI-COUNTY"),
    "duplicate_payment_id": ("G6", "V-DUPLICATE-KEY"),
    "cadre_two_counties": ("G8", "P-CADRE-OVER-CAP"),
}
MOVERS = ("之子", "之女", "之孙子", "之孙女")  # a young member who moves alone to another county


@dataclass
class Injector:
    """Adds the cases across counties to each data year's tables and keeps their truth."""

    rng: np.random.Generator
    params: Params
    moved: dict[str, str] = field(default_factory=dict)  # id_number → household it moved to
    previous: pd.DataFrame | None = None  # last year's members
    rows: list[dict[str, object]] = field(default_factory=list)

    def apply(self, year: int, tables: dict[str, pd.DataFrame], last: bool) -> dict[str, pd.DataFrame]:
        tables = {k: v.copy() for k, v in tables.items()}
        used: set[str] = set()  # households and IDs already given a case
        if self.previous is not None:
            self._keep_moves(tables)
            self._move(tables, used)
        if last:
            self._person_two_counties(year, tables, used)
            self._cadre(year, tables, used)
            self._payments(year, tables, used)
            self._roster(year, tables, used)
        if self.previous is not None:
            self._moves_truth(year, tables)
        self._no_village_truth(year, tables)
        self.previous = tables["members"].copy()
        return tables

    # ---- helpers ---------------------------------------------------------------------------

    def _add(self, year: int, kind: str, **values: object) -> None:
        pass_, code = PASS_OF[kind]
        row: dict[str, object] = {c: "" for c in TRUTH_COLUMNS}
        row.update(year=year, kind=kind, **{"pass": pass_, "code": code})
        row.update({k: "" if v is None else v for k, v in values.items()})
        self.rows.append(row)

    def truth(self) -> pd.DataFrame:
        df = pd.DataFrame(self.rows, columns=TRUTH_COLUMNS).astype("str")
        return df.sort_values(["year", "pass", "kind", "id_number", "record_id", "payment_id"], kind="stable")

    def _pick(self, n: int) -> int:
        return int(self.rng.integers(0, n))

    @staticmethod
    def _county_of(tables: dict[str, pd.DataFrame]) -> pd.Series:
        """household_id → county code."""
        h = tables["households"]
        return pd.Series(h["village_code"].astype("str").str.slice(0, 6).to_numpy(), index=h["household_id"])

    @staticmethod
    def _resize(tables: dict[str, pd.DataFrame], household_id: str, delta: int) -> None:
        h = tables["households"]
        at = h["household_id"] == household_id
        h.loc[at, "household_size"] = h.loc[at, "household_size"] + delta

    # ---- G2: moves -------------------------------------------------------------------------

    def _keep_moves(self, tables: dict[str, pd.DataFrame]) -> None:
        """A member who moved stays in the household moved to, in every later year."""
        m = tables["members"]
        hids = set(tables["households"]["household_id"])
        for pid, target in self.moved.items():
            at = (m["id_number"] == pid) & current_mask(m) & (m["household_id"] != target)
            if target in hids and at.any():
                for old in m.loc[at, "household_id"]:
                    self._resize(tables, old, -1)
                    self._resize(tables, target, +1)
                m.loc[at, "household_id"] = target

    def _move(self, tables: dict[str, pd.DataFrame], used: set[str]) -> None:
        """Two young members (not on a roster, not paid) move alone to a household of another county."""
        assert self.previous is not None
        m, county = tables["members"], self._county_of(tables)
        prev = self.previous[current_mask(self.previous)]
        was = pd.Series(prev["household_id"].to_numpy(), index=prev["id_number"])
        was = was[~was.index.duplicated()]
        payees = set(tables["payments"]["payee_id_number"].dropna().astype("str"))
        ok = (
            current_mask(m)
            & m["relation"].isin(MOVERS)
            & ~m["on_dibao"].astype(bool)
            & ~m["on_tekun"].astype(bool)
            & (m["id_number"].map(was) == m["household_id"]).fillna(False).astype(bool)
            & ~m["id_number"].isin(payees)
        )
        cand = np.flatnonzero(ok.to_numpy())
        counties = sorted(county.unique())
        for _ in range(2):
            if not len(cand):
                return
            i = int(cand[self._pick(len(cand))])
            pid, src = str(m.at[m.index[i], "id_number"]), str(m.at[m.index[i], "household_id"])
            others = [c for c in counties if c != county[src]]
            if not others:
                return
            dest = others[self._pick(len(others))]
            targets = county.index[(county == dest).to_numpy() & ~county.index.isin(used)]
            if not len(targets):
                return
            target = str(targets[self._pick(len(targets))])
            m.at[m.index[i], "household_id"] = target
            self._resize(tables, src, -1)
            self._resize(tables, target, +1)
            self.moved[pid] = target
            used.update({pid, src, target})
            cand = cand[m["household_id"].to_numpy()[cand] != src]
        tables["members"] = m.sort_values("household_id", kind="stable").reset_index(drop=True)

    def _moves_truth(self, year: int, tables: dict[str, pd.DataFrame]) -> None:
        """Every member current in both years whose household is in another county (injected or married)."""
        assert self.previous is not None

        def first_current(m: pd.DataFrame) -> pd.Series:
            cur = m[current_mask(m)]
            s = pd.Series(cur["household_id"].to_numpy(), index=cur["id_number"])
            return s[~s.index.duplicated()]

        a, b = first_current(self.previous), first_current(tables["members"])
        both = a.index.intersection(b.index)
        a, b = a[both], b[both]
        ca, cb = a.str.slice(0, 6), b.str.slice(0, 6)  # sample household IDs begin with the county code
        for pid in both[(a != b).to_numpy() & (ca != cb).to_numpy()]:
            self._add(
                year,
                "member_moved",
                id_number=pid,
                household_id=b[pid],
                county=cb[pid],
                other_household_id=a[pid],
                other_county=ca[pid],
            )

    # ---- G1: one person in two counties --------------------------------------------------

    def _person_two_counties(self, year: int, tables: dict[str, pd.DataFrame], used: set[str]) -> None:
        m, h, county = tables["members"], tables["households"], self._county_of(tables)
        reg = set(h.loc[h["registered"].astype(bool), "household_id"])
        ok = (
            current_mask(m)
            & m["relation"].isin(MOVERS)
            & m["household_id"].isin(reg)
            & ~m["household_id"].isin(used)
            & ~m["id_number"].isin(used)
            & ~m["on_dibao"].astype(bool)
            & ~m["on_tekun"].astype(bool)
            & (m["household_id"].map(county) < county.max())
        )
        cand = np.flatnonzero(ok.to_numpy())
        if not len(cand):
            return
        row = m.iloc[[int(cand[self._pick(len(cand))])]].copy()
        src = str(row["household_id"].iloc[0])
        # a county after the person's own: the own row stays the first (the one a diff keys the person by)
        targets = sorted(x for x in reg if county[x] > county[src] and x not in used)
        if not targets:
            return
        target = targets[self._pick(len(targets))]
        row["household_id"] = target
        row["relation"] = "之兄弟姐妹"
        tables["members"] = pd.concat([m, row], ignore_index=True).sort_values("household_id", kind="stable")
        tables["members"] = tables["members"].reset_index(drop=True)
        self._resize(tables, target, +1)
        pid = str(row["id_number"].iloc[0])
        used.update({pid, src, target})
        self._add(
            year,
            "person_two_counties",
            id_number=pid,
            household_id=src,
            county=county[src],
            other_household_id=target,
            other_county=county[target],
        )

    # ---- G8: a cadre in two counties ------------------------------------------------------

    def _cadre(self, year: int, tables: dict[str, pd.DataFrame], used: set[str]) -> None:
        h, cad, county = tables["households"], tables["cadres"], self._county_of(tables)
        caps = {k: int(v) for k, v in self.params.settings.cadre_caps.items()}
        in_plan = h["registered"].astype(bool) & (h["status"].astype("str") != EXITED_FOR_GOOD)
        placed = cad[cad["township_code"].astype("str").str.len() == 9]
        if placed.empty:
            return
        c = placed.iloc[self._pick(len(placed))]
        cap = int(cadre_caps(placed.loc[[c.name]], caps)[0])
        home = str(c["township_code"])[:6]
        others = sorted(set(county.unique()) - {home})
        if not others:
            return
        away = others[self._pick(len(others))]
        a = (cap + 2) // 2
        b = cap + 1 - a
        hc = h["village_code"].astype("str").str.slice(0, 6)
        free = in_plan & ~h["household_id"].isin(used)
        mine = h["cadre_id"].astype("str") == c["cadre_id"]
        at_home = h.index[free & (hc == home)].to_list()
        at_home = sorted(at_home, key=lambda i: (not mine[i], i))[:a]
        abroad = h.index[free & (hc == away)].to_list()[:b]
        if len(at_home) < a or len(abroad) < b:
            return
        h.loc[mine, "cadre_id"] = ""
        h.loc[at_home + abroad, "cadre_id"] = c["cadre_id"]
        used.update(h.loc[at_home + abroad, "household_id"])
        self._add(
            year,
            "cadre_two_counties",
            cadre_id=c["cadre_id"],
            county=home,
            other_county=away,
            household_id=",".join(h.loc[at_home + abroad, "household_id"]),
        )

    # ---- G5, G6: payments ------------------------------------------------------------------

    def _payments(self, year: int, tables: dict[str, pd.DataFrame], used: set[str]) -> None:
        p, h, county = tables["payments"], tables["households"], self._county_of(tables)
        to_hh = p["household_id"].astype("str").isin(county.index) & ~p["household_id"].isin(used)
        pc = p["household_id"].map(county)
        has_acc = p["bank_account"].astype("str").str.len() > 0
        counties = sorted(pc.dropna().unique())
        if len(counties) < 2:
            return
        ca, cb = counties[0], counties[1]
        # one payee paid for one measure and year in two counties: a copy booked to a household of cb
        ok = to_hh & (pc == ca) & p["payee_id_number"].notna() & p["measure"].notna() & (p["amount"] > 0)
        ok &= p["payee_id_number"].astype("str").str.len() == 18
        cand = np.flatnonzero(ok.to_numpy())
        hb = h.loc[(h["village_code"].astype("str").str.slice(0, 6) == cb) & ~h["household_id"].isin(used)]
        if len(cand) and len(hb):
            src = p.iloc[int(cand[self._pick(len(cand))])]
            dest = hb.iloc[self._pick(len(hb))]
            copy = src.copy()
            copy["payment_id"] = f"{src['payment_id']}B"
            copy["household_id"] = dest["household_id"]
            copy["bank_account"] = dest["bank_account"]
            p = pd.concat([p, copy.to_frame().T.astype(p.dtypes.to_dict())], ignore_index=True)
            used.update({str(src["household_id"]), str(dest["household_id"]), str(src["payee_id_number"])})
            self._add(
                year,
                "payment_two_counties",
                id_number=src["payee_id_number"],
                payment_id=copy["payment_id"],
                other_payment_id=src["payment_id"],
                household_id=dest["household_id"],
                county=cb,
                other_household_id=src["household_id"],
                other_county=ca,
            )
        pc = p["household_id"].map(county)
        to_hh = p["household_id"].astype("str").isin(county.index) & ~p["household_id"].isin(used)
        has_acc = p["bank_account"].astype("str").str.len() > 0
        # one account paid for households of two counties
        pa = np.flatnonzero((to_hh & has_acc & (pc == ca)).to_numpy())
        pb = np.flatnonzero((to_hh & has_acc & (pc == cb)).to_numpy())
        if len(pa) and len(pb):
            i, j = int(pa[self._pick(len(pa))]), int(pb[self._pick(len(pb))])
            account = p["bank_account"].iat[i]
            p.loc[p.index[j], "bank_account"] = str(account)
            used.update({str(p["household_id"].iat[i]), str(p["household_id"].iat[j])})
            self._add(
                year,
                "account_two_counties",
                bank_account=account,
                payment_id=p["payment_id"].iat[j],
                other_payment_id=p["payment_id"].iat[i],
                household_id=p["household_id"].iat[j],
                county=cb,
                other_household_id=p["household_id"].iat[i],
                other_county=ca,
            )
        # one payment_id in two counties
        pc = p["household_id"].map(county)
        to_hh = p["household_id"].astype("str").isin(county.index) & ~p["household_id"].isin(used)
        pa = np.flatnonzero((to_hh & (pc == ca)).to_numpy())
        pb = np.flatnonzero((to_hh & (pc == cb)).to_numpy())
        if len(pa) and len(pb):
            i, j = int(pa[self._pick(len(pa))]), int(pb[self._pick(len(pb))])
            key = p["payment_id"].iat[i]
            p.loc[p.index[j], "payment_id"] = str(key)
            used.update({str(p["household_id"].iat[i]), str(p["household_id"].iat[j])})
            self._add(
                year,
                "duplicate_payment_id",
                payment_id=key,
                household_id=p["household_id"].iat[j],
                county=cb,
                other_household_id=p["household_id"].iat[i],
                other_county=ca,
            )
        tables["payments"] = p

    # ---- G3, G4: roster ----------------------------------------------------------------------

    def _roster(self, year: int, tables: dict[str, pd.DataFrame], used: set[str]) -> None:
        d, m, v = tables["dibao"], tables["members"], tables["villages"]
        county = self._county_of(tables)
        person = m[current_mask(m)].drop_duplicates("id_number").set_index("id_number")
        code = d["village_code"].astype("str")
        once = ~d["id_number"].duplicated(keep=False) & d["id_number"].isin(person.index)
        same_name = d["name"].to_numpy() == person["name"].reindex(d["id_number"]).to_numpy()
        ok = once & (code.str.len() == 12) & same_name & ~d["id_number"].isin(used)
        # the same person on the roster of another county (a new record)
        cand = np.flatnonzero((ok & (d["program"] == "农村低保")).to_numpy())
        if len(cand):
            src = d.iloc[int(cand[self._pick(len(cand))])]
            home = str(src["village_code"])[:6]
            away = v[v["village_code"].astype("str").str.slice(0, 6) != home]
            if len(away):
                dest = away.iloc[self._pick(len(away))]
                copy = src.copy()
                copy["record_id"] = f"{src['record_id']}X"
                copy["village_code"] = dest["village_code"]
                copy["village_name"] = dest["village_name"]
                copy["family_ref"] = f"{src['family_ref']}X"
                d = pd.concat([d, copy.to_frame().T.astype(d.dtypes.to_dict())], ignore_index=True)
                used.add(str(src["id_number"]))
                self._add(
                    year,
                    "roster_duplicate",
                    id_number=src["id_number"],
                    record_id=copy["record_id"],
                    county=str(dest["village_code"])[:6],
                    other_county=home,
                )
        # a roster row with neither village code nor ID, whose name is unique in the counties of its village name
        names_in = m[current_mask(m)].assign(county=m["household_id"].map(county))
        vkey = v.assign(county=v["village_code"].astype("str").str.slice(0, 6))
        ok = once & (d["village_code"].astype("str").str.len() == 12) & ~d["id_number"].isin(used)
        ok &= d["name"].to_numpy() == person["name"].reindex(d["id_number"]).to_numpy()
        for i in np.flatnonzero(ok.to_numpy()):
            r = d.iloc[i]
            cands = set(vkey.loc[vkey["village_name"] == r["village_name"], "county"])
            if (names_in["county"].isin(cands) & (names_in["name"] == r["name"])).sum() != 1:
                continue
            hid = str(person.at[r["id_number"], "household_id"])
            self._add(
                year,
                "roster_no_village_no_id",
                id_number=r["id_number"],
                record_id=r["record_id"],
                household_id=hid,
                county=county[hid],
            )
            blank = d.index == d.index[int(i)]
            d.loc[blank, "village_code"] = ""
            d.loc[blank, "id_number"] = ""
            break
        tables["dibao"] = d.sort_values("record_id", kind="stable").reset_index(drop=True)

    def _no_village_truth(self, year: int, tables: dict[str, pd.DataFrame]) -> None:
        """Roster rows without a village code whose ID is a member's: placed in that member's county."""
        d, m = tables["dibao"], tables["members"]
        county = self._county_of(tables)
        cur = current_mask(m).to_numpy()
        order = np.lexsort((np.arange(len(m)), ~cur))  # a current row first, as G3 matches
        hh = m.iloc[order].drop_duplicates("id_number").set_index("id_number")["household_id"]
        rows = d[(d["village_code"].astype("str") == "") & d["id_number"].isin(hh.index)]
        for r in rows.itertuples():
            hid = str(hh[str(r.id_number)])
            self._add(
                year,
                "roster_no_village",
                id_number=r.id_number,
                record_id=r.record_id,
                household_id=hid,
                county=county[hid],
            )
