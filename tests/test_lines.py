"""Lines of nodes inside a statement: the text shortcut agrees with LibCST's positions."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from flaskmod.names import ModuleIndex, code_nodes

FIXTURES = Path(__file__).parent.parent / "fixtures"
SOURCES = sorted(FIXTURES.glob("*/*/**/*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_every_expressions_line_is_libcsts(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    try:
        tree = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return  # a fixture of bad input
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    index = ModuleIndex(tree, path.name, path.stem)
    for position, statement in enumerate(tree.body):
        for node in code_nodes(statement, literals=True):
            if isinstance(node, cst.BaseExpression):
                expected = positions[node].start.line
                assert index.line(node, position) == expected, tree.code_for_node(node)
