"""Fixtures that pin an old Flask (`Flask==1.1.4`, ...), run on exactly the stack they pin.

flaskmod generates different code per Flask version, and the generic tests in test_fixtures.py
import apps with flaskmod's own Flask 3, which would neither catch code an old Flask lacks nor
run a project that needs an old one. So each pinned fixture gets a virtual environment built
from its own requirements.txt, cached across runs by content hash, and its tests and the probe
run with that interpreter on the original, the golden output and a fresh migration.

Building needs the package index: without it the tests skip, except in CI (`CI=true`), where a
silent skip would hide that nothing was tested, so they fail.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from flaskmod.analysis import analyze
from flaskmod.apply import apply
from flaskmod.changeset import compute
from flaskmod.cli import main
from flaskmod.pipeline import discover, run
from flaskmod.project import scan
from tests.conftest import FIXTURES
from tests.e2e.test_fixtures import (
    NAMES,
    PROBE,
    _clean_env,
    assert_same_behaviour,
    copy,
    pinned_stack,
    tree,
)

PINNED = [name for name in NAMES if pinned_stack(name)]
INSTALL_TIMEOUT = 900  # seconds for `pip install -r`; sdists (MarkupSafe 1.1.1) are built
RUN_TIMEOUT = 300
READY = "flaskmod-ready"  # written last: a venv without it is half-built and is rebuilt
_PIN = re.compile(
    r"^\s*flask\s*(?:\[[^\]]*\])?\s*==\s*v?(\d+)\.(\d+)", re.IGNORECASE | re.MULTILINE
)

pytestmark = [pytest.mark.network, pytest.mark.slow]


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "flaskmod" / "test-venvs"


def _env() -> dict[str, str]:
    """The probe's clean environment, minus anything that would put other packages on the path."""
    env = _clean_env()
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"):
        env.pop(name, None)
    return env


def _python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@functools.cache
def _index_unreachable() -> str | None:
    """Why pip's index cannot be reached, or None; checked once, and only when a venv is missing."""
    url = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple/").rstrip("/") + "/pip/"
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            response.read(1)
    except (urllib.error.URLError, OSError) as exc:
        shown = re.sub(r"//[^/@]*@", "//", url)  # no credentials in the skip reason
        return f"{shown}: {getattr(exc, 'reason', exc)}"
    return None


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One builder per venv, also across parallel pytest processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _version(python: str) -> str:
    """`(3, 11)`, as `sys.version_info[:2]` prints in that interpreter."""
    if python == sys.executable:
        return str(sys.version_info[:2])
    done = subprocess.run(
        [python, "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


@functools.cache
def stack(requirements: Path, python: str = sys.executable) -> Path:
    """The interpreter of a venv with exactly these requirements, built on first use from
    `python` (flaskmod's own by default; an older one for the oldest stacks).

    Keyed by the requirements and the Python version: the same pins on another Python may
    resolve or build differently, and a venv cannot move to another interpreter.
    """
    text = requirements.read_bytes()
    key = hashlib.sha256(text + f"\npython {_version(python)}".encode()).hexdigest()
    venv = _cache_root() / key
    with _locked(venv.with_suffix(".lock")):
        if (venv / READY).is_file():
            return _python(venv)
        if reason := _index_unreachable():
            message = f"package index unreachable, cannot build the pinned stack ({reason})"
            if os.environ.get("CI") == "true":
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=120, env=_env())
        pip = [str(_python(venv)), "-m", "pip", "install", "-q", "--no-input", "--retries", "2"]
        done = subprocess.run(
            [*pip, "--disable-pip-version-check", "-r", str(requirements)],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            env=_env(),
        )
        if done.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            pytest.fail(f"pip install -r {requirements} failed:\n{done.stderr[-3000:]}")
        (venv / READY).write_bytes(text)
    return _python(venv)


@pytest.fixture
def python(name: str) -> Path:
    return stack(FIXTURES / name / "before" / "requirements.txt")


def own_tests(python: Path, root: Path) -> tuple[int, int, str]:
    """(passed, failed or errored, output tail) of the project's own suite on its stack."""
    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        env=_env(),
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", summary)) else 0
    failed = sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)", summary))
    return passed, failed, (done.stdout + done.stderr)[-3000:]


def probe(python: Path, root: Path, spec: str, config: str | None = None) -> dict[str, Any]:
    command = [str(python), str(PROBE), spec, "--responses"]
    if config:
        command += ["--config", config]
    done = subprocess.run(
        command, cwd=root, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=_env()
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def fresh_migration(name: str, target: Path) -> Path:
    """Migrate a copy of before/ in process, checking it targets the pinned Flask."""
    copy(FIXTURES / name / "before", target)
    project = scan(target)
    outcome = run(project, discover())
    pin = _PIN.search((target / "requirements.txt").read_text(encoding="utf-8"))
    assert pin and outcome.options.flask is not None
    assert outcome.options.flask.version == (int(pin.group(1)), int(pin.group(2)))
    apply(target, compute(project, outcome.final))
    return target


@pytest.mark.parametrize("name", PINNED)
def test_own_tests_pass_on_the_pinned_stack(name: str, python: Path, tmp_path: Path) -> None:
    fresh = fresh_migration(name, tmp_path / "fresh")
    assert tree(fresh) == tree(FIXTURES / name / "after"), "fresh migration differs from golden"
    results = {
        label: own_tests(python, root)
        for label, root in (
            ("before", copy(FIXTURES / name / "before", tmp_path / "before")),
            ("golden", copy(FIXTURES / name / "after", tmp_path / "golden")),
            ("fresh", fresh),
        )
    }
    passed, failed, output = results["before"]
    assert passed > 0 and failed == 0, output
    for label in ("golden", "fresh"):
        assert results[label][:2] == (passed, 0), f"{label}:\n{results[label][2]}"


@pytest.mark.parametrize("name", PINNED)
def test_behaviour_on_the_pinned_stack(name: str, python: Path, tmp_path: Path) -> None:
    before = copy(FIXTURES / name / "before", tmp_path / "before")
    model = analyze(scan(before))
    old = probe(python, before, f"{model.import_name}:{model.app_name}")
    new = probe(
        python,
        copy(FIXTURES / name / "after", tmp_path / "after"),
        f"{model.import_name}:create_app",
        "testing",
    )

    assert_same_behaviour(old, new)


#: Known: the blueprints codemod turns `before_first_request` into start-up code for every target,
#: though Flask < 2.3 still has the hook (`bp.before_app_first_request`), and verify counts it lost.
@pytest.mark.parametrize("name", PINNED)
def test_flaskmod_verify_with_the_pinned_interpreter(
    name: str, python: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`flaskmod verify --python` is how users check an old-stack migration: it must agree."""
    for variable in list(os.environ):
        if variable.startswith("FLASK_") or variable == "SECRET_KEY":
            monkeypatch.delenv(variable)
    original = copy(FIXTURES / name / "before", tmp_path / "original")
    migrated = copy(FIXTURES / name / "after", tmp_path / "migrated")
    arguments = ["verify", str(migrated), "--original", str(original), "--python", str(python)]
    result = CliRunner().invoke(main, [*arguments, "--run-tests", "--json"])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert report["python"]["path"] == str(python)
    assert report["tests"]["original"] == report["tests"]["migrated"], report["tests"]
    assert report["differences"] == []
    assert result.exit_code == 0
