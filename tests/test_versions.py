"""The project's Flask version, from each kind of dependency file, and what it gates."""

from __future__ import annotations

import pytest

from flaskmod.errors import FlaskmodError
from flaskmod.pipeline import Options
from flaskmod.versions import FlaskVersion, detect, flask_command, lowest_allowed, parse_version
from tests.conftest import migrate


@pytest.mark.parametrize(
    "spec, version",
    [
        ("==1.1.2", (1, 1)),
        (">=1.0,<2", (1, 0)),
        ("~=2.0", (2, 0)),
        ("<2", None),
        ("", None),
        ("^1.1", (1, 1)),
        (">=0.12, !=1.0.1", (0, 12)),
    ],
)
def test_lowest_allowed(spec: str, version: tuple[int, int] | None) -> None:
    assert lowest_allowed(spec) == version


@pytest.mark.parametrize(
    "files, version, source",
    [
        (
            {"requirements.txt": "Flask-SQLAlchemy==2.5\nflask==1.1.4 # pinned\n"},
            (1, 1),
            "requirements.txt",
        ),
        ({"requirements/base.txt": "Flask>=2.0\n"}, (2, 0), "requirements/base.txt"),
        ({"Pipfile": '[packages]\nflask = "==1.0.2"\n'}, (1, 0), "Pipfile"),
        (
            {"Pipfile.lock": '{"default": {"flask": {"version": "==0.12.5"}}}'},
            (0, 12),
            "Pipfile.lock",
        ),
        (
            {"poetry.lock": '[[package]]\nname = "Flask"\nversion = "2.2.5"\n'},
            (2, 2),
            "poetry.lock",
        ),
        (
            {"pyproject.toml": '[project]\ndependencies = ["flask>=2.3"]\n'},
            (2, 3),
            "pyproject.toml",
        ),
        (
            {"pyproject.toml": '[tool.poetry.dependencies]\nflask = "^1.1"\n'},
            (1, 1),
            "pyproject.toml",
        ),
        (
            {"setup.py": "setup(install_requires=['Flask>=1.0.2', 'itsdangerous'])\n"},
            (1, 0),
            "setup.py",
        ),
    ],
)
def test_detect_from_each_file_format(
    files: dict[str, str], version: tuple[int, int], source: str
) -> None:
    assert detect(files) == FlaskVersion(version, source)


def test_project_environment_then_flaskmods_own(tmp_path) -> None:
    (tmp_path / ".venv/lib/python3.9/site-packages/Flask-1.1.4.dist-info").mkdir(parents=True)
    assert detect({"requirements.txt": "flask\n"}, tmp_path) == FlaskVersion(
        (1, 1), "installed in .venv/"
    )
    assert detect({}, None).source in (
        "installed with flaskmod",
        "nothing pins Flask: assumed current",
    )


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
    assert '@app.cli.command("seed")' in files["app/__init__.py"]  # Blueprint.cli needs 1.1
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
