"""`--group-by prefix`: one blueprint per first URL segment shared by several views.

`/auth/login` and `/auth/logout` become blueprint `auth` with `url_prefix="/auth"` and rules
`/login`, `/logout`; a view whose URL shares its first segment with no other view stays in the
default blueprint. App-wide registrations (hooks, error handlers, filters, CLI) are not views:
they stay in the default blueprint, where their app-wide effect does not depend on a prefix.
"""

from __future__ import annotations

import keyword
import re

import libcst as cst
import libcst.matchers as m

from flaskmod.knowledge import ROUTES

from ._registrations import decorator_name, registration_kind

RESERVED = frozenset({"static", "main", "tests", "test", "templates", "models", "forms"})


def first_segment(rule: str) -> str | None:
    parts = [part for part in rule.split("/") if part]
    if not parts or parts[0].startswith("<"):
        return None
    return parts[0]


def blueprint_name(segment: str) -> str | None:
    name = re.sub(r"\W+", "_", segment).strip("_").lower()
    if not name or name[0].isdigit() or keyword.iskeyword(name) or name in RESERVED:
        return None
    return name


def route_rules(statement: cst.BaseStatement, app: str) -> list[str] | None:
    """The literal rules a view registers, or None if any rule is not a literal."""
    rules: list[str] = []
    if isinstance(statement, cst.FunctionDef):
        for decorator in statement.decorators:
            if decorator_name(decorator, app) not in ROUTES:
                continue
            call = decorator.decorator
            if not isinstance(call, cst.Call) or not call.args or call.args[0].keyword:
                return None
            value = call.args[0].value
            if not isinstance(value, cst.SimpleString):
                return None
            rules.append(str(value.evaluated_value))
        return rules
    if registration_kind(statement, app) == "add_url_rule":
        line = cst.ensure_type(statement, cst.SimpleStatementLine)
        call = cst.ensure_type(cst.ensure_type(line.body[0], cst.Expr).value, cst.Call)
        if (
            call.args
            and isinstance(call.args[0].value, cst.SimpleString)
            and not call.args[0].keyword
        ):
            return [str(call.args[0].value.evaluated_value)]
        return None
    return []


def assign(
    body: list[cst.BaseStatement], registrations: set[int], app: str, taken: set[str]
) -> dict[int, str]:
    """Registration position → blueprint name, for views whose rules share a first segment."""
    segments: dict[int, str] = {}
    for position in registrations:
        rules = route_rules(body[position], app)
        if not rules:
            continue
        firsts = {first_segment(rule) for rule in rules}
        only = firsts.pop() if len(firsts) == 1 else None
        if only is not None:
            segments[position] = only
    groups: dict[int, str] = {}
    for segment in sorted(set(segments.values())):
        members = [p for p, s in segments.items() if s == segment]
        name = blueprint_name(segment)
        deep = any(
            len([part for part in rule.split("/") if part]) > 1 or rule.endswith("/")
            for p in members
            for rule in route_rules(body[p], app) or []
        )
        if len(members) < 2 or not deep or name is None or name in taken:
            continue
        for position in members:
            groups[position] = name
    return groups


class StripPrefix(cst.CSTTransformer):
    """`@bp.route("/auth/login")` → `@bp.route("/login")` once `url_prefix="/auth"` adds it."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def _strip(self, node: cst.SimpleString) -> cst.SimpleString:
        value = str(node.evaluated_value)
        rest = value[len(self.prefix) :] if value.startswith(self.prefix) else value
        return node.with_changes(value=f"{node.prefix}{node.quote}{rest}{node.quote}")

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if not m.matches(
            updated_node.func,
            m.Attribute(attr=m.OneOf(*[m.Name(name) for name in (*ROUTES, "add_url_rule")])),
        ):
            return updated_node
        if not updated_node.args or updated_node.args[0].keyword:
            return updated_node
        first = updated_node.args[0]
        if not isinstance(first.value, cst.SimpleString):
            return updated_node
        return updated_node.with_changes(
            args=[first.with_changes(value=self._strip(first.value)), *updated_node.args[1:]]
        )
