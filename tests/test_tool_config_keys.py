"""`[tool.flaskmod]` keys are the options' long names, as `--help` shows them.

The README's table of keys is written from these: `apply` for `--apply` (not its Python name
`write`), `verify`, `app`, verify's `config`; `test-command` for `verify --run-tests`; never
`json` or the `--config FILE` that names the settings file itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from flaskmod import tool_config
from flaskmod.cli import main
from tests.conftest import write_tree

APP = "from flask import Flask\napp = Flask(__name__)\n"


def test_keys_are_long_option_names() -> None:
    keys = tool_config._all_keys()
    assert {"apply", "verify", "app", "config", "group-by", "test-command"} <= keys
    assert not keys & {"write", "verify-first", "app-choice", "config-name", "config-file"}
    assert not keys & {"json", "as-json", "help", "version"}


@pytest.mark.parametrize("setting", ['test-command = "pytest -q"', 'app = "app.py"'])
def test_documented_keys_are_accepted(tmp_path: Path, setting: str) -> None:
    root = write_tree(
        tmp_path / "p", {"app.py": APP, "pyproject.toml": f"[tool.flaskmod]\n{setting}\n"}
    )
    result = CliRunner().invoke(main, ["plan", str(root)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("key", ["json", "write", "config-file"])
def test_per_run_flags_and_python_names_are_refused(tmp_path: Path, key: str) -> None:
    root = write_tree(
        tmp_path / "p", {"app.py": APP, "pyproject.toml": f"[tool.flaskmod]\n{key} = true\n"}
    )
    result = CliRunner().invoke(main, ["plan", str(root)])
    assert result.exit_code == 2 and f"unknown key `{key}`" in result.stderr
