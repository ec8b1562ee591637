"""Values an app fixes once per process, told apart from changes by a second start of it.

A stamp taken at import (`STAMP = time.time_ns()`, a column's `default=arrow.utcnow()` shown in
a form, a `uuid4()`) is the same in every response of one process, so the probe's two rounds of
GETs cannot see it; but the original and the migrated app start at different moments and show
different values. Where the original's first and second start answer differently, the value is
the process's own: a hole in a `Template` of the original's body, and the migrated body has to
equal the original's everywhere else.

Bodies are compared as tokens (words between delimiters), so a value counts whole: `13:35:15`
against `13:35:18` makes the word a hole, not only the characters that happened to differ, and
a third start showing `13:36:02` still fits.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

#: characters that end a value: whitespace, markup, quotes, JSON and query-string punctuation
DELIMITERS = r"\s<>\"'`,;&=()\[\]{}"
TOKEN = re.compile(rf"[^{DELIMITERS}]+|[{DELIMITERS}]")
#: a hole where both starts showed one word: the migrated body may show any one word there
WORD = f"[^{DELIMITERS}]*"
ONE_WORD = re.compile(WORD)
#: a hole where the original's markup itself varied: anything (as little as needed)
ANYTHING = "(?s:.*?)"
#: the most tokens (or lines) one changed block may hold on each side, multiplied: beyond it
#: the diff would be slow, and bodies that far apart are not two samples of one page
MAX_WORK = 25_000_000


class TooDifferent(Exception):
    """The original's two starts differ over too much of a body to say which parts vary."""


@dataclass(frozen=True)
class Hole:
    """Where the original's first body has a value of its own process: `first[start:end]`."""

    start: int
    end: int
    pattern: str


@dataclass(frozen=True)
class Template:
    """The original's first body, with a hole at each value its second start showed differently."""

    first: str
    holes: tuple[Hole, ...]

    def literal(self, index: int) -> tuple[int, str]:
        """The text before hole `index` (after the last hole for `len(holes)`), and where it
        starts in `first`."""
        start = self.holes[index - 1].end if index else 0
        end = self.holes[index].start if index < len(self.holes) else len(self.first)
        return start, self.first[start:end]

    def pattern(self, literals: int, hole_after: bool = False) -> re.Pattern[str]:
        """The first `literals` literals with the holes between them (and the hole after the
        last, with `hole_after`) as a regular expression: exact text, only the holes free."""
        parts = []
        for index in range(literals):
            if index:
                parts.append(self.holes[index - 1].pattern)
            parts.append(re.escape(self.literal(index)[1]))
        if hole_after and literals:
            parts.append(self.holes[literals - 1].pattern)
        return re.compile("".join(parts))

    def fits(self, body: str) -> bool:
        """Whether `body` equals the original's everywhere but in the holes."""
        return self.pattern(len(self.holes) + 1).fullmatch(body) is not None

    def first_difference(self, body: str) -> tuple[int, int]:
        """Where `body`, which does not fit, first differs outside the holes: the offset in
        `first` and the offset in `body`. When a prefix of the template matches, every shorter
        one does too: the first literal that fails is found by bisection."""
        literals = len(self.holes) + 1
        low, high = 0, literals + 1  # `low` literals match; `high` do not (all: not in full)
        while high - low > 1:
            middle = (low + high) // 2
            if self.pattern(middle).match(body):
                low = middle
            else:
                high = middle
        if low == literals:  # all of it matches, and the body goes on
            return len(self.first), _end(self.pattern(low).match(body))
        at = _end(self.pattern(low, hole_after=True).match(body))
        start, text = self.literal(low)
        offset = _common_prefix(text, body[at:])
        return start + offset, at + offset


def _end(match: re.Match[str] | None) -> int:
    return match.end() if match else 0


def template(first: str, second: str) -> Template:
    """The original's first body with a hole wherever its second start's body differs.

    Raises `TooDifferent` when a changed block is too large to diff in reasonable time."""
    holes: list[Hole] = []
    at = 0
    for equal, old, new in _runs(first, second):
        if not equal:
            if holes and holes[-1].end == at:  # two holes touching: one, of anything
                holes[-1] = Hole(holes[-1].start, at + len(old), ANYTHING)
            else:
                holes.append(Hole(at, at + len(old), _hole_pattern(old, new)))
        at += len(old)
    return Template(first, tuple(holes))


def _hole_pattern(old: str, new: str) -> str:
    """One word on both sides: any one word; markup or spaces varying: anything."""
    return WORD if ONE_WORD.fullmatch(old) and ONE_WORD.fullmatch(new) else ANYTHING


def _runs(first: str, second: str) -> Iterator[tuple[bool, str, str]]:
    """(equal, first's text, second's text) in order: lines first, then the tokens of each
    changed block of lines (a token diff of a whole page would be slow)."""
    lines = _diff(first.splitlines(keepends=True), second.splitlines(keepends=True))
    for equal, old, new in lines:
        if equal:
            yield True, old, new
        else:
            yield from _diff(TOKEN.findall(old), TOKEN.findall(new))


def _diff(old: Sequence[str], new: Sequence[str]) -> Iterator[tuple[bool, str, str]]:
    """(equal, old text, new text) runs of two sequences of strings. The common start and end
    are set aside first: two starts of one app differ in a few places of a long body."""
    head = _common_prefix(old, new)
    tail = _common_prefix(old[head:][::-1], new[head:][::-1])
    middle_old, middle_new = old[head : len(old) - tail], new[head : len(new) - tail]
    if len(middle_old) * len(middle_new) > MAX_WORK:
        raise TooDifferent(f"{len(middle_old)} by {len(middle_new)} parts differ")
    yield True, "".join(old[:head]), "".join(new[:head])
    matcher = difflib.SequenceMatcher(None, middle_old, middle_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        yield tag == "equal", "".join(middle_old[i1:i2]), "".join(middle_new[j1:j2])
    yield True, "".join(old[len(old) - tail :]), "".join(new[len(new) - tail :])


def _common_prefix(old: Sequence[str], new: Sequence[str]) -> int:
    """How many leading items (characters, lines or tokens) two sequences share."""
    return next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
        min(len(old), len(new)),
    )
