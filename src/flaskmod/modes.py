"""The modes of `flaskmod upgrade` and what each tells the user: preview, `--check`, `--apply`,
`--interactive` (all from one whole run), `--step` and `--commit` (one codemod at a time).

Human output goes to stderr (the diff alone to stdout, so it can be piped to `git apply`);
`--json` prints one JSON document on stdout instead and nothing else there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from flaskmod import formatting, gitops, interactive, journal, lock, report
from flaskmod.apply import apply, preflight
from flaskmod.changeset import Changeset, Kind
from flaskmod.codemod import Codemod
from flaskmod.errors import FlaskmodError, Location
from flaskmod.pipeline import Driver, Options, Run, refuse_blocking
from flaskmod.project import Project, dangling_links, scan, unread_url_for
from flaskmod.secrets import redact
from flaskmod.upgrade import (
    EXIT_CHANGES,
    EXIT_OK,
    Modes,
    Result,
    Verification,
    check_step,
    compare_with_original,
    refuse_unsafe,
    whole_run,
)


@dataclass
class Output:
    """Where messages go: a console on stderr, or a JSON document on stdout."""

    err: Console
    as_json: bool = False
    quiet: bool = False
    verbose: bool = False
    color: bool | None = None
    document: dict[str, Any] = field(default_factory=dict)

    def say(self, message: str, *, always: bool = False) -> None:
        if not self.as_json and (always or not self.quiet):
            self.err.print(message, soft_wrap=True)


@dataclass(frozen=True)
class Target:
    """One project to upgrade, and where it stands with git."""

    path: Path
    tree: gitops.GitTree | None
    project: Project
    source: str | None
    branch: gitops.BranchPlan | None
    #: `--format`: the project's formatter, run on the written Python files
    formatter: formatting.Formatter | None = None


@contextmanager
def prepared(
    path: Path, modes: Modes, codemods: Sequence[Codemod], options: Options, branch: str
) -> Iterator[tuple[Target, Driver]]:
    """The project at `path` read and analysed once, every refusal that needs no codemod run
    made, and (when writing) its lock held: what `upgrade` and `batch` share per project."""
    # A formatter configured but not installed is refused before anything runs or is written.
    formatter = formatting.find(path) if modes.format else None
    writing = (
        lock.hold(journal.locate(path).lock) if modes.writes and path.is_dir() else nullcontext()
    )
    with gitops.open_tree(path) as tree, writing:
        plan = _preflight(path, tree, modes, branch)
        project = (
            gitops.head_snapshot(tree, path) if tree is not None and modes.from_head else scan(path)
        )
        driver = Driver(project, codemods, options)  # analyses once; refusals before any output
        if not driver.already_factory:
            refuse_blocking(driver.model, options)
        if modes.writes and not options.force:
            _refuse_unread(project)
        source = gitops.describe_source(tree, modes.from_head) if tree is not None else None
        yield Target(path, tree, project, source, plan, formatter), driver


def _preflight(
    path: Path, tree: gitops.GitTree | None, modes: Modes, branch: str
) -> gitops.BranchPlan | None:
    """Refusals that need no codemod run, made before anything is printed or written.

    Returns the branch plan for --commit.
    """
    if tree is None:
        if modes.commit or modes.from_head:
            if not path.is_dir():
                scan(path)  # a missing or non-directory PATH is reported as such
            option = "--commit" if modes.commit else "--from-head"
            raise FlaskmodError(f"{option} needs git, and PATH is not inside a git work tree")
        return None
    if not modes.writes:
        return None
    gitops.refuse_unsafe_state(tree)
    plan = gitops.plan_branch(tree, branch) if modes.commit else None
    gitops.refuse_dirty(tree, modes.allow_dirty, commit=modes.commit)
    return plan


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


# --------------------------------------------------------------------- whole runs
def whole(
    out: Output, target: Target, driver: Driver, modes: Modes, verify: Verification | None
) -> int:
    """Every codemod at once: preview, --check, --apply or --interactive."""
    clock = _Clock()
    if out.as_json or out.quiet:
        result = whole_run(driver, modes)
    else:
        with out.err.status("Running codemods…") as status:

            def started(codemod: Codemod) -> None:
                status.update(f"{codemod.name}…")
                clock.lap(codemod.name)

            driver.on_step = started
            result = whole_run(driver, modes)
            clock.lap("")
    if out.verbose and not out.as_json:
        for name, seconds in clock.laps:
            out.say(f"  [dim]{name}: {seconds:.2f} s (CPU)[/]")
    return deliver(out, target, result, modes, verify)[0]


def deliver(
    out: Output, target: Target, result: Result, modes: Modes, verify: Verification | None
) -> tuple[int, Result]:
    """What `whole` does with a run's result: refuse, describe, verify, then preview or write.

    Returns the exit code and the result as it ended (verified, written); `batch` calls it
    directly to keep the result of each repository."""
    if modes.writes and result.changes:
        refuse_unsafe(result, modes)  # refusals before anything is printed: one line
        _guard(target, result.changes)
    _describe(out, target, result)
    if result.run.already_factory or not result.changes:
        return _finish(out, target, result, _exit(result, modes)), result
    if modes.check:
        out.say(f"{len(result.changes)} file(s) would change.", always=True)
        return _finish(out, target, result, EXIT_CHANGES), result
    refuse_unsafe(result, modes)
    if verify is not None:
        result = _verified(out, target, result, verify)
        if result.differences:
            return _finish(out, target, result, EXIT_CHANGES), result
    result = _deliver(out, target, result, modes)
    return _finish(out, target, result, _exit(result, modes)), result


class _Clock:
    """CPU seconds per codemod for `--verbose` (the last lap runs to the self-check's end)."""

    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self._name: str | None = None
        self._start = time.process_time()

    def lap(self, name: str) -> None:
        now = time.process_time()
        if self._name is not None:
            self.laps.append((self._name, now - self._start))
        self._name, self._start = name or None, now


def _describe(out: Output, target: Target, result: Result) -> None:
    if out.as_json:
        return
    _say_source(out, target.source)
    if not out.quiet:
        report.summary(out.err, result.run)
        _say_skipped(out.err, target.project)
    if result.run.already_factory:
        return
    if not out.quiet and result.changes:
        report.plan(out.err, result.run)
    report.findings(out.err, result.run, notes=not out.quiet)
    report.violations(out.err, result.violations)


def _verified(out: Output, target: Target, result: Result, verify: Verification) -> Result:
    out.say("Verifying the migrated copy against the original…")
    differences = compare_with_original(target.path, result.changes, verify)
    for difference in differences:
        out.say(f"  different: {difference}", always=True)
    if differences:
        out.say("[bold red]Not written[/]: the migrated app behaves differently.", always=True)
    return replace(result, differences=tuple(differences))


def _deliver(out: Output, target: Target, result: Result, modes: Modes) -> Result:
    if modes.interactive:
        return replace(result, written=_interactive(out, target, result))
    if modes.write:
        apply(target.path, result.changes)
        if not out.as_json:
            report.applied(out.err, result.changes)
        if target.formatter is not None:
            paths = _formatted(result.changes)
            formatting.run(target.formatter, target.path, paths)
            formatter = target.formatter
            out.say(
                escape(
                    f"Formatted {len(paths)} file(s) with {formatter.name} "
                    f"({formatter.executable}; configured in {formatter.source})"
                )
            )
        return replace(result, written=True)
    if not out.as_json:
        report.diff(result.changes, out.color, result.run.secrets)
    return result


def _formatted(changes: Changeset) -> list[str]:
    """The Python files the changes write (what `--format` formats)."""
    return sorted(c.path for c in changes if c.new is not None and c.path.endswith(".py"))


def _exit(result: Result, modes: Modes) -> int:
    """1 when the migration stops short of the factory (written with --partial, or previewed)."""
    return EXIT_CHANGES if result.incomplete else EXIT_OK


def _finish(out: Output, target: Target, result: Result, code: int) -> int:
    if out.as_json:
        out.document = report.to_json(result, str(target.path), result.run.secrets)
        if target.formatter is not None and result.written:
            out.document["formatted"] = {
                "formatter": target.formatter.name,
                "configured_in": target.formatter.source,
                "files": _formatted(result.changes),
            }
    else:
        report.status(out.err, result)
    return code


def _interactive(out: Output, target: Target, result: Result) -> bool:
    """Ask per file and hunk, then write only what was accepted, atomically."""
    secrets = result.run.secrets
    try:
        chosen = interactive.choose(result.changes, _shower(out.color is not False, secrets), _ask)
    except click.Abort:
        raise FlaskmodError("interrupted; nothing was written") from None
    if not chosen:
        out.say("Nothing accepted; nothing was written.", always=True)
        return False
    _guard(target, chosen)
    apply(target.path, chosen)
    report.applied(out.err, chosen)
    return True


def _guard(target: Target, changes: Changeset) -> None:
    """Untracked files have no copy in git: never write over them (dirt was checked before).
    A link kept as a link must not be left pointing at a file the migration moves away."""
    if target.tree is not None:
        gitops.refuse_untracked(target.tree, target.path, changes)
    preflight(target.path, changes)
    removed = [c.old_path for c in changes if c.old_path and c.kind in (Kind.MOVED, Kind.DELETED)]
    for link, to in dangling_links(target.project, removed):
        raise FlaskmodError(
            f"a symbolic link to {to}, which the migration moves or deletes; refused: "
            "remove the link or point it elsewhere first",
            Location(link),
        )


def _shower(color: bool, secrets: frozenset[str]) -> Callable[[str], None]:
    """Print a patch on the terminal, highlighted like `git add -p`, secrets masked."""

    def show(text: str) -> None:
        for line in redact(text, secrets).splitlines(keepends=True):
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


# ------------------------------------------------------------------ one at a time
def step(out: Output, target: Target, driver: Driver) -> int:
    """Apply the first codemod that changes something (checked), and say which comes next."""
    steps = gitops.pending_steps(driver)
    pending = next(steps, None)
    if pending is not None:  # refusals before anything is printed: one line
        check_step(driver, pending.after, pending.codemod.name, frozenset())
        _guard(target, pending.changes)
    _header(out, target, driver)
    if pending is None:
        out.say("Nothing to do: no codemod would change anything.", always=True)
        out.document = report.steps_json(str(target.path), [], None)
        return EXIT_OK
    apply(target.path, pending.changes)
    out.say(
        f"[bold green]Applied[/] {pending.codemod.name}: {pending.codemod.summary}", always=True
    )
    _step_findings(out, pending)
    again = "commit it, then run again with --step" if target.tree else "run again with --step"
    upcoming = next(steps, None)
    _say_next(out, upcoming, again)
    out.document = report.steps_json(
        str(target.path), [(pending, None)], upcoming.codemod.name if upcoming else None
    )
    return EXIT_OK


def commit(out: Output, target: Target, driver: Driver, only_next: bool) -> int:
    """One commit per codemod (or only the next with --step) on a branch; all or nothing."""
    assert target.tree is not None and target.branch is not None
    _header(out, target, driver)
    done = gitops.commit_steps(
        target.tree,
        target.path,
        driver,
        target.branch,
        limit=1 if only_next else None,
        check=lambda p: check_step(driver, p.after, p.codemod.name, frozenset()),
    )
    branch = target.branch.name
    if not done:
        out.say("Nothing to do: no codemod would change anything.", always=True)
        out.document = report.steps_json(str(target.path), [], None, branch)
        return EXIT_OK
    out.say(
        f"[bold green]Committed[/] {len(done)} codemod(s) on branch {target.branch.name}:",
        always=True,
    )
    for item in done:
        out.say(f"  {item.sha[:7]} {item.pending.codemod.name}", always=True)
        _step_findings(out, item.pending)
    upcoming = None
    if only_next:
        later = Driver(done[-1].pending.after, driver.codemods, driver.options)
        upcoming = next(gitops.pending_steps(later), None)
        _say_next(out, upcoming, "run again with --commit --step")
    out.document = report.steps_json(
        str(target.path),
        [(item.pending, item.sha) for item in done],
        upcoming.codemod.name if upcoming else None,
        branch,
    )
    if target.branch.original != target.branch.name:
        out.say(f"Review with `git log -p {target.branch.original}..{target.branch.name}`.")
    return EXIT_OK


def _header(out: Output, target: Target, driver: Driver) -> None:
    """The summary for modes that run codemods one by one."""
    _say_source(out, target.source)
    if not out.quiet and not out.as_json:
        report.summary(out.err, Run(driver.original, driver.model, options=driver.options))
        _say_skipped(out.err, target.project)


def _step_findings(out: Output, pending: gitops.Pending) -> None:
    for finding in pending.findings:
        out.say(f"  {finding.severity.value}: {finding}")


def _say_next(out: Output, upcoming: gitops.Pending | None, again: str) -> None:
    if upcoming is None:
        out.say("Next: nothing; the migration is complete.", always=True)
    else:
        out.say(f"Next: {upcoming.codemod.name} ({again}).", always=True)


def _say_source(out: Output, source: str | None) -> None:
    """Which state of a git project is read; printed after the refusals, which stay one line."""
    if source is not None:
        out.say(source)


def _say_skipped(err: Console, project: Project) -> None:
    """Every file flaskmod would read but did not, with the reason: nothing skipped in silence."""
    if project.skipped:
        err.print(f"[bold]Skipped[/] {len(project.skipped)} file(s):")
        for path, reason in project.skipped:
            err.print(f"  {path}: {reason}", markup=False, soft_wrap=True)
