"""Monitoring and assessment report (``jingzhun report``; issue 7).

Library API: :func:`jingzhun.report.model.build_report` → :class:`ReportModel`;
:func:`jingzhun.report.write.write_report` renders it; :mod:`jingzhun.report.inputs`
runs the other steps from typed frames (``step_inputs``, ``trend_years``).
"""

from jingzhun.report.model import ReportModel, build_report
from jingzhun.report.write import existing_links, write_report

__all__ = ["ReportModel", "build_report", "existing_links", "write_report"]
