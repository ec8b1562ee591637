"""The Dask executor (`--executor dask --scheduler tcp://HOST:PORT`, extra `flaskmod[dask]`).

Each repository is one task running the same `jobs.run_job` as the local pool, on whichever
worker the Dask scheduler picks; results are gathered as they finish (`as_completed`). The
workers must see each repository's path (a shared filesystem) or clone its git URL.

A worker that dies (a crash) is restarted by its nanny and the task retried by the scheduler,
until Dask gives up with `KilledWorker`: that repository's `error`. A hang: the task runs the
job in a thread and gives up waiting after `--timeout`, returning `timeout`; the client then
restarts that worker (its nanny starts a fresh one), which kills the hung thread with it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from flaskmod.batch.jobs import Spec, lost_entry, run_job
from flaskmod.errors import FlaskmodError


class DaskCluster:
    """Runs jobs on a Dask distributed cluster: a scheduler address, or a `Client`."""

    def __init__(self, scheduler: Any, timeout: float | None) -> None:
        self.scheduler = scheduler
        self.timeout = timeout

    def results(self, specs: Sequence[Spec]) -> Iterator[dict[str, Any]]:
        distributed = _distributed()
        client = self._client(distributed)
        try:
            futures = {
                client.submit(_timed_job, spec, self.timeout, key=f"flaskmod-{i}-{spec.name}"): spec
                for i, spec in enumerate(specs)
            }
            for future in distributed.as_completed(futures):
                entry = _entry(future, futures[future])
                if entry["outcome"] == "timeout":
                    _restart(client, entry.get("worker") or {})
                yield entry
        finally:
            if client is not self.scheduler:
                client.close()

    def _client(self, distributed: Any) -> Any:
        if isinstance(self.scheduler, distributed.Client):
            return self.scheduler
        try:
            return distributed.Client(self.scheduler, timeout="30s")
        except OSError as error:
            raise FlaskmodError(f"--scheduler {self.scheduler}: cannot connect: {error}") from None


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise FlaskmodError(
            "--executor dask needs Dask distributed: pip install 'flaskmod[dask]'"
        ) from None
    return distributed


def _entry(future: Any, spec: Spec) -> dict[str, Any]:
    try:
        entry: dict[str, Any] = future.result()
        return entry
    except Exception as error:  # KilledWorker: the worker died every time it ran the job
        name = type(error).__name__
        return lost_entry(spec, "error", f"the worker process died (crash; Dask: {name})", 0.0)


def _restart(client: Any, worker: dict[str, Any]) -> None:
    """Kill the worker whose thread is still stuck in a hung job (its nanny starts another)."""
    address = worker.get("address")
    if address:
        # without a nanny the worker cannot be restarted: the hung thread stays, the batch goes on
        with contextlib.suppress(Exception):
            client.restart_workers([address], raise_for_error=False)


# ------------------------------------------------------------------- on the workers
def _timed_job(spec: Spec, timeout: float | None) -> dict[str, Any]:
    """`run_job` in a thread, abandoned after `timeout` (the client then restarts the worker)."""
    result: list[dict[str, Any]] = []
    thread = threading.Thread(target=lambda: result.append(run_job(spec)), daemon=True)
    thread.start()
    thread.join(timeout)
    if result:
        return result[0]
    entry = lost_entry(
        spec,
        "timeout",
        f"still running after {timeout:g}s: the worker was restarted",
        timeout or 0.0,
    )
    entry["worker"] = {"address": _address()}
    return entry


def _address() -> str | None:
    from distributed import get_worker

    try:
        return str(get_worker().address)
    except ValueError:
        return None
