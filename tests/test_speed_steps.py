"""Issue 14 (speed) in identify, match and audit: the same results without the work they did not need."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import match_frames as mf
import pandas as pd
import pytest
from frames import table_frame
from typer.testing import CliRunner

from jingzhun.audit import register as audit_register
from jingzhun.audit.pipeline import audit_year
from jingzhun.audit.register import build_register
from jingzhun.cli import app
from jingzhun.identify.core import household_results
from jingzhun.match import prepare
from jingzhun.params import Params


def test_income_ranges_read_without_pandera() -> None:
    """The range rules come from schemas/households.yaml without importing pandera (a second of CPU)."""
    code = (
        "import sys; from jingzhun.identify.income import input_ranges; r = input_ranges(); "
        "print('pandera' in sys.modules, r['household_size'], r['wage_income'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().split(maxsplit=1) == ["False", "(1.0, 20.0) (0.0, 100000000.0)"]


def test_person_birth_formats_dates_only_without_an_id(monkeypatch: pytest.MonkeyPatch) -> None:
    """The birth key comes from the ID; the birth date column is formatted only for rows without one."""
    from pandas.core.indexes.accessors import DatetimeProperties

    formatted: list[int] = []
    real = DatetimeProperties.strftime

    def counting(self: Any, fmt: str) -> pd.Series:
        formatted.append(len(self._parent))
        return real(self, fmt)

    monkeypatch.setattr(DatetimeProperties, "strftime", counting)
    m = mf.members(id_number=[mf.A1, None, mf.A3, mf.B1, mf.B2, mf.C1, mf.D1, mf.D2])
    m["birth_date"] = pd.Series(["1970-01-01", "1972-02-02", *[None] * 6], index=m.index, dtype="datetime64[ns]")
    per = prepare.persons(mf.households(), m)
    assert per["birth"].tolist()[:3] == ["19700101", "19720202", "19950303"]
    assert formatted == [1]


def test_household_of_person_hashes_only_the_asked_members(monkeypatch: pytest.MonkeyPatch) -> None:
    """First listed member row wins, unknown IDs give NA; the look-up's value set is only the members asked for."""
    members = table_frame(
        "members",
        household_id=["H1", "H2", "H3", "H4"],
        id_number=[mf.A1, mf.A2, mf.A1, mf.B1],
        name=["甲", "乙", "丙", "丁"],
    )
    reg = build_register(None, members, None, None, [])
    sizes: list[int] = []
    real = audit_register.positions

    def recording(keys: pd.Series, values: pd.Series) -> Any:
        sizes.append(len(values))
        return real(keys, values)

    monkeypatch.setattr(audit_register, "positions", recording)
    got = reg.household_of_person(pd.Series([mf.A1, "nobody", mf.B1, None], dtype="str"))
    assert got.isna().tolist() == [False, True, False, True]
    assert got[[0, 2]].tolist() == ["H1", "H4"]
    assert sizes == [3]  # A1 twice and B1, not all four member rows


class Recording:
    """A serial executor that keeps what it was given."""

    jobs = 2
    shares_memory = True

    def __init__(self) -> None:
        self.submitted: list[tuple[Any, ...]] = []
        self.mapped: list[Any] = []

    def map(self, fn: Any, items: Any) -> list[Any]:
        units = list(items)
        self.mapped.append(fn)
        return [fn(u) for u in units]

    def submit(self, fn: Any, /, *args: Any) -> Future[Any]:
        self.submitted.append(args)
        f: Future[Any] = Future()
        f.set_result(fn(*args))
        return f

    def close(self) -> None:
        return None

    def terminate(self) -> None:
        return None


def _year_frames(data_sample: Path) -> tuple[dict[str, pd.DataFrame], Params, int]:
    from jingzhun.audit.pipeline import TABLES
    from jingzhun.county import settle
    from jingzhun.dataset import Dataset, load_year

    ds = Dataset.open(data_sample)
    year = ds.resolve_year(None)
    params = Params.load(ds.root, None)
    yd = load_year(ds, year, TABLES)
    settle(params, yd.frames)
    return yd.frames, params, year


def test_audit_units_carry_only_what_they_read(data_sample: Path) -> None:
    """The eligibility unit gets the columns it reads, the check units a register without member rows;
    the report is the one the full frames give."""
    from jingzhun.audit.pipeline import eligibility_frames

    frames, params, year = _year_frames(data_sample)
    narrow = eligibility_frames(frames)
    assert set(narrow) <= {"households", "members", "crosscheck"}
    assert len(narrow["members"].columns) < len(frames["members"].columns)
    assert household_results(narrow, params, year).equals(household_results(frames, params, year))
    ex = Recording()
    report = audit_year(frames, params, year, executor=ex)
    sent = ex.submitted[0][0]
    assert set(sent["members"].columns) <= {"_row", "household_id", "id_number", "name", "change_reason"}
    inputs = ex.mapped[0].keywords["inputs"]
    assert len(inputs.reg.members) == 0 and len(inputs.reg.households) == 0
    serial = audit_year(frames, params, year)
    assert report.findings.equals(serial.findings)


def test_quiet_identify_lays_out_no_summary(tmp_path: Path, data_sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jingzhun.identify import cli as identify_cli

    def refuse(*_: object) -> None:
        raise AssertionError("summary laid out for a quiet run")

    monkeypatch.setattr(identify_cli, "_summary", refuse)
    r = CliRunner().invoke(app, ["identify", str(data_sample), "--out", str(tmp_path), "--no-xlsx", "-q"])
    assert r.exit_code in (0, 1), r.output
    assert (tmp_path / "identify" / "households.csv").is_file()


def test_join_by_sorts_in_arrow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Values joined per key in code point order (NA key dropped, NA value empty), without sorting
    Python string objects in pandas."""
    from jingzhun.match.frames import join_by

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("sorted in pandas")

    monkeypatch.setattr(pd.DataFrame, "sort_values", refuse)
    keys = pd.Series(["户2", "户1", None, "户1", "户2", "户1"], dtype="str")
    values = pd.Series(["张", "b", "x", None, "a", "A"], dtype="str")
    got = join_by(keys, values, "、")
    assert got.to_dict() == {"户1": "、A、b", "户2": "a、张"}
    assert got.dtype == "str" and got.index.dtype == "str"
