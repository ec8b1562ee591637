"""The git-aware side of `upgrade`: read HEAD, guard the work tree, commit one codemod at a time.

All git work goes through GitPython: `Repo` objects for queries, `repo.git` (the git binary) for
porcelain, so the user's identity, attributes and signing settings apply as in their own shell.
Every refusal happens before anything is written; `commit_steps` undoes its own work on failure.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pathspec

from flaskmod import gitfiles
from flaskmod.apply import apply
from flaskmod.changeset import Changeset, FileChange, Kind, compute
from flaskmod.errors import Finding, FlaskmodError, Location, Severity
from flaskmod.pipeline import Codemod, Driver
from flaskmod.project import (
    ALWAYS_IGNORED,
    MAX_FILE_BYTES,
    FileText,
    Project,
    Skipped,
    decode,
    is_text_candidate,
)

if TYPE_CHECKING:
    from git import Blob, Commit, Repo

# Files git leaves in its directory while an operation waits for the user.
IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or `git am`",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
}
SYMLINK_MODE = 0o120000
MAX_LISTED = 8


@dataclass(frozen=True)
class GitTree:
    """The git work tree PATH lies in, and PATH's place in it (`prefix`, POSIX, "" at the top)."""

    repo: Repo
    prefix: str

    def repo_path(self, relative: str) -> str:
        """A PATH-relative path as git names it (relative to the top of the work tree)."""
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def git(self, *args: str) -> str:
        """Run a git command at the top of the work tree and return its output."""
        git = self.repo.git
        return str(
            git.execute([git.GIT_PYTHON_GIT_EXECUTABLE, *args], strip_newline_in_stdout=False)
        )


@contextlib.contextmanager
def open_tree(path: Path) -> Iterator[GitTree | None]:
    """The work tree containing PATH, or None outside one; the repository is closed afterwards.

    GitPython is imported only when a repository may be there (see `gitfiles.find`)."""
    if not path.is_dir() or not gitfiles.may_be_in_repository(path):
        yield None
        return
    from git import Repo
    from git.exc import InvalidGitRepositoryError, NoSuchPathError

    try:
        repo = Repo(path, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        yield None
        return
    with contextlib.closing(repo):
        if repo.bare or repo.working_tree_dir is None:
            yield None
            return
        try:
            relative = path.resolve().relative_to(Path(repo.working_tree_dir).resolve())
        except ValueError:  # PATH is inside the .git directory, or reached through a symlink
            yield None
            return
        yield GitTree(repo, "" if relative == Path(".") else relative.as_posix())


def _literal(path: str) -> str:
    """A pathspec that means this path only (no globbing on `[`, `*`, ...)."""
    return f":(literal){path}"


def _listed(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:MAX_LISTED])
    return shown + (f" and {len(paths) - MAX_LISTED} more" if len(paths) > MAX_LISTED else "")


# ------------------------------------------------------------------------ describing
def branch_name(tree: GitTree) -> str | None:
    """The checked-out branch, or None on a detached HEAD."""
    head = tree.repo.head
    return None if head.is_detached else head.ref.name


def describe_source(tree: GitTree, from_head: bool) -> str:
    """One line telling the user which state of the project is being read."""
    where = branch_name(tree) or "detached HEAD"
    if from_head:
        return f"Reading the committed state: HEAD {head_commit(tree).hexsha[:7]} ({where})."
    return f"Reading the working tree ({where}); uncommitted changes included."


def head_commit(tree: GitTree) -> Commit:
    """The commit HEAD points at; an unborn branch has none to read or to branch from."""
    if not tree.repo.head.is_valid():
        raise FlaskmodError("the repository has no commits yet; commit the project first")
    return tree.repo.head.commit


# --------------------------------------------------------------------- reading HEAD
def head_snapshot(tree: GitTree, root: Path) -> Project:
    """PATH as committed in HEAD, read and filtered like `project.scan` reads the disk."""
    commit = head_commit(tree)
    try:
        folder = commit.tree / tree.prefix if tree.prefix else commit.tree
    except KeyError:
        raise FlaskmodError(
            "not in HEAD: nothing committed here yet", Location(str(root))
        ) from None
    blobs = _blobs(folder.traverse(), tree.prefix)
    # Everything in HEAD is tracked, and tracked files count whatever `.gitignore` says (as on
    # disk, see `project.scan`): only flaskmod's own exclusions apply.
    spec = pathspec.GitIgnoreSpec.from_lines(ALWAYS_IGNORED)
    venvs = tuple(rel[: -len("pyvenv.cfg")] for rel in blobs if rel.endswith("/pyvenv.cfg"))
    files: dict[str, FileText] = {}
    skipped: list[Skipped] = []
    for rel, blob in sorted(blobs.items()):
        if spec.match_file(rel) or rel.startswith(venvs) or not is_text_candidate(rel):
            continue
        if blob.mode == SYMLINK_MODE:
            skipped.append(Skipped(rel, "symbolic link: kept as a link"))
        elif blob.size > MAX_FILE_BYTES:
            skipped.append(Skipped(rel, f"larger than {MAX_FILE_BYTES:,} bytes: not read"))
        else:
            try:
                files[rel] = decode(rel, blob.data_stream.read(), bool(blob.mode & 0o111))
            except FlaskmodError:
                if rel.endswith(".py"):
                    raise
                skipped.append(Skipped(rel, "not UTF-8: not read"))
    hidden = frozenset(rel for rel in blobs if rel not in files)
    return Project(root=root, files=files, hidden=hidden, skipped=tuple(skipped))


def _blobs(items: Iterable[object], prefix: str) -> dict[str, Blob]:
    """Files and symbolic links (no submodules) by path relative to `prefix`."""
    from git import Blob

    skip = len(prefix) + 1 if prefix else 0
    return {str(item.path)[skip:]: item for item in items if isinstance(item, Blob)}


# ---------------------------------------------------------------------- refusals
def refuse_unsafe_state(tree: GitTree) -> None:
    """Writing into a half-done merge or rebase, or into a submodule, mixes up the user's work;
    on a detached HEAD the migration would belong to no branch, easy to lose at the next switch."""
    if tree.repo.head.is_detached:
        raise FlaskmodError(
            "HEAD is detached; check out the branch to migrate (git switch NAME, or "
            "git switch -c NAME to start one here) before writing"
        )
    git_dir = Path(tree.repo.git_dir)
    for name, what in IN_PROGRESS.items():
        if (git_dir / name).exists():
            raise FlaskmodError(
                f"the repository is in the middle of {what} ({name}); finish or abort it first"
            )
    superproject = tree.git("rev-parse", "--show-superproject-working-tree").strip()
    if superproject:
        raise FlaskmodError(
            f"PATH is inside a submodule of {superproject}; run flaskmod in the submodule's own "
            "clone, not through the superproject"
        )


def dirty_paths(tree: GitTree) -> list[str]:
    """Tracked files with staged or unstaged changes (untracked files are not dirt)."""
    out = tree.git("status", "--porcelain=v1", "-z", "--untracked-files=no")
    entries = iter(out.split("\0"))
    paths = []
    for entry in entries:
        if not entry:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC":
            next(entries, None)  # the rename's source follows its destination
    return paths


def refuse_dirty(tree: GitTree, allowed: bool, commit: bool = False) -> None:
    """Keep the migration separable from the user's own uncommitted edits."""
    if allowed and not commit:
        return
    dirty = dirty_paths(tree)
    if not dirty:
        return
    advice = "--commit needs a clean work tree" if commit else "or pass --allow-dirty"
    raise FlaskmodError(
        f"uncommitted changes in {_listed(dirty)}; commit or stash them first ({advice})"
    )


def tracked_paths(tree: GitTree) -> frozenset[str]:
    """Every path in the index under PATH, as git names it."""
    pathspecs = ["--", _literal(tree.prefix)] if tree.prefix else []
    return frozenset(p for p in tree.git("ls-files", "-z", *pathspecs).split("\0") if p)


def touched(change: FileChange) -> list[str]:
    """The PATH-relative paths a change writes or removes."""
    paths = [change.path] if change.new is not None else []
    if change.kind in (Kind.MOVED, Kind.DELETED) and change.old_path:
        paths.append(change.old_path)
    return paths


def refuse_untracked(
    tree: GitTree, root: Path, changes: Changeset, tracked: frozenset[str] | None = None
) -> None:
    """Untracked files have no copy in git, so a migration that writes over them could lose work."""
    tracked = tracked_paths(tree) if tracked is None else tracked
    at_risk = sorted(
        {
            path
            for change in changes
            for path in touched(change)
            if ((root / path).exists() or (root / path).is_symlink())
            and tree.repo_path(path) not in tracked
        }
    )
    if at_risk:
        raise FlaskmodError(
            f"the migration would overwrite or remove untracked {_listed(at_risk)}; "
            "commit, move or delete them first"
        )


# ------------------------------------------------------------------ pending steps
@dataclass(frozen=True)
class Pending:
    """A codemod whose changeset, on the state the previous ones leave, is not empty."""

    codemod: Codemod
    changes: Changeset
    findings: tuple[Finding, ...]
    after: Project


def pending_steps(driver: Driver) -> Iterator[Pending]:
    """The codemods that change something, lazily: each runs only when the previous is consumed.

    State comes from the code alone (no bookkeeping files), so `--step` can resume anywhere and a
    failing codemod fails only after the earlier ones were committed.
    """
    for step in driver.steps():
        changes = compute(step.before, step.after)
        if changes:
            yield Pending(step.codemod, changes, step.findings, step.after)


# ------------------------------------------------------------------------ commits
@dataclass(frozen=True)
class BranchPlan:
    """Where `--commit` works and how to put everything back."""

    name: str
    original: str
    start: str  # the commit HEAD pointed at
    exists: bool


def plan_branch(tree: GitTree, name: str) -> BranchPlan:
    """Check, without changing anything, that `--commit` may use branch NAME."""
    from git import Head
    from git.exc import GitCommandError

    try:
        tree.git("check-ref-format", "--branch", name)
    except GitCommandError:
        raise FlaskmodError(f"{name!r} is not a valid branch name") from None
    original = branch_name(tree)
    if original is None:
        raise FlaskmodError(
            "HEAD is detached; check out the branch to migrate (git switch NAME) before --commit"
        )
    start = head_commit(tree).hexsha
    head = Head(tree.repo, f"refs/heads/{name}")
    exists = head.is_valid()
    if exists and head.commit.hexsha != start:
        raise FlaskmodError(
            f"branch {name} already exists and points at {head.commit.hexsha[:7]}, not at HEAD "
            f"({start[:7]}); delete it or pass --branch with another name"
        )
    return BranchPlan(name=name, original=original, start=start, exists=exists)


#: git's convention for a subject line (`git log --oneline`, GitHub and email clients cut it)
SUBJECT_LIMIT = 72


def commit_subject(codemod: Codemod) -> str:
    """`flaskmod: <codemod> — <summary>` when that fits the limit, else `flaskmod: <codemod>`
    (the summary then opens the body)."""
    full = f"flaskmod: {codemod.name} — {codemod.summary}"
    return full if len(full) <= SUBJECT_LIMIT else f"flaskmod: {codemod.name}"


def commit_message(tree: GitTree, pending: Pending) -> str:
    """The subject (`commit_subject`); the body: the summary, the files and the findings."""
    codemod = pending.codemod
    subject = commit_subject(codemod)
    lines = [subject, ""]
    if codemod.summary not in subject:
        lines += [codemod.summary, ""]
    lines.append("Files:")
    for change in pending.changes:
        path = tree.repo_path(change.path)
        if change.kind is Kind.MOVED and change.old_path:
            lines.append(f"  renamed {tree.repo_path(change.old_path)} → {path}")
        else:
            lines.append(f"  {change.kind.value} {path}")
    for severity, title in ((Severity.MANUAL, "Manual steps"), (Severity.NOTE, "Notes")):
        found = [f for f in pending.findings if f.severity is severity]
        if found:
            lines += ["", f"{title}:", *(f"  {_in_repo(tree, f)}" for f in found)]
    return "\n".join(lines) + "\n"


def _in_repo(tree: GitTree, finding: Finding) -> str:
    """A finding with its path as git names it, like the file list above it."""
    where = Location(tree.repo_path(finding.location.path), finding.location.line)
    return f"{where}: {finding.message}"


@dataclass
class _Session:
    tree: GitTree
    root: Path
    plan: BranchPlan
    tracked: frozenset[str]  # at the start, as git names them
    written: set[str] = field(default_factory=set)  # by this run, PATH-relative
    created: bool = False  # the branch, by this run

    def git(self, *args: str) -> str:
        """git with no hooks at all: `--no-verify` skips only pre-commit and commit-msg, not
        prepare-commit-msg, post-commit or the post-checkout of the branch switch. Hooks
        (formatters, linters, deploy scripts) would rewrite, reject or act on intermediate
        states and break the one-commit-per-codemod mapping; the user reviews the branch."""
        return self.tree.git("-c", f"core.hooksPath={os.devnull}", *args)

    def switch(self) -> None:
        if self.plan.original == self.plan.name:
            return
        if self.plan.exists:
            self.git("checkout", "-q", self.plan.name)
        else:
            self.git("checkout", "-q", "-b", self.plan.name)
            self.created = True

    def commit(self, pending: Pending) -> str:
        ours = {self.tree.repo_path(path) for path in self.written}
        refuse_untracked(self.tree, self.root, pending.changes, self.tracked | ours)
        paths = [path for change in pending.changes for path in touched(change)]
        self.written.update(paths)
        apply(self.root, pending.changes)
        # Deletion and addition staged together, so git records a move as a rename.
        self.git("add", "-A", "-f", "--", *(_literal(self.tree.repo_path(p)) for p in paths))
        self.git("commit", "-q", "--no-verify", "-m", commit_message(self.tree, pending))
        return self.tree.repo.head.commit.hexsha

    def restore(self) -> str:
        """Put branch, index and work tree back; return what was done, for the user."""
        self.git("reset", "-q", "--hard", self.plan.start)
        if branch_name(self.tree) != self.plan.original:
            self.git("checkout", "-q", self.plan.original)
        done = f"{self.plan.original} is checked out, work tree and index are as they were"
        if self.created:
            self.git("branch", "-q", "-D", self.plan.name)
            done += f", branch {self.plan.name} deleted"
        for path in sorted(self.written):
            if self.tree.repo_path(path) not in self.tracked:
                _remove_leftover(self.root, path)
        return done


def _remove_leftover(root: Path, relative: str) -> None:
    target = root / relative
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    parent, top = target.parent, root.resolve()
    while parent.resolve() != top and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


@dataclass(frozen=True)
class Committed:
    sha: str
    pending: Pending


def commit_steps(
    tree: GitTree,
    root: Path,
    driver: Driver,
    plan: BranchPlan,
    limit: int | None = None,
    check: Callable[[Pending], None] | None = None,
) -> list[Committed]:
    """Commit each pending codemod (at most `limit`) on `plan.name`; on failure undo everything.

    Codemods run one at a time between commits, so a failure can come after earlier commits;
    the user's branch, index and work tree are then restored and the half-made branch deleted.
    `check` sees each step before it is committed (the self-check) and may raise to stop.
    """
    session = _Session(tree, root, plan, tracked_paths(tree))
    started: list[str] = []
    done: list[Committed] = []
    previous = driver.on_step
    driver.on_step = lambda codemod: started.append(codemod.name)
    steps = _checked(pending_steps(driver), check)
    try:
        first = next(steps, None)
        if first is None:
            return done  # nothing to do: no branch either
        session.switch()
        for pending in itertools.islice(itertools.chain([first], steps), limit):
            done.append(Committed(session.commit(pending), pending))
    except BaseException as exc:
        _fail(session, exc, started[-1] if started else "the start")
        raise
    finally:
        driver.on_step = previous
    return done


def _checked(
    steps: Iterator[Pending], check: Callable[[Pending], None] | None
) -> Iterator[Pending]:
    for pending in steps:
        if check is not None:
            check(pending)
        yield pending


def _fail(session: _Session, exc: BaseException, where: str) -> None:
    """Restore the user's state, then say what failed and what was restored, on one line."""
    try:
        restored = session.restore()
    except Exception as problem:
        raise FlaskmodError(
            f"--commit failed at {where} ({_first_line(exc)}) and restoring failed too "
            f"({_first_line(problem)}); run `git checkout -f {session.plan.original}`"
        ) from exc
    if isinstance(exc, Exception):  # Ctrl-C and exits propagate unchanged once restored
        raise FlaskmodError(
            f"--commit failed at {where}: {_first_line(exc)}; nothing kept: {restored}"
        ) from exc


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    return text if isinstance(exc, FlaskmodError) else f"{type(exc).__name__}: {text}".rstrip(": ")
