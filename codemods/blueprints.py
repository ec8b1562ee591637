"""`@app.route` views and app hooks → a `main` blueprint in `<package>/main/`.

The legacy pattern: views, error handlers, request hooks, template filters and CLI commands
registered on the global app, in the app module (`@app.route("/")` after `app = Flask(...)`) or
in modules that import it (`from app import app` in `app/routes.py`, `app/cli.py`).

Why: a factory has no app at import time to decorate, so views register on a Blueprint that the
factory registers (docs/target-layout.md). App-wide registrations keep their app-wide effect through
the blueprint's `app_*` forms (`errorhandler` → `app_errorhandler`, `before_request` →
`before_app_request`): a plain `bp.errorhandler` would only see this blueprint's requests.

Registrations in the app module move to `<package>/<blueprint>/routes.py`. Other modules that
register on the app are converted in place (their files and history stay where they are) and the
blueprint package imports them, so whatever imports the blueprint gets every registration; modules
that only read the app, entry points and tests are sorted out in `_view_modules`. Inside moved
code the global `app` becomes the current app, under the rule `_registrations` states.

Endpoints gain the blueprint prefix (`index` → `main.index`), so every literal reference is
rewritten, in Python and in Jinja templates (`_endpoints`). Module state that a view rebinds with
`global` must live in the same module as the view; views whose state cannot move with them stay
on the app and are reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel
from flaskmod.codemod import BLUEPRINT_VARIABLE, Codemod, Context, Example, Needs, Option
from flaskmod.names import ModuleIndex
from flaskmod.project import Project

from ._blueprint_modules import blueprint_package, registrations
from ._building import new_module, spaced
from ._endpoints import Kind, Rewrites, Source, rewrite_python, rewrite_templates
from ._file_anchor import reanchor
from ._grouping import StripPrefix, assign, first_segment, route_rules
from ._moving import (
    ImportPlan,
    imported_names,
    imports_for,
    local_top_modules,
    prune_imports,
    redirect_imports,
)
from ._registrations import ToBlueprint, route_endpoints
from ._view_modules import Reason, ViewModule, convert, movable_kind, view_modules
from ._visiting import visited

#: what the page docs/codemods/blueprints.md shows; tests/test_docs.py runs it
EXAMPLE = Example(
    before={
        "app/__init__.py": """
            from flask import Flask, redirect, render_template, url_for

            app = Flask(__name__)


            @app.route("/")
            def index():
                return render_template("index.html")


            @app.route("/home")
            def home():
                return redirect(url_for("index"))


            @app.errorhandler(404)
            def not_found(error):
                return render_template("404.html"), 404
        """,
        "templates/index.html": """
            <a href="{{ url_for('home') }}">home</a>
        """,
    },
    after={
        "app/__init__.py": """
            from flask import Flask

            app = Flask(__name__)


            from .main import bp as main_bp

            app.register_blueprint(main_bp)
        """,
        "templates/index.html": """
            <a href="{{ url_for('main.home') }}">home</a>
        """,
        "app/main/routes.py": '''
            """Views of the `main` blueprint, moved from app/__init__.py."""

            from flask import redirect, render_template, url_for

            from app.main import bp


            @bp.route("/")
            def index():
                return render_template("index.html")


            @bp.route("/home")
            def home():
                return redirect(url_for("main.index"))


            @bp.app_errorhandler(404)
            def not_found(error):
                return render_template("404.html"), 404
        ''',
        "app/main/__init__.py": '''
            """The `main` blueprint: the views that were registered on the app."""

            from flask import Blueprint

            bp = Blueprint("main", __name__)

            # Imported last: the views module needs `bp` to register its views on it.
            from . import routes  # noqa: E402, F401
        ''',
    },
    reports=(
        "2 endpoint(s) now carry a blueprint prefix (main.); 1 template(s) and 1 Python file(s) updated",
    ),
    note="Every endpoint gains the blueprint's prefix, in Python and in templates; the error handler stays app-wide (`app_errorhandler`).",
)

codemod = Codemod.declare(
    __name__,
    # After `package` (the blueprint lives in the app's package) and after `extensions`, `models`
    # and `forms` (views import what those take out of the app module, from its new home); before
    # `factory`, which moves the blueprint registration this adds into create_app.
    order=40,
    summary="Move views, error handlers, hooks and CLI commands into a `main` blueprint.",
    needs=Needs.PACKAGE,
    options=(
        Option("blueprint", "main", "name of the blueprint the views move into"),
        Option(
            "group_by",
            "single",
            "one `main` blueprint, or one per first URL segment",
            choices=("single", "prefix"),
        ),
    ),
    example=EXAMPLE,
)


# ------------------------------------------------------------------------- the plan
@dataclass(frozen=True)
class Moves:
    """Which app-module statements move: the registrations, and the helpers and state they own."""

    moved: frozenset[int]
    registrations: frozenset[int]
    #: registration kept on the app → why
    stays: Mapping[int, str]


@dataclass(frozen=True)
class Group:
    """One blueprint, and the app-module statements that move into its `routes.py`."""

    name: str
    positions: frozenset[int]
    #: its `url_prefix` (`--group-by prefix`)
    prefix: str | None = None


@dataclass(frozen=True)
class BlueprintsPlan:
    blueprint: str
    #: the default blueprint first, then one per URL prefix
    groups: tuple[Group, ...]
    registrations: frozenset[int]
    views: tuple[ViewModule, ...]
    #: old endpoint → new, in the order they were found
    endpoints: tuple[tuple[str, str], ...]
    #: Flask < 2.3 still has `before_app_first_request`: keep the exact semantics there
    keep_first_request: bool
    #: Flask ≥ 1.1 has `Blueprint.cli`; before, commands are added to each app by `bp.record`
    blueprint_cli: bool = True

    @property
    def moved(self) -> frozenset[int]:
        return frozenset[int]().union(*(group.positions for group in self.groups))

    @property
    def registering(self) -> tuple[ViewModule, ...]:
        """Converted modules that register on the default blueprint."""
        return tuple(view for view in self.views if view.registers)

    @property
    def registered(self) -> list[str]:
        """Blueprints the app registers: the groups, and the default one for converted modules."""
        names = [group.name for group in self.groups]
        extra = self.registering and self.blueprint not in names
        return names + ([self.blueprint] if extra else [])

    def group_of(self, position: int) -> str:
        return next(group.name for group in self.groups if position in group.positions)


@codemod.plan
def plan(context: Context) -> BlueprintsPlan | None:
    model, project = context.model, context.project
    index = project.index(model.app_path)
    default = _free_name(context, context.option("blueprint"))
    allow_cli = context.has("app_cli")  # before 1.1 through `bp.record` (see ToBlueprint)
    elsewhere = imported_names(project, model.import_name, model.app_path)
    moves = plan_moves(index, model.app_name, elsewhere, allow_cli)
    reasons = [
        Reason(f"left registered on the app: it {why}", model.app_path, index.statement_line(p))
        for p, why in sorted(moves.stays.items())
    ]
    views = tuple(view_modules(project, model, allow_cli, reasons))
    if not moves.moved and not views:
        if reasons:  # something left for a human: offered again once the app module changes
            _refuse(context, reasons)
        return None
    for reason in reasons:
        context.warn(*reason)
    _check_room(context, index, moves, default)
    groups = _groups(context, index, moves, default)
    return BlueprintsPlan(
        default,
        groups,
        moves.registrations,
        views,
        tuple(_endpoints(index, model.app_name, groups, moves, views, default).items()),
        keep_first_request=context.flask.still_has("before_first_request"),
        blueprint_cli=context.has("blueprint_cli"),
    )


def _free_name(context: Context, wanted: str) -> str:
    """The blueprint's package name: `wanted`, unless a module of that name lives where the
    package would go (`admin/main.py` beside `admin/main/` would never be imported again)."""
    folder = context.model.app_dir
    if f"{folder}/{wanted}.py" not in context.project:
        return wanted
    name = f"{wanted}_bp"
    context.note(
        f"the blueprint is called `{name}`: {folder}/{wanted}.py is already a module",
        context.model.app_path,
    )
    return name


def _refuse(context: Context, reasons: list[Reason]) -> None:
    *others, last = reasons
    for reason in others:
        context.warn(*reason)
    context.decline(*last)


def _check_room(context: Context, index: ModuleIndex, moves: Moves, default: str) -> None:
    """Decline when moved code would shadow `bp`, or the blueprint package exists already."""
    model = context.model
    if BLUEPRINT_VARIABLE in index.names_bound_by(moves.moved) | index.names_read_by(moves.moved):
        binders = index.binders.get(BLUEPRINT_VARIABLE)
        line = (
            index.statement_line(min(binders))
            if binders
            else index.first_read_outside(BLUEPRINT_VARIABLE, ())
        )
        context.decline(
            f"`{BLUEPRINT_VARIABLE}` would shadow the blueprint in routes.py; rename it and "
            "run again (views left on the app)",
            model.app_path,
            line,
        )
    folder = f"{model.app_dir}/{default}"
    if f"{folder}/routes.py" in context.project or f"{folder}/__init__.py" in context.project:
        context.decline(f"{folder}/ already exists; views left on the app", f"{folder}/__init__.py")


def _endpoints(
    index: ModuleIndex,
    app: str,
    groups: tuple[Group, ...],
    moves: Moves,
    views: tuple[ViewModule, ...],
    default: str,
) -> dict[str, str]:
    """Old endpoint → new (`index` → `main.index`)."""
    group_of = {position: group.name for group in groups for position in group.positions}
    mapping = {
        endpoint: f"{group_of[position]}.{endpoint}"
        for position in sorted(moves.registrations)
        for endpoint in route_endpoints(index.body[position], app)
    }
    mapping.update({e: f"{default}.{e}" for view in views for e in view.endpoints})
    return mapping


# ------------------------------------------------------- what moves out of the app module
def _movable_helper(
    statement: cst.BaseStatement, index: ModuleIndex, position: int, app: str
) -> bool:
    if index.reads(position, app):
        return False
    if isinstance(statement, cst.FunctionDef):
        return not statement.decorators
    return m.matches(
        statement,
        m.SimpleStatementLine(
            body=[m.Assign(targets=[m.AssignTarget(m.Name())]) | m.AnnAssign(target=m.Name())]
        ),
    )


def plan_moves(
    index: ModuleIndex, app: str, imported_elsewhere: set[str], allow_cli: bool = True
) -> Moves:
    """Which top-level statements move: the registrations, plus the helpers and state they own.

    A registration that rebinds module state (`global counter`) shared with code that stays is
    left on the app, and the closure computed again without it.
    """
    registrations = frozenset(
        i for i, s in enumerate(index.body) if movable_kind(s, app, allow_cli) is not None
    )
    stays: dict[int, str] = {}
    while True:
        moved = _closure(index, app, registrations - stays.keys(), imported_elsewhere)
        if not _shared_state(index, moved, registrations, stays):
            return Moves(frozenset(moved), registrations & moved, stays)


def _closure(
    index: ModuleIndex, app: str, seeds: AbstractSet[int], elsewhere: set[str]
) -> set[int]:
    """Seeds plus the helpers and state only they use, and state they rebind with `global`."""
    users = index.declared_global
    moved = set(seeds)
    changed = True
    while changed:
        changed = False
        declared = {name for name, positions in users.items() if positions & moved}
        for name in sorted((index.names_read_by(moved) | declared) - {app}):
            group = _owned(index, app, name, moved, elsewhere)
            if group:
                moved |= group
                changed = True
    return moved


def _owned(
    index: ModuleIndex, app: str, name: str, moved: set[int], elsewhere: set[str]
) -> set[int]:
    """The statement defining `name` (with the functions rebinding it), if it moves too."""
    users = index.declared_global.get(name, set())
    # Functions declaring `global name` also bind it; the definition is the other one.
    binders = [b for b in index.binders.get(name, []) if b not in users]
    if len(binders) != 1 or binders[0] in moved:
        return set()
    binder = binders[0]
    readers = index.readers.get(name, set()) - {binder}
    wanted = name in index.declared_global or bool(
        readers and readers <= moved and name not in elsewhere
    )
    if not wanted or not _movable_helper(index.body[binder], index, binder, app):
        return set()
    group = {binder} | users
    if all(p in moved or _movable_helper(index.body[p], index, p, app) for p in group):
        return group
    return set()


def _shared_state(
    index: ModuleIndex, moved: set[int], registrations: frozenset[int], stays: dict[int, str]
) -> bool:
    """Mark registrations that rebind state shared with code left behind; True if any."""
    broken = False
    for name, users in index.declared_global.items():
        touching = index.readers.get(name, set()) | users | set(index.binders.get(name, []))
        if not touching & moved or touching <= moved:
            continue
        for position in sorted(touching & registrations):
            if position not in stays:
                stays[position] = (
                    f"rebinds module state `{name}` (global) that code left in the app module "
                    "also uses"
                )
                broken = True
    return broken


# ------------------------------------------------------------------ URL-prefix groups
def _groups(context: Context, index: ModuleIndex, moves: Moves, default: str) -> tuple[Group, ...]:
    """Which blueprint each moved statement goes to: the default, or a URL-prefix group."""
    model = context.model
    app = model.app_name
    groups = dict.fromkeys(moves.moved, default)
    prefixes: dict[str, str] = {}
    if context.option("group_by") == "prefix":
        taken = {  # modules and packages already in the app package
            PurePosixPath(path[len(model.app_dir) + 1 :]).parts[0].removesuffix(".py")
            for path in context.project.files
            if path.startswith(model.app_dir + "/")
        }
        grouped = assign(list(index.body), set(moves.registrations), app, taken - {default})
        groups.update(grouped)
        prefixes = {
            name: f"/{_segment_of(index, app, grouped, name)}" for name in set(grouped.values())
        }
        _attach_helpers(index, moves, groups, default)
    names = sorted(set(groups.values()), key=lambda n: (n != default, n))
    return tuple(
        Group(name, frozenset(p for p, g in groups.items() if g == name), prefixes.get(name))
        for name in names
    )


def _segment_of(index: ModuleIndex, app: str, grouped: dict[int, str], name: str) -> str:
    position = next(p for p, g in grouped.items() if g == name)
    rules = route_rules(index.body[position], app)
    assert rules  # grouped views have literal rules
    return first_segment(rules[0]) or name


def _attach_helpers(index: ModuleIndex, moves: Moves, groups: dict[int, str], default: str) -> None:
    """A moved helper goes with the one blueprint that uses it; shared ones stay in the default."""
    for position in sorted(moves.moved - moves.registrations):
        users = {
            groups[p]
            for name in index.names_bound_by({position})
            for p in index.readers.get(name, set())
            if p in groups and p != position
        }
        groups[position] = users.pop() if len(users) == 1 else default
    # State rebound with `global` must live with every function that rebinds it.
    for position in sorted(moves.moved):
        for name in index.facts(position).declared_global:
            touching = {
                p
                for p in index.readers.get(name, set()) | set(index.binders.get(name, []))
                if p in groups
            }
            if len({groups[p] for p in touching}) > 1:
                for p in touching:
                    groups[p] = default


# --------------------------------------------------------------------------- the edit
@dataclass
class _Built:
    """The moved and converted modules, and what the conversion met on the way."""

    modules: dict[str, cst.Module]
    uses_cli: bool = False
    #: each routes module's statements as the endpoint prefilter reads them (their old code)
    sources: dict[str, Source] = field(default_factory=dict)


@codemod.edit
def edit(context: Context, plan: BlueprintsPlan) -> Project:
    model, project = context.model, context.project
    index = project.index(model.app_path)
    built = _build(context, index, plan)
    new_project = project.with_changes(modules=built.modules)
    mapping = dict(plan.endpoints)
    rewrites = _rewrite_endpoints(context, new_project, mapping, built.sources)
    packages = _packages(context, plan, built.uses_cli, mapping if rewrites.computed else None)
    trees = dict(rewrites.modules)
    generated = {f"{model.app_dir}/{group.name}/routes.py" for group in plan.groups}
    trees.update(
        redirect_imports(
            new_project,
            model.import_name,
            _destinations(index, plan, model.import_name),
            skip={model.app_path, *generated, *packages},
            edited=trees,
        )
    )
    registered = plan.registered
    if registered:
        context.note(
            f"{len(mapping)} endpoint(s) now carry a blueprint prefix "
            f"({', '.join(f'{n}.' for n in registered)}); "
            f"{len(rewrites.templates)} template(s) and {len(trees)} Python file(s) updated",
            _package_path(model, plan.blueprint)
            if plan.blueprint in registered
            else model.app_path,
        )
    return new_project.with_changes(modules={**packages, **trees}, texts=rewrites.templates)


def _package_path(model: AppModel, name: str) -> str:
    return f"{model.app_dir}/{name}/__init__.py"


def _build(context: Context, index: ModuleIndex, plan: BlueprintsPlan) -> _Built:
    model = context.model
    built = _Built({})
    owners = {
        name: group.name for group in plan.groups for name in index.names_bound_by(group.positions)
    }
    once: set[str] = set()
    for group in plan.groups:
        transformer = _transformer(index.access_names, model.app_name, plan)
        path = f"{model.app_dir}/{group.name}/routes.py"
        built.modules[path] = module = _routes_module(context, index, group, transformer, owners)
        built.sources[path] = _old_code(index, group, len(module.body))
        built.uses_cli |= transformer.uses_cli
        once |= set(transformer.first_request)
    first_request = [
        (f".{plan.group_of(p)}.routes", name)
        for p in sorted(plan.moved)
        if isinstance(statement := index.body[p], cst.FunctionDef)
        and (name := statement.name.value) in once
    ]
    for view in plan.views:
        built.modules[view.path], transformer = _convert(context, view, plan)
        built.uses_cli |= transformer.uses_cli
        first_request += [(view.module, name) for name in transformer.first_request]
    if plan.registered:
        prefixes = {group.name: group.prefix for group in plan.groups if group.prefix}
        tail = registrations(model.app_name, plan.registered, prefixes, first_request)
        built.modules[model.app_path] = _app_module(index, plan, tail)
    if first_request:
        context.note(
            f"{', '.join(n for _, n in first_request)}: `before_first_request` is gone in "
            "Flask 2.3; now run once when the app is created, inside an app context",
            model.app_path,
        )
    return built


def _old_code(index: ModuleIndex, group: Group, length: int) -> Source:
    """Statement `n` of a routes module → the code it had in the app module ("" for the
    docstring and imports flaskmod wrote): the moved statements come last, in order."""
    moved = sorted(group.positions)
    offset = length - len(moved)

    def code(position: int) -> str:
        return index.code(moved[position - offset]) if position >= offset else ""

    return code


def _transformer(access: dict[cst.CSTNode, str], app: str, plan: BlueprintsPlan) -> ToBlueprint:
    return ToBlueprint(
        access,
        app,
        BLUEPRINT_VARIABLE,
        keep_first_request=plan.keep_first_request,
        blueprint_cli=plan.blueprint_cli,
    )


def _convert(
    context: Context, view: ViewModule, plan: BlueprintsPlan
) -> tuple[cst.Module, ToBlueprint]:
    """A module that imports the app, converted in place (see `_view_modules`)."""
    project = context.project
    transformer = _transformer(project.index(view.path).access_names, view.app, plan)
    bp_module = f"{context.model.import_name}.{plan.blueprint}"
    converted = convert(project, view, bp_module, transformer)
    for name, line in converted.given_app:
        _note_given_app(context, name, view.app, view.path, line)
    if not view.registers:
        context.note(
            f"registers nothing on the app; its uses of the global `{view.app}` now read the "
            "app of the current context",
            view.path,
        )
    return converted.tree, transformer


def _note_given_app(context: Context, name: str, app: str, path: str, line: int) -> None:
    context.note(
        f"`{name}` opens an app context with the global `{app}`, so it now takes the app: "
        f"`{name}(..., {app}=None)` uses the current app; callers outside one (tests, scripts, "
        f"threads) pass theirs",
        path,
        line,
    )


def _routes_module(
    context: Context,
    index: ModuleIndex,
    group: Group,
    transformer: ToBlueprint,
    owners: Mapping[str, str],
) -> cst.Module:
    """`<package>/<group>/routes.py`: the group's statements, registering on its blueprint."""
    model = context.model
    folder = f"{model.app_dir}/{group.name}"
    statements: list[cst.BaseStatement] = []
    for position in sorted(group.positions):
        given = len(transformer.given_app)
        converted = visited(index.body[position], transformer, transformer.acts_on)
        for name in transformer.given_app[given:]:
            _note_given_app(
                context, name, model.app_name, model.app_path, index.statement_line(position)
            )
        for statement in converted:  # a command before Flask 1.1 is followed by its `record`
            if group.prefix:
                statement = _statement(statement.visit(StripPrefix(group.prefix)))
            unhandled = 0
            if "__file__" in index.code(position):  # the only statements to re-anchor
                statement, unhandled = reanchor(statement, model.app_dir, folder)
            if unhandled:
                context.warn(
                    "uses __file__ in a way flaskmod cannot re-anchor; check the path",
                    model.app_path,
                    index.statement_line(position),
                )
            statements.append(statement)
    imports = _routes_imports(context, index, group, owners, transformer.needed_imports)
    doc = f"Views of the `{group.name}` blueprint, moved from {model.app_path}."
    return new_module(doc, imports, spaced(statements)).with_changes(
        default_indent=index.tree.default_indent,
        default_newline=context.project.newline,
    )


def _routes_imports(
    context: Context,
    index: ModuleIndex,
    group: Group,
    owners: Mapping[str, str],
    needed: Sequence[str],
) -> ImportPlan:
    """What the moved code reads, from where the app module had it; moved neighbours from their
    blueprint's routes."""
    package = context.model.import_name
    positions = group.positions
    reads = index.names_read_by(positions) - index.names_bound_by(positions)
    reads -= {context.model.app_name}
    elsewhere = {name for name in reads if name in owners and owners[name] != group.name}
    imports, _ = imports_for(
        index,
        reads - elsewhere,
        local_modules=local_top_modules(context.project),
        source_module=package,
    )
    for name in sorted(elsewhere):
        imports.add(f"from {package}.{owners[name]}.routes import {name}", local=True)
    for line in needed:
        imports.add(line)
    imports.add(f"from {package}.{group.name} import {BLUEPRINT_VARIABLE}", local=True)
    return imports


def _app_module(
    index: ModuleIndex, plan: BlueprintsPlan, tail: list[cst.BaseStatement]
) -> cst.Module:
    """Moved statements gone, unused imports pruned, the blueprints registered at the end."""
    moved = plan.moved
    body = [s for i, s in enumerate(index.body) if i not in moved]
    unused = {
        name
        for name in index.imports
        if index.readers.get(name) and index.only_read_within(name, moved)
    }
    return prune_imports(index.tree.with_changes(body=[*body, *tail]), unused)


def _statement(node: object) -> cst.BaseStatement:
    assert isinstance(node, cst.BaseStatement), node
    return node


def _rewrite_endpoints(
    context: Context, project: Project, mapping: Mapping[str, str], sources: Mapping[str, Source]
) -> Rewrites:
    """Every literal reference to a moved endpoint, in Python and templates, renamed."""
    trees, found_python = rewrite_python(project, mapping, sources)
    blueprints = sorted({new.split(".")[0] for new in mapping.values()})
    templates, found_templates = rewrite_templates(
        project, mapping, list(context.model.templates), blueprints
    )
    reports = (*found_python, *found_templates)
    for report in reports:
        if report.kind is Kind.NAMED:
            context.note(report.message, report.path, report.line)
        else:
            context.warn(report.message, report.path, report.line)
    return Rewrites(trees, templates, reports)


def _packages(
    context: Context,
    plan: BlueprintsPlan,
    uses_cli: bool,
    legacy: Mapping[str, str] | None,
) -> dict[str, cst.Module]:
    """The blueprint packages; the legacy-endpoint shim in the first when some url_for computes
    its endpoint. The default one imports the modules converted in place, which register on it."""
    model, default = context.model, plan.blueprint
    names = [group.name for group in plan.groups]
    if not plan.registered:
        return {}
    modules = [view.module for view in plan.registering]
    wanted: dict[str, tuple[bool, bool, list[str]]] = {}
    if default in plan.registered:
        wanted[default] = (default in names, uses_cli, modules)
    wanted.update({name: (True, False, []) for name in names if name != default})
    primary = default if default in plan.registered else plan.registered[0]
    if legacy is not None:
        context.note(
            "url_for with computed endpoints found: old endpoint names keep building through "
            "the blueprint (url_build_error_handlers) until those calls are updated",
            _package_path(model, primary),
        )
    return {
        _package_path(model, name): blueprint_package(
            name,
            package=model.import_name,
            has_routes=routes,
            uses_cli=cli,
            registering=registering,
            legacy=legacy if name == primary else None,
        ).with_changes(default_newline=context.project.newline)
        for name, (routes, cli, registering) in wanted.items()
    }


def _destinations(index: ModuleIndex, plan: BlueprintsPlan, package: str) -> dict[str, str]:
    """Moved name → the routes module it now lives in (for imports elsewhere to follow)."""
    return {
        name: f"{package}.{group.name}.routes"
        for group in plan.groups
        for name in index.names_bound_by(group.positions)
    }
