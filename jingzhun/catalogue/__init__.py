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
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str  # error | warning | info
    zh: str
    en: str
    basis_zh: str = ""
    basis_en: str = ""
    title_zh: str = ""
    title_en: str = ""

    def title_for(self, lang: str) -> str:
        """A short name for summaries: the given title (``titles.TITLES_ZH``/``TITLES_EN``, the audit
        ``TITLES``), else the message without its fields."""
        from jingzhun.catalogue.audit import TITLES
        from jingzhun.catalogue.titles import TITLES_EN, TITLES_ZH

        if lang == "en":
            given = self.title_en or TITLES_EN.get(self.code) or TITLES.get(self.code, ("", ""))[1]
            return given or derived_title(self.en)
        return self.title_zh or TITLES_ZH.get(self.code) or TITLES.get(self.code, ("", ""))[0] or derived_title(self.zh)

    def label_for(self, lang: str) -> str:
        """What a person reads for the code: its title, the code after it for lookup."""
        return f"{self.title_for(lang)} ({self.code})"

    def message_for(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def basis_for(self, lang: str) -> str:
        if lang == "en":
            return self.basis_en or self.basis_zh
        return self.basis_zh


_PLACE = re.compile(r"^[^:：]*\{(?:table|row|key)\}[^:：]*[:：]\s*")
_BRACKETED = re.compile(r"\s*[(（][^)）]*\{\w+\}[^)）]*[)）]")


def derived_title(template: str) -> str:
    """A message template as a title: no leading place ("{table} 第 {row} 行: "), no bracket
    holding a field, no fields, up to the first ";"."""
    s = _PLACE.sub("", template)
    s = _BRACKETED.sub("", s)
    s = re.sub(r"\{\w+\}", "", s).split(";")[0].split("; ")[0]
    s = re.sub(r"\s+", " ", s).strip(" :：,，.")
    return re.sub(r"\s+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])\s+", "", s) if s else template


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
