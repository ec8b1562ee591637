"""Errors and findings that name a place in the user's project.

Every message a user sees about their code carries `path:line`, so one line is enough to act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    #: the tool changed something the user should know about (e.g. a secret now read from env)
    NOTE = "note"
    #: something the tool left alone that the user must migrate by hand
    MANUAL = "manual"


@dataclass(frozen=True, order=True)
class Location:
    path: str
    line: int | None = None

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Finding:
    """A report line: a manual step or a note, attached to a place and the codemod that saw it."""

    location: Location
    message: str
    severity: Severity = Severity.MANUAL
    codemod: str = ""

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class FlaskmodError(Exception):
    """Input flaskmod refuses to work on; the CLI prints it on one line and exits 2."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class NoFlaskApp(FlaskmodError):
    """The project creates no Flask app flaskmod can find: not a Flask project, or not one it
    recognises. A batch run counts these apart (`not-flask`) from projects it failed on."""


class BlockedError(FlaskmodError):
    """Uses of the app that need a human (`AppModel.blocking`); `--force` migrates the rest.

    The first line names the first place and says how to proceed; the others follow, one a line.
    """

    def __init__(self, findings: tuple[Finding, ...]) -> None:
        first, *others = findings
        count = f"these {len(findings)}" if others else "it"
        message = (
            f"{first.message}; refused: do {count} by hand, or rerun with --force to migrate "
            "the rest"
        )
        super().__init__(message + "".join(f"\n  {finding}" for finding in others), first.location)
        self.findings = findings
