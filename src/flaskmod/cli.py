"""Command line: snapshot → analysis → codemods → changeset → preview or apply.

Exit codes: 0 success (or nothing to do), 1 `--check` found changes, 2 bad input, a refusal or
an I/O error (one line naming the file; nothing written), 3 an internal error (one line, please
report it; `FLASKMOD_DEBUG=1` prints the traceback), 130/143 interrupted by Ctrl-C/SIGTERM
(anything half-written put back).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import click
from git.exc import GitCommandError
from rich.console import Console

import flaskmod
from flaskmod import __version__, gitops, interactive, interrupts, journal, lock, report
from flaskmod.analysis import analyze
from flaskmod.apply import apply, preflight
from flaskmod.changeset import Changeset, Kind, compute
from flaskmod.codemod import Context
from flaskmod.errors import FlaskmodError, Location
from flaskmod.pipeline import Codemod, Options, Run, discover, refuse_blocking, run, select
from flaskmod.project import Project, dangling_links, scan, unread_url_for
from flaskmod.verify import verify_command
from flaskmod.versions import exactly, parse_version

EXIT_OK, EXIT_CHANGES, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
DEBUG = "FLASKMOD_DEBUG"

EPILOG = """\b
Exit codes:
  0  success, or nothing to do (already an application factory)
  1  --check: the migration would change files
  2  bad input, refusal or I/O error: one line names the file; nothing was written
  3  internal error (a bug: please report it; FLASKMOD_DEBUG=1 prints the traceback)
  130, 143  interrupted by Ctrl-C or SIGTERM; anything half-written was put back
"""


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


class _Group(click.Group):
    """Every command: SIGTERM handled like Ctrl-C, an interrupted apply refused, and every
    failure one line with a distinct exit code (never a traceback, never the 1 of --check)."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            with interrupts.handled():
                return super().invoke(ctx)
        except FlaskmodError as error:
            _error(str(error), error)
            ctx.exit(EXIT_ERROR)
        except KeyboardInterrupt as interrupt:
            _error(
                f"interrupted ({interrupts.name(interrupt)}); nothing half-written was left",
                interrupt,
            )
            ctx.exit(interrupts.exit_code(interrupt))
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except GitCommandError as error:  # the user's git or repository, not flaskmod
            detail = str(error.stderr).strip().splitlines()
            _error(f"git failed: {detail[-1] if detail else error}", error)
            ctx.exit(EXIT_ERROR)
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            _error(f"{where}{error.strerror or error}", error)
            ctx.exit(EXIT_ERROR)
        except Exception as error:
            _error(_internal(error), error)
            ctx.exit(EXIT_INTERNAL)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and name != "recover" and not ctx.resilient_parsing:
            _refuse_interrupted(ctx, name, command, rest)
        return name, command, rest


def _refuse_interrupted(
    ctx: click.Context, name: str | None, command: click.Command, args: list[str]
) -> None:
    """Before any command on PATH: no other flaskmod writing it, no half-done apply in it."""
    sub = command.make_context(name, list(args), parent=ctx, resilient_parsing=True)
    with sub:
        path = sub.params.get("path")
    if isinstance(path, Path) and path.is_dir():
        journal.refuse_interrupted(path)


def _error(message: str, error: BaseException) -> None:
    if os.environ.get(DEBUG):
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
    ours = tuple(str(Path(p).resolve()) for p in _flaskmod_paths())
    frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
    for frame in reversed(frames):
        if frame.f_code.co_filename.startswith(ours):
            value = frame.f_locals.get("path")
            if isinstance(value, str) and value:
                return value
            context = frame.f_locals.get("context")
            if isinstance(context, Context):  # the app module, as the user knows it
                return context.project.source_of(context.model.app_path)
    return None


def _flaskmod_paths() -> list[str]:
    """Where flaskmod's own code is (the engine and the codemods)."""
    return [*flaskmod.__path__, *importlib.import_module("flaskmod.codemods").__path__]


@click.group(cls=_Group, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flaskmod")
def main() -> None:
    """Migrate a legacy single-file Flask app to the application-factory pattern.

    Preview first (`flaskmod upgrade PATH`), then `--apply`.
    """


codemod_names = click.Choice([c.name for c in discover()])

F = TypeVar("F", bound=Callable[..., Any])


def _migration_options(command: F) -> F:
    """Options that shape the generated code, shared by `plan` and `upgrade`."""
    command = click.option(
        "--app",
        "app_choice",
        metavar="PATH[:NAME]",
        help="The app to migrate when the project creates several (e.g. site/core.py:app).",
    )(command)
    command = click.option(
        "--flask-version",
        metavar="X.Y",
        help="Generate code for this Flask (default: read from the project's dependency files).",
    )(command)
    return click.option(
        "--group-by",
        type=click.Choice(["single", "prefix"]),
        default="single",
        show_default=True,
        help="Blueprints: one `main`, or one per first URL segment shared by several views.",
    )(command)


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
@_migration_options
def plan(
    path: Path,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    group_by: str,
    flask_version: str | None,
    app_choice: str | None,
) -> None:
    """Analyse PATH and print what each codemod would do, without the diff."""
    # The plan shows what --force would do; `upgrade` without it refuses blocking uses.
    options = replace(_options(group_by, flask_version, app_choice), force=True)
    outcome = run(scan(path), select(discover(), only, skip), options)
    console = Console(highlight=False)
    report.summary(console, outcome)
    _say_skipped(console, outcome.original)
    report.plan(console, outcome)
    report.findings(console, outcome)
    if outcome.model.blocking:
        where = ", ".join(str(finding.location) for finding in outcome.model.blocking)
        console.print(
            f"`upgrade` refuses until the manual steps at {where} are done; with --force it "
            "migrates the rest.",
            soft_wrap=True,
        )


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
@click.option(
    "--from-head", is_flag=True, help="Preview the committed state (git HEAD), not the disk."
)
@click.option(
    "--allow-dirty", is_flag=True, help="Write even if tracked files have uncommitted changes."
)
@click.option("--commit", is_flag=True, help="Commit each codemod separately on a branch (git).")
@click.option(
    "--branch",
    default=gitops.DEFAULT_BRANCH,
    show_default=True,
    help="Branch for --commit: created, or reused if it points at HEAD.",
)
@click.option(
    "--step", is_flag=True, help="Apply (or with --commit, commit) only the next pending codemod."
)
@click.option(
    "-i", "--interactive", is_flag=True, help="Accept or reject each file and hunk on a terminal."
)
@_migration_options
@click.option(
    "--force",
    is_flag=True,
    help="Migrate even if the app is rebound or passed to unknown functions (manual steps).",
)
def upgrade(
    path: Path,
    write: bool,
    check: bool,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    color: bool | None,
    from_head: bool,
    allow_dirty: bool,
    commit: bool,
    branch: str,
    step: bool,
    interactive: bool,
    group_by: str,
    flask_version: str | None,
    app_choice: str | None,
    force: bool,
) -> None:
    """Preview (default) or apply the migration of the project at PATH.

    The summary and plan go to stderr, the diff to stdout: `flaskmod upgrade PATH > migration.patch`
    gives a patch `git apply` accepts, from inside PATH.

    \b
    In a git work tree, writing refuses uncommitted changes (unless --allow-dirty) and untracked
    files it would overwrite. --commit makes one commit per codemod on --branch; --step applies
    the next pending codemod only; --interactive asks per file and hunk, like `git add -p`.
    """
    flags = _Flags(write, check, from_head, allow_dirty, commit, step, interactive)
    flags.validate()
    err = _stderr()
    codemods = select(discover(), only, skip)
    options = replace(_options(group_by, flask_version, app_choice), force=force)
    with gitops.open_tree(path) as tree, _writing(path, flags.writes):
        branch_plan = _preflight(path, tree, flags, branch)
        project = gitops.head_snapshot(tree, path) if tree is not None and from_head else scan(path)
        refuse_blocking(analyze(project, options.app), options)  # before any mode prints or writes
        if flags.writes and not force:
            _refuse_unread(project)
        source = gitops.describe_source(tree, from_head) if tree is not None else None
        if tree is not None and branch_plan is not None:
            _commit(err, path, tree, project, codemods, branch_plan, step, source, options)
        elif step:
            _step(err, path, tree, project, codemods, source, options)
        else:
            _whole(err, path, tree, project, codemods, flags, color, source, options)


def _writing(path: Path, writes: bool) -> contextlib.AbstractContextManager[None]:
    """The project's lock for the whole of a writing run (--commit writes between git steps)."""
    if not writes or not path.is_dir():
        return contextlib.nullcontext()
    return lock.hold(journal.locate(path).lock)


def _refuse_unread(project: Project) -> None:
    """A skipped file that calls url_for() may name an endpoint the migration renames."""
    unread = unread_url_for(project)
    if unread:
        reasons = dict(project.skipped)
        others = f" (and {len(unread) - 1} more)" if len(unread) > 1 else ""
        raise FlaskmodError(
            f"not read ({reasons[unread[0]]}) but calls url_for(), whose endpoints the migration "
            f"renames{others}; refused: migrate it by hand, or rerun with --force",
            Location(unread[0]),
        )


def _say_skipped(err: Console, project: Project) -> None:
    """Every file flaskmod would read but did not, with the reason: nothing skipped in silence."""
    if project.skipped:
        err.print(f"[bold]Skipped[/] {len(project.skipped)} file(s):")
        for path, reason in project.skipped:
            err.print(f"  {path}: {reason}", markup=False, soft_wrap=True)


def _options(group_by: str, flask_version: str | None, app: str | None = None) -> Options:
    flask = None
    if flask_version is not None:
        flask = exactly(parse_version(flask_version), "--flask-version")
    return Options(group_by=group_by, flask=flask, app=app)


@dataclass(frozen=True)
class _Flags:
    """The modes `upgrade` was asked for, and which of them go together."""

    write: bool
    check: bool
    from_head: bool
    allow_dirty: bool
    commit: bool
    step: bool
    interactive: bool

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


def _preflight(
    path: Path, tree: gitops.GitTree | None, flags: _Flags, branch: str
) -> gitops.BranchPlan | None:
    """Refusals that need no codemod run, made before anything is printed or written.

    Returns the branch plan for --commit.
    """
    if tree is None:
        if flags.commit or flags.from_head:
            if not path.is_dir():
                scan(path)  # a missing or non-directory PATH is reported as such
            option = "--commit" if flags.commit else "--from-head"
            raise FlaskmodError(f"{option} needs git, and PATH is not inside a git work tree")
        return None
    if not flags.writes:
        return None
    gitops.refuse_unsafe_state(tree)
    plan = gitops.plan_branch(tree, branch) if flags.commit else None
    gitops.refuse_dirty(tree, flags.allow_dirty, commit=flags.commit)
    return plan


def _guard(path: Path, tree: gitops.GitTree | None, changes: Changeset, project: Project) -> None:
    """Untracked files have no copy in git: never write over them (dirt was checked before).
    A link kept as a link must not be left pointing at a file the migration moves away."""
    if tree is not None:
        gitops.refuse_untracked(tree, path, changes)
    preflight(path, changes)
    removed = [c.old_path for c in changes if c.old_path and c.kind in (Kind.MOVED, Kind.DELETED)]
    for link, target in dangling_links(project, removed):
        raise FlaskmodError(
            f"a symbolic link to {target}, which the migration moves or deletes; refused: "
            "remove the link or point it elsewhere first",
            Location(link),
        )


def _whole(
    err: Console,
    path: Path,
    tree: gitops.GitTree | None,
    project: Project,
    codemods: list[Codemod],
    flags: _Flags,
    color: bool | None,
    source: str | None,
    options: Options,
) -> None:
    """Every codemod at once: preview, --check, --apply or --interactive."""
    with err.status("Running codemods…") as status:
        outcome = run(project, codemods, options, on_step=lambda c: status.update(f"{c.name}…"))
    changes = compute(project, outcome.final)
    if flags.write or flags.interactive:
        _guard(path, tree, changes, project)
    _say_source(err, source)
    report.summary(err, outcome)
    _say_skipped(err, project)
    if outcome.already_factory:
        err.print("Nothing to do: the project already builds its app in a factory.")
        sys.exit(EXIT_OK)
    report.plan(err, outcome)
    report.findings(err, outcome)
    if not changes:
        err.print("Nothing to do: no codemod would change anything.")
        sys.exit(EXIT_OK)
    if flags.check:
        err.print(f"{len(changes)} file(s) would change.")
        sys.exit(EXIT_CHANGES)
    if flags.interactive:
        _interactive(err, path, changes, color is not False)
    elif flags.write:
        apply(path, changes)
        report.applied(err, changes)
    else:
        report.diff(changes, color, outcome.secrets)


def _interactive(err: Console, path: Path, changes: Changeset, color: bool) -> None:
    """Ask per file and hunk, then write only what was accepted, atomically."""
    try:
        chosen = interactive.choose(changes, _shower(color), _ask)
    except click.Abort:
        raise FlaskmodError("interrupted; nothing was written") from None
    if not chosen:
        err.print("Nothing accepted; nothing was written.")
        return
    apply(path, chosen)
    report.applied(err, chosen)


def _shower(color: bool) -> Callable[[str], None]:
    """Print a patch on the terminal, highlighted like `git add -p` unless --no-color."""

    def show(text: str) -> None:
        for line in text.splitlines(keepends=True):
            fg = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1])
            if color and line.startswith(("diff ", "new file", "deleted file", "---", "+++")):
                line = click.style(line, bold=True)
            elif color and fg:
                line = click.style(line, fg=fg)
            click.echo(line, nl=False)

    return show


def _ask(question: str) -> str:
    answer: str = click.prompt(
        f"{question} [y,n,q]",
        type=click.Choice(interactive.ANSWERS),
        show_choices=False,
        prompt_suffix=" ",
    )
    return answer


def _say_source(err: Console, source: str | None) -> None:
    """Which state of a git project is read; printed after the refusals, which stay one line."""
    if source is not None:
        err.print(source, soft_wrap=True)


def _header(err: Console, project: Project, source: str | None, options: Options) -> None:
    """The summary line for modes that run codemods one by one; exit if nothing can be done."""
    _say_source(err, source)
    outcome = Run(original=project, model=analyze(project, options.app), options=options)
    report.summary(err, outcome)
    _say_skipped(err, outcome.original)
    if outcome.already_factory:
        err.print("Nothing to do: the project already builds its app in a factory.")
        sys.exit(EXIT_OK)


def _step(
    err: Console,
    path: Path,
    tree: gitops.GitTree | None,
    project: Project,
    codemods: list[Codemod],
    source: str | None,
    options: Options,
) -> None:
    """Apply the first codemod that changes something, and say which comes next."""
    steps = gitops.pending_steps(project, codemods, options)
    pending = next(steps, None)
    if pending is not None:
        _guard(path, tree, pending.changes, project)
    _header(err, project, source, options)
    if pending is None:
        err.print("Nothing to do: no codemod would change anything.")
        return
    apply(path, pending.changes)
    err.print(f"[bold green]Applied[/] {pending.codemod.name}: {pending.codemod.summary}")
    _step_findings(err, pending)
    again = "commit it, then run again with --step" if tree is not None else "run again with --step"
    _say_next(err, next(steps, None), again)


def _step_findings(err: Console, pending: gitops.Pending) -> None:
    for finding in pending.findings:
        err.print(f"  {finding.severity.value}: {finding}", soft_wrap=True)


def _say_next(err: Console, upcoming: gitops.Pending | None, again: str) -> None:
    if upcoming is None:
        err.print("Next: nothing; the migration is complete.")
    else:
        err.print(f"Next: {upcoming.codemod.name} ({again}).", soft_wrap=True)


def _commit(
    err: Console,
    path: Path,
    tree: gitops.GitTree,
    project: Project,
    codemods: list[Codemod],
    plan: gitops.BranchPlan,
    step: bool,
    source: str | None,
    options: Options,
) -> None:
    """One commit per codemod (or only the next with --step) on a branch; all or nothing."""
    _header(err, project, source, options)
    done = gitops.commit_steps(
        tree, path, project, codemods, plan, limit=1 if step else None, options=options
    )
    if not done:
        err.print("Nothing to do: no codemod would change anything.")
        return
    err.print(f"[bold green]Committed[/] {len(done)} codemod(s) on branch {plan.name}:")
    for item in done:
        err.print(f"  {item.sha[:7]} {item.pending.codemod.name}")
        _step_findings(err, item.pending)
    if step:
        upcoming = next(gitops.pending_steps(done[-1].pending.after, codemods, options), None)
        _say_next(err, upcoming, "run again with --commit --step")
    if plan.original != plan.name:
        err.print(f"Review with `git log -p {plan.original}..{plan.name}`.", soft_wrap=True)


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


main.add_command(verify_command)
