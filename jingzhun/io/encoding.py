"""A CSV encoding given with ``--encoding`` is checked before the file is read.

A wrong encoding would otherwise turn every Chinese cell into garbled text and every
such cell into a finding. Latin-1 and other single-byte code pages decode any bytes, so
"decodes cleanly" also means: Chinese text comes out where the file has Chinese text.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from jingzhun.errors import InputError
from jingzhun.i18n import t
from jingzhun.tablespec import CSV_SUFFIXES

SAMPLE_BYTES = 1 << 20
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CHINESE_CODECS = (
    "utf_8",
    "utf_8_sig",
    "gbk",
    "gb18030",
    "gb2312",
    "hz",
    "big5",
    "big5hkscs",
    "cp950",
    "cp936",
    "utf_16",
    "utf_16_le",
    "utf_16_be",
)


def _decoded(raw: bytes, encoding: str, final: bool) -> str | None:
    """``raw`` decoded strictly (a character cut at the end of a sample is not an error); None when it fails."""
    try:
        return codecs.getincrementaldecoder(encoding)("strict").decode(raw, final=final)
    except UnicodeDecodeError:
        return None


def likely_encoding(raw: bytes, final: bool) -> str | None:
    """The encoding a Chinese CSV of these bytes is in (UTF-8 or GBK), None when neither decodes it."""
    for enc in ("utf-8", "gb18030"):
        text = _decoded(raw, enc, final)
        if text is not None and _CJK.search(text):
            return "utf-8" if enc == "utf-8" else "gbk"
    return None


def check_encoding(path: Path, encoding: str) -> None:
    """Refuse ``path`` when the given encoding does not read its text: a strict decoding error,
    or non-ASCII bytes that decode to no Chinese character while UTF-8 or GBK reads Chinese."""
    if path.suffix.lower() not in CSV_SUFFIXES:
        return
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return  # the reader names an unknown encoding
    with open(path, "rb") as f:
        raw = f.read(SAMPLE_BYTES + 1)
    final = len(raw) <= SAMPLE_BYTES
    raw = raw[:SAMPLE_BYTES]
    if raw.isascii():
        return
    text = _decoded(raw, name, final)
    likely = likely_encoding(raw, final)
    if text is not None and (_CJK.search(text) or name.replace("-", "_") in _CHINESE_CODECS or likely is None):
        return
    seems = t(f", 文件看起来是 {likely} 编码", f"; the file looks like {likely}") if likely else ""
    raise InputError(
        t(
            f"{path} 不能按 {encoding} 编码读取: 读出的中文会是乱码{seems}",
            f"{path} cannot be read as {encoding}: its Chinese text would come out garbled{seems}",
        ),
        t(
            f"请去掉 --encoding (自动识别), 或用 --encoding {likely or 'gbk'}; 常见的是 gbk 和 utf-8",
            f"leave out --encoding (it is detected), or use --encoding {likely or 'gbk'}; gbk and utf-8 are "
            f"the usual ones",
        ),
    )
