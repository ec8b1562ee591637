"""Light walks of a LibCST tree for the self-check: every node, or only the statements.

A `CSTVisitor` (and so `m.findall`) rebuilds every node it passes, about ten times the cost of
reading the node's fields; the self-check runs on every migration's whole output, so its rules
read trees with these walks instead and match only the nodes they want (`m.matches` on a `Call`,
not on every token). Nodes come in the order a LibCST visitor meets them, which the rules rely on
(the first of two findings on one line is the one reported; a proxy the original already handed
on is matched to the first such finding in source order).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from functools import cache

import libcst as cst

#: fields that hold only whitespace, comments and punctuation: never a node a rule looks for
_SKIPPED = frozenset(
    {
        "lpar",
        "rpar",
        "lbrace",
        "rbrace",
        "lbracket",
        "rbracket",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "trailing_whitespace",
        "leading_whitespace",
        "comma",
        "semicolon",
        "equal",
        "dot",
        "colon",
        "first_colon",
        "second_colon",
        "operator",
        "asynchronous",
        "relative",
        "posonly_ind",
        "trailing_comma",
        "newline",
    }
)

#: node classes whose dataclass fields are not in source order: LibCST's visiting order
_SOURCE_ORDER: dict[type[cst.CSTNode], tuple[str, ...]] = {
    cst.Arg: ("keyword", "value"),
    cst.FunctionDef: ("decorators", "name", "type_parameters", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.ExceptStarHandler: ("type", "name", "body"),
    cst.IfExp: ("body", "test", "orelse"),
    cst.MatchCase: ("pattern", "guard", "body"),
    cst.Parameters: ("posonly_params", "params", "star_arg", "kwonly_params", "star_kwarg"),
    cst.TypeAlias: ("name", "type_parameters", "value"),
}


@cache
def _fields(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    """The fields of a node class that may hold nodes a rule looks for, in source order."""
    if kind in _SOURCE_ORDER:
        return _SOURCE_ORDER[kind]
    return tuple(
        f.name
        for f in dataclasses.fields(kind)
        if f.name not in _SKIPPED and not f.name.startswith("whitespace")
    )


def nodes(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """`root` and every node below it, in the order a LibCST visitor meets them (tokens and
    whitespace left out)."""
    stack: list[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        yield node
        children: list[cst.CSTNode] = []
        for name in _fields(type(node)):
            value = getattr(node, name, None)
            if isinstance(value, cst.CSTNode):
                children.append(value)
            elif isinstance(value, tuple | list):
                children.extend(item for item in value if isinstance(item, cst.CSTNode))
        stack.extend(reversed(children))


#: nodes whose `body` is a sequence of statements
_BLOCKS = (cst.Module, cst.IndentedBlock, cst.SimpleStatementLine, cst.SimpleStatementSuite)
#: the fields of compound statements (and their clauses) that hold statements
_SUITES = ("body", "handlers", "orelse", "finalbody", "cases")


def small_statements(root: cst.CSTNode) -> Iterator[cst.BaseSmallStatement]:
    """Every small statement (`import`, assignment, `return`, ...) in `root`, at any depth, in
    source order. Only statements are walked: an expression never holds one."""
    stack: list[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.BaseSmallStatement):
            yield node
        elif isinstance(node, _BLOCKS):
            stack.extend(reversed(node.body))
        else:
            stack.extend(reversed(_suites(node)))


def _suites(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    for name in _SUITES:
        value = getattr(node, name, None)
        if isinstance(value, cst.CSTNode):
            found.append(value)
        elif isinstance(value, tuple | list):
            found.extend(item for item in value if isinstance(item, cst.CSTNode))
    return found
