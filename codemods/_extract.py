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

from flaskmod.codemod import Context
from flaskmod.names import ModuleIndex
from flaskmod.project import Project

from ._building import new_module, separated
from ._moving import (
    imported_names,
    imports_for,
    local_top_modules,
    prune_imports,
    redirect_imports,
)
from ._registrations import ToBlueprint
from ._visiting import visited


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


@dataclass(frozen=True)
class GroupPlan:
    """What moves: the seeds and the helpers only they use, into `path`."""

    module: str
    docstring: str
    path: str
    seeds: frozenset[int]
    moved: frozenset[int]


def plan_group(context: Context, extraction: Extraction) -> GroupPlan | None:
    """The group's move, or None when it has no seeds; declines when it cannot move safely."""
    if not extraction.seeds:
        return None
    model = context.model
    index = context.project.index(model.app_path)
    path = f"{model.app_dir}/{extraction.module}.py"
    if path in context.project:
        message = f"{path} already exists; {extraction.module} left in {model.app_path}"
        context.decline(message, path)
    elsewhere = imported_names(context.project, model.import_name, model.app_path)
    moved = closure(index, extraction.seeds, model.app_name, elsewhere)
    first = min(moved)
    reads = index.names_read_by(moved) - index.names_bound_by(moved) - {model.app_name}
    late = sorted(
        name
        for name in reads
        if name not in index.imports and min(index.binders.get(name, [0])) > first
    )
    if late:
        context.decline(
            f"{extraction.module} not extracted: they use {', '.join(late)}, defined further "
            f"down {model.app_path}; importing it from {path} would be circular",
            model.app_path,
            index.statement_line(min(extraction.seeds)),
        )
    return GroupPlan(
        extraction.module, extraction.docstring, path, extraction.seeds, frozenset(moved)
    )


def extract(context: Context, plan: GroupPlan) -> Project:
    """The project with the group moved to its module, imported back where it was."""
    model, project = context.model, context.project
    index = project.index(model.app_path)
    package = model.import_name
    bound = index.names_bound_by(plan.moved)
    new_module = _group_module(context, index, plan)
    tree = _app_module(index, plan, bound)
    project = project.with_changes(modules={model.app_path: tree, plan.path: new_module})
    redirected = redirect_imports(
        project,
        package,
        dict.fromkeys(bound, f"{package}.{plan.module}"),
        skip={model.app_path, plan.path},
    )
    context.note(
        f"{len(plan.seeds)} definition(s) moved to {plan.path}",
        model.app_path,
        index.statement_line(min(plan.seeds)),
    )
    return project.with_changes(modules=redirected)


def _group_module(context: Context, index: ModuleIndex, plan: GroupPlan) -> cst.Module:
    """The new module: docstring, exactly the imports the moved code reads, the code."""
    model = context.model
    transformer = ToBlueprint(index.access_names, model.app_name)
    statements: list[cst.BaseStatement] = []
    for position in sorted(plan.moved):
        statements += visited(index.body[position], transformer, transformer.acts_on)
    reads = index.names_read_by(plan.moved) - index.names_bound_by(plan.moved) - {model.app_name}
    imports, _ = imports_for(
        index,
        reads,
        local_modules=local_top_modules(context.project),
        source_module=model.import_name,
    )
    if transformer.uses_current_app:
        imports.add("from flask import current_app")
    return new_module(plan.docstring, imports, separated(statements))


def _app_module(index: ModuleIndex, plan: GroupPlan, bound: set[str]) -> cst.Module:
    """The app module without the group, importing back what it still uses where it was."""
    first = min(plan.moved)
    remaining = set(range(len(index.body))) - plan.moved
    still_used = sorted(n for n in bound if index.readers.get(n, set()) & remaining)
    body: list[cst.BaseStatement] = []
    for position, statement in enumerate(index.body):
        if position == first:
            back = _import_back(plan.module, still_used)
            leading = getattr(statement, "leading_lines", ())
            body.append(back.with_changes(leading_lines=leading))
        elif position not in plan.moved:
            body.append(statement)
    unused = {
        name
        for name in index.imports
        if index.readers.get(name) and index.only_read_within(name, plan.moved)
    }
    return prune_imports(index.tree.with_changes(body=body), unused)


def _import_back(module: str, names: list[str]) -> cst.SimpleStatementLine:
    """`from .models import A, B`, or `from . import models` when nothing is used by name."""
    if names:
        aliases = [cst.ImportAlias(cst.Name(name)) for name in names]
        imported = cst.ImportFrom(module=cst.Name(module), names=aliases, relative=[cst.Dot()])
        return cst.SimpleStatementLine([imported])
    imported = cst.ImportFrom(
        module=None, names=[cst.ImportAlias(cst.Name(module))], relative=[cst.Dot()]
    )
    comment = cst.Comment("# noqa: F401  (defines them at import)")
    return cst.SimpleStatementLine(
        [imported], trailing_whitespace=cst.TrailingWhitespace(cst.SimpleWhitespace("  "), comment)
    )
