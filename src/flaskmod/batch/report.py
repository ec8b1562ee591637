"""The batch report: one JSON document (schema in the README), its Markdown twin, the summary
table printed at the end, and the exit code, all computed from the same entries."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from flaskmod import __version__
from flaskmod.batch.jobs import OUTCOMES

SCHEMA = "flaskmod-batch/1"
#: outcomes that leave nothing for anyone to do
DONE = frozenset({"migrated", "already-factory", "not-flask"})
#: outcomes that need a person: exit 1
ATTENTION = frozenset({"needs-manual-steps", "refused"})
#: outcomes `--resume` runs again: the run did not get to an answer
RETRIED = frozenset({"error", "timeout"})


def counts(entries: Iterable[dict[str, Any]]) -> dict[str, int]:
    found = Counter(entry["outcome"] for entry in entries)
    return {outcome: found.get(outcome, 0) for outcome in OUTCOMES}


def exit_code(entries: Iterable[dict[str, Any]]) -> int:
    """0 all done, 1 some need a person, 2 some errors or timeouts (the worst wins)."""
    outcomes = {entry["outcome"] for entry in entries}
    if outcomes & RETRIED:
        return 2
    return 1 if outcomes & ATTENTION else 0


def document(entries: Sequence[dict[str, Any]], run: dict[str, Any]) -> dict[str, Any]:
    """The whole report: how the batch ran (`run`), the counts, then one entry per repository."""
    return {
        "schema": SCHEMA,
        "flaskmod": __version__,
        **run,
        "counts": counts(entries),
        "exit_code": exit_code(entries),
        "repositories": list(entries),
    }


def write_json(path: Path, report: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(report, indent=2) + "\n")


def load(path: Path) -> dict[str, Any]:
    from flaskmod.errors import FlaskmodError

    try:
        report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise FlaskmodError(f"--resume: cannot read the report: {error}") from None
    if report.get("schema") != SCHEMA:
        raise FlaskmodError(f"--resume: {path} is not a flaskmod batch report ({SCHEMA})")
    return report


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


# --------------------------------------------------------------------------- Markdown
def write_markdown(path: Path, report: dict[str, Any]) -> None:
    write_atomic(path, markdown(report, path.parent))


def markdown(report: dict[str, Any], folder: Path) -> str:
    entries = report["repositories"]
    lines = [
        f"# flaskmod batch: {len(entries)} repositories ({report['mode']})",
        "",
        f"flaskmod {report['flaskmod']}, {report['started']} to {report['finished']}, "
        f"{report['seconds']:.1f}s, exit code {report['exit_code']}.",
        "",
        "| outcome | repositories |",
        "| --- | ---: |",
        *(f"| {outcome} | {count} |" for outcome, count in report["counts"].items()),
        "",
        "| repository | outcome | Flask | files changed | manual steps | seconds | patch |",
        "| --- | --- | --- | ---: | ---: | ---: | --- |",
        *(_md_row(entry, folder) for entry in entries),
    ]
    return "\n".join(lines + _md_details(entries)) + "\n"


def _md_row(entry: dict[str, Any], folder: Path) -> str:
    patch = f"[patch]({link(entry['patch'], folder)})" if entry.get("patch") else ""
    cells = [
        _md(entry["name"]),
        entry["outcome"],
        entry.get("flask") or "",
        str(entry["files_changed"]),
        str(len(entry["manual_steps"])),
        f"{entry.get('seconds') or 0:.1f}",
        patch,
    ]
    return "| " + " | ".join(cells) + " |"


def _md_details(entries: Sequence[dict[str, Any]]) -> list[str]:
    """Reasons and manual steps, per repository that has any."""
    lines: list[str] = []
    for entry in entries:
        if not entry.get("reason") and not entry["manual_steps"]:
            continue
        lines += ["", f"## {_md(entry['name'])} ({entry['outcome']})", ""]
        if entry.get("reason"):
            lines.append(f"{_md(entry['reason'])}")
            lines.append("")
        lines += [
            f"- `{step_place(step)}`: {_md(step['message'])}" for step in entry["manual_steps"]
        ]
    return lines


def _md(text: str) -> str:
    """Text for a Markdown table cell or line: no column break, no raw HTML."""
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def step_place(step: dict[str, Any]) -> str:
    return f"{step['file']}:{step['line']}" if step.get("line") else str(step["file"])


def link(patch: str, folder: Path) -> str:
    """A patch's path as a link from the report's folder (relative when it can be)."""
    try:
        return Path(os.path.relpath(patch, folder)).as_posix()
    except ValueError:  # another drive
        return Path(patch).as_uri()


# ----------------------------------------------------------------------- the terminal
def summary(console: Console, report: dict[str, Any], failures: int = 20) -> None:
    """Counts by outcome, then the repositories that need someone, with why."""
    table = Table(title="flaskmod batch", show_header=True, header_style="bold")
    table.add_column("outcome")
    table.add_column("repositories", justify="right")
    for outcome, count in report["counts"].items():
        if count:
            table.add_row(outcome, str(count))
    table.add_row("total", str(len(report["repositories"])), style="bold")
    console.print(table)
    shown = [e for e in report["repositories"] if e["outcome"] not in DONE][:failures]
    if shown:
        details = Table(show_header=True, header_style="bold", box=None)
        for column in ("repository", "outcome", "why"):
            details.add_column(column, overflow="fold")
        for entry in shown:
            details.add_row(entry["name"], entry["outcome"], why(entry))
        console.print(details)


def why(entry: dict[str, Any]) -> str:
    if entry.get("reason"):
        return str(entry["reason"])
    steps = entry["manual_steps"]
    if steps:
        more = f" (+{len(steps) - 1} more)" if len(steps) > 1 else ""
        return f"{step_place(steps[0])}: {steps[0]['message']}{more}"
    return ""
