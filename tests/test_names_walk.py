"""The light walks (`code_nodes`, `find_nodes`, `import_statements`) find what LibCST's matcher
walks find, in the same order: codemods and the analysis use them instead of `m.findall`."""

from __future__ import annotations

import inspect
import re
from collections import Counter
from pathlib import Path

import libcst as cst
import libcst.matchers as m
import pytest

from flaskmod import names
from flaskmod.names import find_nodes, import_statements
from tests.fixture_sources import each_source, parsed

FIXTURES = Path(__file__).parent.parent / "fixtures"
SOURCES = sorted(FIXTURES.glob("*/*/**/*.py"))

AWKWARD = '''
import os
@app.route("/<int:x>", methods=["GET"])
@login_required
def view(x, /, y: "T" = f"{os.sep!r}", *args, z=lambda q: q + 1, **kw) -> Response:
    """Doc."""
    value = a if check(x) else b(y)
    rows = [row.id for row in query(x) if row.ok(y)]
    match value:
        case {"k": inner, **rest}:
            return inner(rest)
        case Point(x=0) as p:
            return p
    with ctx(a) as (b, c), other():
        del b[c]
    try:
        from . import late
    except (ImportError, KeyError) as exc:
        raise Wrapped(exc) from exc
    global counter
    counter += (yield from gen())
    return "" "a" f"{value}" if (w := walrus()) else {k: v for k, v in kw.items()}


class Form(Base, metaclass=Meta):
    field: int = Field(default=1)
    async def run(self, *, when=await_later()):
        async with lock:
            await self.go()
'''

MATCHERS = [
    m.Call(),
    m.Name(),
    m.Attribute(),
    m.Assign(),
    m.Return(),
    m.FunctionDef(),
    m.ClassDef(),
    m.Decorator(),
    m.Lambda(),
    m.Call(func=m.Name("query")),
]


def _trees() -> list[tuple[str, cst.Module]]:
    trees = [("awkward", cst.parse_module(AWKWARD))]
    for path in SOURCES:
        try:
            trees.append(
                (path.relative_to(FIXTURES).as_posix(), cst.parse_module(path.read_text()))
            )
        except (cst.ParserSyntaxError, UnicodeDecodeError):
            continue  # fixtures of bad input
    return trees


@pytest.fixture(scope="module")
def trees() -> list[tuple[str, cst.Module]]:
    return _trees()


@pytest.mark.parametrize("matcher", MATCHERS, ids=repr)
def test_find_nodes_is_findall(
    trees: list[tuple[str, cst.Module]], matcher: m.BaseMatcherNode
) -> None:
    for name, tree in trees:
        expected = m.findall(tree, matcher)
        found = find_nodes(tree, matcher)
        assert [id(n) for n in found] == [id(n) for n in expected], name


def test_import_statements_is_findall(trees: list[tuple[str, cst.Module]]) -> None:
    for name, tree in trees:
        expected = m.findall(tree, m.Import() | m.ImportFrom())
        assert [id(n) for n in import_statements(tree)] == [id(n) for n in expected], name


def test_a_literal_is_not_walked() -> None:
    tree = cst.parse_module('x = "text"\n')
    assert find_nodes(tree, m.SimpleString()) == []


#: fields that hold tokens, never a name: their order does not matter to a walk
TOKENS = {
    "lbracket", "rbracket", "lbrace", "rbrace", "dot", "colon", "first_colon", "second_colon",
    "indent", "start", "end", "asynchronous", "star", "trailing_comma", "conversion", "relative",
    "leading_whitespace", "trailing_whitespace",
}  # fmt: skip


def _visit_order(kind: type[cst.CSTNode]) -> list[str]:
    """The order in which LibCST's own visit reads a node's fields (from its source)."""
    source = inspect.getsource(kind._visit_and_replace_children)
    return list(dict.fromkeys(re.findall(r'visit_\w+\(\s*self,\s*"(\w+)"', source)))


NODE_CLASSES = [
    kind
    for kind in vars(cst).values()
    if isinstance(kind, type)
    and issubclass(kind, cst.CSTNode)
    and not inspect.isabstract(kind)
    and not issubclass(kind, names._NO_NAMES)
]


@pytest.mark.parametrize("kind", NODE_CLASSES, ids=lambda kind: kind.__name__)
def test_walks_read_fields_in_libcst_visit_order(kind: type[cst.CSTNode]) -> None:
    visited = [f for f in _visit_order(kind) if f not in TOKENS]
    ours = [f for f in names._fields_in_source_order(kind) if f in visited]
    assert ours == [f for f in visited if f in ours]


@each_source
def test_calls_and_names_as_the_matchers_find_them(path: Path) -> None:
    tree = parsed(path)
    if tree is None:
        return  # a fixture of bad input
    calls = [c for c in names.code_nodes(tree) if isinstance(c, cst.Call)]
    called = Counter(c.func.value for c in calls if isinstance(c.func, cst.Name))
    methods = Counter(c.func.attr.value for c in calls if isinstance(c.func, cst.Attribute))
    # the app, the most called function and method, and a name never called: a matcher walk
    # per name is slow, so a few names per file
    spellings = {"app", "not_called", *dict(called.most_common(1)), *dict(methods.most_common(1))}
    for name in sorted(spellings):
        call = m.Call(func=m.Name(name))
        method = m.Call(func=m.Attribute(attr=m.Name(name)))
        assert names.calls_of(tree, name) == find_nodes(tree, call), name
        assert names.calls_of(tree, name, method=True) == find_nodes(tree, method), name
        assert names.names_spelled(tree, name) == find_nodes(tree, m.Name(name)), name
