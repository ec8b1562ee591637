"""Real `--json` output of `upgrade`, `plan`, `verify` and `list` against the documented schema.

`docs/flaskmod-output.schema.json` is what scripts and CI jobs may rely on; a field added,
renamed or dropped in `report.to_json`, `report.error_json` or the verify report fails here
until the schema and `docs/json-schema.md` say so too.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from flaskmod.cli import main
from tests.conftest import FIXTURES, write_tree
from tests.e2e.test_fixtures import copy

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCKED = {
    "app/__init__.py": "from flask import Flask\napp = Flask(__name__)\napp.config['A'] = 1\n",
    "app/tasks.py": "from app import app\nNAME = app.name\n",
}


@functools.cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DOCS / "flaskmod-output.schema.json").read_text())
    return loaded


def output(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(main, [*args, "--json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def assert_valid(document: Any, definition: str) -> None:
    """Valid against the whole schema, and as the one definition that kind of output is."""
    Draft202012Validator(schema()).validate(document)
    only = {**schema(), "oneOf": [{"$ref": f"#/$defs/{definition}"}]}
    Draft202012Validator(only).validate(document)


def test_the_schema_is_a_valid_json_schema() -> None:
    Draft202012Validator.check_schema(schema())


def test_upgrade_preview(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    code, document = output("upgrade", str(root))
    assert code == 0 and document["status"] == "migrated" and not document["written"]
    assert_valid(document, "migration")


def test_upgrade_apply_and_check(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    code, document = output("upgrade", str(root), "--check")
    assert code == 1
    assert_valid(document, "migration")
    code, document = output("upgrade", str(root), "--apply")
    assert code == 0 and document["written"]
    assert_valid(document, "migration")
    code, document = output("upgrade", str(root))
    assert code == 0 and document["status"] == "nothing-to-do"
    assert_valid(document, "migration")


def test_upgrade_of_a_factory(tmp_path: Path) -> None:
    factory = "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"
    root = write_tree(tmp_path / "f", {"app.py": factory})
    code, document = output("upgrade", str(root))
    assert code == 0 and document["status"] == "already-factory"
    assert_valid(document, "migration")


def test_upgrade_incomplete(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "b", BLOCKED)
    code, document = output("upgrade", str(root))
    assert code == 1 and document["status"] == "incomplete" and document["incomplete"]
    assert_valid(document, "migration")


def test_upgrade_step_one_codemod_at_a_time(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    code, document = output("upgrade", str(root), "--step")
    assert code == 0 and document["status"] == "applied" and len(document["steps"]) == 1
    assert document["steps"][0]["commit"] is None and document["next"]
    assert_valid(document, "steps")


def test_upgrade_commit(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "legacy"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *command], cwd=root, check=True
        )
    code, document = output("upgrade", str(root), "--commit")
    assert code == 0 and document["status"] == "committed" and document["branch"]
    assert all(len(step["commit"]) == 40 for step in document["steps"])
    assert_valid(document, "steps")


def test_several_paths_are_one_json_value(tmp_path: Path) -> None:
    one = copy(FIXTURES / "minimal" / "before", tmp_path / "one")
    factory = "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"
    two = write_tree(tmp_path / "two", {"app.py": factory})
    code, document = output("upgrade", str(one), str(two))
    assert code == 0
    assert [d["status"] for d in document["projects"]] == ["migrated", "already-factory"]
    assert_valid(document, "projects")


def test_plan(tmp_path: Path) -> None:
    root = copy(FIXTURES / "blog" / "before", tmp_path / "b")
    code, document = output("plan", str(root))
    assert code == 0 and document["findings"]
    assert_valid(document, "migration")


def test_errors(tmp_path: Path) -> None:
    for command in ("upgrade", "plan"):
        code, document = output(command, str(tmp_path / "missing"))
        assert code == 2
        assert_valid(document, "error")
    root = write_tree(tmp_path / "syntax", {"app.py": "from flask import Flask\napp = Flask(\n"})
    code, document = output("upgrade", str(root))
    assert code == 2 and document["error"]["file"] == "app.py"
    assert_valid(document, "error")


def test_list() -> None:
    code, document = output("list")
    assert code == 0
    assert_valid(document, "codemodList")


def test_verify_error(tmp_path: Path) -> None:
    code, document = output("verify", str(tmp_path / "missing"))
    assert code == 2 and document["path"] == str(tmp_path / "missing")
    assert_valid(document, "error")


@pytest.mark.slow
def test_verify_report() -> None:
    code, document = output(
        "verify",
        str(FIXTURES / "minimal" / "after"),
        "--original",
        str(FIXTURES / "minimal" / "before"),
        "--python",
        sys.executable,
        "--no-responses",
        "--no-production",
    )
    assert code == 0 and document["status"] == "same"
    assert_valid(document, "verifyReport")


def test_the_page_names_every_field() -> None:
    """docs/json-schema.md describes each property the schema allows."""
    page = (DOCS / "json-schema.md").read_text()
    missing = sorted(
        name
        for definition in schema()["$defs"].values()
        for name in _properties(definition)
        if f"`{name}`" not in page
    )
    assert not missing, f"describe in docs/json-schema.md: {missing}"


def _properties(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = set(node.get("properties", {}))
        return found.union(*(_properties(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_properties(value) for value in node))
    return set()
