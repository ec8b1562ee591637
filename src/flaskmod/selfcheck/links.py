"""Does the migrated project link? Undefined names, imports of names that are gone, and
module-level names that became local to `create_app`.

Undefined names are pyflakes' (a well-kept checker of exactly this rule); imports between the
project's own modules are resolved with flaskmod's name index, which knows the project layout
(import roots, relative imports, submodules) that pyflakes does not see across files.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import libcst as cst
from pyflakes import messages
from pyflakes.checker import Checker

from flaskmod.conventions import FACTORY
from flaskmod.errors import Location
from flaskmod.names import (
    ModuleIndex,
    absolute_module,
    code_nodes,
    small_statements,
    star_sources,
)
from flaskmod.project import Project
from flaskmod.selfcheck.base import Violation, Workspace

RULE = "links"


@contextmanager
def _deep(limit: int) -> Iterator[None]:
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


# ------------------------------------------------------------------------ compiles
def syntax_errors(workspace: Workspace) -> Iterator[Violation]:
    """Every module the migration wrote compiles (unless its original did not either)."""
    for path in sorted(workspace.changed):
        parsed = workspace.python_ast(path)
        error = parsed if isinstance(parsed, SyntaxError) else _compile_error(parsed, path)
        if error is None:
            continue
        before = workspace.before(path)
        if before is not None and _compile_error(before, path) is not None:
            continue
        message = f"the migrated module does not compile: {error.msg}"
        yield workspace.violation(RULE, path, error.lineno, message)


def _compile_error(source: str | ast.Module, path: str) -> SyntaxError | None:
    """What compiling the module raises (for a parsed tree: what only the compiler sees, such
    as a repeated argument)."""
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as error:
        return error
    except (RecursionError, MemoryError, ValueError):
        return None  # too deep for the compiler here; not a verdict on the code
    return None


# ------------------------------------------------------------------------ undefined
def undefined_names(workspace: Workspace) -> Iterator[Violation]:
    """Names a changed module reads that nothing binds (and that were bound before)."""
    for path in sorted(workspace.changed):
        found = _undefined(workspace.python_ast(path), path)
        if not found:
            continue
        before = workspace.before(path)
        known = {name for name, _ in _undefined(_parse(before), path)} if before else set()
        for name, line in found:
            if name not in known:
                message = f"`{name}` is not defined here after the migration"
                yield workspace.violation(RULE, path, line, message)


def _parse(text: str) -> ast.Module | SyntaxError:
    """An original module's parse, read only where its result has undefined names."""
    try:
        return ast.parse(text)
    except SyntaxError as error:
        return error


def _undefined(tree: ast.Module | SyntaxError, path: str) -> list[tuple[str, int]]:
    if isinstance(tree, SyntaxError):
        return []  # reported by `syntax_errors`, or it was there before
    with _deep(20_000):  # pyflakes recurses per operand: `a + b + ... ` of hundreds nests deep
        checker = Checker(tree, path)
    return [
        (str(message.message_args[0]), message.lineno)
        for message in checker.messages
        if isinstance(message, messages.UndefinedName)
    ]


# ------------------------------------------------------------------------- imports
def broken_imports(workspace: Workspace) -> Iterator[Violation]:
    """`from X import Y` / `import X.Y` of a project module that the migration broke, in every
    module whose imports may have broken (see `_may_import_a_change`), changed or not."""
    final, original = workspace.final, workspace.original
    modules = workspace.modules(final)
    for path in final.python_paths():
        if not _may_import_a_change(workspace, path):
            continue
        for node, module, names in _imports(final, path):
            if module not in modules and module not in workspace.modules(original):
                if _new_missing_submodule(workspace, path, module):
                    line = final.index(path).line(node)
                    gone = f"imports from `{module}`, a module the project does not have"
                    yield workspace.violation(RULE, path, line, gone)
                continue  # otherwise not the project's: a library
            for name in names:
                reason = _missing(workspace, module, name)
                if reason and not _missing_in(workspace, original, module, name):
                    line = final.index(path).line(node)
                    yield workspace.violation(RULE, path, line, reason)


#: a relative import: what it names depends on where the module is, not on its text
_RELATIVE = re.compile(r"\bfrom\s+\.")


def _may_import_a_change(workspace: Workspace, path: str) -> bool:
    """Whether a module's imports may have broken: it changed or moved, it names a module whose
    names may have changed, or it imports relatively (`from . import x` names no module)."""
    if path in workspace.changed or path in workspace.relocated:
        return True
    text = workspace.final.text(path)
    return any(word in text for word in _changed_words(workspace)) or bool(_RELATIVE.search(text))


def _new_missing_submodule(workspace: Workspace, path: str, module: str) -> bool:
    """`from pkg.helpers import x` where `pkg` is the project's package but `pkg.helpers` is no
    module of it (a relative import that now means another folder), in an import the original
    file did not have."""
    parent = module.rpartition(".")[0]
    if not parent or parent not in workspace.modules(workspace.final):
        return False
    if path not in workspace.changed and path not in workspace.relocated:
        return False
    source = workspace.final.source_of(path)
    if source not in workspace.original.files:
        return True
    return all(module != m for _, m, _ in _imports(workspace.original, source))


def shadowed_modules(workspace: Workspace) -> Iterator[Violation]:
    """`x.py` beside a new package `x/`: Python imports the package, the module is dead code."""
    final, original = workspace.final, workspace.original
    for path in sorted(final.files):
        if not path.endswith("/__init__.py"):
            continue
        module = path.removesuffix("/__init__.py") + ".py"
        if module in final.files and not (module in original.files and path in original.files):
            reason = f"{module} can no longer be imported: the package {path} shadows it"
            yield Violation(RULE, Location(module), reason, workspace.author(path))


def new_locals(workspace: Workspace) -> Iterator[Violation]:
    """`module.name` reads (after `import module`) of names the migration made local."""
    final = workspace.final
    modules = workspace.modules(final)
    for path in sorted(workspace.changed | workspace.relocated | _readers(workspace)):
        aliases = {
            name: imported.module
            for name, imported in workspace.imports(final, path).items()
            if imported.original is None and imported.module in modules
        }
        if not aliases:
            continue
        for position, node in workspace.sightings(final, path):
            if not isinstance(node, cst.Attribute) or not isinstance(node.value, cst.Name):
                continue
            base = node.value.value
            if base not in aliases:
                continue
            reason = _missing(workspace, aliases[base], node.attr.value)
            if reason and not _missing_in(
                workspace, workspace.original, aliases[base], node.attr.value
            ):
                line = final.index(path).line(node, position)
                yield workspace.violation("new-local", path, line, reason)


def _readers(workspace: Workspace) -> set[str]:
    """Modules that may read a changed module through `import module`: those naming one, or the
    app's top package (a package `__init__` may re-export the app with `from .core import *`)."""
    module = workspace.final.module_name(workspace.final.source_of(workspace.model.app_path))
    words = _changed_words(workspace) | {module.split(".")[0]}
    final = workspace.final
    return {p for p in final.python_paths() if any(word in final.text(p) for word in words)}


def _changed_words(workspace: Workspace) -> frozenset[str]:
    """Last name parts of the modules whose names may have changed: the import prefilter."""
    return workspace.shared(
        "changed words",
        lambda: frozenset(
            word
            for word in (name.rsplit(".", 1)[-1] for name in _changed_modules(workspace))
            if word
        ),
    )


def _changed_modules(workspace: Workspace) -> set[str]:
    """Modules created, changed, moved (both names) or removed, and every module that
    re-exports one of them with `from X import *` (its names changed with theirs)."""
    final, original = workspace.final, workspace.original
    moved = workspace.relocated
    names = {final.module_name(path) for path in workspace.changed | moved}
    names |= {original.module_name(final.source_of(path)) for path in moved}
    kept = {final.source_of(path) for path in final.files}
    names |= {original.module_name(p) for p in original.python_paths() if p not in kept}
    return names | _star_importers(final, names)


def _star_importers(project: Project, modules: set[str]) -> set[str]:
    """Modules that re-export one of `modules` with `from X import *`, directly or through
    another such module."""
    stars = {
        project.module_name(path): star_sources(project.index(path))
        for path in project.python_paths()
        if "import *" in project.text(path)
    }
    found: set[str] = set()
    grown = True
    while grown:
        grown = False
        for module, sources in stars.items():
            if module not in found and (modules | found).intersection(sources):
                found.add(module)
                grown = True
    return found


def _imports(project: Project, path: str) -> Iterator[tuple[cst.CSTNode, str, list[str]]]:
    """(node, absolute module, names imported from it) for every import in the module."""
    module, package = project.module_name(path), path.endswith("__init__.py")
    for node in import_nodes(project, path):
        if isinstance(node, cst.ImportFrom):
            if isinstance(node.names, cst.ImportStar):
                continue
            base = absolute_module(node, module, package)
            yield node, base, [alias.evaluated_name for alias in node.names]
        elif isinstance(node, cst.Import):
            for alias in node.names:
                parent, _, last = alias.evaluated_name.rpartition(".")
                if parent:
                    yield node, parent, [last]


def import_nodes(project: Project, path: str) -> Iterator[cst.Import | cst.ImportFrom]:
    """Every import statement of a module, at any depth (`create_app` imports its blueprints
    inside its body); only statements are walked, never expressions."""
    if "import" not in project.text(path):
        return
    for statement in small_statements(project.module(path)):
        if isinstance(statement, cst.Import | cst.ImportFrom):
            yield statement


def _missing(workspace: Workspace, module: str, name: str) -> str | None:
    """Why `from module import name` fails in the result, or None when it works."""
    return _missing_in(workspace, workspace.final, module, name, explain=True)


def _missing_in(
    workspace: Workspace,
    project: Project,
    module: str,
    name: str,
    explain: bool = False,
    seen: frozenset[str] = frozenset(),
) -> str | None:
    modules = workspace.modules(project)
    path = modules.get(module)
    if path is None:
        return f"imports from `{module}`, which no longer exists" if explain else "gone"
    if f"{module}.{name}" in modules:
        return None  # a submodule
    index = project.index(path)
    if name in index.binders or name in index.imports:
        return None
    stars = _star_sources(project, index, modules)
    seen |= {module}
    if stars is None or any(
        not _missing_in(workspace, project, star, name, seen=seen)
        for star in stars
        if star not in seen
    ):
        return None  # names not listable, or re-exported from a project module that has it
    if not explain:
        return "missing"
    if _bound_in_factory(index, name):
        return f"`{name}` became local to {FACTORY}() in {path}, but this module still reads it"
    return f"`{name}` is no longer defined in {path} ({module})"


def _star_sources(
    project: Project, index: ModuleIndex, modules: Mapping[str, str]
) -> list[str] | None:
    """The project modules a module re-exports with `from X import *` (their names count as
    its own), or None when its names cannot be listed statically: `__getattr__`, or a star
    import of a library."""
    text = project.text(index.path)
    if "def __getattr__" in text:
        return None
    if "import *" not in text:
        return []
    sources = star_sources(index)
    return sources if all(source in modules for source in sources) else None


def _bound_in_factory(index: object, name: str) -> bool:
    from flaskmod.names import ModuleIndex

    assert isinstance(index, ModuleIndex)
    for statement in index.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == FACTORY:
            return any(
                isinstance(node, cst.AssignTarget)
                and isinstance(node.target, cst.Name)
                and node.target.value == name
                for node in code_nodes(statement)
            )
    return False
