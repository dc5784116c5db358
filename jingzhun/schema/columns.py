"""The column registry now lives in :mod:`jingzhun.tablespec`; this module re-exports it."""

from __future__ import annotations

from jingzhun.tablespec import *  # noqa: F403
from jingzhun.tablespec import _label_map, _numbered  # noqa: F401
