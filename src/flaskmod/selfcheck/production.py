"""Does production really read its secrets from the environment?

Three ways the code could still defeat the config classes: a literal put back after they load
(`app.config.update(SECRET_KEY='dev')` kept in `create_app`), a secret literal left where
production imports it, and a factory that never validates the settings the app ends up with.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst
import libcst.matchers as m

from flaskmod.conventions import CONFIG_MODULE, FACTORY, GET_CONFIG
from flaskmod.knowledge import APP_ATTRIBUTE_KEYS, is_secret
from flaskmod.names import ModuleIndex
from flaskmod.selfcheck.base import Violation, Workspace

RULE = "production"
#: settings production must never get from a literal in code
GUARDED = frozenset({"DEBUG", "TESTING", "ENV"})
#: secrets shorter than this count only where a secret-named setting holds them
UNIQUE_LENGTH = 8

_LOAD = m.Call(
    func=m.Attribute(attr=m.Name("from_object")),
    args=[m.Arg(m.Call(func=m.Name(GET_CONFIG))), m.ZeroOrMore()],
)
_LITERAL = (
    m.SimpleString()
    | m.ConcatenatedString()
    | m.FormattedString()
    | m.Integer()
    | m.Float()
    | m.Name("True")
    | m.Name("False")
)


def _factory(workspace: Workspace) -> tuple[str, ModuleIndex, cst.FunctionDef] | None:
    final = workspace.final
    origin = workspace.original.source_of(workspace.model.app_path)
    path = next((p for p in final.files if final.source_of(p) == origin), None)
    if path is None or not path.endswith(".py"):
        return None
    index = final.index(path)
    for statement in index.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == FACTORY:
            return path, index, statement
    return None


def _body(function: cst.FunctionDef) -> Sequence[cst.BaseStatement]:
    return cst.ensure_type(function.body, cst.IndentedBlock).body


# ------------------------------------------------------------- literals after the load
def late_literals(workspace: Workspace) -> Iterator[Violation]:
    """Nothing after the config classes load sets a secret, DEBUG, TESTING or ENV literally."""
    found = _factory(workspace)
    if found is None:
        return
    path, index, function = found
    body = list(_body(function))
    loads = [i for i, statement in enumerate(body) if m.findall(statement, _LOAD)]
    if not loads:
        return
    for statement in body[loads[0] + 1 :]:
        for key, node in _literal_settings(statement):
            yield workspace.violation(
                RULE,
                path,
                index.line(node),
                f"`{key}` is set to a literal after the config classes load: production would "
                "run with it; set it in config.py (from the environment) instead",
            )


def _literal_settings(statement: cst.CSTNode) -> Iterator[tuple[str, cst.CSTNode]]:
    for node in m.findall(
        statement,
        m.Assign() | m.Call(func=m.Attribute(attr=m.Name("update") | m.Name("from_mapping"))),
    ):
        if isinstance(node, cst.Assign):
            key = _assigned_key(node)
            if key and _guarded(key, node.value):
                yield key, node
        elif isinstance(node, cst.Call):
            for arg in node.args:
                key = arg.keyword.value if arg.keyword else None
                if key and _guarded(key, arg.value):
                    yield key, node
                elif isinstance(arg.value, cst.Dict):
                    yield from _dict_settings(arg.value, node)


def _dict_settings(mapping: cst.Dict, node: cst.CSTNode) -> Iterator[tuple[str, cst.CSTNode]]:
    for element in mapping.elements:
        if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
            key = element.key.evaluated_value
            if isinstance(key, str) and _guarded(key, element.value):
                yield key, node


def _assigned_key(node: cst.Assign) -> str | None:
    target = node.targets[0].target
    if m.matches(target, m.Subscript(value=m.Attribute(attr=m.Name("config")))):
        element = cst.ensure_type(target, cst.Subscript).slice[0].slice
        if isinstance(element, cst.Index) and isinstance(element.value, cst.SimpleString):
            value = element.value.evaluated_value
            return value if isinstance(value, str) else None
    if isinstance(target, cst.Attribute):
        return APP_ATTRIBUTE_KEYS.get(target.attr.value)
    return None


def _guarded(key: str, value: cst.BaseExpression) -> bool:
    if not m.matches(value, _LITERAL):
        return False
    literal = value.evaluated_value if isinstance(value, cst.SimpleString) else None
    return key in GUARDED or is_secret(key, literal if isinstance(literal, str) else None)


# --------------------------------------------------------------- secrets left behind
def leftover_secrets(workspace: Workspace) -> Iterator[Violation]:
    """A secret literal the migration saw, still where production loads it."""
    secrets = {s for s in workspace.secrets if s}
    if not secrets:
        return
    tests = workspace.tests()
    config = _config_path(workspace)
    for path in workspace.final.python_paths():
        text = workspace.final.text(path)
        if path in tests or not any(secret in text for secret in secrets):
            continue
        if workspace.final.source_of(path) in workspace.model.other_apps:
            continue  # another program (an example beside the one migrated), not production's
        if path == config and "_DEVELOPMENT_DEFAULTS" in text:
            continue  # validate() refuses every development default in production
        index = workspace.final.index(path)
        for position in range(len(index.body)):
            code = index.code(position)
            if not any(secret in code for secret in secrets):
                continue
            for node in _secret_literals(index.body[position], secrets):
                yield workspace.violation(
                    RULE,
                    path,
                    index.line(node, position),
                    "a secret literal is still in code production loads (only config.py's "
                    "development defaults may hold it)",
                )


def _secret_literals(statement: cst.BaseStatement, secrets: set[str]) -> Iterator[cst.CSTNode]:
    if m.matches(
        statement,
        m.SimpleStatementLine([m.Assign([m.AssignTarget(m.Name("_DEVELOPMENT_DEFAULTS"))])]),
    ):
        return
    for node in m.findall(statement, m.SimpleString() | m.ConcatenatedString()):
        value = cst.ensure_type(node, cst.SimpleString | cst.ConcatenatedString).evaluated_value  # type: ignore[arg-type]
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        if text in secrets and (
            len(text) >= UNIQUE_LENGTH or _held_by_a_secret_name(statement, node)
        ):
            yield node


def _held_by_a_secret_name(statement: cst.BaseStatement, node: cst.CSTNode) -> bool:
    for assign in m.findall(statement, m.Assign() | m.Arg() | m.DictElement()):
        if isinstance(assign, cst.Assign) and assign.value is node:
            key = _assigned_key(assign) or cst.Module([]).code_for_node(assign.targets[0].target)
            return is_secret(key.upper(), None)
        if isinstance(assign, cst.Arg) and assign.value is node and assign.keyword:
            return is_secret(assign.keyword.value.upper(), None)
        if isinstance(assign, cst.DictElement) and assign.value is node:
            return is_secret(cst.Module([]).code_for_node(assign.key).upper(), None)
    return False


# ---------------------------------------------------------------------- validation
def unvalidated(workspace: Workspace) -> Iterator[Violation]:
    """A factory whose config.py can check the final settings must call that check last."""
    found = _factory(workspace)
    if found is None or not _config_validates_settings(workspace):
        return
    path, index, function = found
    body = list(_body(function))
    checks = [i for i, s in enumerate(body) if m.findall(s, _VALIDATE)]
    changes = [i for i, s in enumerate(body) if m.findall(s, _CONFIG_CHANGE)]
    if checks and (not changes or checks[-1] > max(changes)):
        return
    yield workspace.violation(
        RULE,
        path,
        index.line(function),
        f"{FACTORY}() does not validate the settings the app finally gets (call "
        "`get_config(config_name).validate(app.config)` after the last config statement)",
    )


_VALIDATE = m.Call(
    func=m.Attribute(attr=m.Name("validate")), args=[m.Arg(m.Attribute(attr=m.Name("config")))]
)
_CONFIG_METHODS = frozenset(
    {
        "update",
        "from_object",
        "from_pyfile",
        "from_envvar",
        "from_mapping",
        "from_file",
        "from_prefixed_env",
        "from_json",
        "setdefault",
    }
)
_CONFIG_CHANGE = m.Assign(
    targets=[
        m.AssignTarget(
            m.Subscript(value=m.Attribute(attr=m.Name("config")))
            | m.Attribute(attr=m.Name("secret_key") | m.Name("debug") | m.Name("testing"))
        )
    ]
) | m.Call(
    func=m.Attribute(
        value=m.Attribute(attr=m.Name("config")),
        attr=m.MatchIfTrue(lambda name: name.value in _CONFIG_METHODS),
    )
)


def _config_path(workspace: Workspace) -> str:
    root = workspace.model.import_root
    return f"{root}/{CONFIG_MODULE}.py" if root else f"{CONFIG_MODULE}.py"


def _config_validates_settings(workspace: Workspace) -> bool:
    """config.py written by flaskmod with `validate(cls, config=None)` and development defaults."""
    final = workspace.final
    path = _config_path(workspace)
    if path not in final.files:
        return False
    text = final.text(path)
    return "_DEVELOPMENT_DEFAULTS" in text and "def validate(cls, config=None)" in text
