"""Income recomputation and member helpers (domain.md §1.4, data-contract §2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames import table_frame, with_columns

from jingzhun.identify.income import per_capita_income
from jingzhun.identify.members import OUTGOING_REASONS, age_on, current_mask
from jingzhun.params import Params


def money(*v):
    return pd.array(list(v), dtype="Float64")


def hh(**cols):
    n = len(next(iter(cols.values()))) if cols else 1
    base = table_frame(
        "households",
        n,
        household_id=[f"h{i}" for i in range(n)],
        household_size=[1] * n,
        wage_income=[0] * n,
        business_income=[0] * n,
        property_income=[0] * n,
        business_expense=[0] * n,
    )
    return with_columns(base, **cols)


@pytest.fixture
def params():
    return Params.load()


def test_national_record_example_excludes_pension(params):
    # domain.md §1.4: 6000+6000+1180+4205-1000 = 16385 / 4 = 4096.25; pension 4440 not counted
    h = hh(
        household_size=pd.array([4], dtype="Int64"),
        wage_income=money(6000),
        business_income=money(6000),
        property_income=money(1180),
        business_expense=money(1000),
        transfer_income=money(4205),
        pension_benefit=money(4440),
        eco_compensation=money(540),
        other_transfer=money(3665),
        per_capita_net_income=money(4096.25),
    )
    r = per_capita_income(h, params).iloc[0]
    assert r["per_capita_net_income"] == 4096.25
    assert r["transfer_counted"] == 4205
    assert r["transfer_all"] == 4205 + 4440
    assert r["transfer_source"] == "components"
    assert not r["income_mismatch"]


def test_counted_transfers_parameter_can_include_pension(params, tmp_path):
    cfg = tmp_path / "run.toml"
    cfg.write_text('[identify]\ncounted_transfers = ["pension_benefit", "other_transfer"]\n', encoding="utf-8")
    p = Params.load(None, cfg)
    h = hh(pension_benefit=money(100), other_transfer=money(10), dibao_benefit=money(1000))
    assert per_capita_income(h, p).iloc[0]["per_capita_net_income"] == 110
    assert per_capita_income(h, params).iloc[0]["per_capita_net_income"] == 1010


def test_only_total_transfer_used_as_is(params):
    h = hh(transfer_income=money(777))
    r = per_capita_income(h, params).iloc[0]
    assert r["per_capita_net_income"] == 777
    assert r["transfer_source"] == "total"


def test_divides_by_household_size_not_members(params):
    h = hh(household_size=pd.array([3], dtype="Int64"), wage_income=money(1000))
    assert per_capita_income(h, params).iloc[0]["per_capita_net_income"] == pytest.approx(333.33)


def test_missing_required_component_is_incomplete_not_zero(params):
    h = hh(wage_income=money(None, 5), business_expense=money(0, None))
    r = per_capita_income(h, params)
    assert list(r["income_complete"]) == [False, False]
    assert r["per_capita_net_income"].isna().all()
    assert r.loc[0, "missing_components"] == "wage_income"
    assert r.loc[1, "missing_components"] == "business_expense"


def test_missing_required_column_is_incomplete(params):
    h = hh().drop(columns=["property_income"])
    r = per_capita_income(h, params)
    assert not r["income_complete"].any()
    assert r.loc[0, "missing_components"] == "property_income"


def test_household_size_zero_gives_no_income(params):
    h = hh(household_size=pd.array([0, None], dtype="Int64"), wage_income=money(100, 100))
    r = per_capita_income(h, params)
    assert list(r["size_ok"]) == [False, False]
    assert r["per_capita_net_income"].isna().all()


@pytest.mark.parametrize(("reported", "mismatch"), [(101.0, False), (101.01, True), (98.99, True), (99.0, False)])
def test_reported_income_mismatch_tolerance(params, reported, mismatch):
    h = hh(wage_income=money(100), per_capita_net_income=money(reported))
    assert bool(per_capita_income(h, params).iloc[0]["income_mismatch"]) is mismatch


def test_current_mask_outgoing_reasons():
    reasons = [*OUTGOING_REASONS, "嫁入", "新生儿", "其他转入", None]
    m = pd.DataFrame({"change_reason": pd.Series(reasons, dtype="str")})
    assert list(current_mask(m)) == [False] * 5 + [True] * 4
    assert current_mask(pd.DataFrame({"x": [1, 2]})).all()


def test_age_on_birth_date_with_id_fallback():
    m = pd.DataFrame(
        {
            "id_number": pd.Series(["11010519491231002X", "421121201001011234", "110105491231002"], dtype="str"),
            "birth_date": pd.to_datetime([None, "2009-12-31", None]),
        }
    )
    # birth date wins over the ID; the 15-digit ID is upgraded for its birth date
    assert list(age_on(m, "2016-12-31")) == [67, 7, 67]
    assert list(age_on(m, "2016-12-30")) == [66, 6, 66]
    assert age_on(pd.Series(["bad"], dtype="str"), "2016-12-31").isna().all()


def test_total_beyond_itemised_components_still_counts(params):
    # total 800 with only the (not counted) pension 500 itemised: the other 300 counts
    h = hh(transfer_income=money(800), pension_benefit=money(500))
    r = per_capita_income(h, params).iloc[0]
    assert r["transfer_counted"] == 300
    assert r["transfer_all"] == 800
    assert r["transfer_source"] == "components+total"


@pytest.mark.parametrize("rows", [0, 1, 7, 200])
def test_names_where_joins_the_flagged_names_of_each_row_in_order(rows: int) -> None:
    from jingzhun.identify.income import names_where

    rng = np.random.default_rng(rows)
    names = ["wage_income", "business_income", "property_income", "business_expense"]
    flags = {n: rng.random(rows) < 0.3 for n in names}
    index = pd.RangeIndex(5, 5 + rows)
    got = names_where(flags, index)
    expected = [";".join(n for n in names if flags[n][i]) for i in range(rows)]
    assert got.tolist() == expected
    assert got.index.equals(index) and got.dtype == "str"
