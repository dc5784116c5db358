"""Small vectorised helpers over pyarrow-backed text columns."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _arrow(values: pd.Series | np.ndarray | Iterable) -> pa.Array:
    if isinstance(values, pd.Series):
        arr = pa.array(values.astype("str"))
        arr = (arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr).cast(pa.large_string())
    else:
        vals = list(values) if not isinstance(values, np.ndarray) else values.tolist()
        arr = pa.array(
            [None if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in vals],
            type=pa.large_string(),
        )
    return arr


def isin(s: pd.Series, values: pd.Series | np.ndarray | Iterable) -> np.ndarray:
    """Boolean mask of ``s`` values found in ``values`` (text compare; NA never matches)."""
    if len(s) == 0:
        return np.zeros(0, dtype=bool)
    vs = _arrow(values if isinstance(values, (pd.Series, np.ndarray)) else list(values))
    vs = pc.unique(vs.drop_null())
    if len(vs) == 0:
        return np.zeros(len(s), dtype=bool)
    out = pc.is_in(_arrow(s), value_set=vs)
    return out.to_numpy(zero_copy_only=False).astype(bool)


def join_by(keys: pd.Series, values: pd.Series, sep: str = ",") -> pd.Series:
    """Values joined per key (sorted by value), as a text Series indexed by key.

    Sorted and joined in Arrow (byte order of UTF-8 is code point order, as Python sorts
    text): sorting Python string objects cost a third of a second per call at 200k
    households."""
    k = _arrow(keys)
    v = pc.fill_null(_arrow(values), pa.scalar("", pa.large_string()))
    t = pa.table({"k": k, "v": v}).filter(pc.is_valid(k))
    if t.num_rows == 0:
        return pd.Series(dtype="str")
    t = t.take(pc.sort_indices(t, sort_keys=[("k", "ascending"), ("v", "ascending")]))
    ks, vs = t["k"].combine_chunks(), t["v"].combine_chunks()
    n = len(ks)
    change = pc.not_equal(ks.slice(1), ks.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(np.r_[True, np.asarray(change, dtype=bool)])
    offsets = pa.array(np.r_[starts, n].astype(np.int64), type=pa.int64())
    joined = pc.binary_join(pa.LargeListArray.from_arrays(offsets, vs), pa.scalar(sep, type=pa.large_string()))
    index = pd.Index(ks.take(pa.array(starts)).to_numpy(zero_copy_only=False), dtype="str")
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=index, dtype="str")


def joint_codes(*columns: pd.Series) -> list[np.ndarray]:
    """Integer codes of text columns over one shared dictionary (equal text, equal code; NA → -1).

    Lets the passes join and compare on int64 instead of text.
    """
    arrays = []
    for col in columns:
        a = pa.array(col.astype("str"))
        a = a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a
        arrays.append(a.cast(pa.large_string()))
    lengths = np.cumsum([len(a) for a in arrays])[:-1]
    enc = pa.concat_arrays(arrays).dictionary_encode()
    idx = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return np.split(idx, lengths)
