"""Modules that imported the global app build one through the factory instead.

Test modules get `create_app("testing")`; entry points outside the package (`microblog.py`,
`manage.py`, `run.py`: the module `FLASK_APP` or gunicorn pointed at) get an app for the
environment's config, on which their own registrations (`@app.shell_context_processor`,
`Manager(app)`) keep working. Shared by `factory` (which must not leave the project's tests or
entry points broken in its own commit) and `tests` (which also runs alone).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel
from flaskmod.codegen import code_of
from flaskmod.conventions import EXTENSIONS_MODULE, FACTORY
from flaskmod.errors import Finding, Location, Severity
from flaskmod.knowledge import SQLALCHEMY_CLASSES, canonical
from flaskmod.names import (
    ModuleIndex,
    import_statements,
    name_nodes,
    qualify,
    star_sources,
)
from flaskmod.project import Project
from flaskmod.versions import dependency_range

from ._imports import add_import, add_statements_after_import_of
from ._moving import imported_as, kept_names
from ._visiting import holds, transform_statements

APP_NAMES = ("app", "application")


class _AppImport(cst.CSTTransformer):
    """`from pkg import app[, x]` → `from pkg import create_app[, x]` (relative too: `from .pkg
    import app` in a parent package); records the local name."""

    def __init__(
        self, package: str, exported: set[str], importer: str, app_name: str = "app"
    ) -> None:
        self.package = package
        self.exported = exported
        self.importer = importer
        #: what the app may be imported as: its own name (`server`), and the usual ones
        self.names = (*APP_NAMES, app_name) if app_name not in APP_NAMES else APP_NAMES
        self.bound: list[str] = []
        self.module_aliases: list[str] = []

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        if isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        if not any(
            imported_as(updated_node, self.package, self.importer, name) for name in self.names
        ):
            return updated_node
        names = []
        for alias in updated_node.names:
            if alias.evaluated_name in self.names and alias.evaluated_name not in self.exported:
                self.bound.append(alias.evaluated_alias or alias.evaluated_name)
                names.append(alias.with_changes(name=cst.Name(FACTORY), asname=None))
            else:
                names.append(alias)
        return updated_node.with_changes(names=names)


def _module_aliases(tree: cst.Module, package: str, importer: str) -> list[str]:
    """Names under which the app's module is bound: `import app`, `import app as myapp`, and
    `from flaskr import flaskr` for an app module inside a package."""
    aliases = []
    parent, _, last = package.rpartition(".")
    for node in import_statements(tree):
        if isinstance(node, cst.Import):
            for alias in node.names:
                if alias.evaluated_name == package:
                    aliases.append(alias.evaluated_alias or package)
        elif parent and isinstance(node, cst.ImportFrom):
            local = imported_as(node, parent, importer, last)
            if local is not None:
                aliases.append(local)
    return aliases


class _ModuleAppAttribute(cst.CSTTransformer):
    """`myapp.app` → `app`, the module-level app the test module now builds itself."""

    def __init__(self, aliases: list[str], app: str, variable: str) -> None:
        self.aliases = aliases
        self.app = app
        self.variable = variable

    def replaces(self, node: cst.CSTNode) -> bool:
        return (
            type(node) is cst.Attribute  # asked of every node: no `abc` check
            and isinstance(node.value, cst.Name)
            and node.value.value in self.aliases
            and node.attr.value == self.app
        )

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if self.replaces(updated_node):
            return cst.Name(self.variable)
        return updated_node


def _free_name(tree: cst.Module, wanted: str) -> str:
    """`wanted`, unless the module already uses that name for something (imports of a module
    called `app` bind the alias, not `app`)."""
    used = any(name.value == wanted for name in name_nodes(tree))
    bound_by_import = any(
        (alias.evaluated_alias or alias.evaluated_name.split(".")[0]) == wanted
        for node in import_statements(tree)
        if isinstance(node, cst.Import)
        for alias in node.names
    )
    return wanted if not used and not bound_by_import else f"{wanted}_under_test"


def _is_import_from(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.ImportFrom)


def entry_point_config(env_var: str, path: str = "") -> str:
    """An entry script's app reads its config name from the environment: development if unset,
    except in the WSGI entry point (`wsgi.py`), which production servers load."""
    default = "production" if PurePosixPath(path).name == "wsgi.py" else "development"
    return f'os.environ.get("{env_var}", "{default}")'


TESTING = '"testing"'


def rewrite_test_imports(
    project: Project,
    model: AppModel,
    factory_module: cst.Module,
    needs_app: frozenset[str] = frozenset(),
) -> tuple[dict[str, cst.Module], list[Finding]]:
    """New trees for the test modules that import the global app from the app module."""
    return rewrite_app_importers(project, model, factory_module, model.tests, TESTING, needs_app)


def rewrite_app_importers(
    project: Project,
    model: AppModel,
    factory_module: cst.Module,
    paths: Iterable[str],
    config: str,
    needs_app: frozenset[str] = frozenset(),
) -> tuple[dict[str, cst.Module], list[Finding]]:
    """New trees for `paths` that import the global app: each builds its own with `config`.

    Calls in those modules to the app module's functions that now take `app=None` (`needs_app`,
    see `_app_users`) pass the module's own app: they may run outside any context (a test's
    setUp, a script).
    """
    findings: list[Finding] = []
    trees: dict[str, cst.Module] = {}
    exported = _top_level_names(factory_module)
    packages = [model.import_name, *star_reexporters(project, model.import_name)]
    for path in paths:
        new = None
        for package in packages:
            tree = new or project.module(path)
            new = (
                _rewrite_one(project, model, path, tree, package, exported, config, needs_app)
                or new
            )
        if new is None:
            continue
        trees[path] = new
        builds = f"{FACTORY}(" in project.render(new).replace(f"import {FACTORY}", "")
        message = (
            f"builds its app with {FACTORY}({config}) instead of importing the global one"
            if builds
            else f"re-exports {FACTORY} instead of the global app"
        )
        findings.append(Finding(Location(path), message, Severity.NOTE))
    return trees, findings


def star_reexporters(project: Project, module: str) -> list[str]:
    """Modules whose names include the app module's through `from .module import *` (a package
    `__init__` re-exporting its core): `pkg.app` is read through them too."""
    return [
        project.index(path).module_name
        for path in project.python_paths()
        if "import *" in project.text(path) and module in star_sources(project.index(path))
    ]


def _rewrite_one(
    project: Project,
    model: AppModel,
    path: str,
    tree: cst.Module,
    package: str,
    exported: set[str],
    config: str,
    needs_app: frozenset[str],
) -> cst.Module | None:
    if package.rpartition(".")[2] not in project.text(path):
        return None
    rewriter = _AppImport(package, exported, path, model.app_name)
    new = transform_statements(tree, rewriter, _is_import_from, statements_only=True)
    creations: list[tuple[str, str]] = []
    if rewriter.bound:
        new = _dedupe_factory_import(new)
        readers = project.index(path).readers
        # A package that only re-exports the app (`from .flaskr import app` in its __init__)
        # re-exports the factory instead (`flask --app pkg` finds `create_app`); others build
        # their own app.
        reexport = path.endswith("__init__.py")
        creations += [
            (n, f"{FACTORY}({config})") for n in rewriter.bound if readers.get(n) or not reexport
        ]
        if not creations:
            return new
    aliases = _module_aliases(tree, package, path)
    if aliases and model.app_name not in exported:
        attributes = _ModuleAppAttribute(aliases, model.app_name, "")
        if any(holds(statement, attributes.replaces) for statement in new.body):
            attributes.variable = _free_name(new, model.app_name)
            new = transform_statements(new, attributes, attributes.replaces)
            creations.append((attributes.variable, f"{aliases[0]}.{FACTORY}({config})"))
    if not creations:
        return None
    if needs_app:
        names = _imported_from(tree, package, path, needs_app)
        passing = _PassApp(names, set(aliases), needs_app, creations[0][0])
        new = transform_statements(new, passing, passing.calls)
    if config == TESTING and _sqlalchemy_2(project) and _uses_db(project, model, tree, path):
        new = transform_statements(
            new, _ContextPerTest(creations[0][0]), _is_class, statements_only=True
        )
    statements: list[cst.BaseStatement] = [
        cst.parse_statement(f"{name} = {call}\n") for name, call in creations
    ]
    statements[0] = statements[0].with_changes(leading_lines=[cst.EmptyLine()])
    new = add_statements_after_import_of(new, package, statements)
    if "os." in config:
        new = add_import(new, "os")
    return new


def _is_class(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.ClassDef)


def _sqlalchemy_2(project: Project) -> bool:
    """Flask-SQLAlchemy before 3.0 (or unpinned): `SQLAlchemy(app)` bound `db` to the app, so
    legacy tests use `db` with no app context; after `init_app` they need one."""
    files = {path: project.text(path) for path in project.files if not path.endswith(".html")}
    found = dependency_range(files, "flask-sqlalchemy")
    return found is None or found[0] < (3, 0)


def _uses_db(project: Project, model: AppModel, tree: cst.Module, path: str) -> bool:
    """The test module imports the project's Flask-SQLAlchemy object (by name, from the app)."""
    extensions = f"{model.app_dir}/{EXTENSIONS_MODULE}.py" if model.app_dir else ""
    if extensions not in project.files:
        return False
    index = project.index(extensions)
    names = {
        name
        for name, binders in index.binders.items()
        if any(_creates_sqlalchemy(index.body[b], index) for b in binders)
    }
    sources = {model.import_name, f"{model.import_name}.{EXTENSIONS_MODULE}"}
    return any(
        imported_as(node, source, path, name) is not None
        for node in import_statements(tree)
        for source in sources
        for name in names
    )


def _creates_sqlalchemy(statement: cst.BaseStatement, index: ModuleIndex) -> bool:
    if not m.matches(statement, m.SimpleStatementLine([m.Assign(value=m.Call())])):
        return False
    call = cst.ensure_type(cst.ensure_type(statement, cst.SimpleStatementLine).body[0], cst.Assign)
    func = cst.ensure_type(call.value, cst.Call).func
    return canonical(qualify(func, index.imports) or "") in SQLALCHEMY_CLASSES


class _ContextPerTest(cst.CSTTransformer):
    """Each unittest case runs inside an app context of the module's app (pushed in `setUp`,
    popped in `tearDown`), as `db` bound to the app allowed before: one per test, so several
    test modules, each with its own app, never share one."""

    ATTRIBUTE = "_flask_app_context"

    def __init__(self, app: str) -> None:
        self.app = app

    def leave_ClassDef(
        self, original_node: cst.ClassDef, updated_node: cst.ClassDef
    ) -> cst.ClassDef:
        code = code_of(original_node)
        if not _is_test_case(original_node) or "app_context" in code or "db." not in code:
            return updated_node
        body = cst.ensure_type(updated_node.body, cst.IndentedBlock)
        methods = list(body.body)
        push = [
            f"self.{self.ATTRIBUTE} = {self.app}.app_context()",
            f"self.{self.ATTRIBUTE}.push()",
        ]
        methods = _with_method(methods, "setUp", push, first=True)
        methods = _with_method(methods, "tearDown", [f"self.{self.ATTRIBUTE}.pop()"], first=False)
        return updated_node.with_changes(body=body.with_changes(body=methods))


def _is_test_case(node: cst.ClassDef) -> bool:
    for base in node.bases:
        value = base.value
        last = value.attr.value if isinstance(value, cst.Attribute) else getattr(value, "value", "")
        if isinstance(last, str) and last.endswith("TestCase"):
            return True
    return False


def _with_method(
    methods: list[cst.BaseStatement], name: str, lines: list[str], *, first: bool
) -> list[cst.BaseStatement]:
    """`lines` at the start (`first`) or end of method `name`, created when missing."""
    added = [cst.parse_statement(line + "\n") for line in lines]
    for position, method in enumerate(methods):
        if isinstance(method, cst.FunctionDef) and method.name.value == name:
            block = cst.ensure_type(method.body, cst.IndentedBlock)
            statements = [*added, *block.body] if first else [*block.body, *added]
            methods[position] = method.with_changes(body=block.with_changes(body=statements))
            return methods
    code = f"def {name}(self):\n" + "".join(f"    {line}\n" for line in lines)
    new = cst.parse_statement(code).with_changes(leading_lines=[cst.EmptyLine(indent=False)])
    return [new, *methods] if first else [*methods, new]


def _imported_from(tree: cst.Module, package: str, path: str, wanted: frozenset[str]) -> set[str]:
    """Local names under which `path` imports the `wanted` functions from the app module."""
    found = set()
    for node in import_statements(tree):
        for name in wanted:
            local = imported_as(node, package, path, name)
            if local is not None:
                found.add(local)
    return found


class _PassApp(cst.CSTTransformer):
    """`init_db()` / `flaskr.init_db()` → `init_db(app=app)`, unless it already passes one."""

    def __init__(
        self, names: set[str], aliases: set[str], functions: frozenset[str], variable: str
    ) -> None:
        self.names = names
        self.aliases = aliases
        self.functions = functions
        self.variable = variable

    def calls(self, node: cst.CSTNode) -> bool:
        """A call of one of the functions, not passing an app already."""
        if not isinstance(node, cst.Call):
            return False
        func = node.func
        called = (isinstance(func, cst.Name) and func.value in self.names) or (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and func.value.value in self.aliases
            and func.attr.value in self.functions
        )
        return called and not any(a.keyword and a.keyword.value == "app" for a in node.args)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if not self.calls(updated_node):
            return updated_node
        app = cst.Arg(
            cst.Name(self.variable),
            keyword=cst.Name("app"),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )
        args = list(updated_node.args)
        if args:
            args[-1] = args[-1].with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
        return updated_node.with_changes(args=[*args, app])


def _top_level_names(tree: cst.Module) -> set[str]:
    """Names the factory module still binds at top level (an `app` there is not the old app)."""
    names = set()
    for statement in tree.body:
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            names.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine) and isinstance(
            statement.body[0], cst.Assign
        ):
            for target in statement.body[0].targets:
                if isinstance(target.target, cst.Name):
                    names.add(target.target.value)
    return names


def _dedupe_factory_import(tree: cst.Module) -> cst.Module:
    """`from app import create_app, create_app` (app imported twice) → one name."""

    class _Dedupe(cst.CSTTransformer):
        def leave_ImportFrom(
            self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
        ) -> cst.ImportFrom:
            if isinstance(updated_node.names, cst.ImportStar):
                return updated_node
            seen: set[str] = set()
            names = []
            for alias in updated_node.names:
                key = alias.evaluated_alias or alias.evaluated_name
                if key in seen:
                    continue
                seen.add(key)
                names.append(alias)
            if len(names) == len(updated_node.names):
                return updated_node  # in parentheses, a trailing comma holds the newline
            return updated_node.with_changes(names=kept_names(updated_node, names))

    return transform_statements(tree, _Dedupe(), _is_import_from, statements_only=True)
