"""Command line: snapshot → analysis → codemods → changeset → preview or apply.

Exit codes: 0 success (or nothing to do), 1 `--check` found changes, 2 bad input or an error
(one line naming the file and line; nothing written).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from flaskmod import __version__, report
from flaskmod.apply import apply
from flaskmod.changeset import compute
from flaskmod.errors import FlaskmodError
from flaskmod.pipeline import Options, discover, run, select
from flaskmod.project import scan

EXIT_OK, EXIT_CHANGES, EXIT_ERROR = 0, 1, 2

EPILOG = """\b
Exit codes:
  0  success, or nothing to do (already an application factory)
  1  --check: the migration would change files
  2  bad input or error: one line names the file and line; nothing was written
"""


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except FlaskmodError as error:
            _stderr().print(f"[bold red]error:[/] {error}", markup=True, soft_wrap=True)
            ctx.exit(EXIT_ERROR)


@click.group(cls=_Group, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flaskmod")
def main() -> None:
    """Migrate a legacy single-file Flask app to the application-factory pattern.

    Preview first (`flaskmod upgrade PATH`), then `--apply`.
    """


codemod_names = click.Choice([c.name for c in discover()])


@main.command("list", epilog=EPILOG)
def list_codemods() -> None:
    """List the codemods in the order they run, with one-line summaries."""
    report.codemod_table(Console(highlight=False), discover())


@main.command(epilog=EPILOG)
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--only", multiple=True, type=codemod_names, help="Run only this codemod (repeatable)."
)
@click.option("--skip", multiple=True, type=codemod_names, help="Skip this codemod (repeatable).")
def plan(path: Path, only: tuple[str, ...], skip: tuple[str, ...]) -> None:
    """Analyse PATH and print what each codemod would do, without the diff."""
    outcome = run(scan(path), select(discover(), only, skip), Options())
    console = Console(highlight=False)
    report.summary(console, outcome)
    report.plan(console, outcome)
    report.findings(console, outcome)


@main.command(epilog=EPILOG)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--apply", "write", is_flag=True, help="Write the changes (atomically).")
@click.option("--check", is_flag=True, help="Exit 1 if anything would change, 0 otherwise.")
@click.option(
    "--only", multiple=True, type=codemod_names, help="Run only this codemod (repeatable)."
)
@click.option("--skip", multiple=True, type=codemod_names, help="Skip this codemod (repeatable).")
@click.option(
    "--color/--no-color", default=None, help="Highlight the diff (default: only on a terminal)."
)
def upgrade(
    path: Path,
    write: bool,
    check: bool,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    color: bool | None,
) -> None:
    """Preview (default) or apply the migration of the project at PATH.

    The summary and plan go to stderr, the diff to stdout: `flaskmod upgrade PATH > migration.patch`
    gives a patch `git apply` accepts, from inside PATH.
    """
    err = _stderr()
    project = scan(path)
    codemods = select(discover(), only, skip)
    with err.status("Running codemods…") as status:
        outcome = run(project, codemods, Options(), on_step=lambda c: status.update(f"{c.name}…"))
    changes = compute(project, outcome.final)
    report.summary(err, outcome)
    if outcome.already_factory:
        err.print("Nothing to do: the project already builds its app in a factory.")
        sys.exit(EXIT_OK)
    report.plan(err, outcome)
    report.findings(err, outcome)
    if not changes:
        err.print("Nothing to do: no codemod would change anything.")
        sys.exit(EXIT_OK)
    if check:
        err.print(f"{len(changes)} file(s) would change.")
        sys.exit(EXIT_CHANGES)
    if write:
        apply(path, changes)
        report.applied(err, changes)
        return
    report.diff(changes, color)
