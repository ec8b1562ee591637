"""`@app.route` views and app hooks → a `main` blueprint in `<package>/main/`.

Why: a factory has no app at import time to decorate, so views register on a Blueprint that the
factory registers (Flask guidelines §1). App-wide registrations keep their app-wide effect through
the blueprint's `app_*` forms (`errorhandler` → `app_errorhandler`, `before_request` →
`before_app_request`): a plain `bp.errorhandler` would only see this blueprint's requests. Views
registered from other modules that import the global app (`from app import app` in
`app/routes.py`) are converted in place, so their files and history stay where they are.

Endpoints gain the blueprint prefix (`index` → `main.index`), so every literal reference is
rewritten, in Python and in Jinja templates. Inside moved code the global `app` becomes
`current_app`. Module state that a view rebinds with `global` must live in the same module as the
view; views whose state cannot move with them stay on the app and are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel, is_test_path
from flaskmod.errors import Finding, Location, Severity
from flaskmod.pipeline import Options, Outcome
from flaskmod.project import Project, module_name

from ._endpoints import COMPUTED, rewrite_python, rewrite_templates
from ._file_anchor import reanchor
from ._grouping import StripPrefix, assign, first_segment, route_rules
from ._imports import add_import
from ._layout import needs_package
from ._literals import quote
from ._moving import (
    ModuleIndex,
    imported_as,
    imported_names,
    imports_for,
    local_top_modules,
    prune_imports,
    redirect_imports,
)
from ._registrations import CLI, ToBlueprint, registration_kind, route_endpoints

ORDER = 40
SUMMARY = "Move views, error handlers, hooks and CLI commands into a `main` blueprint."

BLUEPRINT_VARIABLE = "bp"


@dataclass(frozen=True)
class _Plan:
    moved: frozenset[int]
    registrations: frozenset[int]
    stays: dict[int, str]  # statement kept on the app → why


class _Globals(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Global(self, node: cst.Global) -> None:
        self.names |= {item.name.value for item in node.names}


def _declared_global(statement: cst.CSTNode) -> set[str]:
    visitor = _Globals()
    statement.visit(visitor)
    return visitor.names


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


def movable_kind(statement: cst.BaseStatement, app: str, allow_cli: bool) -> str | None:
    """The registration a statement makes, if a blueprint can make it on this Flask version."""
    kind = registration_kind(statement, app)
    if kind in CLI and not allow_cli:
        return None  # Blueprint.cli and cli_group need Flask 1.1: these stay with the app
    return kind


def plan_moves(
    index: ModuleIndex, app: str, imported_elsewhere: set[str], allow_cli: bool = True
) -> _Plan:
    """Which top-level statements move: the registrations, plus the helpers and state they own."""
    registrations = {
        i for i, s in enumerate(index.body) if movable_kind(s, app, allow_cli) is not None
    }
    global_users: dict[str, set[int]] = {}
    for position, statement in enumerate(index.body):
        for name in _declared_global(statement):
            global_users.setdefault(name, set()).add(position)
    stays: dict[int, str] = {}
    while True:
        moved = set(registrations) - set(stays)
        changed = True
        while changed:
            changed = False
            for name in sorted((index.names_read_by(moved) | _globals_of(index, moved)) - {app}):
                # Functions declaring `global name` also bind it; the definition is the other one.
                binders = [
                    b for b in index.binders.get(name, []) if b not in global_users.get(name, set())
                ]
                if len(binders) != 1 or binders[0] in moved:
                    continue
                binder = binders[0]
                statement = index.body[binder]
                forced = name in global_users
                readers = index.readers.get(name, set()) - {binder}
                wanted = forced or (readers and readers <= moved and name not in imported_elsewhere)
                if not wanted or not _movable_helper(statement, index, binder, app):
                    continue
                group = {binder} | global_users.get(name, set())
                if all(_movable_helper(index.body[p], index, p, app) or p in moved for p in group):
                    moved |= group
                    changed = True
        # A rebound name must not be shared by moved and unmoved code.
        broken = False
        for name, users in global_users.items():
            binders_ = set(index.binders.get(name, []))
            touching = index.readers.get(name, set()) | users | binders_
            if touching & moved and not touching <= moved:
                for position in touching & registrations:
                    if position not in stays:
                        stays[position] = (
                            f"rebinds module state `{name}` (global) that code left in the app "
                            "module also uses"
                        )
                        broken = True
        if not broken:
            break
    return _Plan(frozenset(moved), frozenset(moved & registrations), stays)


def _globals_of(index: ModuleIndex, positions: set[int]) -> set[str]:
    names: set[str] = set()
    for position in positions:
        names |= _declared_global(index.body[position])
    return names


# ------------------------------------------------------------- other view modules
@dataclass
class _ViewModule:
    """A module that imports the global app to register views on it (`app/routes.py`)."""

    path: str
    tree: cst.Module
    endpoints: list[str]
    uses_cli: bool
    first_request: list[str]


class _ReplaceAppImport(cst.CSTTransformer):
    """`from app import app, db` → `from app import db` + `from app.main import bp`."""

    def __init__(self, package: str, importer: str, app: str, blueprint_module: str) -> None:
        self.package = package
        self.importer = importer
        self.app = app
        self.blueprint_module = blueprint_module

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine]:
        if len(updated_node.body) != 1:
            return updated_node
        node = updated_node.body[0]
        if imported_as(node, self.package, self.importer, self.app) is None:
            return updated_node
        assert isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
        bp_line = updated_node.with_changes(
            body=[
                cst.parse_statement(
                    f"from {self.blueprint_module} import {BLUEPRINT_VARIABLE}\n"
                ).body[0]
            ]  # type: ignore[attr-defined]
        )
        rest = [a for a in node.names if a.evaluated_name != self.app]
        if not rest:
            return bp_line
        rest[-1] = rest[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        kept = updated_node.with_changes(body=[node.with_changes(names=rest, lpar=None, rpar=None)])
        return cst.FlattenSentinel([kept, bp_line.with_changes(leading_lines=[])])


def _convert_view_module(
    project: Project,
    path: str,
    model: AppModel,
    blueprint_module: str,
    findings: list[Finding],
    allow_cli: bool = True,
    keep_first_request: bool = False,
) -> _ViewModule | None:
    tree = project.module(path)
    local_app = None
    for node in m.findall(tree, m.ImportFrom()):
        local_app = local_app or imported_as(node, model.import_name, path, model.app_name)
    if local_app is None:
        return None
    index = project.index(path)
    for position, statement in enumerate(index.body):
        if not index.reads(position, local_app) or (
            isinstance(statement, cst.FunctionDef | cst.ClassDef)
            and registration_kind(statement, local_app) is None
            and not any(
                m.findall(decorator, m.Name(local_app)) for decorator in statement.decorators
            )
        ):
            continue
        if movable_kind(statement, local_app, allow_cli) is None:
            # Inside the package this blocks the factory; outside, the factory makes it an entry point.
            if path.startswith(model.app_dir + "/"):
                findings.append(
                    Finding(
                        Location(path, index.statement_line(position)),
                        f"uses the global `{local_app}` at import time; this module keeps it, so the "
                        "factory cannot be built until it is rewritten by hand",
                    )
                )
            return None
    transformer = ToBlueprint(
        index.access_names, local_app, BLUEPRINT_VARIABLE, keep_first_request=keep_first_request
    )
    new = index.tree.visit(transformer)
    new = new.visit(_ReplaceAppImport(model.import_name, path, model.app_name, blueprint_module))
    if transformer.uses_current_app:
        new = add_import(new, "flask", "current_app")
    endpoints = [e for s in index.body for e in route_endpoints(s, local_app)]
    return _ViewModule(path, new, endpoints, transformer.uses_cli, transformer.first_request)


def _view_modules(project: Project, model: AppModel) -> list[str]:
    return [
        path
        for path in project.python_paths()
        if path != model.app_path
        and not is_test_path(path)
        and model.app_name in project.text(path)
        and "import" in project.text(path)
    ]


# --------------------------------------------------------------------- transform
def transform(project: Project, model: AppModel, options: Options) -> Outcome:
    if (skipped := needs_package(project, model, "blueprints")) is not None:
        return skipped
    index = project.index(model.app_path)
    app = model.app_name
    package = model.import_name
    blueprint = options.blueprint
    bp_dir = f"{model.app_dir}/{blueprint}"
    bp_module = f"{package}.{blueprint}"
    routes_path = f"{bp_dir}/routes.py"
    init_path = f"{bp_dir}/__init__.py"
    findings: list[Finding] = []
    allow_cli = options.flask is None or options.flask.has("blueprint_cli")
    plan = plan_moves(index, app, imported_names(project, package, model.app_path), allow_cli)
    for position, why in sorted(plan.stays.items()):
        findings.append(
            Finding(
                Location(model.app_path, index.statement_line(position)),
                f"left registered on the app: it {why}",
            )
        )
    views = [
        converted
        for path in _view_modules(project, model)
        if (
            converted := _convert_view_module(
                project, path, model, bp_module, findings, allow_cli, _has_first_request(options)
            )
        )
    ]
    if not plan.moved and not views:
        return Outcome(project, tuple(findings))
    # routes.py imports the blueprint as `bp`: moved code with its own `bp` would shadow it.
    if BLUEPRINT_VARIABLE in index.names_bound_by(plan.moved) | index.names_read_by(plan.moved):
        binders = index.binders.get(BLUEPRINT_VARIABLE)
        findings.append(
            Finding(
                Location(
                    model.app_path,
                    index.statement_line(min(binders))
                    if binders
                    else index.first_read_outside(BLUEPRINT_VARIABLE, ()),
                ),
                f"`{BLUEPRINT_VARIABLE}` would shadow the blueprint in routes.py; rename it and "
                "run again (views left on the app)",
            )
        )
        return Outcome(project, tuple(findings))
    if routes_path in project or init_path in project:
        findings.append(
            Finding(Location(init_path), f"{bp_dir}/ already exists; views left on the app")
        )
        return Outcome(project, tuple(findings))

    # Which blueprint each moved statement goes to: `main`, or a URL-prefix group.
    groups: dict[int, str] = dict.fromkeys(plan.moved, blueprint)
    prefixes: dict[str, str] = {}
    if options.group_by == "prefix":
        taken = {  # modules and packages already in the app package
            PurePosixPath(path[len(model.app_dir) + 1 :]).parts[0].removesuffix(".py")
            for path in project.files
            if path.startswith(model.app_dir + "/")
        }
        grouped = assign(list(index.body), set(plan.registrations), app, taken - {blueprint})
        groups.update(grouped)
        prefixes = {
            name: f"/{_segment_of(index, app, grouped, name)}" for name in set(grouped.values())
        }
        _attach_helpers(index, plan, groups, blueprint)
    names = sorted(set(groups.values()), key=lambda n: (n != blueprint, n))

    texts: dict[str, str] = {}
    transformer = ToBlueprint(
        index.access_names, app, BLUEPRINT_VARIABLE, keep_first_request=_has_first_request(options)
    )
    owners = {
        name: group
        for group in names
        for name in index.names_bound_by({p for p, g in groups.items() if g == group})
    }
    for group in names:
        positions = {p for p, g in groups.items() if g == group}
        group_dir = f"{model.app_dir}/{group}"
        if f"{group_dir}/routes.py" in project or f"{group_dir}/__init__.py" in project:
            findings.append(
                Finding(Location(group_dir), f"{group_dir}/ already exists; views left on the app")
            )
            return Outcome(project, tuple(findings))
        texts[f"{group_dir}/routes.py"] = _routes_module(
            project,
            model,
            index,
            positions,
            transformer,
            group_dir,
            f"{package}.{group}",
            owners,
            prefixes.get(group),
            findings,
        )
    uses_cli = transformer.uses_cli or any(view.uses_cli for view in views)
    main_has_routes = blueprint in groups.values()
    if main_has_routes or views or not names:
        texts[init_path] = _blueprint_package(blueprint, main_has_routes, uses_cli)
    for group in names:
        if group != blueprint:
            texts[f"{model.app_dir}/{group}/__init__.py"] = _blueprint_package(group, True, False)
    registered = [*names, *([blueprint] if views and blueprint not in names else [])]

    first_request = [
        (f".{groups[p]}.routes", index.body[p].name.value)  # type: ignore[attr-defined]
        for p in sorted(plan.moved)
        if isinstance(index.body[p], cst.FunctionDef)
        and index.body[p].name.value in transformer.first_request  # type: ignore[attr-defined]
    ]
    for view in views:
        first_request += [(module_name(view.path), name) for name in view.first_request]
    tree = _app_module(index, plan, app, registered, prefixes, first_request)
    if first_request:
        findings.append(
            Finding(
                Location(model.app_path),
                f"{', '.join(n for _, n in first_request)}: `before_first_request` is gone in "
                "Flask 2.3; now run once when the app is created, inside an app context",
                Severity.NOTE,
            )
        )

    mapping = {
        endpoint: f"{groups[p]}.{endpoint}"
        for p in sorted(plan.registrations)
        for endpoint in route_endpoints(index.body[p], app)
    }
    mapping.update({e: f"{blueprint}.{e}" for view in views for e in view.endpoints})
    new_project = project.with_changes(
        modules={model.app_path: tree, **{view.path: view.tree for view in views}}, texts=texts
    )
    trees, found_python = rewrite_python(new_project, mapping)
    templates, found_templates = rewrite_templates(
        new_project,
        mapping,
        list(model.templates),
        sorted({v.split(".")[0] for v in mapping.values()}),
    )
    findings += found_python + found_templates
    if any(COMPUTED in f.message for f in found_python + found_templates):
        primary = blueprint if blueprint in registered else registered[0]
        shim_path = f"{model.app_dir}/{primary}/__init__.py"
        texts[shim_path] = texts[shim_path].replace(
            "from flask import Blueprint\n", "from flask import Blueprint, url_for\n", 1
        ) + _legacy_endpoints(mapping)
        new_project = new_project.with_changes(texts={shim_path: texts[shim_path]})
        findings.append(
            Finding(
                Location(shim_path),
                "url_for with computed endpoints found: old endpoint names keep building through "
                "the blueprint (url_build_error_handlers) until those calls are updated",
                Severity.NOTE,
            )
        )
    destinations = {
        name: f"{package}.{group}.routes"
        for group in names
        for name in index.names_bound_by({p for p, g in groups.items() if g == group})
    }
    trees.update(
        redirect_imports(
            new_project,
            package,
            destinations,
            skip={model.app_path, *texts},
            edited=trees,
        )
    )
    new_project = new_project.with_changes(modules=trees, texts=templates)
    findings.append(
        Finding(
            Location(init_path if blueprint in registered else model.app_path),
            f"{len(mapping)} endpoint(s) now carry a blueprint prefix "
            f"({', '.join(f'{n}.' for n in registered)}); "
            f"{len(templates)} template(s) and {len(trees)} Python file(s) updated",
            Severity.NOTE,
        )
    )
    return Outcome(new_project, tuple(findings))


def _segment_of(index: ModuleIndex, app: str, grouped: dict[int, str], name: str) -> str:
    position = next(p for p, g in grouped.items() if g == name)
    rules = route_rules(index.body[position], app)
    return first_segment(rules[0]) or name


def _attach_helpers(index: ModuleIndex, plan: _Plan, groups: dict[int, str], default: str) -> None:
    """A moved helper goes with the one blueprint that uses it; shared ones stay in the default."""
    for position in sorted(plan.moved - plan.registrations):
        users = {
            groups[p]
            for name in index.names_bound_by({position})
            for p in index.readers.get(name, set())
            if p in groups and p != position
        }
        groups[position] = users.pop() if len(users) == 1 else default
    # State rebound with `global` must live with every function that rebinds it.
    for position in sorted(plan.moved):
        for name in _declared_global(index.body[position]):
            touching = {
                p
                for p in index.readers.get(name, set()) | set(index.binders.get(name, []))
                if p in groups
            }
            if len({groups[p] for p in touching}) > 1:
                for p in touching:
                    groups[p] = default


def _routes_module(
    project: Project,
    model: AppModel,
    index: ModuleIndex,
    positions: set[int],
    transformer: ToBlueprint,
    bp_dir: str,
    bp_module: str,
    owners: dict[str, str],
    prefix: str | None,
    findings: list[Finding],
) -> str:
    moved_code: list[str] = []
    previous_def = False
    for position in sorted(positions):
        statement = index.body[position].visit(transformer)
        if prefix:
            statement = statement.visit(StripPrefix(prefix))
        statement, unhandled = reanchor(statement, model.app_dir, bp_dir)
        if unhandled:
            findings.append(
                Finding(
                    Location(model.app_path, index.statement_line(position)),
                    "uses __file__ in a way flaskmod cannot re-anchor; check the path",
                )
            )
        statement = statement.with_changes(
            leading_lines=_spacing(
                statement, statement.leading_lines, first=not moved_code, after_def=previous_def
            )
        )
        moved_code.append(index.tree.code_for_node(statement))
        previous_def = isinstance(statement, cst.FunctionDef | cst.ClassDef)
    group = bp_module.rsplit(".", 1)[-1]
    reads = index.names_read_by(positions) - index.names_bound_by(positions) - {model.app_name}
    elsewhere = {name for name in reads if name in owners and owners[name] != group}
    imports, _ = imports_for(
        index,
        reads - elsewhere,
        local_modules=local_top_modules(project),
        source_module=model.import_name,
    )
    for name in sorted(elsewhere):
        imports.add(f"from {model.import_name}.{owners[name]}.routes import {name}", local=True)
    if transformer.uses_current_app and "current_app" in "".join(moved_code):
        imports.add("from flask import current_app")
    imports.add(f"from {bp_module} import {BLUEPRINT_VARIABLE}", local=True)
    return (
        f'"""Views of the `{group}` blueprint, moved from {model.app_path}."""\n\n'
        + imports.render()
        + "\n\n\n"
        + "".join(code if code.endswith("\n") else code + "\n" for code in moved_code)
    )


def _blueprint_package(blueprint: str, has_routes: bool, uses_cli: bool) -> str:
    options = ", cli_group=None" if uses_cli else ""
    text = (
        f'"""The `{blueprint}` blueprint: the views that were registered on the app."""\n\n'
        "from flask import Blueprint\n\n"
    )
    if uses_cli:
        text += "# cli_group=None: its commands stay top-level (`flask <name>`), as on the app.\n"
    text += f'{BLUEPRINT_VARIABLE} = Blueprint("{blueprint}", __name__{options})\n'
    if has_routes:
        text += (
            "\n# Imported last: the views module needs `bp` to register its views on it.\n"
            "from . import routes  # noqa: E402, F401\n"
        )
    return text


def _has_first_request(options: Options) -> bool:
    """`before_app_first_request` exists before Flask 2.3: then the hook keeps its meaning."""
    return options.flask is not None and options.flask.still_has("before_first_request")


def _legacy_endpoints(mapping: dict[str, str]) -> str:
    names = "".join(f"    {quote(old)}: {quote(new)},\n" for old, new in sorted(mapping.items()))
    return (
        "\n\n# Endpoints moved from the app into blueprints (`index` → `main.index`). Some url_for\n"
        "# calls compute their endpoint (see flaskmod's report); until they are updated, the\n"
        "# old names still build.\n"
        f"LEGACY_ENDPOINTS = {{\n{names}}}\n\n\n"
        f"@{BLUEPRINT_VARIABLE}.record_once\n"
        "def _build_legacy_endpoints(state):\n"
        "    def build(error, endpoint, values):\n"
        "        if endpoint in LEGACY_ENDPOINTS:\n"
        "            return url_for(LEGACY_ENDPOINTS[endpoint], **values)\n"
        "        return None\n"
        "\n"
        "    state.app.url_build_error_handlers.append(build)\n"
    )


def _app_module(
    index: ModuleIndex,
    plan: _Plan,
    app: str,
    blueprints: list[str],
    prefixes: dict[str, str],
    first_request: list[tuple[str, str]],
) -> cst.Module:
    """Moved statements gone, unused imports pruned, the blueprints registered at the end."""
    body = [s for i, s in enumerate(index.body) if i not in plan.moved]
    unused = {
        name
        for name in index.imports
        if index.readers.get(name) and index.only_read_within(name, plan.moved)
    }
    code = (
        "".join(f"from .{name} import {BLUEPRINT_VARIABLE} as {name}_bp\n" for name in blueprints)
        + "\n"
    )
    for name in blueprints:
        prefix = f", url_prefix={quote(prefixes[name])}" if name in prefixes else ""
        code += f"{app}.register_blueprint({name}_bp{prefix})\n"
    if first_request:
        code += (
            "\n# Ran before the first request (before_first_request, gone in Flask 2.3); "
            "now once at start-up.\n"
            f"with {app}.app_context():\n"
        )
        for module, name in first_request:
            code += f"    from {module} import {name}\n\n    {name}()\n"
    first, *rest = cst.parse_module(code).body
    body += [first.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()]), *rest]
    return prune_imports(index.tree.with_changes(body=body), unused)


def _spacing(
    statement: cst.BaseStatement,
    lines: Sequence[cst.EmptyLine],
    *,
    first: bool,
    after_def: bool = False,
) -> list[cst.EmptyLine]:
    """PEP 8 spacing in the new module: two blank lines around defs, comments kept."""
    comments = [line for line in lines if line.comment is not None]
    if first:
        return comments
    if after_def or isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return [cst.EmptyLine(), cst.EmptyLine(), *comments]
    blanks = min(2, sum(1 for line in lines if line.comment is None))
    return [cst.EmptyLine()] * blanks + comments
