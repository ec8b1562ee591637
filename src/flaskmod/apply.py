"""Writing a changeset all-or-nothing, even when the process dies half-way.

The order of an apply, and why:

1. Plan, under the project's lock (`flaskmod.lock`): every path is checked to lie inside the
   project, and compared with what the preview read (compare-and-swap): a file edited since, or
   a file that exists where a codemod creates a "new" one (say a git-ignored `config.py` holding
   the production secret), stops the run before anything is written.
2. Journal (`flaskmod.journal`): every path's prior bytes and mode, fsynced, before any change.
3. Stage: each new content goes to a temporary sibling (`.NAME.flaskmod-tmp`), fsynced.
4. Swap: each file is compared again, recorded as started, then renamed into place (or removed).
5. Commit: the journal is deleted; only then are folders the moves emptied removed.

An exception or Ctrl-C/SIGTERM (see `flaskmod.interrupts`) at any point undoes the started
changes in-process, with signals held back until the undo is complete. A process that dies
(SIGKILL, power loss) leaves the journal, which every later run finds: `flaskmod recover` puts
the project back exactly. A path is recorded as started before it is renamed, so an interrupt
between the two is undone too.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from flaskmod import interrupts, journal, lock
from flaskmod.changeset import Changeset, Kind
from flaskmod.errors import FlaskmodError, Location

TEMP_SUFFIX = journal.TEMP_SUFFIX


@dataclass(frozen=True)
class _Item:
    """One path the apply writes (`data` set) or removes (`data` None)."""

    target: Path
    relative: str  # PATH-relative, for messages
    expected: bytes | None  # what the preview read there; None: nothing may be there
    data: bytes | None = None
    mode: int = 0o644


@dataclass
class _Progress:
    """What is being done, for the error message, and which paths were started."""

    place: journal.Place
    record: journal.Record
    current: str = ""
    started: list[str] = field(default_factory=list)  # anchor-relative


def _inside(root: Path, relative: str) -> Path:
    target = (root / relative).resolve()
    real_root = root.resolve()
    if target != real_root and real_root not in target.parents:
        raise FlaskmodError("refusing to write outside the project", Location(relative))
    return root / relative


def apply(root: Path, changeset: Changeset) -> None:
    """Write `changeset` under `root`, or leave `root` exactly as it was and raise.

    An OSError (full disk, `ulimit -f`, an immutable file) becomes a FlaskmodError naming the file
    once everything is undone; Ctrl-C and SIGTERM propagate unchanged, also after the undo.
    """
    writes, removals = _plan(root, changeset)
    place = journal.locate(root)
    with lock.hold(place.lock):
        if journal.pending(place):
            raise FlaskmodError(
                f"an interrupted apply left a journal at {place.directory}; run "
                f"`flaskmod recover {root}` first"
            )
        for item in (*writes, *removals):
            _compare(item)
        record = _record(place, root, writes, removals)
        progress = _Progress(place, record)
        try:
            journal.write(place, record)
            _stage(place, record, writes, progress)
            _swap(place, root, writes, removals, progress)
            journal.discard(place)  # the commit point
        except BaseException as exc:
            _undo(progress, exc, root)
            if isinstance(exc, OSError):
                raise FlaskmodError(
                    f"cannot write: {exc.strerror or exc}; nothing was changed",
                    Location(progress.current or str(place.directory)),
                ) from exc
            raise
        _remove_emptied_dirs(root, [item.target for item in removals])


def preflight(root: Path, changeset: Changeset) -> None:
    """The refusals of `apply` that need no writing: a path outside the project, a file edited
    since the preview read it, an existing file where a new one would go. For the CLI to refuse
    before it prints anything."""
    writes, removals = _plan(root, changeset)
    for item in (*writes, *removals):
        _compare(item)


def _plan(root: Path, changeset: Changeset) -> tuple[list[_Item], list[_Item]]:
    """The writes and removals, each path checked to lie inside the project."""
    writes: list[_Item] = []
    removals: dict[str, _Item] = {}
    for change in changeset:
        if change.kind in (Kind.MOVED, Kind.DELETED) and change.old_path and change.old:
            target = _inside(root, change.old_path)
            removals[change.old_path] = _Item(target, change.old_path, change.old.to_bytes())
        if change.new is not None:
            target = _inside(root, change.path)
            expected = (
                change.old.to_bytes() if change.kind is Kind.MODIFIED and change.old else None
            )
            data = change.new.to_bytes()
            writes.append(
                _Item(target, change.path, expected, data, _mode(target, change.new.executable))
            )
    written = {item.relative for item in writes}
    return writes, [item for path, item in removals.items() if path not in written]


def _mode(target: Path, executable: bool) -> int:
    """A rewritten file keeps its mode (adding the executable bits if asked); a new one gets
    0o644 or 0o755."""
    if target.is_file() and not target.is_symlink():
        mode = target.stat().st_mode & 0o7777
        return mode | 0o111 if executable else mode
    return 0o755 if executable else 0o644


def _compare(item: _Item) -> None:
    """Compare-and-swap: the path must still hold what the preview read (or nothing)."""
    exists = os.path.lexists(item.target)
    if item.expected is None:
        if exists:
            raise FlaskmodError(
                "exists on disk, but flaskmod did not read it (ignored, a link, or a file it "
                "does not read) and never writes over a file: move or rename it, then run again",
                Location(item.relative),
            )
        return
    if not exists:
        problem = "was removed"
    elif item.target.is_symlink() or item.target.read_bytes() != item.expected:
        problem = "changed on disk"
    else:
        return
    raise FlaskmodError(
        f"{problem} after flaskmod read it (edited while it ran?); the project is as it was: "
        "run again",
        Location(item.relative),
    )


def _record(
    place: journal.Place, root: Path, writes: Sequence[_Item], removals: Sequence[_Item]
) -> journal.Record:
    """The intent: each path's prior state, what comes there, new folders, temporary files."""
    prefix = place.prefix(root)
    entries = []
    for item in (*writes, *removals):
        prior_mode = item.target.stat().st_mode & 0o7777 if item.expected is not None else None
        new = journal.digest(item.data) if item.data is not None else None
        entries.append(journal.Entry(prefix + item.relative, item.expected, prior_mode, new))
    created: list[str] = []
    for item in writes:
        for folder in _missing_parents(root, item.relative):
            if prefix + folder not in created:
                created.append(prefix + folder)
    temps = [prefix + _temp_relative(item.relative) for item in writes]
    return journal.Record(tuple(entries), tuple(created), tuple(temps), os.getpid(), time.time())


def _missing_parents(root: Path, relative: str) -> list[str]:
    """Folders above `relative` that do not exist yet, outermost first."""
    missing = []
    parent = Path(relative).parent
    while parent != Path(".") and not (root / parent).exists():
        missing.append(parent.as_posix())
        parent = parent.parent
    return missing[::-1]


def _temp_relative(relative: str) -> str:
    path = Path(relative)
    return journal.temp_for(path).as_posix()


def _stage(
    place: journal.Place, record: journal.Record, writes: Sequence[_Item], progress: _Progress
) -> None:
    """New folders and temporary files: nothing the user has is touched yet."""
    for folder in record.created:
        progress.current = folder
        (place.anchor / folder).mkdir()
        journal.checkpoint()
    for item in writes:
        assert item.data is not None
        progress.current = item.relative
        temp = journal.temp_for(item.target)
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()  # a leftover (or a planted link): never written through
        journal.write_synced(temp, item.data, item.mode)
        journal.checkpoint()


def _swap(
    place: journal.Place,
    root: Path,
    writes: Sequence[_Item],
    removals: Sequence[_Item],
    progress: _Progress,
) -> None:
    """Each path compared again, recorded as started, then changed; then made durable."""
    prefix = place.prefix(root)
    for item in (*writes, *removals):
        progress.current = item.relative
        _compare(item)
        progress.started.append(prefix + item.relative)  # before the change: see item 3
        if item.data is not None:
            os.replace(journal.temp_for(item.target), item.target)
        else:
            item.target.unlink()
        journal.checkpoint()
    for folder in {item.target.parent for item in (*writes, *removals)}:
        journal.fsync_dir(folder)


def _undo(progress: _Progress, exc: BaseException, root: Path) -> None:
    """Put back what was started, with signals held back; keep the journal if that fails."""
    place, record = progress.place, progress.record
    with interrupts.blocked():
        try:
            if not journal.pending(place):  # the journal cleaned up after itself
                return
            clashing = journal.conflicts(place, record, progress.started)
            journal.restore(place, record, set(progress.started) - set(clashing))
            if not clashing:
                journal.discard(place)
                return
            problem = f"{', '.join(clashing)} changed while flaskmod wrote"
        except Exception as failure:
            problem = f"undoing it failed too ({type(failure).__name__}: {failure})"
    raise FlaskmodError(
        f"the apply stopped ({type(exc).__name__}: {exc}) and {problem}; run "
        f"`flaskmod recover {root}` to put the project back"
    ) from exc


def _remove_emptied_dirs(root: Path, removed: list[Path]) -> None:
    """After the commit point, best effort: folders a move left empty."""
    real_root = root.resolve()
    for path in removed:
        parent = path.parent
        with contextlib.suppress(OSError):
            while parent.resolve() != real_root and parent.exists() and not any(parent.iterdir()):
                parent.rmdir()
                journal.checkpoint()
                parent = parent.parent
