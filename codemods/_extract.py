"""Extracting a group of top-level definitions (models, forms) into a sibling module.

The group takes along the helpers only it uses; the new module imports exactly what the moved
code reads (from where the app module got it); the app module imports back what it still uses,
at the place the definitions were, so import-time side effects (SQLAlchemy's model registry)
happen in the same order; other modules importing the moved names from the app module are pointed
at the new module.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel
from flaskmod.errors import Finding, Location, Severity
from flaskmod.pipeline import Outcome
from flaskmod.project import Project

from ._moving import (
    ModuleIndex,
    imported_names,
    imports_for,
    local_top_modules,
    prune_imports,
    redirect_imports,
)
from ._registrations import ToBlueprint


@dataclass(frozen=True)
class Extraction:
    module: str  # short name: "models"
    docstring: str
    seeds: frozenset[int]


def _helper(statement: cst.BaseStatement) -> bool:
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return not statement.decorators
    return m.matches(
        statement, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name())])])
    )


def closure(index: ModuleIndex, seeds: Collection[int], app: str, elsewhere: set[str]) -> set[int]:
    """Seeds plus the helpers whose every reader in the module is already moving."""
    moved = set(seeds)
    changed = True
    while changed:
        changed = False
        for name in sorted(index.names_read_by(moved) - {app}):
            binders = index.binders.get(name, [])
            if len(binders) != 1 or binders[0] in moved or name in elsewhere:
                continue
            binder = binders[0]
            readers = index.readers.get(name, set()) - {binder}
            if (
                readers
                and readers <= moved
                and _helper(index.body[binder])
                and not index.reads(binder, app)
            ):
                moved.add(binder)
                changed = True
    return moved


def extract(
    project: Project,
    model: AppModel,
    index: ModuleIndex,
    extraction: Extraction,
    elsewhere: set[str],
) -> tuple[Project, list[Finding]] | None:
    """The project with the group moved, or None (and findings) when it cannot move safely."""
    app = model.app_name
    package = model.import_name
    path = f"{model.app_dir}/{extraction.module}.py"
    location = Location(model.app_path, index.statement_line(min(extraction.seeds)))
    if path in project:
        return None
    moved = closure(index, extraction.seeds, app, elsewhere)
    first = min(moved)
    reads = index.names_read_by(moved) - index.names_bound_by(moved) - {app}
    late = sorted(
        name
        for name in reads
        if name not in index.imports and min(index.binders.get(name, [0])) > first
    )
    if late:
        return project, [
            Finding(
                location,
                f"{extraction.module} not extracted: they use {', '.join(late)}, defined further "
                f"down {model.app_path}; importing it from {path} would be circular",
            )
        ]

    transformer = ToBlueprint(index.access_names, app)
    codes: list[str] = []
    previous_def = False
    for position in sorted(moved):
        statement = index.body[position].visit(transformer)
        comments = [line for line in statement.leading_lines if line.comment is not None]
        is_def = isinstance(statement, cst.FunctionDef | cst.ClassDef)
        blank = [cst.EmptyLine()] * (2 if is_def or previous_def else 1)
        statement = statement.with_changes(leading_lines=([] if not codes else blank) + comments)
        codes.append(index.tree.code_for_node(statement))
        previous_def = is_def
    imports, _ = imports_for(
        index, reads, local_modules=local_top_modules(project), source_module=package
    )
    if transformer.uses_current_app:
        imports.add("from flask import current_app")
    text = (
        f'"""{extraction.docstring}"""\n\n'
        + imports.render()
        + "\n\n\n"
        + "".join(code if code.endswith("\n") else code + "\n" for code in codes)
    )

    # The app module imports back what it still uses, where the definitions were.
    bound = index.names_bound_by(moved)
    remaining = set(range(len(index.body))) - moved
    still_used = sorted(n for n in bound if index.readers.get(n, set()) & remaining)
    if still_used:
        back = f"from .{extraction.module} import {', '.join(still_used)}\n"
    else:
        back = f"from . import {extraction.module}  # noqa: F401  (defines them at import)\n"
    body: list[cst.BaseStatement] = []
    for position, statement in enumerate(index.body):
        if position == first:
            body.append(
                cst.parse_statement(back).with_changes(leading_lines=statement.leading_lines)
            )
        elif position not in moved:
            body.append(statement)
    unused = {
        name
        for name in index.imports
        if index.readers.get(name) and index.only_read_within(name, moved)
    }
    tree = prune_imports(index.tree.with_changes(body=body), unused)
    new_project = project.with_changes(modules={model.app_path: tree}, texts={path: text})
    redirected = redirect_imports(
        new_project,
        package,
        dict.fromkeys(bound, f"{package}.{extraction.module}"),
        skip={model.app_path, path},
    )
    findings = [
        Finding(
            location,
            f"{len(extraction.seeds)} definition(s) moved to {path}",
            Severity.NOTE,
        )
    ]
    return new_project.with_changes(modules=redirected), findings


def extract_group(
    project: Project, model: AppModel, index: ModuleIndex, extraction: Extraction
) -> Outcome:
    """The codemod outcome of extracting `extraction` (nothing to do when it has no seeds)."""
    if not extraction.seeds:
        return Outcome(project)
    elsewhere = imported_names(project, model.import_name, model.app_path)
    result = extract(project, model, index, extraction, elsewhere)
    if result is None:
        path = f"{model.app_dir}/{extraction.module}.py"
        message = f"{path} already exists; {extraction.module} left in {model.app_path}"
        return Outcome(project, (Finding(Location(path), message),))
    new_project, found = result
    return Outcome(new_project, tuple(found))
