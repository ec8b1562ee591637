"""Transformers run over the top-level statements that can concern them, not the whole module.

A LibCST visit rebuilds every node it passes, which made whole-module visits most of a small
app's preview; codemods know from a statement's name facts or its text which statements a
transformer can change, and the others stay the same nodes (their facts and code cached).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from flaskmod.names import code_nodes


def visited(statement: cst.BaseStatement, visitor: cst.CSTTransformer) -> list[cst.BaseStatement]:
    """A top-level statement after a transformer: none, one, or several statements."""
    new = statement.visit(visitor)
    if isinstance(new, cst.FlattenSentinel):
        return list(new.nodes)
    if isinstance(new, cst.RemovalSentinel):
        return []
    assert isinstance(new, cst.BaseStatement)
    return [new]


def transform_statements(
    tree: cst.Module,
    transformer: cst.CSTTransformer,
    concerns: Callable[[cst.BaseStatement], bool],
) -> cst.Module:
    """`tree.visit(transformer)` for a transformer that only changes what is inside statements
    `concerns` selects (and keeps no state across them); `tree` itself if nothing changed."""
    body: list[cst.BaseStatement] = []
    changed = False
    for statement in tree.body:
        new = visited(statement, transformer) if concerns(statement) else [statement]
        changed = changed or len(new) != 1 or new[0] is not statement
        body += new
    return tree.with_changes(body=body) if changed else tree


def holding(target: Callable[[cst.CSTNode], bool]) -> Callable[[cst.BaseStatement], bool]:
    """Selects the statements with a node the transformer acts on (found by a light walk,
    several times cheaper than the visit it saves)."""

    def holds(statement: cst.BaseStatement) -> bool:
        return any(target(node) for node in code_nodes(statement))

    return holds
