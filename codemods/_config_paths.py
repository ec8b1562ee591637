"""`app.root_path` and `app.instance_path` as the static folders they are.

Flask computes both from where the app's module lives: `root_path` is the folder of the module
named by the app's import name (`Flask(__name__)` in `app.py`: the folder of `app.py`; in
`pkg/__init__.py`: `pkg/`), unless `root_path=` is given; `instance_path` is `instance/` beside
the top-level package or module of that import name (`Flask.auto_find_instance_path`), unless
`instance_path=` is given. `instance_relative_config` changes neither: it only makes
`from_pyfile` read from the instance folder. So a setting such as
`os.path.join(app.root_path, "flaskr.db")` does not need the app: in `config.py` it is
`os.path.join(os.path.dirname(os.path.abspath(__file__)), "flaskr.db")`, with as many
`os.path.dirname` or folder names as the distance between the two modules needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import libcst as cst
import libcst.matchers as m

from flaskmod.analysis import AppModel
from flaskmod.names import ModuleIndex, spelled
from flaskmod.pruning import visit_pruned

from ._file_anchor import relation

PATH_ATTRIBUTES = ("root_path", "instance_path")
_OS_PATH = m.Attribute(value=m.Name("os"), attr=m.Name("path"))
_SAME_PATH = ("abspath", "realpath", "normpath")


@dataclass(frozen=True)
class AppFolders:
    """Project-relative folders ("" is the project root); None where flaskmod cannot tell."""

    root_path: str | None
    instance_path: str | None

    def known(self) -> tuple[str, ...]:
        return tuple(name for name in PATH_ATTRIBUTES if getattr(self, name) is not None)


def app_folders(index: ModuleIndex, model: AppModel) -> AppFolders:
    """The app's root and instance folders, from the `Flask(...)` call that creates it."""
    call = creation_call(index, model)
    if call is None:
        return AppFolders(None, None)
    args = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
    positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
    name = args.get("import_name", positional[0] if positional else None)
    own_name = name is not None and (
        m.matches(name, m.Name("__name__"))
        or (isinstance(name, cst.SimpleString) and name.evaluated_value == model.import_name)
    )
    root = _folder(index, args["root_path"]) if "root_path" in args else None
    if root is None and "root_path" not in args and own_name:
        root = model.app_dir
    instance = _folder(index, args["instance_path"]) if "instance_path" in args else None
    if instance is None and "instance_path" not in args and own_name:
        instance = "instance"  # beside the top-level package: the project's import root
    return AppFolders(root, instance)


def creation_call(index: ModuleIndex, model: AppModel) -> cst.Call | None:
    """The `Flask(...)` call of `app = Flask(...)`."""
    for position in index.binders.get(model.app_name, []):
        statement = index.body[position]
        if index.statement_line(position) != model.app_line:
            continue
        if m.matches(statement, m.SimpleStatementLine(body=[m.Assign(value=m.Call())])):
            line = cst.ensure_type(statement, cst.SimpleStatementLine)
            return cst.ensure_type(cst.ensure_type(line.body[0], cst.Assign).value, cst.Call)
    return None


def _folder(index: ModuleIndex, node: cst.BaseExpression) -> str | None:
    """A folder expression evaluated statically, project-relative, or None."""
    found = _evaluate(index, node, set())
    if found is None or found[0] != "folder":
        return None
    return found[1]


def _evaluate(
    index: ModuleIndex, node: cst.BaseExpression, seen: set[str]
) -> tuple[str, str] | None:
    """("file", path) for `__file__`, ("folder", path) for a folder; None if not static."""
    if isinstance(node, cst.Name):
        return _evaluate_name(index, node.value, seen)
    if not isinstance(node, cst.Call | cst.Attribute):
        return None
    if isinstance(node, cst.Attribute):  # Path(...).parent
        inner = _evaluate(index, node.value, seen)
        return _parent(inner) if node.attr.value == "parent" else None
    func, args = node.func, [arg.value for arg in node.args]
    if m.matches(func, m.Attribute(value=_OS_PATH)) or m.matches(func, m.Name("Path")):
        assert isinstance(func, cst.Attribute | cst.Name)
        return _call(index, func, args, seen)
    if isinstance(func, cst.Attribute) and func.attr.value in ("resolve", "absolute") and not args:
        return _evaluate(index, func.value, seen)  # Path(...).resolve()
    if m.matches(func, m.Name("str")) and len(args) == 1:
        return _evaluate(index, args[0], seen)
    return None


def _call(
    index: ModuleIndex,
    func: cst.Attribute | cst.Name,
    args: list[cst.BaseExpression],
    seen: set[str],
) -> tuple[str, str] | None:
    name = func.value if isinstance(func, cst.Name) else func.attr.value
    if not args:
        return None
    first = _evaluate(index, args[0], seen)
    if name in (*_SAME_PATH, "Path") and len(args) == 1:
        return first
    if name == "dirname" and len(args) == 1:
        return _parent(first)
    if name == "join" and first is not None and first[0] == "folder":
        values = [arg.evaluated_value for arg in args[1:] if isinstance(arg, cst.SimpleString)]
        parts = [value for value in values if isinstance(value, str)]
        if len(parts) == len(args) - 1:  # every other argument a str literal
            return _normal("folder", PurePosixPath(first[1], *parts))
    return None


def _evaluate_name(index: ModuleIndex, name: str, seen: set[str]) -> tuple[str, str] | None:
    if name == "__file__":
        return ("file", index.path)
    binders = index.binders.get(name, [])
    if name in seen or len(binders) != 1:
        return None
    statement = index.body[binders[0]]
    pattern = m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(m.Name(name))])])
    if not m.matches(statement, pattern):
        return None
    line = cst.ensure_type(statement, cst.SimpleStatementLine)
    return _evaluate(index, cst.ensure_type(line.body[0], cst.Assign).value, seen | {name})


def _parent(found: tuple[str, str] | None) -> tuple[str, str] | None:
    if found is None:
        return None
    return _normal("folder", PurePosixPath(found[1]).parent)


def _normal(kind: str, path: PurePosixPath) -> tuple[str, str] | None:
    """`a/b/../c` → `a/c`; None for a path that leaves the project."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return (kind, "/".join(parts))


# ------------------------------------------------------------------ writing
def folder_expression(folder: str, module_dir: str) -> cst.BaseExpression:
    """`folder` as code in a module of `module_dir`, from that module's own `__file__`."""
    expr: cst.BaseExpression = _os_path("dirname", _os_path("abspath", cst.Name("__file__")))
    up, down = relation(folder, module_dir)
    for _ in range(up):
        expr = _os_path("dirname", expr)
    if down:
        parts = [cst.SimpleString(f'"{part}"') for part in down.split("/")]
        expr = _os_path("join", expr, *parts)
    return expr


def _os_path(function: str, *args: cst.BaseExpression) -> cst.Call:
    func = cst.Attribute(cst.Attribute(cst.Name("os"), cst.Name("path")), cst.Name(function))
    return cst.Call(func, [cst.Arg(arg) for arg in args])


def reads_app_only_for(
    index: ModuleIndex, node: cst.CSTNode, app: str, attributes: Sequence[str]
) -> bool:
    """Whether every use of the global `app` in `node` is `app.<one of attributes>`."""
    finder = _AppUses(index, app, attributes)
    visit_pruned(node, finder, spelled(app))  # an attribute of the app is on a path to it
    return finder.names > 0 and finder.names == finder.paths and not finder.local


class _AppUses(cst.CSTVisitor):
    def __init__(self, index: ModuleIndex, app: str, attributes: Sequence[str]) -> None:
        self.index, self.app, self.attributes = index, app, attributes
        self.names = self.paths = 0
        self.local = False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if m.matches(node.value, m.Name(self.app)) and node.attr.value in self.attributes:
            self.paths += 1

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.app:
            self.names += 1
            self.local |= self.index.access_names.get(node) != self.app


class StaticPaths(cst.CSTTransformer):
    """`app.root_path` / `app.instance_path` → the folder expressions given; an
    `os.path.join(app.instance_path, "x")` joins onto the folder's own parts."""

    def __init__(self, app: str, folders: dict[str, cst.BaseExpression]) -> None:
        self.app = app
        self.folders = folders

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if m.matches(updated_node.value, m.Name(self.app)):
            return self.folders.get(updated_node.attr.value, updated_node)
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        join = m.Attribute(value=_OS_PATH, attr=m.Name("join"))
        if not (m.matches(updated_node.func, join) and updated_node.args):
            return updated_node
        first = updated_node.args[0].value
        if not any(first is folder for folder in self.folders.values()):
            return updated_node
        if not (isinstance(first, cst.Call) and m.matches(first.func, join)):
            return updated_node
        inner = [*first.args[:-1], first.args[-1].with_changes(comma=updated_node.args[0].comma)]
        return updated_node.with_changes(args=[*inner, *updated_node.args[1:]])


def module_folder(path: str) -> str:
    folder = PurePosixPath(path).parent.as_posix()
    return "" if folder == "." else folder


__all__ = [
    "AppFolders",
    "StaticPaths",
    "app_folders",
    "creation_call",
    "folder_expression",
    "module_folder",
    "reads_app_only_for",
]
