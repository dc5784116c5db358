"""``jingzhun sample`` at the smallest sizes: an empty draw (no crosscheck hits, no deaths) is no crash."""

from __future__ import annotations

import numpy as np
import pytest

from jingzhun.sample.build import build
from jingzhun.sample.numtext import zfill


def test_zfill_matches_numpy_and_accepts_empty():
    values = np.array([0, 7, 12345, 999999])
    assert zfill(values.astype(str), 5).tolist() == np.char.zfill(values.astype(str), 5).tolist()
    assert zfill(np.array([], dtype=np.int64).astype(str), 5).tolist() == []


@pytest.mark.parametrize(
    ("households", "dirty", "anomalies"),
    [
        (10, 0.0, 0.0),  # no crosscheck hit drawn: np.char.zfill on an empty array raised
        (30, 0.0, 0.0),
        (10, 0.05, 0.0),  # no member picked for a fake ID
        (10, 0.0, 0.05),  # no head paid before death: mapping an empty Series raised
    ],
)
def test_tiny_samples_are_written(tmp_path, households, dirty, anomalies):
    counts = build(tmp_path, households, [2015, 2016], 2016, dirty_rate=dirty, anomaly_rate=anomalies)
    assert set(counts) == {2015, 2016}
    assert all(c["households"] == households for c in counts.values())
    assert (tmp_path / "2016" / "households.csv").is_file()
