"""[tool.flaskmod], --json, -q, --partial, several paths: the command line as tools do it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from flaskmod.cli import main
from tests.conftest import FIXTURES, write_tree
from tests.e2e.test_fixtures import copy, tree

BLOCKED = {
    "app/__init__.py": "from flask import Flask\napp = Flask(__name__)\n",
    "app/tasks.py": "from app import app\nNAME = app.name\n",
}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_pyproject_settings_are_defaults(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    (root / "pyproject.toml").write_text('[tool.flaskmod]\nonly = ["config-classes"]\n')
    code, out, _ = invoke("upgrade", str(root))
    assert code == 0 and "b/config.py" in out and "b/app/__init__.py" not in out


def test_the_command_line_wins_over_pyproject(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    (root / "pyproject.toml").write_text('[tool.flaskmod]\nblueprint = "site"\n')
    _, out, _ = invoke("upgrade", str(root))
    assert "b/app/site/routes.py" in out
    _, out, _ = invoke("upgrade", str(root), "--blueprint", "web")
    assert "b/app/web/routes.py" in out


def test_an_unknown_key_is_an_error_naming_it(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    (root / "pyproject.toml").write_text('[tool.flaskmod]\ngroup_by = "prefix"\n')
    code, _, err = invoke("upgrade", str(root))
    assert code == 2
    assert "unknown key `group_by` (did you mean `group-by`?)" in err


def test_a_config_file_given_explicitly(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    settings = tmp_path / "flaskmod.toml"
    settings.write_text('skip = ["tests", "wsgi"]\n')
    _, out, _ = invoke("upgrade", str(root), "--config", str(settings))
    assert "b/wsgi.py" not in out and "b/config.py" in out


def test_json_on_success_is_one_document(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    code, out, err = invoke("upgrade", str(root), "--json")
    data = json.loads(out)
    assert code == 0 and err == ""
    assert data["status"] == "migrated" and data["written"] is False
    assert {"from": "app.py", "to": "app/__init__.py"} in data["files"]["moved"]
    assert "wsgi.py" in data["files"]["added"]
    assert [c["name"] for c in data["codemods"]][:3] == [
        "legacy-idioms",
        "config-classes",
        "package",
    ]
    assert all(set(f) == {"file", "line", "codemod", "kind", "message"} for f in data["findings"])


def test_json_never_holds_a_secret(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    secret = "change-me-please-1234"
    assert secret in (root / "app.py").read_text()
    _, out, _ = invoke("upgrade", str(root), "--json")
    assert secret not in out


def test_json_on_failure_is_still_json(tmp_path: Path) -> None:
    code, out, err = invoke("upgrade", str(tmp_path / "missing"), "--json")
    data = json.loads(out)
    assert code == 2 and data["status"] == "error" and "no such file" in data["error"]["message"]
    assert err.startswith("error:")


def test_quiet_says_only_the_outcome(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    _, _, err = invoke("upgrade", str(root), "-q", "--apply")
    assert "Plan" not in err and "Notes" not in err
    assert "Migration complete" in err


def test_verbose_says_what_each_codemod_cost(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    _, _, err = invoke("upgrade", str(root), "-v")
    assert re.search(r"^  config-classes: \d+\.\d\d s \(CPU\)$", err, re.MULTILINE)
    _, _, quiet = invoke("upgrade", str(root))
    assert "(CPU)" not in quiet


def test_an_incomplete_migration_is_not_written_without_partial(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "b",
        {**BLOCKED, "app/__init__.py": BLOCKED["app/__init__.py"] + "app.config['A'] = 1\n"},
    )
    before = tree(root)
    code, _, err = invoke("upgrade", str(root), "--apply")
    assert code == 2 and tree(root) == before
    assert err.startswith("error: app/tasks.py:2: uses the global `app` at import time")
    assert "stop short of an application factory" in err and "--partial" in err


def test_partial_writes_what_works_and_says_it_is_incomplete(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "b",
        {**BLOCKED, "app/__init__.py": BLOCKED["app/__init__.py"] + "app.config['A'] = 1\n"},
    )
    code, _, err = invoke("upgrade", str(root), "--apply", "--partial")
    assert code == 1 and "Migration incomplete" in err
    assert (root / "config.py").exists()


def test_the_preview_of_an_incomplete_migration_exits_1(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "b",
        {**BLOCKED, "app/__init__.py": BLOCKED["app/__init__.py"] + "app.config['A'] = 1\n"},
    )
    code, out, err = invoke("upgrade", str(root))
    assert code == 1 and out and "Migration incomplete" in err


def test_nothing_to_change_but_no_factory_is_still_incomplete(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "b", BLOCKED)
    code, out, err = invoke("upgrade", str(root))
    assert code == 1 and out == "" and "Migration incomplete" in err


def test_several_paths_exit_with_the_worst(tmp_path: Path) -> None:
    good = copy(FIXTURES / "minimal" / "before", tmp_path / "good")
    code, _, _ = invoke("upgrade", str(good), str(tmp_path / "missing"), "--check")
    assert code == 2


def test_list_as_json() -> None:
    code, out, _ = invoke("list", "--json")
    data = json.loads(out)
    assert code == 0 and data["codemods"][0]["name"] == "legacy-idioms"
    blueprints = next(c for c in data["codemods"] if c["name"] == "blueprints")
    assert {"group_by", "blueprint"} <= set(blueprints["options"])


def test_plan_as_json(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    code, out, _ = invoke("plan", str(root), "--json")
    assert code == 0 and json.loads(out)["status"] == "migrated"


def test_verify_before_writing_writes_an_equivalent_migration(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    code, _, err = invoke("upgrade", str(root), "--apply", "--verify")
    assert code == 0, err
    assert "Verifying the migrated copy" in err and (root / "wsgi.py").exists()


def test_verify_before_writing_writes_nothing_when_they_differ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flaskmod import modes

    monkeypatch.setattr(modes, "compare_with_original", lambda *a: ["GET / 200 → 500"])
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    before = tree(root)
    code, _, err = invoke("upgrade", str(root), "--apply", "--verify")
    assert code == 1 and tree(root) == before
    assert "different: GET / 200 → 500" in err and "Not written" in err
