"""The global `app = Flask(...)` and everything done to it → `create_app(config_name)`.

Why: an app built at import time exists once, with one configuration; tests cannot get a fresh one
and production cannot pick its settings (Flask guidelines §1). Statements that touch the app move
into the factory in their original order; late imports used only there move with them (the
blueprint imports, as in Flask's own tutorial). Functions that merely read the app in their body
stay importable and use `current_app` instead.

A module-level name computed from the app at import time (`x = app.config["X"]` used elsewhere)
cannot exist before the app does: the factory is not written and the line is reported.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
import libcst.matchers as m
from libcst.metadata import PositionProvider

from flaskmod.analysis import AppModel, is_test_path
from flaskmod.errors import Finding, Location, Severity
from flaskmod.pipeline import Options, Outcome
from flaskmod.project import Project

from ._app_importers import ENTRY_POINT_CONFIG, rewrite_app_importers, rewrite_test_imports
from ._imports import add_import
from ._layout import needs_package
from ._moving import ModuleIndex, imported_as

ORDER = 50
SUMMARY = "Build the app in create_app(config_name) instead of at import time."

FACTORY = "create_app"


def _decorated_by_app(statement: cst.BaseStatement, index: ModuleIndex, app: str) -> bool:
    if not isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return False
    for decorator in statement.decorators:
        for name in m.findall(decorator, m.Name(app)):
            if index.access_names.get(name) == app:
                return True
    return False


class _CurrentApp(cst.CSTTransformer):
    def __init__(self, index: ModuleIndex, app: str) -> None:
        self.index = index
        self.app = app
        self.count = 0

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if self.index.access_names.get(original_node) == self.app:
            self.count += 1
            return updated_node.with_changes(value="current_app")
        return updated_node


class _ConfigName(cst.CSTTransformer):
    """`get_config()` (chosen by environment) → `get_config(config_name)` (chosen by caller)."""

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if m.matches(updated_node, m.Call(func=m.Name("get_config"), args=[])):
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


def transform(project: Project, model: AppModel, options: Options) -> Outcome:
    if (skipped := needs_package(project, model, "factory")) is not None:
        return skipped
    app = model.app_name
    importers = _importers_of_app(project, model, app)
    blockers = [f for path, f in importers if _inside_package(path, model)]
    if blockers:
        return Outcome(project, tuple(blockers))
    entry_points = sorted({path for path, _ in importers})
    index = project.index(model.app_path)
    if FACTORY in index.binders:  # the module's own `create_app` would replace the factory
        line = index.statement_line(min(index.binders[FACTORY]))
        message = f"`{FACTORY}` is already defined here; rename it, then run again"
        return Outcome(project, (Finding(Location(model.app_path, line), message),))
    findings: list[Finding] = []
    binders = index.binders.get(app, [])
    creation = next((i for i in binders if index.statement_line(i) == model.app_line), min(binders))

    into: set[int] = set()
    current_app: set[int] = set()
    for position, statement in enumerate(index.body):
        if position == creation:
            into.add(position)
        elif not index.reads(position, app):
            continue
        elif isinstance(statement, cst.FunctionDef | cst.ClassDef) and not _decorated_by_app(
            statement, index, app
        ):
            current_app.add(position)
        else:
            into.add(position)
    # Late imports (after the app is created) used only by the factory's statements move too.
    for position, statement in enumerate(index.body):
        if position > creation and m.matches(
            statement, m.SimpleStatementLine(body=[m.Import() | m.ImportFrom()])
        ):
            bound = index.names_bound_by({position})
            if bound and all(index.only_read_within(name, into) for name in bound):
                into.add(position)

    leaked = sorted(
        name
        for name in index.names_bound_by(into) - {app}
        if not index.only_read_within(name, into) and index.readers.get(name)
    )
    if leaked:
        for name in leaked:
            findings.append(
                Finding(
                    Location(model.app_path, index.first_read_outside(name, into)),
                    f"`{name}` is computed from the app at import time and used outside it; "
                    "move that use into a function before building the factory",
                )
            )
        return Outcome(project, tuple(findings))
    fixer = _CurrentApp(index, app)
    config = _ConfigName()
    body_statements: list[cst.BaseStatement] = []
    for position in sorted(into):
        statement = index.body[position].visit(config)
        lines = [] if position == min(into) else _indented(statement.leading_lines)
        body_statements.append(statement.with_changes(leading_lines=lines))
    loads_config = any(m.findall(s, m.Call(func=m.Name("get_config"))) for s in body_statements)
    purpose = (
        "Build and configure the app for `config_name` (see config.py)."
        if loads_config
        else "Build the app. `config_name` is unused until settings move to config.py."
    )
    function = cst.parse_statement(
        f'def {FACTORY}(config_name="development"):\n    """{purpose}"""\n    pass\n'
    )
    assert isinstance(function, cst.FunctionDef)
    docstring = function.body.body[0]  # type: ignore[index]
    has_prefixed_env = any(
        m.findall(s, m.Call(func=m.Attribute(attr=m.Name("from_prefixed_env"))))
        for s in body_statements
    )
    uses_config = any(m.findall(s, m.Call(func=m.Name("get_config"))) for s in body_statements)
    load_index = next(
        (
            i
            for i, s in enumerate(body_statements)
            if m.findall(s, m.Call(func=m.Name("get_config")))
        ),
        None,
    )
    supports_prefixed_env = options.flask is None or options.flask.at_least(2, 1)
    if (
        uses_config
        and not has_prefixed_env
        and load_index is not None
        and not supports_prefixed_env
    ):
        findings.append(
            Finding(
                Location(model.app_path),
                f"no app.config.from_prefixed_env(): it needs Flask 2.1, this project targets "
                f"{options.flask}",
                Severity.NOTE,
            )
        )
    if uses_config and not has_prefixed_env and load_index is not None and supports_prefixed_env:
        prefixed = cst.parse_statement(f"{app}.config.from_prefixed_env()\n")
        body_statements.insert(load_index + 1, prefixed)
    returned = cst.parse_statement(f"return {app}\n").with_changes(
        leading_lines=[cst.EmptyLine(indent=False)]
    )
    function = function.with_changes(
        body=function.body.with_changes(body=[docstring, *body_statements, returned]),
        leading_lines=_top_level(index.body[creation].leading_lines, creation > 0),
    )

    body: list[cst.BaseStatement] = []
    placed = after_function = False
    for position, statement in enumerate(index.body):
        if position in into:
            if not placed:
                body.append(function)
                placed = after_function = True
            continue
        if position in current_app:
            statement = statement.visit(fixer)
        if after_function:
            statement = statement.with_changes(
                leading_lines=_top_level(statement.leading_lines, True)
            )
            after_function = False
        body.append(statement)
    tree = index.tree.with_changes(body=body)
    if fixer.count:
        tree = add_import(tree, "flask", "current_app")
    findings.append(
        Finding(
            Location(model.app_path, model.app_line),
            f"the app is now built by {FACTORY}(config_name); `{app}` no longer exists at import time",
            Severity.NOTE,
        )
    )
    # The project's own tests imported the global app: rewritten in the same step, so that the
    # commit that removes the global app is not a commit whose tests fail.
    tests, found = rewrite_test_imports(project, model, tree)
    findings += found
    entries, found = rewrite_app_importers(project, model, tree, entry_points, ENTRY_POINT_CONFIG)
    findings += found
    modules = {model.app_path: tree, **tests, **entries}
    return Outcome(project.with_changes(modules=modules), tuple(findings))


def _inside_package(path: str, model: AppModel) -> bool:
    """Modules of the app's package must not build a second app: they need `current_app`."""
    return bool(model.app_dir) and path.startswith(model.app_dir + "/")


def _importers_of_app(project: Project, model: AppModel, app: str) -> list[tuple[str, Finding]]:
    """Non-test modules that still import the global app, each with the finding to report.

    Inside the package they would break (they need `current_app`), so the factory waits; outside
    it they are entry points and build their own app (see `rewrite_app_importers`).
    """
    found = []
    for path in project.python_paths():
        if path == model.app_path or is_test_path(path) or app not in project.text(path):
            continue
        tree = project.module(path)
        for node in m.findall(tree, m.ImportFrom()):
            if imported_as(node, model.import_name, path, app) is not None:
                line = project.metadata(path).resolve(PositionProvider)[node].start.line
                message = (
                    f"imports the global `{app}`; the factory is not built until this module "
                    f"gets it another way (current_app, or {FACTORY}())"
                )
                found.append((path, Finding(Location(path, line), message)))
    return found
