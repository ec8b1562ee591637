"""Command line: snapshot → analysis → codemods → self-check → changeset → preview or apply.

Every command's options can also be set in the project's `[tool.flaskmod]` (see
`flaskmod.tool_config`); the command line wins. Exit codes are in `EPILOG` (and the README).

`flaskmod --help` and `flaskmod list` must start fast (issue 11), so this module imports only
click and light modules: LibCST, GitPython, rich and the codemods are imported inside the
commands that use them (`list` reads the codemods' manifest, `flaskmod.manifest`), what reports
a failure once something failed, `verify` when it is run (`LAZY_COMMANDS`), and the codemods'
own options are added to `upgrade` and `plan` when those are first parsed or shown
(`_MigrationCommand`). `tests/test_startup.py` checks what `--help` and `list` import.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

import flaskmod
from flaskmod import __version__, interrupts, tool_config
from flaskmod.batch import EPILOG as BATCH_EPILOG
from flaskmod.conventions import DEFAULT_BRANCH

if TYPE_CHECKING:
    from git.exc import GitCommandError
    from rich.console import Console

    from flaskmod import modes
    from flaskmod.errors import Location
    from flaskmod.pipeline import Codemod, Options
    from flaskmod.upgrade import Modes

EXIT_OK, EXIT_CHANGES, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
DEBUG = "FLASKMOD_DEBUG"

EPILOG = """\b
Exit codes:
  0  success: the migration is complete (or nothing to do)
  1  --check: files would change; or the migration stops short of a factory
     (previewed, or written with --partial); or --verify / verify found differences
  2  bad input or refusal (blocking code, self-check, incomplete --apply, git, I/O):
     one line names the file; nothing was written
  3  internal error (a bug: please report it; FLASKMOD_DEBUG=1 prints the traceback)
  130, 143  interrupted by Ctrl-C or SIGTERM; anything half-written was put back
"""


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


# --------------------------------------------------------------------- the group
#: commands defined in modules of their own, imported only when one is run or its help shown:
#: name → (module, attribute, short help). `flaskmod --help` lists them with this short help, the
#: command's own (tests/test_startup.py checks that it is), so it imports none of them.
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "verify": (
        "flaskmod.verify.command",
        "verify_command",
        "Check that the migrated app at PATH registers and answers what the original did.",
    ),
}


class _Group(click.Group):
    """Every command: SIGTERM handled like Ctrl-C, an interrupted apply refused, settings from
    `[tool.flaskmod]`, and every failure one line with a distinct exit code (never a traceback,
    never the 1 of --check); with `--json`, a JSON document too. The `LAZY_COMMANDS` are
    imported on first use, as in click's "lazily loading subcommands"."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module, attribute, _ = LAZY_COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def all_commands(self) -> list[click.Command]:
        """Every command, the lazy ones imported: for what needs their options."""
        ctx = click.Context(self)
        found = (self.get_command(ctx, name) for name in self.list_commands(ctx))
        return [command for command in found if command is not None]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's list of commands, but a lazy command not imported yet is shown with its
        short help from `LAZY_COMMANDS` rather than imported for it."""
        shown = [name for name in self.list_commands(ctx) if not self._hidden(name)]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name in shown)
        with formatter.section("Commands"):
            formatter.write_dl([(name, self._short_help(name, limit)) for name in shown])

    def _hidden(self, name: str) -> bool:
        command = self.commands.get(name)
        return command is not None and command.hidden

    def _short_help(self, name: str, limit: int) -> str:
        loaded = self.commands.get(name)
        if loaded is None:  # the same text, cut by click's rule for the same width
            loaded = click.Command(name, help=LAZY_COMMANDS[name][2])
        return loaded.get_short_help_str(limit)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["flaskmod.json"] = "--json" in args
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        wants_json = bool(ctx.meta.get("flaskmod.json"))
        try:
            with interrupts.handled():
                return super().invoke(ctx)
        except KeyboardInterrupt as interrupt:
            message = f"interrupted ({interrupts.name(interrupt)}); nothing half-written was left"
            _fail(ctx, wants_json, message, interrupt, interrupts.exit_code(interrupt))
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except click.ClickException as error:
            if wants_json:
                from flaskmod.report import error_json

                _print_json(error_json("", error))
            raise
        except Exception as error:
            _failed(ctx, wants_json, error)
        return None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not ctx.resilient_parsing:
            paths, config = _peek(ctx, name, command, rest)
            _configure(ctx, name, command, paths, config)
            if name != "recover" and paths:
                from flaskmod import journal

                for path in paths:
                    if path.is_dir():
                        journal.refuse_interrupted(path)
        return name, command, rest


def _peek(
    ctx: click.Context, name: str | None, command: click.Command, args: list[str]
) -> tuple[list[Path], Path | None]:
    """PATH(s) and --config of the command line, read before the command runs."""
    sub = command.make_context(name, list(args), parent=ctx, resilient_parsing=True)
    with sub:
        found = sub.params.get("path") or sub.params.get("paths") or ()
        config = sub.params.get("config_file")
    paths = [found] if isinstance(found, Path) else [Path(p) for p in found]
    return paths, config if isinstance(config, Path) else None


def _configure(
    ctx: click.Context,
    name: str | None,
    command: click.Command,
    paths: list[Path],
    config: Path | None,
) -> None:
    """Defaults for the command from `[tool.flaskmod]` of its (first) project, or --config."""
    table, source = tool_config.read(paths[0] if paths else None, config)
    if table and name is not None and source is not None:
        defaults = tool_config.defaults_for(command, table, source)
        ctx.default_map = {**(ctx.default_map or {}), name: defaults}


def _failed(ctx: click.Context, wants_json: bool, error: Exception) -> None:
    """Exit 2 for bad input (`FlaskmodError`), I/O or the user's git, 3 for a bug. The errors
    module is imported only here: `--help` and `list` never need it (issue 11)."""
    from flaskmod.errors import FlaskmodError

    if isinstance(error, FlaskmodError):
        _fail(ctx, wants_json, str(error), error, EXIT_ERROR, error.location)
    elif isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        _fail(ctx, wants_json, f"{where}{error.strerror or error}", error, EXIT_ERROR)
    elif (git := _git_error(error)) is not None:  # the user's git or repository, not flaskmod
        _fail(ctx, wants_json, _git_message(git), error, EXIT_ERROR)
    else:
        _fail(ctx, wants_json, _internal(error), error, EXIT_INTERNAL)


def _fail(
    ctx: click.Context,
    wants_json: bool,
    message: str,
    error: BaseException,
    code: int,
    location: Location | None = None,
) -> None:
    _error(message, error)
    if wants_json:
        from flaskmod.report import error_json

        _print_json(error_json("", error, location))
    ctx.exit(code)


def _print_json(document: dict[str, Any]) -> None:
    import json

    click.echo(json.dumps(document, indent=2))


def _git_error(error: Exception) -> GitCommandError | None:
    """The error as GitPython's failed git command (only loaded once a command used git)."""
    loaded = sys.modules.get("git.exc")
    failed: type[GitCommandError] | None = getattr(loaded, "GitCommandError", None)
    return error if failed is not None and isinstance(error, failed) else None


def _git_message(error: GitCommandError) -> str:
    """git's own reason; for a missing identity, the two commands that set one."""
    detail = str(error.stderr).strip()
    if "Please tell me who you are" in detail or "empty ident" in detail:
        return (
            'git has no identity to commit with; set one: git config user.name "Your Name" && '
            "git config user.email you@example.com"
        )
    lines = [line.strip() for line in detail.splitlines() if line.strip()]
    return f"git failed: {lines[-1] if lines else error}"


def _error(message: str, error: BaseException) -> None:
    if os.environ.get(DEBUG):
        import traceback

        traceback.print_exception(error)
    console = _stderr()
    console.print("error:", style="bold red", end=" ")
    console.print(message, markup=False, soft_wrap=True)


def _internal(error: Exception) -> str:
    """One line for a bug: what, where in the user's project if known, and what to do."""
    where = _blame(error)
    text = str(error).splitlines()[0] if str(error) else ""
    return (
        f"{where + ': ' if where else ''}internal error: {type(error).__name__}"
        f"{': ' + text if text else ''}. This is a flaskmod bug (no file was left half-written): "
        f"please report it with the traceback `{DEBUG}=1` prints"
    )


def _blame(error: BaseException) -> str | None:
    """The project file flaskmod was working on: the innermost `path` of flaskmod's frames."""
    import traceback

    from flaskmod.codemod import Context

    ours = tuple(str(Path(p).resolve()) for p in _flaskmod_paths())
    frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
    for frame in reversed(frames):
        if frame.f_code.co_filename.startswith(ours):
            value = frame.f_locals.get("path")
            if isinstance(value, str) and value:
                return _as_the_user_knows_it(frame.f_locals, value)
            context = frame.f_locals.get("context")
            if isinstance(context, Context):  # the app module, as the user knows it
                return context.project.source_of(context.model.app_path)
    return None


def _as_the_user_knows_it(local: dict[str, Any], path: str) -> str:
    """A path of the migrated snapshot, named as it was before the migration moved it."""
    from flaskmod.project import Project

    project = local.get("project")
    workspace = local.get("workspace")
    if workspace is not None and isinstance(getattr(workspace, "final", None), Project):
        project = workspace.final
    return project.source_of(path) if isinstance(project, Project) else path


def _flaskmod_paths() -> list[str]:
    """Where flaskmod's own code is (the engine and the codemods)."""
    return [*flaskmod.__path__, *importlib.import_module("flaskmod.codemods").__path__]


@click.group(cls=_Group, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flaskmod")
def main() -> None:
    """Migrate a legacy Flask app (a global `app = Flask(...)`) to an application factory.

    Preview first (`flaskmod upgrade PATH`), then `--apply`. Options may also be set in the
    project's pyproject.toml under [tool.flaskmod].
    """


# ------------------------------------------------------------------ shared options
F = TypeVar("F", bound=Callable[..., Any])


class _CodemodChoice(click.Choice[str]):
    """The codemods' names, discovered when a value is checked or the help shows them."""

    def __init__(self) -> None:
        self._names: tuple[str, ...] | None = None
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        if self._names is None:
            from flaskmod.pipeline import discover

            self._names = tuple(codemod.name for codemod in discover())
        return self._names

    @choices.setter
    def choices(self, value: object) -> None:
        """Click's constructor sets the (empty) choices; the discovered names replace them."""


class _MigrationCommand(click.Command):
    """`plan` and `upgrade`: the options each codemod declares are added to the command's own
    (after `--python`) when its parameters are first read, to parse, show help or check
    `[tool.flaskmod]`; `flaskmod --help` and `flaskmod list` never import the codemods for them."""

    #: the option the codemods' options follow; with `given_only`, they default to None (unset)
    after = "python"
    given_only = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._params: list[click.Parameter] = []
        self._declared = False
        super().__init__(*args, **kwargs)

    @property
    def params(self) -> list[click.Parameter]:
        if not self._declared:
            self._declared = True
            after = next(i for i, p in enumerate(self._params) if p.name == self.after) + 1
            self._params[after:after] = _declared_options(self.given_only)
        return self._params

    @params.setter
    def params(self, value: list[click.Parameter]) -> None:
        self._params = value


class _BatchCommand(_MigrationCommand):
    """`batch`: the codemods' options follow `--flask-version` and are None unless given, so
    each repository's own `[tool.flaskmod]` decides the rest."""

    after = "flask_version"
    given_only = True


def _declared_options(given_only: bool = False) -> list[click.Parameter]:
    """A click option for each option the codemods declare (`--group-by`, ...)."""
    from flaskmod.pipeline import declared_options, discover

    return [
        click.Option(
            [option.flag, option.name],
            default=None if given_only else option.default,
            show_default=not given_only,
            type=click.Choice(option.choices) if option.choices else str,
            help=option.help[:1].upper()
            + option.help[1:]
            + (f" (default: {option.default})." if given_only else "."),
        )
        for option in declared_options(discover()).values()
    ]


def _selection(command: F) -> F:
    command = click.option(
        "--skip", multiple=True, type=_CodemodChoice(), help="Skip this codemod (repeatable)."
    )(command)
    return click.option(
        "--only", multiple=True, type=_CodemodChoice(), help="Run only this codemod (repeatable)."
    )(command)


def _migration(command: F) -> F:
    """Options that shape the migration, shared by `plan` and `upgrade` (whose class,
    `_MigrationCommand`, adds the codemods' declared options after `--python`)."""
    command = click.option(
        "--python",
        type=click.Path(path_type=Path),
        help="The project's interpreter: asked which Flask it has, and used by --verify.",
    )(command)
    command = click.option(
        "--app",
        "app_choice",
        metavar="PATH[:NAME]",
        help="The app to migrate when the project creates several (e.g. site/core.py:app).",
    )(command)
    command = click.option(
        "--flask-version",
        metavar="X.Y",
        help="Generate code for this Flask (default: read from the project; see the README).",
    )(command)
    return click.option(
        "--config",
        "config_file",
        type=click.Path(path_type=Path),
        help="Read settings from this TOML file instead of PATH/pyproject.toml [tool.flaskmod].",
    )(command)


def _output(command: F) -> F:
    command = click.option("-v", "--verbose", is_flag=True, help="Say more.")(command)
    command = click.option(
        "-q", "--quiet", is_flag=True, help="Only manual steps, refusals and the outcome."
    )(command)
    return click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON document on stdout (README)."
    )(command)


def _options(values: dict[str, Any], force: bool = False) -> Options:
    from flaskmod.pipeline import Options, declared_options, discover
    from flaskmod.versions import exactly, parse_version

    flask = values.get("flask_version")
    declared = declared_options(discover())
    return Options(
        flask=exactly(parse_version(flask), "--flask-version") if flask else None,
        force=force,
        app=values.get("app_choice"),
        python=values.get("python"),
        settings={name: str(values[name]) for name in declared if values.get(name) is not None},
    )


def _codemods(values: dict[str, Any]) -> list[Codemod]:
    from flaskmod.pipeline import discover, select

    return select(discover(), values.get("only", ()), values.get("skip", ()))


def _output_for(values: dict[str, Any], color: bool | None = None) -> modes.Output:
    from flaskmod import modes

    return modes.Output(
        _stderr(),
        values.get("as_json", False),
        values.get("quiet", False),
        values.get("verbose", False),
        color,
    )


# ------------------------------------------------------------------------ commands
@main.command("list", epilog=EPILOG)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def list_codemods(as_json: bool) -> None:
    """List the codemods in the order they run, with one-line summaries."""
    # From the manifest: importing the codemods (LibCST) and rich would take most of a second.
    from flaskmod import manifest

    entries = manifest.entries()
    if as_json:
        _print_json({"codemods": [entry.to_json() for entry in entries]})
        return
    header, *rows = manifest.table(entries, _terminal_width())
    click.echo(click.style(header, bold=True))  # plain when not on a terminal
    for row in rows:
        click.echo(row)


def _terminal_width() -> int | None:
    """The terminal's width; None when stdout is not a terminal (lines are then not wrapped)."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


@main.command(epilog=EPILOG, cls=_MigrationCommand)
@click.argument("path", type=click.Path(path_type=Path))
@_selection
@_migration
@_output
def plan(path: Path, **values: Any) -> None:
    """Analyse PATH and say what each codemod would do, without the diff or writing."""
    from rich.console import Console

    from flaskmod import report
    from flaskmod.pipeline import Driver
    from flaskmod.project import scan
    from flaskmod.upgrade import Modes, whole_run

    # The plan shows what --force would do; `upgrade` without it refuses blocking uses.
    driver = Driver(scan(path), _codemods(values), _options(values, force=True))
    out = _output_for(values)
    result = whole_run(driver, Modes())
    if out.as_json:
        _print_json(report.to_json(result, str(path), result.run.secrets))
        return
    console = Console(highlight=False)
    report.summary(console, result.run)
    report.plan(console, result.run)
    report.findings(console, result.run, notes=not out.quiet)
    report.violations(console, result.violations)
    if result.run.model.blocking:
        where = ", ".join(str(finding.location) for finding in result.run.model.blocking)
        console.print(
            f"`upgrade` refuses until the manual steps at {where} are done; with --force it "
            "migrates the rest.",
            soft_wrap=True,
        )
    report.status(console, result)


@main.command(epilog=EPILOG, cls=_MigrationCommand)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--apply", "write", is_flag=True, help="Write the changes (atomically).")
@click.option("--check", is_flag=True, help="Exit 1 if anything would change, 0 otherwise.")
@_selection
@click.option(
    "--color/--no-color", default=None, help="Highlight the diff (default: on a terminal)."
)
@click.option("--from-head", is_flag=True, help="Preview the committed state (git HEAD).")
@click.option("--allow-dirty", is_flag=True, help="Write although tracked files have changes.")
@click.option("--commit", is_flag=True, help="Commit each codemod separately on a branch (git).")
@click.option(
    "--branch",
    default=DEFAULT_BRANCH,
    show_default=True,
    help="Branch for --commit: created, or reused if it points at HEAD.",
)
@click.option("--step", is_flag=True, help="Apply (or --commit) only the next pending codemod.")
@click.option("-i", "--interactive", is_flag=True, help="Accept or reject each file and hunk.")
@click.option(
    "--partial", is_flag=True, help="Write even if the migration stops short of a factory."
)
@click.option(
    "--verify",
    "verify_first",
    is_flag=True,
    help="Before writing, run the original and the migrated copy and compare them.",
)
@click.option("--run-tests", is_flag=True, help="With --verify: run the project's tests on both.")
@click.option(
    "--format",
    "format",
    is_flag=True,
    help="With --apply: run the formatter the project configures (ruff format or black) on the "
    "files flaskmod wrote.",
)
@_migration
@click.option(
    "--force",
    is_flag=True,
    help="Migrate even if the app is rebound or passed to unknown functions (manual steps).",
)
@_output
def upgrade(paths: tuple[Path, ...], **values: Any) -> None:
    """Preview (default) or apply the migration of the project at each PATH.

    The summary and plan go to stderr, the diff to stdout: `flaskmod upgrade PATH > migration.patch`
    gives a patch `git apply` accepts, from inside PATH.

    \b
    Nothing is written unless the migrated project passes the self-check (it links; production
    reads its secrets from the environment; no current_app proxy handed on). In a git work tree,
    writing refuses uncommitted changes (unless --allow-dirty) and untracked files it would
    overwrite. --commit makes one commit per codemod on --branch; --step applies the next
    pending codemod only; --interactive asks per file and hunk, like `git add -p`.
    """
    flags = _modes(values)
    flags.validate()
    worst = EXIT_OK
    documents: list[dict[str, Any]] = []
    for path in paths:
        code, document = _upgrade_one(path, flags, values)
        worst = max(worst, code)
        documents.append(document)
    if values.get("as_json"):
        from flaskmod import report

        _print_json(documents[0] if len(documents) == 1 else report.projects_json(documents))
    sys.exit(worst)


def _modes(values: dict[str, Any]) -> Modes:
    from flaskmod.upgrade import Modes

    return Modes(
        write=values["write"],
        check=values["check"],
        from_head=values["from_head"],
        allow_dirty=values["allow_dirty"],
        commit=values["commit"],
        step=values["step"],
        interactive=values["interactive"],
        partial=values["partial"],
        format=values["format"],
    )


def _upgrade_one(path: Path, flags: Modes, values: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The exit code and the `--json` document of one PATH."""
    from flaskmod import modes
    from flaskmod.upgrade import Verification

    out = _output_for(values, values["color"])
    options = _options(values, force=values["force"])
    verify = (
        Verification(python=options.python, run_tests=values["run_tests"], app=options.app)
        if values["verify_first"]
        else None
    )
    with modes.prepared(path, flags, _codemods(values), options, values["branch"]) as (
        target,
        driver,
    ):
        if target.branch is not None:
            code = modes.commit(out, target, driver, flags.step)
        elif flags.step:
            code = modes.step(out, target, driver)
        else:
            code = modes.whole(out, target, driver, flags, verify)
    return code, out.document


@main.command(epilog=BATCH_EPILOG, cls=_BatchCommand)
@click.argument("repos", nargs=-1)
@click.option(
    "--from-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read repositories from FILE: one path or git URL a line, # comments.",
)
@click.option(
    "--discover", is_flag=True, help="Each given folder's immediate subfolders are repositories."
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes [CPU count].")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=600.0,
    show_default=True,
    help="Seconds per repository before its worker is killed (0: no limit).",
)
@click.option(
    "--max-per-worker",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Repositories a worker migrates before it is replaced (bounds memory).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("flaskmod-patches"),
    show_default=True,
    help="Folder for the patches, one <repo>.patch each.",
)
@click.option(
    "--report",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report as JSON here, with .md and .html beside it.",
)
@click.option(
    "--resume",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Skip repositories this report shows finished at the same commit.",
)
@click.option("--apply", "write", is_flag=True, help="Write each migration, as upgrade --apply.")
@click.option(
    "--commit", is_flag=True, help="Commit each codemod on --branch, as upgrade --commit."
)
@click.option("--branch", help=f"Branch for --commit [{DEFAULT_BRANCH}].")
@click.option(
    "--partial", is_flag=True, help="With --apply: write even if it stops short of a factory."
)
@click.option("--force", is_flag=True, help="Migrate despite uses of the app that need a human.")
@click.option(
    "--verify",
    is_flag=True,
    help="Before writing, compare each migrated copy with the original (the repo's .venv).",
)
@click.option("--run-tests", is_flag=True, help="With --verify: run each project's tests too.")
@_selection
@click.option("--flask-version", metavar="X.Y", help="Generate code for this Flask [detected].")
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Local worker processes, or a Dask distributed cluster (flaskmod[dask]).",
)
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="The Dask scheduler's address.")
def batch(repos: tuple[str, ...], **values: Any) -> None:
    """Migrate many repositories, each independently in a worker process.

    Preview by default: each repository's patch goes to --out/<repo>.patch. A crash, a hang
    (--timeout), a syntax error or a non-Flask repository never stops the others; each ends
    with one outcome: migrated, already-factory, not-flask, needs-manual-steps, refused,
    error or timeout. --apply and --commit write as `upgrade` does, per repository (a dirty
    work tree is that repository's error). --report writes report.json, report.md and a
    self-contained report.html.
    """
    from flaskmod.batch import command as batch_command
    from flaskmod.pipeline import declared_options, discover

    declared = declared_options(discover())
    settings = {name: str(values.pop(name)) for name in declared if values.get(name) is not None}
    values["branch_given"] = values["branch"] is not None
    values["branch"] = values["branch"] or DEFAULT_BRANCH
    sys.exit(batch_command.run(repos, values, settings))


@main.command(epilog=EPILOG)
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Also put back files changed after the interrupted apply wrote them (their edits are lost).",
)
def recover(path: Path, force: bool) -> None:
    """Roll back an apply that was interrupted (killed, power cut) half-way through PATH.

    Every file is put back to the bytes and mode it had before that apply, the files and folders
    it created are removed. It never rolls forward: run the migration again afterwards.
    """
    from flaskmod import journal, lock
    from flaskmod.project import scan

    if not path.is_dir():
        scan(path)  # a missing or non-directory PATH is reported as such
    with lock.hold(journal.locate(path).lock, "recovering"):
        record = journal.recover(path, force)
    err = _stderr()
    if record is None:
        err.print("Nothing to recover: no interrupted apply in this project.")
        return
    err.print(
        f"[bold green]Recovered[/]: the interrupted apply ({journal.describe(record)}) was "
        f"rolled back; its {len(record.entries)} file(s) are as they were before it.",
        soft_wrap=True,
    )


def _configurable_commands() -> list[click.Command]:
    """The commands whose options `[tool.flaskmod]` may set: all but `batch`, which reads no
    project's settings for itself (each repository's job reads its own)."""
    assert isinstance(main, _Group)
    return [command for command in main.all_commands() if command.name != "batch"]


tool_config.register(_configurable_commands)
