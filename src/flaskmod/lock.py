"""One writer at a time per project, like git's `index.lock`.

The lock is an advisory `flock` on a lock file (`journal.locate` says where), taken without
waiting: a second `--apply`, `--commit`, `--step` or `recover` on the same project refuses at
once, naming the file and the process that holds it. The kernel releases a `flock` when its
process dies, however it dies, so a lock is never stale: a lock file left by a killed run is
taken over by the next one (the journal, not the lock, says whether that run left work half
done). The file records the holder's process id for the message only.

Within one process the lock is re-entrant: the CLI holds it for a whole command and `apply`,
called inside, takes it again without blocking itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from flaskmod.errors import FlaskmodError

_held: dict[str, int] = {}  # lock path → depth, in this process


@contextlib.contextmanager
def hold(path: Path, what: str = "writing") -> Iterator[None]:
    """Hold the lock file at `path` for the block, or raise FlaskmodError at once."""
    key = str(path)
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    handle = _acquire(path, what)
    _held[key] = 1
    try:
        yield
    finally:
        del _held[key]
        with contextlib.suppress(OSError):
            path.unlink()  # while still locked, so no one can take a file about to vanish
        os.close(handle)


def _acquire(path: Path, what: str) -> int:
    """Open and lock `path`; retry if it was replaced between opening and locking."""
    for _ in range(10):
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(handle, 200).decode("utf-8", "replace").strip()
            os.close(handle)
            who = f" (process {holder})" if holder else ""
            raise FlaskmodError(
                f"another flaskmod{who} is {what} this project: {path} is locked; wait for it "
                "to finish"
            ) from None
        except BaseException:
            os.close(handle)
            raise
        try:
            same = os.fstat(handle).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:  # the file we locked is still the one at `path`
            os.ftruncate(handle, 0)
            os.write(handle, f"{os.getpid()}\n".encode())
            return handle
        os.close(handle)
    raise FlaskmodError(f"could not take the lock {path}: it keeps being replaced")


def held_elsewhere(path: Path) -> str | None:
    """The holder's process id if another process holds the lock now, else None."""
    if str(path) in _held:
        return None
    try:
        handle = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.read(handle, 200).decode("utf-8", "replace").strip() or "?"
        fcntl.flock(handle, fcntl.LOCK_UN)
        return None
    finally:
        os.close(handle)
