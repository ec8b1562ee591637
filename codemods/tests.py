"""Tests that imported the global app build one through `create_app("testing")`.

Why: after the factory codemod `from app import app` fails, and the project's own tests are the
user's best evidence that the migration changed nothing. The import becomes
`from app import create_app` plus a module-level `app = create_app("testing")`, so every fixture,
`setUp` and assertion that used `app` keeps working untouched. A `conftest.py` with `app`, `client`
and `runner` fixtures (Flask's testing docs, the guidelines §5) is added when the tests have none.
"""

from __future__ import annotations

from pathlib import PurePosixPath

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel, Layout
from flaskmod.errors import Finding, Location, Severity
from flaskmod.pipeline import Options, Outcome
from flaskmod.project import Project

from ._imports import add_statements_after_imports
from ._moving import dotted

ORDER = 70
SUMMARY = 'Make the project\'s tests build the app with create_app("testing").'

FACTORY = "create_app"
APP_NAMES = ("app", "application")


def _defines_factory(project: Project, path: str) -> bool:
    return any(
        m.matches(statement, m.FunctionDef(name=m.Name(FACTORY)))
        for statement in project.module(path).body
    )


class _AppImport(cst.CSTTransformer):
    """`from pkg import app[, x]` → `from pkg import create_app[, x]`; records the local name."""

    def __init__(self, package: str, exported: set[str]) -> None:
        self.package = package
        self.exported = exported
        self.bound: list[str] = []
        self.module_aliases: list[str] = []

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        if updated_node.relative or updated_node.module is None:
            return updated_node
        if dotted(updated_node.module) != self.package:
            return updated_node
        if isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        names = []
        for alias in updated_node.names:
            if alias.evaluated_name in APP_NAMES and alias.evaluated_name not in self.exported:
                self.bound.append(alias.evaluated_alias or alias.evaluated_name)
                names.append(alias.with_changes(name=cst.Name(FACTORY), asname=None))
            else:
                names.append(alias)
        return updated_node.with_changes(names=names)


def transform(project: Project, model: AppModel, options: Options) -> Outcome:
    if model.layout is not Layout.FACTORY or not _defines_factory(project, model.app_path):
        return Outcome(project)
    package = model.import_name
    findings: list[Finding] = []
    trees: dict[str, cst.Module] = {}
    exported = _top_level_names(project.module(model.app_path))
    for path in model.tests:
        text = project.text(path)
        if package not in text:
            continue
        tree = project.module(path)
        rewriter = _AppImport(package, exported)
        new = tree.visit(rewriter)
        if not rewriter.bound:
            if f"{package}.app" in text and m.findall(
                tree, m.Import(names=[m.ImportAlias(name=m.Name(package))])
            ):
                findings.append(
                    Finding(
                        Location(path),
                        f"uses `{package}.app` through a module import; build it with "
                        f'`{package}.{FACTORY}("testing")` by hand',
                    )
                )
            continue
        new = _dedupe_factory_import(new)
        creations = [
            cst.parse_statement(f'{name} = {FACTORY}("testing")\n') for name in rewriter.bound
        ]
        creations[0] = creations[0].with_changes(leading_lines=[cst.EmptyLine()])
        new = add_statements_after_imports(new, creations)
        trees[path] = new
    texts: dict[str, str] = {}
    conftest = _conftest_path(model)
    if conftest is not None and trees and not _has_fixture_conftest(project, conftest):
        texts[conftest] = _conftest_text(project, model, package)
        findings.append(
            Finding(Location(conftest), "added app, client and runner fixtures", Severity.NOTE)
        )
    if not trees and not texts:
        return Outcome(project, tuple(findings))
    for path in trees:
        findings.append(
            Finding(
                Location(path),
                f'builds its app with {FACTORY}("testing") instead of importing the global one',
                Severity.NOTE,
            )
        )
    return Outcome(project.with_changes(modules=trees, texts=texts), tuple(findings))


def _top_level_names(tree: cst.Module) -> set[str]:
    """Names the factory module still binds at top level (an `app` there is not the old app)."""
    names = set()
    for statement in tree.body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            names.add(statement.name.value)
        elif m.matches(statement, m.SimpleStatementLine(body=[m.Assign()])):
            for target in statement.body[0].targets:  # type: ignore[attr-defined]
                if isinstance(target.target, cst.Name):
                    names.add(target.target.value)
    return names


def _dedupe_factory_import(tree: cst.Module) -> cst.Module:
    """`from app import create_app, create_app` (app imported twice) → one name."""

    class _Dedupe(cst.CSTTransformer):
        def leave_ImportFrom(
            self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
        ) -> cst.ImportFrom:
            if isinstance(updated_node.names, cst.ImportStar):
                return updated_node
            seen: set[str] = set()
            names = []
            for alias in updated_node.names:
                key = alias.evaluated_alias or alias.evaluated_name
                if key in seen:
                    continue
                seen.add(key)
                names.append(alias)
            names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            return updated_node.with_changes(names=names)

    return tree.visit(_Dedupe())


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


def _conftest_text(project: Project, model: AppModel, package: str) -> str:
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
    lines += [
        "",
        "",
        "@pytest.fixture",
        "def client(app):",
        "    return app.test_client()",
        "",
        "",
        "@pytest.fixture",
        "def runner(app):",
        "    return app.test_cli_runner()",
        "",
    ]
    return "\n".join(lines)
