"""Missing-value markers typed for pandas-stubs.

pandas 3 takes ``pd.NA`` / ``pd.NaT`` as the ``other`` of ``where``, the value of ``replace``, an
``assign`` column or a ``Series.__setitem__`` value; pandas-stubs types those arguments without them.
``NA`` and ``NaT`` are the same objects, typed ``Any``, so those calls type-check unchanged.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

NA: Any = pd.NA
NaT: Any = pd.NaT
