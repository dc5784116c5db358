"""Look-ups that hash the smaller side give what Arrow's ``index_in`` gives."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from jingzhun.identify.members import first_positions


def _expected(keys: pa.Array, values: pa.Array, skip_nulls: bool) -> np.ndarray:
    at = pc.index_in(keys, value_set=values, skip_nulls=skip_nulls).fill_null(-1)
    return np.asarray(at.to_numpy(zero_copy_only=False), dtype=np.int64)


def _texts(rng: np.random.Generator, n: int, alphabet: int, null_share: float) -> pa.Array:
    words = [f"k{int(i)}" for i in rng.integers(0, alphabet, n)]
    mask = rng.random(n) < null_share
    return pa.array([None if m else w for w, m in zip(words, mask, strict=True)], type=pa.large_string())


@pytest.mark.parametrize("skip_nulls", [True, False])
@pytest.mark.parametrize(("n_keys", "n_values"), [(5, 400), (40, 4000), (300, 301), (1, 50), (0, 20), (30, 0)])
def test_first_positions_match_index_in_either_way_round(n_keys: int, n_values: int, skip_nulls: bool) -> None:
    rng = np.random.default_rng(n_keys * 1000 + n_values)
    for trial in range(20):
        keys = _texts(rng, n_keys, alphabet=60, null_share=0.1 if trial % 2 else 0.0)
        values = _texts(rng, n_values, alphabet=60, null_share=0.05 if trial % 3 else 0.0)
        got = first_positions(keys, values, skip_nulls=skip_nulls)
        np.testing.assert_array_equal(got, _expected(keys, values, skip_nulls))


def test_the_first_equal_value_wins_and_a_repeated_key_answers_alike() -> None:
    values = pa.array(["a", "b", None, "a", "c", None, "b"] * 10, type=pa.large_string())
    keys = pa.array(["b", "x", "a", "b", None], type=pa.large_string())  # 70 values > 2 × 5 keys: probed
    assert first_positions(keys, values, skip_nulls=False).tolist() == [1, -1, 0, 1, 2]
    assert first_positions(keys, values, skip_nulls=True).tolist() == [1, -1, 0, 1, -1]


def test_chunked_inputs() -> None:
    values = pa.chunked_array([["a", "b"], ["c", "a", "d", "e", "f", "g"]], type=pa.large_string())
    keys = pa.chunked_array([["d"], ["a", "z"]], type=pa.large_string())
    assert first_positions(keys, values, skip_nulls=True).tolist() == [4, 0, -1]
