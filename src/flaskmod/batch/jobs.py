"""One repository's migration, as a batch worker runs it: never raises, always an entry.

`run_job` is the unit every executor ships (a `ProcessPoolExecutor` worker, a Dask worker),
so it takes and returns plain picklable data: a `Spec` in, a JSON-ready entry dict out, the
preview's patch as bytes inside it (the worker may not see the batch's `--out` folder). It
reuses `upgrade`'s preparation (`modes.prepared`), run (`whole_run`) and delivery
(`modes.deliver` / `modes.commit`), so `--apply` and `--commit` behave as `upgrade` does.
"""

from __future__ import annotations

import io
import os
import resource
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from git.exc import GitCommandError
from rich.console import Console

from flaskmod import gitops, journal, modes, report, tool_config
from flaskmod.analysis import Layout
from flaskmod.conventions import DEFAULT_BRANCH
from flaskmod.errors import BlockedError, Finding, FlaskmodError, NoFlaskApp, Severity
from flaskmod.pipeline import Options, declared_options, discover, select
from flaskmod.upgrade import (
    Modes,
    Result,
    SelfCheckFailed,
    Verification,
    compare_with_original,
    whole_run,
)
from flaskmod.versions import exactly, parse_version

#: every outcome a repository can end with, in the order reports list them
OUTCOMES = (
    "migrated",
    "already-factory",
    "not-flask",
    "needs-manual-steps",
    "refused",
    "error",
    "timeout",
)
#: test-only: a repository's fault injected by the test suite (see `Spec.fault`)
FAULTS = ("hang", "crash")


@dataclass(frozen=True)
class Spec:
    """What a worker needs to migrate one repository: plain data, picklable, no console."""

    name: str
    path: str
    mode: str = "preview"  # preview | apply | commit
    branch: str = DEFAULT_BRANCH
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    flask_version: str | None = None
    force: bool = False
    partial: bool = False
    app: str | None = None
    python: str | None = None
    verify: bool = False
    run_tests: bool = False
    settings: dict[str, str] = field(default_factory=dict)
    #: test-only (FLASKMOD_BATCH_TEST_FAULTS): "hang" sleeps forever, "crash" kills the worker
    fault: str | None = None

    @property
    def is_url(self) -> bool:
        return "://" in self.path or self.path.startswith("git@")

    def modes(self) -> Modes:
        return Modes(
            write=self.mode == "apply",
            commit=self.mode == "commit",
            allow_dirty=False,  # a dirty work tree is that repository's error, never forced
            partial=self.partial,
        )

    def options(self) -> Options:
        flask = self.flask_version
        return Options(
            flask=exactly(parse_version(flask), "--flask-version") if flask else None,
            force=self.force,
            app=self.app,
            python=Path(self.python) if self.python else None,
            settings=dict(self.settings),
        )

    def configured(self, path: Path) -> Spec:
        """The spec with the repository's own `[tool.flaskmod]` filled in, as `upgrade PATH`
        reads it: the batch's command line wins; `--app`, `--python` come only from there."""
        table, source = tool_config.read(path, None)
        if not table or source is None:
            return self
        from flaskmod.cli import upgrade  # the command whose settings a project keeps

        given = tool_config.defaults_for(upgrade, table, source)
        declared = declared_options(discover())
        settings = {k: str(v) for k, v in given.items() if k in declared}
        return replace(
            self,
            only=self.only or tuple(given.get("only", ())),
            skip=self.skip or tuple(given.get("skip", ())),
            flask_version=self.flask_version or given.get("flask_version"),
            force=self.force or bool(given.get("force")),
            partial=self.partial or bool(given.get("partial")),
            app=given.get("app_choice"),
            python=str(_under(path, given["python"])) if given.get("python") else None,
            settings={**settings, **self.settings},
        )


def run_job(spec: Spec) -> dict[str, Any]:
    """Migrate one repository and describe how it ended; every failure becomes its outcome."""
    entry = _entry(spec)
    begin = time.perf_counter()
    entry["started"] = _now()
    try:
        _inject(spec.fault)
        with _checkout(spec) as path:
            entry["commit"] = head_of(path)
            _migrate(path, spec, entry)
            entry["commit_after"] = head_of(path)
    except Exception as error:  # a repository's failure is its outcome, never the batch's
        _failed(entry, error)
    entry["seconds"] = round(time.perf_counter() - begin, 3)
    entry["worker"] = _worker()
    return entry


def lost_entry(spec: Spec, outcome: str, reason: str, seconds: float) -> dict[str, Any]:
    """The entry of a job that returned nothing: its worker was killed, or died."""
    entry = _entry(spec)
    entry.update(outcome=outcome, reason=reason, seconds=round(seconds, 3), started=_now())
    return entry


def _entry(spec: Spec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "path": spec.path,
        "outcome": "error",
        "reason": None,
        "commit": None,
        "commit_after": None,
        "flask": None,
        "codemods_applied": [],
        "files_changed": 0,
        "manual_steps": [],
        "written": False,
        "patch": None,
        "timings": {},
        "result": None,
    }


def _migrate(path: Path, spec: Spec, entry: dict[str, Any]) -> None:
    """What `upgrade` does for one PATH, with every message kept out of the worker's output."""
    journal.refuse_interrupted(path)
    spec = spec.configured(path)
    flags = spec.modes()
    codemods = select(discover(), spec.only, spec.skip)
    clock = time.perf_counter()
    with modes.prepared(path, flags, codemods, spec.options(), spec.branch) as (target, driver):
        entry["flask"] = flask_label(report.flask_json(driver.options.flask))
        entry["timings"]["analysis"] = _since(clock)
        clock = time.perf_counter()
        result = whole_run(driver, flags)
        entry["timings"]["codemods"] = _since(clock)
        clock = time.perf_counter()
        _describe(entry, result, path)
        result = _verified(path, result, spec)
        _describe(entry, result, path)
        if _deliverable(entry, result, flags):
            result = _deliver(target, driver, result, flags)
            _describe(entry, result, path)
        entry["timings"]["deliver"] = _since(clock)


def _verified(path: Path, result: Result, spec: Spec) -> Result:
    """`--verify`: the migrated copy against the original, in the repository's interpreter."""
    if not spec.verify or not result.changes or result.violations or result.run.already_factory:
        return result
    python = Path(spec.python) if spec.python else None  # None: the project's .venv/venv
    check = Verification(python=python, run_tests=spec.run_tests, app=spec.app)
    differences = compare_with_original(path, result.changes, check)
    return replace(result, differences=tuple(differences))


def _deliverable(entry: dict[str, Any], result: Result, flags: Modes) -> bool:
    """Whether `upgrade` would go on to write (or, previewing, there is a patch to keep)."""
    if entry["outcome"] in ("refused", "already-factory") or not result.changes:
        return False
    return not (result.incomplete and flags.write and not flags.partial)


def _deliver(target: modes.Target, driver: Any, result: Result, flags: Modes) -> Result:
    out = modes.Output(Console(file=io.StringIO()), as_json=True, quiet=True)
    if flags.commit:
        modes.commit(out, target, driver, only_next=False)  # raises unless all committed
        return replace(result, written=True)
    return modes.deliver(out, target, result, flags, None)[1]


def _describe(entry: dict[str, Any], result: Result, path: Path) -> None:
    """The entry's fields from a run's result; its `result` is `upgrade --json`'s document."""
    secrets = result.run.secrets
    document = report.to_json(result, str(path), secrets)
    steps = _manual(result)
    entry.update(
        outcome=outcome_of(result, steps),
        reason=_reason(result),
        codemods_applied=[c["name"] for c in document["codemods"] if c["changed"]],
        files_changed=len(result.changes),
        manual_steps=[_step_json(f, list(secrets)) for f in steps],
        written=result.written,
        result=document,
    )
    if result.changes and not result.violations:
        entry["patch_bytes"] = result.changes.patch_bytes()


def outcome_of(result: Result, manual: list[Finding]) -> str:
    """A factory flaskmod built and left nothing pending for is `already-factory` too."""
    finished = result.run.model.layout is Layout.FACTORY and not result.changes
    if result.run.already_factory or finished:
        return "already-factory"
    if result.violations or result.differences:
        return "refused"
    return "needs-manual-steps" if manual or result.incomplete else "migrated"


def _manual(result: Result) -> list[Finding]:
    steps = [f for f in result.run.findings if f.severity is Severity.MANUAL]
    return steps + [f for f in result.incomplete if f not in steps]


def _reason(result: Result) -> str | None:
    if result.violations:
        return SelfCheckFailed(result.violations).message
    if result.differences:
        return f"--verify: the migrated app behaves differently: {result.differences[0]}"
    if result.incomplete:
        return f"stops short of a factory: {result.incomplete[0]}"
    return None


def _step_json(finding: Finding, secrets: list[str]) -> dict[str, Any]:
    return report.finding_json(finding, secrets)


def _failed(entry: dict[str, Any], error: Exception) -> None:
    """Map an exception to the repository's outcome and a one-line reason."""
    if isinstance(error, NoFlaskApp):
        entry["outcome"] = "not-flask"
    elif isinstance(error, BlockedError):
        entry["outcome"] = "refused"
        entry["manual_steps"] = [_step_json(f, []) for f in error.findings]
    elif isinstance(error, SelfCheckFailed):
        entry["outcome"] = "refused"
    else:
        entry["outcome"] = "error"
    entry["reason"] = _message(error)
    if entry["result"] is None:
        entry["result"] = report.error_json(entry["path"], error, getattr(error, "location", None))


def _message(error: Exception) -> str:
    if isinstance(error, FlaskmodError):
        return _first_line(str(error))
    if isinstance(error, GitCommandError):
        lines = [line.strip() for line in str(error.stderr).splitlines() if line.strip()]
        return f"git failed: {lines[-1] if lines else error}"
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename else ""
        return f"{where}{error.strerror or error}"
    text = str(error).splitlines()[0] if str(error) else ""
    return f"internal error: {type(error).__name__}{': ' + text if text else ''} (a flaskmod bug)"


# ------------------------------------------------------------------------- helpers
def _under(root: Path, configured: Any) -> Path:
    """A path from the repository's configuration, relative to the repository."""
    path = Path(str(configured)).expanduser()
    return path if path.is_absolute() else root / path


def _first_line(message: str) -> str:
    """The message's first line, and the next one when the first only announces it (`...:`)."""
    lines = [line.strip() for line in message.splitlines() if line.strip()] or [""]
    return " ".join(lines[:2]) if lines[0].endswith(":") and len(lines) > 1 else lines[0]


def head_of(path: Path) -> str | None:
    """The commit HEAD points at (what `--resume` compares), or None outside git."""
    try:
        with gitops.open_tree(path) as tree:
            if tree is None or not tree.repo.head.is_valid():
                return None
            return str(tree.repo.head.commit.hexsha)
    except (GitCommandError, ValueError, OSError):
        return None


def flask_label(flask: dict[str, Any] | None) -> str | None:
    """`2.3`, or `1.1-2.0` when the project allows a range."""
    if flask is None:
        return None
    low, high = flask["lowest"], flask["highest"]
    return low if low == high else f"{low}-{high}"


@contextmanager
def _checkout(spec: Spec) -> Iterator[Path]:
    """The repository on this worker's disk: its path, or a shallow clone of a git URL."""
    if not spec.is_url:
        yield Path(spec.path)
        return
    if spec.mode != "preview":
        raise FlaskmodError("a git URL can only be previewed; clone it to --apply or --commit")
    with tempfile.TemporaryDirectory(prefix="flaskmod-batch-") as tmp:
        clone = Path(tmp) / spec.name
        subprocess.run(
            ["git", "clone", "--quiet", "--depth", "1", spec.path, str(clone)],
            check=True,
            capture_output=True,
            timeout=600,
        )
        yield clone


def _inject(fault: str | None) -> None:
    """Test-only faults (FLASKMOD_BATCH_TEST_FAULTS), to show a hang or a crash stops nothing."""
    if fault == "hang":
        while True:
            time.sleep(60)
    if fault == "crash":
        os._exit(70)


def _worker() -> dict[str, Any]:
    """Which process ran the job, and its peak memory so far (workers are recycled)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"host": socket.gethostname(), "pid": os.getpid(), "peak_rss_kb": peak}


def _since(clock: float) -> float:
    return round(time.perf_counter() - clock, 3)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
