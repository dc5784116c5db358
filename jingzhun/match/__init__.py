"""低保 linkage: the register against the 民政 低保/特困 roster (``jingzhun match``)."""

from jingzhun.match.core import METHODS, MatchResult, match

__all__ = ["METHODS", "MatchResult", "match"]
