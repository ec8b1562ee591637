"""The local executor: `concurrent.futures.ProcessPoolExecutor`, one repository per task.

The standard pool does the scheduling (and, with `max_tasks_per_child`, recycles each worker
after N repositories so memory stays bounded). What it cannot do alone is stop one task: a hung
repository is killed here (SIGKILL to the worker that announced it), which breaks the pool, as
a crashing worker does. Either way the pool is replaced and the repositories it lost are
submitted again; the killed one is reported `timeout`. A crash names no culprit, so the
repositories that were running are then run again one at a time: the one that kills its lone
worker is reported `error`, the others finish normally.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence, Sized
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.queues import SimpleQueue
from typing import Any

from flaskmod.batch.jobs import Spec, lost_entry, run_job

POLL = 0.2  # seconds between checks for hung workers
MAX_FRUITLESS = 3  # pools in a row that broke before finishing anything
_started: SimpleQueue[tuple[int, int]] | None = None  # in a worker: where it announces tasks


@dataclass
class _Generation:
    """One pool's life: what it was given and how each of its tasks ended."""

    specs: dict[int, Spec]
    started: dict[int, tuple[int, float]] = field(default_factory=dict)  # index: (pid, since)
    killed: set[int] = field(default_factory=set)
    broken: list[int] = field(default_factory=list)


class LocalPool:
    """Runs jobs on this machine's cores; yields each repository's entry as it finishes."""

    def __init__(self, jobs: int, timeout: float | None, per_child: int) -> None:
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.per_child = max(1, per_child)

    def results(self, specs: Sequence[Spec]) -> Iterator[dict[str, Any]]:
        waiting = dict(enumerate(specs))
        suspects: dict[int, Spec] = {}
        fruitless = 0
        while waiting or suspects:
            if suspects:  # after a crash: one at a time, so the culprit is the one running
                index = next(iter(suspects))
                todo, workers = {index: suspects.pop(index)}, 1
            else:
                todo, workers, waiting = waiting, self.jobs, {}
            generation = _Generation(todo)
            yield from self._run(generation, workers)
            yield from self._lost(generation, workers, waiting, suspects)
            fruitless = fruitless + 1 if len(generation.broken) == len(todo) else 0
            if fruitless == MAX_FRUITLESS:  # workers die before any job starts: give up
                yield from _unstarted({**waiting, **suspects})
                return

    def _run(self, generation: _Generation, workers: int) -> Iterator[dict[str, Any]]:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["flaskmod.batch.preload"])
        started: SimpleQueue[tuple[int, int]] = context.SimpleQueue()
        pool = _RecyclingPool(
            max_workers=workers,
            mp_context=context,
            initializer=_announce_to,
            initargs=(started,),
            max_tasks_per_child=self.per_child,
        )
        try:
            futures = {pool.submit(_tracked, spec, i): i for i, spec in generation.specs.items()}
            yield from self._collect(generation, futures, started)
        except BaseException:  # interrupted: running jobs would be waited for, hung ones forever
            for pid, _ in generation.started.values():
                _kill(pid)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            started.close()

    def _collect(
        self,
        generation: _Generation,
        futures: dict[Future[dict[str, Any]], int],
        started: SimpleQueue[tuple[int, int]],
    ) -> Iterator[dict[str, Any]]:
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=POLL, return_when=FIRST_COMPLETED)
            _drain(started, generation)
            for future in done:
                index = futures[future]
                entry = self._entry(future, index, generation)
                if entry is not None:
                    generation.started.pop(index, None)
                    yield entry
            self._kill_hung(generation)

    def _entry(
        self, future: Future[dict[str, Any]], index: int, generation: _Generation
    ) -> dict[str, Any] | None:
        try:
            return future.result()
        except BrokenProcessPool:
            generation.broken.append(index)
            return None
        except Exception as error:  # the job itself never raises: pickling, resources...
            spec = generation.specs[index]
            return lost_entry(spec, "error", f"the worker failed: {error}", 0.0)

    def _kill_hung(self, generation: _Generation) -> None:
        if self.timeout is None:
            return
        now = time.monotonic()
        for index, (pid, since) in generation.started.items():
            if index not in generation.killed and now - since > self.timeout:
                generation.killed.add(index)
                _kill(pid)

    def _lost(
        self,
        generation: _Generation,
        workers: int,
        waiting: dict[int, Spec],
        suspects: dict[int, Spec],
    ) -> Iterator[dict[str, Any]]:
        """Entries for the tasks the broken pool took down, and where the others go next."""
        for index in generation.broken:
            spec = generation.specs[index]
            running = index in generation.started
            if index in generation.killed:
                reason = f"still running after {self.timeout:g}s: the worker was killed"
                yield lost_entry(spec, "timeout", reason, self.timeout or 0.0)
            elif running and not generation.killed and workers == 1:
                yield lost_entry(spec, "error", "the worker process died (crash)", 0.0)
            elif running and not generation.killed:
                suspects[index] = spec
            else:
                waiting[index] = spec


def _unstarted(specs: dict[int, Spec]) -> Iterator[dict[str, Any]]:
    reason = f"worker processes kept dying ({MAX_FRUITLESS} pools in a row finished nothing)"
    for spec in specs.values():
        yield lost_entry(spec, "error", reason, 0.0)


def _drain(started: SimpleQueue[tuple[int, int]], generation: _Generation) -> None:
    while not started.empty():
        index, pid = started.get()
        generation.started[index] = (pid, time.monotonic())


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it finished meanwhile
        os.kill(pid, signal.SIGKILL)


class _RecyclingPool(ProcessPoolExecutor):
    """The standard pool, with the replacement of recycled workers that CPython gh-115634 broke.

    From Python 3.11 until its fix (3.13 and 3.14 maintenance releases; 3.11 and 3.12 keep the
    bug), a worker that exits at `max_tasks_per_child` is replaced only when no stale "idle
    worker" token is left; once every worker has exited that way, the queued repositories wait
    forever. As the upstream fix does, a worker is replaced whenever the pool is below
    `max_workers`. (Every repository is submitted at once, so spawning the workers at the first
    submissions, not on demand, costs nothing.)
    """

    def _adjust_process_count(self) -> None:
        processes: Sized = getattr(self, "_processes", {})
        spawn: Callable[[], None] | None = getattr(self, "_spawn_process", None)
        if spawn is None or not hasattr(self, "_max_workers"):
            super()._adjust_process_count()  # another implementation: trust it
            return
        if len(processes) < int(self._max_workers):
            spawn()


# ------------------------------------------------------------------ in the workers
def _announce_to(started: SimpleQueue[tuple[int, int]]) -> None:
    global _started
    _started = started


def _tracked(spec: Spec, index: int) -> dict[str, Any]:
    """`run_job`, announced first: the parent times each task from when it really starts."""
    if _started is not None:
        _started.put((index, os.getpid()))
    return run_job(spec)
