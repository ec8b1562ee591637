"""Reading settings out of an app module: the forms of `app.config` the config codemod moves.

Each function looks at one top-level statement (or one expression in it) and says which
settings it sets, whether its value can be reproduced in `config.py`, and which module-level
helpers and imports that value needs. Nothing here edits code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

from flaskmod.knowledge import APP_ATTRIBUTE_KEYS, ENV_NAMES, is_secret
from flaskmod.names import ModuleIndex, code_nodes, find_nodes
from flaskmod.project import Project
from flaskmod.secrets import mask

from ._config_module import environment_read

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


# ------------------------------------------------------------------ literals
Literal = str | bytes


@dataclass(frozen=True)
class Known:
    """A value known without running the app, and the module constants it was read from."""

    value: Literal
    constants: frozenset[int] = frozenset()


def literal_value(
    index: ModuleIndex, node: cst.BaseExpression, seen: frozenset[str] = frozenset()
) -> Known | None:
    """A `str` or `bytes` known statically: literals, implicit and `+` concatenation,
    f-strings of such, and module constants bound once to such (`SECRET_KEY = "..."`)."""
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        if isinstance(value, str | bytes):
            return Known(value)
        if isinstance(node, cst.ConcatenatedString):  # holds an f-string
            return _joined(
                literal_value(index, node.left, seen), literal_value(index, node.right, seen)
            )
        return None
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _joined(
            literal_value(index, node.left, seen), literal_value(index, node.right, seen)
        )
    if isinstance(node, cst.FormattedString):
        return _formatted(index, node, seen)
    if isinstance(node, cst.Name) and node.value not in seen:
        return _constant(index, node.value, seen)
    return None


def _joined(left: Known | None, right: Known | None) -> Known | None:
    if left is None or right is None:
        return None
    value = _concatenated(left.value, right.value)
    return None if value is None else Known(value, left.constants | right.constants)


def _concatenated(left: Literal, right: Literal) -> Literal | None:
    """`left + right` of two str or two bytes; None for a mix, which Python refuses."""
    if isinstance(left, str) and isinstance(right, str):
        return left + right
    if isinstance(left, bytes) and isinstance(right, bytes):
        return left + right
    return None


def _formatted(index: ModuleIndex, node: cst.FormattedString, seen: frozenset[str]) -> Known | None:
    """`f"{PREFIX}-key"` with only text and known `str` values, no format specs."""
    quote = node.start.lower().replace("f", "")
    joined, constants = "", frozenset[int]()
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            text = ast.literal_eval(quote + part.value + node.end)
            part_value: Known | None = Known(text.replace("{{", "{").replace("}}", "}"))
        elif (
            isinstance(part, cst.FormattedStringExpression)
            and part.format_spec is None
            and part.conversion in (None, "s")
        ):
            part_value = literal_value(index, part.expression, seen)
        else:
            return None
        if part_value is None or not isinstance(part_value.value, str):
            return None
        joined, constants = joined + part_value.value, constants | part_value.constants
    return Known(joined, constants)


def _constant(index: ModuleIndex, name: str, seen: frozenset[str]) -> Known | None:
    binders = index.binders.get(name, [])
    if len(binders) != 1 or not _is_simple_assignment(index.body[binders[0]], name):
        return None
    line = cst.ensure_type(index.body[binders[0]], cst.SimpleStatementLine)
    found = literal_value(index, cst.ensure_type(line.body[0], cst.Assign).value, seen | {name})
    return Known(found.value, found.constants | {binders[0]}) if found else None


# ------------------------------------------------------------------ secrets
@dataclass(frozen=True)
class Secret:
    """A value production must read from `env`; `default`, the old literal, stays for development.

    `path` is the setting, then the keys of the dicts it is nested in (`OAUTH`, `github`,
    `secret`); `constants` are the module constants the literal was read through.
    """

    path: tuple[str, ...]
    env: str
    default: Literal
    constants: frozenset[int] = frozenset()

    @property
    def setting(self) -> str:
        return self.path[0] + "".join(f"[{key!r}]" for key in self.path[1:])

    def texts(self) -> tuple[str, ...]:
        """What previews and reports must mask: the literal, as text and as written in code."""
        if isinstance(self.default, str):
            return (self.default,)
        return (self.default.decode("latin-1"), repr(self.default)[2:-1])

    def shown(self) -> str:
        return mask(self.texts()[-1])


def variable_for(path: tuple[str, ...]) -> str:
    """The environment variable a secret setting is read from: `DATABASE_URL` for the database
    URI, the setting's own name, or the path of a nested one (`OAUTH_GITHUB_SECRET`)."""
    if len(path) == 1:
        return ENV_NAMES.get(path[0], path[0])
    return re.sub(r"\W+", "_", "_".join(path)).strip("_").upper()


def secret_of(
    index: ModuleIndex, path: tuple[str, ...], value: cst.BaseExpression
) -> Secret | None:
    """The setting at `path` as a secret, if its value is one (by the key's name or by the value)."""
    from_env = environment_default(index, value)
    if from_env is not None and is_secret(path[-1], from_env[1].value):
        env, default = from_env
        return Secret(path, env, default.value, default.constants)
    known = literal_value(index, value)
    if known is not None and is_secret(path[-1], known.value):
        return Secret(path, variable_for(path), known.value, known.constants)
    return None


def nested_secrets(
    index: ModuleIndex, path: tuple[str, ...], value: cst.BaseExpression
) -> tuple[cst.BaseExpression, list[Secret]]:
    """Secrets inside a dict literal (`{"github": {"secret": "..."}}`), each replaced by its
    environment read; the value unchanged when there are none."""
    if not isinstance(value, cst.Dict):
        return value, []
    elements: list[cst.BaseDictElement] = []
    found: list[Secret] = []
    for element in value.elements:
        key = string_key(element.key) if isinstance(element, cst.DictElement) else None
        if isinstance(element, cst.DictElement) and key is not None:
            secret = secret_of(index, (*path, key), element.value)
            inner, more = (
                (environment_read(secret.env), [secret])
                if secret
                else nested_secrets(index, (*path, key), element.value)
            )
            element = element.with_changes(value=inner)
            found += more
        elements.append(element)
    return (value.with_changes(elements=elements) if found else value), found


# ------------------------------------------------------------------ environment
_ENVIRON_GET = m.Attribute(
    value=m.Attribute(value=m.Name("os"), attr=m.Name("environ")), attr=m.Name("get")
) | m.Attribute(value=m.Name("os"), attr=m.Name("getenv"))


def environment_default(
    index: ModuleIndex | None, value: cst.BaseExpression
) -> tuple[str, Known] | None:
    """`os.environ.get("X", default)` / `os.getenv("X", default)` / `... or default` with a
    default known statically → ("X", default)."""
    lookup = m.Call(func=_ENVIRON_GET, args=[m.Arg(m.SimpleString())])
    if m.matches(
        value, m.Call(func=_ENVIRON_GET, args=[m.Arg(m.SimpleString()), m.Arg(keyword=None)])
    ):
        args = cst.ensure_type(value, cst.Call).args
        env, fallback = string_key(args[0].value), args[1].value
    elif m.matches(value, m.BooleanOperation(left=lookup, operator=m.Or())):
        operation = cst.ensure_type(value, cst.BooleanOperation)
        env = string_key(cst.ensure_type(operation.left, cst.Call).args[0].value)
        fallback = operation.right
    else:
        return None
    default = _known(index, fallback)
    return (env, default) if env is not None and default is not None else None


def _known(index: ModuleIndex | None, node: cst.BaseExpression) -> Known | None:
    if index is None:  # outside the app module: literals only
        value = (
            node.evaluated_value
            if isinstance(node, cst.SimpleString | cst.ConcatenatedString)
            else None
        )
        return Known(value) if isinstance(value, str | bytes) else None
    return literal_value(index, node)


def class_secrets(project: Project, base: BaseClass) -> dict[str, tuple[str, Literal, bool]]:
    """Secret attributes of the project's own class with a literal value or fallback: key →
    (variable, development default, whether the class already reads the variable)."""
    path = base.module.replace(".", "/") + ".py"
    if path not in project:
        return {}
    found: dict[str, tuple[str, Literal, bool]] = {}
    for statement in project.module(path).body:
        if not m.matches(statement, m.ClassDef(name=m.Name(base.name))):
            continue
        for line in find_nodes(statement, m.Assign(targets=[m.AssignTarget(m.Name())])):
            assign = cst.ensure_type(line, cst.Assign)
            key = cst.ensure_type(assign.targets[0].target, cst.Name).value
            from_env = environment_default(None, assign.value)
            literal = from_env[1] if from_env else _known(None, assign.value)
            if literal is not None and is_secret(key, literal.value):
                env = from_env[0] if from_env else variable_for((key,))
                found[key] = (env, literal.value, from_env is not None)
    return found


# ------------------------------------------------------------------ resolving
def global_reads(index: ModuleIndex, node: cst.CSTNode) -> set[str]:
    """Module-level names `node` (part of a top-level statement of `index`) reads."""
    reads = index.access_names
    return {reads[found] for found in code_nodes(node) if found in reads}


@dataclass
class Resolution:
    """What a value needs in config.py: imports, helper statements; or why it cannot move."""

    imports: set[str] = field(default_factory=set)
    helpers: set[int] = field(default_factory=set)
    blocker: str | None = None


def resolve(
    index: ModuleIndex, names: set[str], app: str, before: int, seen: set[int] | None = None
) -> Resolution:
    """Can these module-level names be reproduced in config.py (imports, helpers)?

    A helper name moves with every statement that binds it (`url = os.getenv("DB")` and the
    `if not url: url = "sqlite://"` after it), all of them above the setting (`before`) and
    each a plain assignment or an `if` of them: config.py then computes the same value. A
    name bound any other way keeps its setting in place.
    """
    seen = set() if seen is None else seen
    result = Resolution()
    for name in sorted(names):
        if name == app:
            return Resolution(blocker=f"reads `{app}`")
        binders = index.binders.get(name, [])
        if name in index.imports and _imported_plainly(index, binders):
            result.imports.add(name)
            continue
        if not binders or not all(
            (b < before or b in seen) and movable_binder(index.body[b]) for b in binders
        ):
            return Resolution(blocker=f"depends on `{name}`")
        for helper in binders:
            if helper in seen:
                continue
            seen.add(helper)
            known = index.binders.keys() | index.imports.keys()
            reads = (set(index.facts(helper).reads) & known) - {name}
            inner = resolve(index, reads, app, helper, seen)
            if inner.blocker:
                return inner
            result.helpers |= {helper} | inner.helpers
            result.imports |= inner.imports
    return result


def _imported_plainly(index: ModuleIndex, binders: list[int]) -> bool:
    """Bound only by top-level import statements: config.py can import it the same way (one
    inside `try`/`if` is conditional, and its fallback would be lost)."""
    return all(_only_imports(index.body[b]) for b in binders)


def _only_imports(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
    )


_PLAIN = (
    m.Assign(targets=[m.AssignTarget(m.Name())])
    | m.AnnAssign(target=m.Name())
    | m.AugAssign(target=m.Name())
)


def movable_binder(statement: cst.CSTNode) -> bool:
    """A plain assignment of a name (`x = ...`, `x: T = ...`, `x += ...`), or an `if` of them."""
    if isinstance(statement, cst.SimpleStatementLine | cst.SimpleStatementSuite):
        return len(statement.body) == 1 and m.matches(statement.body[0], _PLAIN)
    if isinstance(statement, cst.IndentedBlock):
        return all(movable_binder(inner) for inner in statement.body)
    if isinstance(statement, cst.If):
        orelse = statement.orelse
        rest = orelse if isinstance(orelse, cst.If) else orelse.body if orelse else None
        return movable_binder(statement.body) and (rest is None or movable_binder(rest))
    return False


def _is_simple_assignment(statement: cst.BaseStatement, name: str) -> bool:
    return m.matches(
        statement,
        m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name(name))])]),
    )
