"""What the user reads: summary, plan, findings and the diff (rich on a terminal, plain when piped)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax

from flaskmod.analysis import Layout
from flaskmod.changeset import Changeset, Kind, compute
from flaskmod.errors import Severity
from flaskmod.pipeline import Run
from flaskmod.secrets import redact


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
    lines = ["[bold]Plan[/]:"]
    for number, step in enumerate(outcome.steps, 1):
        changes = compute(step.before, step.after)
        if not changes:
            lines.append(f"  {number}. {step.codemod.name}: nothing to do")
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
        lines.append(escape(f"  {number}. {step.codemod.name}: {'; '.join(parts)}"))
    _print(console, lines)


def _print(console: Console, lines: list[str]) -> None:
    """Lines (rich markup) in one print: each `print` costs more than its text."""
    console.print("\n".join(lines), soft_wrap=True)


def findings(console: Console, outcome: Run, notes: bool = True) -> None:
    """Notes (unless quiet) then manual steps, secrets masked in both."""
    found = outcome.findings
    manual = [f for f in found if f.severity is Severity.MANUAL]
    said = [f for f in found if f.severity is Severity.NOTE] if notes else []
    secrets = outcome.secrets
    lines = []
    if said:
        lines.append("[bold]Notes[/]:")
        lines += [escape(f"  {redact(str(finding), secrets)}") for finding in said]
    if manual:
        lines.append(f"[bold yellow]Manual steps ({len(manual)})[/]:")
        lines += [escape(f"  {redact(str(finding), secrets)}") for finding in manual]
    if lines:
        _print(console, lines)


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


# ------------------------------------------------------------------ outcome and JSON
STATUS_LINES = {
    "migrated": "[bold green]Migration complete[/]: the app is built by create_app().",
    "incomplete": "[bold yellow]Migration incomplete[/]: the app is still not built by a factory.",
    "nothing-to-do": "Nothing to do: no codemod would change anything.",
    "already-factory": "Nothing to do: the project already builds its app in a factory.",
}


#: "migrated" by a selection (`--only`, `--skip`) that leaves the factory out: not complete
SELECTION_LINE = (
    "[bold green]Done[/]: the selected codemods ran; the app is not built by a factory yet "
    "(run the others to finish)."
)


def status(console: Console, result: Any) -> None:
    """The last line: whether the migration is complete, and what stops it if not."""
    line = STATUS_LINES.get(result.status)
    final = result.run.final_model or result.run.model
    if result.status == "migrated" and final.layout is not Layout.FACTORY:
        line = SELECTION_LINE
    if line:
        console.print(line, soft_wrap=True)
    for finding in result.incomplete:
        console.print(f"  {finding}", markup=False, soft_wrap=True)


def violations(console: Console, found: Iterable[Any]) -> None:
    found = list(found)
    if found:
        console.print(f"[bold red]Self-check failed ({len(found)})[/]: nothing was written")
        for violation in found:
            console.print(f"  {violation}", markup=False, soft_wrap=True)


def to_json(result: Any, path: str, secrets: Iterable[str] = ()) -> dict[str, Any]:
    """The `--json` document (schema in the README): no secret in it, masked or not."""
    from flaskmod import __version__

    run = result.run
    model = run.final_model or run.model
    hidden = list(secrets)
    return {
        "flaskmod": __version__,
        "path": path,
        "status": result.status,
        "written": result.written,
        "flask": flask_json(run.options.flask),
        "app": {
            "path": run.model.app_path,
            "name": run.model.app_name,
            "line": run.model.app_line,
            "layout": run.model.layout.value,
            "now": {"path": model.app_path, "layout": model.layout.value},
        },
        "codemods": [
            {"name": s.codemod.name, "changed": s.changed, "declined": s.declined}
            for s in run.steps
        ],
        "files": _files_json(result.changes),
        "findings": [finding_json(f, hidden) for f in run.findings],
        "self_check": [_violation_json(v, hidden) for v in result.violations],
        "incomplete": [finding_json(f, hidden) for f in result.incomplete],
        "differences": [redact(d, hidden) for d in result.differences],
    }


def steps_json(
    path: str,
    done: Sequence[tuple[Any, str | None]],
    upcoming: str | None,
    branch: str | None = None,
    secrets: Iterable[str] = (),
) -> dict[str, Any]:
    """`--step`/`--commit` with `--json`: each codemod applied (a `gitops.Pending`) with the
    commit that holds it, and what would run next."""
    from flaskmod import __version__

    hidden = list(secrets)
    status = ("committed" if branch else "applied") if done else "nothing-to-do"
    return {
        "flaskmod": __version__,
        "path": path,
        "status": status,
        "written": bool(done),
        "branch": branch,
        "steps": [
            {
                "codemod": pending.codemod.name,
                "commit": sha,
                "files": _files_json(pending.changes),
                "findings": [finding_json(f, hidden) for f in pending.findings],
            }
            for pending, sha in done
        ],
        "next": upcoming,
    }


def projects_json(documents: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Several PATHs with `--json`: one JSON value holding each one's document, in order."""
    from flaskmod import __version__

    return {"flaskmod": __version__, "projects": list(documents)}


def error_json(path: str, error: BaseException, location: Any = None) -> dict[str, Any]:
    from flaskmod import __version__

    where = {"file": location.path, "line": location.line} if location is not None else None
    message = getattr(error, "message", None) or str(error)
    return {
        "flaskmod": __version__,
        "path": path,
        "status": "error",
        "error": {"message": message, **(where or {})},
    }


def flask_json(flask: Any) -> dict[str, Any] | None:
    if flask is None:
        return None
    low, high = flask.version, flask.top
    return {
        "lowest": f"{low[0]}.{low[1]}",
        "highest": f"{high[0]}.{high[1]}",
        "source": flask.source,
    }


def _files_json(changes: Changeset) -> dict[str, Any]:
    return {
        "added": changes.paths(Kind.ADDED),
        "modified": changes.paths(Kind.MODIFIED),
        "moved": [{"from": c.old_path, "to": c.path} for c in changes if c.kind is Kind.MOVED],
        "deleted": changes.paths(Kind.DELETED),
    }


def finding_json(finding: Any, secrets: list[str]) -> dict[str, Any]:
    return {
        "file": finding.location.path,
        "line": finding.location.line,
        "codemod": finding.codemod,
        "kind": finding.severity.value,
        "message": redact(finding.message, secrets),
    }


def _violation_json(violation: Any, secrets: list[str]) -> dict[str, Any]:
    return {
        "file": violation.location.path,
        "line": violation.location.line,
        "codemod": violation.codemod,
        "rule": violation.rule,
        "message": redact(violation.message, secrets),
    }
