"""Keep `__file__`-relative paths pointing at the same directory when code changes directory.

`basedir = os.path.abspath(os.path.dirname(__file__))` is how most legacy apps find their SQLite
file, uploads folder or schema. Moving that line one directory deeper silently points it at a new,
empty database. The forms handled here are the common ones; any other use of `__file__` is
reported, never guessed.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TypeVar

import libcst as cst
import libcst.matchers as m

from flaskmod.names import code_nodes

N = TypeVar("N", bound=cst.CSTNode)

_FILE = m.Name("__file__")
_ABS = m.Attribute(value=m.Attribute(value=m.Name("os"), attr=m.Name("path")), attr=m.Name())
_FILEISH = _FILE | m.Call(func=_ABS, args=[m.Arg(_FILE)])
_DIRNAME = m.Call(
    func=m.Attribute(
        value=m.Attribute(value=m.Name("os"), attr=m.Name("path")), attr=m.Name("dirname")
    ),
    args=[m.Arg(_FILEISH)],
)
_PATH_OF_FILE = m.Call(func=m.Name("Path") | m.Attribute(attr=m.Name("Path")), args=[m.Arg(_FILE)])
_PATH_PARENT = m.Attribute(
    value=_PATH_OF_FILE
    | m.Call(func=m.Attribute(value=_PATH_OF_FILE, attr=m.Name("resolve") | m.Name("absolute"))),
    attr=m.Name("parent"),
)


def relation(old_dir: str, new_dir: str) -> tuple[int, str]:
    """How to reach `old_dir` from code living in `new_dir`: (levels up, then this subpath)."""
    old = PurePosixPath(old_dir or ".").parts if old_dir not in ("", ".") else ()
    new = PurePosixPath(new_dir or ".").parts if new_dir not in ("", ".") else ()
    common = 0
    while common < min(len(old), len(new)) and old[common] == new[common]:
        common += 1
    return len(new) - common, "/".join(old[common:])


class _Reanchor(cst.CSTTransformer):
    def __init__(self, up: int, down: str) -> None:
        self.up = up
        self.down = down
        self.handled: set[int] = set()
        self.unhandled = 0

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if not m.matches(original_node, _DIRNAME):
            return updated_node
        self.handled.add(id(original_node))
        expr: cst.BaseExpression = updated_node
        for _ in range(self.up):
            expr = cst.parse_expression("os.path.dirname(x)").with_changes(args=[cst.Arg(expr)])
        if self.down:
            join = cst.parse_expression(f"os.path.join(x, {self.down!r})")
            assert isinstance(join, cst.Call)
            expr = join.with_changes(args=[cst.Arg(expr), *join.args[1:]])
        return expr

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if not m.matches(original_node, _PATH_PARENT):
            return updated_node
        self.handled.add(id(original_node))
        expr: cst.BaseExpression = updated_node
        for _ in range(self.up):
            expr = cst.Attribute(value=expr, attr=cst.Name("parent"))
        if self.down:
            expr = cst.BinaryOperation(
                left=expr,
                operator=cst.Divide(),
                right=cst.SimpleString(repr(self.down)),
                lpar=[cst.LeftParen()],
                rpar=[cst.RightParen()],
            )
        return expr


def _file_uses(node: cst.CSTNode) -> int:
    """How many times `node` reads `__file__` (a light walk: most statements read none)."""
    return sum(isinstance(n, cst.Name) and n.value == "__file__" for n in code_nodes(node))


def reanchor(node: N, old_dir: str, new_dir: str) -> tuple[N, int]:
    """Rewrite `node` for a move from `old_dir` to `new_dir`; returns it and the unhandled count."""
    total = _file_uses(node)
    if not total or old_dir == new_dir:
        return node, 0
    up, down = relation(old_dir, new_dir)
    transformer = _Reanchor(up, down)
    result = cst.ensure_type(node.visit(transformer), type(node))
    # every handled pattern holds exactly one `__file__`
    return result, total - len(transformer.handled)
