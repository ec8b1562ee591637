"""Transformers run over only the code they can change, not the whole module.

A LibCST visit rebuilds every node it passes, which made whole-module visits most of a small
app's preview. Each transformer says which nodes its hooks act on; a statement holding none stays
the same node (its facts and code cached), and in the others the visit enters only the paths to
those nodes (`flaskmod.pruning`).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from flaskmod.pruning import PrunedTransformer, paths_to


def visited(
    statement: cst.BaseStatement,
    visitor: cst.CSTTransformer,
    acts_on: Callable[[cst.CSTNode], bool] | None = None,
    statements_only: bool = False,
) -> list[cst.BaseStatement]:
    """A top-level statement after a transformer: none, one, or several statements.

    With `acts_on`, the visit enters only the nodes on a path to one it selects (a light walk
    finds them) and leaves the rest of the statement as it is: for a transformer whose hooks
    change, record or track only the nodes `acts_on` selects, judging by their own fields. A
    visit rebuilds every node it enters, and a view's body is mostly nodes no rewrite touches.
    """
    if acts_on is not None:
        paths = paths_to(statement, acts_on, statements_only)
        if not paths:
            return [statement]
        visitor = PrunedTransformer(visitor, paths)
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
    acts_on: Callable[[cst.CSTNode], bool],
    statements_only: bool = False,
) -> cst.Module:
    """`tree.visit(transformer)`, each top-level statement visited as `visited` does with
    `acts_on` (for a transformer that keeps no state across statements); `tree` itself if
    nothing changed."""
    body: list[cst.BaseStatement] = []
    changed = False
    for statement in tree.body:
        new = visited(statement, transformer, acts_on, statements_only)
        changed = changed or len(new) != 1 or new[0] is not statement
        body += new
    return tree.with_changes(body=body) if changed else tree


def holds(statement: cst.CSTNode, acts_on: Callable[[cst.CSTNode], bool]) -> bool:
    """Whether `statement` has a node `acts_on` selects (the light walk `transform_statements`
    then reuses)."""
    return bool(paths_to(statement, acts_on))
