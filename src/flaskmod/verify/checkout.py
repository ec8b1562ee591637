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
