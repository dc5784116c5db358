"""Shared fixtures. Paths are built from this file, never from the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA_SAMPLE = ROOT / "data-sample"


@pytest.fixture
def data_sample() -> Path:
    return DATA_SAMPLE


@pytest.fixture(autouse=True)
def _zh_default():
    """Each test starts in Chinese, whatever an earlier test set."""
    from jingzhun.i18n import set_lang

    set_lang("zh")
    yield
    set_lang("zh")
