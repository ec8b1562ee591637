"""Visits that enter only the part of a tree a visitor or transformer can act on.

A LibCST visit calls Python hooks for every node it passes, and a transformer's visit rebuilds
every one of them; most of a preview's time once went there, on nodes no hook touched. When a
visitor's hooks act only on nodes one can pick by their own fields (names spelled like the app,
decorators, `url_for` calls), a light walk first finds the paths from the root to those nodes,
and the visit enters nothing else: the result is the same, at the cost of the walk.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import libcst as cst

from flaskmod.names import children_in_order, statement_children

#: says whether a hook may act on a node (judging by the node's own fields)
ActsOn = Callable[[cst.CSTNode], bool]


def paths_to(root: cst.CSTNode, acts_on: ActsOn, statements_only: bool = False) -> frozenset[int]:
    """Ids of the nodes `acts_on` selects and of every node above them, up to `root`.

    `statements_only` walks statements alone (for a transformer acting on imports or classes).
    Remembered for the last few hundred (root, predicate) pairs: a codemod asks first whether a
    statement holds anything to rewrite, then rewrites it."""
    return _paths_to(root, acts_on, statements_only)


@lru_cache(maxsize=512)
def _paths_to(root: cst.CSTNode, acts_on: ActsOn, statements_only: bool) -> frozenset[int]:
    children = statement_children if statements_only else children_in_order
    found: set[int] = set()
    parents: dict[int, cst.CSTNode] = {}
    stack = [root]
    while stack:  # in any order: only the set of paths matters
        node = stack.pop()
        if acts_on(node):
            above: cst.CSTNode | None = node
            while above is not None and id(above) not in found:
                found.add(id(above))
                above = parents.get(id(above))
        below = children(node)
        for child in below:
            parents[id(child)] = node
        stack += below
    return frozenset(found)


def visit_pruned(node: cst.CSTNode, visitor: cst.CSTVisitor, acts_on: ActsOn) -> None:
    """`node.visit(visitor)`, entering only the nodes on a path to one `acts_on` selects."""
    paths = paths_to(node, acts_on)
    if paths:
        node.visit(_PrunedVisitor(visitor, paths))


class _Pruning:
    """Hands the hooks of the nodes on `paths` to `inner`; the others are neither entered nor
    told about (LibCST still calls `on_leave` for a node whose `on_visit` said no)."""

    def __init__(self, inner: cst.CSTVisitor | cst.CSTTransformer, paths: frozenset[int]) -> None:
        super().__init__()
        self.inner = inner
        self.paths = paths

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) in self.paths and self.inner.on_visit(node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if id(node) in self.paths:
            self.inner.on_visit_attribute(node, attribute)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        if id(original_node) in self.paths:
            self.inner.on_leave_attribute(original_node, attribute)


class PrunedTransformer(_Pruning, cst.CSTTransformer):
    """A transformer entering only the nodes on `paths`; the others are left as they are."""

    inner: cst.CSTTransformer

    def on_leave(
        self, original_node: cst.CSTNodeT, updated_node: cst.CSTNodeT
    ) -> cst.CSTNodeT | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNodeT]:
        if id(original_node) not in self.paths:
            return updated_node
        return self.inner.on_leave(original_node, updated_node)


class _PrunedVisitor(_Pruning, cst.CSTVisitor):
    """`PrunedTransformer` for a visitor."""

    inner: cst.CSTVisitor

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if id(original_node) in self.paths:
            self.inner.on_leave(original_node)
