"""The last check on what a notice prints (data-contract §6; issue 17 item 2).

Every value a notice can print (the rows, the unit and place names, the issuer and the
other shared texts) passes one scan before any template sees it:

- control characters and text-direction (bidi) characters are removed (tabs and line
  breaks become a space): they can make a printed name read differently from the data;
  a warning finding names the value;
- an 18- or 15-digit ID number, a mobile number, a 16–19 digit account number or a
  health word (parameter ``notice.health_words``) means the data is in the wrong column
  or holds what may never be posted: the notice of that unit is **not written**, an
  error finding says where (with the value masked) and ``jingzhun notice`` ends with
  exit code 3 after writing the other notices.

The published supervision phones (parameter ``supervision_phones``) are meant to be
printed: they are cleaned and checked for IDs, accounts and health words, not for
mobile numbers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from jingzhun.findings import DETAIL_WORDS, Findings, detail_text
from jingzhun.i18n import t
from jingzhun.render import mask_id, mask_phone

# C0/C1 controls (tab, LF, CR handled apart), bidi embeddings/overrides/isolates/marks,
# zero-width and byte-order characters, and the XML non-characters.
_STRIP = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufffe\uffff]"
)
_SPACE = re.compile("[\t\n\r]+")
# 15 to 19 digits, single spaces or dashes allowed between them (6222 0212 3456 7890).
_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){14,18}(?:[ -]?[Xx])?(?![0-9Xx])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])")

KIND_TEXT = DETAIL_WORDS  # private data kinds: id | mobile | account | health


def kind_text(kind: str) -> str:
    zh, en = KIND_TEXT[kind]
    return t(zh, en)


@dataclass(frozen=True)
class Hit:
    kind: str  # id | mobile | account | health
    shown: str  # the value masked, for the finding


def strip_controls(value: str) -> str:
    """``value`` without control and bidi characters (tabs and line breaks: one space)."""
    if value.isprintable() and "\u2028" not in value:
        return value
    return _STRIP.sub("", _SPACE.sub(" ", value))


def _mask_account(s: str) -> str:
    return s[:4] + "****" + s[-4:]


@dataclass(frozen=True)
class Scanner:
    """The scan of one notice run; ``health_words`` from the parameter ``notice.health_words``."""

    health_words: tuple[str, ...] = ()

    def hits(self, value: str, mobiles: bool = True) -> list[Hit]:
        """What in ``value`` may not be posted (NFKC-folded first: full-width digits count)."""
        folded = unicodedata.normalize("NFKC", value)
        found: list[Hit] = []
        for m in _LONG_NUMBER.finditer(folded):
            digits = re.sub("[ -]", "", m.group(0))
            if len(digits) in (15, 18):
                found.append(Hit("id", mask_id(digits)))
            else:
                found.append(Hit("account", _mask_account(digits)))
        if mobiles:
            found += [
                Hit("mobile", mask_phone(re.sub(r"[ -]|^\+?86", "", m.group(0)))) for m in _MOBILE.finditer(folded)
            ]
        lowered = folded.casefold()
        found += [Hit("health", w) for w in self.health_words if w and w.casefold() in lowered]
        return found


@dataclass
class ColumnScan:
    """One column's scan: the cleaned values, and per row the first private hit (or None)."""

    cleaned: pd.Series
    changed: pd.Series  # bool: control or bidi characters were removed
    hits: pd.Series  # object: Hit or None


def scan_column(values: pd.Series, scanner: Scanner, mobiles: bool = True) -> ColumnScan:
    """Scan the distinct texts of ``values`` once and map the results back."""
    text = values.astype("str")
    present = text.dropna()
    uniq = pd.unique(present.to_numpy(dtype=object))
    clean = {v: strip_controls(v) for v in uniq}
    first = {}
    for v in uniq:
        h = scanner.hits(clean[v], mobiles)
        first[v] = h[0] if h else None
    cleaned = text.map(clean).where(text.notna(), text) if len(uniq) else text
    changed = (cleaned != text).fillna(False).astype(bool)
    hits = (
        text.map(first).astype(object).where(text.notna(), None)
        if len(uniq)
        else pd.Series(None, index=text.index, dtype=object)
    )
    return ColumnScan(cleaned.astype("str"), changed, hits)


@dataclass
class Screened:
    """A scanned table: the cleaned frame, the units to withhold (code → reason) and findings."""

    frame: pd.DataFrame
    withheld: dict[str, str]
    findings: Findings


def screen_frame(
    df: pd.DataFrame, columns: Iterable[str], scanner: Scanner, *, table: str, unit: pd.Series, key: pd.Series
) -> Screened:
    """Clean and scan ``columns`` of ``df``; a private hit withholds the row's ``unit``."""
    out = df.copy()
    findings = Findings()
    withheld: dict[str, str] = {}
    for col in columns:
        if col not in out.columns:
            continue
        s = scan_column(out[col], scanner)
        out[col] = s.cleaned
        if s.changed.any():
            findings.add(
                "P-NOTICE-CONTROL-CHAR",
                table=table,
                column=col,
                key=key[s.changed],
                value=s.cleaned[s.changed],
                detail=unit[s.changed],
            )
        bad = s.hits.notna()
        if bad.any():
            hs = s.hits[bad]
            what = hs.map(lambda h: kind_text(h.kind))
            findings.add(
                "P-NOTICE-PRIVATE",
                table=table,
                column=col,
                key=key[bad],
                value=hs.map(lambda h: h.shown),
                detail=detail_text("private_notice_unit", "@" + hs.map(lambda h: h.kind).astype("str"), unit[bad]),
            )
            for u, w in zip(unit[bad], what, strict=True):
                withheld.setdefault(str(u), t(f"{col} 含{w}", f"{col} holds a {w}"))
    return Screened(out, withheld, findings)
