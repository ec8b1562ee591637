"""Does production really read its secrets from the environment?

Three ways the code could still defeat the config classes: a literal put back after they load
(`app.config.update(SECRET_KEY='dev')` kept in `create_app`), a secret literal left where
production imports it, and a factory that never validates the settings the app ends up with.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from flaskmod.codegen import code_of
from flaskmod.conventions import CONFIG_CODEMOD, CONFIG_MODULE, FACTORY, GET_CONFIG
from flaskmod.errors import Severity
from flaskmod.knowledge import APP_ATTRIBUTE_KEYS, is_secret
from flaskmod.names import code_nodes
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


def _factory(workspace: Workspace) -> tuple[str, int, cst.FunctionDef] | None:
    """The `create_app` the migration wrote: (path, its position in the module, the function)."""
    return workspace.shared("factory", lambda: _find_factory(workspace))


def _find_factory(workspace: Workspace) -> tuple[str, int, cst.FunctionDef] | None:
    final = workspace.final
    origin = workspace.original.source_of(workspace.model.app_path)
    path = next((p for p in final.files if final.source_of(p) == origin), None)
    if path is None or not path.endswith(".py"):
        return None
    theirs = _own_factories(workspace)
    for position, statement in enumerate(final.module(path).body):
        if isinstance(statement, cst.FunctionDef) and statement.name.value == FACTORY:
            if _bare(statement) in theirs:
                return None  # the project's own `create_app` (the factory declined): not ours
            return path, position, statement
    return None


def _own_factories(workspace: Workspace) -> set[str]:
    """The code of each `create_app` the original app module already defined."""
    original = workspace.original
    path = workspace.model.app_path
    if path not in original.files or FACTORY not in original.text(path):
        return set()
    return {
        _bare(statement)
        for statement in original.module(path).body
        if isinstance(statement, cst.FunctionDef) and statement.name.value == FACTORY
    }


def _bare(function: cst.FunctionDef) -> str:
    """A function's code without the comments and blank lines above it."""
    return code_of(function.with_changes(leading_lines=[]))


@dataclass(frozen=True)
class _Step:
    """What one statement of the factory's body does to the app's settings."""

    loads: bool  # app.config.from_object(get_config(...))
    validates: bool  # get_config(...).validate(app.config)
    changes: bool  # any write to app.config (or to a setting's app attribute)
    literals: tuple[tuple[str, cst.CSTNode], ...]  # guarded settings given a literal


def _steps(workspace: Workspace, function: cst.FunctionDef) -> list[_Step]:
    """The factory's statements, each read in one walk (shared by the rules below)."""
    suite = function.body
    # `def create_app(): ...` on one line holds small statements, not a block of statements
    body: Sequence[cst.BaseStatement] = (
        suite.body
        if isinstance(suite, cst.IndentedBlock)
        else [cst.SimpleStatementLine(cst.ensure_type(suite, cst.SimpleStatementSuite).body)]
    )
    return workspace.shared("factory steps", lambda: [_step(s) for s in body])


def _step(statement: cst.BaseStatement) -> _Step:
    loads = validates = changes = False
    literals: list[tuple[str, cst.CSTNode]] = []
    for node in code_nodes(statement, literals=True):
        if isinstance(node, cst.Call):
            loads = loads or m.matches(node, _LOAD)
            validates = validates or m.matches(node, _VALIDATE)
            changes = changes or m.matches(node, _CONFIG_CHANGE)
            if m.matches(node.func, _MAPPING_UPDATE):
                literals += _call_settings(node.args, node)
        elif isinstance(node, cst.Assign):
            changes = changes or m.matches(node, _CONFIG_CHANGE)
            key = _assigned_key(node)
            if key and _guarded(key, node.value):
                literals.append((key, node))
    return _Step(loads, validates, changes, tuple(literals))


#: the calls whose arguments set several settings at once
_MAPPING_UPDATE = m.Attribute(attr=m.Name("update") | m.Name("from_mapping"))


# ------------------------------------------------------------- literals after the load
def late_literals(workspace: Workspace) -> Iterator[Violation]:
    """Nothing after the config classes load sets a secret, DEBUG, TESTING or ENV literally."""
    found = _factory(workspace)
    if found is None:
        return
    path, position, function = found
    steps = _steps(workspace, function)
    loads = [i for i, step in enumerate(steps) if step.loads]
    if not loads:
        return
    for step in steps[loads[0] + 1 :]:
        for key, node in step.literals:
            yield workspace.violation(
                RULE,
                path,
                workspace.final.index(path).line(node, position),
                f"`{key}` is set to a literal after the config classes load: production would "
                "run with it; set it in config.py (from the environment) instead",
            )


def _call_settings(args: Sequence[cst.Arg], node: cst.CSTNode) -> Iterator[tuple[str, cst.CSTNode]]:
    """Keywords, `{...}`, `**{...}` and `dict(...)` of an `update`/`from_mapping` call."""
    for arg in args:
        key = arg.keyword.value if arg.keyword else None
        if key and _guarded(key, arg.value):
            yield key, node
        elif isinstance(arg.value, cst.Dict):
            yield from _dict_settings(arg.value, node)
        elif m.matches(arg.value, m.Call(func=m.Name("dict"))):
            yield from _call_settings(cst.ensure_type(arg.value, cst.Call).args, node)


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


# ---------------------------------------------------------- secrets with no config class
def unloaded_secrets(workspace: Workspace) -> Iterator[Violation]:
    """A factory that loads no config class sets no secret literally: nothing would replace it
    in production. (The config classes did not run: the project's own `get_config` or
    `config.py` was in the way, and that codemod said so.)"""
    found = _factory(workspace)
    if found is None:
        return
    path, position, function = found
    steps = _steps(workspace, function)
    if any(step.loads for step in steps):
        return  # `late_literals` judges what comes after the load
    why = _why_no_config_classes(workspace)
    for step in steps:
        for key, node in step.literals:
            if key in GUARDED:
                continue  # DEBUG and TESTING as the app had them: not a secret
            yield workspace.violation(
                RULE,
                path,
                workspace.final.index(path).line(node, position),
                f"`{key}` is set to a literal in {FACTORY}() and no config class loads it from "
                f"the environment: production would run with it{why}",
            )


def _why_no_config_classes(workspace: Workspace) -> str:
    """What the config-classes codemod asked when it declined (its manual step), if it did."""
    for step in workspace.steps:
        if getattr(step.codemod, "name", "") == CONFIG_CODEMOD and step.declined:
            manual = [f for f in step.findings if f.severity is Severity.MANUAL]
            if manual:
                return f"; config-classes did not run ({manual[-1]}): do that first"
    return ""


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
        for position, node in _secret_literals(workspace, path, secrets):
            yield workspace.violation(
                RULE,
                path,
                workspace.final.index(path).line(node, position),
                "a secret literal is still in code production loads (only config.py's "
                "development defaults may hold it)",
            )


def _secret_literals(
    workspace: Workspace, path: str, secrets: set[str]
) -> Iterator[tuple[int, cst.CSTNode]]:
    """(statement position, literal) of every string literal in the module that is a secret."""
    body = workspace.final.module(path).body
    sighted = workspace.sightings(workspace.final, path)
    for position, node in sighted:
        if not isinstance(node, cst.SimpleString | cst.ConcatenatedString):
            continue
        if m.matches(body[position], _DEFAULTS):
            continue
        value = node.evaluated_value
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        if text in secrets and (
            len(text) >= UNIQUE_LENGTH
            or _held_by_a_secret_name((n for p, n in sighted if p == position), node)
        ):
            yield position, node


_DEFAULTS = m.SimpleStatementLine([m.Assign([m.AssignTarget(m.Name("_DEVELOPMENT_DEFAULTS"))])])


def _held_by_a_secret_name(statement: Iterable[cst.CSTNode], node: cst.CSTNode) -> bool:
    """Whether the assignment, keyword or dict key that holds `node` names a secret (the nodes
    of its statement, in source order)."""
    for holder in statement:
        if isinstance(holder, cst.Assign) and holder.value is node:
            key = _assigned_key(holder) or code_of(holder.targets[0].target)
            return is_secret(key.upper(), None)
        if isinstance(holder, cst.Arg) and holder.value is node and holder.keyword:
            return is_secret(holder.keyword.value.upper(), None)
        if isinstance(holder, cst.DictElement) and holder.value is node:
            return is_secret(code_of(holder.key).upper(), None)
    return False


# ---------------------------------------------------------------------- validation
def unvalidated(workspace: Workspace) -> Iterator[Violation]:
    """A factory whose config.py can check the final settings must call that check last."""
    found = _factory(workspace)
    if found is None or not _config_validates_settings(workspace):
        return
    path, _, function = found
    steps = _steps(workspace, function)
    checks = [i for i, step in enumerate(steps) if step.validates]
    changes = [i for i, step in enumerate(steps) if step.changes]
    if checks and (not changes or checks[-1] > max(changes)):
        return
    yield workspace.violation(
        RULE,
        path,
        workspace.final.index(path).line(function),
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
