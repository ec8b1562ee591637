"""Recognising Python 2 source, so the refusal says what to do instead of "syntax error".

Legacy Flask apps predate Python 3 often enough. LibCST parses Python 3 only: a `print "x"` is a
bare parse error at some column, which reads like a typo. Naming the construct and pointing at
2to3 tells the user the real first step. Two Python 2 forms even parse as Python 3 with another
meaning (`except ValueError, e:` is a tuple of classes in Python 3.14, `print >>f, x` a tuple),
so files that parse are checked for those.

The search runs on tokens, not lines, so a docstring that mentions `print x` is not mistaken for
code.
"""

from __future__ import annotations

import io
import itertools
import re
import tokenize
from collections.abc import Iterator

ADVICE = "flaskmod migrates Python 3 code; convert it first, e.g. `2to3 -w .` (Python <= 3.12)"

# Cheap test for the forms that LibCST accepts, before tokenizing a file that parsed.
_PARSES_ANYWAY = re.compile(r"^[ \t]*(?:except\b[^\n:]*,|print[ \t]*>>)", re.MULTILINE)

_VALUE = (tokenize.STRING, tokenize.NAME, tokenize.NUMBER)
_SKIPPED = (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING)


def _logical_lines(text: str) -> Iterator[list[tokenize.TokenInfo]]:
    """Token lists of each logical line, until the end or the first tokenizer failure."""
    line: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if line:
                    yield line
                line = []
            elif token.type not in _SKIPPED:
                line.append(token)
    except (tokenize.TokenError, SyntaxError):
        pass
    if line:
        yield line


def _top_level_comma(tokens: list[tokenize.TokenInfo]) -> int | None:
    """Index of the first comma outside brackets, if it comes before any `:`."""
    depth = 0
    for position, token in enumerate(tokens):
        if token.type != tokenize.OP:
            continue
        if token.string in ("(", "[", "{"):
            depth += 1
        elif token.string in (")", "]", "}"):
            depth -= 1
        elif depth == 0 and token.string == ":":
            return None
        elif depth == 0 and token.string == ",":
            return position
    return None


def _statement(tokens: list[tokenize.TokenInfo]) -> str | None:
    """The Python 2 statement form a logical line starts with, if any."""
    first, rest = tokens[0], tokens[1:]
    if not rest:
        return None
    following = rest[0]
    if first.string == "print" and (following.type in _VALUE or following.string == ">>"):
        return "`print` statement"
    if first.string == "exec" and following.type in _VALUE:
        return "`exec` statement"
    if first.string not in ("raise", "except"):
        return None
    comma = _top_level_comma(rest)
    if not comma:
        return None
    if first.string == "raise":
        return "`raise E, message`"
    # `except E, name:`; a capitalised second item is Python 3.14's tuple of classes.
    after = rest[comma + 1 :]
    if (
        len(after) == 2
        and after[0].type == tokenize.NAME
        and after[0].string[:1].islower()
        and after[1].string == ":"
    ):
        return "`except E, name:`"
    return None


def find(text: str) -> tuple[int, str] | None:
    """Line and name of the first Python 2 construct in `text`, or None."""
    for tokens in _logical_lines(text):
        name = _statement(tokens)
        if name is not None:
            return tokens[0].start[0], name
        for before, token in itertools.pairwise(tokens):
            if token.type == tokenize.ERRORTOKEN and token.string == "`":
                return token.start[0], "backticks"
            if before.string == "<" and token.string == ">" and before.end == token.start:
                return token.start[0], "`<>`"
            if (
                before.type == tokenize.NAME
                and before.string.lower() == "ur"
                and token.type == tokenize.STRING
                and before.end == token.start
            ):
                return token.start[0], "`ur` string prefix"
        if tokens[0].type == tokenize.ERRORTOKEN and tokens[0].string == "`":
            return tokens[0].start[0], "backticks"
    return None


def find_in_parsed(text: str) -> tuple[int, str] | None:
    """Python 2 forms that LibCST parses with another meaning; cheap when there are none."""
    if not _PARSES_ANYWAY.search(text):
        return None
    return find(text)
