"""The light walks (`names.code_nodes`, `names.small_statements`) meet exactly the nodes a LibCST
visitor meets, in its order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import libcst as cst

from flaskmod import names
from flaskmod.names import code_nodes, small_statements

ROOT = Path(__file__).resolve().parent.parent

#: syntax the fixtures may not have: every node class whose fields are not in source order
CORNERS = '''
"""doc"""
import a.b as c; from .x import (y as z, w)
@dec(lambda q, /, r=1, *s, t, **u: q if r else s)
async def f[T: int = str](p: int = 1, /, *args: str, k=2, **kw) -> T:
    try:
        x = [i async for i in g() if i]
    except* ValueError as e:
        raise e from None
    finally:
        del x
    match p:
        case {"k": [1, *rest], **others} if rest: pass
        case Point(x=0) | None as v: return v
type Alias[K] = dict[K, int]
@d1
@d2.e(f=1)
class C(B, metaclass=M):
    attr: int = 0
    def m(self): global g; nonlocal_ = {k: v for k, v in x.items()}; yield from f"{a!r:>{w}}"
while (n := next(it)): pass
else: pass
for a, *b in c: assert a, "msg"
with open(x) as (h, i), other: print(*h, **i, sep="")
'''


class _Visits(cst.CSTVisitor):
    def __init__(self) -> None:
        self.seen: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(node)
        return True


#: whitespace, comments and punctuation: what the walk leaves out
_TOKENS = names._TOKENS


def _structural(node: cst.CSTNode) -> bool:
    """Nodes a rule may look for: expressions, statements and their parts, not tokens."""
    return not isinstance(node, _TOKENS)


def _trees() -> Iterator[tuple[str, cst.Module]]:
    """The corners above, and what the migrations make (the fixtures' expected results)."""
    yield "corners", cst.parse_module(CORNERS)
    for path in sorted((ROOT / "fixtures").glob("*/after/**/*.py")):
        yield str(path), cst.parse_module(path.read_text(encoding="utf-8"))


def test_the_corners_parse() -> None:
    assert cst.parse_module(CORNERS).code == CORNERS


def test_the_walks_meet_what_a_visitor_meets_in_its_order() -> None:
    for name, tree in _trees():
        visits = _Visits()
        tree.visit(visits)
        expected = [node for node in visits.seen if _structural(node)]
        assert [id(n) for n in code_nodes(tree, literals=True) if _structural(n)] == [
            id(n) for n in expected
        ], name
        small = [node for node in visits.seen if isinstance(node, cst.BaseSmallStatement)]
        assert [id(n) for n in small_statements(tree)] == [id(n) for n in small], name
