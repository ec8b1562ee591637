"""`@app.route` views and app hooks → a `main` blueprint in `<package>/main/`.

Why: a factory has no app at import time to decorate, so views register on a Blueprint that the
factory registers (Flask guidelines §1). App-wide registrations keep their app-wide effect through
the blueprint's `app_*` forms (`errorhandler` → `app_errorhandler`, `before_request` →
`before_app_request`): a plain `bp.errorhandler` would only see this blueprint's requests.

Endpoints gain the blueprint prefix (`index` → `main.index`), so every literal reference is
rewritten, in Python and in Jinja templates. Inside moved code the global `app` becomes
`current_app`. Module state that a view rebinds with `global` must live in the same module as the
view; views whose state cannot move with them stay on the app and are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel, Layout
from flaskmod.errors import Finding, Location, Severity
from flaskmod.pipeline import Options, Outcome
from flaskmod.project import Project

from ._endpoints import rewrite_python, rewrite_templates
from ._file_anchor import reanchor
from ._moving import ModuleIndex, dotted, imports_for, local_top_modules, prune_imports

ORDER = 40
SUMMARY = "Move views, error handlers and request hooks into a `main` blueprint."

# app decorator → blueprint decorator with the same (app-wide) effect
DECORATORS = {
    "route": "route",
    "get": "get",
    "post": "post",
    "put": "put",
    "delete": "delete",
    "patch": "patch",
    "errorhandler": "app_errorhandler",
    "before_request": "before_app_request",
    "after_request": "after_app_request",
    "teardown_request": "teardown_app_request",
    "context_processor": "app_context_processor",
    "template_filter": "app_template_filter",
    "template_global": "app_template_global",
    "template_test": "app_template_test",
    "url_value_preprocessor": "app_url_value_preprocessor",
    "url_defaults": "app_url_defaults",
}
ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "delete", "patch"})
BLUEPRINT_VARIABLE = "bp"


@dataclass(frozen=True)
class _Plan:
    moved: frozenset[int]
    endpoints: dict[str, str]  # old endpoint → function or view name it came from
    stays: dict[int, str]  # statement kept on the app → why


def _app_decorator(decorator: cst.Decorator, app: str) -> str | None:
    expr = decorator.decorator
    func = expr.func if isinstance(expr, cst.Call) else expr
    if m.matches(func, m.Attribute(value=m.Name(app))):
        return func.attr.value  # type: ignore[attr-defined, no-any-return]
    return None


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _route_endpoints(statement: cst.BaseStatement, app: str) -> list[str]:
    """Endpoints a statement registers on the app (decorated view or add_url_rule)."""
    if isinstance(statement, cst.FunctionDef):
        endpoints = []
        for decorator in statement.decorators:
            if _app_decorator(decorator, app) in ROUTE_DECORATORS:
                call = decorator.decorator
                explicit = None
                if isinstance(call, cst.Call):
                    for arg in call.args:
                        if arg.keyword and arg.keyword.value == "endpoint":
                            explicit = _string(arg.value)
                endpoints.append(explicit or statement.name.value)
        return sorted(set(endpoints))
    call = _add_url_rule(statement, app)
    if call is None:
        return []
    positional = [arg for arg in call.args if arg.keyword is None]
    keywords = {arg.keyword.value: arg.value for arg in call.args if arg.keyword}
    endpoint = keywords.get("endpoint") or (positional[1].value if len(positional) > 1 else None)
    if endpoint is not None and _string(endpoint):
        return [_string(endpoint)]  # type: ignore[list-item]
    view = keywords.get("view_func") or (positional[2].value if len(positional) > 2 else None)
    if isinstance(view, cst.Name):
        return [view.value]
    if m.matches(
        view,
        m.Call(
            func=m.Attribute(attr=m.Name("as_view")), args=[m.Arg(m.SimpleString()), m.ZeroOrMore()]
        ),
    ):
        return [_string(view.args[0].value)]  # type: ignore[union-attr, list-item]
    return []


def _add_url_rule(statement: cst.BaseStatement, app: str) -> cst.Call | None:
    if m.matches(
        statement,
        m.SimpleStatementLine(
            body=[m.Expr(m.Call(func=m.Attribute(value=m.Name(app), attr=m.Name("add_url_rule"))))]
        ),
    ):
        return statement.body[0].value  # type: ignore[attr-defined, no-any-return]
    return None


def _registers(statement: cst.BaseStatement, app: str) -> bool:
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return any(_app_decorator(d, app) in DECORATORS for d in statement.decorators)
    return _add_url_rule(statement, app) is not None


class _Globals(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Global(self, node: cst.Global) -> None:
        self.names |= {item.name.value for item in node.names}


def _declared_global(statement: cst.CSTNode) -> set[str]:
    visitor = _Globals()
    statement.visit(visitor)
    return visitor.names


def _movable_helper(
    statement: cst.BaseStatement, index: ModuleIndex, position: int, app: str
) -> bool:
    if index.reads(position, app):
        return False
    if isinstance(statement, cst.FunctionDef):
        return not statement.decorators
    return m.matches(
        statement,
        m.SimpleStatementLine(
            body=[m.Assign(targets=[m.AssignTarget(m.Name())]) | m.AnnAssign(target=m.Name())]
        ),
    )


def plan_moves(index: ModuleIndex, app: str, imported_elsewhere: set[str]) -> _Plan:
    """Which top-level statements move: the registrations, plus the helpers and state they own."""
    registrations = {i for i, s in enumerate(index.body) if _registers(s, app)}
    global_users: dict[str, set[int]] = {}
    for position, statement in enumerate(index.body):
        for name in _declared_global(statement):
            global_users.setdefault(name, set()).add(position)
    stays: dict[int, str] = {}
    while True:
        moved = set(registrations) - set(stays)
        changed = True
        while changed:
            changed = False
            for name in sorted((index.names_read_by(moved) | _globals_of(index, moved)) - {app}):
                # Functions declaring `global name` also bind it; the definition is the other one.
                binders = [
                    b for b in index.binders.get(name, []) if b not in global_users.get(name, set())
                ]
                if len(binders) != 1 or binders[0] in moved:
                    continue
                binder = binders[0]
                statement = index.body[binder]
                forced = name in global_users
                readers = index.readers.get(name, set()) - {binder}
                wanted = forced or (readers and readers <= moved and name not in imported_elsewhere)
                if not wanted or not _movable_helper(statement, index, binder, app):
                    continue
                group = {binder} | global_users.get(name, set())
                if all(_movable_helper(index.body[p], index, p, app) or p in moved for p in group):
                    moved |= group
                    changed = True
        # A rebound name must not be shared by moved and unmoved code.
        broken = False
        for name, users in global_users.items():
            binders = set(index.binders.get(name, []))
            touching = {p for p in index.readers.get(name, set()) | users | binders}
            if touching & moved and not touching <= moved:
                for position in touching & set(registrations):
                    if position not in stays:
                        stays[position] = (
                            f"rebinds module state `{name}` (global) that code left in the app "
                            "module also uses"
                        )
                        broken = True
        if not broken:
            break
    endpoints: dict[str, str] = {}
    for position in sorted(moved & registrations):
        for endpoint in _route_endpoints(index.body[position], app):
            endpoints[endpoint] = endpoint
    return _Plan(frozenset(moved), endpoints, stays)


def _globals_of(index: ModuleIndex, positions: set[int]) -> set[str]:
    names: set[str] = set()
    for position in positions:
        names |= _declared_global(index.body[position])
    return names


class _ToBlueprint(cst.CSTTransformer):
    """Decorators `app.x` → `bp.app_x`; every other read of the global app → `current_app`."""

    def __init__(self, index: ModuleIndex, app: str) -> None:
        self.index = index
        self.app = app
        self.uses_current_app = False

    def visit_Decorator(self, node: cst.Decorator) -> bool:
        # An app decorator is replaced whole in leave_Decorator; its `app` is not a use.
        return _app_decorator(node, self.app) not in DECORATORS

    def leave_Decorator(
        self, original_node: cst.Decorator, updated_node: cst.Decorator
    ) -> cst.Decorator:
        name = _app_decorator(original_node, self.app)
        if name not in DECORATORS:
            return updated_node
        expr = updated_node.decorator
        new_func = cst.Attribute(
            value=cst.Name(BLUEPRINT_VARIABLE), attr=cst.Name(DECORATORS[name])
        )
        if isinstance(expr, cst.Call):
            return updated_node.with_changes(decorator=expr.with_changes(func=new_func))
        return updated_node.with_changes(decorator=new_func)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if m.matches(
            original_node.func, m.Attribute(value=m.Name(self.app), attr=m.Name("add_url_rule"))
        ) and (
            isinstance(original_node.func, cst.Attribute)
            and self.index.access_names.get(original_node.func.value) == self.app
        ):
            return updated_node.with_changes(
                func=cst.Attribute(
                    value=cst.Name(BLUEPRINT_VARIABLE), attr=cst.Name("add_url_rule")
                )
            )
        return updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if self.index.access_names.get(original_node) == self.app:
            self.uses_current_app = True
            return updated_node.with_changes(value="current_app")
        return updated_node


def imported_names(project: Project, module: str, exclude: str) -> set[str]:
    """Names other project modules import from `module` by name."""
    names: set[str] = set()
    for path in project.python_paths():
        if path == exclude or module not in project.text(path):
            continue
        for node in m.findall(project.module(path), m.ImportFrom()):
            assert isinstance(node, cst.ImportFrom)
            if (
                node.module is not None
                and not node.relative
                and dotted(node.module) == module
                and not isinstance(node.names, cst.ImportStar)
            ):
                names |= {alias.evaluated_name for alias in node.names}
    return names


def transform(project: Project, model: AppModel, options: Options) -> Outcome:
    if model.layout is Layout.FACTORY:
        return Outcome(project)
    if model.layout is Layout.MODULE:
        return Outcome(
            project,
            (
                Finding(
                    Location(model.app_path),
                    "blueprints needs the app in a package: run `package` first",
                ),
            ),
        )
    index = ModuleIndex(project, model.app_path)
    app = model.app_name
    package = model.import_name
    blueprint = options.blueprint
    bp_dir = f"{model.app_dir}/{blueprint}"
    routes_path = f"{bp_dir}/routes.py"
    init_path = f"{bp_dir}/__init__.py"
    findings: list[Finding] = []
    elsewhere = imported_names(project, package, model.app_path)
    plan = plan_moves(index, app, elsewhere)
    for position, why in sorted(plan.stays.items()):
        findings.append(
            Finding(
                Location(model.app_path, index.statement_line(position)),
                f"left registered on the app: it {why}",
            )
        )
    if not plan.moved:
        return Outcome(project, tuple(findings))
    if routes_path in project or init_path in project:
        findings.append(
            Finding(Location(init_path), f"{bp_dir}/ already exists; views left on the app")
        )
        return Outcome(project, tuple(findings))

    moved = sorted(plan.moved)
    transformer = _ToBlueprint(index, app)
    moved_code: list[str] = []
    for position in moved:
        statement = index.body[position].visit(transformer)
        statement, unhandled = reanchor(statement, model.app_dir, bp_dir)
        if unhandled:
            findings.append(
                Finding(
                    Location(model.app_path, index.statement_line(position)),
                    "uses __file__ in a way flaskmod cannot re-anchor; check the path",
                )
            )
        statement = statement.with_changes(
            leading_lines=_spacing(statement, statement.leading_lines, first=not moved_code)
        )
        moved_code.append(index.tree.code_for_node(statement))

    reads = index.names_read_by(plan.moved) - index.names_bound_by(plan.moved) - {app}
    imports, _ = imports_for(
        index, reads, local_modules=local_top_modules(project), source_module=package
    )
    if transformer.uses_current_app:
        imports.add("from flask import current_app")
    imports.add(f"from {package}.{blueprint} import {BLUEPRINT_VARIABLE}", local=True)
    routes = (
        f'"""Views of the `{blueprint}` blueprint, moved from {model.app_path}."""\n\n'
        + imports.render()
        + "\n\n\n"
        + _join_statements(moved_code)
    )
    init = (
        f'"""The `{blueprint}` blueprint: the views that were registered on the app."""\n\n'
        "from flask import Blueprint\n\n"
        f'{BLUEPRINT_VARIABLE} = Blueprint("{blueprint}", __name__)\n\n'
        "# Imported last: the views module needs `bp` to register its views on it.\n"
        "from . import routes  # noqa: E402, F401\n"
    )

    # The app module: moved statements gone, unused imports pruned, the blueprint registered.
    body = [s for i, s in enumerate(index.body) if i not in plan.moved]
    unused = {
        name
        for name in index.imports
        if index.readers.get(name) and index.only_read_within(name, plan.moved)
    }
    registration = cst.parse_module(
        f"from .{blueprint} import {BLUEPRINT_VARIABLE} as {blueprint}_bp\n\n"
        f"{app}.register_blueprint({blueprint}_bp)\n"
    ).body
    first, *rest = registration
    body += [first.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()]), *rest]
    tree = prune_imports(index.tree.with_changes(body=body), unused)

    mapping = {old: f"{blueprint}.{old}" for old in plan.endpoints}
    new_project = project.with_changes(
        modules={model.app_path: tree}, texts={routes_path: routes, init_path: init}
    )
    trees, found = rewrite_python(new_project, mapping)
    findings += found
    texts, found = rewrite_templates(new_project, mapping, list(model.templates))
    findings += found
    trees.update(
        _rewrite_imports_of_moved(
            new_project, package, f"{package}.{blueprint}.routes", index, plan, trees
        )
    )
    new_project = new_project.with_changes(modules=trees, texts=texts)
    findings.append(
        Finding(
            Location(routes_path),
            f"{len(plan.endpoints)} endpoint(s) now carry the `{blueprint}.` prefix; "
            f"{len(texts)} template(s) and {len(trees)} Python file(s) updated",
            Severity.NOTE,
        )
    )
    return Outcome(new_project, tuple(findings))


def _spacing(
    statement: cst.BaseStatement, lines: Sequence[cst.EmptyLine], *, first: bool
) -> list[cst.EmptyLine]:
    """PEP 8 spacing in the new module: two blank lines around defs, comments kept."""
    comments = [line for line in lines if line.comment is not None]
    if first:
        return comments
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return [cst.EmptyLine(), cst.EmptyLine(), *comments]
    blanks = min(2, sum(1 for line in lines if line.comment is None))
    return [cst.EmptyLine()] * blanks + comments


def _join_statements(codes: list[str]) -> str:
    """Statements joined as written: `_spacing` already gave each its leading lines."""
    return "".join(code if code.endswith("\n") else code + "\n" for code in codes)


def _rewrite_imports_of_moved(
    project: Project,
    package: str,
    new_module: str,
    index: ModuleIndex,
    plan: _Plan,
    edited: dict[str, cst.Module],
) -> dict[str, cst.Module]:
    """`from app import helper` elsewhere → `from app.main.routes import helper` for moved names."""
    moved_names = index.names_bound_by(plan.moved)
    changed: dict[str, cst.Module] = {}
    for path in project.python_paths():
        if path == index.path or package not in project.text(path):
            continue
        tree = edited.get(path) or project.module(path)
        new = tree.visit(_SplitImport(package, new_module, moved_names))
        if not new.deep_equals(tree):
            changed[path] = new
    return changed


class _SplitImport(cst.CSTTransformer):
    def __init__(self, package: str, new_module: str, moved: set[str]) -> None:
        self.package = package
        self.new_module = new_module
        self.moved = moved

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine]:
        if len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.ImportFrom):
            return updated_node
        node = updated_node.body[0]
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return updated_node
        if dotted(node.module) != self.package:
            return updated_node
        stay = [a for a in node.names if a.evaluated_name not in self.moved]
        go = [a for a in node.names if a.evaluated_name in self.moved]
        if not go:
            return updated_node
        go[-1] = go[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        moved_line = updated_node.with_changes(
            body=[cst.ImportFrom(module=cst.parse_expression(self.new_module), names=go)]  # type: ignore[arg-type]
        )
        if not stay:
            return moved_line
        stay[-1] = stay[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        kept = updated_node.with_changes(body=[node.with_changes(names=stay, lpar=None, rpar=None)])
        return cst.FlattenSentinel([kept, moved_line.with_changes(leading_lines=[])])
