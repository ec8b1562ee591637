"""Transformers run over the top-level statements that can concern them, not the whole module.

A LibCST visit rebuilds every node it passes, which made whole-module visits most of a small
app's preview; codemods know from a statement's name facts or its text which statements a
transformer can change, and the others stay the same nodes (their facts and code cached).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from flaskmod.names import children_in_order, code_nodes


def visited(
    statement: cst.BaseStatement,
    visitor: cst.CSTTransformer,
    acts_on: Callable[[cst.CSTNode], bool] | None = None,
) -> list[cst.BaseStatement]:
    """A top-level statement after a transformer: none, one, or several statements.

    With `acts_on`, the visit enters only the nodes on a path to one it selects (a light walk
    finds them) and leaves the rest of the statement as it is: for a transformer whose hooks
    change, record or track only the nodes `acts_on` selects, judging by their own fields. A
    visit rebuilds every node it enters, and a view's body is mostly nodes no rewrite touches.
    """
    if acts_on is not None:
        paths = _paths_to(statement, acts_on)
        if not paths:
            return [statement]
        visitor = _Pruned(visitor, paths)
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
) -> cst.Module:
    """`tree.visit(transformer)`, each top-level statement visited as `visited` does with
    `acts_on` (for a transformer that keeps no state across statements); `tree` itself if
    nothing changed."""
    body: list[cst.BaseStatement] = []
    changed = False
    for statement in tree.body:
        new = visited(statement, transformer, acts_on)
        changed = changed or len(new) != 1 or new[0] is not statement
        body += new
    return tree.with_changes(body=body) if changed else tree


def holds(statement: cst.CSTNode, acts_on: Callable[[cst.CSTNode], bool]) -> bool:
    """Whether `statement` has a node `acts_on` selects (a light walk)."""
    return any(acts_on(node) for node in code_nodes(statement))


def _paths_to(root: cst.CSTNode, acts_on: Callable[[cst.CSTNode], bool]) -> set[int]:
    """Ids of the selected nodes and of every node above them, up to `root`."""
    found: set[int] = set()
    path: list[cst.CSTNode] = []
    stack: list[tuple[cst.CSTNode, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        del path[depth:]
        path.append(node)
        if acts_on(node):
            found.update(id(above) for above in path)
        stack += [(child, depth + 1) for child in reversed(children_in_order(node))]
    return found


class _Pruned(cst.CSTTransformer):
    """Hands the nodes on `paths` to `inner`; the others are neither entered nor changed."""

    def __init__(self, inner: cst.CSTTransformer, paths: set[int]) -> None:
        super().__init__()
        self.inner = inner
        self.paths = paths

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) in self.paths and self.inner.on_visit(node)

    def on_leave(
        self, original_node: cst.CSTNodeT, updated_node: cst.CSTNodeT
    ) -> cst.CSTNodeT | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNodeT]:
        if id(original_node) not in self.paths:
            return updated_node
        return self.inner.on_leave(original_node, updated_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if id(node) in self.paths:
            self.inner.on_visit_attribute(node, attribute)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        if id(original_node) in self.paths:
            self.inner.on_leave_attribute(original_node, attribute)
