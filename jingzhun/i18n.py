"""The user's language: Chinese first, English with ``--lang en``."""

from __future__ import annotations

from contextvars import ContextVar

LANGS = ("zh", "en")
_lang: ContextVar[str] = ContextVar("jingzhun_lang", default="zh")


def set_lang(lang: str) -> None:
    _lang.set(lang if lang in LANGS else "zh")


def get_lang() -> str:
    return _lang.get()


def t(zh: str, en: str) -> str:
    """Pick the text for the current language."""
    return en if _lang.get() == "en" else zh
