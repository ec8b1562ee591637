"""What registers something on the app, and how the same registration reads on a blueprint.

Flask's rule: a blueprint's own `errorhandler`, `before_request`, `context_processor` and
`template_filter` only apply to that blueprint's requests; the `app_*` forms keep the app-wide effect
the legacy code had. CLI commands go to the blueprint's `cli` group, which the blueprint is created
with `cli_group=None` for, so `flask <name>` keeps its name.

Code that read the global app reads the app of the current context instead, under one rule: the
proxy `current_app` only where an attribute is read from it (`current_app.config[...]`); the real
app wherever the object itself is needed, because a proxy handed on outlives its context:

* handed on as a value (an argument, `Thread(args=[app, msg])`, a keyword value, an assignment, a
  return value, an attribute set on an object) → `current_app._get_current_object()`;
* asked for something that keeps it (`app.app_context()`, `app.test_client()`): inside code that
  runs in a context (a view, a hook, a command, a method) → `current_app._get_current_object()`;
* a plain top-level function that opens a context with it (`with app.app_context():` in
  `init_db()`) is meant to run where there is none (a script, a test, a thread), so it takes the
  app as a parameter: `def init_db(app=None)`, the current app when none is passed.

`current_app.app_context()` is never written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

from flaskmod.knowledge import (
    APP_OBJECT_METHODS,
    CALLS,
    CLI,
    DECORATORS,
    FIRST_REQUEST,
    JINJA_REGISTRIES,
    ROUTES,
)
from flaskmod.names import find_nodes

from ._app_users import with_app_parameter


def app_attribute(node: cst.BaseExpression, app: str) -> str | None:
    """`app.route` → "route", `app.cli.command` → "cli.command"; None if not on `app`."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name) and node.value == app and parts:
        return ".".join(reversed(parts))
    return None


def decorator_name(decorator: cst.Decorator, app: str) -> str | None:
    expr = decorator.decorator
    return app_attribute(expr.func if isinstance(expr, cst.Call) else expr, app)


def _call_name(statement: cst.BaseStatement, app: str) -> tuple[str, cst.Call] | None:
    """`app.x(...)` or `app.x(...)(f)` as a whole statement → ("x", outer call)."""
    if not m.matches(statement, m.SimpleStatementLine(body=[m.Expr(m.Call())])):
        return None
    line = cst.ensure_type(statement, cst.SimpleStatementLine)
    call = cst.ensure_type(cst.ensure_type(line.body[0], cst.Expr).value, cst.Call)
    func = call.func.func if isinstance(call.func, cst.Call) else call.func
    name = app_attribute(func, app)
    return (name, call) if name else None


def _jinja_registration(
    statement: cst.BaseStatement, app: str
) -> tuple[str, str, cst.BaseExpression] | None:
    """`app.jinja_env.filters["x"] = f` → ("filters", "x", f)."""
    if not m.matches(
        statement, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Subscript())])])
    ):
        return None
    line = cst.ensure_type(statement, cst.SimpleStatementLine)
    assign = cst.ensure_type(line.body[0], cst.Assign)
    target = cst.ensure_type(assign.targets[0].target, cst.Subscript)
    registry = app_attribute(target.value, app)
    if registry is None or not registry.startswith("jinja_env."):
        return None
    kind = registry.split(".", 1)[1]
    if kind not in JINJA_REGISTRIES or len(target.slice) != 1:
        return None
    key = target.slice[0].slice
    if not isinstance(key, cst.Index) or not isinstance(key.value, cst.SimpleString):
        return None
    return kind, str(key.value.evaluated_value), assign.value


def registration_kind(statement: cst.BaseStatement, app: str) -> str | None:
    """What a top-level statement registers on the app, if it is a registration."""
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        for decorator in statement.decorators:
            name = decorator_name(decorator, app)
            if name in DECORATORS or name == FIRST_REQUEST:
                return name
        return None
    called = _call_name(statement, app)
    if called is not None and (called[0] in CALLS or called[0] == "register_error_handler"):
        return called[0]
    if _jinja_registration(statement, app) is not None:
        return "jinja_env"
    return None


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def route_endpoints(statement: cst.BaseStatement, app: str) -> list[str]:
    """Endpoints a statement registers on the app (decorated view or add_url_rule)."""
    if isinstance(statement, cst.FunctionDef):
        endpoints = []
        for decorator in statement.decorators:
            if decorator_name(decorator, app) in ROUTES:
                call = decorator.decorator
                explicit = None
                if isinstance(call, cst.Call):
                    for arg in call.args:
                        if arg.keyword and arg.keyword.value == "endpoint":
                            explicit = _string(arg.value)
                endpoints.append(explicit or statement.name.value)
        return sorted(set(endpoints))
    called = _call_name(statement, app)
    if called is None or called[0] != "add_url_rule":
        return []
    call = called[1]
    positional = [arg for arg in call.args if arg.keyword is None]
    keywords = {arg.keyword.value: arg.value for arg in call.args if arg.keyword}
    endpoint = keywords.get("endpoint") or (positional[1].value if len(positional) > 1 else None)
    explicit = _string(endpoint) if endpoint is not None else None
    if explicit:
        return [explicit]
    view = keywords.get("view_func") or (positional[2].value if len(positional) > 2 else None)
    if isinstance(view, cst.Name):
        return [view.value]
    if view is not None and m.matches(
        view,
        m.Call(
            func=m.Attribute(attr=m.Name("as_view")), args=[m.Arg(m.SimpleString()), m.ZeroOrMore()]
        ),
    ):
        named = _string(cst.ensure_type(view, cst.Call).args[0].value)
        return [named] if named is not None else []
    return []


def _arguments(statement: cst.SimpleStatementLine) -> list[cst.CSTNode]:
    """The arguments of a registration call (where `app` is a real use, not the receiver)."""
    small = statement.body[0]
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        call = small.value
        args: list[cst.CSTNode] = list(call.args)
        if isinstance(call.func, cst.Call):
            args += list(call.func.args)
        return args
    if isinstance(small, cst.Assign):
        return [small.value]
    return []


def _attribute(base: str, dotted: str) -> cst.BaseExpression:
    expr: cst.BaseExpression = cst.Name(base)
    for part in dotted.split("."):
        expr = cst.Attribute(value=expr, attr=cst.Name(part))
    return expr


@dataclass
class ToBlueprint(cst.CSTTransformer):
    """Registrations `app.x` → `bp.<app-wide x>`; other reads of the global app → the app of the
    current context (see the module's docstring for the rule).

    `access_names` maps the Name nodes that read module globals to the global's name (scope
    analysis of the source module), so a local or parameter called `app` is left alone. Visit one
    top-level statement at a time: a top-level function is the statement itself.
    """

    access_names: dict[cst.CSTNode, str]
    app: str
    blueprint: str = "bp"
    uses_current_app: bool = False
    uses_cli: bool = False
    first_request: list[str] = field(default_factory=list)
    #: Flask < 2.3 still has `before_app_first_request`: keep the exact semantics there
    keep_first_request: bool = False
    #: plain functions that now take the app as a parameter (`def init_db(app=None)`)
    given_app: list[str] = field(default_factory=list)
    #: Flask ≥ 1.1: commands go to `bp.cli`; before, they become click commands that the
    #: blueprint adds to each app's `app.cli` when it is registered (`bp.record`)
    blueprint_cli: bool = True
    #: names the recorded commands need from `flask.cli` (`with_appcontext`, `AppGroup`)
    flask_cli: set[str] = field(default_factory=set)
    _commands: dict[int, str] = field(default_factory=dict)
    _bases: set[int] = field(default_factory=set)
    _skip: set[int] = field(default_factory=set)
    _depth: int = 0
    #: the function taking the app as a parameter, and whether its body is being visited
    _taking: cst.FunctionDef | None = None
    _in_body: bool = False

    def _is_app(self, node: cst.CSTNode) -> bool:
        return self.access_names.get(node) == self.app

    def acts_on(self, node: cst.CSTNode) -> bool:
        """Whether a hook below may change or track `node` (see `_visiting.visited`): every
        def, class and decorator, and every name spelled like the app."""
        kind = type(node)  # asked of every node: compared by identity, no `abc` check
        if kind is cst.Name and isinstance(node, cst.Name):
            return node.value == self.app
        return kind is cst.Decorator or kind is cst.FunctionDef or kind is cst.ClassDef

    # -- registrations ----------------------------------------------------------------
    def visit_Decorator(self, node: cst.Decorator) -> bool:
        # A registration decorator is replaced whole; its `app` is not a use.
        name = decorator_name(node, self.app)
        return name not in DECORATORS and name != FIRST_REQUEST

    def leave_Decorator(
        self, original_node: cst.Decorator, updated_node: cst.Decorator
    ) -> cst.Decorator | cst.RemovalSentinel:
        name = decorator_name(original_node, self.app)
        if name == FIRST_REQUEST and not self.keep_first_request:
            return cst.RemoveFromParent()
        if name not in DECORATORS and name != FIRST_REQUEST:
            return updated_node
        if name in CLI and not self.blueprint_cli:
            return self._click_decorator(name, updated_node)
        self.uses_cli |= name in CLI
        target = "before_app_first_request" if name == FIRST_REQUEST else DECORATORS[name]
        new_func = _attribute(self.blueprint, target)
        expr = updated_node.decorator
        if isinstance(expr, cst.Call):
            return updated_node.with_changes(decorator=expr.with_changes(func=new_func))
        return updated_node.with_changes(decorator=new_func)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._depth == 0 and self._opens_context(node):
            self._taking = node
        self._depth += 1

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef | cst.FlattenSentinel[cst.BaseStatement]:
        self._depth -= 1
        if self._depth == 0 and 0 in self._commands:
            return self._recorded_command(updated_node)
        if not self.keep_first_request and any(
            decorator_name(d, self.app) == FIRST_REQUEST for d in original_node.decorators
        ):
            self.first_request.append(original_node.name.value)
        if original_node is self._taking:
            self._taking = None
            self.given_app.append(original_node.name.value)
            return self._taking_app(updated_node)
        return updated_node

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._depth += 1

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        self._depth -= 1
        return updated_node

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        # The `app` of a registration statement is replaced with the blueprint, not proxied.
        if registration_kind(node, self.app) is not None:
            self._skip |= {id(n) for n in find_nodes(node.body[0], m.Name(self.app))}
            for argument in _arguments(node):
                self._skip -= {id(n) for n in find_nodes(argument, m.Name(self.app))}

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.BaseStatement:
        jinja = _jinja_registration(original_node, self.app)
        if jinja is not None:
            kind, key, _ = jinja
            value = cst.ensure_type(updated_node.body[0], cst.Assign).value
            call = cst.Call(
                func=_attribute(self.blueprint, JINJA_REGISTRIES[kind]),
                args=[cst.Arg(value), cst.Arg(cst.SimpleString(repr(key)))],
            )
            return updated_node.with_changes(body=[cst.Expr(call)])
        called = _call_name(original_node, self.app)
        if called is None:
            return updated_node
        name, _ = called
        call = cst.ensure_type(cst.ensure_type(updated_node.body[0], cst.Expr).value, cst.Call)
        if name == "register_error_handler" and len(call.args) == 2:
            code, handler = call.args
            decorator = cst.Call(
                func=_attribute(self.blueprint, "app_errorhandler"),
                args=[code.with_changes(comma=cst.MaybeSentinel.DEFAULT)],
            )
            new_call = cst.Call(func=decorator, args=[handler])
            return updated_node.with_changes(body=[cst.Expr(new_call)])
        if name not in CALLS:
            return updated_node
        if name in CLI and not self.blueprint_cli:  # app.cli.add_command(cmd)
            return updated_node.with_changes(body=[cst.Expr(_recording(self.blueprint, call.args))])
        self.uses_cli |= name in CLI
        new_func = _attribute(self.blueprint, CALLS[name])
        if isinstance(call.func, cst.Call):  # app.errorhandler(404)(f)
            inner = call.func.with_changes(func=new_func)
            return updated_node.with_changes(body=[cst.Expr(call.with_changes(func=inner))])
        return updated_node.with_changes(body=[cst.Expr(call.with_changes(func=new_func))])

    # -- every other use of the app -------------------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        # `app.config` reads through the proxy; `app.app_context()` needs the app itself.
        if self._is_app(node.value) and node.attr.value not in APP_OBJECT_METHODS:
            self._bases.add(id(node.value))

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        if not self._is_app(original_node) or id(original_node) in self._skip or self._in_body:
            return updated_node
        self.uses_current_app = True
        if id(original_node) in self._bases:
            return updated_node.with_changes(value="current_app")
        # The app object itself handed on (to a thread, a helper, a context): the proxy would
        # not survive the context it was read in.
        return _real_app()

    # -- a plain function opening a context takes the app ----------------------------------
    def _opens_context(self, node: cst.FunctionDef) -> bool:
        if node.decorators or not isinstance(node.body, cst.IndentedBlock):
            return False  # a registration runs in a context; others may be called by anything
        methods = m.OneOf(*(m.Name(name) for name in sorted(APP_OBJECT_METHODS)))
        return any(
            self._is_app(cst.ensure_type(found, cst.Attribute).value)
            for found in find_nodes(node.body, m.Attribute(attr=methods))
        )

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        self._in_body |= self._taking is not None and node is self._taking.body

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if self._taking is not None and original_node is self._taking.body:
            self._in_body = False
        return updated_node

    # -- commands before Flask 1.1 (no Blueprint.cli) ---------------------------------------
    def _click_decorator(self, name: str, decorator: cst.Decorator) -> cst.Decorator:
        """`@app.cli.command(...)` → `@click.command(...)` (and `@app.cli.group(...)` →
        `@click.group(..., cls=AppGroup)`): the function is noted for `_recorded_command`."""
        self._commands[self._depth - 1] = name  # the function's own depth
        expr = decorator.decorator
        call = expr if isinstance(expr, cst.Call) else cst.Call(func=expr)
        kind = name.rpartition(".")[2]
        args = list(call.args)
        if kind == "group":
            self.flask_cli.add("AppGroup")
            equal = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
            args.append(cst.Arg(cst.Name("AppGroup"), keyword=cst.Name("cls"), equal=equal))
        return decorator.with_changes(
            decorator=call.with_changes(func=_attribute("click", kind), args=args)
        )

    def _recorded_command(
        self, function: cst.FunctionDef
    ) -> cst.FlattenSentinel[cst.BaseStatement]:
        """The command, run in an app context like `app.cli.command` did, and added to the
        `flask` command of each app that registers the blueprint."""
        kind = self._commands.pop(0)
        decorators = list(function.decorators)
        if kind == "cli.command":
            self.flask_cli.add("with_appcontext")
            at = next(
                i
                for i, d in enumerate(decorators)
                if m.matches(d.decorator, m.Call(func=m.Attribute(m.Name("click"))))
            )
            decorators.insert(at + 1, cst.Decorator(cst.Name("with_appcontext")))
        function = function.with_changes(decorators=decorators)
        name = cst.Arg(cst.Name(function.name.value))
        record = cst.SimpleStatementLine(
            [cst.Expr(_recording(self.blueprint, [name]))],
            leading_lines=[cst.EmptyLine(), cst.EmptyLine()],
        )
        return cst.FlattenSentinel([function, record])

    @property
    def needed_imports(self) -> list[str]:
        """Import lines the converted code needs that the original did not have."""
        lines = ["from flask import current_app"] if self.uses_current_app else []
        if self.flask_cli:
            lines += ["import click", f"from flask.cli import {', '.join(sorted(self.flask_cli))}"]
        return lines

    def _taking_app(self, function: cst.FunctionDef) -> cst.FunctionDef:
        """`def init_db(app=None):` whose body starts `if app is None: app = <current app>`
        (the one rule, shared with the factory's helpers: `_app_users.with_app_parameter`)."""
        self.uses_current_app = True
        return with_app_parameter(function, self.app)


def _recording(blueprint: str, args: Sequence[cst.Arg]) -> cst.Call:
    """`bp.record(lambda state: state.app.cli.add_command(<args>))`."""
    add = cst.Call(
        func=_attribute("state", "app.cli.add_command"),
        args=[arg.with_changes(comma=cst.MaybeSentinel.DEFAULT) for arg in args],
    )
    callback = cst.Lambda(cst.Parameters([cst.Param(cst.Name("state"))]), add)
    return cst.Call(func=_attribute(blueprint, "record"), args=[cst.Arg(callback)])


def _real_app() -> cst.Call:
    """`current_app._get_current_object()`: the app itself, not the proxy."""
    func = cst.Attribute(value=cst.Name("current_app"), attr=cst.Name("_get_current_object"))
    return cst.Call(func=func)
