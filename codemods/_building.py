"""Building new modules as LibCST trees: a docstring, grouped imports, then the body.

Every module flaskmod creates (config.py, extensions.py, models.py, a blueprint's routes.py,
conftest.py) has the same shape; codemods hand over statements (moved ones, or ones made from
small templates with `libcst.helpers.parse_template_statement`) and this lays them out as PEP 8
and isort would, so no codemod assembles source text line by line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import libcst as cst
from libcst.helpers import parse_template_module
from libcst.helpers._template import TEMPLATE_PREFIX, TemplateTransformer, mangle_template

from ._moving import ImportPlan
from ._visiting import transform_statements

TWO_BLANKS = (cst.EmptyLine(), cst.EmptyLine())


def leading_lines(statement: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    """The blank and comment lines above a statement (every concrete statement has them)."""
    if isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement):
        return statement.leading_lines
    return ()


def docstring(text: str) -> cst.SimpleStatementLine:
    """A module docstring statement; `text` is the docstring's content, without quotes."""
    quoted = '"""' + text.replace('"""', '\\"\\"\\"') + '"""'
    return cst.SimpleStatementLine([cst.Expr(cst.SimpleString(quoted))])


def template(code: str, **replacements: cst.CSTNode) -> list[cst.BaseStatement]:
    """Statements from a small code template with `{name}` placeholders filled by nodes.

    The first use of a template goes through LibCST's `parse_template_module` (which checks
    that every placeholder was filled) and keeps the parsed tree; later uses only fill its
    placeholders. Trees are immutable, so a template without placeholders is shared.
    """
    # LibCST types the replacements as a union of the node kinds a template may hold, which
    # `CSTNode` is not; every node given here is one of them (a bad one fails in LibCST).
    key = (code, frozenset(replacements))
    parsed = _TEMPLATES.get(key)
    if parsed is None:
        first = parse_template_module(code, **replacements)  # type: ignore[arg-type]
        _TEMPLATES[key] = cst.parse_module(mangle_template(code, set(replacements)))
        return list(first.body)
    if not replacements:
        return list(parsed.body)
    filler = TemplateTransformer(replacements)  # type: ignore[arg-type]
    return list(transform_statements(parsed, filler, _is_placeholder).body)


def _is_placeholder(node: cst.CSTNode) -> bool:
    """A name LibCST's template parsing put where a `{name}` was: the only nodes it fills."""
    return isinstance(node, cst.Name) and TEMPLATE_PREFIX in node.value


#: each template's tree with its placeholders as LibCST names them, parsed at first use
_TEMPLATES: dict[tuple[str, frozenset[str]], cst.Module] = {}


def import_statements(plan: ImportPlan) -> list[cst.BaseStatement]:
    """The plan's imports, one group after another with a blank line between them."""
    groups = [group for group in plan.groups() if group]
    out: list[cst.BaseStatement] = []
    for number, group in enumerate(groups):
        for position, line in enumerate(group):
            statement = cst.parse_statement(line + "\n")
            lines = [cst.EmptyLine()] if number and not position else []
            out.append(statement.with_changes(leading_lines=lines))
    return out


def spaced(statements: Iterable[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """PEP 8 blank lines: two around top-level defs and classes, comments kept above them."""
    out: list[cst.BaseStatement] = []
    previous_def = False
    for statement in statements:
        is_def = isinstance(statement, cst.FunctionDef | cst.ClassDef)
        above = leading_lines(statement)
        comments = [line for line in above if line.comment is not None]
        if not out:
            lines: Sequence[cst.EmptyLine] = comments
        elif is_def or previous_def:
            lines = [*TWO_BLANKS, *comments]
        else:
            blanks = min(2, len([line for line in above if line.comment is None]))
            lines = [cst.EmptyLine()] * blanks + comments
        out.append(statement.with_changes(leading_lines=lines))
        previous_def = is_def
    return out


def new_module(
    doc: str, imports: ImportPlan, body: Sequence[cst.BaseStatement], *, gap: int = 2
) -> cst.Module:
    """`doc`, a blank line, the imports, `gap` blank lines, then `body` as given."""
    head: list[cst.BaseStatement] = [docstring(doc)]
    imported = import_statements(imports)
    if imported:
        head += [imported[0].with_changes(leading_lines=[cst.EmptyLine()]), *imported[1:]]
    tail = list(body)
    if tail:
        comments = [line for line in leading_lines(tail[0]) if line.comment is not None]
        tail[0] = tail[0].with_changes(leading_lines=[cst.EmptyLine()] * gap + comments)
    statements: list[cst.SimpleStatementLine | cst.BaseCompoundStatement] = [
        statement
        for statement in [*head, *tail]
        if isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement)
    ]
    return cst.Module(body=statements)


def separated(statements: Iterable[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """Moved code laid out anew: one blank line between statements, two around defs and
    classes, the comments above each kept (the original blank lines are not)."""
    out: list[cst.BaseStatement] = []
    previous_def = False
    for statement in statements:
        is_def = isinstance(statement, cst.FunctionDef | cst.ClassDef)
        comments = [line for line in leading_lines(statement) if line.comment is not None]
        blanks = [] if not out else [cst.EmptyLine()] * (2 if is_def or previous_def else 1)
        out.append(statement.with_changes(leading_lines=[*blanks, *comments]))
        previous_def = is_def
    return out


def dotted_name(dotted: str) -> cst.Attribute | cst.Name:
    """`a.b.c` as an expression node (a module in an import, a decorator's target)."""
    first, *rest = dotted.split(".")
    node: cst.Attribute | cst.Name = cst.Name(first)
    for part in rest:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def import_from(module: str, name: str, alias: str | None = None) -> cst.SimpleStatementLine:
    """`from module import name [as alias]`; `module` may be relative (`.main.routes`)."""
    level = len(module) - len(module.lstrip("."))
    rest = module[level:]
    asname = cst.AsName(name=cst.Name(alias)) if alias else None
    statement = cst.ImportFrom(
        module=dotted_name(rest) if rest else None,
        names=[cst.ImportAlias(name=cst.Name(name), asname=asname)],
        relative=[cst.Dot()] * level,
    )
    return cst.SimpleStatementLine([statement])


def comment(text: str) -> cst.EmptyLine:
    """A comment line above a statement (`text` without the `# `)."""
    return cst.EmptyLine(comment=cst.Comment(f"# {text}"))
