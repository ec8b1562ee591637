"""What the project is: where the Flask app is created and what hangs off it.

The analysis reads trees from the `Project` (never imports the user's code) and produces an
`AppModel`: the facts every codemod and the plan need, plus what cannot be migrated safely, each
with `path:line`.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import partial
from pathlib import PurePosixPath

import libcst as cst
import libcst.matchers as m

from flaskmod.codegen import code_for_node
from flaskmod.conventions import FACTORY, GET_CONFIG, instance_name
from flaskmod.errors import Finding, FlaskmodError, Location, NoFlaskApp, Severity
from flaskmod.knowledge import (
    APP_SAFE_CALLS,
    FLASK_CLASSES,
    ROUTES,
    Extension,
    extension_for,
    follows_convention,
    is_main_guard,
    known_extension,
)
from flaskmod.names import (
    Imported,
    ModuleIndex,
    bindings_of,
    calls_of,
    children_in_order,
    dotted,
    find_nodes,
    import_statements,
    qualify,
    spelled,
)
from flaskmod.project import Project, module_name
from flaskmod.pruning import visit_pruned
from flaskmod.testmodules import find_test_modules

__all__ = [
    "FLASK_CLASSES",
    "AppModel",
    "Layout",
    "Route",
    "analyze",
    "is_test_path",
    "locate",
]

#: the position of a node in the module: its top-level statement, and the node
LineOf = Callable[[cst.CSTNode], int]


class Layout(str, Enum):
    #: `app = Flask(__name__)` in a plain module (`app.py`)
    MODULE = "single module"
    #: `app = Flask(__name__)` at module level inside a package (`app/__init__.py`)
    PACKAGE = "package with a global app"
    #: `create_app()` already builds the app: nothing to migrate
    FACTORY = "application factory"


@dataclass(frozen=True)
class Route:
    endpoint: str
    rules: tuple[str, ...]
    function: str


@dataclass(frozen=True)
class AppModel:
    layout: Layout
    app_path: str
    app_name: str
    app_line: int
    routes: tuple[Route, ...] = ()
    extensions: tuple[str, ...] = ()
    #: the subset of `extensions` not in the table, assumed to follow the flask_* convention
    unknown_extensions: tuple[str, ...] = ()
    config_statements: int = 0
    hooks: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    #: the subset of `findings` that makes `upgrade` refuse without --force (see `blocking_uses`)
    blocking: tuple[Finding, ...] = ()
    #: a factory flaskmod built (create_app loading config.get_config): wsgi/tests may be pending
    factory_in_progress: bool = False
    #: the top-level function that creates the app, in the factory layout
    factory: str | None = None
    #: the folder the app module is imported from (`Project.import_root`); "" is the project
    import_root: str = ""
    #: modules creating other Flask apps, left alone (never rewritten)
    other_apps: tuple[str, ...] = ()

    @property
    def app_dir(self) -> str:
        parent = PurePosixPath(self.app_path).parent.as_posix()
        return "" if parent == "." else parent

    @property
    def import_name(self) -> str:
        """How the project imports the app module (`app`, `project.app`), from its import root."""
        return module_name(self.app_path, self.import_root)

    @property
    def in_package(self) -> bool:
        return self.layout is Layout.PACKAGE

    @property
    def endpoints(self) -> dict[str, str]:
        """Old endpoint → function name, for every view registered on the app."""
        return {route.endpoint: route.function for route in self.routes}


def is_test_path(path: str) -> bool:
    """By name alone (prefer `AppModel.tests`, which follows the project's test runner)."""
    pure = PurePosixPath(path)
    return (
        "tests" in pure.parts[:-1]
        or "test" in pure.parts[:-1]
        or pure.name.startswith("test_")
        or pure.name.endswith("_test.py")
        or pure.name == "conftest.py"
    )


class ImportTable:
    """Qualified names of imported names, for the part of a module being read.

    The module's top-level imports, plus those of the statement at hand (an app factory often
    imports `Flask` inside `create_app`).
    """

    def __init__(self, names: dict[str, Imported]) -> None:
        self.names = names

    def qualify(self, node: cst.BaseExpression) -> set[str]:
        found = qualify(node, self.names)
        return {found} if found else set()


@dataclass
class _Candidate:
    path: str
    name: str
    line: int
    in_function: bool
    function: cst.FunctionDef | None = None


class _AppFinder:
    """Finds `X = Flask(...)` at module level, and `Flask(...)` calls inside functions (and
    classes), in one top-level statement; a light walk, not a LibCST visit."""

    def __init__(self, path: str, imports: ImportTable, line_of: LineOf) -> None:
        self.path = path
        self.imports = imports
        self.line_of = line_of
        self.candidates: list[_Candidate] = []

    def find(
        self, node: cst.CSTNode, functions: tuple[cst.FunctionDef, ...] = (), nested: bool = False
    ) -> None:
        """Walk `node`; `functions` hold it (outermost first), `nested`: in a def or class."""
        # `type(node) is` first: `isinstance` against LibCST's classes goes through `abc`
        # unless the type is the class itself, and this runs for every node
        kind = type(node)
        if (
            kind is cst.Call
            and isinstance(node, cst.Call)
            and self.imports.qualify(node.func) & FLASK_CLASSES
        ):
            line = self.line_of(node)
            function = functions[0] if functions else None
            self.candidates.append(_Candidate(self.path, "", line, nested, function))
        is_def = kind is cst.FunctionDef
        inner = (*functions, node) if is_def and isinstance(node, cst.FunctionDef) else functions
        inside = nested or is_def or kind is cst.ClassDef
        for child in children_in_order(node):
            self.find(child, inner, inside)
        if not nested and kind is cst.Assign and isinstance(node, cst.Assign):
            self._name_module_level(node)

    def _name_module_level(self, node: cst.Assign) -> None:
        """`app = Flask(...)`: the candidate the assignment's value created gets the name."""
        if not isinstance(node.value, cst.Call) or len(node.targets) != 1:
            return
        target = node.targets[0].target
        creates = self.imports.qualify(node.value.func) & FLASK_CLASSES
        last = self.candidates[-1] if self.candidates else None
        if creates and isinstance(target, cst.Name) and last and not last.in_function:
            last.name = target.value


#: what an import must bind for a call through it to qualify as a Flask class (`qualify`
#: follows `name.attr` chains from an import): `flask`, `flask.app` and the classes themselves
_FLASK_PATHS = frozenset(
    path.rsplit(".", cut)[0] for path in FLASK_CLASSES for cut in range(path.count(".") + 1)
)


def _candidates(project: Project, path: str) -> list[_Candidate]:
    """Flask(...) calls in one module; only statements that can reach `Flask` are walked: those
    reading a name imported as `flask.Flask` or `flask`, or importing it themselves (the
    candidate walk finds calls through imports only, so no other statement can hold one).

    Remembered per statement (see `FactCache.derived`): between pipeline steps, only the
    statements a step made are walked again."""
    index = project.index(path)
    flask_imports = frozenset(
        (name, imported.qualified)
        for name, imported in index.imports.items()
        if imported.qualified in _FLASK_PATHS
    )
    flask_names = {name for name, _ in flask_imports}
    found: list[_Candidate] = []
    for position, statement in enumerate(index.body):
        reads_flask = not flask_names.isdisjoint(index.facts(position).reads)
        if not reads_flask and not _imports_flask(statement, index):
            continue
        key = ("flask-apps", statement, path, flask_imports)
        shifted = index.derived(key, partial(_candidates_of, index, position))
        line = index.statement_line(position)
        found += [replace(candidate, line=line + candidate.line) for candidate in shifted]
    return found


def _candidates_of(index: ModuleIndex, position: int) -> list[_Candidate]:
    """The candidates of one statement, their lines counted from the statement's first."""
    statement = index.body[position]
    names = {**index.imports, **_imports_within(statement, index)}
    finder = _AppFinder(index.path, ImportTable(names), _line_in(index, position))
    finder.find(statement)
    first = index.statement_line(position)
    return [replace(candidate, line=candidate.line - first) for candidate in finder.candidates]


def _imports_flask(statement: cst.BaseStatement, index: ModuleIndex) -> bool:
    """A def or class that imports Flask itself (`from flask import Flask` in `create_app`);
    remembered per statement, as every step asks about the statements it left alone."""

    def imports() -> bool:
        within = _imports_within(statement, index).values()
        return any(imported.qualified in _FLASK_PATHS for imported in within)

    if not isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return False
    key = ("imports-flask", statement, index.module_name, index.is_package)
    return index.derived(key, imports)


def _imports_within(statement: cst.BaseStatement, index: ModuleIndex) -> dict[str, Imported]:
    """Imports inside a top-level function (or class): `from flask import Flask` in create_app."""
    if not isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return {}
    return bindings_of(import_statements(statement), index.module_name, index.is_package)


def _line_in(index: ModuleIndex, position: int) -> LineOf:
    def line_of(node: cst.CSTNode) -> int:
        return index.line(node, position)

    return line_of


@dataclass(frozen=True)
class Found:
    """The app to migrate, factory-built apps seen in functions, and stray apps left alone."""

    app: _Candidate
    in_functions: list[_Candidate]
    strays: list[_Candidate] = field(default_factory=list)


def find_app(project: Project, choice: str | None = None) -> Found:
    """The module-level app to migrate, or an error naming what is ambiguous or missing.

    Several modules creating apps: `choice` (`--app PATH[:NAME]`) picks one; otherwise the only
    one that anything registers on or imports is migrated and the others (a throwaway
    `Flask(__name__)` in a helper) are reported and left alone.
    """
    module_level: list[_Candidate] = []
    in_functions: list[_Candidate] = []
    tests = find_test_modules(project)
    for path in project.python_paths():
        if path in tests or "Flask" not in project.text(path):
            continue
        for candidate in _candidates(project, path):
            (in_functions if candidate.in_function else module_level).append(candidate)
    others: list[_Candidate] = []
    if choice is not None:
        factory = _chosen_factory(in_functions, choice)
        if factory is not None:  # the chosen app, already migrated (app.py → app/__init__.py)
            return Found(factory, in_functions, module_level)
        chosen = _chosen(module_level, choice, project)
        others = [c for c in module_level if c not in chosen]
        module_level = chosen
    elif _factories(in_functions) and not any(_in_use(project, c) for c in module_level):
        # A factory beside throwaway module-level apps (a helper's `Flask(__name__)`, left
        # alone by an earlier migration): the factory is the app.
        return Found(_factories(in_functions)[0], in_functions, module_level)
    if not module_level:
        if in_functions:
            return Found(in_functions[0], in_functions)
        raise NoFlaskApp(
            "no Flask application found: flaskmod looks for `app = Flask(__name__)` at module "
            f"level ({len(project.python_paths())} Python files read)",
            Location(str(project.root)),
        )
    _refuse_two_in_one_module(module_level)
    app, strays = _the_one_in_use(project, module_level)
    strays += others
    if not app.name:
        raise FlaskmodError(
            "the Flask app is created without a plain `name = Flask(...)` assignment",
            Location(app.path, app.line),
        )
    return Found(app, in_functions, strays)


def _factories(candidates: list[_Candidate]) -> list[_Candidate]:
    """Apps built by a factory (`create_app`, `make_app`, `app_factory`: a function named for
    what it returns, and returning something), not a helper's throwaway `Flask(...)`."""
    return [
        c
        for c in candidates
        if c.function is not None
        and re.search(r"app|factory", c.function.name.value)
        and bool(find_nodes(c.function, m.Return(value=m.Name() | m.Call())))
    ]


def _chosen_factory(candidates: list[_Candidate], choice: str) -> _Candidate | None:
    """The factory in the module `--app PATH` names, or in the package it became."""
    path = choice.partition(":")[0].removeprefix("./")
    package = path.removesuffix(".py") + "/__init__.py"
    return next((c for c in _factories(candidates) if c.path in (path, package)), None)


def _chosen(candidates: list[_Candidate], choice: str, project: Project) -> list[_Candidate]:
    path, _, name = choice.partition(":")
    path = path.removeprefix("./")
    chosen = [c for c in candidates if c.path == path and (not name or c.name == name)]
    if not chosen:
        seen = ", ".join(f"{c.path}:{c.name}" for c in candidates) or "none"
        raise FlaskmodError(f"--app {choice}: no module-level Flask app there (found: {seen})")
    return chosen


def _refuse_two_in_one_module(candidates: list[_Candidate]) -> None:
    by_file: dict[str, list[_Candidate]] = {}
    for candidate in candidates:
        by_file.setdefault(candidate.path, []).append(candidate)
    for path, found in by_file.items():
        if len(found) > 1:
            lines = ", ".join(str(c.line) for c in found)
            raise FlaskmodError(
                f"{len(found)} Flask apps in one module (lines {lines}); split them first",
                Location(path, found[1].line),
            )


def _the_one_in_use(
    project: Project, candidates: list[_Candidate]
) -> tuple[_Candidate, list[_Candidate]]:
    """The only candidate something registers on or imports; the rest are strays."""
    if len(candidates) == 1:
        return candidates[0], []
    used = [c for c in candidates if _in_use(project, c)]
    if len(used) == 1:
        return used[0], [c for c in candidates if c is not used[0]]
    where = ", ".join(f"{c.path}:{c.line}" for c in used or candidates)
    first = (used or candidates)[1]
    raise FlaskmodError(
        f"Flask apps created in {len(used or candidates)} modules ({where}); flaskmod migrates "
        "one app per run: choose it with --app PATH[:NAME]",
        Location(first.path, first.line),
    )


def _in_use(project: Project, candidate: _Candidate) -> bool:
    """Something registers on the app (any later use in its module) or imports it."""
    if not candidate.name:
        return False
    index = project.index(candidate.path)
    if len(index.readers.get(candidate.name, ())) > 0:
        return True
    module = project.module_name(candidate.path)
    return any(
        _imports_name(project, path, module, candidate.name)
        for path in project.python_paths()
        if path != candidate.path and module in project.text(path)
    )


def _imports_name(project: Project, path: str, module: str, name: str) -> bool:
    """`from module import name`, or `import module` and a read of `module.name`."""
    for imported in project.index(path).imports.values():
        if imported.module == module and imported.original == name:
            return True
        if imported.qualified == module and f"{imported.name}.{name}" in project.text(path):
            return True
    return False


class _AppUsage(cst.CSTVisitor):
    """Collects routes, hooks and config statements hanging off the global app.

    Visited one top-level statement at a time; function bodies are not entered, which is where
    most of a big app's code is.
    """

    def __init__(self, app_name: str) -> None:
        self.app = app_name
        self.routes: list[Route] = []
        self.hooks: list[str] = []
        self.config_statements = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        rules: list[str] = []
        endpoint: str | None = None
        for decorator in node.decorators:
            call = decorator.decorator
            func = call.func if isinstance(call, cst.Call) else call
            if not m.matches(func, m.Attribute(value=m.Name(self.app))):
                continue
            attr = func.attr.value  # type: ignore[attr-defined]
            if attr in ROUTES and isinstance(call, cst.Call):
                if call.args and isinstance(call.args[0].value, cst.SimpleString):
                    rules.append(call.args[0].value.evaluated_value)  # type: ignore[arg-type]
                for arg in call.args:
                    if (
                        arg.keyword
                        and arg.keyword.value == "endpoint"
                        and isinstance(arg.value, cst.SimpleString)
                    ):
                        endpoint = str(arg.value.evaluated_value)
            else:
                self.hooks.append(attr)
        if rules:
            self.routes.append(Route(endpoint or node.name.value, tuple(rules), node.name.value))
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if m.matches(
                target.target,
                m.Subscript(value=m.Attribute(value=m.Name(self.app), attr=m.Name("config")))
                | m.Attribute(
                    value=m.Name(self.app),
                    attr=m.Name("secret_key") | m.Name("debug") | m.Name("testing"),
                ),
            ):
                self.config_statements += 1

    def visit_Call(self, node: cst.Call) -> None:
        if m.matches(
            node.func,
            m.Attribute(value=m.Attribute(value=m.Name(self.app), attr=m.Name("config"))),
        ):
            self.config_statements += 1


def _extension_names(project: Project, path: str, app_name: str) -> tuple[list[str], list[str]]:
    """The extension instances of the app module, and those of them not in the table.

    The extensions codemod's rule (`knowledge.extension_for`): `x = Ext(app, ...)` (or a bare
    `Ext(app)`, named as the codemod names it) for a class in the table, or of a `flask_*`
    package with the app as its only argument; and `x.init_app(app)` for such an `x` created in
    the module, or one imported (already unbound elsewhere).
    """
    index = project.index(path)
    found: list[str] = []
    unknown: list[str] = []
    taken = set(index.binders)
    for position, statement in enumerate(index.body):
        if app_name not in index.facts(position).reads:
            continue
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        name, extension = _extension_statement(index, statement.body[0], app_name, taken)
        if name is not None and extension is not None and name not in found:
            found.append(name)
            if known_extension(extension.qualified) is None and follows_convention(
                extension.qualified
            ):
                unknown.append(name)
    return found, unknown


def _extension_statement(
    index: ModuleIndex, small: cst.BaseSmallStatement, app: str, taken: set[str]
) -> tuple[str | None, Extension | None]:
    """The instance one statement binds the app to, and its extension (or None, None)."""
    target: str | None = None
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = (
            small.targets[0].target.value if isinstance(small.targets[0].target, cst.Name) else None
        )
        call = small.value
    elif isinstance(small, cst.Expr):
        call = small.value
    else:
        return None, None
    if not isinstance(call, cst.Call):
        return None, None
    if m.matches(call.func, m.Attribute(value=m.Name(), attr=m.Name("init_app"))):
        if target is None and m.matches(call, m.Call(args=[m.Arg(m.Name(app)), m.ZeroOrMore()])):
            instance = cst.ensure_type(cst.ensure_type(call.func, cst.Attribute).value, cst.Name)
            return instance.value, _class_of(index, instance.value)
        return None, None
    apps = [arg for arg in call.args if _passes_app(arg, app)]
    if not apps:
        return None, None
    qualified = qualify(call.func, index.imports)
    extension = extension_for(qualified, only_app=len(call.args) == 1)
    if extension is None:
        return None, None
    return target or instance_name(qualified or "", taken), extension


def _passes_app(arg: cst.Arg, app: str) -> bool:
    return m.matches(arg.value, m.Name(app)) and (arg.keyword is None or arg.keyword.value == "app")


def _class_of(index: ModuleIndex, name: str) -> Extension | None:
    """The extension an `x.init_app(app)` binds: `x = Ext(...)` here, or an imported instance."""
    if name in index.imports:
        return Extension(index.imports[name].qualified)
    binders = index.binders.get(name, [])
    if len(binders) != 1:
        return None
    statement = index.body[binders[0]]
    created = m.SimpleStatementLine(
        body=[m.Assign(targets=[m.AssignTarget(m.Name(name))], value=m.Call())]
    )
    if not m.matches(statement, created):
        return None
    assign = cst.ensure_type(
        cst.ensure_type(statement, cst.SimpleStatementLine).body[0], cst.Assign
    )
    call = cst.ensure_type(assign.value, cst.Call)
    return extension_for(qualify(call.func, index.imports), only_app=True)


def locate(project: Project, hint: str | None = None) -> AppModel:
    """Where the app is and the project's layout, without the details `analyze` adds.

    Between pipeline steps the driver knows where the app went (`hint`, the app module's new
    path), so only that module is read; without a hint every module that mentions Flask is.
    """
    app = _find_in(project, hint) if hint in project.files else None
    return _model_of(project, app or find_app(project).app)


def _model_of(project: Project, app: _Candidate) -> AppModel:
    templates = tuple(p for p in sorted(project.files) if "templates" in p.split("/")[:-1])
    tests = tuple(sorted(find_test_modules(project)))
    root = project.import_root(app.path)
    if app.in_function:
        return AppModel(
            layout=Layout.FACTORY,
            app_path=app.path,
            app_name="app",
            app_line=app.line,
            templates=templates,
            tests=tests,
            factory_in_progress=_built_by_flaskmod(app.function),
            factory=app.function.name.value if app.function else None,
            import_root=root,
        )
    layout = Layout.PACKAGE if PurePosixPath(app.path).name == "__init__.py" else Layout.MODULE
    return AppModel(
        layout, app.path, app.name, app.line, templates=templates, tests=tests, import_root=root
    )


def _find_in(project: Project, path: str | None) -> _Candidate | None:
    """The app created in one known module: named at module level, else in a function."""
    found = _candidates(project, path) if path else []
    named = [c for c in found if not c.in_function and c.name]
    if len(named) == 1 and len(found) == 1:
        return named[0]
    in_functions = [c for c in found if c.in_function]
    return in_functions[0] if in_functions and not named else None


def _built_by_flaskmod(function: cst.FunctionDef | None) -> bool:
    """A `create_app` that loads `get_config`: flaskmod's, whose wsgi/tests may be pending."""
    return (
        function is not None
        and function.name.value == FACTORY
        and bool(calls_of(function, GET_CONFIG))
    )


def analyze(project: Project, choice: str | None = None) -> AppModel:
    """The app model with everything the summary and the refusals need (read once per run).

    `choice` is `--app PATH[:NAME]`, for a project that creates several apps.
    """
    found = find_app(project, choice)
    located = _model_of(project, found.app)
    if located.layout is Layout.FACTORY:
        return located
    app = replace(located, other_apps=tuple(sorted({c.path for c in found.strays})))
    why = "not the one chosen with --app" if choice else "that nothing registers on or imports"
    findings: list[Finding] = [
        Finding(
            Location(stray.path, stray.line),
            f"another Flask app (`{stray.name}`) {why}: left alone (choose it with --app to "
            "migrate it instead)",
            Severity.NOTE,
        )
        for stray in found.strays
    ]
    usage = _AppUsage(app.app_name)
    index = project.index(app.app_path)
    for statement in index.body:
        visit_pruned(statement, usage, spelled(app.app_name))
    findings += _star_imports_of(project, app.import_name)
    uses = blocking_uses(project, app.app_path, app.app_name, app.app_line)
    blocking = [f for f in uses if f.severity is Severity.MANUAL]
    findings += uses
    extensions, unknown = _extension_names(project, app.app_path, app.app_name)
    return replace(
        app,
        routes=tuple(usage.routes),
        extensions=tuple(extensions),
        unknown_extensions=tuple(unknown),
        config_statements=usage.config_statements,
        hooks=tuple(usage.hooks),
        findings=tuple(findings),
        blocking=tuple(blocking),
    )


def _star_imports_of(project: Project, app_module: str) -> Sequence[Finding]:
    """`from app import *` hides which names a module takes from the app: refuse to guess.

    Python 3 allows a star import only at module level, so top-level statements suffice.
    """
    for path in project.python_paths():
        if "import *" not in project.text(path):
            continue
        index = project.index(path)
        star = m.SimpleStatementLine(body=[m.ImportFrom(names=m.ImportStar(), relative=[])])
        for position, statement in enumerate(index.body):
            if not m.matches(statement, star):
                continue
            imported = cst.ensure_type(statement, cst.SimpleStatementLine).body[0]
            module = cst.ensure_type(imported, cst.ImportFrom).module
            if module is not None and dotted(module) == app_module:
                raise FlaskmodError(
                    f"`from {app_module} import *` hides which names it takes from the app "
                    "module; import them by name first",
                    Location(path, index.statement_line(position)),
                )
    return ()


# ------------------------------------------------------------------ blocking uses
#: Functions that take the app and are as safe inside the factory as at import time: the extension
#: protocol's `init_app`, Flask-Login's older name for it, Flask-Uploads' set-up functions.
def blocking_uses(project: Project, path: str, app: str, app_line: int) -> list[Finding]:
    """Module-level code that rebinds the app or hands it to a function: a human must decide.

    `app = ProxyFix(app)` makes the name mean a wrapper from that line on, so everything after it
    (the blueprint registration the migration adds, the factory's `return app`) gets the wrong
    object; `register(app)` or `setup_admin(app)` run code flaskmod cannot see, which may register
    views whose endpoints it does not rewrite or keep the app in a global that a factory creates
    many times. Moving either into `create_app` as it is may well work, which is what --force does.

    Not blocking: `Something(app)` for a class (a CapWords name), known extension or not. That is
    the extension pattern (the object registers itself in `app.extensions`); the extensions codemod
    reports the unknown ones and the factory constructs them per app, which is equivalent to doing
    it once at import. Also not blocking: `x.init_app(app)`, calls on the app itself
    (`app.register_blueprint(bp)`), builtins, and wrapping `app.wsgi_app` (`app.wsgi_app =
    ProxyFix(app.wsgi_app)`), which is Flask's documented way to add middleware; and a library's
    function given the app (`bugsnag.flask.handle_exceptions(app)`): a set-up call, reported as a
    note by `library_calls`.
    """
    index = project.index(path)
    tops = frozenset(project.module_name(p).split(".")[0] for p in project.python_paths())
    finder = _BlockingUses(app, app_line, ImportTable(index.imports), tops)
    for position, statement in enumerate(index.body):
        if isinstance(statement, cst.FunctionDef | cst.ClassDef) and app not in (
            index.facts(position).declared_global
        ):
            continue  # only `global app` inside a function can rebind the module's app
        finder.line_of = _line_in(index, position)
        visit_pruned(statement, finder, spelled(app))
    found: dict[int, Finding] = {}
    for line, node, message in finder.found:
        found.setdefault(
            line, Finding(Location(path, line), message.format(code=_short(index, node)))
        )
    notes = [
        Finding(
            Location(path, line),
            f"`{_short(index, node)}` hands the app to a library's set-up function: it now runs "
            "in create_app, once for each app built",
            Severity.NOTE,
        )
        for line, node in finder.library_calls
    ]
    return [found[line] for line in sorted(found)] + notes


def _short(index: ModuleIndex, node: cst.CSTNode) -> str:
    code = " ".join(code_for_node(index.tree, node).split())
    return code if len(code) <= 60 else code[:57] + "..."


def _binds(target: cst.BaseExpression, name: str) -> bool:
    if isinstance(target, cst.Name):
        return target.value == name
    if isinstance(target, cst.Tuple | cst.List):
        return any(_binds(element.value, name) for element in target.elements)
    return False


def _root_name(node: cst.BaseExpression) -> str | None:
    while isinstance(node, cst.Attribute | cst.Call | cst.Subscript):
        node = node.value if not isinstance(node, cst.Call) else node.func
    return node.value if isinstance(node, cst.Name) else None


class _BlockingUses(cst.CSTVisitor):
    REBOUND = (
        "`{code}` rebinds the app: from here on the name is not the Flask app, and the factory "
        "would return the wrapper; wrap `app.wsgi_app` instead, or name the wrapper differently"
    )
    PASSED = (
        "`{code}` hands the app to a function flaskmod cannot see into (it may register views "
        "or keep the app in a global); check that it works when called in create_app"
    )

    def __init__(
        self, app: str, app_line: int, imports: ImportTable, project_modules: frozenset[str]
    ) -> None:
        self.imports = imports
        self.app = app
        self.app_line = app_line
        self.project_modules = project_modules
        self.found: list[tuple[int, cst.CSTNode, str]] = []
        self.library_calls: list[tuple[int, cst.CSTNode]] = []
        self.line_of: LineOf = lambda node: 0

    def _add(self, node: cst.CSTNode, message: str) -> None:
        self.found.append((self.line_of(node), node, message))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        # Inside a function only `global app` followed by an assignment rebinds the module's app.
        declared = find_nodes(
            node, m.Global(names=[m.ZeroOrMore(), m.NameItem(m.Name(self.app)), m.ZeroOrMore()])
        )
        if declared:
            for assign in find_nodes(node, m.Assign() | m.AnnAssign() | m.AugAssign()):
                targets = (
                    [t.target for t in assign.targets]
                    if isinstance(assign, cst.Assign)
                    else [assign.target]  # type: ignore[attr-defined]
                )
                if any(_binds(t, self.app) for t in targets):
                    self._add(assign, self.REBOUND)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_If(self, node: cst.If) -> bool:
        # `python app.py` only: the package codemod turns this block into a hint or a command.
        return not is_main_guard(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        binds = any(_binds(t.target, self.app) for t in node.targets)
        if binds and self.line_of(node) != self.app_line:
            self._add(node, self.REBOUND)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and _binds(node.target, self.app):
            self._add(node, self.REBOUND)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if _binds(node.target, self.app):
            self._add(node, self.REBOUND)

    def visit_Call(self, node: cst.Call) -> None:
        if not any(m.matches(arg.value, m.Name(self.app)) for arg in node.args):
            return
        func = node.func
        name = func.value if isinstance(func, cst.Name) else None
        if isinstance(func, cst.Attribute):
            name = func.attr.value
        if name is None or name[:1].isupper() or name in APP_SAFE_CALLS:
            return
        if _root_name(func) == self.app:
            return
        qualified = self.imports.qualify(func)
        if isinstance(func, cst.Name) and not qualified and hasattr(builtins, name):
            return
        if any(known_extension(q) for q in qualified):
            return
        if any(q.split(".")[0] not in self.project_modules for q in qualified):
            self.library_calls.append((self.line_of(node), node))
            return  # a library's set-up call: as safe in create_app as at import
        self._add(node, self.PASSED)
