"""`app.py` → `app/__init__.py`: the single module becomes a package the later codemods fill.

Why first: every later codemod (extensions, blueprints, factory) writes modules beside the app, and
the guidelines' layout puts them in a package. Moving the file in its own step keeps the move a
near-pure rename, so `git log --follow` and blame keep the file's history, and every later codemod
has one input shape: the "package with a global app" layout.

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
from flaskmod.codemod import Codemod, Context, Needs
from flaskmod.errors import FlaskmodError, Location
from flaskmod.knowledge import FLASK_CLASSES
from flaskmod.names import ModuleIndex, qualify
from flaskmod.project import Project
from flaskmod.versions import flask_command

from ._building import template
from ._file_anchor import reanchor
from ._imports import add_import

codemod = Codemod.declare(
    __name__,
    # After config-classes (so `basedir = dirname(__file__)` lands in config.py beside where
    # app.py was) and before every codemod that writes modules beside the app, in its package.
    order=20,
    summary="Turn the single app module into a package (app.py → app/__init__.py), paths unchanged.",
    needs=Needs.MODULE,
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
    where = model.app_dir or "the project folder"
    context.note(
        f"moved from {model.app_path}; templates, static files and app.root_path stay in {where}",
        plan.new_path,
    )
    return context.project.with_changes(
        moves={model.app_path: plan.new_path}, modules={plan.new_path: tree}
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
        body.append(statement)
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


# ---------------------------------------------------------------------- the main block
def _main_block(index: ModuleIndex, app: str) -> MainBlock | None:
    for position, statement in enumerate(index.body):
        if not (isinstance(statement, cst.If) and _is_main_guard(statement)):
            continue
        assert isinstance(statement.body, cst.IndentedBlock)
        run_args: list[str] = []
        kept: list[cst.BaseStatement] = []
        for inner in statement.body.body:
            run = _app_run_call(inner, app)
            if run is None:
                kept.append(inner)
            else:
                run_args += [index.tree.code_for_node(arg).rstrip(", ") for arg in run.args]
        line = index.statement_line(position)
        return MainBlock(position, line, tuple(run_args), tuple(kept))
    return None


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
    package = PurePosixPath(new_path).parent.name
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
    if m.matches(
        statement,
        m.SimpleStatementLine(
            body=[m.Expr(m.Call(func=m.Attribute(value=m.Name(app), attr=m.Name("run"))))]
        ),
    ):
        line = cst.ensure_type(statement, cst.SimpleStatementLine)
        return cst.ensure_type(cst.ensure_type(line.body[0], cst.Expr).value, cst.Call)
    return None


def _flask_run_hint(package: str, run_args: list[str], context: Context) -> str:
    debug = False
    extra = []
    for arg in run_args:
        key, _, value = arg.partition("=")
        key, value = key.strip(), value.strip()
        if key == "debug" and value == "True":
            debug = True
        elif key in ("host", "port") and value:
            extra.append(f"--{key} {value.strip(chr(39) + chr(34))}")
    return flask_command(context.flask, package, " ".join(["run", *extra]), debug=debug)


def _command_name(statements: list[cst.BaseStatement]) -> str:
    """Name the command after the single call it makes (`init_db()` → `init-db`)."""
    calls = [
        cst.ensure_type(node, cst.Call)
        for statement in statements
        for node in m.findall(statement, m.Call(func=m.Name() | m.Attribute()))
    ]
    for call in calls:
        func = call.func
        if not isinstance(func, cst.Name | cst.Attribute):
            continue  # the matcher took only these
        name = func.value if isinstance(func, cst.Name) else func.attr.value
        if name not in ("app_context", "print", "run"):
            return re.sub(r"_+", "-", name).strip("-") or "prepare"
    return "prepare"
