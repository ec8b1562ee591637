"""Tests that imported the global app build one through `create_app("testing")`.

Why: after the factory codemod `from app import app` fails, and the project's own tests are the
user's best evidence that the migration changed nothing. The import becomes
`from app import create_app` plus a module-level `app = create_app("testing")`, so every fixture,
`setUp` and assertion that used `app` keeps working untouched. A `conftest.py` with `app`, `client`
and `runner` fixtures (Flask's testing docs, docs/target-layout.md) is added when the tests have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel
from flaskmod.codemod import FACTORY, Codemod, Context, Example, Needs
from flaskmod.project import Project

from ._app_importers import rewrite_test_imports
from ._building import new_module, spaced, template
from ._moving import ImportPlan

#: what the page docs/codemods/tests.md shows; tests/test_docs.py runs it
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
        "tests/test_index.py": """
            from app import app


            def test_index():
                client = app.test_client()
                assert client.get("/").status_code == 200
        """,
    },
    after={
        "tests/test_index.py": """
            from app import create_app

            app = create_app("testing")


            def test_index():
                client = app.test_client()
                assert client.get("/").status_code == 200
        """,
        "tests/conftest.py": '''
            """Fixtures that build a fresh app per test through the factory."""

            import pytest

            from app import create_app


            @pytest.fixture
            def app():
                app = create_app("testing")
                yield app


            @pytest.fixture
            def client(app):
                return app.test_client()


            @pytest.fixture
            def runner(app):
                return app.test_cli_runner()
        ''',
    },
    reports=(
        'builds its app with create_app("testing") instead of importing the global one',
        "added app, client and runner fixtures",
    ),
    note=(
        "The app as `factory` builds it (`config.py` shortened). A test module that imported the "
        "global app builds its own with the testing config; its assertions are untouched."
    ),
)

codemod = Codemod.declare(
    __name__,
    # Last: it needs the factory (and the app module as the factory left it).
    order=70,
    summary='Make the project\'s tests build the app with create_app("testing").',
    needs=Needs.FACTORY,
    example=EXAMPLE,
)


@dataclass(frozen=True)
class TestsPlan:
    #: test modules that imported the global app, rewritten to build their own
    trees: dict[str, cst.Module]
    #: a conftest.py with app/client(/runner) fixtures, when the tests have none
    conftest: tuple[str, str] | None


@codemod.plan
def plan(context: Context) -> TestsPlan | None:
    model, project = context.model, context.project
    trees, findings = rewrite_test_imports(project, model, project.module(model.app_path))
    context.findings += findings
    conftest = _conftest_path(model)
    uses_app = any(model.import_name in project.text(p) for p in model.tests)
    added = None
    if conftest is not None and uses_app and not _has_fixture_conftest(project, conftest):
        runner = context.has("test_cli_runner")
        added = (conftest, _conftest_text(project, model, model.import_name, runner))
        fixtures = "app, client and runner fixtures" if runner else "app and client fixtures"
        context.note(f"added {fixtures}", conftest)
    return TestsPlan(trees, added) if trees or added else None


@codemod.edit
def edit(context: Context, plan: TestsPlan) -> Project:
    texts = dict([plan.conftest]) if plan.conftest else {}
    return context.project.with_changes(modules=plan.trees, texts=texts)


def _conftest_path(model: AppModel) -> str | None:
    folders = [PurePosixPath(p).parent.as_posix() for p in model.tests if "conftest" not in p]
    if not folders:
        return None
    folder = max(set(folders), key=folders.count)
    return "conftest.py" if folder == "." else f"{folder}/conftest.py"


def _has_fixture_conftest(project: Project, conftest: str) -> bool:
    if conftest in project:
        return True
    return any(
        path.endswith("conftest.py") and "def client" in project.text(path)
        for path in project.python_paths()
    )


APP_FIXTURE = """
@pytest.fixture
def app():
    app = {factory}("testing")
    yield app
"""
APP_FIXTURE_WITH_DB = """
@pytest.fixture
def app():
    app = {factory}("testing")
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
"""
CLIENT_FIXTURE = """
@pytest.fixture
def client(app):
    return app.test_client()
"""
#: `app.test_cli_runner()` arrived in Flask 1.0
RUNNER_FIXTURE = """
@pytest.fixture
def runner(app):
    return app.test_cli_runner()
"""


def _conftest_text(project: Project, model: AppModel, package: str, runner: bool = True) -> str:
    """conftest.py: a fresh app per test through the factory (Flask's testing docs)."""
    imports = ImportPlan()
    imports.add("import pytest")
    imports.add(f"from {package} import {FACTORY}", local=True)
    if _uses_db(project, model):
        imports.add(f"from {package}.extensions import db", local=True)
        fixtures = APP_FIXTURE_WITH_DB
    else:
        fixtures = APP_FIXTURE
    fixtures += CLIENT_FIXTURE + (RUNNER_FIXTURE if runner else "")
    body = template(fixtures.format(factory=FACTORY))
    doc = "Fixtures that build a fresh app per test through the factory."
    return new_module(doc, imports, spaced(body)).code


def _uses_db(project: Project, model: AppModel) -> bool:
    extensions = f"{model.app_dir}/extensions.py" if model.app_dir else "extensions.py"
    return extensions in project and any(
        m.matches(statement, m.SimpleStatementLine([m.Assign([m.AssignTarget(m.Name("db"))])]))
        for statement in project.module(extensions).body
    )
