"""Four county datasets of one prefecture (黄冈市 4211xx) and the same rows as one whole folder.

Until ``jingzhun sample --counties N`` exists this builds the province from four county
samples (``sample.build`` with ``county=``), each with its own seed, settings and files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jingzhun.params import Params
from jingzhun.province.ingest import _county_toml
from jingzhun.sample.build import build

COUNTIES = ("421121", "421122", "421123", "421124")
YEARS = [2015, 2016]


def county_sources(root: Path, households: int = 12) -> list[Path]:
    """One dataset folder per county under ``root``."""
    out = []
    for i, code in enumerate(COUNTIES):
        d = root / f"src-{code}"
        d.mkdir(parents=True)
        build(d, households, YEARS, 2016 + i, county=code, roster_noise=0.15)
        _own_keys(d, code)
        out.append(d)
    _across_counties(root)
    return out


# The record and payment added by :func:`_across_counties` (checked by the tests).
ROSTER_ELSEWHERE = "421121MZX000001"
ACCOUNT_REPEAT = "421122PZX000001"
NO_CADRES = "421124"


def _read(f: Path) -> pd.DataFrame:
    return pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _write(df: pd.DataFrame, f: Path) -> None:
    f.write_bytes(b"\xef\xbb\xbf" + df.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def _across_counties(root: Path) -> None:
    """Cases only a run across counties sees, each judged per county (domain: the county's rules):

    - a 低保 roster row of 421121 (its village) naming a current member of 421122 (ROSTER_ELSEWHERE);
    - a payment in 421122 from the bank account of a 421121 household, for the same measure and
      year, for another household (ACCOUNT_REPEAT: the audit's account rule, across counties);
    - 421124 with no cadre and households without a pairing in force (NO_CADRES: cadres serve in
      their own county, so those stay unpaired in a whole-folder run too).
    """
    year = str(YEARS[-1])
    a, b = root / "src-421121" / year, root / "src-421122" / year
    roster, members = _read(a / "dibao.csv"), _read(b / "members.csv")
    person = members[(members["relation"] == "户主") & (members["change_reason"] == "")].iloc[0]
    row = roster[roster["village_code"] != ""].iloc[0].copy()
    row["record_id"], row["id_number"], row["name"] = ROSTER_ELSEWHERE, person["id_number"], person["name"]
    row["family_ref"], row["relation"] = "421121MZHX00001", "户主"
    _write(pd.concat([roster, row.to_frame().T], ignore_index=True), a / "dibao.csv")

    pay_a, pay_b, homes_b = _read(a / "payments.csv"), _read(b / "payments.csv"), _read(b / "households.csv")
    recurring = set(Params.load().get("audit.recurring_measures"))
    once = pay_a[(pay_a["household_id"] != "") & (pay_a["stage"] == "一次性") & (pay_a["measure"] != "")]
    once = once[~once["measure"].isin(recurring) & (once["bank_account"] != "")]
    first = once.iloc[0].copy()
    home = homes_b.iloc[0]
    first["payment_id"], first["household_id"] = ACCOUNT_REPEAT, home["household_id"]
    first["payee_name"], first["payee_id_number"] = home["head_name"], home["head_id_number"]
    first["pay_date"] = year + "-12-20"
    _write(pd.concat([pay_b, first.to_frame().T], ignore_index=True), b / "payments.csv")

    for y in YEARS:
        c = root / f"src-{NO_CADRES}" / str(y)
        _write(_read(c / "cadres.csv").iloc[0:0], c / "cadres.csv")
        homes = _read(c / "households.csv")
        homes["cadre_id"] = ""
        _write(homes, c / "households.csv")


# Keys a county sample numbers from 1 (project, payment, roster record, family, cadre): each
# county's get its code in front, as a province's counties' keys are distinct (G6 reports those that are not).
_KEYS = {
    "projects": ("project_id",),
    "payments": ("payment_id", "project_id"),
    "dibao": ("record_id", "family_ref"),
    "cadres": ("cadre_id",),
    "households": ("cadre_id",),
}


def _own_keys(d: Path, code: str) -> None:
    for year in YEARS:
        for table, cols in _KEYS.items():
            f = d / str(year) / f"{table}.csv"
            df = pd.read_csv(f, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            for c in cols:
                df[c] = df[c].where(df[c] == "", code + df[c])
            _write(df, f)


def whole_folder(sources: list[Path], dest: Path) -> Path:
    """The sources' rows in one dataset folder (each table's files concatenated, one header)."""
    for year in YEARS:
        (dest / str(year)).mkdir(parents=True)
        for f in sorted((sources[0] / str(year)).glob("*.csv")):
            parts = [
                (s / str(year) / f.name).read_text(encoding="utf-8-sig").splitlines(keepends=True) for s in sources
            ]
            text = parts[0][0] + "".join(line for p in parts for line in p[1:])
            (dest / str(year) / f.name).write_text(text, encoding="utf-8-sig")
    # the county is derived from the village codes (four counties: their prefecture), the issuer kept
    (dest / "jingzhun.toml").write_bytes(_county_toml((sources[0] / "jingzhun.toml").read_bytes(), ""))
    return dest
