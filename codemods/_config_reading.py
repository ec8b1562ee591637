"""Reading settings out of an app module: the forms of `app.config` the config codemod moves.

Each function looks at one top-level statement (or one expression in it) and says which
settings it sets, whether its value can be reproduced in `config.py`, and which module-level
helpers and imports that value needs. Nothing here edits code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

from flaskmod.knowledge import APP_ATTRIBUTE_KEYS, is_secret
from flaskmod.names import ModuleIndex
from flaskmod.project import Project

Pair = tuple[str, cst.BaseExpression]


def string_key(node: cst.BaseExpression | None) -> str | None:
    """The value of a `str` literal (plain or implicitly concatenated), else None."""
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _config_of(app: str) -> m.Attribute:
    return m.Attribute(value=m.Name(app), attr=m.Name("config"))


def _config_call(app: str, method: str) -> m.Expr:
    return m.Expr(m.Call(func=m.Attribute(value=_config_of(app), attr=m.Name(method))))


def settings_of(statement: cst.BaseStatement, app: str) -> list[Pair] | None:
    """The key/value pairs a top-level statement sets on the app's config, if that is all it does."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        return _assigned(small.targets[0].target, small.value, app)
    if m.matches(small, _config_call(app, "update")):
        return update_items(cst.ensure_type(cst.ensure_type(small, cst.Expr).value, cst.Call).args)
    if m.matches(small, _config_call(app, "from_mapping")):
        items = update_items(cst.ensure_type(cst.ensure_type(small, cst.Expr).value, cst.Call).args)
        # from_mapping keeps only UPPERCASE keys, as the config classes do
        return [(k, v) for k, v in items if k.isupper()] if items is not None else None
    return None


def _assigned(target: cst.BaseExpression, value: cst.BaseExpression, app: str) -> list[Pair] | None:
    """`app.config["KEY"] = value` and `app.secret_key = value`."""
    if m.matches(target, m.Subscript(value=_config_of(app), slice=[m.SubscriptElement(m.Index())])):
        index = cst.ensure_type(cst.ensure_type(target, cst.Subscript).slice[0].slice, cst.Index)
        key = string_key(index.value)
        return [(key, value)] if key else None
    if isinstance(target, cst.Attribute) and m.matches(target.value, m.Name(app)):
        key = APP_ATTRIBUTE_KEYS.get(target.attr.value)
        return [(key, value)] if key else None
    return None


def update_items(args: Iterable[cst.Arg]) -> list[Pair] | None:
    """`update(A=1, **{"B": 2})`, `update({"A": 1})`, `update(dict(A=1))`: every pair, or None."""
    items: list[Pair] = []
    for arg in args:
        if arg.keyword is not None:
            items.append((arg.keyword.value, arg.value))
        elif arg.star in ("**", ""):
            pairs = mapping_items(arg.value)
            if pairs is None:
                return None
            items += pairs
        else:
            return None
    return items


def mapping_items(node: cst.BaseExpression) -> list[Pair] | None:
    if isinstance(node, cst.Dict):
        pairs = []
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key = string_key(element.key)
            if key is None:
                return None
            pairs.append((key, element.value))
        return pairs
    if isinstance(node, cst.Call) and m.matches(node.func, m.Name("dict")):
        return update_items(node.args)
    return None


# ------------------------------------------------------------------ from_object
@dataclass(frozen=True)
class BaseClass:
    """The project's own config class the app loaded with `from_object`: our classes extend it."""

    module: str
    name: str


def from_object(statement: cst.BaseStatement, app: str) -> cst.BaseExpression | None:
    """The argument of a top-level `app.config.from_object(x)`, else None."""
    pattern = m.SimpleStatementLine(
        body=[
            m.Expr(
                m.Call(
                    func=m.Attribute(value=_config_of(app), attr=m.Name("from_object")),
                    args=[m.Arg(keyword=None)],
                )
            )
        ]
    )
    if not m.matches(statement, pattern):
        return None
    expr = cst.ensure_type(cst.ensure_type(statement, cst.SimpleStatementLine).body[0], cst.Expr)
    return cst.ensure_type(expr.value, cst.Call).args[0].value


def loaded_class(
    project: Project, index: ModuleIndex, target: cst.BaseExpression
) -> BaseClass | None:
    """`from_object(Config)` (imported class) or `from_object("config.Config")` → the class."""
    if isinstance(target, cst.Name) and target.value in index.imports:
        imported = index.imports[target.value]
        if imported.original is not None:
            return BaseClass(imported.module, imported.original)
    dotted_path = string_key(target)
    if dotted_path and "." in dotted_path:
        module, _, name = dotted_path.rpartition(".")
        path = module.replace(".", "/") + ".py"
        if path in project and any(
            m.matches(s, m.ClassDef(name=m.Name(name))) for s in project.module(path).body
        ):
            return BaseClass(module, name)
    return None


def module_constants(index: ModuleIndex, before: int) -> list[tuple[int, str, cst.BaseExpression]]:
    """UPPERCASE module-level assignments above `from_object(__name__)`: what it loads."""
    found = []
    single = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name())])])
    for position, statement in enumerate(index.body[:before]):
        if m.matches(statement, single):
            line = cst.ensure_type(statement, cst.SimpleStatementLine)
            assign = cst.ensure_type(line.body[0], cst.Assign)
            name = cst.ensure_type(assign.targets[0].target, cst.Name).value
            if name.isupper():
                found.append((position, name, assign.value))
    return found


# ------------------------------------------------------------------ environment
_ENVIRON_GET = m.Attribute(
    value=m.Attribute(value=m.Name("os"), attr=m.Name("environ")), attr=m.Name("get")
) | m.Attribute(value=m.Name("os"), attr=m.Name("getenv"))


def environment_default(value: cst.BaseExpression) -> tuple[str, str] | None:
    """`os.environ.get("X", "lit")` / `os.getenv("X", "lit")` / `... or "lit"` → ("X", "lit")."""
    if m.matches(value, m.Call(func=_ENVIRON_GET, args=[m.Arg(m.SimpleString())] * 2)):
        args = cst.ensure_type(value, cst.Call).args
        env, default = string_key(args[0].value), string_key(args[1].value)
        if env is not None and default is not None:
            return env, default
    lookup = m.Call(func=_ENVIRON_GET, args=[m.Arg(m.SimpleString())])
    if m.matches(value, m.BooleanOperation(left=lookup, operator=m.Or(), right=m.SimpleString())):
        operation = cst.ensure_type(value, cst.BooleanOperation)
        env = string_key(cst.ensure_type(operation.left, cst.Call).args[0].value)
        default = string_key(operation.right)
        if env is not None and default is not None:
            return env, default
    return None


def class_secrets(project: Project, base: BaseClass) -> dict[str, str]:
    """Secret attributes of the project's own class with a literal fallback (env or literal)."""
    path = base.module.replace(".", "/") + ".py"
    if path not in project:
        return {}
    found: dict[str, str] = {}
    for statement in project.module(path).body:
        if not m.matches(statement, m.ClassDef(name=m.Name(base.name))):
            continue
        for line in m.findall(statement, m.Assign(targets=[m.AssignTarget(m.Name())])):
            assign = cst.ensure_type(line, cst.Assign)
            key = cst.ensure_type(assign.targets[0].target, cst.Name).value
            from_env = environment_default(assign.value)
            literal = from_env[1] if from_env else string_key(assign.value)
            if literal is not None and is_secret(key, literal):
                found[key] = literal
    return found


# ------------------------------------------------------------------ resolving
class _GlobalReads(cst.CSTVisitor):
    def __init__(self, index: ModuleIndex) -> None:
        self.index = index
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        name = self.index.access_names.get(node)
        if name is not None:
            self.names.add(name)


def global_reads(index: ModuleIndex, node: cst.CSTNode) -> set[str]:
    """Module-level names `node` (part of a top-level statement of `index`) reads."""
    visitor = _GlobalReads(index)
    node.visit(visitor)
    return visitor.names


@dataclass
class Resolution:
    """What a value needs in config.py: imports, helper statements; or why it cannot move."""

    imports: set[str] = field(default_factory=set)
    helpers: set[int] = field(default_factory=set)
    blocker: str | None = None


def resolve(index: ModuleIndex, names: set[str], app: str, seen: set[int]) -> Resolution:
    """Can these module-level names be reproduced in config.py (imports, simple helpers)?"""
    result = Resolution()
    for name in sorted(names):
        if name == app:
            return Resolution(blocker=f"reads `{app}`")
        if name in index.imports:
            result.imports.add(name)
            continue
        binders = index.binders.get(name, [])
        if len(binders) != 1 or not _is_simple_assignment(index.body[binders[0]], name):
            return Resolution(blocker=f"depends on `{name}`")
        helper = binders[0]
        if helper in seen:
            continue
        seen.add(helper)
        inner = resolve(index, global_reads(index, index.body[helper]) - {name}, app, seen)
        if inner.blocker:
            return inner
        result.helpers |= {helper} | inner.helpers
        result.imports |= inner.imports
    return result


def _is_simple_assignment(statement: cst.BaseStatement, name: str) -> bool:
    return m.matches(
        statement,
        m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name(name))])]),
    )
