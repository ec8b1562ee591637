"""The `flaskmod verify` click command: options → `Settings` → report, exit code."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console

from flaskmod.errors import FlaskmodError
from flaskmod.verify.api import verify
from flaskmod.verify.model import EXIT_DIFFERENT, EXIT_ERROR, EXIT_OK, Settings
from flaskmod.verify.report import print_error, print_report


@click.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--base", metavar="REV", help="Git revision of the original app.  [default: HEAD]")
@click.option(
    "--original",
    metavar="DIR",
    type=click.Path(path_type=Path),
    help="A saved copy of the original project, when PATH is not in a git repository.",
)
@click.option(
    "--config",
    "config_name",
    default="development",
    show_default=True,
    help="Config name a `create_app` factory is called with.",
)
@click.option(
    "--python",
    type=click.Path(path_type=Path),
    help="Interpreter for both apps.  [default: PATH's .venv/ or venv/, else flaskmod's]",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    help="Seconds each app load (or test run) may take.",
)
@click.option("--run-tests", is_flag=True, help="Run the project's tests on both; compare counts.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
@click.pass_context
def verify_command(
    ctx: click.Context,
    path: Path,
    base: str | None,
    original: Path | None,
    config_name: str,
    python: Path | None,
    timeout: float,
    run_tests: bool,
    as_json: bool,
) -> None:
    """Check that the migrated app at PATH registers what the original did.

    Compares URL rules and methods, endpoints, error handlers, request hooks, template filters,
    globals and tests, context processors, CLI commands and config. Exit 0 when equivalent,
    1 with the list of differences, 2 on bad input or an app that fails to load.
    """
    settings = Settings(path, base, original, config_name, python, timeout, run_tests)
    try:
        report = verify(settings)
    except FlaskmodError as error:
        print_error(str(error))
        ctx.exit(EXIT_ERROR)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        print_report(Console(highlight=False), report)
    ctx.exit(EXIT_OK if report.equivalent else EXIT_DIFFERENT)
