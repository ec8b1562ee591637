"""`flaskmod verify`: equivalent migrations pass, each kind of breakage is named, bad input exits 2.

Each repository's HEAD is a fixture's legacy app and its working tree the golden migration, as
after `flaskmod upgrade --apply`; the apps are loaded in subprocesses (about a second a test).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import git
import pytest
from click.testing import CliRunner

from flaskmod.cli import main
from flaskmod.errors import FlaskmodError
from flaskmod.project import scan
from flaskmod.verify import (
    LoadError,
    Status,
    choose_interpreter,
    compare,
    compare_trees,
    match_rules,
    normalise_config,
    parse_counts,
    scoped_rows,
    suite_command,
)
from tests.conftest import FIXTURES, write_tree
from tests.e2e.test_fixtures import pinned_stack

NAMES = sorted(
    p.name for p in FIXTURES.iterdir() if (p / "before").is_dir() and (p / "after").is_dir()
)
ACTOR = git.Actor("flaskmod tests", "tests@example.invalid")
JUNK = shutil.ignore_patterns("__pycache__", ".pytest_cache", "instance", "*.db")


@pytest.fixture(autouse=True)
def _neutral_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both apps see the shell's variables; the migrated one reads FLASK_* and secrets from them."""
    for name in list(os.environ):
        if name.startswith("FLASK_") or name in {"SECRET_KEY", "API_TOKEN", "DATABASE_URL"}:
            monkeypatch.delenv(name)


def migrated_repo(name: str, root: Path) -> Path:
    """HEAD holds fixtures/<name>/before; the working tree is fixtures/<name>/after, uncommitted."""
    shutil.copytree(FIXTURES / name / "before", root, ignore=JUNK)
    with git.Repo.init(root) as repo:
        repo.git.add(all=True)
        repo.index.commit("legacy app", author=ACTOR, committer=ACTOR)
    for child in root.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(FIXTURES / name / "after", root, ignore=JUNK, dirs_exist_ok=True)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def verify(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["verify", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def report(*args: str) -> dict[str, Any]:
    code, out, err = verify(*args, "--json")
    assert code in (0, 1), err
    return json.loads(out)  # type: ignore[no-any-return]


# ------------------------------------------------------------------------- through the CLI
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_fixture_migration_is_equivalent(name: str, tmp_path: Path) -> None:
    if pinned_stack(name):
        pytest.skip("pinned to an old Flask: verified on its stack in test_pinned_stacks.py")
    root = migrated_repo(name, tmp_path / name)
    code, out, err = verify(str(root))
    assert code == 0, out + err
    assert "Original: HEAD (" in out and ":create_app('development')\n" in out
    assert f"Python:   {sys.executable}  (flaskmod's own interpreter" in out
    assert out.rstrip().endswith("Equivalent: no differences.")
    with git.Repo(root) as repo:
        assert len(repo.git.worktree("list").splitlines()) == 1  # the checkout is gone


ROUTES = "app/main/routes.py"
BREAKAGES = {
    "dropped route": (
        ROUTES,
        "@bp.route('/health')\n",
        "",
        "route dropped: /health [GET] (endpoint health)",
    ),
    "changed methods": (
        ROUTES,
        "methods=['PUT', 'DELETE']",
        "methods=['PUT']",
        "methods changed: /api/todos/<int:todo_id>: DELETE, PUT → PUT",
    ),
    "lost error handler": (
        ROUTES,
        "@bp.app_errorhandler(405)\n",
        "",
        "error handler lost: 405 (method_not_allowed)",
    ),
    "changed config value": (
        "config.py",
        'API_VERSION = "1.0"',
        'API_VERSION = "1.1"',
        "config value changed: API_VERSION: '1.0' → '1.1'\n"
        "  - response changed: GET /health: body: "
        """-'{"status":"ok","version":"1.0"}' +'{"status":"ok","version":"1.1"}'""",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("breakage", BREAKAGES)
def test_a_broken_migration_exits_1_naming_the_difference(breakage: str, tmp_path: Path) -> None:
    path, old, new, message = BREAKAGES[breakage]
    root = migrated_repo("jsonapi", tmp_path / "repo")
    edit(root / path, old, new)
    code, out, _ = verify(str(root))
    assert code == 1
    count = message.count("\n  - ") + 1
    assert out.rstrip().endswith(f"{count} difference(s):\n  - {message}")


def test_an_app_that_fails_to_import_exits_2_with_the_exception(tmp_path: Path) -> None:
    root = migrated_repo("minimal", tmp_path / "repo")
    edit(root / "config.py", "import os\n", "import os\n\nraise RuntimeError('no [config] here')\n")
    code, out, err = verify(str(root))
    assert code == 2 and out == ""
    assert "the migrated app (app:create_app('development')) failed to import:" in err
    assert err.rstrip().endswith("RuntimeError: no [config] here")


def test_json_when_an_app_fails_to_load(tmp_path: Path) -> None:
    root = migrated_repo("minimal", tmp_path / "repo")
    edit(root / "config.py", "import os\n", "import os\n\nraise RuntimeError('no [config] here')\n")
    code, out, err = verify(str(root), "--json")
    assert code == 2
    data = json.loads(out)
    error = data["error"]
    assert data["status"] == "error" and data["path"] == str(root)
    assert error["message"].startswith("the migrated app (app:create_app('development')) failed")
    assert error["file"] == str(root.absolute())
    assert error["traceback"][-1] == "RuntimeError: no [config] here"
    assert "RuntimeError: no [config] here" in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["{tmp}/missing"], "{tmp}/missing: no such directory"),
        (["{tmp}", "--timeout", "0"], "Invalid value for '--timeout'"),
        (["{tmp}", "--no-such-option"], "No such option"),
    ],
)
def test_json_on_bad_input(arguments: list[str], message: str, tmp_path: Path) -> None:
    code, out, _ = verify(*(a.format(tmp=tmp_path) for a in arguments), "--json")
    assert code == 2
    data = json.loads(out)
    error = data["error"]
    where = f"{error['file']}: " if error.get("file") else ""
    assert data["status"] == "error" and message.format(tmp=tmp_path) in where + error["message"]


def test_an_interpreter_without_flask_is_named_with_the_fix(tmp_path: Path) -> None:
    """As with flaskmod installed by pipx and no --python: say which interpreter, and the fix."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")],
        check=True,
        timeout=120,
    )
    python = tmp_path / "bare" / "bin" / "python"
    original = shutil.copytree(FIXTURES / "minimal" / "before", tmp_path / "old", ignore=JUNK)
    migrated = shutil.copytree(FIXTURES / "minimal" / "after", tmp_path / "new", ignore=JUNK)
    code, out, err = verify(str(migrated), "--original", str(original), "--python", str(python))
    assert code == 2 and out == ""
    assert err == (
        f"error: no Flask in {python}: pass --python PATH to the project's interpreter\n"
    )


def test_without_python_and_no_flask_in_flaskmods_interpreter_the_hint_ends_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """flaskmod installed with pipx, `verify` without --python and no .venv/ in the project: the
    interpreter tried is flaskmod's own, which has no Flask; the message ends with the fix."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "pipx")],
        check=True,
        timeout=120,
    )
    monkeypatch.setattr(sys, "executable", str(tmp_path / "pipx" / "bin" / "python"))
    original = shutil.copytree(FIXTURES / "minimal" / "before", tmp_path / "old", ignore=JUNK)
    migrated = shutil.copytree(FIXTURES / "minimal" / "after", tmp_path / "new", ignore=JUNK)
    code, out, err = verify(str(migrated), "--original", str(original))
    assert code == 2 and out == ""
    assert err.rstrip().endswith("pass --python PATH to the project's interpreter"), err


TUTORIAL_FACTORY = {
    "flaskr/__init__.py": """\
        from flask import Flask


        def create_app(test_config=None):
            app = Flask(__name__, instance_relative_config=True)
            app.config.from_mapping(SECRET_KEY="dev")
            if test_config is None:
                app.config.from_pyfile("config.py", silent=True)
            else:
                app.config.from_mapping(test_config)

            @app.route("/hello")
            def hello():
                return "Hello, World!"

            return app
        """,
}


def test_a_tutorial_factory_is_called_without_a_config_name(tmp_path: Path) -> None:
    original = write_tree(tmp_path / "original", TUTORIAL_FACTORY)
    migrated = write_tree(tmp_path / "migrated", TUTORIAL_FACTORY)
    data = report(str(migrated), "--original", str(original))
    assert data["status"] == "same", data
    assert data["migrated"]["call"] == data["original"]["call"] == "flaskr:create_app()"


def test_an_app_that_hangs_at_import_is_stopped(tmp_path: Path) -> None:
    legacy = "from flask import Flask\n\napp = Flask(__name__)\n"
    original = write_tree(tmp_path / "original", {"app.py": legacy})
    hang = "import time\n\ntime.sleep(600)\n"
    migrated = write_tree(tmp_path / "migrated", {"app.py": legacy + hang})
    # Not 1 s: on a busy machine importing Flask alone can take that long, and the original
    # would be the one stopped.
    code, _, err = verify(str(migrated), "--original", str(original), "--timeout", "5")
    assert code == 2
    assert "the migrated app (app:app) did not load within 5 s" in err


def test_config_sets_compare_by_content_and_secrets_by_digest(tmp_path: Path) -> None:
    legacy = """\
        from flask import Flask

        app = Flask(__name__)
        app.config["ALLOWED"] = {"png", "jpg", "csv", "txt", "gif", "svg"}
        app.config["SECRET_KEY"] = "dev-key-1234"
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql://bob:hunter2@db/blog"
        """
    original = write_tree(tmp_path / "original", {"app.py": legacy})
    migrated = write_tree(tmp_path / "migrated", {"app.py": legacy.replace("hunter2", "hunter3")})
    data = report(str(migrated), "--original", str(original))
    assert "hunter" not in json.dumps(data)
    [message] = data["differences"]  # the set's order and the equal SECRET_KEY are no difference
    assert re.fullmatch(
        r"config value changed: SQLALCHEMY_DATABASE_URI: "
        r"'postgresql://bob:\*\*\*\*@db/blog' #(\w{8}) → 'postgresql://bob:\*\*\*\*@db/blog' #(?!\1)\w{8}",
        message,
    ), message


def test_json_report(tmp_path: Path) -> None:
    data = report(str(migrated_repo("jsonapi", tmp_path / "repo")))
    assert data["equivalent"] is True and data["differences"] == []
    assert data["python"]["path"] == sys.executable
    assert data["original"]["where"].startswith("HEAD (")
    assert (data["original"]["spec"], data["original"]["config"]) == ("app:app", None)
    assert data["status"] == "same"
    assert data["migrated"] == {
        "where": str(tmp_path / "repo"),
        "spec": "app:create_app",
        "config": "development",
        "call": "app:create_app('development')",
        "layout": "factory",
    }
    keys = {"check", "item", "original", "migrated", "status", "message"}
    assert all(set(row) == keys for row in data["checks"])
    assert {row["status"] for row in data["checks"]} <= {s.value for s in Status}
    endpoints = {r["item"]: r["migrated"] for r in data["checks"] if r["check"] == "endpoint"}
    assert endpoints["get_todo"] == "main.get_todo" and endpoints["static"] == "static"
    assert "blueprints registered: — → main" in data["information"]
    assert data["tests"] is None


@pytest.mark.slow
def test_run_tests_compares_the_counts(tmp_path: Path) -> None:
    data = report(str(migrated_repo("minimal", tmp_path / "repo")), "--run-tests")
    assert data["equivalent"] is True
    tests = data["tests"]
    assert tests["command"] == [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    assert tests["original"] == tests["migrated"] == {"passed": 6, "failed": 0, "returncode": 0}


def test_original_from_a_saved_copy(tmp_path: Path) -> None:
    original = shutil.copytree(FIXTURES / "minimal" / "before", tmp_path / "old", ignore=JUNK)
    migrated = shutil.copytree(FIXTURES / "minimal" / "after", tmp_path / "new", ignore=JUNK)
    code, out, _ = verify(str(migrated), "--original", str(original))
    assert code == 0 and f"Original: {original}  →  app:app" in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["{tmp}/missing"], "{tmp}/missing: no such directory"),
        (["{tmp}"], "{tmp}: not in a git repository; pass --original DIR"),
        (["{repo}", "--base", "v9"], "{repo}: unknown revision 'v9'"),
        (["{repo}/later"], "{repo}/later: does not exist at HEAD"),
        (["{repo}", "--base", "HEAD", "--original", "{tmp}"], "give --base or --original"),
        (["{repo}", "--python", "{tmp}/nopython"], "{tmp}/nopython: no such Python interpreter"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    arguments: list[str], message: str, tmp_path: Path
) -> None:
    repo = migrated_repo("minimal", tmp_path / "repo")
    (tmp_path / "other").mkdir()
    (repo / "later").mkdir()

    def fill(text: str) -> str:
        return text.format(tmp=tmp_path / "other", repo=repo)

    code, out, err = verify(*map(fill, arguments))
    assert code == 2 and out == ""
    assert err.startswith(f"error: {fill(message)}") and err.count("\n") == 1


# ------------------------------------------------------------------------- the parts
def rule(path: str, endpoint: str, *methods: str) -> dict[str, Any]:
    return {
        "rule": path,
        "endpoint": endpoint,
        "methods": sorted(methods),
        "defaults": {},
        "strict_slashes": True,
    }


def description(**overrides: Any) -> dict[str, Any]:
    empty: dict[str, Any] = {
        "rules": [],
        "error_handlers": {},
        "template_filters": [],
        "template_globals": [],
        "template_tests": [],
        "cli_commands": [],
        "config": {},
        "blueprints": [],
    }
    return {**empty, **overrides}


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [r.message for r in compare(old, new) if r.status is Status.DIFFERENT]


def test_rules_on_one_path_pair_by_endpoint_first() -> None:
    old = [rule("/t/<id>", "get_todo", "GET"), rule("/t/<id>", "modify", "PUT")]
    new = [rule("/t/<id>", "main.modify", "PUT")]
    pairs, added = match_rules(old, new)
    assert [(o["endpoint"], n and n["endpoint"]) for o, n in pairs] == [
        ("get_todo", None),
        ("modify", "main.modify"),
    ]
    assert added == []


def test_endpoint_mapping_is_read_from_the_rules_not_from_names() -> None:
    """Same path and methods is the same view, whatever it is called now."""
    old = description(
        rules=[rule("/t", "index", "GET"), rule("/t", "create", "POST"), rule("/a", "about", "GET")]
    )
    new = description(
        rules=[
            rule("/t", "main.create", "GET"),
            rule("/t", "main.index", "POST"),
            rule("/a", "site.info", "GET"),
        ]
    )
    rows = compare(old, new)
    assert [r.message for r in rows if r.status is not Status.SAME] == []
    endpoints = {r.item: r.migrated for r in rows if r.check == "endpoint"}
    assert endpoints == {"index": "main.create", "create": "main.index", "about": "site.info"}


def test_endpoints_split_or_merged_are_differences() -> None:
    old = description(
        rules=[rule("/a", "a", "GET"), rule("/b", "a", "GET"), rule("/c", "c", "GET")]
    )
    new = description(
        rules=[
            rule("/a", "main.a", "GET"),
            rule("/b", "main.b", "GET"),
            rule("/c", "main.a", "GET"),
        ]
    )
    assert differences(old, new) == [
        "endpoint split: a → main.a, main.b",
        "endpoints merged: a, c → main.a",
    ]


def test_a_renamed_blueprint_keeps_its_handlers_and_hooks() -> None:
    """`admin` became `backoffice` (its views say so): its 403 handler and hook are not lost."""
    old = description(
        rules=[rule("/admin/", "admin.panel", "GET")],
        error_handlers={"admin:403": "forbidden"},
        before_request={"admin": ["require_login"]},
    )
    new = description(
        rules=[rule("/admin/", "backoffice.panel", "GET")],
        error_handlers={"backoffice:403": "forbidden"},
        before_request={"backoffice": ["require_login"]},
    )
    assert differences(old, new) == []


def test_app_wide_hooks_moved_into_a_blueprint_are_still_a_difference() -> None:
    old = description(rules=[rule("/", "index", "GET")], before_request={"None": ["load_user"]})
    new = description(
        rules=[rule("/", "main.index", "GET")], before_request={"main": ["load_user"]}
    )
    assert differences(old, new) == [
        "before_request hook moved: load_user: app-wide → blueprint main"
    ]


def test_hooks_must_stay_app_wide() -> None:
    rows = scoped_rows("before_request hook", {"None": ["load_user"]}, {"main": ["load_user"]})
    assert [r.message for r in rows] == [
        "before_request hook moved: load_user: app-wide → blueprint main"
    ]


def test_config_extra_keys_are_information_missing_keys_differences() -> None:
    old = description(config={"A": "1", "B": "2"})
    new = description(config={"A": "1", "C": "3"})
    rows = compare(old, new)
    assert [r.message for r in rows if r.status is Status.DIFFERENT] == [
        "config key lost: B (was 2)"
    ]
    assert [r.message for r in rows if r.status is Status.INFO] == [
        "config key only in the migrated app: C = 3"
    ]


def test_paths_inside_each_project_compare_equal(tmp_path: Path) -> None:
    config = {"DB": f"'sqlite:///{tmp_path}/blog.db'", "F": "<function f at 0x7f3a>"}
    assert normalise_config(config, tmp_path) == {
        "DB": "'sqlite:///<project>/blog.db'",
        "F": "<function f at 0x…>",
    }


@pytest.mark.parametrize(
    ("output", "counts"),
    [
        ("....\n6 passed in 0.05s\n", (6, 0)),
        ("===== 1 failed, 5 passed, 2 warnings in 1.20s =====", (5, 1)),
        ("= 3 passed, 1 error in 0.3s =", (3, 1)),
        ("no tests ran in 0.01s", (0, 0)),
        ("......\n---\nRan 6 tests in 0.004s\n\nOK\n", (6, 0)),
        ("Ran 6 tests in 0.004s\n\nFAILED (failures=1, errors=1, skipped=1)\n", (3, 2)),
    ],
)
def test_test_summaries_are_parsed(output: str, counts: tuple[int, int]) -> None:
    parsed = parse_counts(output, 0)
    assert parsed is not None and (parsed.passed, parsed.failed) == counts


def test_no_summary_is_not_a_count() -> None:
    assert parse_counts("/usr/bin/python: No module named pytest\n", 1) is None


def test_test_command_detection(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"app.py": "x = 1\n"})
    assert suite_command(root, scan(root), "py") == ["py", "-m", "unittest", "discover"]
    write_tree(root, {"tests/test_app.py": "def test_x(): pass\n"})
    assert suite_command(root, scan(root), "py")[:3] == ["py", "-m", "pytest"]
    write_tree(root, {"pyproject.toml": "[tool.flaskmod]\ntest-command = \"make test -k 'a b'\"\n"})
    assert suite_command(root, scan(root), "py") == ["make", "test", "-k", "a b"]


def test_interpreter_choice(tmp_path: Path) -> None:
    assert choose_interpreter(tmp_path, None).path == sys.executable
    venv_python = tmp_path / "venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.touch()
    chosen = choose_interpreter(tmp_path, None)
    if os.name == "posix":
        assert (chosen.path, chosen.source) == (str(venv_python), "the project's venv/")
    assert choose_interpreter(tmp_path, Path(sys.executable)).source == "--python"


# ------------------------------------------------------------------------- compare_trees
def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_compare_trees_on_two_folders_writes_neither(tmp_path: Path) -> None:
    """What `upgrade --verify` calls on the project and the migration materialised elsewhere."""
    original = shutil.copytree(FIXTURES / "blog" / "before", tmp_path / "old", ignore=JUNK)
    migrated = shutil.copytree(FIXTURES / "blog" / "after", tmp_path / "new", ignore=JUNK)
    before = snapshot(original), snapshot(migrated)
    result = compare_trees(original, migrated, python=None, run_tests=True, timeout=120)
    assert result.equivalent, result.differences
    assert result.tests is not None and result.tests.original.passed > 0
    checks = {row.check for row in result.rows}
    assert {"route", "endpoint", "config", "response", "production", "tests"} <= checks
    assert (snapshot(original), snapshot(migrated)) == before  # no database, no instance/


@pytest.mark.slow
def test_compare_trees_reports_differences_and_load_errors(tmp_path: Path) -> None:
    original = shutil.copytree(FIXTURES / "minimal" / "before", tmp_path / "old", ignore=JUNK)
    migrated = shutil.copytree(FIXTURES / "minimal" / "after", tmp_path / "new", ignore=JUNK)
    edit(migrated / "app" / "main" / "routes.py", '@bp.route("/about")\n', "")
    result = compare_trees(original, migrated, python=None, run_tests=False, timeout=60)
    assert not result.equivalent
    assert any(m.startswith("route dropped: /about") for m in result.differences)
    edit(migrated / "config.py", "import os\n", "import os\nimport no_such_module\n")
    with pytest.raises(FlaskmodError, match=r"the migrated app .* failed to import") as caught:
        compare_trees(original, migrated, python=None, run_tests=False, timeout=60)
    assert isinstance(caught.value, LoadError)
    assert caught.value.traceback[-1].startswith("ModuleNotFoundError")


def test_the_original_trees_venv_serves_a_migration_in_a_temporary_folder(tmp_path: Path) -> None:
    venv_python = tmp_path / "project" / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.touch()
    chosen = choose_interpreter(tmp_path / "elsewhere", None, also=(tmp_path / "project",))
    if os.name == "posix":
        assert (chosen.path, chosen.source) == (str(venv_python), "the project's .venv/")


def test_a_setting_naming_a_renamed_endpoint_is_the_same_setting() -> None:
    from flaskmod.verify.compare import config_rows

    rows = config_rows(
        {"UPLOADER": "'upload'", "OTHER": "'upload'"},
        {"UPLOADER": "'main.upload'", "OTHER": "'elsewhere'"},
        {"upload": {"main.upload"}},
    )
    changed = [row.message for row in rows if row.status.value == "different"]
    assert changed == ["config value changed: OTHER: 'upload' → 'elsewhere'"]
