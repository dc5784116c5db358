"""Custom pandera checks, registered here and only here.

``jingzhun.schema.loader`` imports this module before it loads any ``schemas/*.yaml``
file, because pandera resolves a check name in YAML only when the check is already
registered (architecture.md, "Known traps"). The checks read their label lists from the
column registry (``jingzhun.tablespec``), so a label list exists in one place.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
from pandera import extensions

from jingzhun.tablespec import MULTI_SEPARATORS, enum_labels

# Names of the checks this module registers (the schema lint accepts them).
CUSTOM_CHECKS = ("isin_enum", "multi_isin_enum")


def _by_unique(values: pd.Series, ok_unique: Callable[[str], bool]) -> pd.Series:
    """Evaluate a per-label predicate once per distinct value and broadcast it back."""
    codes, uniques = pd.factorize(values)
    flags = [bool(ok_unique(u)) for u in uniques]
    out = pd.array(flags, dtype=bool).take(codes, allow_fill=True, fill_value=True) if len(flags) else codes < 0
    return pd.Series(out, index=values.index, dtype=bool)


@extensions.register_check_method(statistics=["table", "column"], check_type="vectorized")
def isin_enum(pandas_obj: pd.Series, *, table: str, column: str) -> pd.Series:
    """Every value is one of the registry's labels for ``table.column`` (an empty cell passes).
    A hash look-up into the labels (Arrow's ``is_in`` for text): no factorizing of the column."""
    ok = pandas_obj.isin(list(enum_labels(table, column))) | pandas_obj.isna()
    return pd.Series(ok.to_numpy(dtype=bool), index=pandas_obj.index, dtype=bool)


def multi_labels(value: str) -> list[str]:
    """The labels of one ``multi`` value (separators of data-contract §2)."""
    return [p.strip() for p in re.split(MULTI_SEPARATORS, str(value)) if p.strip()]


@extensions.register_check_method(statistics=["table", "column"], check_type="vectorized")
def multi_isin_enum(pandas_obj: pd.Series, *, table: str, column: str) -> pd.Series:
    """Every label of a ``multi`` value (``残疾,长期慢性病`` …) is one of the registry's labels."""
    labels = set(enum_labels(table, column))
    return _by_unique(pandas_obj, lambda v: all(p in labels for p in multi_labels(v)))
