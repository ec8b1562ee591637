"""The write-ahead journal that makes `apply` undoable after the process dies.

Before `apply` changes anything it writes, in one file, every path it will touch with the bytes
and mode that path has (or that it does not exist), a digest of what it will put there, the
folders it will create and the temporary files it will use; the file is fsynced, renamed into
place and its folder fsynced. Only then is the first temporary file written. When every change is
in place the journal is deleted: that deletion is the commit point.

So whenever a flaskmod process dies — `kill -9`, a power cut, the OOM killer — a journal on disk
means "the project may be half-written", and it holds all that is needed to put it back:
`flaskmod recover` (`recover` below) removes the temporary files, restores every path to its
recorded bytes and mode, and removes the folders the apply created. Recovery only rolls back,
never forward: run the migration again afterwards. It is idempotent (every step compares the
disk with the journal first), so a recovery that is itself killed is simply run again.

A path whose bytes are neither those recorded nor those apply wrote was changed by someone else
while flaskmod ran; recovery will not overwrite it unless told to (`--force`).

Where: inside a git work tree in the git directory (`.git/flaskmod-journal/`, beside the lock
`.git/flaskmod.lock`), so `git status` never shows them; outside git in the project folder
(`.flaskmod-journal/`, `.flaskmod.lock`), which `project.scan` never reads. Paths in the journal
are relative to the work tree's top (or the project folder), so a moved checkout recovers too.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flaskmod import gitfiles, lock
from flaskmod.errors import FlaskmodError

VERSION = 1
MANIFEST = "journal.json"
TEMP_SUFFIX = ".flaskmod-tmp"
#: Test hook: `FLASKMOD_TEST_KILL_AT=N[:SIGNAL]` (SIGNAL a name such as TERM, default KILL)
#: makes the process send itself SIGNAL right after the N-th filesystem step of an apply or a
#: recovery. The fault-injection tests use it to die at every point; nothing else does.
KILL_AT = "FLASKMOD_TEST_KILL_AT"


@dataclass(frozen=True)
class Place:
    """Where a project's journal and lock are, and what the journal's paths are relative to."""

    anchor: Path  # the git work tree's top, else the project folder (resolved)
    directory: Path
    lock: Path

    @property
    def manifest(self) -> Path:
        return self.directory / MANIFEST

    def prefix(self, root: Path) -> str:
        """The project folder relative to the anchor, with a trailing slash ("" if it is it)."""
        relative = root.resolve().relative_to(self.anchor).as_posix()
        return "" if relative == "." else f"{relative}/"


def locate(root: Path) -> Place:
    """The journal and lock of the project at `root` (the same for every PATH in one work tree)."""
    repository = gitfiles.find(root)
    if repository is not None:
        git_dir = repository.git_dir
        return Place(repository.top, git_dir / "flaskmod-journal", git_dir / "flaskmod.lock")
    anchor = root.resolve()
    return Place(anchor, anchor / ".flaskmod-journal", anchor / ".flaskmod.lock")


@dataclass(frozen=True)
class Entry:
    """One path apply writes or removes: its state before, and a digest of its state after."""

    path: str  # relative to the anchor
    prior: bytes | None  # None: did not exist
    mode: int | None
    new: str | None  # sha256 of the bytes apply puts there; None: apply removes it

    def to_json(self) -> dict[str, Any]:
        prior = None if self.prior is None else base64.b64encode(self.prior).decode("ascii")
        return {"path": self.path, "prior": prior, "mode": self.mode, "new": self.new}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        prior = None if data["prior"] is None else base64.b64decode(data["prior"])
        return cls(data["path"], prior, data["mode"], data["new"])


@dataclass(frozen=True)
class Record:
    """Everything an apply is about to do, written before it does any of it."""

    entries: tuple[Entry, ...]
    created: tuple[str, ...]  # folders apply creates, parents first
    temps: tuple[str, ...]
    pid: int
    started: float

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "pid": self.pid,
            "started": self.started,
            "created": list(self.created),
            "temps": list(self.temps),
            "entries": [entry.to_json() for entry in self.entries],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        if data.get("version") != VERSION:
            raise ValueError(f"journal version {data.get('version')!r}, expected {VERSION}")
        entries = tuple(Entry.from_json(entry) for entry in data["entries"])
        return cls(
            entries, tuple(data["created"]), tuple(data["temps"]), data["pid"], data["started"]
        )


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def temp_for(path: Path) -> Path:
    """The temporary sibling a new content is written to before it is renamed over `path`."""
    return path.with_name(f".{path.name}{TEMP_SUFFIX}")


# ------------------------------------------------------------------ durable steps
_steps = 0


def checkpoint() -> None:
    """Count one filesystem step; see `KILL_AT`."""
    global _steps
    _steps += 1
    wanted = os.environ.get(KILL_AT)
    if not wanted:
        return
    number, _, name = wanted.partition(":")
    if _steps == int(number):
        os.kill(os.getpid(), signal.Signals[f"SIG{name or 'KILL'}"])


def reset_steps() -> None:
    global _steps
    _steps = 0


def steps_taken() -> int:
    return _steps


def fsync_dir(folder: Path) -> None:
    """Make a rename or an unlink in `folder` durable (not supported everywhere: best effort)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def write_synced(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `path` (created or truncated) and fsync it, so a later rename publishes all of it."""
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    if mode is not None:
        os.chmod(path, mode)


# ------------------------------------------------------------------ the journal file
def write(place: Place, record: Record) -> None:
    """Record the intent durably, or leave no journal and raise (FileExistsError if one is
    there already: the caller checks `pending` first, under the lock)."""
    place.directory.mkdir()
    try:
        fsync_dir(place.directory.parent)
        checkpoint()
        staging = place.directory / f"{MANIFEST}.tmp"
        write_synced(staging, json.dumps(record.to_json()).encode("utf-8"))
        checkpoint()
        os.replace(staging, place.manifest)
        fsync_dir(place.directory)
        checkpoint()
    except BaseException:
        shutil.rmtree(place.directory, ignore_errors=True)
        raise


def read(place: Place) -> Record | None:
    """The recorded intent, or None when there is no complete journal (nothing was changed)."""
    try:
        data = place.manifest.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return Record.from_json(json.loads(data))
    except (ValueError, KeyError, TypeError) as exc:
        raise FlaskmodError(
            f"the journal {place.manifest} cannot be read ({exc}); restore the project from "
            "version control or a backup, then delete that folder"
        ) from exc


def pending(place: Place) -> bool:
    """Whether a journal folder exists (complete or not)."""
    return place.directory.exists()


def discard(place: Place) -> None:
    """Delete the journal: first the manifest (the commit point), then the folder."""
    with contextlib.suppress(FileNotFoundError):
        place.manifest.unlink()
        fsync_dir(place.directory)
        checkpoint()
    shutil.rmtree(place.directory, ignore_errors=True)
    fsync_dir(place.directory.parent)


# ------------------------------------------------------------------ rolling back
def _state(path: Path) -> bytes | None:
    """A path's bytes; None if nothing is there. A link or folder reads as b"" (never ours)."""
    if not os.path.lexists(path):
        return None
    if path.is_symlink() or not path.is_file():
        return b""
    return path.read_bytes()


def conflicts(place: Place, record: Record, only: Iterable[str] | None = None) -> list[str]:
    """Paths holding bytes that are neither the recorded prior ones nor what apply wrote."""
    chosen = None if only is None else set(only)
    found = []
    for entry in record.entries:
        if chosen is not None and entry.path not in chosen:
            continue
        now = _state(place.anchor / entry.path)
        if now is None or now == entry.prior:
            continue
        if entry.new is not None and digest(now) == entry.new:
            continue
        found.append(entry.path)
    return found


def restore(place: Place, record: Record, only: Iterable[str] | None = None) -> None:
    """Put every journaled path back (or those in `only`), then remove temps and new folders.

    Idempotent: a path already as recorded is not touched. Callers check `conflicts` first.
    """
    chosen = None if only is None else set(only)
    for temp in record.temps:
        with contextlib.suppress(FileNotFoundError):
            (place.anchor / temp).unlink()
            checkpoint()
    for entry in reversed(record.entries):
        if chosen is None or entry.path in chosen:
            _restore_one(place.anchor / entry.path, entry)
    for folder in reversed(record.created):
        with contextlib.suppress(OSError):  # not empty: someone put a file there; keep it
            (place.anchor / folder).rmdir()
            checkpoint()


def _restore_one(path: Path, entry: Entry) -> None:
    now = _state(path)
    if entry.prior is None:
        if now is not None:
            path.unlink()
            fsync_dir(path.parent)
            checkpoint()
        return
    if now != entry.prior:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = temp_for(path)
        write_synced(temp, entry.prior, entry.mode)
        checkpoint()
        os.replace(temp, path)
        fsync_dir(path.parent)
        checkpoint()
    elif entry.mode is not None and path.stat().st_mode & 0o7777 != entry.mode:
        os.chmod(path, entry.mode)
        checkpoint()


def recover(root: Path, force: bool = False) -> Record | None:
    """Roll back the interrupted apply of the project at `root`; None if there was none.

    The caller holds the lock. With conflicts and without `force`, nothing is changed.
    """
    place = locate(root)
    if not pending(place):
        return None
    record = read(place)
    if record is None:  # died before the intent was complete: nothing was changed
        discard(place)
        return None
    clashing = conflicts(place, record)
    if clashing and not force:
        listed = ", ".join(clashing[:8]) + (
            f" and {len(clashing) - 8} more" if len(clashing) > 8 else ""
        )
        raise FlaskmodError(
            f"{listed} changed after the interrupted apply wrote them; nothing was restored. "
            "Save what you need from them, then `flaskmod recover --force PATH` puts back the "
            "bytes they had before the apply"
        )
    restore(place, record)
    discard(place)
    return record


def describe(record: Record) -> str:
    """When and by which process the interrupted apply was started."""
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.started))
    return f"started {when} by process {record.pid}"


def refuse_interrupted(root: Path) -> None:
    """Stop any command on a project that another flaskmod is writing, or that one left
    half-written; a journal that never got its intent written is just removed."""
    place = locate(root)
    if not pending(place):
        return
    holder = lock.held_elsewhere(place.lock)
    if holder is not None:
        raise FlaskmodError(
            f"another flaskmod (process {holder}) is writing this project ({place.lock} is "
            "locked); wait for it to finish"
        )
    with lock.hold(place.lock, "recovering"):
        if pending(place) and read(place) is None:
            discard(place)  # died before its intent was complete: nothing had changed
            return
    raise FlaskmodError(
        f"an earlier flaskmod run was interrupted while writing, so the project may be "
        f"half-migrated (journal {place.directory}); run `flaskmod recover {root}` to put it "
        "back as it was"
    )
