"""Which module-level names each top-level statement binds and reads: one resolver for everyone.

Every codemod asks the same questions of the module it takes code from (which names does this
code read, where is each one bound, which imports does the rest still need), and the analysis asks
what an expression's imported name is. LibCST's `ScopeProvider` answers them, at about three
parses' worth of work per tree, and again for every tree a codemod produces. This module answers
only what flaskmod needs, from one walk of each top-level statement:

* the module-level names a statement binds (assignments, imports, defs, and names a function
  assigns after `global name`), and
* the module-level names it reads at any depth, with the `Name` nodes that read them, honouring
  Python's scoping (function locals, parameters, comprehension targets, class bodies that nested
  functions do not see, `global` and `nonlocal`).

Facts are kept per statement node, and LibCST trees share unchanged statements between versions, so
a codemod that moves or edits a few statements leaves the facts of every other one valid: they are
computed once per run, not once per step. What is not modelled (names in string annotations,
`from x import *`, `exec`) errs on the side of "not read", exactly as LibCST's provider does for
star imports; the self-check and verify catch what slips through.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

from flaskmod.codegen import code_for_node

if TYPE_CHECKING:
    import libcst.matchers as m

T = TypeVar("T")

__all__ = [
    "FactCache",
    "Imported",
    "ModuleIndex",
    "StatementFacts",
    "bindings_of",
    "calls_of",
    "children_in_order",
    "code_nodes",
    "dotted",
    "find_nodes",
    "import_statements",
    "imports_of",
    "kind_test",
    "name_nodes",
    "names_spelled",
    "qualify",
    "small_statements",
    "spelled",
    "statement_children",
    "statement_facts",
]


def dotted(node: cst.BaseExpression) -> str:
    """`a.b.c` as written (a module in an import, a decorator's target); "" if not dotted."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else ""
    return ""


@dataclass(frozen=True)
class StatementFacts:
    """Module-level names one top-level statement binds and reads (with the reading nodes)."""

    binds: frozenset[str]
    reads: dict[str, tuple[cst.Name, ...]]
    #: names a function in this statement declares `global` (and so shares with the module)
    declared_global: frozenset[str] = frozenset()


# --------------------------------------------------------------------------- the walk
#: whitespace, comments and punctuation: never code a walk looks for
_TOKENS = (
    cst.Comment,
    cst.SimpleWhitespace,
    cst.ParenthesizedWhitespace,
    cst.TrailingWhitespace,
    cst.EmptyLine,
    cst.Newline,
    cst.Comma,
    cst.Dot,
    cst.Semicolon,
    cst.Colon,
    cst.AssignEqual,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
    cst.BaseBinaryOp,
    cst.BaseBooleanOp,
    cst.BaseCompOp,
    cst.BaseUnaryOp,
    cst.BaseAugOp,
    cst.Asynchronous,
    cst.ParamSlash,
)
#: code that holds no name: literals and keywords on their own
_LEAVES = (
    cst.SimpleString,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.Pass,
    cst.Break,
    cst.Continue,
    cst.Ellipsis,
    cst.ImportStar,
)
_NO_NAMES = _TOKENS + _LEAVES


@cache
def _child_fields(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    """Fields of a node class that can hold names (whitespace and tokens never do)."""
    skip = ("whitespace", "lpar", "rpar", "leading_lines", "lines_after", "header", "footer")
    return tuple(
        f.name
        for f in dataclasses.fields(kind)
        if not f.name.startswith(skip) and f.name not in ("comma", "semicolon", "equal")
    )


def _judge(kind: type, excluded: tuple[type, ...], table: dict[type, bool]) -> bool:
    """Whether a field value of this type is a node not among `excluded`, decided once per
    type into `table` (an `isinstance` against LibCST's abstract classes is slow, and walks
    ask it for every node)."""
    wanted = table[kind] = issubclass(kind, cst.CSTNode) and not issubclass(kind, excluded)
    return wanted


#: per type: a node that can hold a name / a node that is code (not a token)
_HOLDS_NAMES: dict[type, bool] = {}
_IS_CODE: dict[type, bool] = {}


#: fields whose dataclass order is not the order LibCST visits them in, which is the order of
#: the code (a def's decorators and annotations before its body): walks follow it, so they find
#: what `m.findall` finds, in its order (`tests/test_names_walk.py` checks every node class)
_SOURCE_ORDER: dict[str, tuple[str, ...]] = {
    "Arg": ("keyword", "value"),
    "FunctionDef": ("decorators", "asynchronous", "name", "type_parameters", "params", "returns"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "IfExp": ("body", "test", "orelse"),
    "ExceptHandler": ("type", "name", "body"),
    "ExceptStarHandler": ("type", "name", "body"),
    "Parameters": ("posonly_params", "posonly_ind", "params", "star_arg", "kwonly_params"),
    "MatchCase": ("pattern", "guard", "body"),
    "TypeAlias": ("name", "type_parameters", "value"),
}


@cache
def _fields_in_source_order(kind: type[cst.CSTNode]) -> tuple[str, ...]:
    fields = _child_fields(kind)
    first = [f for f in _SOURCE_ORDER.get(kind.__name__, ()) if f in fields]
    return (*first, *(f for f in fields if f not in first))


def code_nodes(node: cst.CSTNode, literals: bool = False) -> Iterator[cst.CSTNode]:
    """`node` and every node under it that can hold a name (statements, expressions), in the
    order a LibCST visitor meets them; with `literals`, also the code that holds none (strings,
    numbers, `pass`). Tokens and whitespace are never yielded.

    What a `m.findall` over `node` would look at, without a LibCST visit (which rebuilds every
    node it passes: most of a preview's time was spent there).
    """
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack += reversed(children_in_order(current, literals))


@cache
def _field_values(kind: type[cst.CSTNode]) -> Callable[[cst.CSTNode], tuple[Any, ...]]:
    """Reads a node's fields in source order in one call (the walks' innermost loop)."""
    fields = _fields_in_source_order(kind)
    if not fields:
        return lambda node: ()
    getter = operator.attrgetter(*fields)
    return (lambda node: (getter(node),)) if len(fields) == 1 else getter


def children_in_order(node: cst.CSTNode, literals: bool = False) -> list[cst.CSTNode]:
    """The children of `node` that can hold a name (or, with `literals`, any code), in the
    order a LibCST visitor meets them (see `code_nodes`)."""
    excluded, known = (_TOKENS, _IS_CODE) if literals else (_NO_NAMES, _HOLDS_NAMES)
    children: list[cst.CSTNode] = []
    for value in _field_values(type(node))(node):
        kind = type(value)
        if kind is tuple or kind is list:
            for child in value:
                wanted = known.get(type(child))  # the common case, without a call
                if wanted or (wanted is None and _judge(type(child), excluded, known)):
                    children.append(child)
        else:
            wanted = known.get(kind)
            if wanted or (wanted is None and _judge(kind, excluded, known)):
                children.append(value)
    return children


def find_nodes(
    node: cst.CSTNode, matcher: m.BaseMatcherNode, literals: bool = False
) -> list[cst.CSTNode]:
    """`m.findall(node, matcher)` over `code_nodes` (a matcher for a literal needs `literals`)."""
    import libcst.matchers as m

    return [found for found in code_nodes(node, literals) if m.matches(found, matcher)]


def calls_of(node: cst.CSTNode, name: str, method: bool = False) -> list[cst.Call]:
    """The calls of `name(...)` under `node` (with `method`, of `anything.name(...)`), in source
    order: `find_nodes` with a matcher costs a matcher call per node, and the factory asks this
    of whole `create_app` bodies at every step."""
    kind = cst.Attribute if method else cst.Name
    return [
        found
        for found in code_nodes(node)
        if isinstance(found, cst.Call)
        and isinstance(found.func, kind)
        and (found.func.attr if isinstance(found.func, cst.Attribute) else found.func).value == name
    ]


def names_spelled(node: cst.CSTNode, name: str) -> list[cst.Name]:
    """The `Name` nodes under `node` spelled `name`, in source order."""
    return [cast(cst.Name, found) for found in code_nodes(node) if spelled(name)(found)]


@cache
def spelled(name: str) -> Callable[[cst.CSTNode], bool]:
    """A predicate selecting the `Name` nodes spelled `name`, for visits pruned to the code
    that mentions it (`flaskmod.pruning`). One per name, so the paths found in a statement are
    reused when a later step asks again."""

    def spelled_so(node: cst.CSTNode) -> bool:
        return type(node) is cst.Name and node.value == name  # no `abc` check

    return spelled_so


@dataclass
class _Scope:
    kind: str  # "module", "function", "class", "comprehension"
    parent: _Scope | None
    bound: set[str] = field(default_factory=set)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    loads: list[cst.Name] = field(default_factory=list)
    #: free names of nested function scopes, which skip an enclosing class body
    inner_free: list[cst.Name] = field(default_factory=list)

    def binding_scope(self) -> _Scope:
        """Where a walrus binds: the nearest scope that is not a comprehension."""
        scope = self
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        return scope


class _Walker:
    """One statement's walk: nested scopes resolved as they close, module reads collected."""

    def __init__(self) -> None:
        self.module = _Scope("module", None)
        self.global_binds: set[str] = set()
        self.declared_global: set[str] = set()

    # -- scopes ----------------------------------------------------------------------
    def close(self, scope: _Scope) -> None:
        parent = scope.parent
        assert parent is not None
        # Nested functions do not see a class body: their free names pass it unresolved.
        if scope.kind == "class":  # its own reads were resolved in order, as they ran
            free = [*scope.loads, *scope.inner_free]
        else:
            free = [n for n in (*scope.loads, *scope.inner_free) if not self._resolves_in(n, scope)]
        if parent.kind == "module":
            parent.loads += free
        elif scope.kind == "comprehension":
            parent.loads += free  # evaluated as part of the enclosing scope's code
        else:
            parent.inner_free += free

    def _resolves_in(self, node: cst.Name, scope: _Scope) -> bool:
        """Whether a read in (or below) `scope` is satisfied there; `global` ones go to module."""
        name = node.value
        if name in scope.declared_global:
            self.module.loads.append(node)
            return True
        return name in scope.bound and name not in scope.declared_nonlocal

    def bind(self, name: str, scope: _Scope) -> None:
        if scope.kind == "module":
            scope.bound.add(name)
        elif name in scope.declared_global:
            self.global_binds.add(name)
        else:
            scope.bound.add(name)

    # -- targets ---------------------------------------------------------------------
    def target(self, node: cst.CSTNode, scope: _Scope) -> None:
        """An assignment target: names bind, attributes and subscripts read their base."""
        if isinstance(node, cst.Name):
            self.bind(node.value, scope)
        elif isinstance(node, cst.Tuple | cst.List):
            for element in node.elements:
                self.target(element.value, scope)
        elif isinstance(node, cst.StarredElement):
            self.target(node.value, scope)
        elif isinstance(node, cst.AssignTarget):
            self.target(node.target, scope)
        else:
            self.walk(node, scope)

    # -- the walk --------------------------------------------------------------------
    def walk(self, node: cst.CSTNode, scope: _Scope) -> None:
        handler = _HANDLERS.get(type(node))
        if handler is not None:
            handler(self, node, scope)
        else:
            for child in children_in_order(node):
                self.walk(child, scope)

    def _name(self, node: cst.Name, scope: _Scope) -> None:
        # A class body reads its own namespace only once a name is bound there (LOAD_NAME):
        # `tags = relationship(secondary=tags)` reads the module's `tags`.
        if scope.kind != "class" or node.value not in scope.bound:
            scope.loads.append(node)

    def _value_only(self, node: cst.Attribute | cst.Arg, scope: _Scope) -> None:
        self.walk(node.value, scope)  # `x.attr` and `f(key=x)`: only `x` is a name read

    def _assign(self, node: cst.Assign, scope: _Scope) -> None:
        self.walk(node.value, scope)
        for target in node.targets:
            self.target(target.target, scope)

    def _ann_assign(self, node: cst.AnnAssign, scope: _Scope) -> None:
        self.walk(node.annotation, scope)
        if node.value is not None:
            self.walk(node.value, scope)
        self.target(node.target, scope)

    def _aug_assign(self, node: cst.AugAssign, scope: _Scope) -> None:
        self.walk(node.target, scope)
        self.walk(node.value, scope)
        self.target(node.target, scope)

    def _for(self, node: cst.For, scope: _Scope) -> None:
        self.walk(node.iter, scope)
        self.target(node.target, scope)
        self._all((node.body, node.orelse), scope)

    def _with_item(self, node: cst.WithItem, scope: _Scope) -> None:
        self.walk(node.item, scope)
        if node.asname is not None:
            self.target(node.asname.name, scope)

    def _except(self, node: cst.ExceptHandler | cst.ExceptStarHandler, scope: _Scope) -> None:
        if node.type is not None:
            self.walk(node.type, scope)
        if node.name is not None:
            self.target(node.name.name, scope)
        self.walk(node.body, scope)

    def _named_expr(self, node: cst.NamedExpr, scope: _Scope) -> None:
        self.walk(node.value, scope)
        self.target(node.target, scope.binding_scope())

    def _del(self, node: cst.Del, scope: _Scope) -> None:
        self.target(node.target, scope)

    def _global(self, node: cst.Global, scope: _Scope) -> None:
        names = {item.name.value for item in node.names}
        scope.declared_global |= names
        if scope.kind != "module":
            self.declared_global |= names

    def _nonlocal(self, node: cst.Nonlocal, scope: _Scope) -> None:
        scope.declared_nonlocal |= {item.name.value for item in node.names}

    def _match_capture(self, node: cst.MatchAs | cst.MatchStar, scope: _Scope) -> None:
        if isinstance(node, cst.MatchAs) and node.pattern is not None:
            self.walk(node.pattern, scope)
        if node.name is not None:
            self.bind(node.name.value, scope)

    def _match_mapping(self, node: cst.MatchMapping, scope: _Scope) -> None:
        self._all(node.elements, scope)
        if node.rest is not None:
            self.bind(node.rest.value, scope)

    def _match_keyword(self, node: cst.MatchKeywordElement, scope: _Scope) -> None:
        self.walk(node.pattern, scope)

    def _all(self, nodes: Iterable[cst.CSTNode | None], scope: _Scope) -> None:
        for node in nodes:
            if node is not None:
                self.walk(node, scope)

    def _parameters(self, params: cst.Parameters, outer: _Scope, inner: _Scope) -> None:
        everything = [*params.posonly_params, *params.params, *params.kwonly_params]
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                everything.append(star)
        for param in everything:
            if param.default is not None:
                self.walk(param.default, outer)
            if param.annotation is not None:
                self.walk(param.annotation.annotation, outer)
            inner.bound.add(param.name.value)

    def _function(self, node: cst.FunctionDef, scope: _Scope) -> None:
        for decorator in node.decorators:
            self.walk(decorator.decorator, scope)
        inner = _Scope("function", scope)
        self._parameters(node.params, scope, inner)
        if node.returns is not None:
            self.walk(node.returns.annotation, scope)
        self.bind(node.name.value, scope)
        self._declarations(node.body, inner)
        self.walk(node.body, inner)
        self.close(inner)

    def _declarations(self, body: cst.CSTNode, scope: _Scope) -> None:
        """`global`/`nonlocal` hold for the whole function, even above where they are written."""
        stack = [body]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Global):
                scope.declared_global |= {item.name.value for item in node.names}
                self.declared_global |= {item.name.value for item in node.names}
            elif isinstance(node, cst.Nonlocal):
                scope.declared_nonlocal |= {item.name.value for item in node.names}
            elif isinstance(
                node, cst.BaseSuite | cst.SimpleStatementLine | cst.BaseCompoundStatement
            ):
                if not isinstance(node, cst.FunctionDef | cst.ClassDef):
                    stack.extend(children_in_order(node))
            elif isinstance(node, cst.Else | cst.ExceptHandler | cst.Finally | cst.If):
                stack.extend(children_in_order(node))

    def _class(self, node: cst.ClassDef, scope: _Scope) -> None:
        for decorator in node.decorators:
            self.walk(decorator.decorator, scope)
        self._all((*node.bases, *node.keywords), scope)
        inner = _Scope("class", scope)
        self.walk(node.body, inner)
        self.close(inner)
        self.bind(node.name.value, scope)

    def _lambda(self, node: cst.Lambda, scope: _Scope) -> None:
        inner = _Scope("function", scope)
        self._parameters(node.params, scope, inner)
        self.walk(node.body, inner)
        self.close(inner)

    def _comprehension(
        self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp, scope: _Scope
    ) -> None:
        inner = _Scope("comprehension", scope)
        clause: cst.CompFor | None = node.for_in
        first = True
        while clause is not None:
            self.walk(clause.iter, scope if first else inner)
            self.target(clause.target, inner)
            self._all(clause.ifs, inner)
            clause, first = clause.inner_for_in, False
        if isinstance(node, cst.DictComp):
            self._all((node.key, node.value), inner)
        else:
            self.walk(node.elt, inner)
        self.close(inner)

    def _import(self, node: cst.Import | cst.ImportFrom, scope: _Scope) -> None:
        if isinstance(node, cst.ImportFrom) and isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:  # type: ignore[union-attr]
            if alias.asname is not None:
                bound = alias.evaluated_alias or ""
            elif isinstance(node, cst.Import):
                bound = alias.evaluated_name.split(".")[0]
            else:
                bound = alias.evaluated_name
            self.bind(bound, scope)


_Handler = Callable[[_Walker, Any, _Scope], None]

#: node type → how it binds and reads; every other node just has its children walked
_HANDLERS: dict[type[cst.CSTNode], _Handler] = {
    cst.Name: _Walker._name,
    cst.Attribute: _Walker._value_only,
    cst.Arg: _Walker._value_only,
    cst.FunctionDef: _Walker._function,
    cst.ClassDef: _Walker._class,
    cst.Lambda: _Walker._lambda,
    cst.ListComp: _Walker._comprehension,
    cst.SetComp: _Walker._comprehension,
    cst.GeneratorExp: _Walker._comprehension,
    cst.DictComp: _Walker._comprehension,
    cst.Import: _Walker._import,
    cst.ImportFrom: _Walker._import,
    cst.Assign: _Walker._assign,
    cst.AnnAssign: _Walker._ann_assign,
    cst.AugAssign: _Walker._aug_assign,
    cst.For: _Walker._for,
    cst.WithItem: _Walker._with_item,
    cst.ExceptHandler: _Walker._except,
    cst.ExceptStarHandler: _Walker._except,
    cst.NamedExpr: _Walker._named_expr,
    cst.Del: _Walker._del,
    cst.Global: _Walker._global,
    cst.Nonlocal: _Walker._nonlocal,
    cst.MatchAs: _Walker._match_capture,
    cst.MatchStar: _Walker._match_capture,
    cst.MatchMapping: _Walker._match_mapping,
    cst.MatchKeywordElement: _Walker._match_keyword,
}


def statement_facts(statement: cst.BaseStatement) -> StatementFacts:
    """The facts of one top-level statement (pure: callers cache them per node)."""
    walker = _Walker()
    walker.walk(statement, walker.module)
    reads: dict[str, list[cst.Name]] = {}
    for node in walker.module.loads:
        reads.setdefault(node.value, []).append(node)
    return StatementFacts(
        binds=frozenset(walker.module.bound | walker.global_binds),
        reads={name: tuple(nodes) for name, nodes in reads.items()},
        declared_global=frozenset(walker.declared_global),
    )


# --------------------------------------------------------------------------- imports
@dataclass(frozen=True)
class Imported:
    """`name` is bound by an import of `module` (absolute), as `original` (None: `import x`).

    `import a.b` binds `a` (the `module`) and also loads `a.b`, kept as `loads` so that code
    moved elsewhere imports the submodule it reads through `a.b.x`.
    """

    name: str
    module: str
    original: str | None
    loads: str | None = None

    @property
    def qualified(self) -> str:
        return f"{self.module}.{self.original}" if self.original else self.module

    def statement(self) -> str:
        if self.original is None:
            target = self.loads or self.module
            if self.module == self.name or target.split(".")[0] == self.name:
                return f"import {target}"
            return f"import {target} as {self.name}"
        alias = "" if self.original == self.name else f" as {self.name}"
        return f"from {self.module} import {self.original}{alias}"


def absolute_module(node: cst.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module an import names, seen from `module` (a package if `is_package`)."""
    name = dotted(node.module) if node.module is not None else ""
    level = len(node.relative)
    if not level:
        return name
    package = module if is_package else module.rpartition(".")[0]
    parts = package.split(".") if package else []
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, name] if name else parts)


def imports_of(
    statements: Sequence[cst.BaseStatement], module: str = "", is_package: bool = False
) -> dict[str, Imported]:
    """Names bound by the imports among `statements` (top level, also inside `if`/`try`)."""
    return bindings_of(_import_nodes(statements), module, is_package)


def bindings_of(
    nodes: Iterable[cst.Import | cst.ImportFrom], module: str = "", is_package: bool = False
) -> dict[str, Imported]:
    """Names bound by these import statements, in order (a later one rebinds a name)."""
    found: dict[str, Imported] = {}
    for node in nodes:
        if isinstance(node, cst.Import):
            for alias in node.names:
                if alias.asname is not None:
                    bound = alias.evaluated_alias or ""
                    found[bound] = Imported(bound, alias.evaluated_name, None)
                else:  # `import a.b` binds `a`, and loads `a.b` for the code that reads it
                    top = alias.evaluated_name.split(".")[0]
                    loads = alias.evaluated_name if "." in alias.evaluated_name else None
                    previous = found.get(top)
                    if previous is None or previous.loads is None or loads is not None:
                        found[top] = Imported(top, top, None, loads)
        elif not isinstance(node.names, cst.ImportStar):
            base = absolute_module(node, module, is_package)
            for alias in node.names:
                bound = alias.evaluated_alias or alias.evaluated_name
                found[bound] = Imported(bound, base, alias.evaluated_name)
    return found


def _import_nodes(
    statements: Iterable[cst.BaseStatement],
) -> Iterator[cst.Import | cst.ImportFrom]:
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import | cst.ImportFrom):
                    yield small
        elif isinstance(statement, cst.If | cst.Try):
            yield from _import_nodes(_blocks(statement))


#: nodes whose `body` is a sequence of statements
_BLOCKS = (cst.Module, cst.IndentedBlock, cst.SimpleStatementLine, cst.SimpleStatementSuite)
_Block = cst.Module | cst.IndentedBlock | cst.SimpleStatementLine | cst.SimpleStatementSuite
#: the fields of compound statements (and their clauses) that hold statements
_SUITES = ("body", "handlers", "orelse", "finalbody", "cases")


def kind_test(kinds: type | tuple[type, ...]) -> Callable[[object], bool]:
    """`isinstance(value, kinds)`, decided once per type: against LibCST's abstract classes
    (`BaseSmallStatement`) `isinstance` goes through `abc`, and the walks ask it per node."""
    table: dict[type, bool] = {}

    def test(value: object) -> bool:
        kind = type(value)
        found = table.get(kind)
        if found is None:
            found = table[kind] = issubclass(kind, kinds)
        return found

    return test


_is_small = kind_test(cst.BaseSmallStatement)
_is_block = kind_test(_BLOCKS)
_is_node = kind_test(cst.CSTNode)


def small_statements(root: cst.CSTNode) -> Iterator[cst.BaseSmallStatement]:
    """Every small statement (`import`, assignment, `return`, ...) in `root`, at any depth, in
    source order. Only statements are walked: an expression never holds one."""
    stack: list[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        if _is_small(node):
            yield cast(cst.BaseSmallStatement, node)
        elif _is_block(node):
            stack.extend(reversed(cast(_Block, node).body))
        else:
            stack.extend(reversed(_suites(node)))


def statement_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The children of `node` that are or hold statements (see `small_statements`)."""
    if _is_block(node):
        return list(cast(_Block, node).body)
    return [] if _is_small(node) else _suites(node)


def _suites(node: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    for name in _SUITES:
        value = getattr(node, name, None)
        if value is None:
            continue
        if _is_node(value):
            found.append(value)
        elif isinstance(value, tuple | list):
            found.extend(item for item in value if _is_node(item))
    return found


def import_statements(node: cst.CSTNode) -> Iterator[cst.Import | cst.ImportFrom]:
    """Every `import` and `from ... import` in `node`, at any depth, in source order.

    What `m.findall(node, m.Import() | m.ImportFrom())` finds, walking statements only: a
    whole-tree matcher walk visits every expression node, several seconds on a large module.
    """
    return (s for s in small_statements(node) if isinstance(s, cst.Import | cst.ImportFrom))


def name_nodes(node: cst.CSTNode) -> Iterator[cst.Name]:
    """Every `Name` in `node` but those of imports and attribute names (`x.attr`).

    The light walk of the name facts, not a LibCST visit (which rebuilds every node it passes).
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            yield current
        elif isinstance(current, cst.Attribute):
            stack.append(current.value)
        elif not isinstance(current, cst.Import | cst.ImportFrom):
            stack.extend(children_in_order(current))


def _blocks(statement: cst.If | cst.Try) -> Iterator[cst.BaseStatement]:
    """The statements of every branch of a top-level `if` or `try` (conditional imports)."""
    suites: list[cst.BaseSuite] = [statement.body]
    if isinstance(statement, cst.Try):
        suites += [handler.body for handler in statement.handlers]
        suites += [x.body for x in (statement.orelse, statement.finalbody) if x is not None]
    elif statement.orelse is not None:
        orelse = statement.orelse
        if isinstance(orelse, cst.If):
            yield from _blocks(orelse)
        else:
            suites.append(orelse.body)
    for suite in suites:
        if isinstance(suite, cst.IndentedBlock):
            yield from suite.body


def qualify(node: cst.BaseExpression, imports: dict[str, Imported]) -> str | None:
    """`SQLAlchemy` / `fsa.SQLAlchemy` → `flask_sqlalchemy.SQLAlchemy`, via the module's imports."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name) or node.value not in imports:
        return None
    return ".".join([imports[node.value].qualified, *reversed(parts)])


# --------------------------------------------------------------------------- one module
class FactCache:
    """Facts and line counts per statement node, shared by every tree of one run.

    Trees are never mutated and share unchanged statements, so a statement's facts and its
    rendered height hold for as long as the node exists; the cache keeps the nodes alive.
    """

    def __init__(self) -> None:
        self.facts: dict[cst.CSTNode, StatementFacts] = {}
        self.codes: dict[tuple[cst.CSTNode, str, str], str] = {}
        self.lines: dict[tuple[cst.CSTNode, str, str], dict[cst.CSTNode, int]] = {}
        #: what readers derive from one statement (keys start with the reader's label)
        self.derived: dict[tuple[Hashable, ...], Any] = {}

    def of(self, statement: cst.BaseStatement) -> StatementFacts:
        facts = self.facts.get(statement)
        if facts is None:
            facts = self.facts[statement] = statement_facts(statement)
        return facts

    def code(self, tree: cst.Module, statement: cst.CSTNode) -> str:
        """The statement's (or decorator's) source as `tree` renders it (for text prefilters
        and line counts)."""
        key = (statement, tree.default_indent, tree.default_newline)
        code = self.codes.get(key)
        if code is None:
            code = self.codes[key] = code_for_node(tree, statement)
        return code

    def render(self, tree: cst.Module) -> str:
        """`tree.code`, from the cached source of each top-level statement.

        Each codemod step renders the modules it changed; trees share their unchanged
        statements, so only the statements a step made are rendered again (a whole render of a
        large module per step was a fifth of the preview). A module without its trailing newline
        is rendered whole: its codegen drops the last token.
        """
        if not tree.body or not tree.has_trailing_newline:
            return tree.code
        header = "".join(code_for_node(tree, line) for line in tree.header)
        footer = "".join(code_for_node(tree, line) for line in tree.footer)
        return header + "".join(self.code(tree, s) for s in tree.body) + footer

    def offsets(self, tree: cst.Module, statement: cst.BaseStatement) -> dict[cst.CSTNode, int]:
        """Lines from a statement's first line of code down to each node in it (reports ask for
        the same statements' lines at every step; a statement keeps its offsets when moved)."""
        key = (statement, tree.default_indent, tree.default_newline)
        found = self.lines.get(key)
        if found is None:
            starts = positions_of(tree, statement, 1)
            found = self.lines[key] = {node: line - 1 for node, line in starts.items()}
        return found

    def height(self, tree: cst.Module, statement: cst.BaseStatement) -> int:
        """Lines the statement occupies in `tree`, its leading blank and comment lines included."""
        code = self.code(tree, statement)
        return code.count(tree.default_newline) or code.count("\n")


class ModuleIndex:
    """Scope facts about one module's top-level statements, from the cached statement facts.

    `binders[name]` and `readers[name]` are statement positions; `access_names` maps each `Name`
    node that reads a module-level name to that name (so a parameter called `app` is never taken
    for the global app); `imports[name]` says where an imported name comes from.
    """

    def __init__(
        self, tree: cst.Module, path: str, module: str, cache: FactCache | None = None
    ) -> None:
        self.path = path
        self.module_name = module
        self.is_package = path.endswith("__init__.py")
        self.tree = tree
        self.body: Sequence[cst.BaseStatement] = tree.body
        self._cache = cache or FactCache()
        self.imports = imports_of(self.body, module, self.is_package)
        self.binders: dict[str, list[int]] = {}
        self.declared_global: dict[str, set[int]] = {}
        reads: dict[str, set[int]] = {}
        nodes: dict[str, list[tuple[int, cst.Name]]] = {}
        for position, statement in enumerate(self.body):
            facts = self._cache.of(statement)
            for name in facts.binds:
                self.binders.setdefault(name, []).append(position)
            for name in facts.declared_global:
                self.declared_global.setdefault(name, set()).add(position)
            for name, found in facts.reads.items():
                reads.setdefault(name, set()).add(position)
                nodes.setdefault(name, []).extend((position, node) for node in found)
        known = self.binders.keys() | self.imports.keys()
        self.readers = {name: found for name, found in reads.items() if name in known}
        self._nodes = {name: found for name, found in nodes.items() if name in known}
        self.access_names: dict[cst.CSTNode, str] = {
            node: name for name, found in self._nodes.items() for _, node in found
        }
        #: first lines of the statements so far, and the line after the last of them
        self._starts: list[int] = []
        self._next = 1 + len(tree.header)

    def code(self, position: int) -> str:
        """The source of top-level statement `position` (rendered once per run)."""
        return self._cache.code(self.tree, self.body[position])

    def facts(self, position: int) -> StatementFacts:
        return self._cache.of(self.body[position])

    def derived(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """`compute()`, remembered for the run under `key`, which names a statement node and
        whatever else the result depends on (a statement a step left alone is not re-read)."""
        cache = self._cache.derived
        if key not in cache:
            cache[key] = compute()
        return cast(T, cache[key])

    # ----------------------------------------------------------------- lines
    def statement_line(self, position: int) -> int:
        """The line a top-level statement starts on (its first decorator for a def)."""
        if position < 0:
            position += len(self.body)
        while len(self._starts) <= position:  # only the statements above are rendered
            statement = self.body[len(self._starts)]
            self._starts.append(self._next + _lines_before_code(self.tree, statement, self._cache))
            self._next += self._cache.height(self.tree, statement)
        return self._starts[position]

    def line(self, node: cst.CSTNode, position: int | None = None) -> int:
        """The line of a top-level statement, or of a node inside statement `position`."""
        for index, statement in enumerate(self.body):
            if statement is node:
                return self.statement_line(index)
        if position is None:
            position = self.owner_of(node)
        if position is None:
            raise ValueError("node is not in this module's top-level statements")
        return self._line_within(position, node)

    def owner_of(self, node: cst.CSTNode) -> int | None:
        """The top-level statement holding `node` (found by search: meant for reports only)."""
        for position, statement in enumerate(self.body):
            if _contains(statement, node):
                return position
        return None

    def _line_within(self, position: int, node: cst.CSTNode) -> int:
        statement = self.body[position]
        first = self.statement_line(position) - _lines_before_code(
            self.tree, statement, self._cache
        )
        found = self._line_by_text(statement, node)
        if found is not None:
            return first + found
        return first + self._cache.offsets(self.tree, statement).get(node, 0)

    def _line_by_text(self, statement: cst.BaseStatement, node: cst.CSTNode) -> int | None:
        """Lines from the statement's first to an expression whose code occurs once in the
        statement's: LibCST renders an expression the same wherever it stands, so that one
        occurrence is the node (positioning the whole statement is the slow way)."""
        if not isinstance(node, cst.BaseExpression):
            return None  # a block renders with its indentation: not the same text alone
        code = self._cache.code(self.tree, statement)
        own = code_for_node(self.tree, node)
        at = code.find(own)
        if not own or at < 0 or code.find(own, at + 1) >= 0:
            return None
        return code.count("\n", 0, at)

    # ----------------------------------------------------------------- queries
    def first_read_outside(self, name: str, positions: Collection[int]) -> int | None:
        """Line of the first read of `name` outside the given statements."""
        lines = [
            self._line_within(position, node)
            for position, node in self._nodes.get(name, [])
            if position not in positions
        ]
        return min(lines) if lines else None

    def names_read_by(self, positions: Collection[int]) -> set[str]:
        wanted = set(positions)
        return {name for name, readers in self.readers.items() if readers & wanted}

    def names_bound_by(self, positions: Collection[int]) -> set[str]:
        wanted = set(positions)
        return {name for name, binders in self.binders.items() if wanted.intersection(binders)}

    def reads(self, position: int, name: str) -> bool:
        return position in self.readers.get(name, ())

    def only_read_within(self, name: str, positions: Collection[int]) -> bool:
        readers = self.readers.get(name, set())
        return bool(readers) and readers <= set(positions)

    def name_reads(self, name: str) -> list[tuple[int, cst.Name]]:
        """Every read of the module-level `name`: (statement position, `Name` node)."""
        return list(self._nodes.get(name, []))

    def nodes_reading(self, name: str, position: int) -> list[cst.Name]:
        """The `Name` nodes of statement `position` that read the module-level `name`."""
        return [node for where, node in self._nodes.get(name, []) if where == position]


def _lines_before_code(tree: cst.Module, statement: cst.BaseStatement, cache: FactCache) -> int:
    """Lines above a statement's own first token: blank and comment lines, and for a def or
    class its decorators (LibCST positions a decorated def at `def`, as Python's ast does).
    A decorator's code is cached: each tree of a run shares it with the ones before."""
    count = len(getattr(statement, "leading_lines", ()))
    if isinstance(statement, cst.FunctionDef | cst.ClassDef) and statement.decorators:
        for decorator in statement.decorators:
            count += cache.code(tree, decorator).count("\n")
        count += len(statement.lines_after_decorators)
    return count


def _contains(root: cst.CSTNode, node: cst.CSTNode) -> bool:
    stack = [root]
    while stack:
        current = stack.pop()
        if current is node:
            return True
        stack.extend(current.children)
    return False


def positions_of(
    tree: cst.Module, statement: cst.BaseStatement, first: int
) -> dict[cst.CSTNode, int]:
    """Start lines of every node in one statement whose code begins on line `first`.

    LibCST's `PositionProvider` renders the whole module to position every node; reports need
    a handful of lines, so only the statement that holds them is rendered.
    """
    provider = PositionProvider()
    state = PositionProvidingCodegenState(
        default_indent=tree.default_indent, default_newline=tree.default_newline, provider=provider
    )
    state.line = first
    statement._codegen(state)
    return {node: cast(CodeRange, where).start.line for node, where in provider._computed.items()}


def star_sources(index: ModuleIndex) -> list[str]:
    """The absolute modules `index` star-imports (`from .core import *`), in source order: their
    names are its names too. Shared by the app importers and the self-check's links rule."""
    return [
        absolute_module(node, index.module_name, index.is_package)
        for node in import_statements(index.tree)
        if isinstance(node, cst.ImportFrom) and isinstance(node.names, cst.ImportStar)
    ]
