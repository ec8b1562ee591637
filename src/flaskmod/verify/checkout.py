"""The original project on disk: a detached git worktree at `--base`, or `--original DIR`."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from flaskmod.errors import FlaskmodError, Location

if TYPE_CHECKING:
    import git


@contextmanager
def original_tree(
    path: Path, base: str | None, original: Path | None
) -> Iterator[tuple[Path, str]]:
    """The directory holding the original project and how to name it; temporary for git."""
    if original is not None:
        if base is not None:
            raise FlaskmodError("give --base or --original, not both")
        if not original.is_dir():
            raise FlaskmodError("no such directory", Location(str(original)))
        yield original, str(original)
        return
    with _git_checkout(path, base or "HEAD") as found:
        yield found


def _repo(path: Path) -> git.Repo:
    import git  # GitPython refuses to import when git is missing: only needed here

    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise FlaskmodError(
            "not in a git repository; pass --original DIR with a copy of the original project",
            Location(str(path)),
        ) from None
    if repo.working_tree_dir is None:
        raise FlaskmodError("a bare repository has no working tree", Location(str(path)))
    return repo


def _commit(repo: git.Repo, rev: str) -> str:
    import git

    try:
        return repo.commit(rev).hexsha
    except (git.BadName, git.BadObject, git.GitCommandError, ValueError):
        where = Location(str(repo.working_tree_dir))
        raise FlaskmodError(f"unknown revision {rev!r}", where) from None


@contextmanager
def _git_checkout(path: Path, rev: str) -> Iterator[tuple[Path, str]]:
    """Check `rev` out in a detached worktree outside the repository, and always remove it."""
    with _repo(path) as repo:  # closing it stops GitPython's `git cat-file` helpers
        sha = _commit(repo, rev)
        relative = path.resolve().relative_to(Path(str(repo.working_tree_dir)).resolve())
        scratch = Path(tempfile.mkdtemp(prefix="flaskmod-verify-"))
        tree = scratch / "original"
        try:
            repo.git.worktree("add", "--detach", str(tree), sha)
            root = tree / relative
            if not root.is_dir():
                message = f"does not exist at {rev}; pass --base REV or --original DIR"
                raise FlaskmodError(message, Location(str(path)))
            yield root, f"{rev} ({sha[:7]})"
        finally:
            _remove_worktree(repo, tree)
            shutil.rmtree(scratch, ignore_errors=True)


def _remove_worktree(repo: git.Repo, tree: Path) -> None:
    import git

    try:
        repo.git.worktree("remove", "--force", str(tree))
    except git.GitCommandError:
        shutil.rmtree(tree, ignore_errors=True)
        repo.git.worktree("prune")


#: never copied: version control, environments, caches (a copy is for running the app)
NOT_COPIED = frozenset(
    {
        ".git",
        ".hg",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)
#: data an app reads at run time: SQLite files anywhere, and the instance folder
DATA_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def _ignore(folder: str, names: list[str]) -> set[str]:
    here = Path(folder)
    return {
        name
        for name in names
        if name in NOT_COPIED or (here / name / "pyvenv.cfg").is_file()  # a venv by any name
    }


def copy_tree(source: Path, target: Path) -> Path:
    """A runnable copy of a project: everything but version control, venvs and caches."""
    shutil.copytree(source, target, ignore=_ignore, symlinks=True)
    return target


def data_files(root: Path) -> set[Path]:
    """Relative paths of the data files under `root` (see `DATA_SUFFIXES`, `instance/`)."""
    found = set()
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if NOT_COPIED & set(relative.parts) or not path.is_file():
            continue
        if path.suffix in DATA_SUFFIXES or relative.parts[0] == "instance":
            found.add(relative)
    return found


def share_data(preferred: Path, other: Path) -> None:
    """Give both copies the same data: `preferred`'s files, and `other`'s where it has none."""
    for relative in data_files(other) - data_files(preferred):
        _copy_file(other / relative, preferred / relative)
    for relative in data_files(preferred):
        _copy_file(preferred / relative, other / relative)


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


@contextmanager
def scratch_copies(original: Path, migrated: Path) -> Iterator[tuple[Path, Path]]:
    """Both trees copied into one temporary folder, sharing the migrated tree's data, so that
    the apps run under the same settings and never write into the user's project."""
    scratch = Path(tempfile.mkdtemp(prefix="flaskmod-verify-run-"))
    try:
        old = copy_tree(original, scratch / "original")
        new = copy_tree(migrated, scratch / "migrated")
        share_data(new, old)
        yield old, new
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
