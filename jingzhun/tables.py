"""The tables of data-contract §2 and their file names: defined in :mod:`jingzhun.tablespec`, re-exported here."""

from __future__ import annotations

from jingzhun.tablespec import (
    FILE_ALIASES,
    FILE_EXTENSIONS,
    REQUIRED_TABLES,
    TABLES,
    table_for_stem,
    table_title,
)

__all__ = ["FILE_ALIASES", "FILE_EXTENSIONS", "REQUIRED_TABLES", "TABLES", "table_for_stem", "table_title"]
