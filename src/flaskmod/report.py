"""What the user reads: summary, plan, findings and the diff (rich on a terminal, plain when piped)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table

from flaskmod.changeset import Changeset, Kind, compute
from flaskmod.errors import Severity
from flaskmod.pipeline import Codemod, Run
from flaskmod.secrets import redact


def codemod_table(console: Console, codemods: Sequence[Codemod]) -> None:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("codemod")
    table.add_column("what it does")
    for number, codemod in enumerate(codemods, 1):
        table.add_row(str(number), codemod.name, codemod.summary)
    console.print(table)


def summary(console: Console, outcome: Run) -> None:
    model = outcome.model
    console.print(
        f"[bold]App[/]: `{model.app_name}` created at {model.app_path}:{model.app_line} "
        f"({model.layout.value})"
    )
    if outcome.options.flask is not None:
        console.print(f"  targets {outcome.options.flask}", soft_wrap=True)
    if outcome.already_factory:
        return
    console.print(
        f"  {len(model.routes)} view(s), {len(model.hooks)} hook/handler(s), "
        f"{model.config_statements} config statement(s), "
        f"{len(model.extensions)} extension(s)"
        + _extensions(model.extensions, model.unknown_extensions)
        + f", {len(model.templates)} template file(s), {len(model.tests)} test module(s)",
        soft_wrap=True,
    )


def _extensions(names: tuple[str, ...], unknown: tuple[str, ...]) -> str:
    """` (db, api, foo; of which 1 unknown: foo)`: unknown ones follow the flask_* convention."""
    if not names:
        return ""
    assumed = f"; of which {len(unknown)} unknown: {', '.join(unknown)}" if unknown else ""
    return f" ({', '.join(names)}{assumed})"


def plan(console: Console, outcome: Run) -> None:
    if not outcome.steps:
        return
    console.print("[bold]Plan[/]:")
    for number, step in enumerate(outcome.steps, 1):
        changes = compute(step.before, step.after)
        if not changes:
            console.print(f"  {number}. {step.codemod.name}: nothing to do")
            continue
        parts = []
        for kind, verb in (
            (Kind.ADDED, "creates"),
            (Kind.MOVED, "moves"),
            (Kind.MODIFIED, "modifies"),
            (Kind.DELETED, "deletes"),
        ):
            paths = changes.paths(kind)
            if kind is Kind.MOVED:
                paths = [f"{c.old_path} → {c.path}" for c in changes if c.kind is Kind.MOVED]
            if paths:
                parts.append(f"{verb} {', '.join(paths)}")
        console.print(f"  {number}. {step.codemod.name}: {'; '.join(parts)}", soft_wrap=True)


def findings(console: Console, outcome: Run) -> None:
    found = outcome.findings
    manual = [f for f in found if f.severity is Severity.MANUAL]
    notes = [f for f in found if f.severity is Severity.NOTE]
    if notes:
        console.print("[bold]Notes[/]:")
        for finding in notes:
            console.print(f"  {finding}", soft_wrap=True)
    if manual:
        console.print(f"[bold yellow]Manual steps ({len(manual)})[/]:")
        for finding in manual:
            console.print(f"  {finding}", soft_wrap=True)


def applied(console: Console, changes: Changeset) -> None:
    counts = changes.counts()
    console.print(
        "[bold green]Applied[/]: "
        + ", ".join(f"{count} {kind.value}" for kind, count in counts.items() if count)
    )


def diff(changes: Changeset, color: bool | None, secrets: Iterable[str] = ()) -> None:
    """Plain and exact when piped (a patch for `git apply`); highlighted, secrets masked, on a terminal."""
    if color is None:
        color = sys.stdout.isatty()
    if not color:
        # Bytes, each file in its own encoding: a latin-1 module's lines must match on `git apply`.
        sys.stdout.flush()
        sys.stdout.buffer.write(changes.patch_bytes())
        sys.stdout.buffer.flush()
        return
    console = Console(force_terminal=True)
    console.print(
        Syntax(redact(changes.patch(), secrets), "diff", theme="ansi_dark", word_wrap=False)
    )
