"""`wsgi.py`: the production entry point, `application = create_app(...)`.

Why: with a factory there is no module-level app for `gunicorn app:app` or `flask run` to find.
`wsgi.py` builds one, production settings unless `FLASK_CONFIG` says otherwise, and exposes it as
both `application` (the WSGI convention, `gunicorn wsgi:application`) and `app` (what
`flask --app wsgi` looks for). It goes where the project's own imports resolve from: beside the
app package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

import libcst as cst

from flaskmod.analysis import Layout
from flaskmod.codemod import FACTORY, Codemod, Context, Example, Needs
from flaskmod.project import Project
from flaskmod.versions import flask_command

from ._deployment import Target, is_deployment_file, rewrite

#: what the page docs/codemods/wsgi.md shows; tests/test_docs.py runs it
EXAMPLE = Example(
    before={
        "app/__init__.py": '''
            from flask import Flask
            from config import get_config


            def create_app(config_name="development"):
                """Build and configure the app for `config_name` (see config.py)."""
                app = Flask(__name__)
                app.config.from_object(get_config(config_name))
                return app
        ''',
        "config.py": """
            class Config:
                DEBUG = False


            def get_config(name=None):
                return Config
        """,
    },
    after={
        "wsgi.py": '''
            """WSGI entry point: `gunicorn wsgi:application`, or `flask --app wsgi run` in development (with FLASK_CONFIG=development)."""

            import os

            from app import create_app

            application = create_app(os.environ.get("FLASK_CONFIG", "production"))
            app = application
        ''',
    },
    reports=(
        "run `FLASK_CONFIG=development flask --app wsgi --debug run` locally, `gunicorn wsgi:application` in production",
    ),
    note="The app as `factory` builds it (`config.py` shortened to what the example needs).",
)

codemod = Codemod.declare(
    __name__,
    # After `factory`: it imports `create_app`, which exists only from then on.
    order=60,
    summary="Add wsgi.py exposing the factory's app for gunicorn and `flask --app wsgi`.",
    needs=Needs.FACTORY,
    example=EXAMPLE,
)

TEMPLATE = '''\
"""WSGI entry point: `gunicorn wsgi:application`, or `{local}` in development (with {env}=development)."""

import os

from {module} import {factory}

application = {factory}(os.environ.get("{env}", "production"))
app = application
'''


@dataclass(frozen=True)
class WsgiPlan:
    path: str
    text: str | None
    #: deployment files (Procfile, Dockerfile, .flaskenv, ...) pointed at the new entry point
    deployment: dict[str, str] = field(default_factory=dict)


def wsgi_path(import_root: str) -> str:
    """In the folder the app is imported from (`app/__init__.py` → `wsgi.py`; `project/app/`
    inside package `project` → also the root), so `import wsgi` and `import <app>` both resolve."""
    return f"{import_root}/wsgi.py" if import_root else "wsgi.py"


@codemod.plan
def plan(context: Context) -> WsgiPlan | None:
    model = context.model
    path = wsgi_path(model.import_root)
    env = context.option("config_env_var")
    text = TEMPLATE.format(
        local=flask_command(context.flask, "wsgi", "run"),
        env=env,
        module=model.import_name,
        factory=FACTORY,
    )
    deployment = _deployment(context, path)
    if path in context.project:
        exposed = _exposing_application(context, path)
        if exposed is not None:
            return WsgiPlan(path, exposed, deployment)
        if not _serves_the_factory(context, path) and (
            context.project.text(path).replace("\r\n", "\n") != text  # CRLF projects
        ):
            context.warn(
                f"{path} already exists; point it at {model.import_name}.{FACTORY}() by hand",
                path,
            )
        return WsgiPlan(path, None, deployment) if deployment else None
    debug_run = flask_command(context.flask, "wsgi", "run", debug=True)
    context.note(
        f"run `{env}=development {debug_run}` locally, `gunicorn wsgi:application` in production",
        path,
    )
    return WsgiPlan(path, text, deployment)


def _developing(context: Context, path: str, text: str) -> str:
    """`.flaskenv` is read by `flask run` on a developer's machine: now that `FLASK_APP` names
    `wsgi` (production unless told), it says development, as `FLASK_ENV` did before."""
    env = context.option("config_env_var")
    if any(line.split("=", 1)[0].strip() == env for line in text.splitlines()):
        return text
    context.note(f"sets {env}=development for `flask run`", path)
    return text + ("" if text.endswith("\n") or not text else "\n") + f"{env}=development\n"


def _serves_the_factory(context: Context, path: str) -> bool:
    """The project's own wsgi.py that already builds `application` with the factory."""
    index = context.project.index(path)
    return FACTORY in index.imports and "application" in index.binders


def _exposing_application(context: Context, path: str) -> str | None:
    """The project's own `wsgi.py`, already building its app with the factory (the factory
    codemod rewrote its import) but without `application`: it gains `application = app`."""
    index = context.project.index(path)
    if FACTORY not in index.imports or "application" in index.binders:
        return None
    name = next((n for n in ("app", "application_") if n in index.binders), None)
    if name is None:
        return None
    context.note(f"exposes `application = {name}` for `gunicorn wsgi:application`", path)
    statement = cst.parse_statement(f"application = {name}\n")
    return index.tree.with_changes(body=[*index.tree.body, statement]).code


@codemod.edit
def edit(context: Context, plan: WsgiPlan) -> Project:
    texts = dict(plan.deployment)
    if plan.text is not None:
        texts[plan.path] = plan.text
    return context.project.with_changes(texts=texts)


def _deployment(context: Context, wsgi: str) -> dict[str, str]:
    """Deployment files that name the old app, rewritten to `wsgi`; each change reported."""
    project, model = context.project, context.model
    source = project.source_of(model.app_path)
    target = Target(
        module=project.module_name(source),
        file=source.removeprefix(f"{model.import_root}/") if model.import_root else source,
        app=model.app_name if model.layout is not Layout.FACTORY else "app",
    )
    texts: dict[str, str] = {}
    for path in sorted(project.files):
        if path == wsgi or (path.endswith(".py") and "gunicorn" not in path):
            continue
        if not is_deployment_file(path):
            continue
        new, rewrites, leftovers = rewrite(path, project.text(path), target)
        if rewrites and PurePosixPath(path).name == ".flaskenv":
            new = _developing(context, path, new)
        if new != project.text(path):
            texts[path] = new
        for change in rewrites:
            context.note(f"`{change.old}` → `{change.new}`", path, change.line)
        for left in leftovers:
            report = context.note if path.lower().startswith("readme") else context.warn
            report(
                f"`{left.text}`: running the module no longer starts the server; use "
                "`gunicorn wsgi:application` (production) or `flask --app wsgi run`",
                path,
                left.line,
            )
    return texts
