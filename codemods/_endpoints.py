"""Rewriting endpoint names wherever an app refers to them: Python and Jinja templates.

When a view moves into blueprint `main`, its endpoint `index` becomes `main.index`, and every
`url_for("index")` that is not rewritten raises `BuildError` at request time, which no import
check catches. Literal endpoints are rewritten; computed ones are reported with `path:line`.

Python is rewritten statement by statement: only top-level statements whose source mentions an
endpoint (`url_for`, `endpoint`, `*_view`, `render_template_string`) are visited. Each template is
parsed by Jinja once: that parse says which string constants name endpoints, and the textual
rewrite is accepted only if it changed exactly those (line and value), nothing else.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

import libcst as cst
import libcst.matchers as m

from flaskmod.knowledge import ENDPOINT_DEFINERS, ENDPOINT_NAME
from flaskmod.names import find_nodes
from flaskmod.project import Project

from ._visiting import visited

COMPUTED = "url_for with a computed endpoint"


class Kind(Enum):
    """What a report about endpoint references says."""

    #: `url_for(<expression>)`: the name is computed, flaskmod cannot prefix it
    COMPUTED = "computed"
    #: `request.endpoint == name_var` now also matches the prefixed name
    COMPARED = "compared"
    #: a template left as it was (syntax error, or a rewrite that could not be checked)
    UNTOUCHED = "untouched"
    #: an endpoint name outside `url_for` (`login_view`, `action_view=`, a setting) renamed
    NAMED = "named"


@dataclass(frozen=True)
class Report:
    kind: Kind
    path: str
    line: int | None
    message: str


def named(path: str, line: int | None, label: str, old: str, new: str) -> Report:
    return Report(Kind.NAMED, path, line, f"`{label}` names the endpoint {old!r}: now {new!r}")


@dataclass(frozen=True)
class Rewrites:
    """New Python trees and template texts, and what the rewrite has to tell."""

    modules: dict[str, cst.Module]
    templates: dict[str, str]
    reports: tuple[Report, ...]

    @property
    def computed(self) -> bool:
        return any(report.kind is Kind.COMPUTED for report in self.reports)


# ------------------------------------------------------------------------ Python
_URL_FOR = m.Call(func=m.Name("url_for") | m.Attribute(attr=m.Name("url_for")))
_REQUEST_ENDPOINT = m.Attribute(value=m.Name("request"), attr=m.Name("endpoint"))
_RENDER_STRING = m.Call(
    func=m.Name("render_template_string") | m.Attribute(attr=m.Name("render_template_string"))
)
#: a file is read only if it mentions one of these; then a statement only if it does
_PYTHON_FILE = re.compile(r"url_for|endpoint|_view|_uploader", re.IGNORECASE)
_PYTHON_STATEMENT = re.compile(
    r"url_for|endpoint|_view|_uploader|render_template_string", re.IGNORECASE
)


def _renamed(node: cst.BaseExpression, mapping: Mapping[str, str]) -> cst.SimpleString | None:
    if not isinstance(node, cst.SimpleString):
        return None
    value = node.evaluated_value
    if not isinstance(value, str) or value not in mapping:
        return None
    quote = node.quote
    return node.with_changes(value=f"{node.prefix}{quote}{mapping[value]}{quote}")


def _rewrite_literal(node: cst.SimpleString, mapping: Mapping[str, str]) -> cst.SimpleString:
    """A Jinja template in a Python string: rewrite inside the quotes, checked like a file."""
    prefix_and_quote = len(node.prefix) + len(node.quote)
    body = node.value[prefix_and_quote : len(node.value) - len(node.quote)]
    rewritten, _ = rewrite_template("<string>", body, mapping)
    if rewritten == body:
        return node
    return node.with_changes(value=node.value[:prefix_and_quote] + rewritten + node.quote)


def _callee_name(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def _target_name(target: cst.BaseExpression) -> str | None:
    """What an assignment target is called: `x`, `obj.x`, or `config["X"]`."""
    if isinstance(target, cst.Name):
        return target.value
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            key = index.value.evaluated_value
            return key if isinstance(key, str) else None
    return None


@dataclass
class _EndpointRewriter(cst.CSTTransformer):
    mapping: Mapping[str, str]
    template_names: set[str] = field(default_factory=set)
    dynamic: list[cst.CSTNode] = field(default_factory=list)
    #: (string node, what names it, old endpoint) of each endpoint renamed outside `url_for`
    named: list[tuple[cst.CSTNode, str, str]] = field(default_factory=list)
    changed: bool = False

    def acts_on(self, node: cst.CSTNode) -> bool:
        """Whether a `leave_` hook below may change or report `node` (see `visited`)."""
        if isinstance(node, cst.Call):
            return _callee_name(node) in ("url_for", "render_template_string") or any(
                arg.keyword is not None and ENDPOINT_NAME.match(arg.keyword.value)
                for arg in node.args
            )
        if isinstance(node, cst.Assign | cst.AnnAssign | cst.DictElement):
            return isinstance(node.value, cst.SimpleString)
        return isinstance(node, cst.Comparison) and m.matches(node.left, _REQUEST_ENDPOINT)

    def _literal(self, node: cst.SimpleString) -> cst.SimpleString:
        new = _rewrite_literal(node, self.mapping)
        self.changed |= new is not node
        return new

    def _name(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        renamed = _renamed(node, self.mapping)
        self.changed |= renamed is not None
        return renamed

    def _named_by(self, label: str | None, node: cst.BaseExpression) -> cst.BaseExpression:
        """`node` renamed if it is an old endpoint held by something named like an endpoint."""
        if label is None or not ENDPOINT_NAME.match(label):
            return node
        renamed = self._name(node)
        if renamed is None:
            return node
        self.named.append(
            (node, label, str(cst.ensure_type(node, cst.SimpleString).evaluated_value))
        )
        return renamed

    def _keywords(self, call: cst.Call, skip_first: bool) -> list[cst.Arg]:
        """`action_view="upload"`, `endpoint="index"` (unless the call defines the endpoint)."""
        callee = _callee_name(call)
        defines = callee in ENDPOINT_DEFINERS or callee[:1].isupper()
        args = []
        for number, arg in enumerate(call.args):
            label = arg.keyword.value if arg.keyword is not None else None
            if (skip_first and number == 0) or (defines and label == "endpoint"):
                args.append(arg)
            else:
                args.append(arg.with_changes(value=self._named_by(label, arg.value)))
        return args

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        url_for = m.matches(updated_node, _URL_FOR) and bool(updated_node.args)
        updated_node = updated_node.with_changes(args=self._keywords(updated_node, url_for))
        if m.matches(updated_node, _RENDER_STRING) and updated_node.args:
            first = updated_node.args[0]
            if isinstance(first.value, cst.SimpleString):
                literal = self._literal(first.value)
                return updated_node.with_changes(
                    args=[first.with_changes(value=literal), *updated_node.args[1:]]
                )
        if not url_for:
            return updated_node
        first = updated_node.args[0]
        if first.keyword is not None and first.keyword.value != "endpoint":
            return updated_node
        renamed = self._name(first.value)
        if renamed is not None:
            return updated_node.with_changes(
                args=[first.with_changes(value=renamed), *updated_node.args[1:]]
            )
        if not isinstance(first.value, cst.SimpleString | cst.ConcatenatedString):
            self.dynamic.append(original_node)
        return updated_node

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        if len(updated_node.targets) != 1:
            return updated_node
        target = updated_node.targets[0].target
        if (
            isinstance(target, cst.Name)
            and target.value in self.template_names
            and isinstance(updated_node.value, cst.SimpleString)
        ):
            return updated_node.with_changes(value=self._literal(updated_node.value))
        return updated_node.with_changes(
            value=self._named_by(_target_name(target), updated_node.value)
        )

    def leave_AnnAssign(
        self, original_node: cst.AnnAssign, updated_node: cst.AnnAssign
    ) -> cst.AnnAssign:
        if updated_node.value is None:
            return updated_node
        value = self._named_by(_target_name(updated_node.target), updated_node.value)
        return updated_node.with_changes(value=value)

    def leave_DictElement(
        self, original_node: cst.DictElement, updated_node: cst.DictElement
    ) -> cst.DictElement:
        """`{"CKEDITOR_FILE_UPLOADER": "upload"}` (a settings mapping)."""
        key = updated_node.key
        label = key.evaluated_value if isinstance(key, cst.SimpleString) else None
        label = label if isinstance(label, str) else None
        return updated_node.with_changes(value=self._named_by(label, updated_node.value))

    def leave_Comparison(
        self, original_node: cst.Comparison, updated_node: cst.Comparison
    ) -> cst.Comparison:
        """`request.endpoint == "index"` and `request.endpoint in ("a", "b")`."""
        if not m.matches(updated_node.left, _REQUEST_ENDPOINT):
            return updated_node
        targets = []
        for target in updated_node.comparisons:
            comparator = target.comparator
            renamed = self._name(comparator)
            if renamed is not None:
                comparator = renamed
            elif isinstance(comparator, cst.Tuple | cst.List | cst.Set):
                elements = [
                    e.with_changes(value=self._name(e.value) or e.value)
                    for e in comparator.elements
                ]
                comparator = comparator.with_changes(elements=elements)
            targets.append(target.with_changes(comparator=comparator))
        return updated_node.with_changes(comparisons=targets)


#: the source of a module's top-level statement `n`, as far as a text prefilter needs it
Source = Callable[[int], str]


def _template_names(body: Sequence[cst.BaseStatement], source: Source) -> set[str]:
    """Names passed to `render_template_string` (templates kept in constants)."""
    names = set()
    for position, statement in enumerate(body):
        if "render_template_string" not in source(position):
            continue
        for call in find_nodes(statement, _RENDER_STRING):
            args = cst.ensure_type(call, cst.Call).args
            if args and isinstance(args[0].value, cst.Name):
                names.add(args[0].value.value)
    return names


def rewrite_module(
    project: Project, path: str, mapping: Mapping[str, str], source: Source | None = None
) -> tuple[cst.Module | None, list[Report]]:
    """The module with its endpoint references renamed (None if none changed), and reports.

    Only statements whose `source` mentions an endpoint are visited; `source` defaults to the
    statement's code (a module just built from moved statements passes their old code, rendered
    already). Its name index is built only when a template constant or a report needs it."""
    tree = project.module(path)
    source = source or project.index(path).code
    names = _template_names(tree.body, source)
    wanted = {p for p in range(len(tree.body)) if _PYTHON_STATEMENT.search(source(p))}
    if names:
        binders = project.index(path).binders
        wanted |= {p for name in names for p in binders.get(name, ())}
    body: list[cst.BaseStatement] = list(tree.body)
    reports: list[Report] = []
    for position in sorted(wanted):
        rewriter = _EndpointRewriter(mapping, names)
        [new] = visited(tree.body[position], rewriter, rewriter.acts_on)
        reports += _reports(project, path, position, rewriter, mapping)
        if rewriter.changed:
            body[position] = new
    changed = any(new is not old for new, old in zip(body, tree.body, strict=True))
    return (tree.with_changes(body=body) if changed else None), reports


def _reports(
    project: Project,
    path: str,
    position: int,
    rewriter: _EndpointRewriter,
    mapping: Mapping[str, str],
) -> list[Report]:
    """Computed `url_for` endpoints, and endpoints renamed outside `url_for`, with their lines."""
    if not rewriter.dynamic and not rewriter.named:
        return []
    index = project.index(path)
    message = f"{COMPUTED}: add the blueprint prefix by hand"
    reports = [
        Report(Kind.COMPUTED, path, index.line(node, position), message)
        for node in rewriter.dynamic
    ]
    return reports + [
        named(path, index.line(node, position), label, old, mapping[old])
        for node, label, old in rewriter.named
    ]


def rewrite_python(
    project: Project, mapping: Mapping[str, str], sources: Mapping[str, Source] | None = None
) -> tuple[dict[str, cst.Module], list[Report]]:
    """New trees for every Python file whose endpoint references changed (`sources`: the
    prefilter text of modules just built, see `rewrite_module`)."""
    changed: dict[str, cst.Module] = {}
    reports: list[Report] = []
    for path in project.python_paths():
        if not _PYTHON_FILE.search(project.text(path)):
            continue
        tree, found = rewrite_module(project, path, mapping, (sources or {}).get(path))
        reports += found
        if tree is not None:
            changed[path] = tree
    return changed, reports


# ------------------------------------------------------------------ templates
_TAG = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)
_QUOTED = re.compile(r"""(['"])([^'"\\\n]+)\1""")
_NEWLINE = re.compile(r"\r\n|\r|\n")  # what Jinja counts lines by
_COMPUTED_COMPARISON = re.compile(
    r"\brequest\.endpoint\s*(==|!=)\s*([A-Za-z_][\w.]*)(?=\s*(?:%}|}}|\)|\band\b|\bor\b|\bif\b|\belse\b))"
)
_CONSTANT_NAMES = ("none", "None", "true", "false")
_TEMPLATE_WORDS = re.compile(r"url_for|endpoint|_view|_uploader", re.IGNORECASE)
#: `action_view='upload'`, `{% set next_endpoint = 'index' %}`: a literal after a name that
#: holds an endpoint (`knowledge.ENDPOINT_NAME`)
_NAMED = re.compile(
    r"\b(endpoint|\w+_(?:view|endpoint|uploader))\s*=\s*((['\"])[^'\"\\\n]+\3)", re.IGNORECASE
)

# macro name → (index, name) of the parameter it passes to url_for as the endpoint
EndpointMacros = dict[str, tuple[int, str]]


def _parse(source: str) -> Any:
    from jinja2.exceptions import TemplateSyntaxError

    try:
        return _environment().parse(source)
    except TemplateSyntaxError:
        return None


@cache
def _environment() -> Any:
    """One Jinja environment for every template: parsing keeps no state in it."""
    from jinja2 import Environment

    return Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])


def _is_request_endpoint(node: Any) -> bool:
    from jinja2 import nodes

    return (
        isinstance(node, nodes.Getattr)
        and node.attr == "endpoint"
        and isinstance(node.node, nodes.Name)
        and node.node.name == "request"
    )


def _callee(call: Any) -> str | None:
    from jinja2 import nodes

    if isinstance(call.node, nodes.Name):
        return str(call.node.name)
    if isinstance(call.node, nodes.Getattr):
        return str(call.node.attr)
    return None


def _dotted(node: Any) -> str | None:
    """`x` or `x.y` as written in a template; None for any other expression."""
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return str(node.name)
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node)
        return f"{base}.{node.attr}" if base else None
    return None


def endpoint_macros(trees: Iterable[Any]) -> EndpointMacros:
    """Macros that take an endpoint name and call `url_for` with it (pagination, nav links)."""
    from jinja2 import nodes

    found: EndpointMacros = {}
    for tree in trees:
        for macro in tree.find_all(nodes.Macro):
            params = [arg.name for arg in macro.args]
            for call in macro.find_all(nodes.Call):
                if (
                    _callee(call) == "url_for"
                    and call.args
                    and isinstance(call.args[0], nodes.Name)
                    and call.args[0].name in params
                ):
                    found[macro.name] = (params.index(call.args[0].name), call.args[0].name)
    return found


def _endpoint_consts(tree: Any, macros: EndpointMacros) -> list[Any]:
    """String constants that name endpoints: url_for's first argument, a macro's endpoint
    argument, or what `request.endpoint` is compared with."""
    from jinja2 import nodes

    found: list[Any] = []
    for compare in tree.find_all(nodes.Compare):
        if _is_request_endpoint(compare.expr):
            for operand in compare.ops:
                expr = operand.expr
                found += expr.items if isinstance(expr, nodes.Tuple | nodes.List) else [expr]
    for call in tree.find_all(nodes.Call):
        callee = _callee(call)
        if callee == "url_for" and call.args:
            found.append(call.args[0])
        elif callee in macros:
            position, name = macros[callee]
            if len(call.args) > position:
                found.append(call.args[position])
            found += [kw.value for kw in call.kwargs if kw.key == name]
    found += [value for _, value in _named_values(tree)]
    unique = {id(c): c for c in found if isinstance(c, nodes.Const) and isinstance(c.value, str)}
    return list(unique.values())


def _named_values(tree: Any) -> list[tuple[str, Any]]:
    """(name, value) of what holds an endpoint by its name (`action_view='upload'`): keyword
    arguments of calls, filters and tests, `{% set x_view = ... %}`, macro parameter defaults."""
    from jinja2 import nodes

    found = [
        (keyword.key, keyword.value)
        for node in tree.find_all((nodes.Call, nodes.Filter, nodes.Test))
        for keyword in node.kwargs
    ]
    found += [
        (assign.target.name, assign.node)
        for assign in tree.find_all(nodes.Assign)
        if isinstance(assign.target, nodes.Name)
    ]
    for macro in tree.find_all(nodes.Macro):
        with_defaults = macro.args[len(macro.args) - len(macro.defaults) :]
        found += [
            (arg.name, value) for arg, value in zip(with_defaults, macro.defaults, strict=True)
        ]
    return [(name, value) for name, value in found if ENDPOINT_NAME.match(name)]


def _computed_endpoint_lines(tree: Any, macros: EndpointMacros) -> list[int]:
    """Lines of `url_for(<expression>)` calls, except an endpoint macro's own parameter."""
    from jinja2 import nodes

    excused: set[int] = set()
    for macro in tree.find_all(nodes.Macro):
        if macro.name in macros:
            parameter = macros[macro.name][1]
            for call in macro.find_all(nodes.Call):
                if _callee(call) == "url_for" and call.args:
                    first = call.args[0]
                    if isinstance(first, nodes.Name) and first.name == parameter:
                        excused.add(id(call))
    lines = []
    for call in tree.find_all(nodes.Call):
        if _callee(call) != "url_for" or not call.args or id(call) in excused:
            continue
        if not isinstance(call.args[0], nodes.Const):
            lines.append(int(call.lineno))
    return sorted(lines)


def _computed_comparisons(tree: Any) -> list[tuple[int, str]]:
    """(line, operand) of each `request.endpoint == name` / `!= name` with a computed name."""
    from jinja2 import nodes

    found = []
    for compare in tree.find_all(nodes.Compare):
        if _is_request_endpoint(compare.expr) and len(compare.ops) == 1:
            operand = compare.ops[0]
            name = _dotted(operand.expr)
            if operand.op in ("eq", "ne") and name is not None:
                found.append((int(compare.lineno), name))
    return found


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str
    #: what the edit is, checked against the parse: ("endpoint", line, name) or ("compared", ...)
    key: tuple[str, int, str]
    #: the keyword or variable that names the endpoint (`action_view`), reported
    label: str | None = None


class _Lines:
    def __init__(self, source: str) -> None:
        self.starts = [match.end() for match in _NEWLINE.finditer(source)]

    def of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) + 1


def _literal_edits(
    source: str, lines: _Lines, mapping: Mapping[str, str], macros: EndpointMacros
) -> list[_Edit]:
    """Quoted old endpoint names inside tags that call url_for or an endpoint macro, or compare
    `request.endpoint`."""
    callee = re.compile(
        r"\b(?:url_for" + "".join(f"|{re.escape(name)}" for name in macros) + r")\("
        r"|\brequest\.endpoint\s*(?:==|!=|in\b|not\s+in\b)"
    )
    edits = []
    for tag in _TAG.finditer(source):
        named = {
            match.start(3): match.group(1)
            for match in _NAMED.finditer(source, tag.start(), tag.end())
        }
        every = callee.search(tag.group(0)) is not None
        for quoted in _QUOTED.finditer(source, tag.start(), tag.end()):
            quote, name = quoted.groups()
            if name in mapping and (every or quoted.start() in named):
                key = ("endpoint", lines.of(quoted.start()), name)
                new = quote + mapping[name] + quote
                edits.append(
                    _Edit(quoted.start(), quoted.end(), new, key, named.get(quoted.start()))
                )
    return edits


def _comparison_edits(source: str, lines: _Lines, blueprints: list[str]) -> list[_Edit]:
    """`request.endpoint == name_var` → `request.endpoint in (name_var, 'main.' ~ name_var)`.

    The variable may hold an old endpoint name (`index`) or a new one (`main.index`): both
    compare as before. Literals are rewritten instead; this is only for computed operands.
    """
    edits = []
    for tag in _TAG.finditer(source):
        for match in _COMPUTED_COMPARISON.finditer(source, tag.start(), tag.end()):
            operator, operand = match.groups()
            if operand in _CONSTANT_NAMES:
                continue
            negation = "not in" if operator == "!=" else "in"
            prefixed = "".join(f", '{name}.' ~ {operand}" for name in blueprints)
            text = f"request.endpoint {negation} ({operand}{prefixed})"
            key = ("compared", lines.of(match.start()), operand)
            edits.append(_Edit(match.start(), match.end(), text, key))
    return edits


def _apply(source: str, edits: list[_Edit]) -> str | None:
    """The source with the edits made, or None if two of them overlap."""
    parts: list[str] = []
    end = 0
    for edit in sorted(edits, key=lambda e: e.start):
        if edit.start < end:
            return None
        parts += [source[end : edit.start], edit.text]
        end = edit.end
    return "".join([*parts, source[end:]])


def _expected(
    tree: Any, macros: EndpointMacros, mapping: Mapping[str, str], compared: bool
) -> Counter[tuple[str, int, str]]:
    """What the parse says a correct rewrite changes: each endpoint constant, by line."""
    expected = Counter(
        ("endpoint", int(const.lineno), str(const.value))
        for const in _endpoint_consts(tree, macros)
        if const.value in mapping
    )
    if compared:
        expected.update(("compared", line, name) for line, name in _computed_comparisons(tree))
    return expected


def rewrite_template(
    path: str,
    source: str,
    mapping: Mapping[str, str],
    macros: EndpointMacros | None = None,
    blueprints: list[str] | None = None,
) -> tuple[str, list[Report]]:
    """Rewrite endpoint literals inside `{{ }}` and `{% %}`, checked against Jinja's own parse."""
    return _rewrite_parsed(path, source, _parse(source), mapping, macros or {}, blueprints or [])


def _rewrite_parsed(
    path: str,
    source: str,
    tree: Any,
    mapping: Mapping[str, str],
    macros: EndpointMacros,
    blueprints: list[str],
) -> tuple[str, list[Report]]:
    """The rewrite of one template, given its parse (None: a syntax error).

    The rewrite is textual (a template has no concrete syntax tree to edit), so it is accepted
    only if it changed exactly what the parse says names an endpoint, line by line: endpoint
    literals mapped, computed comparisons widened, nothing else. Otherwise the template is left
    as it was and reported.
    """
    if tree is None:
        message = "Jinja syntax error: template left untouched, check its url_for"
        return source, [Report(Kind.UNTOUCHED, path, None, message)]
    reports = [
        Report(Kind.COMPUTED, path, line, f"{COMPUTED}: add the blueprint prefix by hand")
        for line in _computed_endpoint_lines(tree, macros)
    ]
    lines = _Lines(source)
    literals = _literal_edits(source, lines, mapping, macros)
    compared = _comparison_edits(source, lines, blueprints) if blueprints else []
    if not literals and not compared:
        return source, reports
    result = _apply(source, literals + compared)
    done = Counter(edit.key for edit in literals + compared)
    if result is None or done != _expected(tree, macros, mapping, bool(blueprints)):
        message = "could not rewrite this template's endpoints reliably; left untouched"
        return source, [Report(Kind.UNTOUCHED, path, None, message)]
    return result, reports + _edit_reports(path, literals, compared, mapping, blueprints)


def _edit_reports(
    path: str,
    literals: list[_Edit],
    compared: list[_Edit],
    mapping: Mapping[str, str],
    blueprints: list[str],
) -> list[Report]:
    """Each endpoint renamed outside url_for, and each comparison widened."""
    reports = [
        named(path, edit.key[1], edit.label, edit.key[2], mapping[edit.key[2]])
        for edit in sorted(literals, key=lambda e: e.start)
        if edit.label is not None
    ]
    names = " / ".join(repr(b + ".") for b in blueprints)
    message = (
        f"request.endpoint compared with a computed name: now also matches {names} + name; "
        "update the names it holds"
    )
    return reports + [Report(Kind.COMPARED, path, edit.key[1], message) for edit in compared]


def rewrite_templates(
    project: Project,
    mapping: Mapping[str, str],
    templates: list[str],
    blueprints: list[str] | None = None,
) -> tuple[dict[str, str], list[Report]]:
    """New texts of the templates whose endpoint references changed; each parsed once."""
    sources = {path: project.text(path) for path in templates}
    trees = {path: _parse(source) for path, source in sources.items() if "url_for" in source}
    macros = endpoint_macros(tree for tree in trees.values() if tree is not None)
    changed: dict[str, str] = {}
    reports: list[Report] = []
    for path, source in sources.items():
        if not _TEMPLATE_WORDS.search(source) and not any(name in source for name in macros):
            continue
        tree = trees[path] if path in trees else _parse(source)
        result, found = _rewrite_parsed(path, source, tree, mapping, macros, blueprints or [])
        reports += found
        if result != source:
            changed[path] = result
    return changed, reports
