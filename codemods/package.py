"""`app.py` → `app/__init__.py`: the single module becomes a package the later codemods fill.

Why first: every later codemod (extensions, blueprints, factory) writes modules beside the app,
and the target layout (docs/target-layout.md) puts them in a package. Moving the file in its own
step keeps the move a near-pure rename, so `git log --follow` and blame keep the file's history,
and every later codemod has one input shape: the "package with a global app" layout.

A package's `root_path` is its own folder, not the project's: `Flask(__name__)` in
`app/__init__.py` would look for `app/templates/` and resolve `open_resource`, `static/` and
`app.root_path` joins one level down. The app is therefore created with `root_path` set to the old
folder, and `__file__`-relative directory expressions are re-anchored. The instance folder is
derived from the import name, which does not change, so SQLite files in `instance/` stay put.

`python app.py` no longer exists, so the `if __name__ == "__main__":` block goes: `app.run(...)`
becomes advice to use `flask run`, anything else it ran becomes a CLI command of the same effect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel
from flaskmod.codegen import code_for_node
from flaskmod.codemod import Codemod, Context, Example, Needs
from flaskmod.errors import FlaskmodError, Location
from flaskmod.knowledge import FLASK_CLASSES
from flaskmod.names import ModuleIndex, find_nodes, import_statements, qualify
from flaskmod.project import Project
from flaskmod.versions import flask_command

from ._building import template
from ._file_anchor import reanchor
from ._imports import add_import
from ._moving import prune_imports

#: what the page docs/codemods/package.md shows; tests/test_docs.py runs it
EXAMPLE = Example(
    before={
        "app.py": """
            from flask import Flask, render_template

            app = Flask(__name__)


            @app.route("/")
            def index():
                return render_template("index.html")


            if __name__ == "__main__":
                app.run(debug=True)
        """,
    },
    after={
        "app/__init__.py": """
            import os

            from flask import Flask, render_template

            app = Flask(__name__, root_path=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


            @app.route("/")
            def index():
                return render_template("index.html")
        """,
    },
    moved={"app.py": "app/__init__.py"},
    reports=(
        "`python app.py` is gone: run `flask --app app --debug run` instead",
        "moved from app.py; templates, static files and app.root_path stay in the project folder",
    ),
    note="The app module moves as a rename (`git log --follow` keeps its history); `root_path` keeps templates, static files and the instance folder where they were.",
)

codemod = Codemod.declare(
    __name__,
    # After config-classes (so `basedir = dirname(__file__)` lands in config.py beside where
    # app.py was) and before every codemod that writes modules beside the app, in its package.
    order=20,
    summary="Turn the single app module into a package (app.py → app/__init__.py), paths unchanged.",
    needs=Needs.MODULE,
    example=EXAMPLE,
)

# Module names that would clash with files the migration writes or with common tooling.
RESERVED_NAMES = frozenset(
    {"wsgi", "config", "extensions", "models", "forms", "tests", "test", "conftest", "setup"}
)
FALLBACK_NAME = "app"

ROOT_PATH = "os.path.dirname(os.path.dirname(os.path.abspath(__file__)))"


@dataclass(frozen=True)
class MainBlock:
    """`if __name__ == "__main__":` — what `python app.py` ran besides the server."""

    position: int
    line: int
    run_args: tuple[str, ...]
    kept: tuple[cst.BaseStatement, ...]


@dataclass(frozen=True)
class PackagePlan:
    new_path: str
    #: top-level statements that use `__file__` and must be re-anchored one level down
    file_users: tuple[int, ...]
    #: the statement creating the app, which gains `root_path=` (None: it has one)
    creation: int | None
    main: MainBlock | None


def package_name(model: AppModel, project: Project) -> str:
    stem = PurePosixPath(model.app_path).stem
    name = stem if stem not in RESERVED_NAMES and stem.isidentifier() else FALLBACK_NAME
    directory = f"{model.app_dir}/{name}" if model.app_dir else name
    if (
        any(path.startswith(directory + "/") for path in project.files)
        or (project.root / directory).exists()
    ):
        raise FlaskmodError(
            f"cannot turn {model.app_path} into package {directory}/: that folder exists",
            Location(model.app_path),
        )
    return name


@codemod.plan
def plan(context: Context) -> PackagePlan:
    model, project = context.model, context.project
    name = package_name(model, project)
    new_path = f"{model.app_dir}/{name}/__init__.py" if model.app_dir else f"{name}/__init__.py"
    index = project.index(model.app_path)
    main = _main_block(index, model.app_name)
    file_users = tuple(
        position
        for position in range(len(index.body))
        if "__file__" in index.code(position) and (main is None or position != main.position)
    )
    return PackagePlan(new_path, file_users, _creation(index, model.app_name), main)


@codemod.edit
def edit(context: Context, plan: PackagePlan) -> Project:
    model = context.model
    index = context.project.index(model.app_path)
    new_dir = PurePosixPath(plan.new_path).parent.as_posix()
    body = _moved_body(context, index, plan, new_dir)
    tree = add_import(index.tree.with_changes(body=body), "os")
    if plan.main is not None:
        tree = _replace_main_block(context, tree, plan.main, plan.new_path)
        tree = prune_imports(tree, _left_unused(index, plan.main))
    where = model.app_dir or "the project folder"
    context.note(
        f"moved from {model.app_path}; templates, static files and app.root_path stay in {where}",
        plan.new_path,
    )
    modules = {plan.new_path: tree, **_path_mentions(context, model.app_path, plan.new_path)}
    return context.project.with_changes(moves={model.app_path: plan.new_path}, modules=modules)


def _path_mentions(context: Context, old: str, new: str) -> dict[str, cst.Module]:
    """Other modules naming the moved file by its path (`open("app.py")` in a test that reads
    the source) name its new path."""
    changed = {}
    for path in context.project.python_paths():
        if path == old or old not in context.project.text(path):
            continue
        renamer = _RenamePath(old, new)
        tree = context.project.module(path).visit(renamer)
        if renamer.lines:
            changed[path] = tree
            context.note(f"names {new} where it named {old}", path)
    return changed


class _RenamePath(cst.CSTTransformer):
    """A string literal that is exactly the old path (or `./` + it) becomes the new one."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new
        self.lines = 0

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        value = updated_node.evaluated_value
        if not isinstance(value, str) or value.removeprefix("./") != self.old:
            return updated_node
        if "\\" in updated_node.value:
            return updated_node
        self.lines += 1
        replaced = value.replace(self.old, self.new)
        return updated_node.with_changes(
            value=updated_node.prefix + updated_node.quote + replaced + updated_node.quote
        )


def _moved_body(
    context: Context, index: ModuleIndex, plan: PackagePlan, new_dir: str
) -> list[cst.BaseStatement]:
    """The module's statements one folder down: `__file__` paths and the app's root re-anchored."""
    body: list[cst.BaseStatement] = []
    unhandled = 0
    for position, statement in enumerate(index.body):
        if plan.main is not None and position == plan.main.position:
            continue
        if position in plan.file_users:
            statement, missed = reanchor(statement, context.model.app_dir, new_dir)
            unhandled += missed
        if position == plan.creation and context.has("root_path_argument"):
            statement = _with_root_path(statement)
        body.append(_one_level_deeper(statement))
        if position == plan.creation and not context.has("root_path_argument"):
            body += _root_path_assignments(context.model.app_name)
    if unhandled:
        context.warn(
            f"{unhandled} use(s) of __file__ flaskmod could not re-anchor; the module now lives "
            f"in {new_dir}/",
            context.model.app_path,
        )
    return body


# ------------------------------------------------------------------------ the app's root
def _creation(index: ModuleIndex, app: str) -> int | None:
    """The `app = Flask(...)` statement, unless it already says where its root is."""
    for position in index.binders.get(app, []):
        statement = index.body[position]
        if not m.matches(
            statement,
            m.SimpleStatementLine(
                body=[m.Assign(targets=[m.AssignTarget(m.Name(app))], value=m.Call())]
            ),
        ):
            continue
        line = cst.ensure_type(statement, cst.SimpleStatementLine)
        call = cst.ensure_type(cst.ensure_type(line.body[0], cst.Assign).value, cst.Call)
        if qualify(call.func, index.imports) not in FLASK_CLASSES:
            continue
        if any(arg.keyword and arg.keyword.value == "root_path" for arg in call.args):
            return None
        return position
    return None


def _with_root_path(statement: cst.BaseStatement) -> cst.BaseStatement:
    """`Flask(__name__, ...)` gains `root_path=` so resources resolve where they always did."""
    line = cst.ensure_type(statement, cst.SimpleStatementLine)
    assign = cst.ensure_type(line.body[0], cst.Assign)
    call = cst.ensure_type(assign.value, cst.Call)
    args = list(call.args)
    if args:
        args[-1] = args[-1].with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        )
    equal = cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
    )
    args.append(
        cst.Arg(keyword=cst.Name("root_path"), value=cst.parse_expression(ROOT_PATH), equal=equal)
    )
    new_assign = assign.with_changes(value=call.with_changes(args=args))
    return line.with_changes(body=[new_assign, *line.body[1:]])


def _root_path_assignments(app: str) -> list[cst.BaseStatement]:
    """Flask 0.10 has no `root_path=` argument: the same root, set right after creation (before
    templates, static files or config files are first looked up)."""
    return template(
        f"{{app}}.root_path = {ROOT_PATH}\n{{app}}.config.root_path = {{app}}.root_path\n",
        app=cst.Name(app),
    )


def _left_unused(index: ModuleIndex, main: MainBlock) -> set[str]:
    """Imports only the `__main__` block read (`argparse` for its `--port`), now unused: read
    by no other top-level statement (the module's name facts) nor by what the block kept."""
    kept: set[str] = set()
    for statement in main.kept:
        kept |= _reads(statement)
    return {
        name
        for name in index.imports
        if index.readers.get(name) and index.readers[name] <= {main.position} and name not in kept
    }


# ------------------------------------------------------------- relative imports
class _DeeperRelativeImports(cst.CSTTransformer):
    """`from .x import y` → `from ..x import y`: the module is now its package's `__init__`, so
    its own package is one level deeper than the one its relative imports meant."""

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        if not updated_node.relative:
            return updated_node
        return updated_node.with_changes(relative=[cst.Dot(), *updated_node.relative])


def _one_level_deeper(statement: cst.BaseStatement) -> cst.BaseStatement:
    if not any(
        node.relative for node in import_statements(statement) if isinstance(node, cst.ImportFrom)
    ):
        return statement
    new = statement.visit(_DeeperRelativeImports())
    assert isinstance(new, cst.BaseStatement)  # imports are changed, never removed
    return new


# ---------------------------------------------------------------------- the main block
def _main_block(index: ModuleIndex, app: str) -> MainBlock | None:
    for position, statement in enumerate(index.body):
        if not (isinstance(statement, cst.If) and _is_main_guard(statement)):
            continue
        assert isinstance(statement.body, cst.IndentedBlock)
        run_args: list[str] = []
        kept: list[cst.BaseStatement] = []
        runs: list[cst.Call] = []
        for inner in statement.body.body:
            run = _app_run_call(inner, app)
            if run is None:
                kept.append(inner)
            else:
                runs.append(run)
                run_args += [code_for_node(index.tree, arg).rstrip(", ") for arg in run.args]
        line = index.statement_line(position)
        return MainBlock(position, line, tuple(run_args), _without_server_setup(kept, runs))
    return None


def _without_server_setup(
    kept: list[cst.BaseStatement], runs: list[cst.Call]
) -> tuple[cst.BaseStatement, ...]:
    """The statements that only prepared `app.run(...)`'s arguments (an `ArgumentParser` for
    `--port`, `port = int(os.environ.get("PORT", 5000))`) go with it: `flask run` has its own
    options. Walked backwards, a statement is setup when everything it binds is only read by
    the run call or by other setup, or when it is a call on such a name (`parser.add_argument`)."""
    needed: set[str] = set()
    for run in runs:
        needed |= _reads(run)
    setup: set[int] = set()
    for position in reversed(range(len(kept))):
        statement = kept[position]
        bound = _binds(statement)
        if (bound and bound <= needed) or (not bound and _calls_a_method_of(statement, needed)):
            setup.add(position)
            needed |= _reads(statement)
    return tuple(s for position, s in enumerate(kept) if position not in setup)


class _Names(cst.CSTVisitor):
    """Names a piece of code reads or binds (not attribute names or keyword argument names)."""

    def __init__(self) -> None:
        self.read: set[str] = set()
        self.bound: set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        self.bound |= {n.value for n in find_nodes(node.target, m.Name())}  # type: ignore[attr-defined]
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.read.add(node.value)


def _reads(node: cst.CSTNode) -> set[str]:
    names = _Names()
    node.visit(names)
    return names.read


def _binds(statement: cst.BaseStatement) -> set[str]:
    if not m.matches(statement, m.SimpleStatementLine(body=[m.Assign()])):
        return set()
    names = _Names()
    statement.visit(names)
    return names.bound


def _calls_a_method_of(statement: cst.BaseStatement, names: set[str]) -> bool:
    return m.matches(
        statement,
        m.SimpleStatementLine(
            body=[
                m.Expr(
                    m.Call(
                        func=m.Attribute(value=m.Name(m.MatchIfTrue(lambda name: name in names)))
                    )
                )
            ]
        ),
    )


def _is_main_guard(statement: cst.If) -> bool:
    comparison = statement.test
    if not m.matches(
        comparison,
        m.Comparison(
            left=m.Name("__name__"), comparisons=[m.ComparisonTarget(m.Equal(), m.SimpleString())]
        ),
    ):
        return False
    assert isinstance(comparison, cst.Comparison)
    target = comparison.comparisons[0].comparator
    return isinstance(target, cst.SimpleString) and target.evaluated_value == "__main__"


def _replace_main_block(
    context: Context, tree: cst.Module, main: MainBlock, new_path: str
) -> cst.Module:
    """`app.run(...)` becomes a `flask run` hint; anything else it ran, a CLI command."""
    model = context.model
    package = context.project.module_name(model.app_path)
    script = PurePosixPath(model.app_path).name
    hint = _flask_run_hint(package, list(main.run_args), context)
    context.note(f"`python {script}` is gone: run `{hint}` instead", model.app_path, main.line)
    if not main.kept:
        return tree
    command = _command_name(list(main.kept))
    has_cli = context.has("app_cli")
    function = _command_function(model.app_name, command, script, main.kept, has_cli)
    if has_cli:
        context.note(
            "the `__main__` block's other statements are now "
            f"`{flask_command(context.flask, package, command)}`",
            model.app_path,
            main.line,
        )
    else:  # Flask 0.10 has no `flask` command line
        name = f"{command.replace('-', '_')}_command"
        context.warn(
            f"the `__main__` block's other statements are now the function `{name}()`; "
            f"Flask {context.flask.version[0]}.{context.flask.version[1]} has no `flask` command "
            f"line: run `python -c 'from {package} import {name}; {name}()'` where you ran them",
            model.app_path,
            main.line,
        )
    body = [*tree.body, function.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])]
    return tree.with_changes(body=body)


def _command_function(
    app: str, command: str, script: str, kept: tuple[cst.BaseStatement, ...], has_cli: bool
) -> cst.BaseStatement:
    doc = f'"""What `python {script}` used to run before starting the server."""'
    decorator = f'@{{app}}.cli.command("{command}")\n' if has_cli else ""
    names: dict[str, cst.CSTNode] = {"name": cst.Name(f"{command.replace('-', '_')}_command")}
    if has_cli:
        names["app"] = cst.Name(app)
    (function,) = template(f"{decorator}def {{name}}():\n    {doc}\n    pass\n", **names)
    assert isinstance(function, cst.FunctionDef)
    inner = cst.ensure_type(function.body, cst.IndentedBlock)
    return function.with_changes(body=inner.with_changes(body=[inner.body[0], *kept]))


def _app_run_call(statement: cst.BaseStatement, app: str) -> cst.Call | None:
    """`app.run(...)`, or a server wrapper's `socketio.run(app, ...)`: what `flask run` does.
    The returned call's arguments are the server options (the app itself dropped)."""
    if m.matches(
        statement,
        m.SimpleStatementLine(
            body=[m.Expr(m.Call(func=m.Attribute(value=m.Name(app), attr=m.Name("run"))))]
        ),
    ):
        line = cst.ensure_type(statement, cst.SimpleStatementLine)
        return cst.ensure_type(cst.ensure_type(line.body[0], cst.Expr).value, cst.Call)
    if m.matches(
        statement,
        m.SimpleStatementLine(
            body=[
                m.Expr(
                    m.Call(
                        func=m.Attribute(value=m.Name(), attr=m.Name("run")),
                        args=[m.Arg(value=m.Name(app), keyword=None), m.ZeroOrMore()],
                    )
                )
            ]
        ),
    ):
        line = cst.ensure_type(statement, cst.SimpleStatementLine)
        call = cst.ensure_type(cst.ensure_type(line.body[0], cst.Expr).value, cst.Call)
        return call.with_changes(args=call.args[1:])
    return None


def _flask_run_hint(package: str, run_args: list[str], context: Context) -> str:
    debug = False
    extra = []
    for arg in run_args:
        key, _, value = arg.partition("=")
        key, value = key.strip(), value.strip()
        if key == "debug" and value == "True":
            debug = True
        elif key in ("host", "port") and _literal(value):
            extra.append(f"--{key} {value.strip(chr(39) + chr(34))}")
    return flask_command(context.flask, package, " ".join(["run", *extra]), debug=debug)


def _literal(code: str) -> bool:
    """A value the hint can repeat (`8000`, `"0.0.0.0"`); `args.port` means `flask run`'s own
    `--port` option, which the user already passes."""
    return bool(re.fullmatch(r"\d+|'[^']*'|\"[^\"]*\"", code))


def _command_name(statements: list[cst.BaseStatement]) -> str:
    """Name the command after the single call it makes (`init_db()` → `init-db`)."""
    calls = [
        cst.ensure_type(node, cst.Call)
        for statement in statements
        for node in find_nodes(statement, m.Call(func=m.Name() | m.Attribute()))
    ]
    for call in calls:
        func = call.func
        if not isinstance(func, cst.Name | cst.Attribute):
            continue  # the matcher took only these
        name = func.value if isinstance(func, cst.Name) else func.attr.value
        if name not in ("app_context", "print", "run"):
            return re.sub(r"_+", "-", name).strip("-") or "prepare"
    return "prepare"
