"""Errors the core raises; the CLI turns them into one message and an exit code."""

from __future__ import annotations

# Exit codes of data-contract §5.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INPUT = 3


class JingzhunError(Exception):
    """An input, configuration or template problem that stops the work (exit 3).

    ``message`` and ``hint`` are shown to the user as they are, so build them in the
    user's language with :func:`jingzhun.i18n.t` where the text is known in advance.
    """

    exit_code = EXIT_INPUT

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InputError(JingzhunError):
    """A file or folder that cannot be read as the table it should be."""


class ConfigError(JingzhunError):
    """A parameter file with an unknown key, a wrong type or a missing value."""


class TemplateError(JingzhunError):
    """A document template that does not parse or names an unknown field."""


class UsageError(JingzhunError):
    """Options that do not fit together (exit 2)."""

    exit_code = EXIT_USAGE
