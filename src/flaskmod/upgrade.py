"""`flaskmod upgrade`: one analysis, one driver, then the mode the user asked for.

The flow is the data flow of the design: snapshot → analysis → codemods → self-check →
changeset → preview, `--check`, `--apply`, `--interactive`, `--step` or `--commit`. Every mode
consumes the same `Driver`, so the project is analysed once per invocation. Nothing is written
until the self-check passed (and, with `--verify`, the migrated copy behaved like the original);
a migration that stops short of the factory is written only with `--partial` (or one step at a
time), and every run ends by saying whether it is complete.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flaskmod import selfcheck
from flaskmod.apply import apply
from flaskmod.changeset import Changeset, compute
from flaskmod.errors import Finding, FlaskmodError
from flaskmod.pipeline import Driver, Run
from flaskmod.project import Project
from flaskmod.selfcheck.base import Violation, Workspace

EXIT_OK, EXIT_CHANGES, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class Modes:
    """The modes `upgrade` was asked for, and which of them go together."""

    write: bool = False
    check: bool = False
    from_head: bool = False
    allow_dirty: bool = False
    commit: bool = False
    step: bool = False
    interactive: bool = False
    partial: bool = False

    @property
    def writes(self) -> bool:
        return self.write or self.commit or self.step or self.interactive

    def validate(self) -> None:
        """Refuse contradictory flags before reading anything."""
        if self.check and self.writes:
            raise FlaskmodError("--check only reports; drop --apply/--commit/--step/--interactive")
        if self.from_head and self.writes:
            raise FlaskmodError(
                "--from-head only previews the committed state; to write, drop it "
                "(writing works on the working tree)"
            )
        if self.interactive and (self.commit or self.step):
            raise FlaskmodError(
                "--interactive cannot be combined with --commit or --step (they take whole codemods)"
            )
        if self.interactive and not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise FlaskmodError(
                "--interactive needs a terminal (stdin and stdout are not both a TTY); "
                "preview with `flaskmod upgrade PATH` or write with --apply"
            )


@dataclass(frozen=True)
class Verification:
    """`--verify`: compare the migrated copy with the original before writing."""

    python: Path | None = None
    run_tests: bool = False
    timeout: float = 120.0
    #: `--app PATH[:NAME]` of the upgrade, for a folder that creates several apps
    app: str | None = None


@dataclass(frozen=True)
class Result:
    """What a whole run produced, for the human report and `--json`."""

    run: Run
    changes: Changeset
    violations: tuple[Violation, ...] = ()
    incomplete: tuple[Finding, ...] = ()
    differences: tuple[str, ...] = ()
    written: bool = False

    @property
    def status(self) -> str:
        if self.run.already_factory:
            return "already-factory"
        if self.violations:
            return "refused"
        if self.differences:
            return "different"
        if self.incomplete:
            return "incomplete"
        return "migrated" if self.changes else "nothing-to-do"


# ------------------------------------------------------------------------ checking
def violations_of(run: Run) -> list[Violation]:
    """The self-check of a whole run's result."""
    return selfcheck.check(run)


def check_step(driver: Driver, after: Project, codemod: str, secrets: frozenset[str]) -> None:
    """The self-check of the state one step leaves (for --step and --commit); raise to stop."""
    workspace = Workspace(driver.original, after, driver.model, (), secrets)
    found = [
        v if v.codemod else Violation(v.rule, v.location, v.message, codemod)
        for v in selfcheck.check_workspace(workspace)
    ]
    if found:
        raise SelfCheckFailed(tuple(found))


class SelfCheckFailed(FlaskmodError):
    """The migration's result does not link or is not safe: nothing is written (exit 2)."""

    def __init__(self, violations: tuple[Violation, ...]) -> None:
        first, *others = violations
        count = f"{len(violations)} problems" if others else "1 problem"
        message = (
            f"{first.message} ({first.codemod or 'migration'}); refused: the self-check found "
            f"{count} in the migrated project and nothing was written"
        )
        super().__init__(message + "".join(f"\n  {v}" for v in others), first.location)
        self.violations = violations


class Incomplete(FlaskmodError):
    """`--apply` of a migration that stops short of the factory, without `--partial`."""

    def __init__(self, reasons: tuple[Finding, ...]) -> None:
        first, *others = reasons
        message = (
            f"{first.message}; refused: the migration would stop short of an application "
            "factory. Do the manual steps and run again, or write the steps that work with "
            "--partial (or one at a time with --step)"
        )
        super().__init__(message + "".join(f"\n  {finding}" for finding in others), first.location)
        self.reasons = reasons


# -------------------------------------------------------------------------- verifying
def compare_with_original(path: Path, changes: Changeset, verification: Verification) -> list[str]:
    """Apply the changes to a copy and compare it with the original, which is not touched."""
    from flaskmod.verify import compare_trees

    with _migrated_copy(path, changes) as copy:
        report = compare_trees(
            path,
            copy,
            python=verification.python,
            run_tests=verification.run_tests,
            timeout=verification.timeout,
            app=verification.app,
        )
    return report.differences


@contextmanager
def _migrated_copy(path: Path, changes: Changeset) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="flaskmod-verify-") as tmp:
        copy = Path(tmp) / path.resolve().name
        shutil.copytree(
            path, copy, symlinks=True, ignore=shutil.ignore_patterns(".git", "__pycache__")
        )
        apply(copy, changes)
        yield copy


# -------------------------------------------------------------------------- the run
def whole_run(driver: Driver, modes: Modes) -> Result:
    """Every codemod at once, checked: what preview, --check, --apply and --interactive show."""
    run = driver.run()
    changes = compute(driver.original, run.final)
    violations = tuple(violations_of(run)) if changes else ()
    selected = {codemod.name for codemod in driver.codemods}
    incomplete = tuple(run.incomplete()) if "factory" in selected else ()
    return Result(run, changes, violations, incomplete)


def refuse_unsafe(result: Result, modes: Modes) -> None:
    """Before writing: a failed self-check never, an incomplete migration only with --partial."""
    if result.violations:
        raise SelfCheckFailed(result.violations)
    if result.incomplete and modes.writes and not modes.partial:
        raise Incomplete(result.incomplete)


__all__ = [
    "EXIT_CHANGES",
    "EXIT_ERROR",
    "EXIT_OK",
    "Incomplete",
    "Modes",
    "Result",
    "SelfCheckFailed",
    "Verification",
    "check_step",
    "compare_with_original",
    "refuse_unsafe",
    "whole_run",
]
