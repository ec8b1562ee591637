"""Rewriting endpoint names wherever an app refers to them: Python and Jinja templates.

When a view moves into blueprint `main`, its endpoint `index` becomes `main.index`, and every
`url_for("index")` that is not rewritten raises `BuildError` at request time, which no import
check catches. Literal endpoints are rewritten; computed ones are reported with `path:line`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
import libcst.matchers as m

from flaskmod.errors import Finding, Location
from flaskmod.project import Project

# Attributes holding an endpoint name (Flask-Login's `login_view`, `refresh_view`).
ENDPOINT_ATTRIBUTES = frozenset({"login_view", "refresh_view"})

COMPUTED = "url_for with a computed endpoint"

_URL_FOR = m.Call(func=m.Name("url_for") | m.Attribute(attr=m.Name("url_for")))
_REQUEST_ENDPOINT = m.Attribute(value=m.Name("request"), attr=m.Name("endpoint"))


def _renamed(node: cst.BaseExpression, mapping: Mapping[str, str]) -> cst.BaseExpression | None:
    if not isinstance(node, cst.SimpleString):
        return None
    value = node.evaluated_value
    if not isinstance(value, str) or value not in mapping:
        return None
    quote = node.quote
    return node.with_changes(value=f"{node.prefix}{quote}{mapping[value]}{quote}")


_RENDER_STRING = m.Call(
    func=m.Name("render_template_string") | m.Attribute(attr=m.Name("render_template_string"))
)


def _template_names(tree: cst.Module) -> set[str]:
    """Module-level names passed to `render_template_string` (templates kept in constants)."""
    names = set()
    for call in m.findall(tree, _RENDER_STRING):
        args = call.args  # type: ignore[attr-defined]
        if args and isinstance(args[0].value, cst.Name):
            names.add(args[0].value.value)
    return names


def _rewrite_literal(node: cst.SimpleString, mapping: Mapping[str, str]) -> cst.SimpleString:
    """A Jinja template in a Python string: rewrite inside the quotes, checked like a file."""
    prefix_and_quote = len(node.prefix) + len(node.quote)
    body = node.value[prefix_and_quote : len(node.value) - len(node.quote)]
    rewritten, _ = rewrite_template("<string>", body, mapping)
    if rewritten == body:
        return node
    return node.with_changes(value=node.value[:prefix_and_quote] + rewritten + node.quote)


@dataclass
class _EndpointRewriter(cst.CSTTransformer):
    mapping: Mapping[str, str]
    template_names: set[str] = field(default_factory=set)
    dynamic: list[cst.CSTNode] = field(default_factory=list)

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if m.matches(updated_node, _RENDER_STRING) and updated_node.args:
            first = updated_node.args[0]
            if isinstance(first.value, cst.SimpleString):
                literal = _rewrite_literal(first.value, self.mapping)
                return updated_node.with_changes(
                    args=[first.with_changes(value=literal), *updated_node.args[1:]]
                )
        if not m.matches(updated_node, _URL_FOR) or not updated_node.args:
            return updated_node
        first = updated_node.args[0]
        if first.keyword is not None and first.keyword.value != "endpoint":
            return updated_node
        renamed = _renamed(first.value, self.mapping)
        if renamed is not None:
            args = [first.with_changes(value=renamed), *updated_node.args[1:]]
            return updated_node.with_changes(args=args)
        if not isinstance(first.value, cst.SimpleString | cst.ConcatenatedString):
            self.dynamic.append(original_node)
        return updated_node

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        if (
            len(updated_node.targets) == 1
            and m.matches(updated_node.targets[0].target, m.Name())
            and updated_node.targets[0].target.value in self.template_names  # type: ignore[attr-defined]
            and isinstance(updated_node.value, cst.SimpleString)
        ):
            return updated_node.with_changes(
                value=_rewrite_literal(updated_node.value, self.mapping)
            )
        if len(updated_node.targets) == 1 and m.matches(
            updated_node.targets[0].target,
            m.Attribute(attr=m.MatchIfTrue(lambda n: n.value in ENDPOINT_ATTRIBUTES)),
        ):
            renamed = _renamed(updated_node.value, self.mapping)
            if renamed is not None:
                return updated_node.with_changes(value=renamed)
        return updated_node

    def leave_Comparison(
        self, original_node: cst.Comparison, updated_node: cst.Comparison
    ) -> cst.Comparison:
        """`request.endpoint == "index"` and `request.endpoint in ("a", "b")`."""
        if not m.matches(updated_node.left, _REQUEST_ENDPOINT):
            return updated_node
        targets = []
        for target in updated_node.comparisons:
            comparator = target.comparator
            renamed = _renamed(comparator, self.mapping)
            if renamed is not None:
                comparator = renamed
            elif isinstance(comparator, cst.Tuple | cst.List | cst.Set):
                elements = [
                    e.with_changes(value=_renamed(e.value, self.mapping) or e.value)
                    for e in comparator.elements
                ]
                comparator = comparator.with_changes(elements=elements)
            targets.append(target.with_changes(comparator=comparator))
        return updated_node.with_changes(comparisons=targets)


def rewrite_python(
    project: Project, mapping: Mapping[str, str], paths: list[str] | None = None
) -> tuple[dict[str, cst.Module], list[Finding]]:
    """New trees for every Python file whose endpoint references changed."""
    changed: dict[str, cst.Module] = {}
    findings: list[Finding] = []
    for path in paths if paths is not None else project.python_paths():
        text = project.text(path)
        if "url_for" not in text and "login_view" not in text and "endpoint" not in text:
            continue
        tree = project.module(path)
        rewriter = _EndpointRewriter(mapping, _template_names(tree))
        new = tree.visit(rewriter)
        if rewriter.dynamic:
            positions = project.metadata(path)  # only when there is something to report
            from libcst.metadata import PositionProvider

            lines = positions.resolve(PositionProvider)
            for node in rewriter.dynamic:
                line = lines[node].start.line if node in lines else None
                findings.append(
                    Finding(
                        Location(path, line),
                        f"{COMPUTED}: add the blueprint prefix by hand",
                    )
                )
        if not new.deep_equals(tree):
            changed[path] = new
    return changed, findings


# ------------------------------------------------------------------ templates
_TAG = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)
_QUOTED = re.compile(r"""(['"])([^'"\\\n]+)\1""")

# macro name → (index, name) of the parameter it passes to url_for as the endpoint
EndpointMacros = dict[str, tuple[int, str]]


def _parse(source: str) -> Any:
    from jinja2 import Environment
    from jinja2.exceptions import TemplateSyntaxError

    try:
        return Environment(extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"]).parse(source)
    except TemplateSyntaxError:
        return None


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


def endpoint_macros(sources: Mapping[str, str]) -> EndpointMacros:
    """Macros that take an endpoint name and call `url_for` with it (pagination, nav links)."""
    from jinja2 import nodes

    found: EndpointMacros = {}
    for source in sources.values():
        tree = _parse(source)
        if tree is None:
            continue
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


def _endpoint_consts(tree: Any, macros: EndpointMacros) -> set[int]:
    """ids of the string constants that name endpoints: url_for's first argument, or a macro's."""
    from jinja2 import nodes

    ids: set[int] = set()
    for compare in tree.find_all(nodes.Compare):
        if _is_request_endpoint(compare.expr):
            for operand in compare.ops:
                values = (
                    operand.expr.items
                    if isinstance(operand.expr, nodes.Tuple | nodes.List)
                    else [operand.expr]
                )
                ids |= {
                    id(v) for v in values if isinstance(v, nodes.Const) and isinstance(v.value, str)
                }
    for call in tree.find_all(nodes.Call):
        callee = _callee(call)
        candidates = []
        if callee == "url_for" and call.args:
            candidates.append(call.args[0])
        elif callee in macros:
            position, name = macros[callee]
            if len(call.args) > position:
                candidates.append(call.args[position])
            candidates += [kw.value for kw in call.kwargs if kw.key == name]
        ids |= {
            id(c) for c in candidates if isinstance(c, nodes.Const) and isinstance(c.value, str)
        }
    return ids


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


def _strings(tree: Any, macros: EndpointMacros, mapping: Mapping[str, str] | None) -> list[str]:
    """Every string constant in order, with endpoint ones mapped when `mapping` is given."""
    from jinja2 import nodes

    endpoints = _endpoint_consts(tree, macros)
    out = []
    for const in tree.find_all(nodes.Const):
        if not isinstance(const.value, str):
            continue
        value = const.value
        if mapping is not None and id(const) in endpoints:
            value = mapping.get(value, value)
        out.append(value)
    return out


_COMPUTED_COMPARISON = re.compile(
    r"\brequest\.endpoint\s*(==|!=)\s*([A-Za-z_][\w.]*)(?=\s*(?:%}|}}|\)|\band\b|\bor\b|\bif\b|\belse\b))"
)


def _computed_comparisons(
    path: str, source: str, blueprints: list[str], findings: list[Finding]
) -> tuple[str, int]:
    """`request.endpoint == name_var` → `request.endpoint in (name_var, 'main.' ~ name_var)`.

    The variable may hold an old endpoint name (`index`) or a new one (`main.index`): both
    compare as before. Literals are rewritten instead; this is only for computed operands.
    """

    tag_start = 0

    def comparison(match: re.Match[str]) -> str:
        operator, operand = match.groups()
        if operand in ("none", "None", "true", "false"):
            return match.group(0)
        line = source.count("\n", 0, tag_start + match.start()) + 1
        findings.append(
            Finding(
                Location(path, line),
                "request.endpoint compared with a computed name: now also matches "
                f"{' / '.join(repr(b + '.') for b in blueprints)} + name; update the names it holds",
            )
        )
        negation = "not in" if operator == "!=" else "in"
        prefixed = "".join(f", '{name}.' ~ {operand}" for name in blueprints)
        return f"request.endpoint {negation} ({operand}{prefixed})"

    count = 0

    def in_tag(match: re.Match[str]) -> str:
        nonlocal count, tag_start
        tag_start = match.start()
        text, replaced = _COMPUTED_COMPARISON.subn(comparison, match.group(0))
        count += replaced * len(blueprints)
        return text

    return _TAG.sub(in_tag, source), count


def rewrite_template(
    path: str,
    source: str,
    mapping: Mapping[str, str],
    macros: EndpointMacros | None = None,
    blueprints: list[str] | None = None,
) -> tuple[str, list[Finding]]:
    """Rewrite endpoint literals inside `{{ }}` and `{% %}`, checked against Jinja's own parse.

    The rewrite is textual (a template has no concrete syntax tree to edit), so its result is
    accepted only if Jinja parses it to exactly the expected constants: endpoint literals mapped,
    every other string untouched. Otherwise the template is left as it was and reported.
    """
    macros = macros or {}
    findings: list[Finding] = []
    before = _parse(source)
    if before is None:
        return source, [
            Finding(
                Location(path), "Jinja syntax error: template left untouched, check its url_for"
            )
        ]
    callee_pattern = re.compile(
        r"\b(?:url_for" + "".join(f"|{re.escape(name)}" for name in macros) + r")\("
        r"|\brequest\.endpoint\s*(?:==|!=|in\b|not\s+in\b)"
    )
    for line in _computed_endpoint_lines(before, macros):
        findings.append(
            Finding(Location(path, line), f"{COMPUTED}: add the blueprint prefix by hand")
        )

    def in_tag(match: re.Match[str]) -> str:
        tag = match.group(0)
        if not callee_pattern.search(tag):
            return tag
        return _QUOTED.sub(
            lambda quoted: (
                quoted.group(0)
                if quoted.group(2) not in mapping
                else f"{quoted.group(1)}{mapping[quoted.group(2)]}{quoted.group(1)}"
            ),
            tag,
        )

    result = _TAG.sub(in_tag, source)
    prefixes = 0
    if blueprints:
        result, prefixes = _computed_comparisons(path, result, blueprints, findings)
    if result == source:
        return source, findings
    after = _parse(result)
    expected = _strings(before, macros, mapping)
    actual = _strings(after, macros, None) if after is not None else None
    if prefixes and actual is not None:  # each computed comparison adds `'main.'`-like constants
        added = [s for s in actual if s.endswith(".") and s[:-1] in (blueprints or [])]
        expected = sorted([*expected, *added]) if len(added) == prefixes else expected
        actual = sorted(actual)
    if after is None or actual != expected:
        return source, [
            Finding(
                Location(path),
                "could not rewrite this template's endpoints reliably; left untouched",
            )
        ]
    return result, findings


def rewrite_templates(
    project: Project,
    mapping: Mapping[str, str],
    templates: list[str],
    blueprints: list[str] | None = None,
) -> tuple[dict[str, str], list[Finding]]:
    sources = {path: project.text(path) for path in templates}
    macros = endpoint_macros(sources)
    changed: dict[str, str] = {}
    findings: list[Finding] = []
    for path, source in sources.items():
        if (
            "url_for" not in source
            and "endpoint" not in source
            and not any(name in source for name in macros)
        ):
            continue
        result, found = rewrite_template(path, source, mapping, macros, blueprints)
        findings += found
        if result != source:
            changed[path] = result
    return changed, findings
