"""The values `verify` passes between its steps: sides, rows, test counts, settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flaskmod.errors import FlaskmodError, Location

if TYPE_CHECKING:  # `flaskmod verify --help` loads this module: no LibCST for it
    from flaskmod.analysis import Layout

EXIT_OK, EXIT_DIFFERENT, EXIT_ERROR = 0, 1, 2
#: shown where one side has nothing
ABSENT = "—"

#: what `probe.py` prints about one app (JSON)
Description = Mapping[str, Any]


class Status(str, Enum):
    SAME = "same"
    DIFFERENT = "different"
    #: expected change (a new blueprint, a CLI command the `if __name__` block became)
    INFO = "info"


@dataclass(frozen=True)
class Row:
    """One line of the comparison; `message` is what a difference list prints."""

    check: str
    item: str
    original: str = ""
    migrated: str = ""
    status: Status = Status.SAME
    message: str = ""


@dataclass(frozen=True)
class Interpreter:
    path: str
    source: str


@dataclass(frozen=True)
class Target:
    """How one side is loaded: `spec` is `module:attribute`, called with `config` if given."""

    label: str
    root: Path
    where: str
    spec: str
    config: str | None
    layout: Layout
    #: how the probe really obtained the app (`create_app()` when the factory takes no name)
    called: str | None = None

    @property
    def call(self) -> str:
        if self.called is not None:
            return self.called
        return self.spec if self.config is None else f"{self.spec}({self.config!r})"

    def to_json(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "spec": self.spec,
            "config": self.config,
            "call": self.call,
            "layout": self.layout.name.lower(),
        }


@dataclass(frozen=True)
class BodyCheck:
    """What a second start of the original says about a body the two apps answered differently
    (see `recheck`): how many values differ between the original's two starts, and the first
    difference outside them (None: the migrated body equals the original's everywhere else)."""

    varying: int
    difference: str | None


@dataclass(frozen=True)
class SuiteCounts:
    passed: int
    failed: int
    returncode: int

    def __str__(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"


@dataclass(frozen=True)
class SuiteComparison:
    command: list[str]
    original: SuiteCounts
    migrated: SuiteCounts


@dataclass(frozen=True)
class Settings:
    """The command line, as one value the steps can share."""

    path: Path
    base: str | None = None
    original: Path | None = None
    config: str = "development"
    python: Path | None = None
    timeout: float = 60.0
    run_tests: bool = False
    #: GET every parameterless route on both apps and compare status and body
    responses: bool = True
    #: the production check; None: when the migrated project has a `wsgi.py`
    production: bool | None = None
    #: `--app PATH[:NAME]`: the app of a folder holding several (as given to `upgrade`)
    app: str | None = None


class LoadError(FlaskmodError):
    """An app that did not load: the message, and the last lines of its traceback."""

    def __init__(
        self, message: str, location: Location | None = None, traceback: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message, location)
        self.traceback = traceback
