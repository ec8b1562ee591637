"""The command line: preview, apply, check, exit codes, and nothing written on bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from flaskmod.cli import main
from tests.conftest import FIXTURES
from tests.e2e.test_fixtures import copy, tree


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_codemods_in_order() -> None:
    code, out, _ = invoke("list")
    assert code == 0
    names = ["config-classes", "package", "extensions", "blueprints", "factory", "wsgi", "tests"]
    positions = [out.index(name) for name in names]
    assert positions == sorted(positions)


def test_preview_prints_plan_and_a_plain_patch_without_writing(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    before = tree(root)
    code, out, err = invoke("upgrade", str(root))
    assert code == 0
    assert "Plan" in err and "package: moves app.py → app/__init__.py" in err
    assert out.startswith("diff --git a/.env.example b/.env.example\nnew file mode 100644\n")
    assert "rename from app.py\nrename to app/__init__.py\n" in out
    assert "\x1b[" not in out
    assert tree(root) == before


def test_apply_then_nothing_to_do(tmp_path: Path) -> None:
    root = copy(FIXTURES / "jsonapi" / "before", tmp_path / "j")
    code, _, err = invoke("upgrade", str(root), "--apply")
    assert code == 0 and "Applied" in err
    assert tree(root) == tree(FIXTURES / "jsonapi" / "after")
    code, out, err = invoke("upgrade", str(root))
    assert code == 0 and out == ""
    assert "Nothing to do" in err


def test_check_exit_codes(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    assert invoke("upgrade", str(root), "--check")[0] == 1
    assert invoke("upgrade", str(FIXTURES / "minimal" / "after"), "--check")[0] == 0


def test_only_and_skip(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    code, out, _ = invoke("upgrade", str(root), "--only", "config-classes")
    assert code == 0 and "b/config.py" in out and "app/__init__.py" not in out
    code, out, _ = invoke("upgrade", str(root), "--skip", "tests", "--skip", "wsgi")
    assert code == 0 and "wsgi.py" not in out and "conftest.py" not in out
    code, _, err = invoke("upgrade", str(root), "--only", "nonsense")
    assert code == 2 and "nonsense" in err


def test_plan_has_no_diff() -> None:
    code, out, _ = invoke("plan", str(FIXTURES / "blog" / "before"))
    assert code == 0 and "Plan" in out and "diff --git" not in out


def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path: Path) -> None:
    code, _, err = invoke("upgrade", str(tmp_path / "missing"))
    assert code == 2 and err.count("\n") == 1 and "no such file" in err

    root = copy(FIXTURES / "minimal" / "before", tmp_path / "broken")
    (root / "app.py").write_text((root / "app.py").read_text() + "\ndef oops(:\n")
    before = tree(root)
    code, _, err = invoke("upgrade", str(root), "--apply")
    assert code == 2 and err.startswith("error: app.py:") and "syntax error" in err
    assert err.count("\n") == 1
    assert tree(root) == before

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "x.py").write_text("print(1)\n")
    code, _, err = invoke("upgrade", str(empty))
    assert code == 2 and "no Flask application found" in err


def test_help_documents_exit_codes() -> None:
    for command in ([], ["upgrade"], ["plan"], ["list"]):
        code, out, _ = invoke(*command, "--help")
        assert code == 0 and "Exit codes" in out


def test_already_factory(tmp_path: Path) -> None:
    root = tmp_path / "f"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text(
        "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"
    )
    code, out, err = invoke("upgrade", str(root), "--check")
    assert code == 0 and out == "" and "already builds its app in a factory" in err
    shutil.rmtree(root)


def test_flask_version_override_and_bad_value(tmp_path: Path) -> None:
    root = copy(FIXTURES / "minimal" / "before", tmp_path / "m")
    code, out, err = invoke("upgrade", str(root), "--flask-version", "2.3")
    assert code == 0 and "targets Flask 2.3 (--flask-version)" in err
    assert "app.config.from_prefixed_env()" in out
    code, out, _ = invoke("upgrade", str(root), "--flask-version", "2.0")
    assert "from_prefixed_env" not in out
    code, _, err = invoke("upgrade", str(root), "--flask-version", "latest")
    assert code == 2 and "MAJOR.MINOR" in err


def test_group_by_prefix_option(tmp_path: Path) -> None:
    root = copy(FIXTURES / "bigsite" / "before", tmp_path / "b")
    code, out, _ = invoke("upgrade", str(root), "--group-by", "prefix")
    assert code == 0 and "b/app/auth/routes.py" in out
