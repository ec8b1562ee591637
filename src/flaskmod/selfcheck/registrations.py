"""Is every module that registers on a blueprint imported when the factory builds the app?

A blueprint collects views, handlers and commands when the modules that decorate it are imported.
Before the migration an entry script could import them (`from app import app, db, cli`); after it,
`create_app` must reach them through its own imports, or `flask --app wsgi translate` silently
disappears.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

import libcst as cst
import libcst.matchers as m

from flaskmod.names import Imported, absolute_module, qualify
from flaskmod.project import Project
from flaskmod.selfcheck.base import Violation, Workspace
from flaskmod.selfcheck.links import import_nodes

RULE = "registrations"
BLUEPRINT_CLASSES = frozenset({"flask.Blueprint", "flask.blueprints.Blueprint"})


def unreachable_registrations(workspace: Workspace) -> Iterator[Violation]:
    final = workspace.final
    blueprints = _blueprints(workspace, final)
    if not blueprints:
        return
    app_module = _app_module(workspace)
    reached = _closure(workspace, final, app_module)
    tests = workspace.tests()
    for path in final.python_paths():
        if path in tests or final.module_name(path) in reached:
            continue
        found = _registration(workspace, final, path, blueprints)
        if found is None:
            continue
        line, name = found
        if _was_unreachable(workspace, path, blueprints):
            continue
        yield workspace.violation(
            RULE,
            path,
            line,
            f"registers on blueprint `{name}`, but nothing {app_module} imports imports this "
            "module: its views, handlers and commands would not exist in the app",
        )


def _app_module(workspace: Workspace) -> str:
    final = workspace.final
    origin = workspace.original.source_of(workspace.model.app_path)
    path = next((p for p in final.files if final.source_of(p) == origin), workspace.model.app_path)
    return final.module_name(path)


def _blueprints(workspace: Workspace, project: Project) -> dict[str, set[str]]:
    """Module → names bound at its top level to a `Blueprint(...)`."""
    found: dict[str, set[str]] = {}
    for path in project.python_paths():
        if "Blueprint" not in project.text(path):
            continue
        imports = workspace.imports(project, path)
        for statement in project.module(path).body:
            if not m.matches(
                statement, m.SimpleStatementLine([m.Assign([m.AssignTarget(m.Name())], m.Call())])
            ):
                continue
            assign = cst.ensure_type(
                cst.ensure_type(statement, cst.SimpleStatementLine).body[0], cst.Assign
            )
            call = cst.ensure_type(assign.value, cst.Call)
            if qualify(call.func, imports) in BLUEPRINT_CLASSES:
                name = cst.ensure_type(assign.targets[0].target, cst.Name).value
                found.setdefault(project.module_name(path), set()).add(name)
    return found


def _registration(
    workspace: Workspace, project: Project, path: str, blueprints: dict[str, set[str]]
) -> tuple[int, str] | None:
    """The first top-level registration on a blueprint in the module: (line, blueprint name)."""
    local = _local_blueprints(workspace.imports(project, path), project, path, blueprints)
    if not local:
        return None
    for position, statement in enumerate(project.module(path).body):
        name = _registers_on(statement, local)
        if name is not None:
            return project.index(path).statement_line(position), name
    return None


def _local_blueprints(
    imports: dict[str, Imported], project: Project, path: str, blueprints: dict[str, set[str]]
) -> set[str]:
    names = {
        local
        for local, imported in imports.items()
        if imported.original is not None
        and imported.original in blueprints.get(imported.module, ())
    }
    return names | blueprints.get(project.module_name(path), set())


def _registers_on(statement: cst.BaseStatement, names: set[str]) -> str | None:
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        for decorator in statement.decorators:
            root = _root(decorator.decorator)
            if root in names:
                return root
        return None
    if m.matches(statement, m.SimpleStatementLine([m.Expr(m.Call())])):
        call = cst.ensure_type(
            cst.ensure_type(statement, cst.SimpleStatementLine).body[0], cst.Expr
        )
        root = _root(call.value)
        if root in names:
            return root
    return None


def _root(node: cst.BaseExpression) -> str | None:
    while isinstance(node, cst.Call | cst.Attribute):
        node = node.func if isinstance(node, cst.Call) else node.value
    return node.value if isinstance(node, cst.Name) else None


def _closure(workspace: Workspace, project: Project, start: str) -> set[str]:
    """Every project module importing `start` imports (anywhere in it), transitively, with the
    packages each lives in (importing `a.b` runs `a/__init__.py` first)."""
    modules = workspace.modules(project)
    seen: set[str] = set()
    queue = deque([start])
    while queue:
        module = queue.popleft()
        if module in seen or module not in modules:
            continue
        seen.add(module)
        parts = module.split(".")
        queue.extend(".".join(parts[:end]) for end in range(1, len(parts)))
        queue.extend(_imported_modules(project, modules[module], modules))
    return seen


def _imported_modules(project: Project, path: str, modules: dict[str, str]) -> Iterator[str]:
    name, package = project.module_name(path), path.endswith("__init__.py")
    for node in import_nodes(project, path):
        if isinstance(node, cst.ImportFrom):
            base = absolute_module(node, name, package)
            yield base
            if not isinstance(node.names, cst.ImportStar):
                yield from (f"{base}.{alias.evaluated_name}" for alias in node.names)
        elif isinstance(node, cst.Import):
            yield from (alias.evaluated_name for alias in node.names)


def _was_unreachable(workspace: Workspace, path: str, blueprints: dict[str, set[str]]) -> bool:
    """The module already registered on a blueprint the original app did not reach."""
    original = workspace.original
    source = workspace.final.source_of(path)
    if source not in original.files:
        return False
    before = _blueprints(workspace, original)
    if _registration(workspace, original, source, before) is None:
        return False
    app = original.module_name(workspace.model.app_path)
    return original.module_name(source) not in _closure(workspace, original, app)
