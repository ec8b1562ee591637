"""Adding imports to an existing module without string edits on its source.

A new name goes into an existing `from module import ...` when there is one (as isort would merge
it), otherwise a new statement goes after the module's leading imports.
"""

from __future__ import annotations

from typing import TypeGuard

import libcst as cst

from flaskmod.codegen import code_of


def _is_import_line(statement: cst.BaseStatement) -> TypeGuard[cst.SimpleStatementLine]:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
    )


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _after_leading_imports(tree: cst.Module) -> int:
    """Index just past the last import of the module's header (docstring, imports)."""
    position = 0
    for index, statement in enumerate(tree.body):
        if _is_import_line(statement):
            position = index + 1
        elif index == 0 and _is_docstring(statement):
            position = 1
        else:
            break
    return position


def _module_of(node: cst.ImportFrom) -> str:
    """The module as written, leading dots included (`.extensions`)."""
    dots = "." * len(node.relative)
    return dots + (code_of(node.module) if node.module is not None else "")


def has_import(tree: cst.Module, module: str, name: str | None = None) -> bool:
    for statement in tree.body:
        if not _is_import_line(statement):
            continue
        for small in statement.body:
            if name is None and isinstance(small, cst.Import):
                if any(
                    alias.evaluated_name == module and alias.asname is None for alias in small.names
                ):
                    return True
            elif (
                name is not None
                and isinstance(small, cst.ImportFrom)
                and _module_of(small) == module
                and not isinstance(small.names, cst.ImportStar)
                and any(
                    alias.evaluated_name == name and alias.asname is None for alias in small.names
                )
            ):
                return True
    return False


def add_import(tree: cst.Module, module: str, name: str | None = None) -> cst.Module:
    """`import module` or `from module import name`, unless the module already has it."""
    if has_import(tree, module, name):
        return tree
    body: list[cst.BaseStatement] = list(tree.body)
    if name is not None:
        for index, statement in enumerate(body):
            if not _is_import_line(statement) or len(statement.body) != 1:
                continue
            small = statement.body[0]
            if (
                isinstance(small, cst.ImportFrom)
                and _module_of(small) == module
                and not isinstance(small.names, cst.ImportStar)
            ):
                names = _appended(small, name)
                body[index] = statement.with_changes(body=[small.with_changes(names=names)])
                return tree.with_changes(body=body)
    line = f"from {module} import {name}" if name else f"import {module}"
    new = cst.parse_statement(line + "\n")
    position = _after_leading_imports(tree)
    body.insert(position, new)
    return tree.with_changes(body=body)


def _appended(node: cst.ImportFrom, name: str) -> list[cst.ImportAlias]:
    """The import's names and `name` after them, laid out like the others: in parentheses over
    several lines, on a line of its own (the trailing comma, if any, stays last); else `, name`."""
    assert not isinstance(node.names, cst.ImportStar)
    names = list(node.names)
    last = names[-1]
    opening = node.lpar.whitespace_after if node.lpar is not None else None
    if not isinstance(opening, cst.ParenthesizedWhitespace):
        names[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        return [*names, cst.ImportAlias(name=cst.Name(name))]
    after = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else None
    if isinstance(after, cst.ParenthesizedWhitespace):  # `    last,  # comment` then `)`
        between = after.with_changes(indent=opening.indent, last_line=opening.last_line)
        names[-1] = last.with_changes(
            comma=cst.ensure_type(last.comma, cst.Comma).with_changes(whitespace_after=between)
        )
        closing = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=())
        return [*names, cst.ImportAlias(cst.Name(name), comma=cst.Comma(whitespace_after=closing))]
    names[-1] = last.with_changes(comma=cst.Comma(whitespace_after=opening))
    return [*names, cst.ImportAlias(name=cst.Name(name))]


def add_statements_after_imports(
    tree: cst.Module, statements: list[cst.BaseStatement]
) -> cst.Module:
    body: list[cst.BaseStatement] = list(tree.body)
    position = _after_leading_imports(tree)
    body[position:position] = statements
    return tree.with_changes(body=body)


def add_statements_after_import_of(
    tree: cst.Module, module: str, statements: list[cst.BaseStatement]
) -> cst.Module:
    """`statements` after the last top-level import that names `module` and the imports that
    follow it (a script may run code before its imports: `os.environ[...] = ...` then
    `from app import app`), else after the leading imports."""
    body: list[cst.BaseStatement] = list(tree.body)
    position = None
    for index, statement in enumerate(body):
        if _is_import_line(statement) and any(
            _names_module(small, module) for small in statement.body
        ):
            position = index + 1
    if position is None:
        return add_statements_after_imports(tree, statements)
    while position < len(body) and _is_import_line(body[position]):
        position += 1  # the imports right after it, too: they may need nothing from the app
    body[position:position] = statements
    return tree.with_changes(body=body)


def _names_module(small: cst.BaseSmallStatement, module: str) -> bool:
    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
        return code_of(small.module) == module
    if isinstance(small, cst.Import):
        return any(alias.evaluated_name == module for alias in small.names)
    return False


def add_import_line(tree: cst.Module, line: str) -> cst.Module:
    """An import written as a line (`import os`, `from a import b as c`), unless already there."""
    statement = cst.ensure_type(cst.parse_statement(line + "\n"), cst.SimpleStatementLine)
    small = statement.body[0]
    if isinstance(small, cst.Import) and len(small.names) == 1 and small.names[0].asname is None:
        return add_import(tree, small.names[0].evaluated_name)
    if (
        isinstance(small, cst.ImportFrom)
        and not isinstance(small.names, cst.ImportStar)
        and all(alias.asname is None for alias in small.names)
    ):
        for alias in small.names:
            tree = add_import(tree, _module_of(small), alias.evaluated_name)
        return tree
    if any(code_of(s).strip() == line for s in tree.body):
        return tree
    return add_statements_after_imports(tree, [statement])
