"""Import blocks laid out as ruff's isort rules (`I001`, default settings) want them.

Codemods add, remove and redirect imports one at a time; this puts each run of consecutive
import lines into isort's order afterwards, so generated modules pass `ruff check --select I`
and a project whose imports were sorted keeps them sorted. The rules, as ruff applies them with
its defaults: sections future, standard library, third party, first party (the project's own
top-level modules), local (relative) with one blank line between them; `import x` before
`from x import y` in a section; module and member names compared case-insensitively in natural
order, members as CONSTANTS, Classes, then the rest; `from a import b as c` kept on its own
line; a line longer than the line length wrapped one name per line; one blank line after a
module-level block, two before a def or class.

A block this module cannot lay out as ruff would (several statements on a line, `isort:` or
`ruff: isort` directives) is left exactly as it is.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum
from functools import lru_cache

import libcst as cst

from flaskmod.codegen import code_of
from flaskmod.project import Project

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10
    import tomli as tomllib

DEFAULT_LINE_LENGTH = 88
_STDLIB = frozenset(sys.stdlib_module_names) | {"__future__"}


class Section(IntEnum):
    FUTURE = 0
    STDLIB = 1
    THIRD_PARTY = 2
    FIRST_PARTY = 3
    LOCAL = 4


@dataclass(frozen=True)
class _Entry:
    """One import statement as isort sees it: `import module [as alias]` or a from-import."""

    module: str  # with the leading dots of a relative import
    names: tuple[tuple[str, str | None], ...]  # from-import members; () for `import module`
    alias: str | None = None  # `import module as alias`
    comments: tuple[cst.EmptyLine, ...] = ()  # the comment lines above it move with it
    trailing: cst.TrailingWhitespace | None = None  # its end-of-line comment, if any
    wrapped: bool = False  # written with a magic trailing comma: stays one name per line

    @property
    def is_from(self) -> bool:
        return bool(self.names)

    @property
    def mergeable(self) -> bool:
        return (
            self.is_from
            and self.trailing is None
            and all(alias is None and name != "*" for name, alias in self.names)
        )


def _natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """Natural, case-insensitive order (`m9` before `m10`, `apple` before `Zed`)."""
    parts = re.split(r"(\d+)", text.lower())
    return tuple((1, int(p), "") if p.isdigit() else (0, 0, p) for p in parts if p)


def _member_key(member: tuple[str, str | None]) -> tuple[object, ...]:
    name, alias = member
    if len(name) > 1 and name.isupper():
        kind = 0  # CONSTANT
    elif name[:1].isupper():
        kind = 1  # Class
    else:
        kind = 2
    return kind, _natural(name), name, _natural(alias or ""), alias or ""


def _section(entry: _Entry, first_party: Collection[str]) -> Section:
    if entry.module.startswith("."):
        return Section.LOCAL
    top = entry.module.split(".")[0]
    if top == "__future__":
        return Section.FUTURE
    if top in _STDLIB:
        return Section.STDLIB
    return Section.FIRST_PARTY if top in first_party else Section.THIRD_PARTY


def _entry_key(entry: _Entry) -> tuple[object, ...]:
    dots = len(entry.module) - len(entry.module.lstrip("."))
    first = _member_key(entry.names[0]) if entry.names else ()
    alias = _natural(entry.alias or "")
    return entry.is_from, -dots, _natural(entry.module.lstrip(".")), alias, first


# ----------------------------------------------------------------------- reading
def _dotted(node: cst.BaseExpression | None) -> str:
    return "" if node is None else _node_code(node)


@lru_cache(maxsize=4096)
def _entries(
    statement: cst.SimpleStatementLine, comments: tuple[cst.EmptyLine, ...]
) -> tuple[_Entry, ...]:
    """The entries of one import line, split as isort splits them (`import a, b`); remembered
    per node, as every step asks again about the import lines it left alone."""
    small = statement.body[0]
    trailing = statement.trailing_whitespace
    kept = trailing if trailing.comment is not None else None
    out: list[_Entry] = []
    if isinstance(small, cst.Import):
        for alias in small.names:
            asname = _asname(alias)
            out.append(_Entry(_dotted(alias.name), (), asname))
    elif isinstance(small, cst.ImportFrom):
        module = "." * len(small.relative) + _dotted(small.module)
        if isinstance(small.names, cst.ImportStar):
            out.append(_Entry(module, (("*", None),)))
        else:
            wrapped = small.lpar is not None and small.names[-1].comma != cst.MaybeSentinel.DEFAULT
            members = [(_dotted(alias.name), _asname(alias)) for alias in small.names]
            plain = tuple(m for m in members if m[1] is None)
            aliased = [(m,) for m in members if m[1] is not None]
            out += [_Entry(module, names, wrapped=wrapped) for names in [plain, *aliased] if names]
    if not out:
        return ()
    out[0] = replace(out[0], comments=comments)
    out[-1] = replace(out[-1], trailing=kept)
    return tuple(out)


def _asname(alias: cst.ImportAlias) -> str | None:
    if alias.asname is None:
        return None
    return _dotted(cst.ensure_type(alias.asname.name, cst.Name))


def _merged(entries: Sequence[_Entry]) -> list[_Entry]:
    """From-imports of one module merged (not those with an alias, a star or a comment)."""
    out: list[_Entry] = []
    by_module: dict[str, int] = {}
    for entry in entries:
        index = by_module.get(entry.module) if entry.mergeable else None
        if index is None:
            if entry.mergeable:
                by_module[entry.module] = len(out)
            out.append(entry)
            continue
        into = out[index]
        names = into.names + tuple(n for n in entry.names if n not in into.names)
        out[index] = replace(
            into,
            names=names,
            comments=into.comments + entry.comments,
            wrapped=into.wrapped or entry.wrapped,
        )
    return [replace(e, names=tuple(sorted(set(e.names), key=_member_key))) for e in out]


# ----------------------------------------------------------------------- writing
def _render(entry: _Entry, line_length: int) -> str:
    if not entry.is_from:
        return f"import {entry.module}" + (f" as {entry.alias}" if entry.alias else "")
    members = [name + (f" as {alias}" if alias else "") for name, alias in entry.names]
    line = f"from {entry.module} import {', '.join(members)}"
    comment = entry.trailing.comment.value if entry.trailing and entry.trailing.comment else ""
    too_long = len(line) + (len(comment) + 2 if comment else 0) > line_length
    if members == ["*"] or not (entry.wrapped or too_long):
        return line
    inner = "".join(f"    {member},\n" for member in members)
    return f"from {entry.module} import (\n{inner})"


def _statement(entry: _Entry, line_length: int, blank: bool) -> cst.SimpleStatementLine:
    parsed = cst.ensure_type(
        cst.parse_statement(_render(entry, line_length) + "\n"), cst.SimpleStatementLine
    )
    leading = ([cst.EmptyLine()] if blank else []) + list(entry.comments)
    statement = parsed.with_changes(leading_lines=leading)
    if entry.trailing is not None:
        statement = statement.with_changes(trailing_whitespace=entry.trailing)
    return statement


# ------------------------------------------------------------------------ blocks
def _is_import_line(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
    )


def _split_head(
    lines: Sequence[cst.EmptyLine],
) -> tuple[list[cst.EmptyLine], tuple[cst.EmptyLine, ...]]:
    """Lines above a block's first import: those that stay put, and the comments right above
    it (no blank line between), which move with it."""
    cut = len(lines)
    while cut and lines[cut - 1].comment is not None:
        cut -= 1
    return list(lines[:cut]), tuple(lines[cut:])


def _sorted_block(
    block: Sequence[cst.SimpleStatementLine], first_party: Collection[str], line_length: int
) -> Sequence[cst.SimpleStatementLine] | None:
    """The block in isort's order (`block` itself when it already is), or None when it cannot
    be laid out as ruff would."""
    if any(len(s.body) != 1 or not _is_import_line(s) for s in block):
        return None
    if any("#" in _node_code(s.body[0]) for s in block):
        return None  # a comment inside parentheses: re-rendering the import would drop it
    head, attached = _split_head(block[0].leading_lines)
    entries: list[_Entry] = []
    for index, statement in enumerate(block):
        comments = (
            attached
            if index == 0
            else tuple(line for line in statement.leading_lines if line.comment)
        )
        entries += _entries(statement, comments)
    if _comment_would_merge(entries):
        return None
    sections: dict[Section, list[_Entry]] = {}
    for entry in entries:
        sections.setdefault(_section(entry, first_party), []).append(entry)
    layout: list[tuple[_Entry, bool]] = []
    for section in sorted(sections):
        for position, entry in enumerate(sorted(_merged(sections[section]), key=_entry_key)):
            layout.append((entry, bool(layout) and position == 0))
    if _layout_code(layout, head, line_length) == _code(block):
        return block  # already in order: nothing to parse
    out = [_statement(entry, line_length, blank) for entry, blank in layout]
    return [out[0].with_changes(leading_lines=[*head, *out[0].leading_lines]), *out[1:]]


def _layout_code(
    layout: Sequence[tuple[_Entry, bool]], head: Sequence[cst.EmptyLine], line_length: int
) -> str:
    """The text `_statement` would build for the layout, without parsing it (most blocks a
    step looks at are in order already; parsing a statement costs more than the rest)."""
    parts = [_code(head)]
    for entry, blank in layout:
        parts.append("\n" if blank else "")
        parts.append(_code(entry.comments))
        parts.append(_render(entry, line_length))
        parts.append(_code([entry.trailing]) if entry.trailing is not None else "\n")
    return "".join(parts)


def _comment_would_merge(entries: Sequence[_Entry]) -> bool:
    """A from-import with an end-of-line comment next to another from the same module: ruff
    merges them, moving the comment onto a member of a wrapped import; flaskmod leaves it."""
    commented = {e.module for e in entries if e.is_from and e.trailing is not None}
    return any(
        e.module in commented
        for index, e in enumerate(entries)
        if e.is_from and any(o is not e and o.module == e.module for o in entries)
    )


def _blank_lines_before(statement: cst.BaseStatement, count: int) -> cst.BaseStatement:
    """`statement` with exactly `count` blank lines above its comments and code."""
    if not isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement):
        return statement
    lines = list(statement.leading_lines)
    start = 0
    while start < len(lines) and lines[start].comment is None:
        start += 1
    return statement.with_changes(leading_lines=[cst.EmptyLine()] * count + lines[start:])


def _code(nodes: Iterable[cst.CSTNode]) -> str:
    return "".join(_node_code(node) for node in nodes)


@lru_cache(maxsize=4096)
def _node_code(node: cst.CSTNode) -> str:
    """A node's code, remembered per node: import lines are compared at every step."""
    return code_of(node)


def _sorted_body(
    body: Sequence[cst.BaseStatement], first_party: Collection[str], width: int, top_level: bool
) -> list[cst.BaseStatement] | None:
    """The statements with their import blocks laid out, or None if nothing changes. Walks
    statements only (the bodies of compound statements too), never expressions: this runs
    after every codemod on every module it touched."""
    out: list[cst.BaseStatement] = []
    changed = False
    index = 0
    while index < len(body):
        if not _is_import_line(body[index]):
            inner = _sorted_inner(body[index], first_party, width)
            changed |= inner is not None
            out.append(inner or body[index])
            index += 1
            continue
        end = index
        while end < len(body) and _is_import_line(body[end]):
            end += 1
        block = [cst.ensure_type(s, cst.SimpleStatementLine) for s in body[index:end]]
        laid_out = _sorted_block(block, first_party, width)
        if laid_out is not None and laid_out is not block:
            out += laid_out
            changed = True
        else:
            out += block
        if laid_out is not None and top_level and end < len(body):
            following = body[end]
            gap = 2 if isinstance(following, cst.FunctionDef | cst.ClassDef) else 1
            spaced = _blank_lines_before(following, gap)
            if _code(_leading(spaced)) != _code(_leading(following)):
                following, changed = spaced, True
            out.append(following)
            end += 1
        index = end
    return out if changed else None


def _leading(statement: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    if isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement):
        return statement.leading_lines
    return ()


def _sorted_inner(
    statement: cst.BaseStatement, first_party: Collection[str], width: int
) -> cst.BaseStatement | None:
    """A compound statement whose own body's import blocks changed (a def's, an if's)."""
    if not isinstance(statement, cst.BaseCompoundStatement):
        return None
    block = statement.body
    if not isinstance(block, cst.IndentedBlock):
        return None
    body = _sorted_body(block.body, first_party, width, top_level=False)
    return None if body is None else statement.with_changes(body=block.with_changes(body=body))


_DIRECTIVE = re.compile(r"#\s*(isort|ruff:\s*isort)\s*:?")


def sort_imports(
    tree: cst.Module,
    first_party: Collection[str],
    line_length: int = DEFAULT_LINE_LENGTH,
    code: str | None = None,
) -> cst.Module:
    """`tree` with every import block in isort's order: the same object if already so, or if
    it carries isort directives (which this does not interpret). `code`: the tree's text, when
    the caller has it (generating it is the slow part)."""
    code = tree.code if code is None else code
    if "import" not in code or _DIRECTIVE.search(code):
        return tree
    body = _sorted_body(tree.body, first_party, line_length, top_level=True)
    return tree if body is None else tree.with_changes(body=body)


_SORTED: dict[tuple[str, frozenset[str], int], bool] = {}


def is_sorted(
    tree: cst.Module,
    first_party: Collection[str],
    line_length: int = DEFAULT_LINE_LENGTH,
    code: str | None = None,
) -> bool:
    """Whether every import block of `tree` is in isort's order (remembered per text: the
    driver asks again after every codemod)."""
    code = tree.code if code is None else code
    key = (code, frozenset(first_party), line_length)
    if key not in _SORTED:
        if len(_SORTED) > 4096:
            _SORTED.clear()
        _SORTED[key] = sort_imports(tree, first_party, line_length, code) is tree
    return _SORTED[key]


# ----------------------------------------------------------------------- projects
def first_party(project: Project) -> frozenset[str]:
    """The project's own top-level modules, as ruff finds them with its default `src`
    (`.` and `src/`): `app` for `app/` or `app.py`."""
    tops: set[str] = set()
    for path in project.python_paths():
        parts = path.split("/")
        if parts[0] == "src" and len(parts) > 1:
            parts = parts[1:]
        tops.add(parts[0].removesuffix(".py"))
    return frozenset(tops)


def line_length(project: Project) -> int:
    """The line length the project's ruff, black or isort uses (88, their default, if none)."""
    if "pyproject.toml" not in project.files:
        return DEFAULT_LINE_LENGTH
    try:
        tool = tomllib.loads(project.text("pyproject.toml")).get("tool", {})
    except tomllib.TOMLDecodeError:
        return DEFAULT_LINE_LENGTH
    for table, key in (("ruff", "line-length"), ("black", "line-length"), ("isort", "line_length")):
        value = tool.get(table, {}).get(key)
        if isinstance(value, int) and value > 0:
            return value
    return DEFAULT_LINE_LENGTH


def tidy_imports(before: Project, after: Project) -> Project:
    """`after` (a codemod's output) with isort's order in every Python module the codemod
    created, and in every module it changed whose imports were in that order before: a
    project whose imports were not sorted keeps its own order (flaskmod does not restyle code
    it was not asked to touch)."""
    sources = {before.source_of(path): path for path in before.python_paths()}
    tops, old_tops, width = first_party(after), first_party(before), line_length(after)
    modules: dict[str, cst.Module] = {}
    for path in after.python_paths():
        old = sources.get(after.source_of(path))
        if old is not None and before.files[old] == after.files[path]:
            continue
        if old is not None and not is_sorted(before.module(old), old_tops, width, before.text(old)):
            continue
        tree = after.module(path)
        tidy = sort_imports(tree, tops, width, after.text(path))
        if tidy is not tree:
            modules[path] = tidy
    return after.with_changes(modules=modules) if modules else after
