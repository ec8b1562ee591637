"""Every template renders the same, and `flask --app wsgi --help` lists the same commands."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from flaskmod.analysis import analyze
from flaskmod.pipeline import discover, run
from flaskmod.project import scan
from tests.conftest import FIXTURES
from tests.e2e.test_fixtures import NAMES, PROBE, copy

# Imports the original and the migrated apps in subprocesses: run by `pytest -m "slow or network"`.
pytestmark = pytest.mark.slow

RUNNABLE = [
    name
    for name in NAMES
    if not re.search(
        r"(?im)^flask\s*==\s*[0-2]\.", (FIXTURES / name / "before" / "requirements.txt").read_text()
    )
]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env.update(PYTHONDONTWRITEBYTECODE="1", FLASK_CONFIG="development")
    return env


def _probe_templates(root: Path, spec: str, config: str | None) -> dict[str, Any]:
    command = [sys.executable, str(PROBE), spec, "--templates"]
    if config:
        command += ["--config", config]
    done = subprocess.run(
        command, cwd=root, capture_output=True, text=True, timeout=120, env=_env()
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)["templates"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", RUNNABLE)
def test_every_template_renders_the_same(name: str, tmp_path: Path) -> None:
    before = copy(FIXTURES / name / "before", tmp_path / "before")
    model = analyze(scan(before))
    old = _probe_templates(before, f"{model.import_name}:{model.app_name}", None)
    new = _probe_templates(
        copy(FIXTURES / name / "after", tmp_path / "after"),
        f"{model.import_name}:create_app",
        "development",
    )
    assert new == old


def _commands(root: Path, app: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", app, "--help"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    section = done.stdout.split("Commands:", 1)[1]
    return {line.split()[0] for line in section.splitlines() if line.strip()}


@pytest.mark.parametrize("name", RUNNABLE)
def test_flask_cli_lists_the_same_commands(name: str, tmp_path: Path) -> None:
    before = copy(FIXTURES / name / "before", tmp_path / "before")
    model = analyze(scan(before))
    old = _commands(before, f"{model.import_name}:{model.app_name}")
    new = _commands(copy(FIXTURES / name / "after", tmp_path / "after"), "wsgi")
    assert old <= new and "run" in new
    # The only new commands are what the old `python app.py` ran, as the report says.
    announced = " ".join(f.message for f in run(scan(before), discover()).findings)
    for extra in new - old:
        assert f" {extra}`" in announced, extra
