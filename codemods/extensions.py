"""`db = SQLAlchemy(app)` → `db = SQLAlchemy()` in `extensions.py` + `db.init_app(app)`.

Legacy pattern: extension objects created bound to the global app (`db = SQLAlchemy(app)`), or
created unbound and bound later in the app module (`login = LoginManager()` … `login.init_app(app)`).

Why: a factory creates the app inside a function, so extension objects cannot be bound to it at
import time. Unbound instances in their own module can be imported by models and views without a
circular import, and each app binds them with `init_app` (Flask's "Application Factories"
pattern: "the extension object does not initially get bound to the application").

Arguments go where each extension accepts them (`knowledge.KNOWN_EXTENSIONS`): most keep their
options in the constructor and take only the app in `init_app`; a few (Flask-Migrate's `db`,
Flask-CORS and Talisman options, Flask-PyMongo's URI) take them in `init_app`. A class of a
`flask_*` package not in the table, given only the app, is assumed to follow the convention (and
the report says so); given other arguments too, or a class from elsewhere, it is left in place and
reported: only the extension's documentation can say where they go.

Constructor arguments that read definitions of the app module (`SQLAlchemy(app,
model_class=Base)`) take those definitions along into extensions.py when they are plain classes,
functions or assignments that need nothing from the app; otherwise the instance stays bound and
the report says which definition holds it there. An extension whose `init_app` registers only
what was added before it (Flask-RESTful's `Api`) is bound after the module's last use of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import libcst as cst
import libcst.matchers as m

from flaskmod.codegen import code_of
from flaskmod.codemod import EXTENSIONS_MODULE, Codemod, Context, Example, Needs
from flaskmod.conventions import instance_name
from flaskmod.knowledge import KNOWN_EXTENSIONS as KNOWN
from flaskmod.knowledge import NOT_INIT_APP, extension_for, follows_convention
from flaskmod.names import ModuleIndex, children_in_order, qualify
from flaskmod.project import Project, module_name

from ._building import new_module
from ._extension_args import call_with, is_app, split_arguments
from ._imports import add_import
from ._moving import ImportPlan, imports_for, local_top_modules, prune_imports, redirect_imports

#: what the page docs/codemods/extensions.md shows; tests/test_docs.py runs it
EXAMPLE = Example(
    before={
        "app/__init__.py": """
            from flask import Flask
            from flask_login import LoginManager
            from flask_sqlalchemy import SQLAlchemy

            app = Flask(__name__)
            db = SQLAlchemy(app)
            login_manager = LoginManager(app)
            login_manager.login_view = "login"
        """,
    },
    after={
        "app/__init__.py": """
            from flask import Flask

            from .extensions import db, login_manager

            app = Flask(__name__)
            db.init_app(app)
            login_manager.init_app(app)
        """,
        "app/extensions.py": '''
            """Extension instances, created unbound; `init_app` binds them to each app."""

            from flask_login import LoginManager
            from flask_sqlalchemy import SQLAlchemy

            db = SQLAlchemy()
            login_manager = LoginManager()
            login_manager.login_view = "login"
        ''',
    },
    reports=(
        "`db` now lives in app/extensions.py and is bound with init_app",
        "`login_manager` now lives in app/extensions.py and is bound with init_app",
    ),
    note="The app is already a package, as `package` leaves it. `login_view` moves with its instance; `blueprints` later renames the endpoint it names.",
)

codemod = Codemod.declare(
    __name__,
    # After `package` (extensions.py is written beside the app, in its package); before `models`
    # and `forms` (their modules import `db` and `login_manager` from extensions.py) and before
    # `factory`, which moves the `init_app` calls this leaves into create_app.
    order=30,
    summary="Move extension objects into extensions.py and bind them with init_app.",
    needs=Needs.PACKAGE,
    example=EXAMPLE,
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
    #: definitions of the app module its constructor arguments read, moving along, in order
    definitions: tuple[int, ...] = ()
    #: the statement after which `init_app` goes (its own position unless `bind_last`)
    bind_after: int | None = None
    #: not in the table: a `flask_*` class assumed to follow the init_app convention
    assumed: str | None = None


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
@dataclass
class _Scan:
    """What the plan has found so far in the app module."""

    index: ModuleIndex
    initialised: dict[str, int]
    taken: set[str]
    found: list[Bound] = field(default_factory=list)
    problems: list[tuple[str, int]] = field(default_factory=list)


@codemod.plan
def plan(context: Context) -> ExtensionsPlan | None:
    model = context.model
    index = context.project.index(model.app_path)
    initialised = _init_app_targets(index, model.app_name)
    scan = _Scan(index, initialised, set(index.binders))
    for candidate in _calls(index, model.app_name, initialised):
        bound = _bound(context, scan, candidate)
        if bound is not None:
            scan.found.append(bound)
    found, problems = scan.found, scan.problems
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
        replace(bound, settings=tuple(settings.get(bound.name, ()))) for bound in found
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
        if any(is_app(arg, app) for arg in call.args) or (target and target in initialised):
            found.append(_Call(position, target, call))
    return found


def _bound(context: Context, scan: _Scan, found: _Call) -> Bound | None:
    """The extension a call creates, or None (with the reason in `problems` when it matters)."""
    app, index = context.model.app_name, scan.index
    call, line = found.call, index.statement_line(found.position)
    passes_app = any(is_app(arg, app) for arg in call.args)
    qualified = qualify(call.func, index.imports)
    known = extension_for(qualified, only_app=not passes_app or len(call.args) == 1)
    if known is None:
        if passes_app and _written(call.func).rsplit(".", 1)[-1][:1].isupper():
            scan.problems.append((_unknown(call, qualified), line))  # a class, not a function
        return None
    ctor, init = split_arguments(call.args, app, known) if passes_app else (tuple(call.args), ())
    name = found.target or instance_name(_written(call.func), scan.taken)
    earlier = {bound.name for bound in scan.found}
    definitions = _definitions(context, index, found.position, ctor, earlier)
    if isinstance(definitions, str):
        path = f"{context.model.app_dir}/{EXTENSIONS_MODULE}.py"
        message = f"`{name}` stays bound to the app, not moved to {path}: {definitions}"
        scan.problems.append((message, line))
        return None
    becomes_init = not (
        found.position in scan.initialised.values() and not init and found.target is not None
    )
    last = _last_use(index, found.position, name) if known.bind_last and passes_app else None
    assumed = None if known.qualified in KNOWN else known.qualified
    bound = Bound(found.position, name, call.func, ctor, init, becomes_init)
    return replace(bound, definitions=definitions, bind_after=last, assumed=assumed)


def _unknown(call: cst.Call, qualified: str | None) -> str:
    written = _written(call.func)
    if qualified in NOT_INIT_APP:
        return (
            f"`{written}(app)` ({qualified}) has no init_app: it takes the app, or a factory it "
            "calls when a command runs; it stays. Once create_app exists, move it to an entry "
            f"script (manage.py): `{written}(create_app)`, or `{written}(app)` with "
            "`app = create_app(...)`"
        )
    if follows_convention(qualified):
        return (
            f"`{written}` is not a known extension: by the flask_* convention it has init_app, "
            "but where its other arguments go is unknown; it stays bound where the app is created"
        )
    return (
        f"`{written}(app)` is not a known extension; it stays bound where the app "
        "is created (check whether it has init_app)"
    )


def _written(node: cst.CSTNode) -> str:
    return code_of(node)


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


def _definitions(
    context: Context, index: ModuleIndex, position: int, args: Sequence[cst.Arg], earlier: set[str]
) -> tuple[int, ...] | str:
    """The app module's definitions the constructor arguments read, with those they read in
    turn: they move along. Or why one cannot: it reads the app, is bound more than once or only
    later, is not a plain class, function or assignment, or comes from a module that imports
    the app package (extensions.py importing it would be circular)."""
    model = context.model
    queue = [(name, "") for name in sorted(_names_in(index, position, args))]
    seen: set[str] = set()
    moved: set[int] = set()
    while queue:
        name, via = queue.pop()
        if name in seen or name in earlier:
            continue
        seen.add(name)
        if name == model.app_name:
            return (
                f"{f'`{via}`, which its arguments read,' if via else 'its arguments'} read the app"
            )
        if name in index.imports:
            reason = _circular(context, index.imports[name].module, name)
            if reason:
                return reason
            continue
        binders = index.binders.get(name)
        if binders is None:
            continue  # a builtin
        reason = _unmovable(index, name, binders, position)
        if reason:
            return f"`{name}`, which its arguments read, {reason} in {model.app_path}"
        moved.add(binders[0])
        reads = index.facts(binders[0]).reads.keys() - index.facts(binders[0]).binds
        queue += [(read, via or name) for read in sorted(reads)]
    return tuple(sorted(moved))


def _unmovable(index: ModuleIndex, name: str, binders: list[int], position: int) -> str | None:
    if len(binders) != 1:
        return "is bound more than once"
    if binders[0] > position:
        return "is defined after it"
    statement = index.body[binders[0]]
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return "is decorated" if statement.decorators else None
    plain = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name())])])
    return None if m.matches(statement, plain) else "is not a plain class, function or assignment"


def _circular(context: Context, module: str, name: str) -> str | None:
    """Why importing `name` from `module` in extensions.py would be circular, if it would: the
    module is the app package (or extensions.py), or imports from it at module level."""
    package = context.model.import_name
    extensions = f"{package}.{EXTENSIONS_MODULE}"
    if module in (package, extensions):
        return f"`{name}` is imported from {module} itself"
    path = next((p for p in context.project.python_paths() if module_name(p) == module), None)
    if path is None:
        return None  # not the project's: a library
    imports = context.project.index(path).imports.values()
    if any(imported.module in (package, extensions) for imported in imports):
        return f"`{name}` comes from {path}, which imports {package}: importing it in {extensions} would be circular"
    return None


def _last_use(index: ModuleIndex, position: int, name: str) -> int:
    """The last top-level statement that uses instance `name` at import time (a call, or a
    decorator of a def or class): an extension that registers only what was added before its
    `init_app` is bound after it."""
    last = position
    for reader in sorted(index.readers.get(name, ())):
        statement = index.body[reader]
        if reader > position and (
            isinstance(statement, cst.SimpleStatementLine)
            or (
                isinstance(statement, cst.FunctionDef | cst.ClassDef)
                and name in _names_in(index, reader, statement.decorators)
            )
        ):
            last = reader
    return last


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
        stack.extend(children_in_order(node))
    return seen


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
    """The imports extensions.py needs: the classes, and what their constructor arguments and
    the definitions moving along read."""
    reads: set[str] = set()
    for bound in extensions:
        reads |= _names_in(index, bound.position, [bound.cls, *bound.ctor_args])
        reads |= index.names_read_by(bound.definitions)
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
        _notes(context, index, plan.path, bound)
    project = context.project.with_changes(
        modules={model.app_path: tree, plan.path: _extensions_module(index, plan)}
    )
    package = model.import_name
    redirected = redirect_imports(
        project,
        package,
        dict.fromkeys(_moved_names(index, plan), f"{package}.{EXTENSIONS_MODULE}"),
        skip={model.app_path, plan.path},
    )
    return project.with_changes(modules=redirected)


def _notes(context: Context, index: ModuleIndex, path: str, bound: Bound) -> None:
    app_path, line = context.model.app_path, index.statement_line(bound.position)
    context.note(f"`{bound.name}` now lives in {path} and is bound with init_app", app_path, line)
    if bound.assumed:
        context.note(
            f"`{bound.name}` ({bound.assumed}) is not in flaskmod's extension table: assumed to "
            "follow the init_app convention of flask_* packages",
            app_path,
            line,
        )
    moved = sorted(index.names_bound_by(bound.definitions))
    if moved:
        names = ", ".join(f"`{name}`" for name in moved)
        context.note(
            f"{names} moved to {path} with `{bound.name}`, whose arguments read it", app_path, line
        )
    if bound.bind_after not in (None, bound.position):
        context.note(
            f"`{bound.name}.init_app(app)` comes after the module's last use of `{bound.name}`: "
            "its init_app registers only what was added before it",
            app_path,
            line,
        )


def _moved_names(index: ModuleIndex, plan: ExtensionsPlan) -> list[str]:
    """The names that now live in extensions.py: instances, then the definitions they read."""
    definitions = {p for bound in plan.extensions for p in bound.definitions}
    return [bound.name for bound in plan.extensions] + sorted(index.names_bound_by(definitions))


def _extensions_module(index: ModuleIndex, plan: ExtensionsPlan) -> cst.Module:
    """Definitions the constructors read, each instance unbound, its literal settings."""
    body: list[cst.BaseStatement] = []
    written: set[int] = set()
    for bound in plan.extensions:
        body += [index.body[p] for p in bound.definitions if p not in written]
        written.update(bound.definitions)
        created = cst.Assign(
            [cst.AssignTarget(cst.Name(bound.name))], call_with(bound.cls, bound.ctor_args)
        )
        body.append(cst.SimpleStatementLine([created]))
        body += [index.body[p].with_changes(leading_lines=[]) for p in bound.settings]
    gap = 2 if isinstance(body[0], cst.FunctionDef | cst.ClassDef) else 1
    return new_module(DOCSTRING, _import_plan(plan), _laid_out(body), gap=gap)


def _laid_out(statements: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """Statements one per line, two blank lines around classes and functions (their comments
    kept)."""
    out: list[cst.BaseStatement] = []
    previous_def = False
    for statement in statements:
        is_def = isinstance(statement, cst.FunctionDef | cst.ClassDef)
        leading: Sequence[cst.EmptyLine] = getattr(statement, "leading_lines", ())
        comments = [line for line in leading if line.comment is not None]
        blanks = [cst.EmptyLine()] * 2 if out and (is_def or previous_def) else []
        out.append(statement.with_changes(leading_lines=[*blanks, *comments]))
        previous_def = is_def
    return out


def _import_plan(plan: ExtensionsPlan) -> ImportPlan:
    return ImportPlan(list(plan.imports[0]), list(plan.imports[1]))


def _init_statement(
    app: str, bound: Bound, leading: Sequence[cst.EmptyLine]
) -> cst.SimpleStatementLine:
    func = cst.Attribute(cst.Name(bound.name), cst.Name("init_app"))
    init = call_with(func, [cst.Arg(cst.Name(app)), *bound.init_args])
    return cst.SimpleStatementLine([cst.Expr(init)], leading_lines=leading)


def _app_module(index: ModuleIndex, app: str, plan: ExtensionsPlan) -> cst.Module:
    """The app module binding each extension where it was created (or after its last use),
    importing the instances and the definitions it still reads from extensions.py."""
    by_position = {bound.position: bound for bound in plan.extensions}
    later = {bound.bind_after: bound for bound in plan.extensions if bound.bind_after is not None}
    gone = {p for bound in plan.extensions for p in (*bound.settings, *bound.definitions)}
    body: list[cst.BaseStatement] = []
    for position, statement in enumerate(index.body):
        bound = by_position.get(position)
        leading = getattr(statement, "leading_lines", ())
        if bound is not None and bound.becomes_init and bound.bind_after is None:
            body.append(_init_statement(app, bound, leading))
        elif position not in gone and bound is None:
            body.append(statement)
        if position in later:
            first = index.body[later[position].position]
            body.append(_init_statement(app, later[position], getattr(first, "leading_lines", ())))
    tree = index.tree.with_changes(body=body)
    moving = set(by_position) | gone
    for name in _moved_names(index, plan):
        if name in (b.name for b in plan.extensions) or index.readers.get(name, set()) - moving:
            tree = add_import(tree, f".{EXTENSIONS_MODULE}", name)
    return prune_imports(tree, _unused(index, plan, moving))


def _unused(index: ModuleIndex, plan: ExtensionsPlan, moving: set[int]) -> set[str]:
    """Imports read only by what moved (not by the arguments `init_app` keeps)."""
    kept: set[str] = set()
    for bound in plan.extensions:
        kept |= _names_in(index, bound.position, bound.init_args)
    return {
        name
        for name in index.imports
        if index.readers.get(name) and index.only_read_within(name, moving) and name not in kept
    }
