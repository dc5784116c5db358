"""jingzhun (精准): data toolkit for county poverty-alleviation work."""

__version__ = "0.1.0"
