"""What `flaskmod list` shows of each codemod, read without importing the codemods.

Importing a codemod imports LibCST and its matchers (most of a second), so `flaskmod list`, which
must start about as fast as `--help` (issue 11), reads `flaskmod.codemods._manifest` instead:
each codemod's name, order, summary, the shape it needs and its options' names. That module is
generated from the declarations (`Codemod.declare`) by `python -m flaskmod.docs`, with the
codemod pages, and like them it cannot drift unnoticed: `python -m flaskmod.docs --check` and
`tests/test_docs.py` fail when it is not what the declarations render now.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from flaskmod.codemod import Codemod

#: the generated module, from the root of a checkout, and the package it is imported from
PATH = "codemods/_manifest.py"
PACKAGE = "flaskmod.codemods"
#: ruff's line length (pyproject.toml): the generated module is written as ruff formats it
LINE_LENGTH = 100
#: the table's column headers, as `flaskmod list` always showed them
HEADER = ("#", "codemod", "what it does")
#: the narrowest summary column a terminal's width may leave (below it, lines overflow)
MIN_SUMMARY_WIDTH = 20


class Entry(NamedTuple):
    """One codemod as `flaskmod list` shows it, and `flaskmod list --json` prints it."""

    name: str
    order: int
    summary: str
    #: the value of its `Needs` ("a global app")
    needs: str
    #: the names of its options (`group_by`)
    options: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "order": self.order,
            "summary": self.summary,
            "needs": self.needs,
            "options": list(self.options),
        }


def entries() -> tuple[Entry, ...]:
    """Every codemod's entry, in the order they run (from the generated module)."""
    # By name, as `pipeline.discover` imports the codemods: the package is the repository's
    # `codemods/`, mapped to `flaskmod.codemods` by pyproject.toml (mypy cannot follow that).
    listed: tuple[Entry, ...] = importlib.import_module(f"{PACKAGE}._manifest").CODEMODS
    return listed


def entry_of(codemod: Codemod) -> Entry:
    """The entry of a codemod, from its declaration."""
    options = tuple(option.name for option in codemod.options)
    return Entry(codemod.name, codemod.order, codemod.summary, codemod.needs.value, options)


# ------------------------------------------------------------------------ the table
def table(listed: Sequence[Entry], width: int | None = None) -> list[str]:
    """The lines of `flaskmod list`, header first: aligned columns, as rich's table without a box
    showed them; each summary on one line, or wrapped to `width` (a terminal's) if given."""
    rows = [HEADER, *((str(number), e.name, e.summary) for number, e in enumerate(listed, 1))]
    first = max(len(row[0]) for row in rows)
    second = max(len(row[1]) for row in rows)
    indent = first + 2 + second + 2
    lines: list[str] = []
    for number, name, summary in rows:
        head, *rest = _wrapped(summary, None if width is None else width - indent)
        lines.append(f"{number:>{first}}  {name:<{second}}  {head}")
        lines += [" " * indent + part for part in rest]
    return lines


def _wrapped(text: str, width: int | None) -> list[str]:
    if width is None or len(text) <= width:
        return [text]
    import textwrap

    return textwrap.wrap(text, max(width, MIN_SUMMARY_WIDTH)) or [text]


# --------------------------------------------------------------- the generated module
def render(listed: Iterable[Entry], command: str) -> str:
    """The source of the generated module, formatted as ruff formats it."""
    lines = [
        '"""Each codemod\'s entry for `flaskmod list`, read without importing the codemods.',
        "",
        "Generated from their declarations (see `flaskmod.manifest`) by",
        f"`{command}`: edit the codemods, then regenerate.",
        '"""',
        "",
        "from flaskmod.manifest import Entry",
        "",
        "CODEMODS: tuple[Entry, ...] = (",
    ]
    for entry in listed:
        lines += ["    Entry(", *_fields(entry), "    ),"]
    return "\n".join([*lines, ")", ""])


def _fields(entry: Entry) -> list[str]:
    indent = " " * 8
    fields = [
        f"{indent}name={_literal(entry.name)},",
        f"{indent}order={entry.order},",
        f"{indent}summary={_literal(entry.summary)},",
        f"{indent}needs={_literal(entry.needs)},",
    ]
    names = [_literal(name) for name in entry.options]
    one_line = f"{indent}options=({', '.join(names)}{',' if len(names) == 1 else ''}),"
    if len(one_line) <= LINE_LENGTH:
        return [*fields, one_line]
    return [*fields, f"{indent}options=(", *(f"{indent}    {n}," for n in names), f"{indent}),"]


def _literal(text: str) -> str:
    """A string literal quoted as ruff quotes it: double quotes unless the text has more of
    them than single quotes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    if not escaped.isprintable():
        raise ValueError(f"a codemod's declaration has a control character: {text!r}")
    return quote + escaped + quote
