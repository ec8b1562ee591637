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
from pathlib import PurePosixPath

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel, Layout
from flaskmod.errors import Finding, FlaskmodError, Location, Severity
from flaskmod.knowledge import FLASK_CLASSES
from flaskmod.pipeline import Options, Outcome
from flaskmod.project import Project
from flaskmod.versions import flask_command

from ._file_anchor import reanchor
from ._imports import add_import
from ._moving import ModuleIndex

ORDER = 20
SUMMARY = "Turn the single app module into a package (app.py → app/__init__.py), paths unchanged."

# Module names that would clash with files the migration writes or with common tooling.
RESERVED_NAMES = frozenset(
    {"wsgi", "config", "extensions", "models", "forms", "tests", "test", "conftest", "setup"}
)
FALLBACK_NAME = "app"

ROOT_PATH = "os.path.dirname(os.path.dirname(os.path.abspath(__file__)))"

_MAIN_GUARD = m.If(
    test=m.Comparison(
        left=m.Name("__name__"),
        comparisons=[m.ComparisonTarget(m.Equal(), m.SimpleString())],
    )
)


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


def transform(project: Project, model: AppModel, options: Options) -> Outcome:
    if model.layout is not Layout.MODULE:
        return Outcome(project)
    name = package_name(model, project)
    new_path = f"{model.app_dir}/{name}/__init__.py" if model.app_dir else f"{name}/__init__.py"
    new_dir = PurePosixPath(new_path).parent.as_posix()
    index = project.index(model.app_path)
    findings: list[Finding] = []

    body: list[cst.BaseStatement] = []
    main_block: cst.If | None = None
    for statement in index.body:
        if m.matches(statement, _MAIN_GUARD) and _is_main_guard(statement):
            main_block = statement  # type: ignore[assignment]
            continue
        body.append(statement)
    tree = index.tree.with_changes(body=body)

    tree, unhandled = reanchor(tree, model.app_dir, new_dir)
    if unhandled:
        findings.append(
            Finding(
                Location(model.app_path),
                f"{unhandled} use(s) of __file__ flaskmod could not re-anchor; the module now lives "
                f"in {new_dir}/",
            )
        )
    tree = tree.visit(_RootPath(index, model.app_name))
    tree = add_import(tree, "os")

    if main_block is not None:
        tree, main_findings = _replace_main_block(tree, main_block, index, model, new_path, options)
        findings += main_findings
    findings.append(
        Finding(
            Location(new_path),
            f"moved from {model.app_path}; templates, static files and app.root_path stay in "
            f"{model.app_dir or 'the project folder'}",
            Severity.NOTE,
        )
    )
    new_project = project.with_changes(moves={model.app_path: new_path}, modules={new_path: tree})
    return Outcome(new_project, tuple(findings))


def _is_main_guard(statement: cst.If) -> bool:
    comparison = statement.test
    assert isinstance(comparison, cst.Comparison)
    target = comparison.comparisons[0].comparator
    return isinstance(target, cst.SimpleString) and target.evaluated_value == "__main__"


class _RootPath(cst.CSTTransformer):
    """`Flask(__name__, ...)` gains `root_path=` so resources resolve where they always did."""

    def __init__(self, index: ModuleIndex, app_name: str) -> None:
        self.index = index
        self.app_name = app_name

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        if not m.matches(
            updated_node, m.Assign(targets=[m.AssignTarget(m.Name(self.app_name))], value=m.Call())
        ):
            return updated_node
        call = updated_node.value
        assert isinstance(call, cst.Call)
        if not _is_flask(self.index, call):
            return updated_node
        if any(arg.keyword and arg.keyword.value == "root_path" for arg in call.args):
            return updated_node
        args = list(call.args)
        if args:
            args[-1] = args[-1].with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
        args.append(
            cst.Arg(
                keyword=cst.Name("root_path"),
                value=cst.parse_expression(ROOT_PATH),
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                ),
            )
        )
        return updated_node.with_changes(value=call.with_changes(args=args))


def _is_flask(index: ModuleIndex, call: cst.Call) -> bool:
    func = call.func
    name = func.value if isinstance(func, cst.Name) else None
    if name is not None and name in index.imports:
        imported = index.imports[name]
        return f"{imported.module}.{imported.original}" in FLASK_CLASSES
    return m.matches(func, m.Attribute(value=m.Name("flask"), attr=m.Name("Flask")))


def _replace_main_block(
    tree: cst.Module,
    block: cst.If,
    index: ModuleIndex,
    model: AppModel,
    new_path: str,
    options: Options,
) -> tuple[cst.Module, list[Finding]]:
    findings: list[Finding] = []
    line = index.line(block)
    kept: list[cst.BaseStatement] = []
    run_args: list[str] = []
    assert isinstance(block.body, cst.IndentedBlock)
    for statement in block.body.body:
        run = _app_run_call(statement, model.app_name)
        if run is None:
            kept.append(statement)
            continue
        for arg in run.args:
            run_args.append(index.tree.code_for_node(arg).rstrip(", "))
    package = PurePosixPath(new_path).parent.name
    hint = _flask_run_hint(package, run_args, options)
    findings.append(
        Finding(
            Location(model.app_path, line),
            f"`python {PurePosixPath(model.app_path).name}` is gone: run `{hint}` instead",
            Severity.NOTE,
        )
    )
    if not kept:
        return tree, findings
    command = _command_name(kept)
    code = cst.Module(body=kept).code
    function = cst.parse_statement(
        f'@{model.app_name}.cli.command("{command}")\n'
        f"def {command.replace('-', '_')}_command():\n"
        f'    """What `python {PurePosixPath(model.app_path).name}` used to run before starting '
        'the server."""\n'
        + "".join(f"    {ln}\n" if ln.strip() else "\n" for ln in code.splitlines())
    )
    findings.append(
        Finding(
            Location(model.app_path, line),
            "the `__main__` block's other statements are now "
            f"`{flask_command(options.flask, package, command)}`",
            Severity.NOTE,
        )
    )
    body = [*tree.body, function.with_changes(leading_lines=[cst.EmptyLine(), cst.EmptyLine()])]
    return tree.with_changes(body=body), findings


def _app_run_call(statement: cst.BaseStatement, app: str) -> cst.Call | None:
    if m.matches(
        statement,
        m.SimpleStatementLine(
            body=[m.Expr(m.Call(func=m.Attribute(value=m.Name(app), attr=m.Name("run"))))]
        ),
    ):
        return statement.body[0].value  # type: ignore[attr-defined, no-any-return]
    return None


def _flask_run_hint(package: str, run_args: list[str], options: Options) -> str:
    debug = False
    extra = []
    for arg in run_args:
        key, _, value = arg.partition("=")
        key, value = key.strip(), value.strip()
        if key == "debug" and value == "True":
            debug = True
        elif key in ("host", "port") and value:
            extra.append(f"--{key} {value.strip(chr(39) + chr(34))}")
    return flask_command(options.flask, package, " ".join(["run", *extra]), debug=debug)


def _command_name(statements: list[cst.BaseStatement]) -> str:
    """Name the command after the single call it makes (`init_db()` → `init-db`)."""
    calls = [
        node
        for statement in statements
        for node in m.findall(statement, m.Call(func=m.Name() | m.Attribute()))
    ]
    for call in calls:
        func = call.func  # type: ignore[attr-defined]
        name = func.value if isinstance(func, cst.Name) else func.attr.value
        if name not in ("app_context", "print", "run"):
            return re.sub(r"_+", "-", name).strip("-") or "prepare"
    return "prepare"
