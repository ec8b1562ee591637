"""flaskmod runs on every Python `requires-python` allows (3.10 to 3.13).

The machine that runs the tests usually has one interpreter, so the claim is checked statically:
vermin reads every module of flaskmod and its codemods and names any module, function, syntax or
keyword argument newer than the oldest Python allowed (`tomllib` unguarded, `except*`, `typing.Self`
...); an import under `if sys.version_info >= (3, 11):` with a fallback counts as guarded. What
this cannot see (a behaviour that changed between versions, a dependency without a 3.10 wheel)
needs the suite run on each interpreter, which CI does where they are installed.

`probe.py` also runs inside the project's own interpreter (its Flask, perhaps Python 3.7), so it is
held to the oldest Python the pinned stacks use.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10
    import tomli as tomllib

VERMIN = shutil.which("vermin", path=str(Path(sys.executable).parent)) or shutil.which("vermin")
pytestmark = pytest.mark.skipif(VERMIN is None, reason="vermin is not installed")


def oldest_python() -> str:
    """The lower bound of `requires-python` (`>=3.10` → `3.10`)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = re.fullmatch(r">=\s*(3\.\d+)", project["requires-python"].strip())
    assert found, "requires-python should be a plain lower bound"
    return found.group(1)


def violations(target: str, *paths: Path, annotations: bool = True) -> str:
    """vermin's report of what needs a newer Python than `target` ("" if nothing does).
    `annotations`: count annotations too (as if evaluated at run time, the strict reading)."""
    command = [str(VERMIN), "--no-tips", "--violations", f"--target={target}-"]
    command += ["--eval-annotations"] if annotations else []
    done = subprocess.run([*command, *map(str, paths)], capture_output=True, text=True, timeout=300)
    return "" if done.returncode == 0 else done.stdout + done.stderr


def test_nothing_needs_a_python_newer_than_requires_python() -> None:
    assert violations(oldest_python(), ROOT / "src" / "flaskmod", ROOT / "codemods") == ""


def test_the_probe_runs_on_the_oldest_interpreter_of_the_pinned_stacks() -> None:
    stacks = [path.stem.rsplit("-py", 1)[-1] for path in (ROOT / "tests" / "stacks").glob("*.txt")]
    oldest = min(stacks, key=lambda tag: (int(tag[0]), int(tag[1:])))
    probe = ROOT / "src" / "flaskmod" / "probe.py"
    # Its annotations are never evaluated (`from __future__ import annotations`).
    assert violations(f"{oldest[0]}.{oldest[1:]}", probe, annotations=False) == ""


def test_tomli_stands_in_for_tomllib_before_311() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "dependencies"
    ]
    assert any(
        re.fullmatch(r"tomli[^;]*;\s*python_version\s*<\s*['\"]3\.11['\"]", d) for d in dependencies
    )
