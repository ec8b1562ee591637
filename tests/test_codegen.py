"""The faster renderer gives `Module.code_for_node`'s text for every node kind the fixtures hold."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from libcst._nodes.base import CSTCodegenError

from flaskmod.codegen import code_for_node
from flaskmod.names import code_nodes
from tests.fixture_sources import each_source, parsed


@each_source
def test_renders_as_libcst_does(path: Path) -> None:
    tree = parsed(path)
    if tree is None:
        return  # a fixture of bad input
    for statement in tree.body:
        assert code_for_node(tree, statement) == tree.code_for_node(statement)
        for node in code_nodes(statement, literals=True):
            assert _rendered(code_for_node, tree, node) == _rendered(_libcst, tree, node)


def _libcst(tree: cst.Module, node: cst.CSTNode) -> str:
    return tree.code_for_node(node)


def _rendered(render: Callable[[cst.Module, cst.CSTNode], str], *args: Any) -> str:
    """The text, or the error for a node LibCST cannot render alone (an annotation)."""
    try:
        return render(*args)
    except CSTCodegenError as error:
        return f"error: {error}"


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_keeps_the_modules_indent_and_newline(newline: str) -> None:
    source = f"def f():{newline}\tif x:{newline}\t\treturn 1{newline}"
    tree = cst.parse_module(source)
    assert code_for_node(tree, tree.body[0]) == source
