"""File and folder names built from data values (village codes, township codes, unit codes).

Every name jingzhun derives from a value in the user's tables goes through
:func:`safe_filename`, so that no value can name a path outside the output folder or
one that Windows or macOS cannot hold:

- a value made only of ASCII digits, lower-case ASCII letters, CJK ideographs and ``-``,
  with at least one digit or ideograph, at most :data:`MAX_PLAIN` characters and not a
  Windows device name (``com1``, ``lpt9``, …), is used as it is (well-formed village and
  township codes always are);
- anything else (``..``, ``/``, ``\\``, ``:``, NUL and other control characters, a
  leading dot, trailing dots or spaces, upper-case letters, an empty or very long value,
  ``CON``, a word such as ``index`` that could meet a file jingzhun names itself) becomes
  its safe characters (at most :data:`PREFIX` of them) followed by ``_`` and the first
  :data:`HASH_LEN` hex digits of the SHA-1 of the value.

Plain names never contain ``_`` and hashed names always do, so two different values never
map to the same name (up to a SHA-1 prefix collision), also on a case-insensitive file
system: a plain name has no upper-case letter, and a hashed name's hash differs. Callers
may append a suffix beginning with ``_`` or ``.`` (``421121100_all.html``) without
meeting another value's name, as long as the suffix is not ``_`` + 12 hex digits.
"""

from __future__ import annotations

import hashlib
import re

MAX_PLAIN = 64  # characters (a CJK character is 3 bytes of the 255 a file name may hold)
PREFIX = 24  # safe characters kept in front of the hash
HASH_LEN = 12  # hex digits of SHA-1

# Ideographs: CJK Unified (with extension A), compatibility ideographs, extensions B-G (planes 2-3).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_SAFE_CHAR = re.compile(f"[0-9a-zA-Z{_CJK}-]")
_PLAIN = re.compile(f"(?=.*[0-9{_CJK}])[0-9a-z{_CJK}-]{{1,{MAX_PLAIN}}}")
_DEVICES = frozenset(
    ["con", "prn", "aux", "nul", "conin$", "conout$", "clock$"]
    + [f"{p}{n}" for p in ("com", "lpt") for n in [*"0123456789", "¹", "²", "³"]]
)


def safe_filename(value: object) -> str:
    """A file or folder name (without suffix) for ``value``: the value itself when it is
    plainly safe, else its safe characters + ``_`` + a short SHA-1 of it (deterministic)."""
    text = "" if value is None else str(value)
    if _PLAIN.fullmatch(text) and text not in _DEVICES:
        return text
    prefix = "".join(_SAFE_CHAR.findall(text))[:PREFIX]
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LEN]
    return f"{prefix}_{digest}"


def is_plain(value: object) -> bool:
    """True when :func:`safe_filename` uses ``value`` as it is."""
    return value is not None and safe_filename(value) == str(value)
