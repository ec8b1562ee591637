"""`upgrade --apply --format`: the project's own formatter over the files flaskmod wrote.

flaskmod lays out what it generates as ruff and black would with their defaults, but a project
may configure them otherwise (line length, quotes). When it says which formatter it uses, the
user can have it run on exactly the files flaskmod touched, never on the rest of the tree.

Found, in this order: a `ruff-format` or `black` hook in `.pre-commit-config.yaml`, then
`[tool.ruff.format]`, `[tool.black]` or `[tool.ruff]` in `pyproject.toml`. The program is the one
in the project's virtual environment (`.venv/`, `venv/`) if there is one, else the one on PATH:
flaskmod's own environment says nothing about the project's tools, but PATH is what the user's
shell would run. Configured but not installed is an error before anything is written.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flaskmod.errors import FlaskmodError, Location

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10
    import tomli as tomllib

LOOKED_FOR = (
    "a ruff-format or black hook in .pre-commit-config.yaml, or [tool.ruff.format], "
    "[tool.black] or [tool.ruff] in pyproject.toml"
)
_HOOK = re.compile(r"^\s*-?\s*id:\s*['\"]?(ruff-format|black)['\"]?\s*(?:#.*)?$", re.MULTILINE)
_VENVS = (".venv", "venv")


@dataclass(frozen=True)
class Formatter:
    """The formatter a project configures, where it says so, and the program that runs it."""

    name: str  # "ruff format" or "black"
    program: str  # "ruff" or "black"
    source: str  # where the project configures it
    executable: Path | None = None

    def command(self, paths: Sequence[str]) -> list[str]:
        assert self.executable is not None
        if self.program == "ruff":
            return [str(self.executable), "format", "--quiet", "--", *paths]
        return [str(self.executable), "--quiet", "--", *paths]


def configured(root: Path) -> Formatter | None:
    """The formatter `root` configures, without looking for its program yet."""
    hooks = root / ".pre-commit-config.yaml"
    if hooks.is_file():
        found = _HOOK.search(hooks.read_text(encoding="utf-8", errors="replace"))
        if found:
            return _formatter(found.group(1), ".pre-commit-config.yaml")
    tool = _tool_tables(root / "pyproject.toml")
    if isinstance(tool.get("ruff"), dict) and "format" in tool["ruff"]:
        return _formatter("ruff-format", "pyproject.toml [tool.ruff.format]")
    if "black" in tool:
        return _formatter("black", "pyproject.toml [tool.black]")
    if "ruff" in tool:
        return _formatter("ruff-format", "pyproject.toml [tool.ruff]")
    return None


def _formatter(hook: str, source: str) -> Formatter:
    if hook == "black":
        return Formatter("black", "black", source)
    return Formatter("ruff format", "ruff", source)


def _tool_tables(pyproject: Path) -> dict[str, Any]:
    if not pyproject.is_file():
        return {}
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise FlaskmodError(f"not valid TOML: {error}", Location(str(pyproject))) from None
    tool = data.get("tool", {})
    return tool if isinstance(tool, dict) else {}


def _program(root: Path, program: str) -> Path | None:
    """The project's own copy (its virtual environment), else the one on PATH."""
    for venv in _VENVS:
        for folder, suffix in (("bin", ""), ("Scripts", ".exe")):
            candidate = root / venv / folder / f"{program}{suffix}"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
    found = shutil.which(program)
    return Path(found) if found else None


def find(root: Path) -> Formatter:
    """The configured formatter with its program, or an error naming what is missing."""
    formatter = configured(root)
    if formatter is None:
        raise FlaskmodError(
            f"--format: the project configures no formatter (looked for {LOOKED_FOR})"
        )
    executable = _program(root, formatter.program)
    if executable is None:
        raise FlaskmodError(
            f"--format: {formatter.source} configures {formatter.name}, but `{formatter.program}` "
            f"is not installed (looked in {', '.join(_VENVS)} and on PATH); install it or drop "
            "--format. Nothing was written."
        )
    return Formatter(formatter.name, formatter.program, formatter.source, executable)


def run(formatter: Formatter, root: Path, paths: Sequence[str]) -> None:
    """Format `paths` (relative to `root`) from `root`, so the project's settings apply."""
    if not paths:
        return
    done = subprocess.run(
        formatter.command(paths), cwd=root, capture_output=True, text=True, timeout=300
    )
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise FlaskmodError(
            f"the changes are written, but {formatter.name} failed (exit {done.returncode})"
            + (f": {reason[-1]}" if reason else "")
        )
