"""Moving top-level statements between modules with exactly the imports they need.

Every codemod that extracts code (config, extensions, views, the factory) asks the same questions of
the module it takes code from: which module-level names does this code read, where is each one
defined, and which imports are left unused once it is gone. `ModuleIndex` answers them from one
scope analysis of the source tree.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TypeVar

import libcst as cst

from flaskmod.names import Imported, ModuleIndex, import_statements
from flaskmod.project import Project, module_name

ImportedName = Imported


def dotted(node: cst.BaseExpression) -> str:
    """`a.b.c` as written in an import."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    raise ValueError(f"not a dotted name: {node}")


# ------------------------------------------------------------------- imports out
@dataclass
class ImportPlan:
    """Import lines for a new module, grouped like isort would: future, stdlib/third party, local."""

    lines: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)

    def add(self, line: str, *, local: bool = False) -> None:
        target = self.local if local else self.lines
        if line not in self.lines and line not in self.local:
            target.append(line)

    def groups(self) -> list[list[str]]:
        """Import lines, merged per module: third-party/stdlib first, then the project's own."""
        return [_merge_from_imports(self.lines), _merge_from_imports(self.local)]

    def render(self) -> str:
        return "\n\n".join("\n".join(group) for group in self.groups() if group)


def _merge_from_imports(lines: Iterable[str]) -> list[str]:
    """`from a import x` + `from a import y` → `from a import x, y`, order of first appearance."""
    merged: dict[str, list[str]] = {}
    order: list[str] = []
    for line in lines:
        if line.startswith("from ") and " import " in line:
            module, names = line[5:].split(" import ", 1)
            key = f"from {module}"
            if key not in merged:
                merged[key] = []
                order.append(key)
            for name in names.split(", "):
                if name not in merged[key]:
                    merged[key].append(name)
        elif line not in order:
            order.append(line)
    return [
        f"{key} import {', '.join(sorted(merged[key], key=_isort_key))}" if key in merged else key
        for key in order
    ]


def _isort_key(alias: str) -> tuple[int, str]:
    """isort's default `order_by_type`: CONSTANTS, then Classes, then functions."""
    name = alias.split(" as ")[0]
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return kind, name.lower()


def imports_for(
    index: ModuleIndex,
    names: Iterable[str],
    *,
    local_modules: Collection[str],
    source_module: str | None = None,
) -> tuple[ImportPlan, list[str]]:
    """Imports that give a new module `names` as the source module sees them.

    Names the source module imports are imported from the same place (made absolute); names it
    defines itself are imported from it (`source_module`). Returns the plan and names it could not
    place (none when `source_module` is given).
    """
    plan = ImportPlan()
    missing: list[str] = []
    for name in sorted(names, key=lambda n: _first_binding(index, n)):
        imported = index.imports.get(name)
        if imported is not None:
            top = imported.module.split(".")[0]
            plan.add(imported.statement(), local=top in local_modules or imported.module == "")
        elif name in index.binders and source_module is not None:
            plan.add(f"from {source_module} import {name}", local=True)
        else:
            missing.append(name)
    return plan, missing


def _first_binding(index: ModuleIndex, name: str) -> tuple[int, str]:
    binders = index.binders.get(name)
    return (min(binders) if binders else -1, name)


def local_top_modules(project: Project) -> set[str]:
    """Top-level import names that belong to the project itself."""
    tops = set()
    for path in project.python_paths():
        first = PurePosixPath(path).parts[0]
        tops.add(first[:-3] if first.endswith(".py") else first)
    return tops


# ------------------------------------------------------------- imports pruned
class _PruneImports(cst.CSTTransformer):
    def __init__(self, names: Collection[str]) -> None:
        self.names = set(names)

    def drops(self, node: cst.Import | cst.ImportFrom) -> bool:
        """Whether the import binds a name to drop (only those are rebuilt: a statement left
        as it was keeps its cached facts and code)."""
        if isinstance(node.names, cst.ImportStar):
            return False
        if isinstance(node, cst.Import):
            bound = [a.evaluated_alias or a.evaluated_name.split(".")[0] for a in node.names]
        else:
            bound = [a.evaluated_alias or a.evaluated_name for a in node.names]
        return not self.names.isdisjoint(bound)

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> cst.Import | cst.RemovalSentinel:
        keep = [
            alias
            for alias in updated_node.names
            if (alias.evaluated_alias or alias.evaluated_name.split(".")[0]) not in self.names
        ]
        return _with_names(updated_node, keep)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        if isinstance(updated_node.names, cst.ImportStar):
            return updated_node
        keep = [
            alias
            for alias in updated_node.names
            if (alias.evaluated_alias or alias.evaluated_name) not in self.names
        ]
        return _with_names(updated_node, keep)


ImportNode = TypeVar("ImportNode", cst.Import, cst.ImportFrom)


def _with_names(node: ImportNode, keep: list[cst.ImportAlias]) -> ImportNode | cst.RemovalSentinel:
    if not keep:
        return cst.RemoveFromParent()
    names = node.names
    if not isinstance(names, cst.ImportStar) and len(keep) == len(names):
        return node
    return node.with_changes(names=kept_names(node, keep))


def kept_names(
    node: cst.Import | cst.ImportFrom, keep: list[cst.ImportAlias]
) -> list[cst.ImportAlias]:
    """The names that stay, punctuated to parse: inside parentheses the last one keeps the
    original last name's comma (a trailing comma before a newline is valid there, and the
    newline is in that comma); without them, the last one has none."""
    names = node.names
    assert not isinstance(names, cst.ImportStar)
    parenthesized = isinstance(node, cst.ImportFrom) and node.lpar is not None
    last = names[-1].comma if parenthesized else cst.MaybeSentinel.DEFAULT
    return [*keep[:-1], keep[-1].with_changes(comma=last)]


def prune_imports(tree: cst.Module, names: Collection[str]) -> cst.Module:
    """Drop the given module-level names from the module's top-level imports.

    Only statements at module level (and in top-level `if`/`try` blocks) bind module-level
    names; an import inside a function binds a local of the same name and is left alone.
    """
    if not names:
        return tree
    pruner = _PruneImports(names)
    body = [_pruned(statement, pruner) for statement in tree.body]
    return tree.with_changes(body=[statement for statement in body if statement is not None])


def _pruned(statement: cst.BaseStatement, pruner: _PruneImports) -> cst.BaseStatement | None:
    if not isinstance(statement, cst.SimpleStatementLine | cst.If | cst.Try):
        return statement
    if not any(pruner.drops(node) for node in import_statements(statement)):
        return statement
    if isinstance(statement, cst.SimpleStatementLine):
        line = statement.visit(pruner)
        return line if isinstance(line, cst.SimpleStatementLine) and line.body else None
    block = statement.visit(pruner)
    return block if isinstance(block, cst.BaseStatement) else None


def unused_after_move(index: ModuleIndex, moved: Collection[int]) -> set[str]:
    """Imported names whose every read was inside the moved statements."""
    return {
        name
        for name in index.imports
        if index.only_read_within(name, moved)
        and not (set(index.binders.get(name, [])) & set(moved))
    }


def parse_statements(code: str) -> list[cst.BaseStatement]:
    return list(cst.parse_module(code).body)


def imported_names(project: Project, module: str, exclude: str) -> set[str]:
    """Names other project modules import from `module` by name."""
    names: set[str] = set()
    for path in project.python_paths():
        if path == exclude or module not in project.text(path):
            continue
        for node in import_statements(project.module(path)):
            if (
                isinstance(node, cst.ImportFrom)
                and node.module is not None
                and not node.relative
                and dotted(node.module) == module
                and not isinstance(node.names, cst.ImportStar)
            ):
                names |= {alias.evaluated_name for alias in node.names}
    return names


# ----------------------------------------------------------- imports redirected
def imported_as(node: cst.CSTNode, package: str, importer: str, name: str) -> str | None:
    """The local name under which `from <package> import name` (absolute or relative) binds it."""
    if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
        return None
    if node.relative:
        here = module_name(importer).split(".")
        if PurePosixPath(importer).name != "__init__.py":
            here = here[:-1]
        base = here[: len(here) - (len(node.relative) - 1)] if len(node.relative) > 1 else here
        target = ".".join([*base, dotted(node.module)] if node.module else base)
    else:
        target = dotted(node.module) if node.module else ""
    if target != package:
        return None
    for alias in node.names:
        if alias.evaluated_name == name:
            return alias.evaluated_alias or name
    return None


def redirect_imports(
    project: Project,
    old_module: str,
    destinations: Mapping[str, str],
    *,
    skip: Collection[str] = (),
    edited: Mapping[str, cst.Module] | None = None,
) -> dict[str, cst.Module]:
    """`from old import name` elsewhere → `from <destination> import name` for moved names.

    Importing a moved name from its new home (rather than through a re-export) is what keeps
    `models.py` doing `from app import db` from becoming a circular import. One pass over the
    project for all destinations; files that never import from `old_module` are not parsed.
    """
    changed: dict[str, cst.Module] = {}
    if not destinations:
        return changed
    importer = re.compile(rf"\bfrom\s+{re.escape(old_module)}\s+import\b")
    for path in project.python_paths():
        if path in skip or not importer.search(project.text(path)):
            continue
        tree = (edited or {}).get(path) or project.module(path)
        splitter = _SplitImport(old_module, destinations)
        new = tree.visit(splitter)
        if splitter.changed:
            changed[path] = new
    return changed


class _SplitImport(cst.CSTTransformer):
    def __init__(self, old_module: str, destinations: Mapping[str, str]) -> None:
        self.old_module = old_module
        self.destinations = destinations
        self.changed = False

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine]:
        if len(updated_node.body) != 1 or not isinstance(updated_node.body[0], cst.ImportFrom):
            return updated_node
        node = updated_node.body[0]
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return updated_node
        if dotted(node.module) != self.old_module:
            return updated_node
        stay = [a for a in node.names if a.evaluated_name not in self.destinations]
        going: dict[str, list[cst.ImportAlias]] = {}
        for alias in node.names:
            if alias.evaluated_name in self.destinations:
                going.setdefault(self.destinations[alias.evaluated_name], []).append(alias)
        if not going:
            return updated_node
        self.changed = True
        lines: list[cst.SimpleStatementLine] = []
        if stay:
            lines.append(
                updated_node.with_changes(body=[node.with_changes(names=kept_names(node, stay))])
            )
        for destination, aliases in going.items():
            aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            module = cst.parse_expression(destination)
            assert isinstance(module, cst.Attribute | cst.Name)
            line = updated_node.with_changes(body=[cst.ImportFrom(module=module, names=aliases)])
            lines.append(line if not lines else line.with_changes(leading_lines=[]))
        return lines[0] if len(lines) == 1 else cst.FlattenSentinel(lines)
