"""Deployment files that name the old global app point at wsgi.py's application."""

from __future__ import annotations

import dataclasses

import pytest

from flaskmod.codemods._deployment import Target, is_deployment_file, rewrite
from flaskmod.project import Project
from tests.codemods.test_wsgi import FACTORY
from tests.codemods.tools import project_of, run_one

APP = Target(module="app", file="app.py", app="app")
NESTED = Target(module="project.app", file="project/app.py", app="app")


@pytest.mark.parametrize(
    "before, after",
    [
        ("web: gunicorn app:app\n", "web: gunicorn wsgi:application\n"),
        (
            "web: gunicorn -w 4 -b 0.0.0.0:$PORT app:app --log-file -\n",
            "web: gunicorn -w 4 -b 0.0.0.0:$PORT wsgi:application --log-file -\n",
        ),
        (
            'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
            'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "wsgi:application"]\n',
        ),
        ("ENV FLASK_APP=app.py\n", "ENV FLASK_APP=wsgi\n"),
        ("export FLASK_APP=app\n", "export FLASK_APP=wsgi\n"),
        ('FLASK_APP="app:app"\n', 'FLASK_APP="wsgi"\n'),
        ("      FLASK_APP: app.py\n", "      FLASK_APP: wsgi\n"),
        ("flask --app app run --debug\n", "flask --app wsgi run --debug\n"),
        ("waitress-serve --port=8080 app:app\n", "waitress-serve --port=8080 wsgi:application\n"),
        ("module = app:app\n", "module = wsgi:application\n"),
        ("wsgi-file = app.py\ncallable = app\n", "wsgi-file = wsgi.py\ncallable = application\n"),
    ],
)
def test_references_to_the_old_app_are_rewritten(before: str, after: str) -> None:
    new, changes, _ = rewrite("Procfile", before, APP)
    assert new == after
    assert len(changes) == before.count("\n") - (1 if "callable" in before else 0) or changes


def test_an_app_module_inside_a_package_is_matched_by_its_dotted_name() -> None:
    new, _, _ = rewrite("Procfile", "web: gunicorn project.app:app\n", NESTED)
    assert new == "web: gunicorn wsgi:application\n"


@pytest.mark.parametrize(
    "text",
    [
        "web: gunicorn myapp:app\n",
        "web: gunicorn app:application\n",
        "FLASK_APP=application.py\n",
        "web: gunicorn wsgi:application\n",
        "The app: app is great\n",
        "flask --app apps run\n",
        "callable = app_factory\n",
        "gunicorn app.app:app\n",
    ],
)
def test_other_references_are_left_alone(text: str) -> None:
    assert rewrite("Procfile", text, APP)[0] == text


def test_running_the_script_is_reported_not_rewritten() -> None:
    new, changes, leftovers = rewrite("Procfile", "web: python app.py\n", APP)
    assert new == "web: python app.py\n" and not changes
    assert [(left.line, left.text) for left in leftovers] == [(1, "web: python app.py")]


@pytest.mark.parametrize(
    "path, expected",
    [
        ("Procfile", True),
        ("Dockerfile", True),
        ("Dockerfile.prod", True),
        ("docker-compose.yml", True),
        (".flaskenv", True),
        ("deploy/uwsgi.ini", True),
        ("gunicorn.conf.py", True),
        (".github/workflows/ci.yml", True),
        ("README.md", True),
        ("app/templates/index.html", False),
        ("config.yml", False),
        ("app.py", False),
    ],
)
def test_which_files_are_deployment_files(path: str, expected: bool) -> None:
    assert is_deployment_file(path) is expected


def _moved(files: dict[str, str]) -> Project:
    """A factory that flaskmod made from `app.py` (the snapshot remembers the move)."""
    return dataclasses.replace(project_of(files), origin={"app/__init__.py": "app.py"})


def test_the_wsgi_codemod_rewrites_and_reports_them() -> None:
    outcome = run_one(
        "wsgi",
        _moved(
            {
                "app/__init__.py": FACTORY,
                "Procfile": "web: gunicorn app:app\n",
                ".flaskenv": "FLASK_APP=app.py\n",
            }
        ),
    )
    assert outcome.project.text("Procfile") == "web: gunicorn wsgi:application\n"
    assert outcome.project.text(".flaskenv") == "FLASK_APP=wsgi\nFLASK_CONFIG=development\n"
    notes = [str(f) for f in outcome.findings]
    assert "Procfile:1: `web: gunicorn app:app` → `web: gunicorn wsgi:application`" in notes


def test_a_procfile_running_the_script_is_a_manual_step() -> None:
    outcome = run_one(
        "wsgi", _moved({"app/__init__.py": FACTORY, "Procfile": "web: python app.py\n"})
    )
    assert outcome.project.text("Procfile") == "web: python app.py\n"
    assert any(
        f.severity.value == "manual" and str(f.location) == "Procfile:1" for f in outcome.findings
    )


def test_an_existing_wsgi_still_gets_the_deployment_files_fixed() -> None:
    outcome = run_one(
        "wsgi",
        project_of(
            {
                "app/__init__.py": FACTORY,
                "wsgi.py": "x = 1\n",
                "Procfile": "web: gunicorn app:app\n",
            }
        ),
    )
    assert outcome.project.text("wsgi.py") == "x = 1\n"
    assert outcome.project.text("Procfile") == "web: gunicorn wsgi:application\n"


def test_a_flaskenv_that_names_the_config_already_keeps_it() -> None:
    flaskenv = "FLASK_CONFIG=staging\nFLASK_APP=app.py"
    outcome = run_one("wsgi", _moved({"app/__init__.py": FACTORY, ".flaskenv": flaskenv}))
    assert outcome.project.text(".flaskenv") == "FLASK_CONFIG=staging\nFLASK_APP=wsgi"
