"""Is `current_app` ever handed on as a value?

`current_app` is a proxy to the app of the context it is read in. Handed to a thread, stored on an
object or returned, it points at nothing once the request ends ("Working outside of application
context" in the mail thread, after the response was sent). `current_app.app_context()` pushes a
context for an app that must already be current: it helps nowhere. The real object is
`current_app._get_current_object()`.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable, Iterator

import libcst as cst
import libcst.matchers as m

from flaskmod.names import Imported, bindings_of, import_statements
from flaskmod.selfcheck.base import Violation, Workspace

RULE = "proxies"
PROXY = "current_app"
#: methods that need the app object, never its proxy
OBJECT_METHODS = frozenset({"app_context"})
#: builtins that only read the object they are given: the proxy is fine there
READERS = frozenset(
    {"getattr", "hasattr", "setattr", "isinstance", "id", "repr", "str", "print", "type", "vars"}
)


def proxies_handed_on(workspace: Workspace) -> Iterator[Violation]:
    final = workspace.final
    for path in sorted(workspace.changed):
        if not _suspect(final.text(path), _import_lines(workspace.python_ast(path))):
            continue
        module_level = _is_the_proxy(workspace.imports(final, path))
        if not module_level and not _imported_within(final.module(path)):
            continue  # the module's own `current_app` (a view called so), not Flask's
        found = _handed_on(workspace.sightings(final, path))
        if not found:
            continue
        before = workspace.before(path)
        old: Counter[str] = Counter()
        if before and PROXY in before:
            sighted = workspace.sightings(workspace.original, final.source_of(path))
            old = Counter(kind for kind, _, _ in _handed_on(sighted))
        for kind, position, node in found:
            if old[kind]:
                old[kind] -= 1  # the original already did this: not the migration's doing
                continue
            line = final.index(path).line(node, position)
            yield workspace.violation(RULE, path, line, _MESSAGES[kind])


def _suspect(text: str, skipped: set[int]) -> bool:
    """Whether a line outside imports uses the proxy bare or pushes its context (a line that
    starts with an import may hold more: `from flask import current_app; x = [current_app]`)."""
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if number not in skipped and _SUSPECT.search(line):
            return True
    return False


#: how Python numbers lines
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _import_lines(tree: ast.Module | SyntaxError) -> set[int]:
    """Lines that only top-level imports occupy: `from flask import (\n    current_app,\n)`
    names the proxy bare on a line of its own, and hands nothing on."""
    if isinstance(tree, SyntaxError):
        return set()
    imports: set[int] = set()
    others: set[int] = set()
    for statement in tree.body:
        lines = range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
        (imports if isinstance(statement, ast.Import | ast.ImportFrom) else others).update(lines)
    return imports - others


def _is_the_proxy(imports: dict[str, Imported]) -> bool:
    """Does `current_app` here name Flask's proxy (imported from flask)?"""
    imported = imports.get(PROXY)
    return imported is not None and imported.module.split(".")[0] == "flask"


def _imported_within(tree: cst.Module) -> bool:
    """Is Flask's proxy imported inside a function or block (`from flask import current_app`
    in the function that hands it on)?"""
    return _is_the_proxy(bindings_of(import_statements(tree)))


_MESSAGES = {
    "value": "`current_app` handed on as a value: it stops working when the context ends; "
    "use `current_app._get_current_object()`",
    "context": "`current_app.app_context()`: the proxy only works where the app is already "
    "current; use the app object (`current_app._get_current_object()`, or an `app` parameter)",
}


#: text that can only be there if the proxy is used bare (not `current_app.x`) or as a context
_SUSPECT = re.compile(rf"\b{PROXY}\b(?!\s*\.)|\b{PROXY}\s*\.\s*app_context\b")


def _handed_on(sighted: Iterable[tuple[int, cst.CSTNode]]) -> list[tuple[str, int, cst.CSTNode]]:
    """(kind, statement position, node) of every hand-on of the proxy, in source order."""
    found: list[tuple[str, int, cst.CSTNode]] = []
    for position, node in sighted:
        if isinstance(node, cst.Call):
            if m.matches(node.func, _CONTEXT):
                found.append(("context", position, node))
            if not m.matches(node.func, _READER):
                found += (("value", position, node) for _ in _values(a.value for a in node.args))
        elif isinstance(node, cst.Return | cst.Assign | cst.DictElement):
            found += (("value", position, node) for _ in _values([node.value]))
    return found


_CONTEXT = m.Attribute(
    value=m.Name(PROXY), attr=m.MatchIfTrue(lambda name: name.value in OBJECT_METHODS)
)
_READER = m.Name(m.MatchIfTrue(lambda name: name in READERS))


def _values(values: Iterable[cst.BaseExpression | None]) -> Iterator[None]:
    """One item per bare `current_app` among `values` (list, tuple and set elements too)."""
    for value in values:
        if value is None:
            continue
        if m.matches(value, m.Name(PROXY)):
            yield None
        elif isinstance(value, cst.List | cst.Tuple | cst.Set):
            yield from _values(element.value for element in value.elements)
