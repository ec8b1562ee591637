"""The `flaskmod verify` click command: options → `Settings` → report, exit code.

With `--json`, stdout is always one JSON document: the report, or `{"status": "error", ...}`
when the input is bad or an app does not load (also for a command line click rejects).
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from flaskmod.errors import FlaskmodError
from flaskmod.verify.api import verify
from flaskmod.verify.model import EXIT_DIFFERENT, EXIT_ERROR, EXIT_OK, Settings
from flaskmod.verify.report import error_json, print_error, print_report


class _JsonCommand(click.Command):
    """A click command whose usage errors are JSON too when `--json` is on the command line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        wants_json = "--json" in args
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            if not wants_json:
                raise
            _fail(ctx, error.format_message(), as_json=True)


def _fail(
    ctx: click.Context,
    message: str,
    as_json: bool,
    error: FlaskmodError | None = None,
    path: str = "",
) -> NoReturn:
    print_error(message)
    if as_json:
        click.echo(json.dumps(error_json(message, error, path), indent=2))
    ctx.exit(EXIT_ERROR)


@click.command("verify", cls=_JsonCommand)
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
    help="Config name for a `create_app` factory that takes one (by its first parameter).",
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
@click.option(
    "--responses/--no-responses",
    default=True,
    show_default=True,
    help="GET every parameterless route on both apps; compare status and body.",
)
@click.option(
    "--production/--no-production",
    default=None,
    help="Load the migrated wsgi.py with production settings from random environment values.  "
    "[default: when wsgi.py exists]",
)
@click.option(
    "--app",
    "app_choice",
    metavar="PATH[:NAME]",
    help="The app to compare, in a folder that creates several (as given to upgrade).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
@click.pass_context
def verify_command(ctx: click.Context, /, path: Path, as_json: bool, **options: Any) -> None:
    """Check that the migrated app at PATH registers and answers what the original did.

    Compares URL rules and methods, endpoints, error handlers, request hooks, template filters,
    globals and tests, context processors, CLI commands, config and the responses to
    parameterless GETs, and loads the migrated app as production would. Exit 0 when equivalent,
    1 with the list of differences, 2 on bad input or an app that fails to load.
    """
    settings = Settings(
        path,
        base=options["base"],
        original=options["original"],
        config=options["config_name"],
        python=options["python"],
        timeout=options["timeout"],
        run_tests=options["run_tests"],
        responses=options["responses"],
        production=options["production"],
        app=options["app_choice"],
    )
    try:
        report = verify(settings)
    except FlaskmodError as error:
        _fail(ctx, str(error), as_json, error, str(path))
    except Exception as error:  # a bug: still a JSON answer, with the traceback on stderr
        if not as_json:
            raise
        click.echo(traceback.format_exc(), err=True)
        _fail(ctx, f"internal error: {type(error).__name__}: {error}", as_json, path=str(path))
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        print_report(Console(highlight=False), report)
    ctx.exit(EXIT_OK if report.equivalent else EXIT_DIFFERENT)
