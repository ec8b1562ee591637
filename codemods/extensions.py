"""`db = SQLAlchemy(app)` → `db = SQLAlchemy()` in `extensions.py` + `db.init_app(app)`.

Legacy pattern: extension objects created bound to the global app (`db = SQLAlchemy(app)`), or
created unbound and bound later in the app module (`login = LoginManager()` … `login.init_app(app)`).

Why: a factory creates the app inside a function, so extension objects cannot be bound to it at
import time. Unbound instances in their own module can be imported by models and views without a
circular import, and each app binds them with `init_app` (Flask guidelines §1, "Application
Factories": "the extension object does not initially get bound to the application").

Arguments go where each extension accepts them (`knowledge.KNOWN_EXTENSIONS`): most keep their
options in the constructor and take only the app in `init_app`; a few (Flask-Migrate's `db`,
Flask-CORS and Talisman options) take them in `init_app`. A call passing the app to a class
flaskmod does not know is left in place and reported: only the extension's documentation can say
whether it has `init_app`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from flaskmod.codemod import EXTENSIONS_MODULE, Codemod, Context, Needs
from flaskmod.knowledge import ALL, Extension, known_extension
from flaskmod.names import ModuleIndex, qualify
from flaskmod.project import Project

from ._building import new_module
from ._imports import add_import
from ._moving import ImportPlan, imports_for, local_top_modules, prune_imports, redirect_imports

codemod = Codemod.declare(
    __name__,
    # After `package` (extensions.py is written beside the app, in its package); before `models`
    # and `forms` (their modules import `db` and `login_manager` from extensions.py) and before
    # `factory`, which moves the `init_app` calls this leaves into create_app.
    order=30,
    summary="Move extension objects into extensions.py and bind them with init_app.",
    needs=Needs.PACKAGE,
)

DOCSTRING = "Extension instances, created unbound; `init_app` binds them to each app."


@dataclass(frozen=True)
class Bound:
    """One extension instance: where it is created, and how its arguments split."""

    position: int
    name: str
    #: the class as written in the app module (`SQLAlchemy`, `fsa.SQLAlchemy`)
    cls: cst.BaseExpression
    ctor_args: tuple[cst.Arg, ...]
    init_args: tuple[cst.Arg, ...]
    #: the statement becomes `name.init_app(app, ...)`; otherwise it goes (bound later)
    becomes_init: bool
    #: `login.login_view = "login"`-style settings that move along, in order
    settings: tuple[int, ...] = ()


@dataclass(frozen=True)
class ExtensionsPlan:
    path: str
    extensions: tuple[Bound, ...]
    #: import lines extensions.py needs, grouped: (third party, the project's own)
    imports: tuple[tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True)
class _Call:
    """A top-level `x = Cls(...)` or bare `Cls(...)` statement."""

    position: int
    target: str | None
    call: cst.Call


# ------------------------------------------------------------------------------ plan
@codemod.plan
def plan(context: Context) -> ExtensionsPlan | None:
    model = context.model
    index = context.project.index(model.app_path)
    initialised = _init_app_targets(index, model.app_name)
    problems: list[tuple[str, int]] = []
    found: list[Bound] = []
    taken = set(index.binders)
    for candidate in _calls(index, model.app_name, initialised):
        bound = _bound(context, index, candidate, initialised, taken, problems)
        if bound is not None:
            found.append(bound)
    path = f"{model.app_dir}/{EXTENSIONS_MODULE}.py"
    if found and path in context.project:
        problems.append((f"{path} already exists; extensions left in {model.app_path}", 0))
    if not found or path in context.project:
        _report(context, problems, path)
        return None
    for message, line in problems:
        context.warn(message, model.app_path, line)
    settings = _settings_of(index, {bound.name: bound.position for bound in found})
    extensions = tuple(
        bound if bound.name not in settings else _with_settings(bound, settings[bound.name])
        for bound in found
    )
    return ExtensionsPlan(path, extensions, _imports(context, index, extensions))


def _report(context: Context, problems: list[tuple[str, int]], path: str) -> None:
    """Nothing moves: what was left is reported, the last of it as the reason (a refusal)."""
    app_path = context.model.app_path
    for message, line in problems[:-1]:
        context.warn(message, app_path, line)
    if problems:
        message, line = problems[-1]
        if line:
            context.decline(message, app_path, line)
        context.decline(message, path)


def _with_settings(bound: Bound, positions: list[int]) -> Bound:
    return Bound(
        bound.position,
        bound.name,
        bound.cls,
        bound.ctor_args,
        bound.init_args,
        bound.becomes_init,
        tuple(positions),
    )


def _calls(index: ModuleIndex, app: str, initialised: dict[str, int]) -> list[_Call]:
    """Top-level calls that pass the app, or create an instance bound later with init_app."""
    found: list[_Call] = []
    for position, statement in enumerate(index.body):
        facts = index.facts(position)
        if app not in facts.reads and facts.binds.isdisjoint(initialised):
            continue
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        target: str | None = None
        if m.matches(small, m.Assign(targets=[m.AssignTarget(m.Name())], value=m.Call())):
            assign = cst.ensure_type(small, cst.Assign)
            target = cst.ensure_type(assign.targets[0].target, cst.Name).value
            call = cst.ensure_type(assign.value, cst.Call)
        elif m.matches(small, m.Expr(m.Call())):
            call = cst.ensure_type(cst.ensure_type(small, cst.Expr).value, cst.Call)
        else:
            continue
        if m.matches(call.func, m.Attribute(attr=m.Name("init_app"))):
            continue
        if any(_is_app(arg, app) for arg in call.args) or (target and target in initialised):
            found.append(_Call(position, target, call))
    return found


def _bound(
    context: Context,
    index: ModuleIndex,
    found: _Call,
    initialised: dict[str, int],
    taken: set[str],
    problems: list[tuple[str, int]],
) -> Bound | None:
    """The extension a call creates, or None (with the reason in `problems` when it matters)."""
    app = context.model.app_name
    call, line = found.call, index.statement_line(found.position)
    passes_app = any(_is_app(arg, app) for arg in call.args)
    known = known_extension(qualify(call.func, index.imports))
    if known is None:
        if passes_app:
            problems.append((_unknown(call), line))
        return None
    ctor, init = _split(call.args, app, known) if passes_app else (tuple(call.args), ())
    blocked = _local_names(index, found.position, ctor) - {app}
    if blocked:
        message = (
            f"extension kept in place: its arguments use {', '.join(sorted(blocked))} "
            "defined in this module"
        )
        problems.append((message, line))
        return None
    name = found.target or _instance_name(_written(call.func), taken)
    becomes_init = not (
        found.position in initialised.values() and not init and found.target is not None
    )
    return Bound(found.position, name, call.func, ctor, init, becomes_init)


def _unknown(call: cst.Call) -> str:
    return (
        f"`{_written(call.func)}(app)` is not a known extension; it stays bound where the app "
        "is created (check whether it has init_app)"
    )


def _written(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _is_app(arg: cst.Arg, app: str) -> bool:
    return m.matches(arg.value, m.Name(app)) and (arg.keyword is None or arg.keyword.value == "app")


def _split(
    args: Sequence[cst.Arg], app: str, known: Extension
) -> tuple[tuple[cst.Arg, ...], tuple[cst.Arg, ...]]:
    """The arguments besides the app: (constructor's, init_app's), as the extension takes them."""
    takes = known.init_takes
    ctor: list[cst.Arg] = []
    init: list[cst.Arg] = []
    for arg in args:
        if _is_app(arg, app):
            continue
        goes_to_init = takes == ALL or (
            isinstance(takes, frozenset) and arg.keyword is not None and arg.keyword.value in takes
        )
        (init if goes_to_init else ctor).append(arg)
    return tuple(ctor), tuple(init)


def _instance_name(class_name: str, taken: set[str]) -> str:
    """`CORS` → `cors`, `LoginManager` → `login_manager`: a free name for a bare `Ext(app)`."""
    base = re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", class_name.split(".")[-1]).lower()
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return name


def _init_app_targets(index: ModuleIndex, app: str) -> dict[str, int]:
    """Names with an `x.init_app(app, ...)` call at module level → the statement binding them."""
    call = m.Call(
        func=m.Attribute(value=m.Name(), attr=m.Name("init_app")),
        args=[m.Arg(m.Name(app)), m.ZeroOrMore()],
    )
    targets: dict[str, int] = {}
    for position, statement in enumerate(index.body):
        if app not in index.facts(position).reads:
            continue
        if m.matches(statement, m.SimpleStatementLine(body=[m.Expr(call)])):
            expr = cst.ensure_type(
                cst.ensure_type(statement, cst.SimpleStatementLine).body[0], cst.Expr
            )
            func = cst.ensure_type(cst.ensure_type(expr.value, cst.Call).func, cst.Attribute)
            name = cst.ensure_type(func.value, cst.Name).value
            binders = index.binders.get(name, [])
            if len(binders) == 1:
                targets[name] = binders[0]
    return targets


def _names_in(index: ModuleIndex, position: int, nodes: Sequence[cst.CSTNode]) -> set[str]:
    """Module-level names that statement `position` reads inside `nodes` (part of it)."""
    inside = _node_ids(nodes)
    return {
        name
        for name, readers in index.facts(position).reads.items()
        if any(id(reader) in inside for reader in readers)
    }


def _node_ids(nodes: Sequence[cst.CSTNode]) -> set[int]:
    seen: set[int] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        seen.add(id(node))
        stack.extend(node.children)
    return seen


def _local_names(index: ModuleIndex, position: int, args: Sequence[cst.Arg]) -> set[str]:
    """Names the constructor arguments read that the app module defines (not imports)."""
    return {name for name in _names_in(index, position, args) if name not in index.imports}


_LITERAL = (
    m.SimpleString()
    | m.ConcatenatedString()
    | m.Integer()
    | m.Name("True")
    | m.Name("False")
    | m.Name("None")
)
_SETTING = m.SimpleStatementLine(
    body=[m.Assign(targets=[m.AssignTarget(m.Attribute(value=m.Name()))], value=_LITERAL)]
)


def _settings_of(index: ModuleIndex, created: dict[str, int]) -> dict[str, list[int]]:
    """`login_manager.login_view = "login"`-style settings of moved extensions, by instance.

    Only literal values move (they need nothing from the app module), and only statements after
    the extension is created, so the order they run in stays the same.
    """
    settings: dict[str, list[int]] = {}
    for position, statement in enumerate(index.body):
        if created.keys().isdisjoint(index.facts(position).reads):
            continue
        if not m.matches(statement, _SETTING):
            continue
        assign = cst.ensure_type(
            cst.ensure_type(statement, cst.SimpleStatementLine).body[0], cst.Assign
        )
        owner = cst.ensure_type(
            cst.ensure_type(assign.targets[0].target, cst.Attribute).value, cst.Name
        )
        if owner.value in created and position > created[owner.value]:
            settings.setdefault(owner.value, []).append(position)
    return settings


def _imports(
    context: Context, index: ModuleIndex, extensions: Sequence[Bound]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The imports extensions.py needs: the classes and what their constructor arguments read."""
    reads: set[str] = set()
    for bound in extensions:
        reads |= _names_in(index, bound.position, [bound.cls, *bound.ctor_args])
    imports, _ = imports_for(
        index, reads & index.imports.keys(), local_modules=local_top_modules(context.project)
    )
    third_party, local = imports.groups()
    return tuple(third_party), tuple(local)


# ------------------------------------------------------------------------------ edit
@codemod.edit
def edit(context: Context, plan: ExtensionsPlan) -> Project:
    model = context.model
    index = context.project.index(model.app_path)
    tree = _app_module(index, model.app_name, plan)
    for bound in plan.extensions:
        context.note(
            f"`{bound.name}` now lives in {plan.path} and is bound with init_app",
            model.app_path,
            index.statement_line(bound.position),
        )
    project = context.project.with_changes(
        modules={model.app_path: tree, plan.path: _extensions_module(index, plan)}
    )
    package = model.import_name
    redirected = redirect_imports(
        project,
        package,
        dict.fromkeys((bound.name for bound in plan.extensions), f"{package}.{EXTENSIONS_MODULE}"),
        skip={model.app_path, plan.path},
    )
    return project.with_changes(modules=redirected)


def _extensions_module(index: ModuleIndex, plan: ExtensionsPlan) -> cst.Module:
    body: list[cst.BaseStatement] = []
    for bound in plan.extensions:
        created = cst.Assign(
            [cst.AssignTarget(cst.Name(bound.name))], _call(bound.cls, bound.ctor_args)
        )
        body.append(cst.SimpleStatementLine([created]))
        body += [index.body[p].with_changes(leading_lines=[]) for p in bound.settings]
    return new_module(DOCSTRING, _import_plan(plan), body, gap=1)


def _import_plan(plan: ExtensionsPlan) -> ImportPlan:
    return ImportPlan(list(plan.imports[0]), list(plan.imports[1]))


def _call(func: cst.BaseExpression, args: Sequence[cst.Arg]) -> cst.Call:
    return cst.Call(func, [arg.with_changes(comma=cst.MaybeSentinel.DEFAULT) for arg in args])


def _app_module(index: ModuleIndex, app: str, plan: ExtensionsPlan) -> cst.Module:
    """The app module binding each extension where it was created, importing it instead."""
    by_position = {bound.position: bound for bound in plan.extensions}
    settings = {p for bound in plan.extensions for p in bound.settings}
    body: list[cst.BaseStatement] = []
    for position, statement in enumerate(index.body):
        bound = by_position.get(position)
        if position in settings or (bound is not None and not bound.becomes_init):
            continue
        if bound is not None:
            func = cst.Attribute(cst.Name(bound.name), cst.Name("init_app"))
            init = _call(func, [cst.Arg(cst.Name(app)), *bound.init_args])
            leading = getattr(statement, "leading_lines", ())
            statement = cst.SimpleStatementLine([cst.Expr(init)], leading_lines=leading)
        body.append(statement)
    tree = index.tree.with_changes(body=body)
    for bound in plan.extensions:
        tree = add_import(tree, f".{EXTENSIONS_MODULE}", bound.name)
    unused = {
        name
        for name in index.imports
        if index.readers.get(name) and index.only_read_within(name, set(by_position))
    }
    return prune_imports(tree, unused)
