"""Chinese-aware name keys and similarity, vectorised.

Names on the 民政 roster and in the register differ by traditional forms (張偉/张伟),
variant characters (峯/峰), homophones typed by ear (张伟/张玮), the separator dot of
minority names (阿依古丽·买买提) and stray spaces. Every per-character conversion
(OpenCC traditional→simplified, the variant table, pypinyin) is computed once per
distinct character and applied to whole columns with Arrow kernels, so the Python
cost grows with the alphabet, not with the number of names.

A name is compared on its first ``max_length`` characters (parameter
``match.name_max_length``, default :data:`MAX_LENGTH`): the cost of the per-position
kernels grows with the longest name, and one hostile 5 MB cell must not stall the run.
The caller reports longer names (``M-NAME-TOO-LONG``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

# Variant characters (异体字) common in rural name records that OpenCC t2s leaves alone.
VARIANTS: dict[str, str] = {
    "峯": "峰",
    "羣": "群",
    "㑹": "会",
    "囯": "国",
    "隂": "阴",
    "甯": "宁",
    "寕": "宁",
    "栢": "柏",
    "綫": "线",
    "菓": "果",
    "祕": "秘",
    "啓": "启",
    "衆": "众",
    "迺": "乃",
    "喆": "哲",
    "堃": "坤",
    "昇": "升",
    "淸": "清",
    "兎": "兔",
    "嶽": "岳",
    "凖": "准",
    "滙": "汇",
    "珎": "珍",
    "姉": "姊",
    "銹": "锈",
    "秊": "年",
    "朶": "朵",
    "冨": "富",
    "脩": "修",
    "玅": "妙",
    "畧": "略",
    "覩": "睹",
    "叚": "假",
    "敍": "叙",
    "敘": "叙",
    "鷄": "鸡",
    "雞": "鸡",
    "邨": "村",
    "粧": "妆",
    "巖": "岩",
    "崑": "昆",
    "侷": "局",
}

# Characters that separate the parts of a name and carry no meaning for matching.
_SEPARATORS = "·•・‧．.。-－_ 　\t"

# Dialect-tolerant pinyin: zh/z, ch/c, sh/s, -ng/-n and n/l are merged (Hubei speech).
_LOOSE = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("ng", "n"), ("l", "n")]

MAX_LENGTH = 50  # characters of a name that take part in matching

SCORE_EXACT = 1.0
SCORE_PINYIN = 0.95
SCORE_LOOSE = 0.88
SCORE_FUZZY_WEIGHT = 0.85


@functools.cache
def _t2s() -> Any:
    """OpenCC's traditional→simplified converter (imported here: loading it costs start-up time)."""
    from opencc import OpenCC

    return OpenCC("t2s")


@functools.lru_cache(maxsize=200_000)
def _char_simplified(c: str) -> str:
    if c in _SEPARATORS:
        return ""
    code = ord(c)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII
        c = chr(code - 0xFEE0)
    c = VARIANTS.get(c, c)
    if "\u3400" <= c <= "\u9fff" or "\U00020000" <= c <= "\U0002ffff":
        c = _t2s().convert(c)
        c = VARIANTS.get(c, c)
    return c.lower() if c.isascii() else c


@functools.lru_cache(maxsize=200_000)
def _char_pinyin(c: str) -> str:
    if c.isascii():
        return c.lower()
    # pypinyin loads its dictionaries on import (about a second): only when a name is compared.
    from pypinyin import Style, lazy_pinyin

    py = lazy_pinyin(c, style=Style.NORMAL, errors="default")
    return "".join(py).lower()


def _as_str(s: pd.Series) -> pd.Series:
    return s if s.dtype == "str" else s.astype("str")


def _arrow(s: pd.Series) -> pa.Array:
    arr = pa.array(_as_str(s))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string())


def _series(arr: pa.Array, index: pd.Index) -> pd.Series:
    return pd.Series(arr, dtype="str", index=index)


def _map_chars(arr: pa.Array, convert: Callable[[str], str]) -> pa.Array:
    """Every character of every string through ``convert`` (one call per distinct character).

    Runs as Arrow kernels over character positions: slice position i of every string,
    look the characters up in the alphabet, take their images, join the positions back.
    NA stays NA.
    """
    if len(arr) == 0:
        return arr
    longest = pc.max(pc.utf8_length(arr)).as_py() or 0
    if longest == 0:
        return arr
    columns = [pc.utf8_slice_codeunits(arr, i, i + 1) for i in range(longest)]
    alphabet = pc.unique(pa.chunked_array(columns)).drop_null()
    images = pa.array([convert(c) if c else "" for c in alphabet.to_pylist()], type=pa.large_string())
    mapped = [pc.take(images, pc.index_in(col, value_set=alphabet)) for col in columns]
    return pc.binary_join_element_wise(*mapped, pa.scalar("", type=pa.large_string()))


def truncate(arr: pa.Array, max_length: int = MAX_LENGTH) -> pa.Array:
    """The first ``max_length`` characters of every string (NA stays NA)."""
    if len(arr) == 0 or (pc.max(pc.utf8_length(arr)).as_py() or 0) <= max_length:
        return arr
    return pc.utf8_slice_codeunits(arr, 0, max_length)


def too_long(names: pd.Series, max_length: int = MAX_LENGTH) -> pd.Series:
    """Boolean mask: names longer than ``max_length`` characters (compared truncated)."""
    return (_as_str(names).str.len() > max_length).fillna(False).astype(bool)


def _non_empty(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.greater(pc.utf8_length(arr), 0), arr, pa.scalar(None, type=pa.large_string()))


def normalize(names: pd.Series, max_length: int = MAX_LENGTH) -> pd.Series:
    """Simplified, variant-folded, separator-free names (NA stays NA, empty → NA), of at
    most ``max_length`` characters before folding."""
    return _series(_non_empty(_map_chars(truncate(_arrow(names), max_length), _char_simplified)), names.index)


def pinyin_key(normalized: pd.Series) -> pd.Series:
    """Tone-less pinyin of a normalised name: homophones share it (张伟, 张玮 → zhangwei)."""
    return _series(_map_chars(_arrow(normalized), _char_pinyin), normalized.index)


def _loose(arr: pa.Array) -> pa.Array:
    for a, b in _LOOSE:
        arr = pc.replace_substring(arr, a, b)
    return arr


def loose_key(pinyin: pd.Series) -> pd.Series:
    """Pinyin with dialect confusions merged (zh/z, ch/c, sh/s, -ng/-n, n/l)."""
    return _series(_loose(_arrow(pinyin)), pinyin.index)


def keys(names: pd.Series, max_length: int = MAX_LENGTH) -> pd.DataFrame:
    """``name_norm``, ``name_py`` and ``name_loose`` for a Series of raw names.

    Computed once per distinct name (names repeat a lot in a county) with Arrow kernels
    over character positions, then spread back; Python runs once per distinct character.
    Names are cut to their first ``max_length`` characters first.
    """
    enc = truncate(_arrow(names), max_length).dictionary_encode()
    norm = _non_empty(_map_chars(enc.dictionary, _char_simplified))
    py = _map_chars(norm, _char_pinyin)
    loose = _loose(py)
    idx = names.index
    return pd.DataFrame(
        {
            "name_norm": _series(pc.take(norm, enc.indices), idx),
            "name_py": _series(pc.take(py, enc.indices), idx),
            "name_loose": _series(pc.take(loose, enc.indices), idx),
        },
        index=idx,
    )


def similarity(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Element-wise similarity in [0, 1] of two aligned frames made by :func:`keys`.

    1.0 same normalised name; 0.95 same pinyin (homophone or variant); 0.88 same
    dialect-tolerant pinyin; otherwise 0.85 × the better rapidfuzz ratio of the
    characters and of the pinyin. A missing name scores 0.
    """
    n = len(a)
    if n == 0:
        return np.zeros(0)
    an, bn = a["name_norm"].to_numpy(dtype=object), b["name_norm"].to_numpy(dtype=object)
    ap, bp = a["name_py"].to_numpy(dtype=object), b["name_py"].to_numpy(dtype=object)
    al, bl = a["name_loose"].to_numpy(dtype=object), b["name_loose"].to_numpy(dtype=object)
    missing = pd.isna(an) | pd.isna(bn)
    an = np.where(missing, "", an)
    bn = np.where(missing, "", bn)
    ap = np.where(missing, "", ap)
    bp = np.where(missing, "", bp)
    al = np.where(missing, "", al)
    bl = np.where(missing, "", bl)
    score = np.zeros(n)
    rest = ~missing
    eq = rest & (an == bn)
    score[eq] = SCORE_EXACT
    rest &= ~eq
    pyeq = rest & (ap == bp)
    score[pyeq] = SCORE_PINYIN
    rest &= ~pyeq
    looseeq = rest & (al == bl)
    score[looseeq] = SCORE_LOOSE
    rest &= ~looseeq
    if rest.any():
        chars = cpdist(list(an[rest]), list(bn[rest]), scorer=fuzz.ratio, workers=1)
        sounds = cpdist(list(ap[rest]), list(bp[rest]), scorer=fuzz.ratio, workers=1)
        score[rest] = SCORE_FUZZY_WEIGHT * np.maximum(chars, sounds) / 100.0
    return score
