"""团风县 as a dataset's jingzhun.toml names it (the packaged defaults name no county)."""

from __future__ import annotations

from pathlib import Path

from jingzhun.params import Params

TOML = Path(__file__).resolve().parent.parent / "data-sample" / "jingzhun.toml"


def tuanfeng(p: Params | None = None) -> Params:
    """``p`` (default: the packaged parameters) with data-sample's [county] table merged as a run file would."""
    p = p if p is not None else Params.load()
    county = Params.load(None, TOML)
    for name in county.values:
        if name.startswith("county."):
            p.values[name] = county.values[name]
            p.origins[name] = county.origins[name]
    return p
