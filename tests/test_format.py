"""`upgrade --apply --format`: the project's configured formatter, on the files flaskmod wrote."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flaskmod.formatting import configured
from tests.conftest import FIXTURES
from tests.e2e.test_fixtures import copy, tree
from tests.test_cli_config import invoke

# The stand-in formatters are shell scripts.
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell stand-ins")
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent))


def minimal(tmp_path: Path, pyproject: str = "", hooks: str = "") -> Path:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    if pyproject:
        (root / "pyproject.toml").write_text(pyproject)
    if hooks:
        (root / ".pre-commit-config.yaml").write_text(hooks)
    return root


def fake_program(root: Path, name: str) -> None:
    """A stand-in formatter in the project's .venv that records how it was called."""
    program = root / ".venv" / "bin" / name
    program.parent.mkdir(parents=True)
    program.write_text(f'#!/bin/sh\necho "$@" >> "{root / "formatter-args.txt"}"\n')
    program.chmod(0o755)


@pytest.fixture
def empty_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Nothing on PATH: only the project's own virtual environment can provide a formatter."""
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))


def test_where_the_formatter_is_configured(tmp_path: Path) -> None:
    assert configured(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 79\n")
    assert configured(tmp_path).name == "black"  # type: ignore[union-attr]
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 79\n")
    assert configured(tmp_path).name == "ruff format"  # type: ignore[union-attr]
    hooks = "repos:\n  - repo: https://github.com/psf/black\n    hooks:\n      - id: black\n"
    (tmp_path / ".pre-commit-config.yaml").write_text(hooks)
    found = configured(tmp_path)
    assert found is not None and (found.name, found.source) == ("black", ".pre-commit-config.yaml")


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed")
def test_ruff_format_runs_on_the_written_files_with_the_projects_settings(
    tmp_path: Path, empty_path: None
) -> None:
    root = minimal(
        tmp_path, "[tool.ruff]\nline-length = 60\n\n[tool.ruff.format]\nquote-style = 'single'\n"
    )
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "ruff").symlink_to(RUFF)  # type: ignore[arg-type]
    (root / "untouched.py").write_text('X = "left as it is"\n')
    code, _, err = invoke("upgrade", str(root), "--apply", "--format")
    assert code == 0, err
    assert "Formatted" in err and "ruff format" in err and "[tool.ruff.format]" in err
    written = ["app/__init__.py", "config.py", "wsgi.py"]
    check = subprocess.run(
        [str(RUFF), "format", "--check", *written], cwd=root, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "'" in (root / "config.py").read_text()  # the project's quote style, not the default
    assert (root / "untouched.py").read_text() == 'X = "left as it is"\n'


def test_only_the_python_files_flaskmod_wrote_are_formatted_and_json_says_so(
    tmp_path: Path, empty_path: None
) -> None:
    root = minimal(tmp_path, "[tool.flaskmod]\nformat = true\n\n[tool.black]\n")
    fake_program(root, "black")
    code, out, err = invoke("upgrade", str(root), "--apply", "--json")
    assert code == 0, err
    formatted = json.loads(out)["formatted"]
    assert formatted["formatter"] == "black" and "app/__init__.py" in formatted["files"]
    args = (root / "formatter-args.txt").read_text().split()
    assert args[:2] == ["--quiet", "--"] and sorted(args[2:]) == formatted["files"]
    assert all(path.endswith(".py") for path in args[2:])


def test_configured_but_not_installed_is_an_error_and_nothing_is_written(
    tmp_path: Path, empty_path: None
) -> None:
    hooks = "repos:\n  - repo: local\n    hooks:\n      - id: ruff-format\n"
    root = minimal(tmp_path, hooks=hooks)
    before = tree(root)
    code, _, err = invoke("upgrade", str(root), "--apply", "--format")
    assert code == 2
    assert "configures ruff format, but `ruff` is not installed" in err
    assert "Nothing was written" in err and tree(root) == before


def test_no_formatter_configured_is_an_error_naming_what_was_looked_for(tmp_path: Path) -> None:
    root = minimal(tmp_path)
    before = tree(root)
    code, _, err = invoke("upgrade", str(root), "--apply", "--format")
    assert code == 2
    assert "configures no formatter" in " ".join(err.split())
    assert "[tool.black]" in err and ".pre-commit-config.yaml" in err
    assert tree(root) == before


@pytest.mark.parametrize("extra", [[], ["--step"], ["--commit"]])
def test_format_needs_a_plain_apply(tmp_path: Path, extra: list[str]) -> None:
    root = minimal(tmp_path, "[tool.black]\n")
    args = ["--apply", *extra] if extra else []
    code, _, err = invoke("upgrade", str(root), *args, "--format")
    assert code == 2 and "--format formats what --apply writes" in err


def test_a_failing_formatter_says_the_changes_are_written(tmp_path: Path, empty_path: None) -> None:
    root = minimal(tmp_path, "[tool.black]\n")
    program = root / ".venv" / "bin" / "black"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\necho 'error: cannot format' >&2\nexit 123\n")
    program.chmod(0o755)
    code, _, err = invoke("upgrade", str(root), "--apply", "--format")
    assert code == 2
    assert "the changes are written, but black failed (exit 123): error: cannot format" in err
    assert (root / "wsgi.py").is_file()
