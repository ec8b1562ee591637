"""Is `current_app` ever handed on as a value?

`current_app` is a proxy to the app of the context it is read in. Handed to a thread, stored on an
object or returned, it points at nothing once the request ends ("Working outside of application
context" in the mail thread, after the response was sent). `current_app.app_context()` pushes a
context for an app that must already be current: it helps nowhere. The real object is
`current_app._get_current_object()`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import libcst as cst
import libcst.matchers as m

from flaskmod.names import ModuleIndex
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
    for path in sorted(workspace.changed):
        lines = workspace.final.text(path).splitlines()
        if not any(
            _SUSPECT.search(line) for line in lines if not line.lstrip().startswith(_IMPORT)
        ):
            continue
        if not _is_the_proxy(workspace.final.index(path)):
            continue  # the module's own `current_app` (a view called so), not Flask's
        found = _handed_on(workspace.final.index(path).tree)
        before = workspace.before(path)
        old = (
            Counter(kind for kind, _ in _handed_on(cst.parse_module(before)))
            if before and PROXY in before
            else Counter()
        )
        index = workspace.final.index(path)
        for kind, node in found:
            if old[kind]:
                old[kind] -= 1  # the original already did this: not the migration's doing
                continue
            yield workspace.violation(RULE, path, index.line(node), _MESSAGES[kind])


def _is_the_proxy(index: ModuleIndex) -> bool:
    """Does `current_app` here name Flask's proxy (imported from flask)?"""
    imported = index.imports.get(PROXY)
    return imported is not None and imported.module.split(".")[0] == "flask"


_MESSAGES = {
    "value": "`current_app` handed on as a value: it stops working when the context ends; "
    "use `current_app._get_current_object()`",
    "context": "`current_app.app_context()`: the proxy only works where the app is already "
    "current; use the app object (`current_app._get_current_object()`, or an `app` parameter)",
}


#: text that can only be there if the proxy is used bare (not `current_app.x`) or as a context
_SUSPECT = re.compile(rf"\b{PROXY}\b(?!\s*\.)|\b{PROXY}\s*\.\s*app_context\b")


_IMPORT = ("from ", "import ")


def _handed_on(tree: cst.CSTNode) -> list[tuple[str, cst.CSTNode]]:
    finder = _Finder()
    tree.visit(finder)
    return finder.found


class _Finder(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[str, cst.CSTNode]] = []

    def _value(self, node: cst.BaseExpression | None, at: cst.CSTNode) -> None:
        if node is None:
            return
        if m.matches(node, m.Name(PROXY)):
            self.found.append(("value", at))
        elif isinstance(node, cst.List | cst.Tuple | cst.Set):
            for element in node.elements:
                self._value(element.value, at)

    def visit_Call(self, node: cst.Call) -> None:
        if m.matches(
            node.func,
            m.Attribute(
                value=m.Name(PROXY), attr=m.MatchIfTrue(lambda n: n.value in OBJECT_METHODS)
            ),
        ):
            self.found.append(("context", node))
        if m.matches(node.func, m.Name(m.MatchIfTrue(lambda name: name in READERS))):
            return
        for arg in node.args:
            self._value(arg.value, node)

    def visit_Return(self, node: cst.Return) -> None:
        self._value(node.value, node)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._value(node.value, node)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        self._value(node.value, node)
