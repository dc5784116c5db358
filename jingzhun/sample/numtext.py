"""Number-to-text helpers of the sample generator."""

from __future__ import annotations

import numpy as np


def zfill(values: np.ndarray, width: int) -> np.ndarray:
    """``np.char.zfill`` that also takes an empty array (numpy's raises on a zero-size reduction)."""
    text = np.asarray(values).astype(str)
    if text.size == 0:
        return text
    return np.char.zfill(text, width)
