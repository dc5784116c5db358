"""Shared fixtures. Paths are built from this file, never from the working directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA_SAMPLE = ROOT / "data-sample"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="rewrite tests/golden/* from what the code renders now (review the diff before committing)",
    )


def regen_requested(config: pytest.Config) -> bool:
    """``--regen-golden``, or the older ``JINGZHUN_REGEN_GOLDEN=1`` environment variable."""
    return bool(config.getoption("--regen-golden")) or os.environ.get("JINGZHUN_REGEN_GOLDEN") == "1"


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
