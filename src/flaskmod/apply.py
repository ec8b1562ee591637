"""Writing a changeset all-or-nothing.

Every new content is first written to a temporary sibling; only when all of them exist are they
renamed into place. Any failure before the end — an exception, a full disk, Ctrl-C — puts every
file back to its prior bytes and removes what was created, directories included.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from flaskmod.changeset import Changeset, Kind
from flaskmod.errors import FlaskmodError, Location

TEMP_SUFFIX = ".flaskmod-tmp"


@dataclass
class _Journal:
    root: Path
    created_dirs: list[Path] = field(default_factory=list)
    temps: dict[Path, Path] = field(default_factory=dict)  # target → temp
    backups: dict[Path, tuple[bytes, int] | None] = field(default_factory=dict)  # None: new
    done: list[Path] = field(default_factory=list)

    def rollback(self) -> None:
        for temp in self.temps.values():
            with contextlib.suppress(OSError):
                temp.unlink()
        for target in reversed(self.done):
            backup = self.backups.get(target)
            with contextlib.suppress(OSError):
                if backup is None:
                    target.unlink()
                else:
                    data, mode = backup
                    target.write_bytes(data)
                    os.chmod(target, mode)
        for directory in reversed(self.created_dirs):
            with contextlib.suppress(OSError):
                directory.rmdir()


def _inside(root: Path, relative: str) -> Path:
    target = (root / relative).resolve()
    real_root = root.resolve()
    if target != real_root and real_root not in target.parents:
        raise FlaskmodError("refusing to write outside the project", Location(relative))
    return root / relative


def _make_parents(path: Path, journal: _Journal) -> None:
    missing = []
    parent = path.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for directory in reversed(missing):
        directory.mkdir()
        journal.created_dirs.append(directory)


def apply(root: Path, changeset: Changeset) -> None:
    """Write `changeset` under `root`, or leave `root` exactly as it was and raise."""
    journal = _Journal(root)
    writes: list[tuple[Path, bytes, bool]] = []
    removals: list[Path] = []
    for change in changeset:
        if change.kind in (Kind.MOVED, Kind.DELETED) and change.old_path:
            removals.append(_inside(root, change.old_path))
        if change.new is not None:
            writes.append(
                (_inside(root, change.path), change.new.to_bytes(), change.new.executable)
            )
    try:
        # Stage: nothing the user has is touched yet.
        for target, data, executable in writes:
            _make_parents(target, journal)
            temp = target.with_name(f".{target.name}{TEMP_SUFFIX}")
            journal.temps[target] = temp
            temp.write_bytes(data)
            mode = 0o755 if executable else 0o644
            if target.exists():
                mode = target.stat().st_mode & 0o7777
                if executable:
                    mode |= 0o111
            os.chmod(temp, mode)
        # Commit: each step journaled so it can be undone.
        for target, _, _ in writes:
            journal.backups[target] = (
                (target.read_bytes(), target.stat().st_mode & 0o7777) if target.exists() else None
            )
            os.replace(journal.temps[target], target)
            del journal.temps[target]
            journal.done.append(target)
        for path in removals:
            if path in journal.backups or not path.exists():
                continue
            journal.backups[path] = (path.read_bytes(), path.stat().st_mode & 0o7777)
            path.unlink()
            journal.done.append(path)
    except BaseException:
        journal.rollback()
        raise
    _remove_emptied_dirs(root, removals)


def _remove_emptied_dirs(root: Path, removed: list[Path]) -> None:
    real_root = root.resolve()
    for path in removed:
        parent = path.parent
        while parent.resolve() != real_root and parent.exists() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
