"""Functions that use the global app, rewritten so they keep working once it is gone.

One rule, documented in the README ("Functions that used the global app"):

* A function that reads the app only through attributes (`app.config[...]`, `app.logger`) reads
  them from `current_app`, which is the app while a request, a CLI command or an app context
  runs — where such helpers are called.
* A function that needs the app object itself — it hands `app` on (to a thread, a helper), or
  opens `app.app_context()` / `app.test_request_context()` / `app.test_client()` — gets a
  keyword parameter `app=None` and starts with `if app is None: app =
  current_app._get_current_object()`. Called inside a request it behaves as before; called from a
  test or a script without a context, the caller passes its app (flaskmod rewrites such calls in
  test modules and entry points). The real object, never the `current_app` proxy, is what is
  handed on: a proxy handed to a thread stops working when the request ends.
* A background task (a function decorated as a Celery/RQ/Dramatiq task or handed to a scheduler
  by reference) runs in a worker with no app context: no rewrite makes it safe, so the factory
  declines with the reason instead of writing something that fails later.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import libcst as cst

from flaskmod.names import ModuleIndex
from flaskmod.pruning import visit_pruned

#: attributes of the app that need the app object, not a proxy within a context
NEEDS_OBJECT = frozenset(
    {"app_context", "test_request_context", "test_client", "test_cli_runner", "run"}
)
#: decorators (their last name) that make a function a background job run by a worker
BACKGROUND_DECORATORS = frozenset(
    {"task", "shared_task", "job", "actor", "periodic_task", "scheduled_job", "cron", "interval"}
)

CURRENT_OBJECT = "current_app._get_current_object()"


class Use(str, Enum):
    #: reads attributes only: `current_app.<attribute>` inside a context does the same
    ATTRIBUTES = "attributes"
    #: needs the app object: gains `app=None`, resolved to the real app when omitted
    OBJECT = "object"
    #: runs in a worker (a task) or as a callback with no context: cannot be made safe
    BACKGROUND = "background"


@dataclass(frozen=True)
class AppUser:
    position: int
    name: str
    use: Use


def classify(index: ModuleIndex, position: int, app: str) -> AppUser:
    """How the function (or class) at `position` uses the module-level `app`."""
    statement = index.body[position]
    name = statement.name.value if isinstance(statement, cst.FunctionDef | cst.ClassDef) else ""
    if isinstance(statement, cst.FunctionDef) and _is_background(statement):
        return AppUser(position, name, Use.BACKGROUND)
    finder = _ObjectUses(index, app)
    visit_pruned(statement, finder, finder.acts_on)
    rebinds = (
        app in index.facts(position).declared_global
    )  # `global app`: no parameter of that name
    if finder.needs_object and isinstance(statement, cst.FunctionDef) and not rebinds:
        use = Use.BACKGROUND if _referenced_as_value(index, name, position) else Use.OBJECT
        return AppUser(position, name, use)
    return AppUser(position, name, Use.ATTRIBUTES)


def _is_background(function: cst.FunctionDef) -> bool:
    for decorator in function.decorators:
        expr = decorator.decorator
        expr = expr.func if isinstance(expr, cst.Call) else expr
        last = expr.attr.value if isinstance(expr, cst.Attribute) else getattr(expr, "value", "")
        if last in BACKGROUND_DECORATORS:
            return True
    return False


def _referenced_as_value(index: ModuleIndex, name: str, position: int) -> bool:
    """`Thread(target=f)`, `scheduler.add_job(f)`: called later, outside any context."""
    for where, node in index.name_reads(name):
        if where != position and not _is_called(index, where, node):
            return True
    return False


def _is_called(index: ModuleIndex, position: int, node: cst.Name) -> bool:
    finder = _CallOf(node)
    visit_pruned(index.body[position], finder, finder.acts_on)
    return finder.called


class _CallOf(cst.CSTVisitor):
    def __init__(self, node: cst.Name) -> None:
        self.node = node
        self.called = False

    def acts_on(self, node: cst.CSTNode) -> bool:
        """The name itself: the call holding it is on the path to it (see `visit_pruned`)."""
        return node is self.node

    def visit_Call(self, node: cst.Call) -> None:
        if node.func is self.node:
            self.called = True


class _ObjectUses(cst.CSTVisitor):
    """Whether any read of the app needs the object (handed on, or a context it opens)."""

    def __init__(self, index: ModuleIndex, app: str) -> None:
        self.index = index
        self.app = app
        self.bases: set[int] = set()
        self.needs_object = False

    def _is_app(self, node: cst.CSTNode) -> bool:
        return self.index.access_names.get(node) == self.app

    def acts_on(self, node: cst.CSTNode) -> bool:
        """Reads of the app: an attribute read from it is on the path to the read."""
        return self._is_app(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self._is_app(node.value):
            self.bases.add(id(node.value))
            self.needs_object |= node.attr.value in NEEDS_OBJECT

    def visit_Name(self, node: cst.Name) -> None:
        if self._is_app(node) and id(node) not in self.bases:
            self.needs_object = True


class ToCurrentApp(cst.CSTTransformer):
    """`app.<attribute>` → `current_app.<attribute>` (functions of `Use.ATTRIBUTES`)."""

    def __init__(self, index: ModuleIndex, app: str) -> None:
        self.index = index
        self.app = app
        self.count = 0

    def acts_on(self, node: cst.CSTNode) -> bool:
        return self.index.access_names.get(node) == self.app

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if self.acts_on(original_node):
            self.count += 1
            return updated_node.with_changes(value="current_app")
        return updated_node


def with_app_parameter(function: cst.FunctionDef, app: str) -> cst.FunctionDef:
    """`def f(x)` → `def f(x, app=None)` resolving `app` to the real app when not given."""
    params = function.params
    default = cst.Param(
        cst.Name(app),
        default=cst.Name("None"),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    if isinstance(params.star_arg, cst.Param) or params.star_kwarg is not None:
        params = params.with_changes(kwonly_params=[*params.kwonly_params, default])
        if params.star_arg is cst.MaybeSentinel.DEFAULT:
            params = params.with_changes(star_arg=cst.ParamStar())
    else:
        params = params.with_changes(params=[*params.params, default])
    guard = cst.parse_statement(f"if {app} is None:\n    {app} = {CURRENT_OBJECT}\n")
    body = cst.ensure_type(function.body, cst.IndentedBlock)
    statements = list(body.body)
    at = 1 if statements and _is_docstring(statements[0]) else 0
    statements.insert(at, guard)
    return function.with_changes(params=params, body=body.with_changes(body=statements))


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )
