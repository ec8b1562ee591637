"""`db = SQLAlchemy(app)` → `db = SQLAlchemy()` in `extensions.py` + `db.init_app(app)`.

Why: a factory creates the app inside a function, so extension objects cannot be bound to it at
import time. Unbound instances in their own module can be imported by models and views without a
circular import, and each app binds them with `init_app` (Flask guidelines §1).

Arguments go where each extension accepts them: most keep their options in the constructor and
take only the app in `init_app`; a few (Flask-Migrate's `db`, Flask-CORS and Talisman options) take
them in `init_app`. A call passing the app to a class flaskmod does not know is left in place and
reported: only the extension's documentation can say whether it has `init_app`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel
from flaskmod.errors import Finding, Location, Severity
from flaskmod.knowledge import ALL, canonical, known_extension
from flaskmod.pipeline import Options, Outcome
from flaskmod.project import Project

from ._imports import add_import
from ._layout import needs_package
from ._moving import ImportPlan, ModuleIndex, local_top_modules, prune_imports, redirect_imports

ORDER = 30
SUMMARY = "Move extension objects into extensions.py and bind them with init_app."

MODULE = "extensions"


@dataclass(frozen=True)
class _Extension:
    statement: int
    name: str
    class_name: str  # as written in the app module (`SQLAlchemy`, `fsa.SQLAlchemy`)
    ctor_args: tuple[cst.Arg, ...]
    init_args: tuple[cst.Arg, ...]
    assigned: bool  # `x = Ext(...)` rather than a bare `Ext(app)` call


def _qualified(index: ModuleIndex, func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Name) and func.value in index.imports:
        imported = index.imports[func.value]
        return canonical(
            f"{imported.module}.{imported.original}" if imported.original else imported.module
        )
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        imported = index.imports.get(func.value.value)
        if imported is not None and imported.original is None:
            return canonical(f"{imported.module}.{func.attr.value}")
        if imported is not None:
            return canonical(f"{imported.module}.{imported.original}.{func.attr.value}")
    return None


def _is_app(arg: cst.Arg, app: str) -> bool:
    return m.matches(arg.value, m.Name(app)) and (arg.keyword is None or arg.keyword.value == "app")


def _split(
    args: tuple[cst.Arg, ...], app: str, takes: str | frozenset[str]
) -> tuple[list[cst.Arg], list[cst.Arg]]:
    ctor: list[cst.Arg] = []
    init: list[cst.Arg] = []
    for arg in args:
        if _is_app(arg, app):
            continue
        goes_to_init = takes == ALL or (
            isinstance(takes, frozenset) and arg.keyword is not None and arg.keyword.value in takes
        )
        (init if goes_to_init else ctor).append(arg)
    return ctor, init


def _call_code(func: str, args: list[cst.Arg] | tuple[cst.Arg, ...]) -> str:
    module = cst.Module([])
    parts = [
        module.code_for_node(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)) for arg in args
    ]
    return f"{func}({', '.join(parts)})"


def _instance_name(class_name: str, taken: set[str]) -> str:
    base = re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", class_name.split(".")[-1]).lower()
    name, number = base, 2
    while name in taken:
        name, number = f"{base}_{number}", number + 1
    taken.add(name)
    return name


def transform(project: Project, model: AppModel, options: Options) -> Outcome:
    if (skipped := needs_package(project, model, "extensions")) is not None:
        return skipped
    index = project.index(model.app_path)
    app = model.app_name
    findings: list[Finding] = []
    found: list[_Extension] = []
    taken = set(index.binders)
    initialised = _init_app_targets(index, app)
    for position, statement in enumerate(index.body):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        target: str | None = None
        call: cst.BaseExpression | None = None
        if m.matches(small, m.Assign(targets=[m.AssignTarget(m.Name())], value=m.Call())):
            target = small.targets[0].target.value  # type: ignore[attr-defined]
            call = small.value  # type: ignore[attr-defined]
        elif m.matches(small, m.Expr(m.Call())):
            call = small.value  # type: ignore[attr-defined]
        if not isinstance(call, cst.Call) or m.matches(
            call.func, m.Attribute(attr=m.Name("init_app"))
        ):
            continue
        passes_app = any(_is_app(arg, app) for arg in call.args)
        if not passes_app and not (target and target in initialised):
            continue
        qualified = _qualified(index, call.func)
        known = known_extension(qualified)
        if known is None:
            if passes_app:
                written = cst.Module([]).code_for_node(call.func)
                findings.append(
                    Finding(
                        Location(model.app_path, index.statement_line(position)),
                        f"`{written}(app)` is not a known extension; it stays bound where the app "
                        "is created (check whether it has init_app)",
                    )
                )
            continue
        ctor, init = (
            _split(call.args, app, known.init_takes) if passes_app else (list(call.args), [])
        )
        blocked = _local_names(index, ctor) - {app}
        if blocked:
            findings.append(
                Finding(
                    Location(model.app_path, index.statement_line(position)),
                    f"extension kept in place: its arguments use {', '.join(sorted(blocked))} "
                    "defined in this module",
                )
            )
            continue
        name = target or _instance_name(cst.Module([]).code_for_node(call.func), taken)
        found.append(
            _Extension(
                statement=position,
                name=name,
                class_name=cst.Module([]).code_for_node(call.func),
                ctor_args=tuple(ctor),
                init_args=tuple(init) if passes_app else (),
                assigned=target is not None,
            )
        )
    if not found:
        return Outcome(project, tuple(findings))

    package_dir = model.app_dir
    path = f"{package_dir}/{MODULE}.py"
    if path in project:
        findings.append(
            Finding(Location(path), f"{path} already exists; extensions left in {model.app_path}")
        )
        return Outcome(project, tuple(findings))

    plan = ImportPlan()
    local = local_top_modules(project)
    reads: set[str] = set()
    for extension in found:
        reads |= _names_in(index, extension.ctor_args) | _names_in(index, [extension.class_name])
    for name in sorted(reads, key=lambda n: min(index.binders.get(n, [0]))):
        if name in index.imports:
            imported = index.imports[name]
            plan.add(imported.statement(), local=imported.module.split(".")[0] in local)
    lines = [
        '"""Extension instances, created unbound; `init_app` binds them to each app."""',
        "",
        plan.render(),
        "",
    ]
    settings = _settings_of(index, found)
    for extension in found:
        lines.append(f"{extension.name} = {_call_code(extension.class_name, extension.ctor_args)}")
        for position in settings.get(extension.name, []):
            lines.append(
                index.tree.code_for_node(
                    index.body[position].with_changes(leading_lines=[])
                ).rstrip("\n")
            )
    text = "\n".join(lines) + "\n"
    moved_settings = {p for positions in settings.values() for p in positions}

    by_statement = {extension.statement: extension for extension in found}
    body: list[cst.BaseStatement] = []
    for position, statement in enumerate(index.body):
        if position in moved_settings:
            continue
        extension = by_statement.get(position)
        if extension is None:
            body.append(statement)
            continue
        if position in initialised.values() and not extension.init_args and extension.assigned:
            # `x = Ext()` with a separate `x.init_app(app)`: only the constructor moves.
            continue
        init = _call_code(
            f"{extension.name}.init_app", [cst.Arg(cst.Name(app)), *extension.init_args]
        )
        new = cst.parse_statement(init + "\n")
        body.append(new.with_changes(leading_lines=statement.leading_lines))
    tree = index.tree.with_changes(body=body)
    for extension in found:
        tree = _import_from_extensions(tree, extension.name)
    unused = {
        name
        for name in index.imports
        if index.readers.get(name) and index.only_read_within(name, set(by_statement))
    }
    tree = prune_imports(tree, unused)
    for extension in found:
        findings.append(
            Finding(
                Location(model.app_path, index.statement_line(extension.statement)),
                f"`{extension.name}` now lives in {path} and is bound with init_app",
                Severity.NOTE,
            )
        )
    new_project = project.with_changes(modules={model.app_path: tree}, texts={path: text})
    redirected = redirect_imports(
        new_project,
        model.import_name,
        dict.fromkeys((extension.name for extension in found), f"{model.import_name}.{MODULE}"),
        skip={model.app_path, path},
    )
    return Outcome(new_project.with_changes(modules=redirected), tuple(findings))


def _settings_of(index: ModuleIndex, found: list[_Extension]) -> dict[str, list[int]]:
    """`login_manager.login_view = "login"`-style settings of moved extensions, by instance.

    Only literal values move (they need nothing from the app module), and only statements after
    the extension is created, so the order they run in stays the same.
    """
    created = {extension.name: extension.statement for extension in found}
    settings: dict[str, list[int]] = {}
    literal = (
        m.SimpleString()
        | m.ConcatenatedString()
        | m.Integer()
        | m.Name("True")
        | m.Name("False")
        | m.Name("None")
    )
    for position, statement in enumerate(index.body):
        if not m.matches(
            statement,
            m.SimpleStatementLine(
                body=[
                    m.Assign(targets=[m.AssignTarget(m.Attribute(value=m.Name()))], value=literal)
                ]
            ),
        ):
            continue
        owner = statement.body[0].targets[0].target.value.value  # type: ignore[attr-defined]
        if owner in created and position > created[owner]:
            settings.setdefault(owner, []).append(position)
    return settings


def _import_from_extensions(tree: cst.Module, name: str) -> cst.Module:
    return add_import(tree, f".{MODULE}", name)


def _init_app_targets(index: ModuleIndex, app: str) -> dict[str, int]:
    """Names with an `x.init_app(app, ...)` call at module level → the statement binding them."""
    targets: dict[str, int] = {}
    for statement in index.body:
        if m.matches(
            statement,
            m.SimpleStatementLine(
                body=[
                    m.Expr(
                        m.Call(
                            func=m.Attribute(value=m.Name(), attr=m.Name("init_app")),
                            args=[m.Arg(m.Name(app)), m.ZeroOrMore()],
                        )
                    )
                ]
            ),
        ):
            name = statement.body[0].value.func.value.value  # type: ignore[attr-defined]
            binders = index.binders.get(name, [])
            if len(binders) == 1:
                targets[name] = binders[0]
    return targets


def _names_in(
    index: ModuleIndex, parts: list[cst.Arg] | tuple[cst.Arg, ...] | list[str]
) -> set[str]:
    names: set[str] = set()
    for part in parts:
        node = cst.parse_expression(part) if isinstance(part, str) else part
        for found in m.findall(node, m.Name()):
            value = found.value  # type: ignore[attr-defined]
            if value in index.binders:
                names.add(value)
    return names


def _local_names(index: ModuleIndex, args: list[cst.Arg]) -> set[str]:
    """Names used by constructor arguments that the app module defines (not imports)."""
    return {name for name in _names_in(index, args) if name not in index.imports}
