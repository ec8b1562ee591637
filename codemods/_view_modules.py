"""Modules other than the app module that import the global app (`from app import app`).

Each is one of:

* a **view module** — it registers views, handlers, hooks, filters or commands on the app
  (`app/routes.py`, `app/errors.py`, `app/cli.py`): converted in place to register on the
  default blueprint, whose package then imports it, so that the factory's import chain reaches
  every registration (issue 16: `app/cli.py`, imported only by `microblog.py`, lost its
  `flask translate` command);
* a module that only **reads** the app inside functions (`app/models.py`, `app/email.py`): its
  uses go through the current app (see `_registrations`); it gets no blueprint;
* an **entry point** — outside the app package, imported by no other module (`microblog.py`,
  `wsgi.py`, `manage.py`, a root `tests.py`): left alone; the factory codemod makes it build an app;
* a module that uses the app **at import time** (`LIMIT = app.config[...]`): left alone, and
  reported when it is inside the package (where it blocks the factory).

Test modules are never converted: by their path, or because they import `unittest` or `pytest`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel, is_test_path
from flaskmod.conventions import BLUEPRINT_VARIABLE
from flaskmod.knowledge import CLI, extension_for
from flaskmod.names import ModuleIndex, qualify
from flaskmod.project import Project, module_name

from ._building import import_from, template
from ._extension_args import call_with, is_app, split_arguments
from ._imports import add_import_line
from ._moving import kept_names, prune_imports
from ._registrations import ToBlueprint, registration_kind, route_endpoints
from ._visiting import visited

_TEST_FRAMEWORKS = frozenset({"unittest", "pytest"})


class Reason(NamedTuple):
    """Why something stays as it is: a manual step, with its place."""

    message: str
    path: str
    line: int | None


@dataclass(frozen=True)
class ViewModule:
    """A module converted in place: registrations onto the default blueprint (if it makes any),
    other uses of the app onto the current app."""

    path: str
    #: the name it imports the app under
    app: str
    endpoints: tuple[str, ...]
    registers: bool = True
    #: statements creating an extension bound to the app (`admin = Admin(app)`): unbound, and
    #: bound to each app that registers the blueprint (`@bp.record`)
    extensions: tuple[int, ...] = ()

    @property
    def module(self) -> str:
        return module_name(self.path)


def movable_kind(statement: cst.BaseStatement, app: str, allow_cli: bool) -> str | None:
    """The registration a statement makes, if a blueprint can make it on this Flask version."""
    kind = registration_kind(statement, app)
    if kind in CLI and not allow_cli:
        return None  # Blueprint.cli and cli_group need Flask 1.1: these stay with the app
    return kind


def view_modules(
    project: Project, model: AppModel, allow_cli: bool, reasons: list[Reason]
) -> Iterator[ViewModule]:
    """The modules to convert, in path order; reasons for those left behind go to `reasons`."""
    for path in project.python_paths():
        if path == model.app_path or is_test_path(path):
            continue
        text = project.text(path)
        if model.app_name not in text or "import" not in text:
            continue
        index = project.index(path)
        app = imported_app(index, model)
        if app is None or _is_tests(index):
            continue
        inside = path.startswith(model.app_dir + "/")
        if inside or imported_by_project(project, path):
            view = _view_module(index, app, allow_cli, reasons if inside else [])
            if view is not None:
                yield view


def imported_app(index: ModuleIndex, model: AppModel) -> str | None:
    """The name a module imports the global app under (`from app import app`), if it does."""
    for name, imported in index.imports.items():
        if imported.module == model.import_name and imported.original == model.app_name:
            return name
    return None


def _is_tests(index: ModuleIndex) -> bool:
    return any(imported.module in _TEST_FRAMEWORKS for imported in index.imports.values())


def imported_by_project(project: Project, path: str) -> bool:
    """Whether another (non-test) module imports `path`: if none does, it is an entry point."""
    module = module_name(path)
    word = module.rsplit(".", 1)[-1]
    for other in project.python_paths():
        if other == path or is_test_path(other) or word not in project.text(other):
            continue
        for imported in project.index(other).imports.values():
            if module in (imported.module, imported.qualified, imported.loads):
                return True
    return False


def _view_module(
    index: ModuleIndex, app: str, allow_cli: bool, reasons: list[Reason]
) -> ViewModule | None:
    """The module as a converted one, if a blueprint and the current app can take every use of
    the app; None if it uses the app at import time, or not at all."""
    readers = sorted(index.readers.get(app, ()))
    registers = False
    extensions: list[int] = []
    for position in readers:
        statement = index.body[position]
        if movable_kind(statement, app, allow_cli) is not None:
            registers = True
        elif bound_extension(index, position, app) is not None:
            extensions.append(position)
            registers = True
        elif not _runtime_only(index, position, app):
            # Inside the package this blocks the factory; outside, the factory makes it an entry point.
            reasons.append(
                Reason(
                    f"uses the global `{app}` at import time; this module keeps it, so the "
                    "factory cannot be built until it is rewritten by hand",
                    index.path,
                    index.statement_line(position),
                )
            )
            return None
    if not readers:
        return None  # imports the app and does nothing with it: a re-export, the factory's
    endpoints = [e for p in readers for e in route_endpoints(index.body[p], app)]
    return ViewModule(index.path, app, tuple(endpoints), registers, tuple(extensions))


def bound_extension(index: ModuleIndex, position: int, app: str) -> BoundHere | None:
    """`name = Ext(app, ...)` of a known extension (or a flask_* one given only the app)."""
    statement = index.body[position]
    if not m.matches(
        statement,
        m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name())], value=m.Call())]),
    ):
        return None
    assign = cst.ensure_type(
        cst.ensure_type(statement, cst.SimpleStatementLine).body[0], cst.Assign
    )
    call = cst.ensure_type(assign.value, cst.Call)
    if not any(is_app(arg, app) for arg in call.args):
        return None
    known = extension_for(qualify(call.func, index.imports), only_app=len(call.args) == 1)
    if known is None:
        return None
    name = cst.ensure_type(assign.targets[0].target, cst.Name).value
    ctor, init = split_arguments(call.args, app, known)
    return BoundHere(name, call.func, ctor, init)


class BoundHere(NamedTuple):
    """An extension instance a view module binds to the app where it creates it."""

    name: str
    cls: cst.BaseExpression
    ctor_args: tuple[cst.Arg, ...]
    init_args: tuple[cst.Arg, ...]


def _bound_per_app(index: ModuleIndex, position: int, app: str) -> list[cst.BaseStatement]:
    """`admin = Admin(app, name=...)` → `admin = Admin(name=...)` and a blueprint `record`
    callback binding it to each app that registers the blueprint: the module runs once, at
    import, but every app `create_app` builds needs the extension."""
    found = bound_extension(index, position, app)
    assert found is not None
    statement = cst.ensure_type(index.body[position], cst.SimpleStatementLine)
    created = statement.with_changes(
        body=[
            cst.Assign(
                [cst.AssignTarget(cst.Name(found.name))], call_with(found.cls, found.ctor_args)
            )
        ]
    )
    init = call_with(
        cst.Attribute(cst.Name(found.name), cst.Name("init_app")),
        [cst.Arg(cst.parse_expression("state.app")), *found.init_args],
    )
    (record,) = template(
        f"@{{bp}}.record\ndef _bind_{found.name}(state):\n"
        f'    """Bind `{found.name}` to each app that registers this blueprint."""\n'
        "    {init}\n",
        bp=cst.Name(BLUEPRINT_VARIABLE),
        init=init,
    )
    gap = [cst.EmptyLine(), cst.EmptyLine()]
    return [created, record.with_changes(leading_lines=gap)]


def _runtime_only(index: ModuleIndex, position: int, app: str) -> bool:
    """Whether a def or class reads the app only in function bodies, which run after the factory
    made an app (not in decorators, defaults, annotations or a class body)."""
    statement = index.body[position]
    if not isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return False
    collector = _ImportTimeNames()
    statement.visit(collector)
    return not collector.names.intersection(index.nodes_reading(app, position))


class _ImportTimeNames(cst.CSTVisitor):
    """Name nodes evaluated when the statement runs: everything but function and lambda bodies."""

    def __init__(self) -> None:
        self.names: set[cst.CSTNode] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            decorator.visit(self)
        node.params.visit(self)
        if node.returns is not None:
            node.returns.visit(self)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        node.params.visit(self)
        return False


# ------------------------------------------------------------------------ conversion
@dataclass
class Converted:
    tree: cst.Module
    transformer: ToBlueprint
    #: (function, line) of plain functions that now take the app as a parameter
    given_app: list[tuple[str, int]]


def convert(
    project: Project, view: ViewModule, bp_module: str, transformer: ToBlueprint
) -> Converted:
    """The module with only its statements that use the app changed: registrations onto the
    blueprint imported from `bp_module`, the rest onto the current app."""
    index = project.index(view.path)
    body: list[list[cst.BaseStatement]] = [[statement] for statement in index.body]
    given: list[tuple[str, int]] = []
    for position in sorted(index.readers.get(view.app, ())):
        if position in view.extensions:
            body[position] = _bound_per_app(index, position, view.app)
            continue
        before = len(transformer.given_app)
        body[position] = visited(index.body[position], transformer, transformer.acts_on)
        given += [(name, index.statement_line(position)) for name in transformer.given_app[before:]]
    if view.registers:
        importer = _ReplaceAppImport(view.app, bp_module)
        for position in index.binders.get(view.app, ()):
            body[position] = [new for old in body[position] for new in visited(old, importer)]
    tree = index.tree.with_changes(body=[statement for part in body for statement in part])
    if not view.registers:
        tree = prune_imports(tree, {view.app})
    for line in transformer.needed_imports:
        tree = add_import_line(tree, line)
    return Converted(tree, transformer, given)


class _ReplaceAppImport(cst.CSTTransformer):
    """`from app import app, db` → `from app import db` + `from app.main import bp`."""

    def __init__(self, app: str, bp_module: str) -> None:
        self.app = app
        self.bp_module = bp_module

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine]:
        node = updated_node.body[0] if len(updated_node.body) == 1 else None
        if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
            return updated_node
        if not any((a.evaluated_alias or a.evaluated_name) == self.app for a in node.names):
            return updated_node
        bp_line = updated_node.with_changes(
            body=[import_from(self.bp_module, BLUEPRINT_VARIABLE).body[0]]
        )
        rest = [a for a in node.names if (a.evaluated_alias or a.evaluated_name) != self.app]
        if not rest:
            return bp_line
        # the names that stay keep the parentheses: over several lines they hold the newlines
        kept = updated_node.with_changes(body=[node.with_changes(names=kept_names(node, rest))])
        return cst.FlattenSentinel([kept, bp_line.with_changes(leading_lines=[])])
