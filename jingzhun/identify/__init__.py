"""Identification, exit and dynamic management (issue 3).

Library API: :func:`jingzhun.identify.core.identify` → :class:`IdentifyResult`;
:func:`jingzhun.identify.diff.diff_years` → :class:`DiffResult`; helpers other areas
use: :mod:`jingzhun.identify.members` (current members, ages) and
:func:`jingzhun.identify.income.per_capita_income`.
"""
