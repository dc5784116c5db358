"""Issue 14 (speed) in identify, match and audit: the same results without the work they did not need."""

from __future__ import annotations

import subprocess
import sys


def test_income_ranges_read_without_pandera() -> None:
    """The range rules come from schemas/households.yaml without importing pandera (a second of CPU)."""
    code = (
        "import sys; from jingzhun.identify.income import input_ranges; r = input_ranges(); "
        "print('pandera' in sys.modules, r['household_size'], r['wage_income'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().split(maxsplit=1) == ["False", "(1.0, 20.0) (0.0, 100000000.0)"]
