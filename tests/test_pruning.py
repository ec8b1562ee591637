"""Pruned visits give what a full visit gives, for a visitor whose `acts_on` is exact, and enter
only the nodes on a path to those it acts on."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from codemods._visiting import transform_statements
from flaskmod.pruning import paths_to, visit_pruned

FIXTURES = Path(__file__).parent.parent / "fixtures"
SOURCES = sorted(FIXTURES.glob("*/before/**/*.py"))


class _Rename(cst.CSTTransformer):
    """`app` → `application` wherever it is a name."""

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return (
            updated_node.with_changes(value="application")
            if self.acts_on(original_node)
            else updated_node
        )

    def acts_on(self, node: cst.CSTNode) -> bool:
        return isinstance(node, cst.Name) and node.value == "app"


class _Collect(cst.CSTVisitor):
    """Every `app` name met, and how many nodes the visit entered."""

    def __init__(self) -> None:
        self.found: list[cst.Name] = []
        self.entered = 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.entered += 1
        return super().on_visit(node)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "app":
            self.found.append(node)


def _is_app(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name) and node.value == "app"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_a_pruned_transform_is_the_full_transform(path: Path) -> None:
    tree = cst.parse_module(path.read_text(encoding="utf-8"))
    expected = tree.visit(_Rename()).code
    rename = _Rename()
    assert transform_statements(tree, rename, rename.acts_on).code == expected


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_a_pruned_visit_meets_what_the_full_visit_meets_entering_less(path: Path) -> None:
    tree = cst.parse_module(path.read_text(encoding="utf-8"))
    full, pruned = _Collect(), _Collect()
    tree.visit(full)
    visit_pruned(tree, pruned, _is_app)
    assert [id(n) for n in pruned.found] == [id(n) for n in full.found]
    assert pruned.entered <= full.entered
    assert pruned.entered == len(paths_to(tree, _is_app))


def test_a_statement_without_what_it_acts_on_is_left_as_it_is() -> None:
    tree = cst.parse_module("x = 1\ndef f():\n    return app\n")
    rename = _Rename()
    new = transform_statements(tree, rename, rename.acts_on)
    assert new.body[0] is tree.body[0] and new.body[1] is not tree.body[1]
    assert new.code == "x = 1\ndef f():\n    return application\n"
