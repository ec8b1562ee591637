"""What git knows about a folder: where its repository keeps its files, which files it tracks.

`project.scan` asks git which files are tracked and which untracked ones are ignored instead of
re-implementing ignore rules (nested `.gitignore` files, `.git/info/exclude`, the global excludes
file, negations): a tracked file is part of the project whatever the ignore rules say, exactly as
for git. The journal and the lock of `apply` live in the repository's git directory, found here.

This module sits below `gitops` (which imports `project`), so the snapshot can use it too.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Repository:
    """The work tree a folder lies in: its top, its git directory, the folder's place in it."""

    top: Path
    git_dir: Path
    prefix: str  # POSIX path of the folder relative to `top`, "" at the top


def find(folder: Path) -> Repository | None:
    """The git work tree containing `folder`, or None (no repository, bare, or outside it).

    GitPython (a tenth of a second and 12 MiB to import) is loaded only when git could find a
    repository here: a `.git` in the folder or above it, or `GIT_DIR` set.
    """
    if not folder.is_dir() or not may_be_in_repository(folder):
        return None
    from git import Repo
    from git.exc import InvalidGitRepositoryError, NoSuchPathError

    try:
        repo = Repo(folder, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        return None
    with contextlib.closing(repo):
        if repo.bare or repo.working_tree_dir is None:
            return None
        top = Path(repo.working_tree_dir).resolve()
        try:
            relative = folder.resolve().relative_to(top)
        except ValueError:  # inside the git directory itself
            return None
        prefix = "" if relative == Path(".") else relative.as_posix()
        return Repository(top=top, git_dir=Path(repo.git_dir).resolve(), prefix=prefix)


def may_be_in_repository(folder: Path) -> bool:
    """Whether git's own search could find a repository from `folder` (it looks for `.git` in
    the folder and each one above it, unless `GIT_DIR` names one)."""
    if os.environ.get("GIT_DIR"):
        return True
    here = folder.resolve()
    return any((place / ".git").exists() for place in (here, *here.parents))


@dataclass(frozen=True)
class Listing:
    """Files under a folder as git sees them, relative to that folder.

    `ignored` holds untracked paths the ignore rules match; a folder whose whole content is
    ignored appears once, with a trailing slash (`node_modules/`), as `git status --ignored`
    shows it.
    """

    tracked: frozenset[str]
    ignored: frozenset[str]

    def is_ignored(self, relative: str) -> bool:
        """An untracked path the ignore rules match (a folder ends with `/`)."""
        return relative not in self.tracked and relative in self.ignored


def listing(folder: Path) -> Listing | None:
    """Ask git (run in `folder`, so paths are relative to it); None if git cannot answer."""
    from git import Git
    from git.exc import GitCommandError

    git = Git(str(folder))
    try:
        tracked = git.ls_files("-z", "--cached")
        ignored = git.ls_files("-z", "--others", "--ignored", "--exclude-standard", "--directory")
    except (GitCommandError, OSError):  # e.g. a repository owned by someone else
        return None
    return Listing(
        tracked=frozenset(p for p in tracked.split("\0") if p),
        ignored=frozenset(p for p in ignored.split("\0") if p),
    )
