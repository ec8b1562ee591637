"""The global `app = Flask(...)` and everything done to it → `create_app(config_name)`.

Why: an app built at import time exists once, with one configuration; tests cannot get a fresh one
and production cannot pick its settings (docs/target-layout.md). Statements that touch the app move
into the factory in their original order; late imports used only there move with them (the
blueprint imports, as in Flask's own tutorial). Functions that merely read the app in their body
stay importable and use `current_app` instead.

A module-level name computed from the app at import time (`x = app.config["X"]` used elsewhere)
cannot exist before the app does: the factory is not written and the line is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel
from flaskmod.codemod import FACTORY, GET_CONFIG, Codemod, Context, Example, Needs
from flaskmod.errors import Finding, Location
from flaskmod.names import ModuleIndex, calls_of, import_statements, names_spelled
from flaskmod.project import Project

from ._app_importers import (
    entry_point_config,
    rewrite_app_importers,
    rewrite_test_imports,
    star_reexporters,
)
from ._app_users import AppUser, ToCurrentApp, Use, classify, with_app_parameter
from ._building import leading_lines
from ._imports import add_import
from ._moving import imported_as, prune_imports
from ._visiting import visited

#: what the page docs/codemods/factory.md shows; tests/test_docs.py runs it
EXAMPLE = Example(
    before={
        "app/__init__.py": """
            from flask import Flask
            from config import get_config
            from .extensions import db

            app = Flask(__name__)
            app.config.from_object(get_config())
            get_config().validate(app.config)
            db.init_app(app)


            def notes_per_page():
                return app.config["NOTES_PER_PAGE"]


            from .main import bp as main_bp

            app.register_blueprint(main_bp)
        """,
    },
    after={
        "app/__init__.py": '''
            from flask import Flask, current_app
            from config import get_config
            from .extensions import db


            def create_app(config_name="development"):
                """Build and configure the app for `config_name` (see config.py)."""
                app = Flask(__name__)
                app.config.from_object(get_config(config_name))
                app.config.from_prefixed_env()
                get_config(config_name).validate(app.config)
                db.init_app(app)

                from .main import bp as main_bp

                app.register_blueprint(main_bp)

                return app


            def notes_per_page():
                return current_app.config["NOTES_PER_PAGE"]
        ''',
    },
    reports=(
        "the app is now built by create_app(config_name); `app` no longer exists at import time",
    ),
    note="On Flask 2.1 or later the factory also reads `FLASK_*` variables (`from_prefixed_env`); on older or unknown versions that line is left out. A function that read the global app now reads `current_app`.",
)

codemod = Codemod.declare(
    __name__,
    # After every codemod that takes code out of the app module (config, extensions, models,
    # forms, blueprints): what is left that touches the app is what the factory must run.
    order=50,
    summary="Build the app in create_app(config_name) instead of at import time.",
    needs=Needs.PACKAGE,
    example=EXAMPLE,
)


@dataclass(frozen=True)
class FactoryPlan:
    creation: int
    #: statements that move into create_app, in their original order
    into: tuple[int, ...]
    #: functions and classes that read the app in their body, and how (see `_app_users`)
    users: tuple[AppUser, ...]
    #: modules outside the package importing the global app: they build their own
    entry_points: tuple[str, ...]
    #: modules of the package importing the global app only to use it in functions
    helpers: tuple[HelperModule, ...] = ()


@dataclass(frozen=True)
class HelperModule:
    """A module of the package that imports the global app (`from app import app`) and uses it
    only inside functions (`app/email.py`): rewritten by the same rule as the app module's."""

    path: str
    local: str
    users: tuple[AppUser, ...]


def _decorated_by_app(statement: cst.BaseStatement, index: ModuleIndex, app: str) -> bool:
    if not isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return False
    for decorator in statement.decorators:
        for name in names_spelled(decorator, app):
            if index.access_names.get(name) == app:
                return True
    return False


class _ConfigName(cst.CSTTransformer):
    """`get_config()` (chosen by environment) → `get_config(config_name)` (chosen by caller)."""

    def acts_on(self, node: cst.CSTNode) -> bool:
        return (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value == GET_CONFIG
            and not node.args
        )

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if self.acts_on(updated_node):
            return updated_node.with_changes(args=[cst.Arg(cst.Name("config_name"))])
        return updated_node


def _indented(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    """Leading lines for a statement now inside a function: at most one blank, comments kept."""
    out: list[cst.EmptyLine] = []
    for line in lines:
        if line.comment is None and out and out[-1].comment is None:
            continue
        out.append(line.with_changes(indent=True) if line.comment else cst.EmptyLine(indent=False))
    return out


def _top_level(lines: Sequence[cst.EmptyLine], after_something: bool) -> list[cst.EmptyLine]:
    """Two blank lines before a top-level def (PEP 8), comments kept after them."""
    comments = [line for line in lines if line.comment is not None]
    blanks = [cst.EmptyLine(), cst.EmptyLine()] if after_something else []
    return [*blanks, *comments]


@codemod.plan
def plan(context: Context) -> FactoryPlan:
    model, project = context.model, context.project
    importers = _importers_of_app(project, model, model.app_name)
    inside = [(path, f) for path, f in importers if _inside_package(path, model)]
    helpers, blockers = _helper_modules(project, model, inside)
    _decline_all(context, blockers)
    index = project.index(model.app_path)
    if FACTORY in index.binders:  # the module's own `create_app` would replace the factory
        line = index.statement_line(min(index.binders[FACTORY]))
        message = f"`{FACTORY}` is already defined here; rename it, then run again"
        context.decline(message, model.app_path, line)
    creation = _creation(index, model)
    into, readers = _split(index, model.app_name, creation)
    _decline_all(context, _leaks(index, model, into))
    users = tuple(classify(index, position, model.app_name) for position in readers)
    _decline_all(
        context, [_background(index, model, user) for user in users if user.use is Use.BACKGROUND]
    )
    entry_points = tuple(
        sorted({path for path, _ in importers if not _inside_package(path, model)})
    )
    return FactoryPlan(creation, tuple(into), users, entry_points, helpers)


@codemod.edit
def edit(context: Context, plan: FactoryPlan) -> Project:
    model, project = context.model, context.project
    index = project.index(model.app_path)
    function = _factory_function(context, index, plan)
    fixer = ToCurrentApp(index, model.app_name)
    tree = index.tree.with_changes(body=_module_body(index, plan, function, fixer))
    if fixer.count or any(user.use is Use.OBJECT for user in plan.users):
        tree = add_import(tree, "flask", "current_app")
    _note_app_parameters(context, index, plan)
    context.note(
        f"the app is now built by {FACTORY}(config_name); `{model.app_name}` no longer exists "
        "at import time",
        model.app_path,
        model.app_line,
    )
    # The project's own tests imported the global app: rewritten in the same step, so that the
    # commit that removes the global app is not a commit whose tests fail.
    needs_app = frozenset(user.name for user in plan.users if user.use is Use.OBJECT)
    tests, found = rewrite_test_imports(project, model, tree, needs_app)
    entries: dict[str, cst.Module] = {}
    for entry in plan.entry_points:
        config = entry_point_config(context.option("config_env_var"), entry)
        rewritten, more = rewrite_app_importers(project, model, tree, [entry], config, needs_app)
        entries |= rewritten
        found += more
    context.findings += found
    helpers = {helper.path: _rewritten_helper(context, helper) for helper in plan.helpers}
    return project.with_changes(modules={model.app_path: tree, **tests, **entries, **helpers})


def _visited(
    statement: cst.BaseStatement,
    visitor: cst.CSTTransformer,
    acts_on: Callable[[cst.CSTNode], bool],
) -> cst.BaseStatement:
    [new] = visited(statement, visitor, acts_on)
    return new


def _rewritten_user(
    statement: cst.BaseStatement, user: AppUser, fixer: ToCurrentApp, index: ModuleIndex
) -> cst.BaseStatement:
    if user.use is Use.OBJECT:
        return with_app_parameter(cst.ensure_type(statement, cst.FunctionDef), fixer.app)
    return _visited(statement, fixer, fixer.acts_on)


def _background(
    index: ModuleIndex, model: AppModel, user: AppUser, path: str | None = None
) -> Finding:
    return Finding(
        Location(path or model.app_path, index.statement_line(user.position)),
        f"`{user.name}` runs outside any request (a background task or a callback) and uses "
        f"the global `{model.app_name}`; a factory needs it to get an app another way (for "
        "Celery, Flask's 'Background Tasks with Celery' pattern) — migrate it by hand",
    )


def _note_app_parameters(context: Context, index: ModuleIndex, plan: FactoryPlan) -> None:
    for user in plan.users:
        if user.use is Use.OBJECT:
            context.note(
                f"`{user.name}` needs the app object: it now takes `app=None` and uses "
                "current_app._get_current_object() when called without one",
                context.model.app_path,
                index.statement_line(user.position),
            )


def _helper_modules(
    project: Project, model: AppModel, importers: list[tuple[str, Finding]]
) -> tuple[tuple[HelperModule, ...], list[Finding]]:
    """The package modules importing the app that can be rewritten, and why the others cannot."""
    helpers: list[HelperModule] = []
    blockers: list[Finding] = []
    for path in dict.fromkeys(path for path, _ in importers):
        index = project.index(path)
        local = _local_app_name(index, model)
        blocking = [f for p, f in importers if p == path]
        users: list[AppUser] = []
        for position in sorted(index.readers.get(local, ())):
            statement = index.body[position]
            if not isinstance(statement, cst.FunctionDef | cst.ClassDef) or _decorated_by_app(
                statement, index, local
            ):
                users = []
                break
            users.append(classify(index, position, local))
        else:
            background = [u for u in users if u.use is Use.BACKGROUND]
            if not background:
                helpers.append(HelperModule(path, local, tuple(users)))
                continue
            blocking = [_background(index, model, u, path) for u in background]
        blockers += blocking
    return tuple(helpers), blockers


def _local_app_name(index: ModuleIndex, model: AppModel) -> str:
    for name, imported in index.imports.items():
        if imported.module == model.import_name and imported.original == model.app_name:
            return name
    return model.app_name


def _rewritten_helper(context: Context, helper: HelperModule) -> cst.Module:
    index = context.project.index(helper.path)
    fixer = ToCurrentApp(index, helper.local)
    body = list(index.body)
    for user in helper.users:
        body[user.position] = _rewritten_user(body[user.position], user, fixer, index)
    tree = prune_imports(index.tree.with_changes(body=body), {helper.local})
    if not helper.users:
        context.note(f"no longer imports the global `{helper.local}` (unused)", helper.path)
        return tree
    context.note(
        f"uses the app through current_app instead of importing the global `{helper.local}`",
        helper.path,
    )
    return add_import(tree, "flask", "current_app")


def _decline_all(context: Context, findings: list[Finding]) -> None:
    """Report every reason, and decline with the last one (nothing of the factory is written)."""
    if not findings:
        return
    for finding in findings[:-1]:
        context.warn(finding.message, finding.location.path, finding.location.line)
    last = findings[-1]
    context.decline(last.message, last.location.path, last.location.line)


# ------------------------------------------------------------------------- planning
def _creation(index: ModuleIndex, model: AppModel) -> int:
    binders = index.binders.get(model.app_name, [])
    return next((i for i in binders if index.statement_line(i) == model.app_line), min(binders))


def _split(index: ModuleIndex, app: str, creation: int) -> tuple[list[int], list[int]]:
    """Statements that run on the app (into the factory), and functions that read it."""
    into: set[int] = set()
    current_app: list[int] = []
    for position, statement in enumerate(index.body):
        if position == creation:
            into.add(position)
        elif not index.reads(position, app):
            continue
        elif isinstance(statement, cst.FunctionDef | cst.ClassDef) and not _decorated_by_app(
            statement, index, app
        ):
            current_app.append(position)
        else:
            into.add(position)
    into |= _late_imports(index, creation, into)
    return sorted(into), current_app


def _late_imports(index: ModuleIndex, creation: int, into: set[int]) -> set[int]:
    """Imports after the app is created, used only by the factory (the blueprint imports)."""
    found = set()
    for position, statement in enumerate(index.body):
        if position > creation and m.matches(
            statement, m.SimpleStatementLine(body=[m.Import() | m.ImportFrom()])
        ):
            bound = index.names_bound_by({position})
            if bound and all(index.only_read_within(name, into) for name in bound):
                found.add(position)
    return found


def _leaks(index: ModuleIndex, model: AppModel, into: list[int]) -> list[Finding]:
    """Module-level names computed from the app and used outside the factory: they cannot be."""
    leaked = sorted(
        name
        for name in index.names_bound_by(into) - {model.app_name}
        if not index.only_read_within(name, into) and index.readers.get(name)
    )
    return [
        Finding(
            Location(model.app_path, index.first_read_outside(name, into)),
            f"`{name}` is computed from the app at import time and used outside it; "
            "move that use into a function before building the factory",
        )
        for name in leaked
    ]


# --------------------------------------------------------------------------- editing
def _factory_function(context: Context, index: ModuleIndex, plan: FactoryPlan) -> cst.FunctionDef:
    app = context.model.app_name
    statements = _factory_statements(index, plan)
    loads_config = any(calls_of(s, GET_CONFIG) for s in statements)
    purpose = (
        "Build and configure the app for `config_name` (see config.py)."
        if loads_config
        else "Build the app. `config_name` is unused until settings move to config.py."
    )
    statements = _with_prefixed_env(context, statements)
    function = cst.ensure_type(
        cst.parse_statement(
            f'def {FACTORY}(config_name="development"):\n    """{purpose}"""\n    pass\n'
        ),
        cst.FunctionDef,
    )
    docstring = cst.ensure_type(function.body, cst.IndentedBlock).body[0]
    returned = cst.parse_statement(f"return {app}\n").with_changes(
        leading_lines=[cst.EmptyLine(indent=False)]
    )
    creation = index.body[plan.creation]
    return function.with_changes(
        body=function.body.with_changes(body=[docstring, *statements, returned]),
        leading_lines=_top_level(leading_lines(creation), plan.creation > 0),
    )


def _factory_statements(index: ModuleIndex, plan: FactoryPlan) -> list[cst.BaseStatement]:
    """The moved statements, indented, with `get_config()` taking the factory's config name."""
    config = _ConfigName()
    statements: list[cst.BaseStatement] = []
    for position in plan.into:
        statement = _visited(index.body[position], config, config.acts_on)
        lines = [] if position == plan.into[0] else _indented(leading_lines(statement))
        statements.append(statement.with_changes(leading_lines=lines))
    return statements


def _with_prefixed_env(
    context: Context, statements: list[cst.BaseStatement]
) -> list[cst.BaseStatement]:
    """`app.config.from_prefixed_env()` right after the config class, where Flask has it."""
    if any(calls_of(s, "from_prefixed_env", method=True) for s in statements):
        return statements
    load = next(
        (i for i, s in enumerate(statements) if calls_of(s, GET_CONFIG)),
        None,
    )
    if load is None:
        return statements
    if not context.has("from_prefixed_env"):
        context.note(
            f"no app.config.from_prefixed_env(): it needs Flask 2.1, this project targets "
            f"{context.flask}",
            context.model.app_path,
        )
        return statements
    prefixed = cst.parse_statement(f"{context.model.app_name}.config.from_prefixed_env()\n")
    return [*statements[: load + 1], prefixed, *statements[load + 1 :]]


def _module_body(
    index: ModuleIndex, plan: FactoryPlan, function: cst.FunctionDef, fixer: ToCurrentApp
) -> list[cst.BaseStatement]:
    """The factory where the app was created; what read the app now reads `current_app`."""
    body: list[cst.BaseStatement] = []
    placed = after_function = False
    for position, statement in enumerate(index.body):
        if position in plan.into:
            if not placed:
                body.append(function)
                placed = after_function = True
            continue
        user = next((u for u in plan.users if u.position == position), None)
        if user is not None:
            statement = _rewritten_user(statement, user, fixer, index)
        if after_function:
            statement = statement.with_changes(
                leading_lines=_top_level(leading_lines(statement), True)
            )
            after_function = False
        body.append(statement)
    return body


def _inside_package(path: str, model: AppModel) -> bool:
    """Modules of the app's package must not build a second app: they need `current_app`."""
    return bool(model.app_dir) and path.startswith(model.app_dir + "/")


def _importers_of_app(project: Project, model: AppModel, app: str) -> list[tuple[str, Finding]]:
    """Non-test modules that still import the global app, each with the finding to report.

    Inside the package they would break (they need `current_app`), so the factory waits; outside
    it they are entry points and build their own app (see `rewrite_app_importers`).
    """
    found: list[tuple[str, Finding]] = []
    packages = [model.import_name, *star_reexporters(project, model.import_name)]
    for path in project.python_paths():
        if path == model.app_path or path in model.tests or app not in project.text(path):
            continue
        tree = project.module(path)
        for node in import_statements(tree):
            if any(imported_as(node, package, path, app) is not None for package in packages):
                line = project.index(path).line(node)
                message = (
                    f"imports the global `{app}`; the factory is not built until this module "
                    f"gets it another way (current_app, or {FACTORY}())"
                )
                found.append((path, Finding(Location(path, line), message)))
    return found
