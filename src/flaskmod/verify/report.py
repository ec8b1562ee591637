"""The outcome of a comparison, rendered as a table for people or as JSON for machines."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from flaskmod.errors import FlaskmodError
from flaskmod.verify.model import Interpreter, LoadError, Row, Status, SuiteComparison, Target


@dataclass(frozen=True)
class Report:
    interpreter: Interpreter
    original: Target
    migrated: Target
    rows: tuple[Row, ...]
    tests: SuiteComparison | None = None

    @property
    def differences(self) -> list[str]:
        return [row.message for row in self.rows if row.status is Status.DIFFERENT]

    @property
    def information(self) -> list[str]:
        return [row.message for row in self.rows if row.status is Status.INFO]

    @property
    def equivalent(self) -> bool:
        return not self.differences

    @property
    def status(self) -> str:
        return Status.SAME.value if self.equivalent else Status.DIFFERENT.value

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "equivalent": self.equivalent,
            "python": asdict(self.interpreter),
            "original": self.original.to_json(),
            "migrated": self.migrated.to_json(),
            "checks": [{**asdict(row), "status": row.status.value} for row in self.rows],
            "differences": self.differences,
            "information": self.information,
            "tests": None if self.tests is None else asdict(self.tests),
        }


STYLES = {Status.SAME: "green", Status.DIFFERENT: "bold red", Status.INFO: "cyan"}


def print_report(console: Console, report: Report) -> None:
    for label, side in (("Original", report.original), ("Migrated", report.migrated)):
        console.print(f"{label}: {side.where}  →  {side.call}", markup=False, soft_wrap=True)
    python = report.interpreter
    console.print(f"Python:   {python.path}  ({python.source})", markup=False, soft_wrap=True)
    table = Table("Check", "Item", "Original", "Migrated", "Result", highlight=False)
    for row in report.rows:
        cells = (row.check, row.item, row.original, row.migrated)
        table.add_row(*map(Text, cells), Text(row.status.value, style=STYLES[row.status]))
    console.print(table)
    if report.equivalent:
        console.print(Text("Equivalent: no differences.", style="green"))
        return
    console.print(Text(f"{len(report.differences)} difference(s):", style="bold red"))
    for message in report.differences:
        console.print(Text(f"  - {message}"), soft_wrap=True)


def print_error(message: str) -> None:
    """Printed as text, never as Rich markup: tracebacks are full of brackets."""
    console = Console(stderr=True, highlight=False)
    console.print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)


def error_json(message: str, error: FlaskmodError | None = None, path: str = "") -> dict[str, Any]:
    """What `--json` prints when there is no report (bad input, or an app that did not load):
    the failure document every command prints, with the tail of the app's traceback."""
    from flaskmod import __version__

    location = None if error is None else error.location
    where = {} if location is None else {"file": location.path, "line": location.line}
    traceback = list(error.traceback) if isinstance(error, LoadError) else []
    return {
        "flaskmod": __version__,
        "path": path,
        "status": "error",
        "error": {
            "message": message if error is None else error.message,
            **where,
            "traceback": traceback,
        },
    }
