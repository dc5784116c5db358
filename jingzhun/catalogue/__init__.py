"""The finding catalogue: every code, its severity, zh/en message and policy basis.

One place for all codes (data-contract §3). Each area keeps its rules in a module of
this package (``validate``, ``identify``, ``match``, ``plan``, ``audit`` …); they are
merged here, and a duplicate code is an import-time error. Messages are
``str.format`` templates that may use ``{table} {row} {column} {value} {key} {detail}``.

Code prefixes: ``V-`` validation (reading, schema, cross-table), ``I-`` identification
and diff, ``M-`` 低保 matching, ``P-`` plans/notices, ``A-`` fund audit, ``R-`` run/report.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str  # error | warning | info
    zh: str
    en: str
    basis_zh: str = ""
    basis_en: str = ""

    def message_for(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def basis_for(self, lang: str) -> str:
        if lang == "en":
            return self.basis_en or self.basis_zh
        return self.basis_zh


def _load() -> dict[str, Rule]:
    merged: dict[str, Rule] = {}
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        for r in getattr(module, "RULES", []):
            if r.code in merged:
                raise RuntimeError(f"finding code {r.code} defined twice")
            if r.severity not in ("error", "warning", "info"):
                raise RuntimeError(f"finding code {r.code}: bad severity {r.severity}")
            merged[r.code] = r
    return merged


CATALOGUE: dict[str, Rule] = _load()
