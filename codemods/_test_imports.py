"""Test modules that imported the global app build one through the factory instead.

Shared by `factory` (which must not leave the project's tests broken in its own commit) and
`tests` (which also runs alone on a factory flaskmod built).
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel
from flaskmod.errors import Finding, Location, Severity
from flaskmod.project import Project

from ._imports import add_statements_after_imports
from ._moving import dotted

FACTORY = "create_app"
APP_NAMES = ("app", "application")


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


def rewrite_test_imports(
    project: Project, model: AppModel, factory_module: cst.Module
) -> tuple[dict[str, cst.Module], list[Finding]]:
    """New trees for the test modules that import the global app from the app module."""
    package = model.import_name
    findings: list[Finding] = []
    trees: dict[str, cst.Module] = {}
    exported = _top_level_names(factory_module)
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
        trees[path] = add_statements_after_imports(new, creations)
        findings.append(
            Finding(
                Location(path),
                f'builds its app with {FACTORY}("testing") instead of importing the global one',
                Severity.NOTE,
            )
        )
    return trees, findings


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
