"""``jingzhun sample``: deterministic synthetic datasets (see :func:`build`)."""

from __future__ import annotations

from jingzhun.sample.build import build, parse_years

__all__ = ["build", "parse_years"]
