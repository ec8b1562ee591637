"""The project's own tests: which command runs them, and the counts pytest or unittest print."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from flaskmod.errors import FlaskmodError, Location
from flaskmod.project import Project
from flaskmod.verify.model import Row, Status, SuiteComparison, SuiteCounts, Target
from flaskmod.verify.runner import run, tail

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 (tomli is a dependency there)
    import tomli as tomllib

PYTEST_CONFIG = {
    "pytest.ini": "",
    "pyproject.toml": "[tool.pytest",
    "setup.cfg": "[tool:pytest]",
    "tox.ini": "[pytest]",
}
PYTEST_SUMMARY = re.compile(r"^=*\s*((?:\d+ \w+(?:, )?)+|no tests ran) in \d", re.MULTILINE)
UNITTEST_RAN = re.compile(r"^Ran (\d+) tests? in", re.MULTILINE)
UNITTEST_VERDICT = re.compile(r"^(?:OK|FAILED)(?: \((.*)\))?\s*$", re.MULTILINE)


def suite_command(root: Path, project: Project, python: str) -> list[str]:
    """`[tool.flaskmod] test-command`, else pytest where the project uses it, else unittest."""
    configured = _configured_test_command(root)
    if configured is not None:
        return configured
    if _uses_pytest(root, project):
        return [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return [python, "-m", "unittest", "discover"]


def _configured_test_command(root: Path) -> list[str] | None:
    path = root / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        value = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise FlaskmodError(f"cannot read: {error}", Location(str(path))) from error
    command = value.get("flaskmod", {}).get("test-command")
    if command is None:
        return None
    if isinstance(command, str):
        return shlex.split(command)
    if isinstance(command, list) and command and all(isinstance(p, str) for p in command):
        return command
    raise FlaskmodError(
        "[tool.flaskmod] test-command must be a string or a list of strings", Location(str(path))
    )


def _uses_pytest(root: Path, project: Project) -> bool:
    for name, marker in PYTEST_CONFIG.items():
        config = root / name
        if config.is_file() and marker in config.read_text(encoding="utf-8", errors="replace"):
            return True
    names = (PurePosixPath(p).name for p in project.python_paths())
    return any(n == "conftest.py" or n.startswith("test_") for n in names)


def parse_counts(output: str, returncode: int) -> SuiteCounts | None:
    """Passed and failed from pytest's summary line or unittest's `Ran N tests` and verdict."""
    summaries = PYTEST_SUMMARY.findall(output)
    if summaries:
        counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", summaries[-1])}
        failed = counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
        return SuiteCounts(counts.get("passed", 0), failed, returncode)
    ran, verdict = UNITTEST_RAN.findall(output), UNITTEST_VERDICT.findall(output)
    if not ran or not verdict:
        return None
    counts = {
        k.strip(): int(v) for k, _, v in (p.partition("=") for p in verdict[-1].split(",") if p)
    }
    failed = counts.get("failures", 0) + counts.get("errors", 0)
    return SuiteCounts(int(ran[-1]) - failed - counts.get("skipped", 0), failed, returncode)


def run_tests(
    command: list[str], side: Target, env: Mapping[str, str], timeout: float
) -> SuiteCounts:
    shown = shlex.join(command)
    try:
        done = run(command, side.root, env, timeout)
    except subprocess.TimeoutExpired:
        raise FlaskmodError(
            f"`{shown}` did not finish within {timeout:g} s", Location(side.where)
        ) from None
    except OSError as error:
        raise FlaskmodError(f"cannot run `{shown}`: {error}", Location(side.where)) from error
    output = f"{done.stdout}\n{done.stderr}"
    counts = parse_counts(output, done.returncode)
    if counts is None:
        message = f"`{shown}` printed no test summary (exit {done.returncode}):\n{tail(output)}"
        raise FlaskmodError(message, Location(side.where))
    return counts


def compare_tests(
    command: list[str], sides: tuple[Target, Target], env: Mapping[str, str], timeout: float
) -> tuple[SuiteComparison, Row]:
    """Sequentially: a suite may bind ports or write shared files."""
    before, after = (run_tests(command, side, env, timeout) for side in sides)
    cells = (shlex.join(command), str(before), str(after))
    if (before.passed, before.failed) == (after.passed, after.failed):
        row = Row("tests", *cells)
    else:
        row = Row("tests", *cells, Status.DIFFERENT, f"test results changed: {before} → {after}")
    return SuiteComparison(command, before, after), row
