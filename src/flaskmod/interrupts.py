"""SIGTERM (and SIGHUP) handled like Ctrl-C, and sections no signal may cut short.

`timeout`, CI cancellation and `docker stop` send SIGTERM, whose default action kills the process
on the spot; a closed terminal sends SIGHUP. Turned into an exception, they unwind through
`apply`, which puts the project back before the process exits, exactly as for Ctrl-C. SIGKILL
cannot be caught: the journal (`flaskmod.journal`) covers it.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType

#: Signals that end the process politely: each becomes `Terminated` while `handled` is active.
POLITE = tuple(
    sig for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if sig
)
#: What `blocked` holds back: the polite signals and Ctrl-C.
ALL = (signal.SIGINT, *POLITE)


class Terminated(KeyboardInterrupt):
    """A polite signal, raised where the program is; a KeyboardInterrupt for every handler."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise `Terminated` (only in the main thread)."""
    previous = {}
    try:
        for sig in POLITE:
            previous[sig] = signal.signal(sig, _raise)
    except ValueError:  # not the main thread: signals stay as they are
        pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def blocked() -> Iterator[None]:
    """Hold back Ctrl-C and polite signals (delivered when the block ends): used while undoing
    a half-done write, so a second Ctrl-C does not leave the undo half-done."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, ALL)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def signum(interrupt: KeyboardInterrupt) -> int:
    return interrupt.signum if isinstance(interrupt, Terminated) else int(signal.SIGINT)


def exit_code(interrupt: KeyboardInterrupt) -> int:
    """128 + the signal's number, as a shell reports a process a signal ended (130 for Ctrl-C)."""
    return 128 + signum(interrupt)


def name(interrupt: KeyboardInterrupt) -> str:
    return signal.Signals(signum(interrupt)).name
