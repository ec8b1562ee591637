"""`flaskmod batch`: the command line's values turned into a spec, an executor and a plan."""

from __future__ import annotations

import os
from typing import Any

from rich.console import Console

from flaskmod.batch import EPILOG  # noqa: F401  (re-exported: the command's exit codes)
from flaskmod.batch import report as reports
from flaskmod.batch.display import Display
from flaskmod.batch.jobs import FAULTS, Spec
from flaskmod.batch.runner import Executor, Plan, repositories, run_batch
from flaskmod.errors import FlaskmodError

#: test-only: `name=hang,other=crash` makes those repositories' jobs hang or kill their worker
TEST_FAULTS = "FLASKMOD_BATCH_TEST_FAULTS"


def run(repos: tuple[str, ...], values: dict[str, Any], settings: dict[str, str]) -> int:
    """Run the batch the command line describes; return its exit code."""
    mode = _mode(values)
    found = repositories(repos, values["from_file"], values["discover"])
    template = _template(values, mode, settings)
    plan = Plan(
        out=values["out"],
        report=values["report"],
        resume=values["resume"],
        run=_described(values, mode, len(found)),
    )
    console = Console(highlight=False)
    display = Display(console, len(found))
    document = run_batch(found, template, _executor(values), plan, display, faults())
    reports.summary(console, document)
    if plan.report is not None:
        console.print(f"Report: {plan.report} (and .md, .html beside it)", soft_wrap=True)
    return int(document["exit_code"])


def _mode(values: dict[str, Any]) -> str:
    if values["write"] and values["commit"]:
        raise FlaskmodError("--apply and --commit are two ways to write: choose one")
    if values["branch_given"] and not values["commit"]:
        raise FlaskmodError("--branch is for --commit")
    return "apply" if values["write"] else "commit" if values["commit"] else "preview"


def _template(values: dict[str, Any], mode: str, settings: dict[str, str]) -> Spec:
    """Every repository's spec but its name and path."""
    return Spec(
        name="",
        path="",
        mode=mode,
        branch=values["branch"],
        only=tuple(values["only"]),
        skip=tuple(values["skip"]),
        flask_version=values["flask_version"],
        force=values["force"],
        partial=values["partial"],
        verify=values["verify"],
        run_tests=values["run_tests"],
        settings=settings,
    )


def _executor(values: dict[str, Any]) -> Executor:
    timeout = values["timeout"] or None
    if values["executor"] == "dask":
        if not values["scheduler"]:
            raise FlaskmodError("--executor dask needs --scheduler tcp://HOST:PORT")
        from flaskmod.batch.cluster import DaskCluster

        return DaskCluster(values["scheduler"], timeout)
    from flaskmod.batch.pool import LocalPool

    return LocalPool(values["jobs"] or os.cpu_count() or 1, timeout, values["max_per_worker"])


def _described(values: dict[str, Any], mode: str, total: int) -> dict[str, Any]:
    return {
        "mode": mode,
        "branch": values["branch"] if mode == "commit" else None,
        "executor": values["executor"],
        "jobs": values["jobs"] or os.cpu_count() or 1,
        "timeout": values["timeout"] or None,
        "total": total,
    }


def faults() -> dict[str, str]:
    """FLASKMOD_BATCH_TEST_FAULTS, parsed: `name=hang,other=crash` (test-only)."""
    found = {}
    for item in os.environ.get(TEST_FAULTS, "").split(","):
        name, _, fault = item.partition("=")
        if fault in FAULTS:
            found[name.strip()] = fault
    return found
