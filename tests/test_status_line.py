"""The last line of `upgrade` tells the truth about how far the migration got."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from flaskmod.cli import main
from tests.conftest import write_tree

APP = (
    "from flask import Flask\nfrom flask.ext.sqlalchemy import SQLAlchemy\napp = Flask(__name__)\n"
)


def test_a_selection_without_the_factory_is_not_called_complete(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"app.py": APP})
    result = CliRunner().invoke(main, ["upgrade", str(root), "--only", "legacy-idioms"])
    assert result.exit_code == 0
    assert "Migration complete" not in result.stderr
    assert "not built by a factory yet" in result.stderr


def test_the_whole_migration_is_complete(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"app.py": APP})
    result = CliRunner().invoke(main, ["upgrade", str(root)])
    assert result.exit_code == 0 and "Migration complete" in result.stderr
