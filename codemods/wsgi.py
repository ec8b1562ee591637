"""`wsgi.py`: the production entry point, `application = create_app(...)`.

Why: with a factory there is no module-level app for `gunicorn app:app` or `flask run` to find.
`wsgi.py` builds one, production settings unless `FLASK_CONFIG` says otherwise, and exposes it as
both `application` (the WSGI convention, `gunicorn wsgi:application`) and `app` (what
`flask --app wsgi` looks for).
"""

from __future__ import annotations

from pathlib import PurePosixPath

import libcst as cst

from flaskmod.analysis import AppModel
from flaskmod.errors import Finding, Location, Severity
from flaskmod.pipeline import Options, Outcome
from flaskmod.project import Project
from flaskmod.versions import flask_command

from ._layout import FACTORY, defines_factory

ORDER = 60
SUMMARY = "Add wsgi.py exposing the factory's app for gunicorn and `flask --app wsgi`."


def transform(project: Project, model: AppModel, options: Options) -> Outcome:
    if not defines_factory(project, model):
        return Outcome(project)
    app_dir = PurePosixPath(model.app_path).parent
    root = app_dir.parent if PurePosixPath(model.app_path).name == "__init__.py" else app_dir
    path = "wsgi.py" if str(root) == "." else f"{root}/wsgi.py"
    module = model.import_name
    env = options.config_env_var
    local = flask_command(options.flask, "wsgi", "run")
    text = (
        f'"""WSGI entry point: `gunicorn wsgi:application`, or `{local}` in development'
        f' (with {env}=development)."""\n'
        "\n"
        "import os\n"
        "\n"
        f"from {module} import {FACTORY}\n"
        "\n"
        f'application = {FACTORY}(os.environ.get("{env}", "production"))\n'
        "app = application\n"
    )
    if path in project:
        if project.text(path).replace("\r\n", "\n") == text:  # written in CRLF projects
            return Outcome(project)
        return Outcome(
            project,
            (
                Finding(
                    Location(path),
                    f"{path} already exists; point it at {module}.{FACTORY}() by hand",
                ),
            ),
        )
    cst.parse_module(text)
    note = Finding(
        Location(path),
        f"run `{env}=development {flask_command(options.flask, 'wsgi', 'run', debug=True)}` locally, "
        "`gunicorn wsgi:application` in production",
        Severity.NOTE,
    )
    return Outcome(project.with_changes(texts={path: text}), (note,))
