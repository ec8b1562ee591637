"""Tests that imported the global app build one through `create_app("testing")`.

Why: after the factory codemod `from app import app` fails, and the project's own tests are the
user's best evidence that the migration changed nothing. The import becomes
`from app import create_app` plus a module-level `app = create_app("testing")`, so every fixture,
`setUp` and assertion that used `app` keeps working untouched. A `conftest.py` with `app`, `client`
and `runner` fixtures (Flask's testing docs, the guidelines §5) is added when the tests have none.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import libcst.matchers as m

from flaskmod.analysis import AppModel
from flaskmod.errors import Finding, Location, Severity
from flaskmod.pipeline import Options, Outcome
from flaskmod.project import Project

from ._app_importers import rewrite_test_imports
from ._layout import FACTORY, defines_factory

ORDER = 70
SUMMARY = 'Make the project\'s tests build the app with create_app("testing").'


def transform(project: Project, model: AppModel, options: Options) -> Outcome:
    if not defines_factory(project, model):
        return Outcome(project)
    trees, findings = rewrite_test_imports(project, model, project.module(model.app_path))
    texts: dict[str, str] = {}
    conftest = _conftest_path(model)
    uses_app = any(model.import_name in project.text(p) for p in model.tests)
    if conftest is not None and uses_app and not _has_fixture_conftest(project, conftest):
        runner = options.flask is None or options.flask.at_least(1, 0)
        texts[conftest] = _conftest_text(project, model, model.import_name, runner)
        findings.append(
            Finding(
                Location(conftest),
                "added app, client and runner fixtures"
                if runner
                else "added app and client fixtures",
                Severity.NOTE,
            )
        )
    if not trees and not texts:
        return Outcome(project, tuple(findings))
    return Outcome(project.with_changes(modules=trees, texts=texts), tuple(findings))


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


def _conftest_text(project: Project, model: AppModel, package: str, runner: bool = True) -> str:
    extensions = f"{model.app_dir}/extensions.py" if model.app_dir else "extensions.py"
    uses_db = extensions in project and m.findall(
        project.module(extensions), m.Assign(targets=[m.AssignTarget(m.Name("db"))])
    )
    lines = [
        '"""Fixtures that build a fresh app per test through the factory."""',
        "",
        "import pytest",
        "",
        f"from {package} import {FACTORY}",
    ]
    if uses_db:
        lines.append(f"from {package}.extensions import db")
    lines += ["", "", "@pytest.fixture", "def app():", f'    app = {FACTORY}("testing")']
    if uses_db:
        lines += [
            "    with app.app_context():",
            "        db.create_all()",
            "        yield app",
            "        db.session.remove()",
            "        db.drop_all()",
        ]
    else:
        lines.append("    yield app")
    lines += ["", "", "@pytest.fixture", "def client(app):", "    return app.test_client()", ""]
    if runner:  # app.test_cli_runner() arrived in Flask 1.0
        lines += ["", "@pytest.fixture", "def runner(app):", "    return app.test_cli_runner()", ""]
    return "\n".join(lines)
