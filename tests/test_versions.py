"""The project's Flask version, from each kind of dependency file, and what it gates."""

from __future__ import annotations

from pathlib import Path

import pytest

from flaskmod.errors import FlaskmodError
from flaskmod.pipeline import Options
from flaskmod.versions import (
    FlaskVersion,
    dependency_range,
    detect,
    flask_command,
    parse_version,
    version_range,
)
from tests.conftest import migrate


@pytest.mark.parametrize(
    "spec, low, high",
    [
        ("==1.1.2", (1, 1), (1, 1)),
        (">=1.0,<2", (1, 0), (1, 1)),
        ("~=2.0", (2, 0), (2, 3)),
        ("<2", (0, 10), (1, 1)),
        ("", (0, 10), None),
        (">=0.12, !=1.0.1", (0, 12), None),
        ("==0.10.*", (0, 10), (0, 10)),
    ],
)
def test_version_range(spec: str, low: tuple[int, int], high: tuple[int, int] | None) -> None:
    assert version_range(spec) == (low, high)


def test_an_impossible_specifier_has_no_range() -> None:
    assert version_range(">=9") is None
    assert version_range("nonsense") is None


@pytest.mark.parametrize(
    "files, low, high, source",
    [
        (
            {"requirements.txt": "Flask-SQLAlchemy==2.5\nflask==1.1.4 # pinned\n"},
            (1, 1),
            (1, 1),
            "requirements.txt",
        ),
        ({"requirements/base.txt": "Flask>=2.0\n"}, (2, 0), None, "requirements/base.txt"),
        ({"constraints.txt": "flask==2.2.5\n"}, (2, 2), (2, 2), "constraints.txt"),
        (
            {"requirements.txt": "-r base.txt\n--index-url x\nFlask[async]>=2.0,<2.3\n"},
            (2, 0),
            (2, 2),
            "requirements.txt",
        ),
        ({"Pipfile": '[packages]\nflask = "==1.0.2"\n'}, (1, 0), (1, 0), "Pipfile"),
        ({"Pipfile": '[packages]\nFlask = "*"\n'}, (0, 10), None, "Pipfile"),
        (
            {"Pipfile.lock": '{"default": {"flask": {"version": "==0.12.5"}}}'},
            (0, 12),
            (0, 12),
            "Pipfile.lock",
        ),
        (
            {"poetry.lock": '[[package]]\nname = "Flask"\nversion = "2.2.5"\n'},
            (2, 2),
            (2, 2),
            "poetry.lock",
        ),
        (
            {"pyproject.toml": '[project]\ndependencies = ["flask>=2.3"]\n'},
            (2, 3),
            None,
            "pyproject.toml",
        ),
        (
            {"pyproject.toml": '[tool.poetry.dependencies]\nflask = "^1.1"\n'},
            (1, 1),
            (1, 1),
            "pyproject.toml",
        ),
        (
            {"setup.py": "setup(install_requires=['Flask>=1.0.2', 'itsdangerous'])\n"},
            (1, 0),
            None,
            "setup.py",
        ),
        (
            {"setup.cfg": "[options]\ninstall_requires =\n    click\n    flask>=1.1,<2\n"},
            (1, 1),
            (1, 1),
            "setup.cfg",
        ),
        (
            {"environment.yml": "dependencies:\n  - python=3.8\n  - flask=1.1\n"},
            (1, 1),
            (1, 1),
            "environment.yml",
        ),
    ],
)
def test_detect_from_each_file_format(
    files: dict[str, str], low: tuple[int, int], high: tuple[int, int] | None, source: str
) -> None:
    assert detect(files) == FlaskVersion(low, source, high)


def test_flask_extensions_are_not_flask() -> None:
    assert detect({"requirements.txt": "Flask-Login==0.4\nflask_wtf==1.0\n"}).source.startswith(
        "nothing pins Flask"
    )


def test_nothing_pinned_means_every_flask_from_0_12() -> None:
    found = detect({})
    assert (found.version, found.highest) == ((0, 12), None)
    assert not found.has("from_prefixed_env") and not found.still_has("before_first_request")
    assert (
        str(found)
        == "Flask 0.12 to 3.1 (nothing pins Flask: code that runs on every Flask 0.12 to 3.x)"
    )


def test_old_idioms_in_the_code_bound_the_version() -> None:
    found = detect({"app.py": "from flask.ext.sqlalchemy import SQLAlchemy\n"})
    assert (found.version, found.top) == ((0, 10), (0, 12))
    assert found.source == "flask.ext in app.py"
    werkzeug = detect({"app.py": "from werkzeug import secure_filename\n"})
    assert werkzeug.top == (1, 1)


def test_the_project_environment_is_asked(tmp_path: Path) -> None:
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\necho 1.1.4\n")
    python.chmod(0o755)
    found = detect({"requirements.txt": "requests\n"}, tmp_path)
    assert found == FlaskVersion((1, 1), f"installed for {python}", (1, 1))


def test_flaskmods_own_flask_is_never_evidence(tmp_path: Path) -> None:
    assert detect({}, tmp_path).source.startswith("nothing pins Flask")


def test_dependency_range_of_an_extension() -> None:
    files = {"requirements.txt": "flask==1.1.2\nFlask-SQLAlchemy==2.4.4\n"}
    assert dependency_range(files, "flask-sqlalchemy") == ((2, 4), (2, 4))
    assert dependency_range(files, "flask-login") is None


def test_parse_version_and_commands() -> None:
    assert parse_version("2.0") == (2, 0)
    with pytest.raises(FlaskmodError, match=r"MAJOR\.MINOR"):
        parse_version("two")
    assert (
        flask_command(FlaskVersion((2, 2), "x"), "wsgi", "run", debug=True)
        == "flask --app wsgi --debug run"
    )
    assert flask_command(FlaskVersion((1, 1), "x"), "wsgi", "run", debug=True) == (
        "FLASK_APP=wsgi FLASK_DEBUG=1 flask run"
    )


APP = """
from flask import Flask

app = Flask(__name__)
app.config["A"] = 1


@app.route("/")
def index():
    return "i"


@app.cli.command("seed")
def seed():
    pass
"""


def _migrated(project, version: tuple[int, int]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    root = project({"app.py": APP, "tests/test_a.py": "from app import app\n"})
    files, _ = migrate(root, options=Options(flask=FlaskVersion(version, "test")))
    return files


def test_old_flask_gets_no_newer_apis(project) -> None:
    files = _migrated(project, (1, 0))
    assert "from_prefixed_env" not in files["app/__init__.py"]
    # Blueprint.cli needs 1.1: the command is added to each app by the blueprint
    assert '@click.command("seed")\n@with_appcontext\n' in files["app/main/routes.py"]
    assert "bp.record(lambda state: state.app.cli.add_command(seed))" in files["app/main/routes.py"]
    assert "cli_group" not in files["app/main/__init__.py"]
    assert "FLASK_APP=wsgi flask run" in files["wsgi.py"]
    assert "def runner(app):" in files["tests/conftest.py"]


def test_flask_0_12_has_no_cli_runner_fixture(project) -> None:
    assert "def runner(app):" not in _migrated(project, (0, 12))["tests/conftest.py"]


def test_current_flask_gets_them(project) -> None:
    files = _migrated(project, (3, 1))
    assert "app.config.from_prefixed_env()" in files["app/__init__.py"]
    assert '@bp.cli.command("seed")' in files["app/main/routes.py"]
    assert "flask --app wsgi run" in files["wsgi.py"]
