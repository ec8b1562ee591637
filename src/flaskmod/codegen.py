"""A node's source, rendered without LibCST's position bookkeeping.

`Module.code_for_node` renders through a `CodegenState` whose `record_syntactic_position` is a
generator-based context manager entered for every node, though the plain state records nothing.
Rendering each statement a codemod writes is a fixed cost of every step, and those context
managers were a third of it; this state hands out one shared no-op instead. The text is the same:
`tests/test_codegen.py` compares it with `code_for_node` on every node of every fixture, so a
LibCST release (`<2` is required) that renders differently fails there, not in a migration.
"""

from __future__ import annotations

import libcst as cst
from libcst._nodes.internal import CodegenState


class _NoOp:
    """A context manager that does nothing, shared by every node."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_OP = _NoOp()


class _State(CodegenState):
    """The plain state, with positions not recorded through a generator per node."""

    def record_syntactic_position(  # type: ignore[override] # any context manager will do
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _NoOp:
        return _NO_OP


def code_for_node(module: cst.Module, node: cst.CSTNode) -> str:
    """`module.code_for_node(node)`, faster."""
    state = _State(default_indent=module.default_indent, default_newline=module.default_newline)
    node._codegen(state)
    return "".join(state.tokens)


_EMPTY = cst.Module([])


def code_of(node: cst.CSTNode) -> str:
    """A node's source with the default indent and newline (for text checks and messages)."""
    return code_for_node(_EMPTY, node)
