"""Forked workers: results come back, failures surface, and the work is the same in one process."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from jingzhun.parallel import Background, chunks, fork_map


def _square_all(part, *, offset):
    return [x * x + offset for x in part]


def _fail(x):
    raise ValueError(f"bad {x}")


def _die(x):
    os._exit(7)


def test_fork_map_keeps_chunk_order_with_any_number_of_jobs():
    items = list(range(23))
    for jobs in (1, 2, 3):
        parts = fork_map(_square_all, chunks(items, jobs), jobs, offset=1)
        got = sorted(x for p in parts for x in p)
        assert got == sorted(x * x + 1 for x in items)
    assert [len(c) for c in chunks(items, 2)] == [3, 3, 3, 3, 3, 3, 3, 2]


@pytest.mark.parametrize("enabled", [True, False])
def test_background_returns_the_value_or_raises_the_error(enabled):
    assert Background(pow, 3, 4, enabled=enabled).get() == 81
    with pytest.raises(ValueError, match="bad 5"):
        Background(_fail, 5, enabled=enabled).get()


def test_background_worker_that_dies_is_an_error():
    with pytest.raises(RuntimeError, match="exit code 7"):
        Background(_die, 1).get()


def test_audit_in_two_processes_equals_one(tmp_path):
    from jingzhun.audit.pipeline import TABLES, audit_year
    from jingzhun.dataset import Dataset, load_year
    from jingzhun.params import Params
    from jingzhun.sample.build import build

    build(tmp_path, households=200, years=[2016], seed=4, anomaly_rate=0.05)
    frames = load_year(Dataset.open(tmp_path), 2016, TABLES).frames
    params = Params.load(tmp_path)
    one = audit_year(frames, params, 2016, jobs=1)
    two = audit_year(frames, params, 2016)
    assert len(one.findings) > 5 and "A-PAYEE-INELIGIBLE" in set(one.findings["code"])
    pd.testing.assert_frame_equal(one.findings, two.findings)
    assert one.summary == two.summary
